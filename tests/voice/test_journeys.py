"""Journeys and touchpoints worked by hand: NPS now and before, and what answering customers
did next; the prediction correlation checked against its formula."""

from __future__ import annotations

import statistics
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cxcore import Cockpit
from cxcore.voice.journeys import Outcomes, fix_first
from tests.factories import customer, nps, order, write_folder

START, END = "2025-04-01", "2025-06-30"  # P = Q2 2025, Q = Q1 2025
QD, PD = "2025-02-10", "2025-05-10"


def answer(
    rid: str, cid: str | None, day: str, score: int, journey: str | None, point: str
) -> dict[str, Any]:
    row = nps(rid, cid, day, score, touchpoint=point)
    return row | ({"journey": journey} if journey else {"journey": None})


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict:
    customers = [customer(f"c{i}") for i in range(1, 6)]
    answers = [
        # Q: billing 1 promoter, 2 detractors, 1 anonymous detractor (NPS (1 - 3)/4 = -50)
        answer("q1", "c1", QD, 10, "billing", "app"),
        answer("q2", "c2", QD, 3, "billing", "phone"),
        answer("q3", "c3", QD, 5, "billing", "app"),
        answer("q4", None, QD, 0, "billing", "phone"),
        answer("q5", "c4", QD, 9, "support", "phone"),
        answer("q6", "c5", QD, 8, None, "app"),  # no journey: Unknown
        # P: billing 2 promoters, 1 detractor (NPS 33.3); support 1 passive (NPS 0)
        answer("p1", "c1", PD, 9, "billing", "app"),
        answer("p2", "c2", PD, 10, "billing", "app"),
        answer("p3", "c3", PD, 6, "billing", "phone"),
        answer("p4", "c4", PD, 7, "support", "phone"),
    ]
    orders = [
        order("o1", "c1", PD, 100),
        order("o2", "c3", PD, 50),
        order("o3", "c4", PD, 200),
        order("o4", "c2", QD, 999),  # in Q only: c2 did not come back
    ]
    folder = write_folder(
        tmp_path_factory.mktemp("journeys"),
        customers=customers,
        orders=orders,
        nps_responses=answers,
    )
    with Cockpit.open(folder) as cockpit:
        return cockpit.journeys(START, END)


def by_member(result: dict, attribute: str) -> dict[str, dict]:
    return {m["member"]: m for m in result[attribute]["members"]}


def test_nps_now_and_before_per_journey(result: dict) -> None:
    billing = by_member(result, "journey")["billing"]
    assert (billing["responses"], billing["previous_responses"]) == (3, 4)
    assert billing["nps"] == pytest.approx(100 / 3)  # (2 - 1) / 3
    assert billing["previous_nps"] == pytest.approx(-50.0)  # (1 - 3) / 4
    assert billing["change"] == pytest.approx(100 / 3 + 50)
    assert billing["significance"]["words"] == "too few responses (n = 3)"
    assert list(by_member(result, "journey")) == ["billing", "support", "Unknown"]


def test_what_the_answering_customers_did_next(result: dict) -> None:
    nxt = by_member(result, "journey")["billing"]["next_period"]
    # Q's billing answers with a customer: c1 promoter (bought 100), c2 detractor (nothing),
    # c3 detractor (bought 50); the anonymous answer has nobody to follow.
    assert nxt["answers"] == 3
    assert nxt["retention_rate"] == pytest.approx(2 / 3)
    assert nxt["revenue_per_customer"] == pytest.approx(50.0)
    assert (nxt["promoter_retention"], nxt["detractor_retention"]) == (1.0, 0.5)
    assert nxt["retention_spread"] == 0.5
    support = by_member(result, "journey")["support"]["next_period"]
    assert support["detractor_retention"] is None and support["retention_spread"] is None


def test_touchpoints_side_by_side(result: dict) -> None:
    points = by_member(result, "touchpoint")
    # P: app answers p1 9, p2 10 (NPS 100); phone p3 6, p4 7 (NPS -50)
    assert points["app"]["nps"] == 100.0 and points["phone"]["nps"] == -50.0
    # Q: app q1 10, q3 5, q6 8 (NPS 0); phone q2 3, q4 0, q5 9 (NPS -33.3)
    assert points["app"]["previous_nps"] == 0.0
    assert points["phone"]["previous_nps"] == pytest.approx(-100 / 3)
    assert points["phone"]["next_period"]["answers"] == 2  # q2 and q5 have customers
    assert result["journey"]["prediction"]["retention"] is None  # 5 answers: too few


def test_the_prediction_is_the_correlation_of_member_nps_with_the_outcome(tmp_path: Path) -> None:
    customers, answers, orders = [], [], []
    for i in range(40):  # "bad" journey: 2 in 3 detractors, who rarely come back
        cid, journey = f"c{i}", "bad" if i % 2 else "good"
        score = (2 if i % 3 else 10) if journey == "bad" else (10 if i % 4 else 7)
        customers.append(customer(cid))
        answers.append(answer(f"a{i}", cid, QD, score, journey, "app" if i % 5 else "web"))
        if journey == "good" or i % 3 == 0:
            orders.append(order(f"o{i}", cid, PD, 10 + i))
    folder = write_folder(tmp_path, customers=customers, orders=orders, nps_responses=answers)
    with Cockpit.open(folder) as cockpit:
        found = cockpit.journeys(START, END)

    def expected(attribute: str, outcome: str) -> float:
        groups: dict[str, list[int]] = {}
        for row in answers:
            groups.setdefault(row[attribute], []).append(row["score"])
        nps = {
            k: 100 * (sum(s >= 9 for s in v) - sum(s <= 6 for s in v)) / len(v)
            for k, v in groups.items()
        }
        bought = {o["customer_id"]: o["amount"] for o in orders}
        x = [nps[row[attribute]] for row in answers]
        if outcome == "retention":
            y = [float(row["customer_id"] in bought) for row in answers]
        else:
            y = [bought.get(row["customer_id"], 0.0) for row in answers]
        return statistics.correlation(x, y)

    for attribute in ("journey", "touchpoint"):
        for outcome in ("retention", "revenue"):
            got = found[attribute]["prediction"][outcome]
            assert got == pytest.approx(expected(attribute, outcome)), (attribute, outcome)
    assert (
        found["journey"]["prediction"]["retention"] > found["touchpoint"]["prediction"]["retention"]
    )


def test_fix_first_is_the_lowest_nps_with_enough_answers() -> None:
    members: list[dict[str, Any]] = [
        {"member": "a", "nps": -40.0, "responses": 12},  # too few to judge
        {"member": "b", "nps": 5.0, "responses": 80},
        {"member": "c", "nps": 12.0, "responses": 300},
        {"member": "d", "nps": None, "responses": 0},
    ]
    first = fix_first(members)
    assert first is not None and first["member"] == "b"
    assert fix_first(members[:1]) is None


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        ({}, {"journey": False, "touchpoint": False}),  # answers without either column
        ({"touchpoint": "app"}, {"journey": False, "touchpoint": True}),
        ({"journey": "billing"}, {"journey": True, "touchpoint": False}),
    ],
)
def test_answers_without_a_journey_or_touchpoint_column_get_none_for_it(
    tmp_path: Path, columns: dict[str, str], expected: dict[str, bool]
) -> None:
    """A survey export may lack either column: that attribute is None, the other is told."""
    answers = [nps(f"q{i}", "c1", QD, 10, **columns) for i in range(3)]
    folder = write_folder(
        tmp_path,
        customers=[customer("c1")],
        orders=[order("o1", "c1", PD, 100)],
        nps_responses=answers,
    )
    with Cockpit.open(folder) as cockpit:
        found = cockpit.journeys(START, END)
    for attribute, told in expected.items():
        assert (found[attribute] is not None) is told, attribute
        if told:
            [member] = found[attribute]["members"]
            assert member["previous_responses"] == 3
            assert member["next_period"]["retention_rate"] == 1.0
            assert member["next_period"]["revenue_per_customer"] == 100.0


def test_the_answers_revenue_is_converted_to_floats_once_for_every_attribute() -> None:
    answers = Outcomes.from_columns(["p", "d"], [True, False], [Decimal("10.25"), 0])
    first = answers.revenue_as_float
    assert first.tolist() == [10.25, 0.0]
    assert answers.revenue_as_float is first
    assert answers.where(answers.bought).revenue_as_float.tolist() == [10.25]
