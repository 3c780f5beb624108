"""The query engine behind the Python contract: every KPI for a view, its trend, its breakdown.

An engine answers questions about one data set (a `Dataset`) through one
executor. It chooses, per table and per slot, the fastest exact path: daily
rollups for additive measures, the windows and pairs rollups for customer
measures of whole months, quarters and years, the fact rows for everything
else. Every path gives the base definition's numbers (property-tested), so
the choice is invisible to a caller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from cxcore.data.contract import TABLES
from cxcore.data.dataset import Dataset, TableInfo, dim_column
from cxcore.data.names import did_you_mean, normalise
from cxcore.data.validation import Finding
from cxcore.metrics.backend import Executor, plain
from cxcore.metrics.measures import ALL_NAMES, PRESENCE, Number, Window, table_of, zero_of
from cxcore.metrics.periods import (
    Compare,
    Period,
    PeriodError,
    Windows,
    parse_compare,
    period,
)
from cxcore.metrics.query import (
    BlockQuery,
    Selection,
    Slot,
    additive_query,
    customer_query,
    read_rows,
    shared_slots,
    view_slots,
)
from cxcore.metrics.registry import KPI_BY_NAME, KPIS, evaluate
from cxcore.metrics.rollups import pair_query, rolled, window_query

Key = tuple[str, ...]
SlotMeasures = dict[str, dict[str, Number]]  # slot -> measure -> value
MAX_BREAKDOWN_DIMENSIONS = 2
QUERY_THREADS = 4  # queries of one view run at once
NEARBY_DAYS = 31  # slots closer than this share one scan of the fact rows


class ArgumentError(ValueError):
    """A request the cockpit cannot answer as asked (unknown name, bad period)."""


class Engine:
    """KPIs over one data set; safe to share between threads."""

    def __init__(
        self,
        dataset: Dataset,
        executor: Executor,
        *,
        use_rollups: bool = True,
    ) -> None:
        self.dataset = dataset
        self.executor = executor
        self.use_rollups = use_rollups and dataset.has_rollups()
        # A view's queries run side by side: each has its own cursor, and the
        # engine does its work outside the interpreter lock.
        self._pool = ThreadPoolExecutor(max_workers=QUERY_THREADS, thread_name_prefix="cx-query")

    # -- what the data holds ---------------------------------------------------
    @property
    def dimensions(self) -> dict[str, list[str]]:
        """Every dimension and its members (Unknown last), for filters and breakdowns."""
        return {k: list(v) for k, v in self.dataset.dimensions.items()}

    @property
    def tables(self) -> dict[str, TableInfo]:
        return dict(self.dataset.tables)

    @property
    def first_day(self) -> dt.date | None:
        return self.dataset.first_day

    @property
    def last_day(self) -> dt.date | None:
        return self.dataset.last_day

    @property
    def warnings(self) -> list[Finding]:
        return list(self.dataset.warnings)

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
        windows = self.windows(start, end, compare)
        chosen = self.check_filters(filters or {})
        groups = self._check_by(by or ())
        totals = self.measures(view_slots(windows), chosen, ())
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
        views = [self.windows(start, end, compare) for start, end in periods]
        chosen = self.check_filters(filters or {})
        slots = shared_slots(views)
        measured = self.measures(list(slots.values()), chosen, ()).get((), {})

        def of(current: Period, prior: Period) -> dict[str, Number]:
            return measured[slots[current, prior].name]

        return [
            {
                "period": w.current.as_dict(),
                "comparison": {"mode": str(w.mode), **w.compared.as_dict()},
                "kpis": _kpis(
                    {"p": of(w.current, w.compared), "q": of(w.compared, w.before_compared)}
                ),
            }
            for w in views
        ]

    @staticmethod
    def windows(start: str | dt.date, end: str | dt.date, compare: str | Compare) -> Windows:
        try:
            return Windows.of(period(start, end), parse_compare(compare))
        except PeriodError as err:
            raise ArgumentError(str(err)) from None

    def _breakdown(
        self, windows: Windows, filters: dict[str, list[str]], by: tuple[str, ...]
    ) -> list[dict[str, Any]]:
        per_member = self.measures(view_slots(windows), filters, by)
        order = {d: {m: i for i, m in enumerate(self.dataset.dimensions[d])} for d in by}
        keys = sorted(
            per_member, key=lambda k: [order[d].get(m, -1) for d, m in zip(by, k, strict=True)]
        )
        return [{**dict(zip(by, key, strict=True)), "kpis": _kpis(per_member[key])} for key in keys]

    # -- measures ----------------------------------------------------------------
    def measures(
        self, slots: Sequence[Slot], filters: Mapping[str, Sequence[str]], by: tuple[str, ...]
    ) -> dict[Key, SlotMeasures]:
        """Measures per member key and slot; absent tables null, present ones 0 when empty.

        A breakdown member is kept when it has a row in any slot's current window.
        """
        selection = self.selection(filters, by)
        tables = [n for n in TABLES if self.dataset.has(n) and self._attributable(n, filters, by)]
        blocks = [(n, b) for n in tables for b in self._blocks(n, slots, selection)]
        answers = self._pool.map(
            lambda item: self.executor.fetch(item[1].sql, item[1].params, item[1].shape), blocks
        )
        found: dict[str, dict[tuple[Any, ...], Mapping[str, Any]]] = {n: {} for n in tables}
        for (name, block), rows in zip(blocks, answers, strict=True):
            for key, values in read_rows(rows, block).items():
                found[name][key] = {**found[name].get(key, {}), **values}
        names = [slot.name for slot in slots]
        members = {
            key[1:]
            for name, rows in found.items()
            for key, values in rows.items()
            if values.get(PRESENCE[name])
        }
        keys = members if by else {()}
        return {key: {s: _slot_values(found, key, s) for s in names} for key in keys}

    def _blocks(self, name: str, slots: Sequence[Slot], selection: Selection) -> list[BlockQuery]:
        if name != "orders":
            return [additive_query(name, slots, selection, rolled=self.use_rollups)]
        if not self.use_rollups:
            return [customer_query(slots, selection)]
        blocks = [additive_query(name, slots, selection, rolled=True)]
        ready = [r for s in slots if (r := rolled(s)) is not None]
        if ready:
            blocks += [
                window_query(ready, selection, Window.CURRENT),
                window_query(ready, selection, Window.PRIOR),
                pair_query(ready, selection),
            ]
        rest = [s for s in slots if rolled(s) is None]
        blocks += [customer_query(group, selection, with_additive=False) for group in nearby(rest)]
        return blocks

    def selection(self, filters: Mapping[str, Sequence[str]], by: Sequence[str]) -> Selection:
        """Dimension names as the columns facts and rollups carry them."""

        def col(dimension: str) -> str:
            return dim_column(self.dataset.dimension_index(dimension))

        return Selection(
            tuple((col(d), tuple(m)) for d, m in sorted(filters.items())),
            tuple(col(d) for d in by),
        )

    def _attributable(self, name: str, filters: Mapping[str, Any], by: tuple[str, ...]) -> bool:
        """Spend carries only its own segment and region; other dimensions can't split it."""
        carried = self.dataset.dimensions_of(name)
        return all(d in carried for d in [*filters, *by])

    # -- argument checks -------------------------------------------------------
    def check_dimension(self, name: str) -> str:
        """A known dimension, matched like column names: trimmed, case-insensitive."""
        name = normalise(name)
        if name not in self.dataset.dimensions:
            raise ArgumentError(
                f"unknown dimension {name!r}" + did_you_mean(name, self.dataset.dimensions)
            )
        return name

    def check_filters(self, filters: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
        chosen: dict[str, list[str]] = {}
        for name, members in filters.items():
            if isinstance(members, str):
                members = [members]
            name = self.check_dimension(name)
            if members:
                chosen.setdefault(name, []).extend(str(m) for m in members)
        return chosen

    def _check_by(self, by: Sequence[str]) -> tuple[str, ...]:
        if isinstance(by, str):
            by = [by]
        groups = tuple(self.check_dimension(d) for d in by)
        if len(groups) > MAX_BREAKDOWN_DIMENSIONS:
            raise ArgumentError(
                f"breakdown takes at most {MAX_BREAKDOWN_DIMENSIONS} dimensions, got {len(groups)}"
            )
        if len(set(groups)) != len(groups):
            raise ArgumentError("breakdown names the same dimension twice")
        return groups


def nearby(slots: Sequence[Slot]) -> list[list[Slot]]:
    """Slots grouped so each group's days lie close together: one query per group reads
    the day-sorted rows of its own span, not of everything between far-apart windows."""
    groups: list[list[Slot]] = []
    last_day: dt.date | None = None
    for slot in sorted(slots, key=lambda s: min(s.current.start, s.prior.start)):
        first = min(slot.current.start, slot.prior.start)
        if groups and last_day is not None and (first - last_day).days <= NEARBY_DAYS:
            groups[-1].append(slot)
        else:
            groups.append([slot])
        end = max(slot.current.end, slot.prior.end)
        last_day = end if last_day is None or not groups[-1][:-1] else max(last_day, end)
    return groups


def _slot_values(
    found: dict[str, dict[tuple[Any, ...], Mapping[str, Any]]], key: Key, slot: str
) -> dict[str, Number]:
    values: dict[str, Number] = {}
    for name in ALL_NAMES:
        rows = found.get(table_of(name))
        if rows is None:
            values[name] = None
        else:
            values[name] = plain(rows.get((slot, *key), {}).get(name, zero_of(name)))
    return values


def _kpis(slots: SlotMeasures) -> dict[str, dict[str, Number]]:
    current, previous = evaluate(slots["p"]), evaluate(slots["q"])
    return {k.name: {"value": current[k.name], "previous": previous[k.name]} for k in KPIS}


__all__ = ["KPI_BY_NAME", "ArgumentError", "Compare", "Engine"]
