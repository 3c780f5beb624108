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
from cxcore.metrics.periods import CalendarUnit, month_index, whole_unit
from cxcore.metrics.query import SHAPES, BlockQuery, Selection, Slot, slot_values
from cxcore.sqlkit import alias, and_all, column, fragment, table

# The lags (in units) the pairs table holds: the previous unit, and a year before.
LAGS: dict[CalendarUnit, tuple[int, ...]] = {
    CalendarUnit.MONTH: (1, 12),
    CalendarUnit.QUARTER: (1, 4),
    CalendarUnit.YEAR: (1,),
}
SLOT_COLUMNS = ("slot", "unit", "cur_start", "prior_start", "lag")


@dataclass(frozen=True)
class RolledSlot:
    slot: Slot
    unit: CalendarUnit
    lag: int

    def params(self) -> dict[str, Any]:
        name = self.slot.name
        return {
            f"{name}_unit": str(self.unit),
            f"{name}_cur_start": self.slot.current.start,
            f"{name}_prior_start": self.slot.prior.start,
            f"{name}_lag": self.lag,
        }


def rolled(slot: Slot) -> RolledSlot | None:
    """The slot as whole units a known lag apart, or None when the rows must answer it."""
    unit = whole_unit(slot.current)
    if unit is None or whole_unit(slot.prior) is not unit:
        return None
    months = month_index(slot.current.start) - month_index(slot.prior.start)
    lag, rest = divmod(months, unit.months)
    return RolledSlot(slot, unit, lag) if not rest and lag in LAGS[unit] else None


def _slots(slots: tuple[str, ...]) -> exp.Expression:
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
def _sum_sql(kind: tuple[str, str], slots: tuple[str, ...], selection: Selection) -> exp.Expression:
    if kind == PAIR:
        relation = PAIRS_RELATION
        on = fragment("w.unit = s.unit AND w.start = s.cur_start AND w.lag = s.lag")
    else:
        relation = WINDOWS_RELATION
        start = "cur_start" if kind[1] is Window.CURRENT else "prior_start"
        on = fragment("w.unit = s.unit AND w.start = :start", start=column(start, "s"))
    conditions, _ = selection.conditions("w")
    keys = selection.keys()
    rows = (
        exp.select(column("slot", "s"), *selection.groups("w"), exp.column(exp.Star(), "w"))
        .from_(table(relation).as_("w"))
        .join(_slots(slots), on=on)
        .where(and_all(conditions))
    )
    return (
        exp.select(
            *keys,
            *(alias(fragment("COALESCE(SUM(:c), 0)", c=m.column), m.name) for m in _measures(kind)),
        )
        .from_(rows.subquery("rows"))
        .group_by(*keys)
    )
