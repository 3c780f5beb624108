"""No value a user can type changes the SQL text: values travel as parameters."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from cxcore.metrics.measures import Window
from cxcore.metrics.periods import Compare, Windows, period
from cxcore.metrics.query import BlockQuery, Slot, additive_query, customer_query, view_slots
from cxcore.metrics.rollups import RolledSlot, pair_query, rolled, window_query
from cxcore.sqlkit import render
from tests.metrics.test_sql_golden import selection

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


def block(
    table: str, slots: tuple[Slot, Slot], segment: list[str], other: list[str], rolled_up: bool
) -> BlockQuery:
    chosen = selection({"segment": segment, second_dimension(table): other}, ["region"])
    if table == "orders" and not rolled_up:
        return customer_query(slots, chosen)
    return additive_query(table, slots, chosen, rolled=rolled_up)


def baseline(table: str, mode: Compare, rolled_up: bool) -> str:
    windows = Windows.of(period("2025-01-01", "2025-03-31"), mode)
    return render(block(table, view_slots(windows), ["x"], ["y"], rolled_up).sql)


@settings(max_examples=200, deadline=None)
@given(
    table=st.sampled_from(TABLES),
    mode=st.sampled_from(list(Compare)),
    segment=members,
    tier=members,
    first=days,
    span=st.integers(min_value=0, max_value=800),
    rolled_up=st.booleans(),
)
def test_sql_text_depends_only_on_the_shape(
    table: str,
    mode: Compare,
    segment: list[str],
    tier: list[str],
    first: dt.date,
    span: int,
    rolled_up: bool,
) -> None:
    windows = Windows.of(period(first, first + dt.timedelta(days=span)), mode)
    query = block(table, view_slots(windows), segment, tier, rolled_up)
    assert render(query.sql) == baseline(table, mode, rolled_up)
    assert segment in query.params.values() and tier in query.params.values()
    assert query.params["p_cur_start"] == first


def _rolled(first: dt.date, mode: Compare) -> list[RolledSlot]:
    end = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    found = [rolled(s) for s in view_slots(Windows.of(period(first, end), mode))]
    return [r for r in found if r is not None]


@settings(max_examples=100, deadline=None)
@given(
    month=st.dates(min_value=dt.date(2003, 1, 1), max_value=dt.date(2040, 12, 1)),
    mode=st.sampled_from(list(Compare)),
    segment=members,
)
def test_rollup_sql_text_depends_only_on_the_shape(
    month: dt.date, mode: Compare, segment: list[str]
) -> None:
    first = month.replace(day=1)
    slots = _rolled(first, mode)
    # a whole month against the one before, or a year before (a leap February's 1-28 too)
    assert len(slots) == 2
    chosen = selection({"segment": segment}, ["region"])
    reference = _rolled(dt.date(2025, 3, 1), mode)
    for build in (
        lambda s, c: window_query(s, c, Window.CURRENT),
        lambda s, c: window_query(s, c, Window.PRIOR),
        pair_query,
    ):
        query = build(slots, chosen)
        assert render(query.sql) == render(
            build(reference, selection({"segment": ["x"]}, ["region"])).sql
        )
        assert segment in query.params.values()


def test_february_against_a_leap_february_is_answered_from_the_rollups() -> None:
    """Last year's February of 29 days compares 1-28 February only: not a whole month, but
    a window the rollups hold, so both slots are rolled."""
    assert len(_rolled(dt.date(2025, 2, 1), Compare.YOY)) == 2
    assert len(_rolled(dt.date(2025, 2, 1), Compare.PREVIOUS)) == 2
