"""Writing a version's files: each table as a fact file, its rollups, and the manifest's dataset.

A table is stored once, as its fact file: the typed export rows, sorted by
day, with the cockpit's own columns added (`__cx_day`, the members of every
dimension, the customer's member combination). The engine reads it where it
lies; a later publish reads its typed columns back when it must rebuild.

Only what a change affects is rebuilt: a new orders file rebuilds orders'
fact and rollups and links every other file from the version it is based
on; new customers change every row's members, so everything is rebuilt.
Whatever is derived lives in the version folder next to what it comes from,
so it can never be out of step with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
from sqlglot import exp

from cxcore.data.contract import BASE_DIMENSIONS, TABLES
from cxcore.data.dataset import (
    DAY,
    Place,
    Relation,
    TableInfo,
    fact_relation,
    member_order,
)
from cxcore.data.facts import discover_dimensions, fact_select, members
from cxcore.data.reading import ROW_COLUMN
from cxcore.data.suspicious import suspicious_rows
from cxcore.data.validation import Finding, Severity
from cxcore.database import one_row
from cxcore.metrics.rollup_build import build_rollups
from cxcore.metrics.rollup_sink import ParquetSink, source
from cxcore.metrics.shares import count_rows, passes_for
from cxcore.sqlkit import column, copy_to_parquet, render
from cxcore.store.candidate import Progress, notify
from cxcore.store.fs import link_or_copy
from cxcore.store.layout import DERIVED_DIR, SCRATCH_DIR, TABLES_DIR, VersionInfo

INCOMPLETE_STORE = "published without the required tables"
# What the cockpit serves meanwhile (it opens a store that lacks them, with what it holds).
UNTIL_PUBLISHED = {
    "orders": "every KPI of orders is empty",
    "customers": "every customer is in the Unknown member of each dimension",
}

SYSTEM_PREFIX = "__cx_"
# Where each building step starts, as a share of checking an upload (reading and the
# contract's rules come before).
BUILD_STEPS = {"facts": 0.6, "rollups": 0.75, "describe": 0.95}


@dataclass(frozen=True)
class Change:
    """A table this version replaces: its typed rows in the building connection."""

    table: str
    rows: exp.Expr  # typed rows, with their file row numbers under ROW_COLUMN
    columns: tuple[str, ...]  # the typed columns, in order
    file: str  # the name the analyst gave the upload
    warnings: tuple[Finding, ...] = ()


@dataclass
class Built:
    files: dict[str, str] = field(default_factory=dict)  # table -> fact file in the version
    relations: dict[str, str] = field(default_factory=dict)  # relation -> file in the version
    dataset: dict[str, Any] = field(default_factory=dict)

    @property
    def tables(self) -> dict[str, int]:
        """Rows per table of the built version: what its manifest records as `tables`,
        read one way by every writer (publish, rollback, seeding) and by the check."""
        return {t: int(info["rows"]) for t, info in self.dataset["tables"].items()}


def typed_rows(path: Path, columns: Sequence[str]) -> exp.Expr:
    """A stored table's typed rows, numbered in stored order, from its fact file."""
    reader = exp.func(
        "read_parquet",
        exp.Literal.string(str(path)),
        exp.EQ(this=exp.var("file_row_number"), expression=exp.true()),
    )
    number = exp.Add(this=exp.column("file_row_number"), expression=exp.Literal.number(1))
    return exp.Subquery(
        this=exp.select(*(column(c) for c in columns), exp.alias_(number, ROW_COLUMN)).from_(reader)
    )


def build(
    con: duckdb.DuckDBPyConnection,
    stage: Path,
    changes: Sequence[Change],
    base_folder: Path | None,
    base: VersionInfo | None,
    progress: Progress | None = None,
) -> Built:
    """Write every file of the version staged in `stage` and describe it for the manifest.

    Each step says when it starts (`progress`): an analyst waiting on a large upload
    sees which one it is, and the benchmark times each.
    """
    changed = {c.table: c for c in changes}
    old = dict(base.dataset) if base and base.relations else {}
    names = [n for n in TABLES if n in changed or (base and n in base.files)]
    rebuild = set(names) if "customers" in changed or not old else set(changed)
    typed = {n: _typed_source(n, changed, base_folder, base) for n in names}
    if "customers" in rebuild:
        dimensions = discover_dimensions(con, typed["customers"][0])
    elif old:
        dimensions = list(old["dimensions"])
    else:  # no customers yet: every row's members are Unknown
        dimensions = list(BASE_DIMENSIONS)
    built = Built()
    facts: dict[str, Relation] = {}
    notify(progress, BUILD_STEPS["facts"], "building the new version: facts sorted by day")
    for name in sorted(names, key=lambda n: n != "customers"):  # customers first
        target = stage / TABLES_DIR / f"{name}.parquet"
        if name in rebuild:
            rows, columns = typed[name]
            customers = source(facts["customers"]) if "customers" in facts else None
            query = fact_select(name, rows, customers, columns, dimensions)
            _write_fact(con, query, target, stage / SCRATCH_DIR, count_rows(con, rows))
        else:
            assert base_folder is not None and base is not None
            link_or_copy(base_folder / base.files[name], target)
        facts[name] = Relation(Place.PARQUET, str(target))
        built.files[name] = f"{TABLES_DIR}/{target.name}"
        built.relations[fact_relation(name)] = built.files[name]
    notify(progress, BUILD_STEPS["rollups"], "building the rollups")
    _rollups(con, stage, facts, dimensions, rebuild, base_folder, base, built)
    notify(progress, BUILD_STEPS["describe"], "describing the version: coverage, members")
    built.dataset = _describe(con, facts, typed, dimensions, rebuild, changed, old)
    return built


def _write_fact(
    con: duckdb.DuckDBPyConnection, query: exp.Select, target: Path, scratch: Path, rows: int
) -> None:
    """The fact rows sorted by day into `target`; beyond one pass's rows, in two steps.

    In one statement the join to the customers holds its table in memory while the
    sort gathers its rows, and the two together ran out of 1 GB at 200M web sessions
    (as at 20M in 150 MB), while each alone fit. Writing the joined rows unsorted
    first costs about half as long again, so a table small enough for the memory
    (`passes_for`) is still written in one statement.
    """
    if passes_for(con, rows) == 1:
        con.execute(copy_to_parquet(query.order_by(column(DAY)), target))
        return
    scratch.mkdir(parents=True, exist_ok=True)
    unsorted = scratch / f"{target.stem}-unsorted.parquet"
    con.execute(copy_to_parquet(query, unsorted))
    joined = exp.select("*").from_(exp.func("read_parquet", exp.Literal.string(str(unsorted))))
    con.execute(copy_to_parquet(joined.order_by(column(DAY)), target))
    unsorted.unlink()


def _typed_source(
    name: str, changed: Mapping[str, Change], base_folder: Path | None, base: VersionInfo | None
) -> tuple[exp.Expr, tuple[str, ...]]:
    if name in changed:
        return changed[name].rows, changed[name].columns
    assert base_folder is not None and base is not None
    return stored_table(base, base_folder, name)


def stored_table(info: VersionInfo, folder: Path, name: str) -> tuple[exp.Expr, tuple[str, ...]]:
    """A table as version `info` (in `folder`) stored it: its typed rows and their columns.

    Building on, checking against, previewing beside and restoring a version all
    read a stored table; this is the one way its file and its columns are paired.
    """
    columns = typed_columns(info, folder, name)
    return typed_rows(folder / info.files[name], columns), columns


def typed_columns(info: VersionInfo, folder: Path, name: str) -> tuple[str, ...]:
    """A stored table's typed columns: listed in the manifest, or (first layout) the file's."""
    if info.relations:
        return tuple(info.dataset["tables"][name]["columns"])
    schema = pq.read_schema(folder / info.files[name])
    return tuple(c for c in schema.names if not c.startswith(SYSTEM_PREFIX))


def _rollups(
    con: duckdb.DuckDBPyConnection,
    stage: Path,
    facts: dict[str, Relation],
    dimensions: Sequence[str],
    rebuild: set[str],
    base_folder: Path | None,
    base: VersionInfo | None,
    built: Built,
) -> None:
    sink = ParquetSink(con, stage / DERIVED_DIR)
    chosen = [n for n in facts if n in rebuild]
    fresh = build_rollups(con, facts, dimensions, sink, stage / SCRATCH_DIR, chosen)
    for relation, placed in fresh.items():
        built.relations[relation] = f"{DERIVED_DIR}/{Path(placed.target).name}"
    if base is None or base_folder is None:
        return
    for relation, rel in base.relations.items():
        if relation not in built.relations:  # a rollup of a table this version keeps
            link_or_copy(base_folder / rel, stage / rel)
            built.relations[relation] = rel


def _describe(
    con: duckdb.DuckDBPyConnection,
    facts: Mapping[str, Relation],
    typed: Mapping[str, tuple[exp.Expr, tuple[str, ...]]],
    dimensions: Sequence[str],
    rebuild: set[str],
    changed: Mapping[str, Change],
    old: Mapping[str, Any],
) -> dict[str, Any]:
    """Tables with coverage, members per table and in all, and the warnings of each table."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    tables: dict[str, Any] = {}
    per_table: dict[str, Any] = {}
    warnings: list[dict[str, Any]] = []
    for name in facts:
        if name in rebuild:
            rows, first, last = _coverage(con, source(facts[name]))
            previous = old.get("tables", {}).get(name, {})
            tables[name] = TableInfo(
                name,
                rows,
                first,
                last,
                typed[name][1],
                changed[name].file if name in changed else str(previous.get("file", "")),
                now if name in changed else _changed_at(previous),
            ).as_dict()
            per_table[name] = {
                d: list(m) for d, m in members(con, {name: source(facts[name])}, dimensions).items()
            }
        else:
            tables[name] = old["tables"][name]
            per_table[name] = old["members"][name]
    for name in facts:
        warnings += [f.as_dict() for f in _warnings(con, name, changed, typed, rebuild, old)]
    return {
        "tables": tables,
        "dimensions": _merged(per_table, dimensions),
        "members": per_table,
        "warnings": warnings,
    }


def incomplete_store(table: str, present: Iterable[str]) -> Finding | None:
    """The warning that a publish leaves the store without a required table.

    It is true of that publish, not of the table's rows, so it is shown with the
    publish and never kept in a version: a version that opens is complete.
    """
    have = {table, *present}
    missing = [t for t, spec in TABLES.items() if spec.required and t not in have]
    if not missing:
        return None
    meanwhile = "; ".join(UNTIL_PUBLISHED[t] for t in missing)
    rule = f"{INCOMPLETE_STORE} {', '.join(missing)}: until then {meanwhile}"
    return Finding(table, None, rule, 0, Severity.WARNING)


def kept_warnings(found: Iterable[Finding]) -> tuple[Finding, ...]:
    """The warnings a version keeps: all but an incomplete store's (versions published
    before this rule kept it too, and showed it long after the store was whole)."""
    return tuple(f for f in found if not f.rule.startswith(INCOMPLETE_STORE))


def _warnings(
    con: duckdb.DuckDBPyConnection,
    name: str,
    changed: Mapping[str, Change],
    typed: Mapping[str, tuple[exp.Expr, tuple[str, ...]]],
    rebuild: set[str],
    old: Mapping[str, Any],
) -> list[Finding]:
    if name in changed:
        return list(changed[name].warnings)
    if name not in rebuild:
        carried = [Finding.from_dict(f) for f in old.get("warnings", []) if f["table"] == name]
        return list(kept_warnings(carried))
    customers = typed["customers"][0]
    return list(suspicious_rows(con, {name: typed[name][0]}, customers))


def _changed_at(previous: Mapping[str, Any]) -> dt.datetime | None:
    value = previous.get("changed_at")
    return dt.datetime.fromisoformat(str(value)) if value else None


def _coverage(
    con: duckdb.DuckDBPyConnection, fact: exp.Expr
) -> tuple[int, dt.date | None, dt.date | None]:
    day = column(DAY)
    query = exp.select(exp.Count(this=exp.Star()), exp.Min(this=day), exp.Max(this=day)).from_(
        fact.copy()
    )
    rows, first, last = one_row(con, render(query))
    return int(rows), first, last


def _merged(per_table: Mapping[str, Mapping[str, Sequence[str]]], dims: Sequence[str]) -> Any:
    return {
        d: sorted({m for found in per_table.values() for m in found.get(d, ())}, key=member_order)
        for d in dims
    }
