"""What an upload would change, shown before the analyst presses Publish.

The upload is checked and staged as the version it would publish (see
`check`), and the comparison reads that staged version beside the current
one: row counts and dates from their manifests, rows added, removed and
changed from their files, the latest quarter's KPIs from their rollups. So
the preview cannot promise one thing and the publish do another, and
nothing is loaded again. Plain data only: the upload page renders it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from sqlglot import exp

from cxcore import database
from cxcore.data.contract import MAX_DIMENSION_MEMBERS, TABLES, Kind
from cxcore.data.dataset import TableInfo
from cxcore.data.formats import ReadOptions
from cxcore.data.validation import Report
from cxcore.database import one_row
from cxcore.metrics.engine import Engine
from cxcore.metrics.periods import CalendarUnit, Period, latest_whole
from cxcore.settings import Settings
from cxcore.sqlkit import aliased, column, render
from cxcore.store.build import stored_table, typed_rows
from cxcore.store.candidate import Progress
from cxcore.store.check import Checked, check
from cxcore.store.layout import VersionInfo, read_version, version_dir
from cxcore.store.reader import open_folder, open_version

PREVIEW_ROWS = 20
MAX_NEW_MEMBERS = 50


@dataclass
class Comparison:
    """The upload next to the current version; `after_*` stay None when it is refused."""

    table: str
    mode: str
    report: Report
    base_version: int
    rows_before: int | None = None
    rows_after: int | None = None
    rows_added: int | None = None
    rows_removed: int | None = None
    rows_changed: int | None = None  # same id, different values
    dates_before: tuple[dt.date, dt.date] | None = None
    dates_after: tuple[dt.date, dt.date] | None = None
    new_members: dict[str, list[str]] = field(default_factory=dict)
    quarter: dict[str, str] | None = None  # start, end
    kpis: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> before/after
    coverage: dict[str, dict[str, str | None]] = field(default_factory=dict)  # table -> dates
    preview: list[dict[str, Any]] = field(default_factory=list)
    checked: Checked | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.report.ok

    def as_dict(self) -> dict[str, Any]:
        data = asdict(dataclasses.replace(self, checked=None))
        data.pop("checked", None)
        data["report"] = self.report.as_dicts()
        data["ok"] = self.ok
        return data


def compare_with_current(
    root: Path | str,
    table_name: str,
    files: Sequence[Path | str],
    mode: str = "replace",
    column_map: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    settings: Settings | None = None,
    options: ReadOptions | None = None,
) -> Comparison:
    """Check and stage the upload, and summarise its effect; the store's pointer stays put.

    The staged version travels in `checked`: publishing it is a rename, and
    discarding it (a new check, or no publish) removes it.
    """
    settings = settings or Settings.from_env()
    root = Path(root)
    checked = check(
        root, table_name, files, mode, column_map, progress, settings=settings, options=options
    )
    result = Comparison(table_name, mode, checked.report, checked.base_version, checked=checked)
    if not checked.ok or checked.stage is None or checked.info is None:
        return result
    base = read_version(root, checked.base_version) if checked.base_version else None
    folder = version_dir(root, checked.base_version) if base else None
    _fill(result, checked.stage, checked.info, folder, base)
    _quarter_kpis(result, root, checked, settings)
    return result


def _fill(
    result: Comparison,
    stage: Path,
    after: VersionInfo,
    folder: Path | None,
    before: VersionInfo | None,
) -> None:
    name = result.table
    now = TableInfo.from_dict(name, after.dataset["tables"][name])
    result.rows_after = now.rows
    if now.first_day and now.last_day:
        result.dates_after = (now.first_day, now.last_day)
    result.coverage = {
        t: {"first_day": info.get("first_day"), "last_day": info.get("last_day")}
        for t, info in after.dataset["tables"].items()
    }
    con = database.working(folders=[stage, *filter(None, [folder])])
    try:
        new = typed_rows(stage / after.files[name], now.columns)
        old = None
        if before is not None and folder is not None and name in before.files:
            was = _table_info(before, name)
            if was and was.first_day and was.last_day:
                result.dates_before = (was.first_day, was.last_day)
            old, _ = stored_table(before, folder, name)
        if old is not None:
            _row_changes(con, result, new, old)
        else:
            result.rows_before, result.rows_added, result.rows_removed = 0, now.rows, 0
        result.new_members = _new_members(con, name, new, old)
        result.preview = _preview(con, new, now.columns)
    finally:
        con.close()


def _table_info(info: VersionInfo, name: str) -> TableInfo | None:
    described = info.dataset.get("tables", {}).get(name)
    return TableInfo.from_dict(name, described) if described else None


def _row_changes(
    con: duckdb.DuckDBPyConnection, result: Comparison, new: exp.Expr, old: exp.Expr
) -> None:
    """Added, removed and changed rows by id; whole-row differences for tables without one."""
    name = result.table
    shared = [c for c in _columns(con, new) if c in set(_columns(con, old))]
    key = TABLES[name].id_column
    if key:
        result.rows_added = _scalar(con, _count(_missing_ids(new, old, key)))
        result.rows_removed = _scalar(con, _count(_missing_ids(old, new, key)))
        values = [c for c in shared if c != key]
        if values:
            changed = (
                exp.select(exp.Count(this=exp.Star()))
                .from_(aliased(new, "a"))
                .join(
                    aliased(old, "b"),
                    on=exp.EQ(this=column(key, "a"), expression=column(key, "b")),
                )
                .where(
                    exp.NullSafeNEQ(
                        this=exp.Tuple(expressions=[column(c, "a") for c in values]),
                        expression=exp.Tuple(expressions=[column(c, "b") for c in values]),
                    )
                )
            )
            result.rows_changed = _scalar(con, changed)
    else:
        cols = [column(c) for c in shared]
        now = exp.select(*cols).from_(aliased(new, "n"))
        was = exp.select(*cols).from_(aliased(old, "o"))
        result.rows_added = _scalar(con, _count(exp.except_(now, was, distinct=False)))
        result.rows_removed = _scalar(
            con, _count(exp.except_(was.copy(), now.copy(), distinct=False))
        )
    result.rows_before = _scalar(con, _count(exp.select("*").from_(aliased(old, "o"))))


def _columns(con: duckdb.DuckDBPyConnection, rows: exp.Expr) -> list[str]:
    query = exp.Describe(this=exp.select("*").from_(aliased(rows, "r")))
    described = con.execute(render(query)).fetchall()
    return [r[0] for r in described if not str(r[0]).startswith("__cx_")]


def _missing_ids(source: exp.Expr, other: exp.Expr, key: str) -> exp.Select:
    """Rows of `source` whose id `other` does not have."""
    ids = (
        exp.select(column(key))
        .from_(aliased(other, "o"))
        .where(exp.not_(exp.column(key).is_(exp.null())))
    )
    return (
        exp.select("*")
        .from_(aliased(source, "s"))
        .where(exp.not_(exp.In(this=column(key), query=ids.subquery())))
    )


def _scalar(con: duckdb.DuckDBPyConnection, query: exp.Expr) -> int:
    (value,) = one_row(con, render(query))
    return int(value)


def _count(query: exp.Query) -> exp.Select:
    return exp.select(exp.Count(this=exp.Star())).from_(query.subquery("d"))


def _new_members(
    con: duckdb.DuckDBPyConnection, name: str, new: exp.Expr, old: exp.Expr | None
) -> dict[str, list[str]]:
    """Text columns (dimensions, categories, channels) gaining values nobody saw before."""
    ids = {c.name for c in TABLES[name].columns if c.kind is Kind.ID}
    query = exp.Describe(this=exp.select("*").from_(aliased(new, "n")))
    described = con.execute(render(query)).fetchall()
    old_columns = set(_columns(con, old)) if old is not None else set()
    found: dict[str, list[str]] = {}
    for col, duck_type, *_ in described:
        if duck_type != "VARCHAR" or col in ids or col == "comment" or col.startswith("__cx_"):
            continue
        values = _distinct(con, new, col)
        if len(values) > MAX_DIMENSION_MEMBERS:
            continue
        seen = _distinct(con, old, col) if old is not None and col in old_columns else set()
        fresh = sorted(v for v in values if v is not None and v not in seen)
        if fresh:
            found[col] = fresh[:MAX_NEW_MEMBERS]
    return found


def _distinct(con: duckdb.DuckDBPyConnection, rows: exp.Expr, col: str) -> set[str]:
    query = exp.select(column(col)).distinct().from_(aliased(rows, "r"))
    return {r[0] for r in con.execute(render(query)).fetchall()}


def _preview(
    con: duckdb.DuckDBPyConnection, rows: exp.Expr, columns: Sequence[str]
) -> list[dict[str, Any]]:
    query = exp.select(*(column(c) for c in columns)).from_(aliased(rows, "r"))
    query = query.limit(PREVIEW_ROWS)
    cursor = con.execute(render(query))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def latest_whole_quarter(last_day: dt.date) -> Period:
    """The last calendar quarter that ends on or before `last_day`."""
    return latest_whole(last_day, CalendarUnit.QUARTER)


def _quarter_kpis(result: Comparison, root: Path, checked: Checked, settings: Settings) -> None:
    """The latest whole quarter's KPIs, from the current version's and the staged one's rollups."""
    assert checked.stage is not None and checked.info is not None
    after = open_folder(checked.stage, checked.info, settings)
    before = open_version(root, checked.base_version, settings) if checked.base_version else None
    try:
        ends = (after.dataset.last_day, before.dataset.last_day if before else None)
        days = [d for d in ends if d]
        if not days:
            return
        quarter = latest_whole_quarter(max(days))
        result.quarter = quarter.as_dict()
        now = _quarter(after.dataset, after.executor, quarter)
        was = _quarter(before.dataset, before.executor, quarter) if before else {}
        result.kpis = {
            name: {"before": was.get(name, {}).get("value"), "after": value["value"]}
            for name, value in now.items()
        }
    finally:
        after.close()
        if before is not None:
            before.close()


def _quarter(dataset: Any, executor: Any, quarter: Period) -> dict[str, Any]:
    required = all(dataset.has(t) for t, s in TABLES.items() if s.required)
    if not required:
        return {}
    return Engine(dataset, executor).kpis(quarter.start, quarter.end)["kpis"]
