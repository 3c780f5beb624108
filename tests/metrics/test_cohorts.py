"""Cohorts: a small matrix worked out by hand, and the sample against a plain-Python reference.

Every case is asked three ways (the store's cohorts rollup, the store's fact
rows, the data folder in memory); the answers must be identical.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from cxcore import ArgumentError, Cockpit
from cxcore.data.sample import generate
from tests.factories import customer, order, write_folder
from tests.metrics.test_rollups_vs_base import three_ways

PEOPLE = [
    customer("c1", "SMB", "North", "2024-12-15"),
    customer("c2", "SMB", "East", "2025-01-10"),
    customer("c3", "Enterprise", "North", "2025-01-31"),
    customer("c4", "SMB", "North", "2025-02-01"),  # a refund only
    customer("c5", "Enterprise", "East", "2025-02-20"),  # never orders
    customer("c6", "SMB", "North", "2024-11-01"),  # a cohort before the ones asked
    customer("c7", "SMB", "East", "2025-02-10"),  # orders before signing up
]
ORDERS = [
    order("o1", "c1", "2025-01-05", 100),
    order("o2", "c1", "2025-01-20", 50),
    order("o3", "c1", "2025-03-02", 30),
    order("o4", "c2", "2025-01-25", 40),
    order("o5", "c2", "2025-02-10", -10),  # a month holding only a refund still counts
    order("o6", "c3", "2025-02-01", 200),
    order("o7", "c3", "2025-04-30", 20),  # the last month of data: 2025-04
    order("o8", "c4", "2025-02-14", -25),
    order("o9", "c6", "2024-11-05", 70),
    order("o10", "c6", "2025-01-15", 5),
    order("o11", "c7", "2025-01-28", 15),
    order("o12", "c7", "2025-02-15", 5),
]


def flat(rows: list[tuple[int, float, float]]) -> list[float]:
    """pytest.approx compares flat lists only."""
    return [value for row in rows for value in row]


def _cells(result: dict[str, Any]) -> dict[str, list[tuple[int, float, float]]]:
    """cohort -> [(active, retention, revenue per customer) for k = 0, 1, ...]."""
    return {
        c["cohort"]: [(m["active"], m["retention"], m["revenue_per_customer"]) for m in c["months"]]
        for c in result["cohorts"]
    }


# First order: Jan = {c1, c2, c7} (c6 started in Nov 2024), Feb = {c3, c4}.
#   Jan k0: c1 150 + c2 40 + c7 15 = 205 over 3; k1: c2 -10 + c7 5 = -5, 2 of 3;
#       k2: c1 30, 1 of 3; k3 (April): nobody.
#   Feb k0: c3 200 + c4 -25 = 175 over 2; k1: nobody; k2: c3 20, 1 of 2.
FIRST_ORDER = {
    "2025-01-01": [(3, 1.0, 205 / 3), (2, 2 / 3, -5 / 3), (1, 1 / 3, 10.0), (0, 0.0, 0.0)],
    "2025-02-01": [(2, 1.0, 87.5), (0, 0.0, 0.0), (1, 0.5, 10.0)],
}
# Averages pooled over the cohorts that reached month k: k0 5 of 5, (205 + 175) / 5 = 76;
# k1 2 of 5, -5 / 5; k2 2 of 5, (30 + 20) / 5; k3 only January's 3: 0.
FIRST_ORDER_AVERAGE = [(5, 1.0, 76.0), (2, 0.4, -1.0), (2, 0.4, 10.0), (0, 0.0, 0.0)]
# Signup: Jan = {c2, c3}, Feb = {c4, c5, c7}; c7's January order came before its cohort.
#   Jan k0: c2 40 over 2; k1: c2 -10 + c3 200 = 190, 2 of 2; k2: nobody; k3: c3 20.
#   Feb k0: c4 -25 + c7 5 = -20 over 3, 2 of 3; k1, k2: nobody.
SIGNUP = {
    "2025-01-01": [(1, 0.5, 20.0), (2, 1.0, 95.0), (0, 0.0, 0.0), (1, 0.5, 10.0)],
    "2025-02-01": [(2, 2 / 3, -20 / 3), (0, 0.0, 0.0), (0, 0.0, 0.0)],
}
# k0: 3 of 5, (40 - 20) / 5 = 4; k1: 2 of 5, 190 / 5; k2: 0 of 5; k3: January's 1 of 2, 20 / 2.
SIGNUP_AVERAGE = [(3, 0.6, 4.0), (2, 0.4, 38.0), (0, 0.0, 0.0), (1, 0.5, 10.0)]
# SMB only, first order: Jan unchanged (c1, c2, c7 are SMB); Feb is c4 alone, -25.
SMB_FIRST_ORDER = {
    "2025-01-01": FIRST_ORDER["2025-01-01"],
    "2025-02-01": [(1, 1.0, -25.0), (0, 0.0, 0.0), (0, 0.0, 0.0)],
}

CASES = {
    "first order": ("first_order", {}, FIRST_ORDER, {"2025-01-01": 3, "2025-02-01": 2}),
    "signup": ("signup", {}, SIGNUP, {"2025-01-01": 2, "2025-02-01": 3}),
    "SMB": (
        "first_order",
        {"segment": ["SMB"]},
        SMB_FIRST_ORDER,
        {"2025-01-01": 3, "2025-02-01": 1},
    ),
}


@pytest.fixture(scope="module")
def hand_ways(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = write_folder(tmp_path_factory.mktemp("cohorts"), customers=PEOPLE, orders=ORDERS)
    with three_ways(folder) as ways:
        yield ways


@pytest.mark.parametrize("name", CASES)
def test_the_hand_worked_matrix(hand_ways: tuple[Cockpit, ...], name: str) -> None:
    basis, filters, expected, sizes = CASES[name]
    answers = [
        w.cohorts("2025-01-01", "2025-02-28", filters=filters, basis=basis) for w in hand_ways
    ]
    assert answers[0] == answers[1] == answers[2]
    result = answers[0]
    assert result["last_month"] == "2025-04-01"
    assert {c["cohort"]: c["size"] for c in result["cohorts"]} == sizes
    assert _cells(result).keys() == expected.keys()
    for cohort, months in _cells(result).items():
        assert flat(months) == pytest.approx(flat(expected[cohort])), cohort


@pytest.mark.parametrize(
    ("basis", "average"), [("first_order", FIRST_ORDER_AVERAGE), ("signup", SIGNUP_AVERAGE)]
)
def test_the_average_curve_pools_the_cohorts(
    hand_ways: tuple[Cockpit, ...], basis: str, average: list[tuple[int, float, float]]
) -> None:
    result = hand_ways[0].cohorts("2025-01-01", "2025-02-28", basis=basis)
    curve = [(m["active"], m["retention"], m["revenue_per_customer"]) for m in result["average"]]
    assert flat(curve) == pytest.approx(flat(average))


def test_a_period_inside_a_month_asks_for_that_months_cohort(
    hand_ways: tuple[Cockpit, ...],
) -> None:
    result = hand_ways[0].cohorts("2025-02-10", "2025-02-12")
    assert [c["cohort"] for c in result["cohorts"]] == ["2025-02-01"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"basis": "last_order"}, "basis 'last_order' is not one of: first_order, signup"),
        ({"unit": "week"}, "unit 'week' is not one of: month"),
        ({"filters": {"segmnt": ["SMB"]}}, "segmnt"),
        ({"start": "2025-03-01", "end": "2025-01-01"}, "2025-03-01"),
    ],
)
def test_bad_arguments_are_named(
    hand_ways: tuple[Cockpit, ...], options: dict[str, Any], message: str
) -> None:
    asked = {"start": "2025-01-01", "end": "2025-02-28", **options}
    with pytest.raises(ArgumentError, match=message):
        hand_ways[0].cohorts(**asked)


# -- the sample against a plain-Python reference --------------------------------------------
def month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_between(first: dt.date, last: dt.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


def reference(
    folder: Path, first: dt.date, last: dt.date, basis: str, keep: dict[str, list[str]]
) -> dict[str, list[tuple[int, float, float]]]:
    """The cohort matrix straight from the files, written without the engine's SQL."""
    people = pl.read_parquet(folder / "customers.parquet").to_dicts()
    rows = pl.read_parquet(folder / "orders.parquet").to_dicts()
    kept = {
        p["customer_id"]: p
        for p in people
        if all((p.get(dim) or "Unknown") in members for dim, members in keep.items())
    }
    spent: dict[tuple[Any, dt.date], float] = defaultdict(float)
    for row in rows:
        if row["customer_id"] in kept:
            spent[(row["customer_id"], month(row["order_date"]))] += row["amount"]
    if basis == "signup":
        cohort_of = {cid: month(p["signup_date"]) for cid, p in kept.items()}
    else:
        cohort_of = {}
        for cid, m in spent:
            cohort_of[cid] = min(m, cohort_of.get(cid, m))
    last_data = month(max(r["order_date"] for r in rows))
    members: dict[dt.date, list[Any]] = defaultdict(list)
    for cid, cohort in cohort_of.items():
        if first <= cohort <= last:
            members[cohort].append(cid)
    matrix = {}
    for cohort, cids in members.items():
        line = []
        for k in range(months_between(cohort, last_data) + 1):
            at = dt.date(
                cohort.year + (cohort.month - 1 + k) // 12, (cohort.month - 1 + k) % 12 + 1, 1
            )
            active = [c for c in cids if (c, at) in spent]
            revenue = sum(spent[(c, at)] for c in active)
            line.append((len(active), len(active) / len(cids), revenue / len(cids)))
        matrix[cohort.isoformat()] = line
    return matrix


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("sample")
    generate(folder, customers=500, seed=5)
    with three_ways(folder) as ways:
        yield folder, ways


@pytest.mark.parametrize(
    ("basis", "keep"),
    [
        ("first_order", {}),
        ("signup", {}),
        ("first_order", {"region": ["East"], "segment": ["SMB", "Mid-Market"]}),
        ("signup", {"acquisition_channel": ["Paid search"]}),
    ],
)
def test_the_sample_equals_the_reference(
    sample: tuple[Path, tuple[Cockpit, ...]], basis: str, keep: dict[str, list[str]]
) -> None:
    folder, ways = sample
    answers = [w.cohorts("2024-03-01", "2025-06-30", filters=keep, basis=basis) for w in ways]
    assert answers[0] == answers[1] == answers[2]
    expected = reference(folder, dt.date(2024, 3, 1), dt.date(2025, 6, 1), basis, keep)
    assert len(expected) >= 5  # not a vacuous comparison
    got = _cells(answers[0])
    assert got.keys() == expected.keys()
    for cohort, line in got.items():
        assert flat(line) == pytest.approx(flat(expected[cohort])), cohort
