"""Monthly series: calendar months, clipped to the data, each asked of the engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from cxcore.metrics.trend import month_periods, monthly, series, trailing_months

D = dt.date


def test_months_are_calendar_months_clipped_at_both_ends() -> None:
    months = month_periods(D(2025, 11, 15), D(2026, 2, 10))
    assert [(p.start, p.end) for p in months] == [
        (D(2025, 11, 15), D(2025, 11, 30)),
        (D(2025, 12, 1), D(2025, 12, 31)),
        (D(2026, 1, 1), D(2026, 1, 31)),
        (D(2026, 2, 1), D(2026, 2, 10)),
    ]


def test_trailing_months_stop_at_the_first_day_of_data() -> None:
    assert len(trailing_months(D(2026, 9, 30), D(2024, 1, 1))) == 12
    assert trailing_months(D(2024, 3, 31), D(2024, 1, 1))[0].start == D(2024, 1, 1)


def day(value: str | dt.date) -> dt.date:
    """A day as `monthly` hands it over (the engine would also take ISO text)."""
    assert isinstance(value, dt.date), value
    return value


class FakeCockpit:
    """Answers like the engine: the value is the month number, previous its double."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[tuple[dt.date, dt.date]], str, dict[str, Sequence[str]]]] = []

    def kpis_many(
        self,
        periods: Sequence[tuple[str | dt.date, str | dt.date]],
        compare: str = "previous",
        filters: Mapping[str, Sequence[str]] | None = None,
    ) -> list[dict[str, Any]]:
        days = [(day(start), day(end)) for start, end in periods]
        self.calls.append((days, compare, dict(filters or {})))
        return [
            {
                "comparison": {"start": start.replace(year=start.year - 1).isoformat()},
                "kpis": {"revenue": {"value": start.month, "previous": 2 * start.month}},
            }
            for start, _ in days
        ]


def test_all_months_are_one_engine_call_with_the_views_filters() -> None:
    fake = FakeCockpit()
    rows = monthly(fake, month_periods(D(2026, 1, 1), D(2026, 3, 31)), "yoy", {"segment": ["SMB"]})
    assert [r["month"] for r in rows] == [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]
    ((periods, compare, filters),) = fake.calls
    assert [start for start, _ in periods] == [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]
    assert (compare, filters) == ("yoy", {"segment": ["SMB"]})
    assert series(rows, "revenue")[1] == {"month": D(2026, 2, 1), "value": 2, "previous": 4}


def test_a_comparison_month_before_the_data_is_unknown_not_zero() -> None:
    rows = [
        {
            "month": D(2024, 1, 1),
            "comparison_start": D(2023, 12, 1),
            "kpis": {"revenue": {"value": 5.0, "previous": 0.0}},
        },
        {
            "month": D(2024, 2, 1),
            "comparison_start": D(2024, 1, 1),
            "kpis": {"revenue": {"value": 6.0, "previous": 5.0}},
        },
    ]
    points = series(rows, "revenue", first_day=D(2024, 1, 1))
    assert [p["previous"] for p in points] == [None, 5.0]
    assert [p["previous"] for p in series(rows, "revenue")] == [0.0, 5.0]
