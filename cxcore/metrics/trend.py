"""Monthly KPI series, asked of the engine one calendar month at a time.

The engine answers one period per call; a trend is the same question for every
month. Numbers are never recomputed here: each point is `Cockpit.kpis` for a
month, so a sparkline and a card can never disagree. The engine is safe to
call from several threads, and DuckDB releases the GIL, so months run in
parallel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from cxcore.metrics.periods import Period, add_months


class KpiSource(Protocol):
    def kpis_many(
        self,
        periods: Sequence[tuple[str | dt.date, str | dt.date]],
        compare: str = "previous",
        filters: Mapping[str, Sequence[str]] | None = None,
    ) -> list[dict[str, Any]]: ...


def month_periods(first: dt.date, last: dt.date) -> list[Period]:
    """Calendar months from the month of `first` to that of `last`, clipped to both."""
    months: list[Period] = []
    start = first.replace(day=1)
    while start <= last:
        end = add_months(start, 1) - dt.timedelta(days=1)
        months.append(Period(max(start, first), min(end, last)))
        start = add_months(start, 1)
    return months


def trailing_months(end: dt.date, first_day: dt.date, count: int = 12) -> list[Period]:
    """The `count` months up to the one holding `end`, as far back as the data goes."""
    start = max(add_months(end.replace(day=1), 1 - count), first_day)
    return month_periods(start, end)


def monthly(
    cockpit: KpiSource,
    months: Sequence[Period],
    compare: str,
    filters: Mapping[str, Sequence[str]],
) -> list[dict[str, Any]]:
    """One row per month: its first day and the KPIs as the engine returns them.

    The engine answers every month in one query per table, not one call per month.
    """
    periods = [(p.start, p.end) for p in months]
    results = cockpit.kpis_many(periods, compare=compare, filters=filters)
    return [
        {
            "month": p.start.replace(day=1),
            "comparison_start": dt.date.fromisoformat(r["comparison"]["start"]),
            "kpis": r["kpis"],
        }
        for p, r in zip(months, results, strict=True)
    ]


def series(
    rows: Sequence[Mapping[str, Any]], kpi: str, first_day: dt.date | None = None
) -> list[dict[str, Any]]:
    """One KPI out of monthly rows: month, value and comparison value.

    A comparison month that starts before the data does is not zero, it is
    unknown: its value is left out (None) rather than drawn as a fall to zero.
    """
    return [
        {
            "month": row["month"],
            "value": row["kpis"][kpi]["value"],
            "previous": None
            if _before(row.get("comparison_start"), first_day)
            else row["kpis"][kpi]["previous"],
        }
        for row in rows
    ]


def _before(day: dt.date | None, first_day: dt.date | None) -> bool:
    return day is not None and first_day is not None and day < first_day
