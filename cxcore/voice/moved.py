"""Why it moved: a KPI's change between Q and P split by the members of a dimension.

Each KPI is a value over a base, summed over members, and its change splits
into volume (the base grew), mix (members' shares of the base shifted) and
rate (members' value per unit of base changed); the parts add up exactly to
the change (`cxcore.analytics.decomposition`). The bases:

- revenue = active customers x revenue per active customer;
- active customers = customers on the books x the share of them active, where
  the books are the customers who signed up on or before the period's last
  day; a member with active customers but nobody on the books (customers the
  customers table does not know) takes its active customers as its base;
- NPS = responses x NPS: a ratio, so only mix and rate (no volume), in points.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, cast

from cxcore.analytics.decomposition import (
    Decomposition,
    decompose_ratio,
    decompose_total,
    top_movers,
)
from cxcore.data.dataset import member_order
from cxcore.metrics.engine import ArgumentError, Engine
from cxcore.metrics.measures import Measures
from cxcore.metrics.periods import Period
from cxcore.metrics.query import Selection, Slot, additive_query, read_rows, view_slots
from cxcore.metrics.registry import KPI_BY_NAME

BOOKS = "new_customers"  # signups; summed from the first signup to a day: the books then


@dataclass(frozen=True)
class Basis:
    """How one KPI splits: its value and base per member, and whether the base's size counts."""

    value: Callable[[Measures], Any]
    base_label: str
    ratio: bool = False
    scale: int = 1


def _net_promoters(m: Measures) -> int:
    """Counts of responses: never missing (a count's zero is 0), so the cast only says so."""
    return cast(int, m["promoters"]) - cast(int, m["detractors"])


BASES: dict[str, Basis] = {
    "revenue": Basis(lambda m: m["revenue"], "active customers"),
    "active_customers": Basis(lambda m: m["active"], "customers on the books"),
    "nps": Basis(_net_promoters, "responses", ratio=True, scale=100),
}
BASE_MEASURE = {"revenue": "active", "nps": "responses"}


def why_it_moved(
    engine: Engine,
    kpi: str,
    start: str | dt.date,
    end: str | dt.date,
    compare: str = "previous",
    filters: Mapping[str, Sequence[str]] | None = None,
    by: str = "segment",
) -> dict[str, Any]:
    """The change of `kpi` from Q to P: volume, and each member of `by`'s mix and rate."""
    if kpi not in BASES:
        raise ArgumentError(f"why it moved is told for {', '.join(BASES)}, not {kpi!r}")
    basis = BASES[kpi]
    source = KPI_BY_NAME[kpi].source
    dimension = engine.check_dimension(by)
    windows = engine.windows(start, end, compare)
    chosen = engine.check_filters(filters or {})
    result: dict[str, Any] = {
        "kpi": kpi,
        "by": dimension,
        "period": windows.current.as_dict(),
        "comparison": {"mode": str(windows.mode), **windows.compared.as_dict()},
        "base": basis.base_label,
    }
    if not engine.dataset.has(source):
        return result | {"decomposition": None, "reason": f"the data has no {source} table"}
    if kpi == "active_customers" and not _has_books(engine):
        return result | {"decomposition": None, "reason": "the data has no customers table"}
    measured = engine.measures(view_slots(windows), chosen, (dimension,))
    ordered = sorted(measured.items(), key=lambda item: member_order(item[0][0]))
    selection = engine.selection(chosen, (dimension,))
    books = (
        _books(engine, selection, windows.current, windows.compared)
        if kpi == "active_customers"
        else {}
    )
    before = {k[0]: _pair(kpi, basis, s["q"], books.get(("q", *k))) for k, s in ordered}
    after = {k[0]: _pair(kpi, basis, s["p"], books.get(("p", *k))) for k, s in ordered}
    if basis.ratio and not all(sum(b for _, b in p.values()) for p in (before, after)):
        reason = f"no {basis.base_label} in one of the periods, so {kpi} has no change to split"
        return result | {"decomposition": None, "reason": reason}
    split = (decompose_ratio if basis.ratio else decompose_total)(before, after)
    return result | {"decomposition": _as_dict(split, basis.scale, before, after)}


def _pair(kpi: str, basis: Basis, measures: Measures, books: Any) -> tuple[Fraction, Fraction]:
    """(value, base) of one member in one period, as exact numbers."""
    value = Fraction(basis.value(measures) or 0)
    if kpi == "active_customers":
        base = Fraction(int(books or 0))
        return value, base if base or not value else value
    return value, Fraction(measures[BASE_MEASURE[kpi]] or 0)


def _has_books(engine: Engine) -> bool:
    info = engine.dataset.tables.get("customers")
    return info is not None and info.first_day is not None


def _books(
    engine: Engine, selection: Selection, current: Period, compared: Period
) -> dict[tuple[Any, ...], Any]:
    """Customers signed up on or before the last day of P (slot p) and of Q (slot q)."""
    first = engine.dataset.tables["customers"].first_day
    assert first is not None
    slots = [
        Slot(name, Period(first, max(first, window.end)), Period(first, max(first, window.end)))
        for name, window in (("p", current), ("q", compared))
    ]
    block = additive_query("customers", slots, selection, rolled=engine.use_rollups)
    rows = engine.executor.fetch(block.sql, block.params, block.shape)
    return {key: values[BOOKS] for key, values in read_rows(rows, block).items()}


def _as_dict(
    split: Decomposition,
    scale: int,
    before: Mapping[str, tuple[Fraction, Fraction]],
    after: Mapping[str, tuple[Fraction, Fraction]],
) -> dict[str, Any]:
    """Floats for JSON, each part scaled to the KPI's unit (NPS in points)."""

    def number(value: Any) -> float:
        return float(value * scale)

    members = [
        {
            "member": e.member,
            "mix": number(e.mix),
            "rate": number(e.rate),
            "change": number(e.change),
            "previous_base": float(before.get(e.member, (0, 0))[1]),
            "base": float(after.get(e.member, (0, 0))[1]),
        }
        for e in split.members
    ]
    return {
        "total_change": number(split.total_change),
        "volume": number(split.volume),
        "mix": number(sum((e.mix for e in split.members), Fraction(0))),
        "rate": number(sum((e.rate for e in split.members), Fraction(0))),
        "members": members,
        "movers": [e.member for e in top_movers(split)],
    }
