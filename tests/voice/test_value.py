"""The value of experience worked by hand: groups by the latest answer in Q, outcomes in P."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxcore import Cockpit
from cxcore.voice.value import worth
from tests.factories import customer, nps, order, write_folder

# P = Q2 2025; compared with the previous period, Q = Q1 2025.
START, END = "2025-04-01", "2025-06-30"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    customers = [
        customer("c1", segment="SMB"),
        customer("c2", segment="SMB"),
        customer("c3", segment="SMB"),
        customer("c4", segment="Enterprise"),
        customer("c5", segment="Enterprise"),
        customer("c6", segment="Enterprise"),
        customer("c7", segment="Enterprise"),
    ]
    answers = [
        nps("r1", "c1", "2025-02-01", 10),
        nps("r5", "c1", "2025-03-15", 3),  # c1's latest in Q: a detractor
        nps("r20", "c1", "2025-05-01", 10),  # in P: not Q, ignored
        nps("9", "c2", "2025-03-20", 10),
        nps("10", "c2", "2025-03-20", 2),  # same day: 10 follows 9 as a number: a detractor
        nps("r7", "c3", "2025-03-20", 8),
        nps("r8", "c3", "2025-03-20", 10),  # same day: "r8" follows "r7": a promoter
        nps("r4", "c4", "2025-03-01", 7),  # a passive
        nps("r6", "c5", "2025-01-10", 9),  # a promoter
        nps("r9", None, "2025-03-02", 0),  # anonymous: no customer, not counted
        nps("r10", "c6", "2025-04-10", 0),  # only in P: not counted
        nps("r11", "c7", "2024-12-31", 0),  # before Q: not counted
    ]
    orders = [
        order("o1", "c1", "2025-04-05", 100),
        order("o2", "c1", "2025-06-30", -30),  # c1 in P: bought, revenue 70
        order("o3", "c3", "2025-05-05", 250),  # c3: bought, 250
        order("o4", "c4", "2025-04-20", -20),  # c4: a refund only is still an order: -20
        order("o5", "c5", "2025-02-01", 50),  # c5: only in Q, and
        order("o6", "c5", "2025-07-02", 80),  # after P: not retained in P, revenue 0
        order("o7", "c6", "2025-04-11", 40),
    ]
    return write_folder(
        tmp_path_factory.mktemp("value"), customers=customers, orders=orders, nps_responses=answers
    )


def groups(result: dict) -> dict[str, dict]:
    return {g["group"]: g for g in result["groups"]}


def test_groups_worked_by_hand(folder: Path) -> None:
    with Cockpit.open(folder) as cockpit:
        result = cockpit.nps_value(START, END)
    assert set(result) == {"groups"}
    assert [g["group"] for g in result["groups"]] == ["promoter", "passive", "detractor"]
    found = groups(result)
    # promoters c3 (bought 250) and c5 (no order in P): 1 of 2 retained, (250 + 0) / 2
    assert found["promoter"] == {
        "group": "promoter",
        "customers": 2,
        "retention_rate": 0.5,
        "revenue_per_customer": 125.0,
    }
    # passive c4: its refund is an order in P: retained, revenue -20
    assert found["passive"]["customers"] == 1
    assert found["passive"]["retention_rate"] == 1.0
    assert found["passive"]["revenue_per_customer"] == -20.0
    # detractors c1 (70) and c2 (nothing): 1 of 2, (70 + 0) / 2
    assert found["detractor"]["customers"] == 2
    assert found["detractor"]["retention_rate"] == 0.5
    assert found["detractor"]["revenue_per_customer"] == 35.0


def test_an_empty_group_has_null_rates_under_a_filter(folder: Path) -> None:
    with Cockpit.open(folder) as cockpit:
        found = groups(cockpit.nps_value(START, END, filters={"segment": ["SMB"]}))
    assert found["passive"] == {
        "group": "passive",
        "customers": 0,
        "retention_rate": None,
        "revenue_per_customer": None,
    }
    assert (found["promoter"]["customers"], found["promoter"]["revenue_per_customer"]) == (1, 250)
    assert found["detractor"]["customers"] == 2


def test_a_year_on_year_comparison_groups_last_years_answers(folder: Path) -> None:
    with Cockpit.open(folder) as cockpit:
        found = groups(cockpit.nps_value(START, END, compare="yoy"))
    assert all(g["customers"] == 0 for g in found.values())


def test_what_it_is_worth_in_money_and_in_weight() -> None:
    keys = ("group", "customers", "retention_rate", "revenue_per_customer")
    rows = [
        ("promoter", 50, 0.9, 400.0),
        ("passive", 30, 0.8, 300.0),
        ("detractor", 20, 0.6, 150.0),
    ]
    groups = [dict(zip(keys, row, strict=True)) for row in rows]
    found = worth(groups, period_days=73)  # a fifth of a year: money times 5
    assert found.detractor_cost == pytest.approx((400 - 150) * 5)  # 1,250 a year
    # 10% of 20 detractors = 2 customers, each bringing 300 - 150 more: 2 * 150 * 5 = 1,500
    assert found.shifted_customers == pytest.approx(2.0)
    assert found.shift_value == pytest.approx(1500.0)
    # a detractor loses 0.8 - 0.6 = 0.2 of retention, a promoter gains 0.9 - 0.8 = 0.1: twice
    assert found.asymmetry == pytest.approx(2.0)
    empty = [dict(g, customers=0, retention_rate=None, revenue_per_customer=None) for g in groups]
    nothing = worth(empty, period_days=90)
    assert nothing.detractor_cost is None and nothing.asymmetry is None


def test_on_the_sample_detractors_retain_less_and_bring_less_than_promoters() -> None:
    with Cockpit.open("sample_data") as cockpit:
        found = groups(cockpit.nps_value("2026-01-01", "2026-06-30"))
    assert found["detractor"]["retention_rate"] < found["passive"]["retention_rate"]
    assert found["passive"]["retention_rate"] < found["promoter"]["retention_rate"]
    assert found["detractor"]["revenue_per_customer"] < found["promoter"]["revenue_per_customer"]
