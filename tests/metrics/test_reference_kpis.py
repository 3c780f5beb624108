"""The reference KPI implementation on data small enough to check by hand.

The differential test trusts the reference to arbitrate disagreements with
the engine; these examples are what earns it that trust. Each expected
number can be recomputed with pen and paper from the rows above it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.factories import customer, d, order
from tests.reference_kpis import Period, comparison_period, compute
from tests.strategies import Case, cases

ADDITIVE_KPIS = (
    "revenue",
    "active_customers",
    "new_customers",
    "contacts",
    "service_cost",
    "nps_responses",
    "sessions",
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=cases())
def test_reference_breakdown_adds_up_to_the_whole(case: Case) -> None:
    """Every row belongs to exactly one member, so counts and sums must add up across members."""
    query = case.query
    result = compute(
        case.dataset.tables,
        query.start,
        query.end,
        query.compare,
        query.filters,
        query.by or ["segment"],
    )
    for name in ADDITIVE_KPIS:
        for part in ("value", "previous"):
            whole = result["kpis"][name][part]
            parts = [e["kpis"][name][part] for e in result["breakdown"]]
            if whole is None:
                assert all(p is None for p in parts)
            else:
                assert math.isclose(sum(parts), whole, abs_tol=1e-9), (name, part)
    for entry in [result, *result["breakdown"]]:
        retention, churn = entry["kpis"]["retention_rate"], entry["kpis"]["churn_rate"]
        assert (retention["value"] is None) == (churn["value"] is None)
        if retention["value"] is not None:
            assert math.isclose(retention["value"] + churn["value"], 1.0)


@pytest.mark.parametrize(
    ("start", "end", "mode", "want_start", "want_end"),
    [
        ("2025-07-01", "2025-09-30", "previous", "2025-04-01", "2025-06-30"),
        ("2024-03-01", "2024-03-31", "previous", "2024-02-01", "2024-02-29"),
        ("2024-01-01", "2024-12-31", "previous", "2023-01-01", "2023-12-31"),
        ("2024-03-10", "2024-03-19", "previous", "2024-02-29", "2024-03-09"),
        ("2024-02-01", "2024-02-28", "previous", "2024-01-04", "2024-01-31"),
        ("2024-02-29", "2024-03-31", "yoy", "2023-02-28", "2023-03-31"),
        ("2024-02-01", "2024-02-29", "yoy", "2023-02-01", "2023-02-28"),
    ],
)
def test_comparison_periods(
    start: str, end: str, mode: str, want_start: str, want_end: str
) -> None:
    assert comparison_period(Period(d(start), d(end)), mode) == Period(d(want_start), d(want_end))


def _kpi(result: Mapping[str, Any], name: str) -> tuple[Any, Any]:
    return result["kpis"][name]["value"], result["kpis"][name]["previous"]


def test_order_kpis_by_hand() -> None:
    tables = {
        "customers": [customer("a"), customer("b"), customer("c", signup="2024-03-05")],
        "orders": [
            order(1, "a", "2024-02-10", 100),
            order(2, "b", "2024-02-11", 50),
            order(3, "a", "2024-03-01", 150, "A"),
            order(4, "a", "2024-03-31", 20, "B"),
            order(5, "c", "2024-03-15", 30, "A"),
            order(6, "zz", "2024-01-20", 10),
        ],
    }
    result = compute(tables, d("2024-03-01"), d("2024-03-31"), "previous", {}, None)
    assert result["comparison"] == {"mode": "previous", "start": "2024-02-01", "end": "2024-02-29"}
    assert _kpi(result, "revenue") == (200.0, 150.0)
    assert _kpi(result, "revenue_growth") == (pytest.approx(50 / 150), pytest.approx(140 / 10))
    assert _kpi(result, "active_customers") == (2, 2)
    assert _kpi(result, "revenue_per_customer") == (100.0, 75.0)
    assert _kpi(result, "retention_rate") == (0.5, 0.0)
    assert _kpi(result, "churn_rate") == (0.5, 1.0)
    assert _kpi(result, "net_revenue_retention") == (pytest.approx(170 / 150), 0.0)
    assert _kpi(result, "expansion_revenue") == (70.0, 0.0)
    assert _kpi(result, "cross_sell_ratio") == (1.5, 1.0)
    assert _kpi(result, "multi_category_share") == (0.5, 0.0)
    assert _kpi(result, "new_customers") == (1, 0)
    # Optional tables are absent, so their KPIs are unavailable rather than zero.
    assert _kpi(result, "cac") == (None, None)
    assert _kpi(result, "nps") == (None, None)
    assert _kpi(result, "cost_to_serve") == (None, None)


def test_nps_and_margin_of_error_by_hand() -> None:
    tables = {
        "customers": [],
        "orders": [],
        "nps_responses": [
            {"response_id": i, "customer_id": None, "response_date": d("2024-05-02"), "score": s}
            for i, s in enumerate([10, 9, 8, 3, 0])
        ]
        + [{"response_id": 9, "customer_id": None, "response_date": d("2024-04-30"), "score": 9}],
    }
    result = compute(tables, d("2024-05-01"), d("2024-05-31"), "previous", {}, None)
    assert _kpi(result, "nps") == (0.0, 100.0)
    assert _kpi(result, "nps_responses") == (5, 1)
    assert _kpi(result, "promoters_share")[0] == pytest.approx(0.4)
    assert _kpi(result, "passives_share")[0] == pytest.approx(0.2)
    assert _kpi(result, "detractors_share")[0] == pytest.approx(0.4)
    # p = d = 0.4: sqrt((0.8 - 0) / 5) = 0.4, so 100 * 1.96 * 0.4; one response has no margin.
    assert _kpi(result, "nps_margin_of_error")[0] == pytest.approx(78.4)
    assert _kpi(result, "nps_margin_of_error")[1] is None
    assert _kpi(result, "revenue") == (0.0, 0.0)
    assert _kpi(result, "revenue_per_customer") == (None, None)


def test_service_and_web_kpis_count_late_timestamps_on_their_day() -> None:
    late = dt.datetime(2024, 2, 29, 23, 59, 59)
    tables: dict[str, list[dict[str, Any]]] = {
        "customers": [customer(1)],
        "orders": [order(1, 1, "2024-02-29", 10)],
        "service_contacts": [
            {
                "contact_id": 1,
                "customer_id": 1,
                "contact_date": late,
                "channel": "chat",
                "cost": 4.0,
                "resolved_first_contact": True,
                "within_sla": None,
            },
            {
                "contact_id": 2,
                "customer_id": None,
                "contact_date": late,
                "channel": "phone",
                "cost": 6.0,
                "resolved_first_contact": None,
                "within_sla": None,
            },
            {
                "contact_id": 3,
                "customer_id": 1,
                "contact_date": dt.datetime(2024, 3, 1),
                "channel": "phone",
                "cost": 99.0,
                "resolved_first_contact": False,
                "within_sla": True,
            },
        ],
        "web_sessions": [
            {
                "session_id": 1,
                "customer_id": None,
                "session_date": late,
                "pageviews": 1,
                "duration_s": 10.0,
                "converted": False,
            },
            {
                "session_id": 2,
                "customer_id": 1,
                "session_date": late,
                "pageviews": 3,
                "duration_s": 50.0,
                "converted": True,
            },
        ],
    }
    result = compute(tables, d("2024-02-01"), d("2024-02-29"), "previous", {}, None)
    assert _kpi(result, "service_cost") == (10.0, 0.0)
    assert _kpi(result, "contacts") == (2, 0)
    assert _kpi(result, "cost_per_contact") == (5.0, None)
    assert _kpi(result, "cost_to_serve") == (10.0, None)
    assert _kpi(result, "first_contact_resolution") == (1.0, None)
    assert _kpi(result, "sla_compliance") == (None, None)
    assert _kpi(result, "sessions") == (2, 0)
    assert _kpi(result, "pages_per_session") == (2.0, None)
    assert _kpi(result, "avg_time_on_site_s") == (30.0, None)
    assert _kpi(result, "conversion_rate") == (0.5, None)
    assert _kpi(result, "bounce_rate") == (0.5, None)


def _attribution_tables() -> dict[str, list[dict[str, Any]]]:
    return {
        "customers": [
            customer("a", "SMB", "North", "2024-06-03", tier="gold"),
            customer("b", "Enterprise", "Zürich", "2024-06-04", tier=None),
        ],
        "orders": [order(1, "a", "2024-06-10", 100), order(2, "ghost", "2024-06-11", 7)],
        "web_sessions": [
            {
                "session_id": 1,
                "customer_id": None,
                "session_date": d("2024-06-01"),
                "pageviews": 2,
                "duration_s": 5.0,
                "converted": False,
                "region": "=cmd",
            },
            {
                "session_id": 2,
                "customer_id": None,
                "session_date": d("2024-06-01"),
                "pageviews": 2,
                "duration_s": 5.0,
                "converted": False,
                "region": None,
            },
        ],
        "marketing_spend": [
            {
                "spend_date": d("2024-06-01"),
                "channel": "search",
                "spend": 30.0,
                "segment": "SMB",
                "region": None,
            },
            {
                "spend_date": d("2024-06-02"),
                "channel": "social",
                "spend": 8.0,
                "segment": None,
                "region": None,
            },
        ],
    }


def test_attribution_breakdown_by_region() -> None:
    result = compute(
        _attribution_tables(), d("2024-06-01"), d("2024-06-30"), "previous", {}, ["region"]
    )
    entries = {e["region"]: e["kpis"] for e in result["breakdown"]}
    assert sorted(entries) == ["=cmd", "North", "Unknown", "Zürich"]
    assert entries["Unknown"]["revenue"]["value"] == 7.0
    assert entries["Unknown"]["sessions"]["value"] == 1
    assert entries["=cmd"]["sessions"]["value"] == 1
    assert entries["Unknown"]["cac"]["value"] is None  # 38 spent, but no new customer
    assert entries["North"]["cac"]["value"] == 0.0  # a new customer, and no spend says North
    assert _kpi(result, "cac") == (19.0, None)


def test_attribution_filters() -> None:
    tables = _attribution_tables()
    smb = compute(tables, d("2024-06-01"), d("2024-06-30"), "previous", {"segment": ["SMB"]}, None)
    assert _kpi(smb, "cac") == (30.0, None)
    assert _kpi(smb, "revenue") == (100.0, 0.0)
    assert _kpi(smb, "sessions") == (0, 0)
    assert smb["filters"] == {"segment": ["SMB"], "region": []}
    unknown = compute(tables, d("2024-06-01"), d("2024-06-30"), "yoy", {"tier": ["Unknown"]}, None)
    assert _kpi(unknown, "revenue") == (7.0, 0.0)  # the ghost customer's order
    assert _kpi(unknown, "new_customers") == (1, 0)  # b, whose tier is null
    assert _kpi(unknown, "sessions") == (2, 0)
    assert _kpi(unknown, "cac") == (None, None)  # spend has no tier
    by_tier = compute(tables, d("2024-06-01"), d("2024-06-30"), "previous", {}, ["tier"])
    assert {e["tier"] for e in by_tier["breakdown"]} == {"gold", "Unknown"}
    assert all(e["kpis"]["cac"]["value"] is None for e in by_tier["breakdown"])


def test_empty_optional_tables_give_zero_counts_and_null_ratios() -> None:
    tables: dict[str, list[dict[str, Any]]] = {
        "customers": [],
        "orders": [],
        "service_contacts": [],
        "web_sessions": [],
        "nps_responses": [],
        "marketing_spend": [],
    }
    result = compute(tables, d("2024-01-01"), d("2024-01-31"), "yoy", {}, ["segment"])
    assert result["breakdown"] == []
    for name in (
        "revenue",
        "contacts",
        "service_cost",
        "sessions",
        "nps_responses",
        "new_customers",
        "expansion_revenue",
        "active_customers",
    ):
        assert _kpi(result, name) == (0, 0), name
    for name in (
        "revenue_growth",
        "retention_rate",
        "cac",
        "cost_per_contact",
        "nps",
        "nps_margin_of_error",
        "bounce_rate",
        "first_contact_resolution",
    ):
        assert _kpi(result, name) == (None, None), name
