"""Every KPI of the KPI spec on a fixture small enough to recompute on paper.

The expectations are written out, with their arithmetic in comments, instead of
being computed by a second implementation: a reviewer can check each number
against the definitions without trusting any code.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from tests.factories import (
    KPI_NAMES,
    check,
    contact,
    customer,
    kpis,
    nps,
    order,
    session,
    spend,
    write_folder,
)
from tests.reference_kpis import NPS_KPIS, SERVICE_KPIS, WEB_KPIS

# P = 2025-01-21..2025-01-30 (10 days, not a whole month), so
# Q = 2025-01-11..2025-01-20 and the window before Q is R = 2025-01-01..2025-01-10.
START, END = "2025-01-21", "2025-01-30"


def shop_tables() -> dict[str, list[dict[str, Any]]]:
    """All six tables, with rows in R, Q, P and just outside them."""
    return {
        "customers": [
            customer("c1", "SMB", "North"),
            customer("c2", "SMB", "South"),
            customer("c3", "Ent", "North"),
            customer("c4", "Ent", "South", signup="2025-01-15"),  # new in Q
            customer("c5", "SMB", "North", signup="2025-01-25"),  # new in P
            customer("c6", "SMB", "North", signup="2025-01-28"),  # new in P, never orders
        ],
        "orders": [
            order("o1", "c1", "2025-01-03", 50, "A"),  # R
            order("o2", "c3", "2025-01-08", 30, "B"),  # R
            order("o3", "c1", "2025-01-12", 100, "A"),  # Q
            order("o4", "c2", "2025-01-14", 60, "A"),  # Q
            order("o5", "c2", "2025-01-20", 20, "B"),  # Q (last day)
            order("o6", "c4", "2025-01-16", 80, "C"),  # Q
            order("o7", "c1", "2025-01-21", 150, "A"),  # P (first day)
            order("o8", "c1", "2025-01-30", 30, "B"),  # P (last day)
            order("o9", "c2", "2025-01-25", -20, "A"),  # P: c2's only P order is a refund
            order("o10", "c3", "2025-01-26", 70, "C"),  # P
            order("o11", "c5", "2025-01-27", 40, "A"),  # P
            order("o12", "c5", "2025-01-27", 10, "B"),  # P
            order("o13", "c5", "2025-01-29", 5, "C"),  # P
            order("o14", "c3", "2024-12-31", 999, "A"),  # before R
            order("o15", "c1", "2025-01-31", 500, "A"),  # after P
        ],
        "marketing_spend": [
            spend("2025-01-22", 300, "SMB", "North"),  # P
            spend("2025-01-29", 100, "Ent", "South"),  # P
            spend("2025-01-12", 90, "SMB", "North"),  # Q
            spend("2025-01-31", 5000, "SMB", "North"),  # after P
        ],
        "service_contacts": [
            contact("k1", "c1", "2025-01-21", 10, resolved=True, sla=True),  # P
            contact("k2", "c3", "2025-01-25", 6, resolved=False, sla=True),  # P
            contact("k3", None, "2025-01-30", 4, sla=False),  # P, anonymous, fcr unknown
            contact("k4", "c2", "2025-01-15", 9, resolved=True, sla=True),  # Q
            contact("k5", "c1", "2025-01-31", 100, resolved=False, sla=False),  # after P
        ],
        "nps_responses": [
            nps("r1", "c1", "2025-01-21", 10),
            nps("r2", "c2", "2025-01-22", 9),
            nps("r3", "c3", "2025-01-23", 9),
            nps("r4", None, "2025-01-24", 8),
            nps("r5", "c5", "2025-01-28", 5),
            nps("r6", None, "2025-01-30", 0),
            nps("r7", "c4", "2025-01-18", 10),  # Q
            nps("r8", "c1", "2025-01-31", 0),  # after P
        ],
        "web_sessions": [
            session("s1", "c1", "2025-01-21", 1, 30, False),
            session("s2", "c2", "2025-01-24", 4, 200, True),
            session("s3", None, "2025-01-26", 2, 70, False, region="North"),
            session("s4", None, "2025-01-30", 1, 0, False),
            session("s5", "c4", "2025-01-13", 5, 90, True),  # Q
            session("s6", "c1", "2025-01-19", 1, 10, True),  # Q
            session("s7", "c1", "2025-01-31", 9, 999, True),  # after P
        ],
    }


# Revenue: P = 150 + 30 - 20 + 70 + 40 + 10 + 5 = 285; Q = 100 + 60 + 20 + 80 = 260;
# R = 50 + 30 = 80. A(P) = {c1, c2, c3, c5}, A(Q) = {c1, c2, c4}, A(R) = {c1, c3}.
# rev_c(P): c1 180, c2 -20, c3 70, c5 55; rev_c(Q): c1 100, c2 80, c4 80; rev_c(R): c1 50, c3 30.
# NPS in P: scores 10, 9, 9 (promoters), 8 (passive), 5, 0 (detractors); n = 6.
EXPECTED: dict[str, tuple[float | None, float | None]] = {
    "revenue": (285.0, 260.0),
    # (285 - 260) / 260 ; previous compares Q with R: (260 - 80) / 80 = 2.25
    "revenue_growth": (25 / 260, 2.25),
    "active_customers": (4, 3),
    "revenue_per_customer": (285 / 4, 260 / 3),  # 71.25 ; 86.67
    # |{c1, c2}| / |A(Q)| = 2/3 ; |A(R) ∩ A(Q)| / |A(R)| = |{c1}| / 2
    "retention_rate": (2 / 3, 0.5),
    "churn_rate": (1 / 3, 0.5),
    # over A(Q): (180 - 20 + 0) / (100 + 80 + 80) = 160 / 260 ; over A(R): (100 + 0) / (50 + 30)
    "net_revenue_retention": (160 / 260, 1.25),
    # c1: max(0, 180 - 100) = 80, c2: max(0, -20 - 80) = 0 ; previous c1: 100 - 50 = 50
    "expansion_revenue": (80.0, 50.0),
    # P categories c1 {A,B}, c2 {A} (its refund), c3 {C}, c5 {A,B,C}: (2+1+1+3)/4 ;
    # Q: c1 {A}, c2 {A,B}, c4 {C}: (1+2+1)/3
    # orders: amount > 0, so c2's refund o9 is none. P: o7, o8, o10, o11, o12, o13 ; Q: o3-o6
    "orders": (6, 4),
    # (150 + 30 + 70 + 40 + 10 + 5) / 6 ; (100 + 60 + 20 + 80) / 4
    "average_order_value": (305 / 6, 260 / 4),
    "purchase_frequency": (6 / 4, 4 / 3),  # over 4 and 3 active customers
    # over A(Q): c1 min(180, 100) = 100, c2 max(0, min(-20, 80)) = 0, c4 absent from P: 0 ;
    # over A(R): c1 min(100, 50) = 50, c3 absent from Q: 0
    "gross_revenue_retention": (100 / 260, 50 / 80),
    "cross_sell_ratio": (7 / 4, 4 / 3),
    "multi_category_share": (2 / 4, 1 / 3),  # c1, c5 of 4 ; c2 of 3
    "new_customers": (2, 1),  # c5, c6 ; c4
    "cac": (400 / 2, 90 / 1),  # (300 + 100) / 2 ; 90 / 1
    "service_cost": (20.0, 9.0),  # 10 + 6 + 4 ; 9
    "contacts": (3, 1),
    "cost_per_contact": (20 / 3, 9.0),
    "cost_to_serve": (20 / 4, 9 / 3),  # over 4 and 3 active customers
    "first_contact_resolution": (1 / 2, 1.0),  # k3 is null: 1 of {k1, k2}
    "sla_compliance": (2 / 3, 1.0),  # k1, k2 of {k1, k2, k3}
    "nps": (100 * (3 - 2) / 6, 100.0),  # Q: one response scoring 10
    "nps_responses": (6, 1),
    "promoters_share": (3 / 6, 1.0),
    "passives_share": (1 / 6, 0.0),
    "detractors_share": (2 / 6, 0.0),
    # p = 1/2, d = 1/3: p + d - (p - d)^2 = 5/6 - 1/36 = 29/36 ; Q has n = 1 < 2
    "nps_margin_of_error": (100 * 1.96 * math.sqrt((29 / 36) / 6), None),
    "sessions": (4, 2),
    "pages_per_session": (8 / 4, 6 / 2),  # (1+4+2+1)/4 ; (5+1)/2
    "avg_time_on_site_s": (300 / 4, 100 / 2),  # (30+200+70+0)/4 ; (90+10)/2
    "conversion_rate": (1 / 4, 1.0),  # s2 ; s5, s6
    "bounce_rate": (2 / 4, 1 / 2),  # s1, s4 ; s6
}


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "shop", fmt="parquet", **shop_tables())


def test_expectation_table_names_every_kpi() -> None:
    """Guards the table below against silently skipping a KPI."""
    assert set(EXPECTED) == set(KPI_NAMES)


def test_result_holds_every_kpi_with_value_and_previous(shop: Path) -> None:
    result = kpis(shop, START, END)
    assert set(result["kpis"]) == set(KPI_NAMES)
    for name in KPI_NAMES:
        assert set(result["kpis"][name]) >= {"value", "previous"}, name
    assert "breakdown" not in result


@pytest.mark.parametrize(("name", "value", "previous"), [(k, *v) for k, v in EXPECTED.items()])
def test_kpi_by_hand(shop: Path, name: str, value: float | None, previous: float | None) -> None:
    check(kpis(shop, START, END)["kpis"], name, value, previous)


def test_churn_is_one_minus_retention(shop: Path) -> None:
    result = kpis(shop, START, END)["kpis"]
    for side in ("value", "previous"):
        retention = result["retention_rate"][side]
        assert result["churn_rate"][side] == pytest.approx(1 - retention)


@pytest.mark.parametrize(
    ("missing", "unavailable"),
    [
        ("service_contacts", SERVICE_KPIS),
        ("nps_responses", NPS_KPIS),
        ("web_sessions", WEB_KPIS),
        ("marketing_spend", ("cac",)),
    ],
)
def test_missing_optional_table_nulls_only_its_kpis(
    tmp_path: Path, missing: str, unavailable: tuple[str, ...]
) -> None:
    """A missing export must blank its own KPIs without taking the page down."""
    tables = shop_tables()
    del tables[missing]
    result = kpis(write_folder(tmp_path / "shop", fmt="parquet", **tables), START, END)["kpis"]
    assert set(result) == set(KPI_NAMES)
    for name in KPI_NAMES:
        if name in unavailable:
            check(result, name, None, None)
        else:
            check(result, name, *EXPECTED[name])


def test_only_required_tables(tmp_path: Path) -> None:
    tables = shop_tables()
    folder = write_folder(tmp_path / "shop", customers=tables["customers"], orders=tables["orders"])
    result = kpis(folder, START, END)["kpis"]
    for name in (*SERVICE_KPIS, *NPS_KPIS, *WEB_KPIS, "cac"):
        check(result, name, None, None)
    for name in ("revenue", "retention_rate", "new_customers", "expansion_revenue"):
        check(result, name, *EXPECTED[name])


# One customer, new in P, with a single order in P; every optional table has rows, but
# only on 2024-06-01, far outside P, Q and R.
QUIET: dict[str, tuple[float | None, float | None]] = {
    "revenue": (100.0, 0.0),
    "revenue_growth": (None, None),  # revenue(Q) = 0 ; revenue(R) = 0
    "active_customers": (1, 0),
    "revenue_per_customer": (100.0, None),  # 100 / 1 ; 0 / 0
    "retention_rate": (None, None),  # A(Q) and A(R) are empty
    "churn_rate": (None, None),
    "net_revenue_retention": (None, None),  # sums over an empty A(Q) are 0
    "expansion_revenue": (0.0, 0.0),  # a sum over no customers is 0, not null
    "cross_sell_ratio": (1.0, None),
    "multi_category_share": (0.0, None),
    "orders": (1, 0),
    "average_order_value": (100.0, None),  # 100 / 1 ; no orders in Q
    "purchase_frequency": (1.0, None),  # 1 order / 1 active ; 0 / 0
    "gross_revenue_retention": (None, None),  # A(Q) is empty: 0 / 0
    "new_customers": (1, 0),
    "cac": (0.0, None),  # 0 spend / 1 new ; 0 / 0
    "service_cost": (0.0, 0.0),
    "contacts": (0, 0),
    "cost_per_contact": (None, None),
    "cost_to_serve": (0.0, None),  # 0 / 1 active ; 0 / 0 active
    "first_contact_resolution": (None, None),
    "sla_compliance": (None, None),
    "nps": (None, None),
    "nps_responses": (0, 0),
    "promoters_share": (None, None),
    "passives_share": (None, None),
    "detractors_share": (None, None),
    "nps_margin_of_error": (None, None),
    "sessions": (0, 0),
    "pages_per_session": (None, None),
    "avg_time_on_site_s": (None, None),
    "conversion_rate": (None, None),
    "bounce_rate": (None, None),
}


@pytest.mark.parametrize(("name", "value", "previous"), [(k, *v) for k, v in QUIET.items()])
def test_tables_without_rows_in_the_period(
    tmp_path: Path, name: str, value: float | None, previous: float | None
) -> None:
    """Counts and sums over no rows are 0; only ratios with a zero denominator are null."""
    far = "2024-06-01"
    folder = write_folder(
        tmp_path / "quiet",
        customers=[customer("c1", signup="2025-01-25")],
        orders=[order("o1", "c1", "2025-01-22", 100)],
        marketing_spend=[spend(far, 50, "SMB", "North")],
        service_contacts=[contact("k1", "c1", far, 5, resolved=True, sla=True)],
        nps_responses=[nps("r1", "c1", far, 9)],
        web_sessions=[session("s1", "c1", far, 1, 10, True)],
    )
    check(kpis(folder, START, END)["kpis"], name, value, previous)


def test_revenue_growth_null_when_comparison_revenue_nets_to_zero(tmp_path: Path) -> None:
    """Q has orders, but a refund cancels them: the growth ratio has no base."""
    folder = write_folder(
        tmp_path / "net0",
        customers=[customer("c1")],
        orders=[
            order("o1", "c1", "2025-01-12", 50),  # Q
            order("o2", "c1", "2025-01-18", -50),  # Q: revenue(Q) = 0
            order("o3", "c1", "2025-01-25", 30),  # P
        ],
    )
    result = kpis(folder, START, END)["kpis"]
    check(result, "revenue", 30.0, 0.0)
    check(result, "revenue_growth", None, None)  # 30 / 0 ; R is empty too
    check(result, "active_customers", 1, 1)  # a zero-sum Q still makes c1 active
    check(result, "retention_rate", 1.0, None)  # c1 kept ; A(R) empty
    check(result, "net_revenue_retention", None, None)  # 30 / (50 - 50)
    check(result, "expansion_revenue", 30.0, 0.0)  # max(0, 30 - 0) ; A(R) empty


def test_refund_only_customer_is_active(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "refund",
        customers=[customer("c1"), customer("c2")],
        orders=[order("o1", "c1", "2025-01-22", 100), order("o2", "c2", "2025-01-23", -30)],
    )
    result = kpis(folder, START, END)["kpis"]
    check(result, "revenue", 70.0, 0.0)  # 100 - 30
    check(result, "active_customers", 2, 0)
    check(result, "revenue_per_customer", 35.0, None)  # 70 / 2
    check(result, "cross_sell_ratio", 1.0, None)  # one category each


def test_orders_and_gross_retention_with_refunds(tmp_path: Path) -> None:
    """Refunds are no orders; gross retention caps each customer at the comparison spend and
    never lets one below zero, whether by a refund only or by shrinking past nothing."""
    folder = write_folder(
        tmp_path / "refunds",
        customers=[customer(f"c{i}") for i in range(1, 7)],
        orders=[
            order("o1", "c1", "2025-01-12", 100),  # Q
            order("o2", "c1", "2025-01-22", 60),  # P
            order("o3", "c1", "2025-01-23", -10),  # P: c1 spends 50 in P
            order("o4", "c2", "2025-01-13", 40),  # Q
            order("o5", "c2", "2025-01-24", -30),  # P: c2's only P row is a refund
            order("o6", "c3", "2025-01-14", 80),  # Q
            order("o7", "c3", "2025-01-25", 20),  # P
            order("o8", "c3", "2025-01-26", -50),  # P: c3 shrinks below zero, to -30
            order("o9", "c4", "2025-01-15", -20),  # Q: c4's only Q row is a refund
            order("o10", "c4", "2025-01-27", 10),  # P
            order("o11", "c5", "2025-01-28", 0),  # P: zero amount, no order
            order("o12", "c5", "2025-01-29", 25),  # P
            order("o13", "c6", "2025-01-30", -5),  # P: refund only, nothing in Q
        ],
    )
    result = kpis(folder, START, END)["kpis"]
    check(result, "orders", 4, 3)  # o2, o7, o10, o12 ; o1, o4, o6
    check(result, "average_order_value", (60 + 20 + 10 + 25) / 4, (100 + 40 + 80) / 3)
    # every customer with a row is active, refunds and zeros included: 6 in P ; c1-c4 in Q
    check(result, "purchase_frequency", 4 / 6, 3 / 4)
    # A(Q) = {c1, c2, c3, c4}, rev_c(Q) = 100 + 40 + 80 - 20 = 200; kept: c1 min(50, 100) = 50,
    # c2 max(0, min(-30, 40)) = 0, c3 max(0, min(-30, 80)) = 0, c4 max(0, min(10, -20)) = 0.
    # previous: A(R) is empty, so 0 / 0
    check(result, "gross_revenue_retention", 50 / 200, None)
    # net retention over the same customers lets the shrinking ones subtract: (50-30-30+10)/200
    check(result, "net_revenue_retention", 0.0, None)


def test_cost_to_serve_null_without_active_customers(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "idle",
        customers=[customer("c1")],
        orders=[order("o1", "c1", "2025-01-15", 10)],  # Q only
        service_contacts=[contact("k1", "c1", "2025-01-24", 8, resolved=True, sla=False)],
    )
    result = kpis(folder, START, END)["kpis"]
    check(result, "service_cost", 8.0, 0.0)
    check(result, "contacts", 1, 0)
    check(result, "cost_per_contact", 8.0, None)
    check(result, "cost_to_serve", None, 0.0)  # 8 / 0 active ; 0 / 1 active in Q
    check(result, "first_contact_resolution", 1.0, None)
    check(result, "sla_compliance", 0.0, None)


# scores in P -> nps, promoters, passives, detractors, margin of error
NPS_CASES = [
    ([10], 100.0, 1.0, 0.0, 0.0, None),  # n = 1 < 2
    # p = d = 1/2: p + d - 0 = 1, so sqrt(1 / 2)
    ([10, 0], 0.0, 0.5, 0.0, 0.5, 196 * math.sqrt(1 / 2)),
    ([9, 9], 100.0, 1.0, 0.0, 0.0, 0.0),  # p = 1, d = 0: 1 - 1 = 0
    # p = 0, d = 1/3: 1/3 - 1/9 = 2/9, over n = 3
    ([7, 8, 6], -100 / 3, 0.0, 2 / 3, 1 / 3, 196 * math.sqrt((2 / 9) / 3)),
    # bands 0-6 / 7-8 / 9-10 at their edges; p = d = 1/3: 2/3 / 6 = 1/9
    ([0, 6, 7, 8, 9, 10], 0.0, 1 / 3, 1 / 3, 1 / 3, 196 / 3),
]


@pytest.mark.parametrize(("scores", "score", "p", "passive", "det", "moe"), NPS_CASES)
def test_nps_bands_and_margin(
    tmp_path: Path,
    scores: list[int],
    score: float,
    p: float,
    passive: float,
    det: float,
    moe: float | None,
) -> None:
    responses = [nps(f"r{i}", "c1", "2025-01-25", s) for i, s in enumerate(scores)]
    folder = write_folder(
        tmp_path / "nps",
        customers=[customer("c1")],
        orders=[order("o1", "c1", "2025-01-25", 1)],
        nps_responses=responses,
    )
    result = kpis(folder, START, END)["kpis"]
    check(result, "nps", score, None)  # no responses in Q
    check(result, "nps_responses", len(scores), 0)
    check(result, "promoters_share", p, None)
    check(result, "passives_share", passive, None)
    check(result, "detractors_share", det, None)
    check(result, "nps_margin_of_error", moe, None)


def test_third_window_follows_the_yoy_mode(tmp_path: Path) -> None:
    """In yoy, Q is P a year back and the window before Q is Q a year back.

    Decoy orders sit in the ten days before P and before Q, where a
    days-before reading would look; they must not count.
    """
    folder = write_folder(
        tmp_path / "yoy",
        customers=[customer("c1"), customer("c2"), customer("c3")],
        orders=[
            order("o1", "c1", "2023-01-25", 40),  # R = 2023-01-21..2023-01-30
            order("o2", "c1", "2024-01-22", 100),  # Q = 2024-01-21..2024-01-30
            order("o3", "c2", "2024-01-30", 50),  # Q
            order("o4", "c1", "2025-01-28", 120),  # P
            order("o5", "c3", "2024-01-15", 999),  # decoy: 10 days before Q
            order("o6", "c3", "2025-01-15", 777),  # decoy: 10 days before P
        ],
    )
    result = kpis(folder, START, END, compare="yoy")
    assert result["comparison"] == {"mode": "yoy", "start": "2024-01-21", "end": "2024-01-30"}
    got = result["kpis"]
    check(got, "revenue", 120.0, 150.0)
    check(got, "revenue_growth", (120 - 150) / 150, (150 - 40) / 40)  # -0.2 ; 2.75
    check(got, "retention_rate", 0.5, 1.0)  # {c1} of {c1, c2} ; {c1} of {c1}
    check(got, "churn_rate", 0.5, 0.0)
    check(got, "net_revenue_retention", 120 / 150, 100 / 40)  # (120 + 0) / (100 + 50) ; 2.5
    check(got, "expansion_revenue", 20.0, 60.0)  # 120 - 100 ; 100 - 40
