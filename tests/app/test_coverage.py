"""Which KPIs a card may show when exports cover different days, and the default view."""

from __future__ import annotations

import datetime as dt

import pytest

from cxcore.app.coverage import (
    NO_DATA,
    Reach,
    Span,
    common_span,
    format_days,
    kpi_coverage,
    month_complete,
    observed_span,
    publish_gap,
    reads_prior,
)
from cxcore.app.views import Coverage
from cxcore.metrics.periods import Compare, Period, Windows
from cxcore.metrics.registry import KPI_BY_NAME, KPIS

D = dt.date
Q3 = Windows.of(Period(D(2026, 7, 1), D(2026, 9, 30)), Compare.PREVIOUS)  # Q = Q2, R = Q1
Q4 = Windows.of(Period(D(2026, 10, 1), D(2026, 12, 31)), Compare.PREVIOUS)
ORDERS_INTO_OCT = Span(D(2024, 1, 1), D(2026, 10, 14))
UNTIL_SEP = Span(D(2024, 1, 1), D(2026, 9, 30))
FROM_Q2 = Span(D(2026, 4, 1), D(2026, 9, 30))  # covers P=Q3 and Q=Q2, not R=Q1


def test_the_kpis_that_read_the_comparison_window_are_found_from_their_formulas() -> None:
    # By hand from docs/kpis.md: these divide by, or pair with, the comparison period.
    expected = {
        "revenue_growth",
        "retention_rate",
        "churn_rate",
        "net_revenue_retention",
        "gross_revenue_retention",
        "expansion_revenue",
    }
    assert {k.name for k in KPIS if reads_prior(k)} == expected


@pytest.mark.parametrize(
    ("name", "windows", "span", "reach", "words"),
    [
        ("revenue", Q3, UNTIL_SEP, Reach.FULL, None),
        # Orders reach 14 Oct: Q4 is only partly there, so no value at all.
        ("revenue", Q4, ORDERS_INTO_OCT, Reach.PARTIAL, "covers 1–14 Oct 2026 only"),  # noqa: RUF001
        # Contacts stop at 30 Sep: nothing of Q4, never a zero.
        ("service_cost", Q4, UNTIL_SEP, Reach.NONE, NO_DATA),
        ("contacts", Q4, UNTIL_SEP, Reach.NONE, NO_DATA),
        # Revenue in Q3 needs only Q3; its change needs Q2: both covered from April.
        ("revenue", Q3, FROM_Q2, Reach.FULL, None),
        # Churn's value reads Q3 and Q2; its previous value reads Q2 and Q1, not covered.
        ("churn_rate", Q3, FROM_Q2, Reach.NO_CHANGE, "no data for Q1 2026 to compare"),
        # Covered from July only: Q3's customers are known, Q2's are not.
        ("active_customers", Q3, Span(D(2026, 7, 1), D(2026, 9, 30)), Reach.NO_CHANGE,
         "no data for Q2 2026 to compare"),
        ("churn_rate", Q3, Span(D(2026, 7, 1), D(2026, 9, 30)), Reach.NONE,
         "no data for Q2 2026, which it needs"),
        ("nps", Q3, None, Reach.NONE, NO_DATA),
    ],
)  # fmt: skip
def test_a_kpi_shows_only_what_its_export_covers(
    name: str, windows: Windows, span: Span | None, reach: Reach, words: str | None
) -> None:
    covered = kpi_coverage(KPI_BY_NAME[name], windows, span)
    assert (covered.reach, covered.words) == (reach, words)
    assert covered.shows_value == (reach in (Reach.FULL, Reach.NO_CHANGE))
    assert covered.shows_change == (reach is Reach.FULL)


def test_a_month_is_complete_only_when_every_day_is_covered() -> None:
    end = D(2026, 12, 31)
    assert month_complete(D(2026, 9, 1), end, ORDERS_INTO_OCT)
    assert not month_complete(D(2026, 10, 1), end, ORDERS_INTO_OCT)  # 1-14 Oct of 31 days
    assert month_complete(D(2026, 10, 1), D(2026, 10, 14), ORDERS_INTO_OCT)  # a view to 14 Oct
    assert not month_complete(D(2026, 9, 1), end, None)


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (D(2026, 10, 1), D(2026, 10, 14), "1–14 Oct 2026"),  # noqa: RUF001
        (D(2026, 10, 1), D(2026, 10, 31), "Oct 2026"),
        (D(2026, 7, 1), D(2026, 9, 30), "Q3 2026"),
        (D(2026, 9, 20), D(2026, 10, 14), "20 Sep – 14 Oct 2026"),  # noqa: RUF001
    ],
)
def test_covered_days_read_as_short_as_they_can(start: dt.date, end: dt.date, text: str) -> None:
    assert format_days(Period(start, end)) == text


def test_the_common_span_ignores_the_customer_register() -> None:
    spans = {
        "customers": Span(D(2019, 1, 16), D(2026, 9, 20)),
        "orders": ORDERS_INTO_OCT,
        "nps_responses": Span(D(2024, 3, 5), D(2026, 9, 30)),
    }
    assert common_span(spans) == Span(D(2024, 3, 5), D(2026, 9, 30))
    apart = {"a": Span(D(2026, 1, 1), D(2026, 2, 1)), "b": Span(D(2026, 3, 1), D(2026, 4, 1))}
    assert common_span(apart) is None


@pytest.mark.parametrize(
    ("orders_last", "others_last", "start", "end"),
    [
        # An orders-only publish into October must not move the default to Q4.
        (D(2026, 10, 14), D(2026, 9, 30), D(2026, 7, 1), D(2026, 9, 30)),
        # Every export into mid-October: Q3 is still the latest whole quarter.
        (D(2026, 10, 14), D(2026, 10, 14), D(2026, 7, 1), D(2026, 9, 30)),
        # One export stops mid-September: Q3 is not whole for it, so Q2.
        (D(2026, 9, 30), D(2026, 9, 15), D(2026, 4, 1), D(2026, 6, 30)),
        # Every export through December: Q4.
        (D(2026, 12, 31), D(2026, 12, 31), D(2026, 10, 1), D(2026, 12, 31)),
    ],
)
def test_the_default_view_is_the_latest_quarter_every_export_covers(
    orders_last: dt.date, others_last: dt.date, start: dt.date, end: dt.date
) -> None:
    spans = {
        "orders": Span(D(2024, 1, 1), orders_last),
        "service_contacts": Span(D(2024, 1, 1), others_last),
        "nps_responses": Span(D(2024, 1, 1), others_last),
    }
    cov = Coverage(D(2024, 1, 1), max(orders_last, others_last), {}, spans)
    assert (cov.default_view.start, cov.default_view.end) == (start, end)
    assert (cov.presets["Last quarter"].start, cov.presets["Last quarter"].end) == (start, end)


@pytest.mark.parametrize(
    ("first", "last", "rows", "span"),
    [
        # 1000 days, 100,000 rows: a usual gap of 0.01 days, so the days stay exact.
        (D(2024, 1, 1), D(2026, 9, 26), 100_000, Span(D(2024, 1, 1), D(2026, 9, 26))),
        # 996 days (4 Jan 2024 - 25 Sep 2026), 340 rows: a usual gap of 2.93 days, slack
        # int(3 * 2.93) = 8 days; 25 Sep + 8 is past the month, so 30 Sep; 4 Jan - 8 -> 1 Jan.
        (D(2024, 1, 4), D(2026, 9, 25), 340, Span(D(2024, 1, 1), D(2026, 9, 30))),
        # 1015 days to 14 Oct, 340 rows: gap 2.99, slack int(8.96) = 8 days, so 22 Oct.
        (D(2024, 1, 4), D(2026, 10, 14), 340, Span(D(2024, 1, 1), D(2026, 10, 22))),
    ],
)
def test_a_sparse_exports_usual_quiet_is_not_a_gap(
    first: dt.date, last: dt.date, rows: int, span: Span
) -> None:
    assert observed_span(first, last, rows) == span


def test_the_review_warns_when_a_publish_leaves_exports_ending_apart() -> None:
    spans = {
        "orders": UNTIL_SEP,
        "service_contacts": UNTIL_SEP,
        "nps_responses": UNTIL_SEP,
        "customers": Span(D(2019, 1, 1), D(2026, 9, 20)),  # a register: never warned about
    }
    words = publish_gap("orders", ORDERS_INTO_OCT, spans, KPIS)
    assert words is not None
    assert words.startswith(
        "After this publish, orders will run to 14 Oct 2026 but survey responses, service"
        " contacts only to 30 Sep 2026: for 1–14 Oct 2026, Service cost, Contacts,"  # noqa: RUF001
    )
    assert "NPS" in words and "Revenue" not in words
    assert publish_gap("orders", UNTIL_SEP, spans, KPIS) is None
    # Survey answers to mid-September while the rest reach 30 Sep: its KPIs lose 16-30 Sep.
    short = publish_gap("nps_responses", Span(D(2024, 1, 1), D(2026, 9, 15)), spans, KPIS)
    assert short is not None and short.startswith(
        "After this publish, other exports run to 30 Sep 2026 but survey responses only to"
        " 15 Sep 2026: for 16–30 Sep 2026, NPS, NPS responses,"  # noqa: RUF001
    )
