"""What a KPI declaration is: its unit, its good direction and its formula over measures.

The registry lists the KPIs; this module says what each entry holds, so the
modules that only read declarations (formats, tones, charts) depend on the
shape and not on the list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from cxcore.metrics.evidence import Evidence
from cxcore.metrics.measures import Measures, Number


class Direction(StrEnum):
    UP_IS_GOOD = "up"
    DOWN_IS_GOOD = "down"
    NEUTRAL = "neutral"  # a share whose rise is neither good nor bad news by itself


class Unit(StrEnum):
    CURRENCY = "currency"
    COUNT = "count"
    RATIO = "ratio"
    SCORE = "score"
    SECONDS = "seconds"
    NUMBER = "number"


@dataclass(frozen=True)
class Kpi:
    name: str
    label: str
    description: str
    unit: Unit
    direction: Direction
    source: str
    group: str
    formula: Callable[[Measures], Number]
    evidence: Evidence | None = None  # the counts a significance test of its change reads
    precision: bool = False  # a margin of error: how sure another figure is, never news


def ratio(numerator: Number, denominator: Number) -> float | None:
    """A ratio whose zero or unknown denominator yields null, as the spec demands."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def difference(a: Number, b: Number) -> Number:
    """`a - b`, or null when either is unknown."""
    return None if a is None or b is None else a - b


def one_minus(value: Number) -> Number:
    """`1 - value` (a rate's complement, such as churn from retention), or null when unknown."""
    return None if value is None else 1 - value
