"""The views a benchmark asks: different every time, so no result cache can help.

The overview series is what executives open most: whole months, quarters and
years against the previous period or the same one a year before, for all
customers or one segment or region. Each view is asked once.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cxcore.metrics.periods import CalendarUnit, Period, add_months, unit_period, unit_start


@dataclass(frozen=True)
class View:
    start: dt.date
    end: dt.date
    compare: str = "previous"
    filters: dict[str, list[str]] = field(default_factory=dict)

    def kwargs(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "compare": self.compare,
            "filters": self.filters,
        }


def whole_periods(first: dt.date, last: dt.date) -> list[Period]:
    """Every whole month, quarter and year inside the data, newest first."""
    found: list[Period] = []
    for unit in (CalendarUnit.MONTH, CalendarUnit.QUARTER, CalendarUnit.YEAR):
        start = unit_start(first, unit)
        while start <= last:
            span = unit_period(start, unit)
            if span.start >= first and span.end <= last:
                found.append(span)
            start = add_months(start, unit.months)
    return sorted(found, key=lambda p: p.end, reverse=True)


def overview_views(
    first: dt.date, last: dt.date, dimensions: Mapping[str, Sequence[str]], count: int, seed: int
) -> list[View]:
    """`count` distinct views: periods x comparisons x (no filter, one segment, one region)."""
    selections: list[dict[str, list[str]]] = [{}]
    for dim in ("segment", "region"):
        selections += [{dim: [m]} for m in dimensions.get(dim, ()) if m != "Unknown"]
    combos = list(
        itertools.product(whole_periods(first, last), ("previous", "yoy"), range(len(selections)))
    )
    random.Random(seed).shuffle(combos)
    return [View(p.start, p.end, c, selections[s]) for p, c, s in combos[:count]]


def trailing_months(last: dt.date, months: int) -> list[tuple[dt.date, dt.date]]:
    """The `months` whole months ending with the last whole month of the data."""
    end = unit_start(last + dt.timedelta(days=1), CalendarUnit.MONTH) - dt.timedelta(days=1)
    first = add_months(unit_start(end, CalendarUnit.MONTH), 1 - months)
    out = []
    for i in range(months):
        span = unit_period(add_months(first, i), CalendarUnit.MONTH)
        out.append((span.start, span.end))
    return out
