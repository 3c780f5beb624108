"""Whether a change is good news: decided once, for card deltas, bars and every other colour.

A change is judged by the KPI's direction in the registry (a neutral share's
change is no verdict); a change that rounds to zero as shown is flat, whatever
its sign; and a margin of error is precision, never news. Cards and charts
only map the verdict to their colours.
"""

from __future__ import annotations

from enum import StrEnum

from cxcore.app.formatting import change, format_change, is_flat
from cxcore.metrics.kpi import Direction, Kpi


class Tone(StrEnum):
    BETTER = "better"
    WORSE = "worse"
    FLAT = "flat"
    NONE = "none"  # nothing to compare, or a figure whose change is not news


def judge(kpi: Kpi, value: float | None, previous: float | None) -> Tone:
    text = format_change(value, previous, kpi.unit)
    delta = change(value, previous, kpi.unit)
    rise = rise_tone(kpi)
    if text is None or delta is None or rise is Tone.NONE:
        return Tone.NONE
    if is_flat(text):
        return Tone.FLAT
    return rise if delta > 0 else fall_tone(kpi)


def rise_tone(kpi: Kpi) -> Tone:
    """What a rise of the KPI is: better, worse, or no news (a neutral share, a margin)."""
    if kpi.precision or kpi.direction is Direction.NEUTRAL:
        return Tone.NONE
    return Tone.BETTER if kpi.direction is Direction.UP_IS_GOOD else Tone.WORSE


def fall_tone(kpi: Kpi) -> Tone:
    """What a fall of the KPI is: the opposite of a rise."""
    return {Tone.BETTER: Tone.WORSE, Tone.WORSE: Tone.BETTER}.get(rise_tone(kpi), Tone.NONE)


def rose(kpi: Kpi, value: float | None, previous: float | None) -> bool:
    delta = change(value, previous, kpi.unit)
    return delta is not None and delta > 0
