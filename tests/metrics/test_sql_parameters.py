"""No value a user can type changes the SQL text: values travel as parameters."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from cxcore.metrics.periods import Compare, Windows, period
from cxcore.metrics.query import block_query, view_slots
from cxcore.sqlkit import render

TABLES = [
    "orders",
    "customers",
    "nps_responses",
    "service_contacts",
    "web_sessions",
    "marketing_spend",
]
members = st.lists(st.text(min_size=0, max_size=30), min_size=1, max_size=5)
days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31))


def second_dimension(table: str) -> str:
    """Spend splits only by its own segment and region; other tables by any dimension."""
    return "region" if table == "marketing_spend" else "tier"


def baseline(table: str, mode: Compare) -> str:
    windows = Windows.of(period("2025-01-01", "2025-03-31"), mode)
    filters = {"segment": ["x"], second_dimension(table): ["y"]}
    return render(block_query(table, view_slots(windows), filters, ("region",)).sql)


@settings(max_examples=200, deadline=None)
@given(
    table=st.sampled_from(TABLES),
    mode=st.sampled_from(list(Compare)),
    segment=members,
    tier=members,
    first=days,
    span=st.integers(min_value=0, max_value=800),
)
def test_sql_text_depends_only_on_the_shape(
    table: str, mode: Compare, segment: list[str], tier: list[str], first: dt.date, span: int
) -> None:
    windows = Windows.of(period(first, first + dt.timedelta(days=span)), mode)
    filters = {"segment": segment, second_dimension(table): tier}
    query = block_query(table, view_slots(windows), filters, ("region",))
    assert render(query.sql) == baseline(table, mode)
    assert segment in query.params.values() and tier in query.params.values()
    assert query.params["p_cur_start"] == first
