"""The query engine behind the Python contract: every KPI for a view, its trend, its breakdown.

A Cockpit owns one DuckDB database per process and hands each query its own
cursor, so pages, the command line and threads can share it safely.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from cxcore.data.catalog import Catalog, TableInfo
from cxcore.data.contract import TABLES
from cxcore.data.names import did_you_mean, normalise
from cxcore.metrics.measures import MEASURES, PRESENCE, Number
from cxcore.metrics.periods import Compare, PeriodError, Windows, parse_compare, period
from cxcore.metrics.query import BlockQuery, Slot, block_query, view_slots
from cxcore.metrics.registry import KPI_BY_NAME, KPIS, evaluate
from cxcore.sqlkit import render

Key = tuple[str, ...]
SlotMeasures = dict[str, dict[str, Number]]  # slot -> measure -> value
MAX_BREAKDOWN_DIMENSIONS = 2


class ArgumentError(ValueError):
    """A request the cockpit cannot answer as asked (unknown name, bad period)."""


class Engine:
    """KPIs over one loaded data set; safe to share between threads."""

    def __init__(self, catalog: Catalog, source: Path, version: int | None = None) -> None:
        self.catalog = catalog
        self.source = source
        self.version = version  # the store version read; None for a plain data folder
        self._lock = threading.Lock()

    # -- what the data holds ---------------------------------------------------
    @property
    def dimensions(self) -> dict[str, list[str]]:
        """Every dimension and its members (Unknown last), for filters and breakdowns."""
        return {k: list(v) for k, v in self.catalog.dimensions.items()}

    @property
    def tables(self) -> dict[str, TableInfo]:
        return dict(self.catalog.tables)

    @property
    def first_day(self) -> dt.date | None:
        return self.catalog.first_day

    @property
    def last_day(self) -> dt.date | None:
        return self.catalog.last_day

    @property
    def warnings(self) -> list[Any]:
        return self.catalog.report.warnings

    # -- the contract ----------------------------------------------------------
    def kpis(
        self,
        start: str | dt.date,
        end: str | dt.date,
        compare: str = "previous",
        filters: Mapping[str, Sequence[str]] | None = None,
        by: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """Every KPI for the view, with its comparison value, and an optional breakdown."""
        try:
            windows = Windows.of(period(start, end), parse_compare(compare))
        except PeriodError as err:
            raise ArgumentError(str(err)) from None
        chosen = self._check_filters(filters or {})
        groups = self._check_by(by or ())
        totals = self._measures(view_slots(windows), chosen, ())
        result: dict[str, Any] = {
            "period": windows.current.as_dict(),
            "comparison": {"mode": str(windows.mode), **windows.compared.as_dict()},
            "filters": {"segment": [], "region": [], **{k: list(v) for k, v in chosen.items()}},
            "kpis": _kpis(totals.get((), {})),
        }
        if groups:
            result["breakdown"] = self._breakdown(windows, chosen, groups)
        return result

    def kpis_many(
        self,
        periods: Sequence[tuple[str | dt.date, str | dt.date]],
        compare: str = "previous",
        filters: Mapping[str, Sequence[str]] | None = None,
    ) -> list[dict[str, Any]]:
        """`kpis()` for many periods at once (a trend, sparklines) in one query per table.

        Each entry equals what `kpis(start, end, compare, filters)` returns, without
        the filters echo; the numbers come from the same measures and formulas.
        """
        try:
            mode = parse_compare(compare)
            views = [Windows.of(period(start, end), mode) for start, end in periods]
        except PeriodError as err:
            raise ArgumentError(str(err)) from None
        chosen = self._check_filters(filters or {})
        slots = [
            Slot(f"{tag}{i}", current, prior)
            for i, w in enumerate(views)
            for tag, current, prior in (
                ("p", w.current, w.compared),
                ("q", w.compared, w.before_compared),
            )
        ]
        measured = self._measures(slots, chosen, ())[()]
        return [
            {
                "period": w.current.as_dict(),
                "comparison": {"mode": str(w.mode), **w.compared.as_dict()},
                "kpis": _kpis({"p": measured[f"p{i}"], "q": measured[f"q{i}"]}),
            }
            for i, w in enumerate(views)
        ]

    def _breakdown(
        self, windows: Windows, filters: dict[str, list[str]], by: tuple[str, ...]
    ) -> list[dict[str, Any]]:
        per_member = self._measures(view_slots(windows), filters, by)
        order = {d: {m: i for i, m in enumerate(self.catalog.dimensions[d])} for d in by}
        keys = sorted(
            per_member, key=lambda k: [order[d].get(m, -1) for d, m in zip(by, k, strict=True)]
        )
        return [{**dict(zip(by, key, strict=True)), "kpis": _kpis(per_member[key])} for key in keys]

    def _measures(
        self, slots: Sequence[Slot], filters: dict[str, list[str]], by: tuple[str, ...]
    ) -> dict[Key, SlotMeasures]:
        """Measures per member key and slot; absent tables null, present ones 0 when empty.

        A breakdown member is kept when it has a row in any slot's current window.
        """
        found: dict[str, dict[Key, SlotMeasures]] = {}
        for name in TABLES:
            if self.catalog.has(name) and self._attributable(name, filters, by):
                found[name] = self._run(block_query(name, slots, filters, by))
        names = [slot.name for slot in slots]
        keys = {
            key
            for name, rows in found.items()
            for key, measured in rows.items()
            if any(measured.get(s, {}).get(PRESENCE[name]) for s in names)
        }
        if not by:
            keys = {()}
        return {
            key: {slot: self._slot_measures(found, key, slot) for slot in names} for key in keys
        }

    def _slot_measures(
        self, found: dict[str, dict[Key, SlotMeasures]], key: Key, slot: str
    ) -> dict[str, Number]:
        values: dict[str, Number] = {}
        for measure in MEASURES:
            rows = found.get(measure.table)
            if rows is None:
                values[measure.name] = None
            else:
                values[measure.name] = (
                    rows.get(key, {}).get(slot, {}).get(measure.name, measure.zero)
                )
        return values

    def _attributable(self, name: str, filters: Mapping[str, Any], by: tuple[str, ...]) -> bool:
        """Spend carries only its own segment and region; other dimensions can't split it."""
        if name != "marketing_spend":
            return True
        return all(d in ("segment", "region") for d in [*filters, *by])

    def _run(self, block: BlockQuery) -> dict[Key, SlotMeasures]:
        with self._lock:
            cursor = self.catalog.con.cursor()
        try:
            rows = cursor.execute(render(block.sql), block.params).fetchall()
        finally:
            cursor.close()
        width = len(block.group_by)
        out: dict[Key, SlotMeasures] = {}
        for row in rows:
            slot, key, values = row[0], tuple(row[1 : 1 + width]), row[1 + width :]
            out.setdefault(key, {})[slot] = {
                name: _plain(v) for name, v in zip(block.measures, values, strict=True)
            }
        return out

    # -- argument checks -------------------------------------------------------
    def _check_dimension(self, name: str) -> str:
        """A known dimension, matched like column names: trimmed, case-insensitive."""
        name = normalise(name)
        if name not in self.catalog.dimensions:
            raise ArgumentError(
                f"unknown dimension {name!r}" + did_you_mean(name, self.catalog.dimensions)
            )
        return name

    def _check_filters(self, filters: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
        chosen: dict[str, list[str]] = {}
        for name, members in filters.items():
            if isinstance(members, str):
                members = [members]
            name = self._check_dimension(name)
            if members:
                chosen.setdefault(name, []).extend(str(m) for m in members)
        return chosen

    def _check_by(self, by: Sequence[str]) -> tuple[str, ...]:
        if isinstance(by, str):
            by = [by]
        groups = tuple(self._check_dimension(d) for d in by)
        if len(groups) > MAX_BREAKDOWN_DIMENSIONS:
            raise ArgumentError(
                f"breakdown takes at most {MAX_BREAKDOWN_DIMENSIONS} dimensions, got {len(groups)}"
            )
        if len(set(groups)) != len(groups):
            raise ArgumentError("breakdown names the same dimension twice")
        return groups


def _plain(value: Any) -> Number:
    """DuckDB decimals to floats, so results serialise as plain JSON numbers."""
    if isinstance(value, Decimal):
        return float(value)
    return value


def _kpis(slots: SlotMeasures) -> dict[str, dict[str, Number]]:
    current, previous = evaluate(slots["p"]), evaluate(slots["q"])
    return {k.name: {"value": current[k.name], "previous": previous[k.name]} for k in KPIS}


__all__ = ["KPI_BY_NAME", "ArgumentError", "Compare", "Engine"]
