"""Whether a change is good news: decided once, for card deltas, bars and every other colour.

A change is judged by the KPI's direction in the registry (a neutral share's
change is no verdict); a change that rounds to zero as shown is flat, whatever
its sign; and a margin of error is precision, never news. Cards and charts
only map the verdict to their colours.
"""

from __future__ import annotations

from enum import StrEnum

from cxcore.app.formatting import change, format_change, is_flat
from cxcore.metrics.registry import Direction, Kpi

PRECISION = frozenset({"nps_margin_of_error"})


class Tone(StrEnum):
    BETTER = "better"
    WORSE = "worse"
    FLAT = "flat"
    NONE = "none"  # nothing to compare, or a figure whose change is not news


def judge(kpi: Kpi, value: float | None, previous: float | None) -> Tone:
    text = format_change(value, previous, kpi.unit)
    delta = change(value, previous, kpi.unit)
    if text is None or delta is None or kpi.name in PRECISION:
        return Tone.NONE
    if kpi.direction is Direction.NEUTRAL:
        return Tone.NONE
    if is_flat(text):
        return Tone.FLAT
    rise_is_good = kpi.direction is Direction.UP_IS_GOOD
    return Tone.BETTER if (delta > 0) == rise_is_good else Tone.WORSE


def rose(kpi: Kpi, value: float | None, previous: float | None) -> bool:
    delta = change(value, previous, kpi.unit)
    return delta is not None and delta > 0
