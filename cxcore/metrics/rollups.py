"""Customer measures of whole months, quarters and years, answered from publish-time rollups.

A slot whose current window is a whole calendar unit and whose prior window
is the same unit a known number of units earlier (the previous one, or the
same one a year before) is *rolled*: its customer measures are sums over the
small windows and pairs tables the publish step built. Every other slot is
answered from the fact rows. Both give the same numbers (a property test).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlglot import exp

from cxcore.data.dataset import PAIRS_RELATION, WINDOWS_RELATION
from cxcore.metrics.measures import CUSTOMER, PAIR, CustomerMeasure, Window
from cxcore.metrics.periods import (
    CalendarUnit,
    Period,
    leap_february_28,
    month_index,
    whole_unit,
)
from cxcore.metrics.query import SHAPES, BlockQuery, Selection, Slot, slot_values
from cxcore.sqlkit import alias, and_all, column, fragment, fresh, table

# The lags (in units) the pairs table holds: the previous unit, and a year before.
LAGS: dict[CalendarUnit, tuple[int, ...]] = {
    CalendarUnit.MONTH: (1, 12),
    CalendarUnit.QUARTER: (1, 4),
    CalendarUnit.YEAR: (1,),
}
# Besides whole units, the windows and pairs tables hold 1-28 February of each leap year,
# the window a year-before comparison gives the February after it; its pairs go a year
# back (to the whole February before) and a year forward (from the whole February after).
LEAP_FEBRUARY = "feb28"
LEAP_PAIRS = ((str(CalendarUnit.MONTH), LEAP_FEBRUARY), (LEAP_FEBRUARY, str(CalendarUnit.MONTH)))
SLOT_COLUMNS = ("slot", "unit", "cur_start", "prior_start", "lag", "prior_unit")


@dataclass(frozen=True)
class RolledSlot:
    slot: Slot
    unit: str  # the current window's kind: a calendar unit, or LEAP_FEBRUARY
    lag: int
    prior_unit: str

    def params(self) -> dict[str, Any]:
        name = self.slot.name
        return {
            f"{name}_unit": self.unit,
            f"{name}_cur_start": self.slot.current.start,
            f"{name}_prior_start": self.slot.prior.start,
            f"{name}_lag": self.lag,
            f"{name}_prior_unit": self.prior_unit,
        }


def rolled(slot: Slot) -> RolledSlot | None:
    """The slot as rolled-up windows a known lag apart, or None when the rows must answer it."""
    current, prior = _window_kind(slot.current), _window_kind(slot.prior)
    if current is None or prior is None:
        return None
    months = month_index(slot.current.start) - month_index(slot.prior.start)
    if (current, prior) in LEAP_PAIRS:
        return RolledSlot(slot, current, 12, prior) if months == 12 else None
    if current != prior or current == LEAP_FEBRUARY:
        return None
    unit = CalendarUnit(current)
    lag, rest = divmod(months, unit.months)
    return RolledSlot(slot, current, lag, prior) if not rest and lag in LAGS[unit] else None


def _window_kind(window: Period) -> str | None:
    unit = whole_unit(window)
    if unit is not None:
        return str(unit)
    return LEAP_FEBRUARY if leap_february_28(window) else None


def _slots(slots: tuple[str, ...]) -> exp.Expr:
    names = [[f"{s}_{c}" for c in SLOT_COLUMNS[1:]] for s in slots]
    return slot_values(slots, SLOT_COLUMNS, names)


def _measures(kind: tuple[str, str]) -> tuple[CustomerMeasure, ...]:
    return tuple(m for m in CUSTOMER if m.rollup == kind)


def window_query(slots: Sequence[RolledSlot], selection: Selection, window: Window) -> BlockQuery:
    """Customer measures read at each slot's current (or prior) window."""
    return _block(("window", window), slots, selection)


def pair_query(slots: Sequence[RolledSlot], selection: Selection) -> BlockQuery:
    """Customer measures of customers active in both windows of each slot."""
    return _block(PAIR, slots, selection)


def _block(kind: tuple[str, str], slots: Sequence[RolledSlot], selection: Selection) -> BlockQuery:
    names = tuple(s.slot.name for s in slots)
    params = {k: v for s in slots for k, v in s.params().items()} | selection.params()
    shape = ("rolled", kind, names, selection.shape)
    return BlockQuery(
        _sum_sql(kind, names, selection.shape),
        params,
        len(selection.by),
        tuple(m.name for m in _measures(kind)),
        shape,
    )


@lru_cache(maxsize=SHAPES)
def _sum_sql(kind: tuple[str, str], slots: tuple[str, ...], selection: Selection) -> exp.Expr:
    if kind == PAIR:
        relation = PAIRS_RELATION
        on = fragment(
            "w.unit = s.unit AND w.start = s.cur_start AND w.lag = s.lag"
            " AND w.prior_unit = s.prior_unit"
        )
    else:
        relation = WINDOWS_RELATION
        current = kind[1] is Window.CURRENT
        on = fragment(
            "w.unit = :unit AND w.start = :start",
            unit=column("unit" if current else "prior_unit", "s"),
            start=column("cur_start" if current else "prior_start", "s"),
        )
    conditions, _ = selection.conditions("w")
    keys = selection.keys()
    rows = (
        exp.select(
            column("slot", "s"), *selection.groups("w"), exp.column(exp.Star(), "w"), copy=False
        )
        .from_(table(relation).as_("w", copy=False), copy=False)
        .join(_slots(slots), on=on, copy=False)
        .where(and_all(conditions), copy=False)
    )
    return (
        exp.select(
            *keys,
            *(alias(fragment("COALESCE(SUM(:c), 0)", c=m.column), m.name) for m in _measures(kind)),
            copy=False,
        )
        .from_(rows.subquery("rows", copy=False), copy=False)
        .group_by(*fresh(keys), copy=False)
    )
