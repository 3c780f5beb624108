"""Attribution, filters and breakdowns, worked out by hand on a tiny world.

These pin the rules that decide which rows a view sees: Unknown for rows
without a known customer, the region of anonymous web sessions, spend carrying
its own segment and region, and further customer columns acting as dimensions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.factories import (
    KPI_NAMES,
    active_filters,
    check,
    contact,
    customer,
    entries,
    kpis,
    nps,
    order,
    session,
    spend,
    write_folder,
)

# P = February 2025, a whole month, so Q = January 2025.
START, END = "2025-02-01", "2025-02-28"


@pytest.fixture
def world(tmp_path: Path) -> Path:
    """Customers with a `tier` column, an order by a customer absent from customers
    ("ghost"), anonymous NPS, contacts and sessions, one of them with a region."""
    return write_folder(
        tmp_path / "world",
        customers=[
            customer("c1", "SMB", "North", tier="Gold"),
            customer("c2", "SMB", "South", tier="Silver"),
            customer("c3", "Ent", "North", tier="Gold"),
            customer("c4", "Mid", "East", tier="Silver"),  # only an order in 2020
        ],
        orders=[
            order("o1", "c1", "2025-02-03", 100, "A"),
            order("o2", "c2", "2025-02-05", 50, "B"),
            order("o3", "c3", "2025-02-10", 200, "A"),
            order("o4", "ghost", "2025-02-12", 30, "A"),
            order("o5", "c2", "2025-02-20", -20, "B"),
            order("o6", "c1", "2025-01-05", 80, "A"),  # Q
            order("o7", "c3", "2025-01-15", 40, "B"),  # Q
            order("o8", "ghost", "2025-01-20", 10, "A"),  # Q
            order("o9", "c4", "2020-01-01", 999, "A"),  # neither P nor Q
        ],
        nps_responses=[
            nps("r1", "c1", "2025-02-02", 10),
            nps("r2", None, "2025-02-03", 0),
            nps("r3", "ghost", "2025-02-04", 9),
        ],
        web_sessions=[
            session("s1", "c1", "2025-02-02", 2, 60, True),
            session("s2", None, "2025-02-03", 1, 5, False, region="North"),
            session("s3", None, "2025-02-04", 3, 100, False),
            # a known customer's region comes from customers, not from the session
            session("s4", "c2", "2025-02-05", 1, 10, False, region="North"),
        ],
        service_contacts=[
            contact("k1", None, "2025-02-06", 5),
            contact("k2", "c3", "2025-02-07", 7),
        ],
    )


# P revenue: SMB 100 + 50 - 20 = 130, Ent 200, Unknown (ghost) 30: total 360.
# Q revenue: SMB 80, Ent 40, Unknown 10: total 130. No NPS, sessions or contacts in Q.
FILTER_CASES: list[tuple[dict[str, list[str]], dict[str, tuple[Any, Any]]]] = [
    (
        {},
        {
            "revenue": (360.0, 130.0),
            "active_customers": (4, 3),  # c1 c2 c3 ghost ; c1 c3 ghost
            "nps_responses": (3, 0),
            "nps": (100 * (2 - 1) / 3, None),  # 10, 9 promoters, 0 detractor
            "sessions": (4, 0),
            "contacts": (2, 0),
            "service_cost": (12.0, 0.0),
        },
    ),
    (
        {"segment": ["SMB"]},
        {
            "revenue": (130.0, 80.0),
            "active_customers": (2, 1),
            "nps_responses": (1, 0),  # r1
            "sessions": (2, 0),  # s1, s4
            "contacts": (0, 0),
        },
    ),
    (
        {"segment": ["Ent"]},
        {
            "revenue": (200.0, 40.0),
            "service_cost": (7.0, 0.0),
            "cost_to_serve": (7.0, 0.0),  # 7 / 1 (c3) ; 0 / 1
            "nps_responses": (0, 0),
        },
    ),
    (
        {"segment": ["Unknown"]},
        {
            "revenue": (30.0, 10.0),
            "active_customers": (1, 1),  # ghost
            "nps_responses": (2, 0),  # r2 (no customer), r3 (ghost)
            "nps": (0.0, None),  # one 9, one 0
            "sessions": (2, 0),  # s2, s3
            "service_cost": (5.0, 0.0),  # k1
            "cost_to_serve": (5.0, 0.0),  # 5 / 1 ; 0 / 1
        },
    ),
    (
        {"segment": ["SMB", "Unknown"]},
        {"revenue": (160.0, 90.0), "active_customers": (3, 2), "sessions": (4, 0)},
    ),
    (
        {"region": ["North"]},
        {
            "revenue": (300.0, 120.0),  # c1 + c3
            "active_customers": (2, 2),
            "sessions": (2, 0),  # s1, and anonymous s2 with region North (not s4)
            "nps_responses": (1, 0),
            "contacts": (1, 0),  # k2
        },
    ),
    (
        {"region": ["South"]},
        {
            "revenue": (30.0, 0.0),
            "revenue_growth": (None, None),
            "retention_rate": (None, None),  # nobody in the South bought in Q
            "sessions": (1, 0),  # s4
        },
    ),
    (
        {"region": ["Unknown"]},
        {"revenue": (30.0, 10.0), "nps_responses": (2, 0), "sessions": (1, 0), "contacts": (1, 0)},
    ),
    (
        {"segment": ["SMB"], "region": ["North"]},
        {"revenue": (100.0, 80.0), "active_customers": (1, 1), "sessions": (1, 0)},
    ),
    (
        {"segment": ["Unknown"], "region": ["North"]},
        {"revenue": (0.0, 0.0), "active_customers": (0, 0), "sessions": (1, 0)},  # s2
    ),
    (
        {"tier": ["Gold"]},
        {
            "revenue": (300.0, 120.0),
            "active_customers": (2, 2),
            "sessions": (1, 0),  # s1; anonymous s2 has no tier
            "nps_responses": (1, 0),
        },
    ),
    (
        {"tier": ["Unknown"]},
        {"revenue": (30.0, 10.0), "sessions": (2, 0), "nps_responses": (2, 0), "contacts": (1, 0)},
    ),
    (
        {"segment": ["Mid"]},  # a member whose rows all lie outside P and Q
        {
            "revenue": (0.0, 0.0),
            "active_customers": (0, 0),
            "revenue_per_customer": (None, None),
            "sessions": (0, 0),
        },
    ),
]


@pytest.mark.parametrize(("filters", "expected"), FILTER_CASES, ids=str)
def test_filters(world: Path, filters: dict[str, list[str]], expected: dict[str, Any]) -> None:
    result = kpis(world, START, END, filters=filters)
    assert active_filters(result) == filters
    for name, (value, previous) in expected.items():
        check(result["kpis"], name, value, previous)


# by -> {member tuple: (revenue P, revenue Q, sessions P)}; members with no row in P or Q
# (Mid, East) get no entry, Unknown does.
BREAKDOWN_CASES: list[tuple[list[str], dict[tuple[str, ...], tuple[float, float, int]]]] = [
    (
        ["segment"],
        {("SMB",): (130, 80, 2), ("Ent",): (200, 40, 0), ("Unknown",): (30, 10, 2)},
    ),
    (
        ["region"],
        {("North",): (300, 120, 2), ("South",): (30, 0, 1), ("Unknown",): (30, 10, 1)},
    ),
    (
        ["tier"],
        {("Gold",): (300, 120, 1), ("Silver",): (30, 0, 1), ("Unknown",): (30, 10, 2)},
    ),
    (
        ["segment", "region"],
        {
            ("SMB", "North"): (100, 80, 1),
            ("SMB", "South"): (30, 0, 1),
            ("Ent", "North"): (200, 40, 0),
            ("Unknown", "Unknown"): (30, 10, 1),  # ghost, r2, r3, s3, k1
            ("Unknown", "North"): (0, 0, 1),  # only the anonymous session s2
        },
    ),
    (
        ["segment", "tier"],
        {
            ("SMB", "Gold"): (100, 80, 1),
            ("SMB", "Silver"): (30, 0, 1),
            ("Ent", "Gold"): (200, 40, 0),
            ("Unknown", "Unknown"): (30, 10, 2),
        },
    ),
]


@pytest.mark.parametrize(("by", "expected"), BREAKDOWN_CASES, ids=str)
def test_breakdown(
    world: Path, by: list[str], expected: dict[tuple[str, ...], tuple[float, float, int]]
) -> None:
    result = kpis(world, START, END, by=by)
    found = entries(result, by)
    assert len(found) == len(result["breakdown"]), "one entry per member"
    assert set(found) == set(expected)
    for members, (revenue, revenue_q, sessions) in expected.items():
        assert set(found[members]) == set(KPI_NAMES), members
        check(found[members], "revenue", revenue, revenue_q)
        check(found[members], "sessions", sessions, 0)
    check(result["kpis"], "revenue", 360.0, 130.0)  # the whole view stays alongside


def test_breakdown_under_a_filter(world: Path) -> None:
    result = kpis(world, START, END, filters={"segment": ["SMB"]}, by=["region"])
    found = entries(result, ["region"])
    assert set(found) == {("North",), ("South",)}  # Unknown rows are filtered out
    check(found[("North",)], "revenue", 100.0, 80.0)
    check(found[("South",)], "revenue", 30.0, 0.0)
    check(result["kpis"], "revenue", 130.0, 80.0)


@pytest.fixture
def acquisition(tmp_path: Path) -> Path:
    """New customers in P and Q, and spend tagged with its own segment and region."""
    return write_folder(
        tmp_path / "acq",
        customers=[
            customer("n1", "SMB", "North", signup="2025-02-03", tier="Gold"),
            customer("n2", "SMB", "South", signup="2025-02-10", tier="Silver"),
            customer("n3", "Ent", "North", signup="2025-02-20", tier="Gold"),
            customer("old", "SMB", "North", signup="2023-01-01", tier="Gold"),
            customer("q1", "Ent", "South", signup="2025-01-15", tier="Silver"),
        ],
        orders=[  # orders give every member below a row in P or Q, spend aside
            order("x1", "old", "2025-02-05", 100),
            order("x2", "n2", "2025-02-11", 10),
            order("x3", "n3", "2025-02-21", 10),
            order("x4", "q1", "2025-01-20", 10),  # Q
        ],
        marketing_spend=[
            spend("2025-02-01", 600, "SMB", "North"),
            spend("2025-02-15", 300, "Ent", "North"),
            spend("2025-02-20", 90),  # no segment or region: Unknown
            spend("2025-01-10", 200, "Ent", "South"),  # Q
            spend("2024-12-15", 1000, "SMB", "North"),  # neither P nor Q
        ],
    )


# filters -> cac (P, Q), new_customers (P, Q). P spend: SMB/North 600, Ent/North 300,
# Unknown 90; Q spend: Ent/South 200. New in P: n1 SMB/North, n2 SMB/South, n3 Ent/North;
# new in Q: q1 Ent/South.
CAC_CASES: list[tuple[dict[str, list[str]], tuple[Any, Any], tuple[int, int]]] = [
    ({}, (990 / 3, 200 / 1), (3, 1)),
    ({"segment": ["SMB"]}, (600 / 2, None), (2, 0)),  # Q: 0 spend / 0 new
    ({"segment": ["Ent"]}, (300 / 1, 200 / 1), (1, 1)),
    ({"region": ["North"]}, (900 / 2, None), (2, 0)),
    ({"region": ["South"]}, (0.0, 200 / 1), (1, 1)),  # no South spend in P
    ({"segment": ["SMB"], "region": ["North"]}, (600 / 1, None), (1, 0)),
    ({"segment": ["Unknown"]}, (None, None), (0, 0)),  # 90 spend but no new customer
    ({"tier": ["Gold"]}, (None, None), (2, 0)),  # spend has no tier
    ({"tier": ["Gold"], "segment": ["SMB"]}, (None, None), (1, 0)),
]


@pytest.mark.parametrize(("filters", "cac", "new"), CAC_CASES, ids=str)
def test_cac_attribution_under_filters(
    acquisition: Path,
    filters: dict[str, list[str]],
    cac: tuple[Any, Any],
    new: tuple[int, int],
) -> None:
    result = kpis(acquisition, START, END, filters=filters)["kpis"]
    check(result, "cac", *cac)
    check(result, "new_customers", *new)


def test_cac_breakdown_by_spend_dimensions(acquisition: Path) -> None:
    by_segment = entries(kpis(acquisition, START, END, by=["segment"]), ["segment"])
    check(by_segment[("SMB",)], "cac", 600 / 2, None)
    check(by_segment[("Ent",)], "cac", 300 / 1, 200 / 1)
    by_region = entries(kpis(acquisition, START, END, by=["region"]), ["region"])
    check(by_region[("North",)], "cac", 900 / 2, None)
    check(by_region[("South",)], "cac", 0.0, 200 / 1)
    pairs = entries(kpis(acquisition, START, END, by=["segment", "region"]), ["segment", "region"])
    check(pairs[("SMB", "North")], "cac", 600 / 1, None)  # n1 ; nobody new in Q


@pytest.mark.parametrize("by", [["tier"], ["segment", "tier"], ["tier", "region"]], ids=str)
def test_cac_null_in_breakdown_on_other_dimension(acquisition: Path, by: list[str]) -> None:
    found = entries(kpis(acquisition, START, END, by=by), by)
    assert found
    for members, entry in found.items():
        check(entry, "cac", None, None)
        assert entry["new_customers"]["value"] is not None, members
    gold = [entry for members, entry in found.items() if "Gold" in members]
    assert sum(entry["new_customers"]["value"] for entry in gold) == 2  # n1, n3
