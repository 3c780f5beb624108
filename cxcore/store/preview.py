"""What an upload would change, shown before the analyst presses Publish.

Built from the same candidate the publish would make current (see
`candidate.prepare`), so the preview cannot promise one thing and the publish
do another. Plain data only: the upload page renders it, tests read it.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlglot import exp

from cxcore.data.catalog import Catalog
from cxcore.data.contract import MAX_DIMENSION_MEMBERS, TABLES, Kind
from cxcore.data.validation import Report
from cxcore.metrics.engine import Engine
from cxcore.metrics.periods import Period, add_months
from cxcore.settings import Settings
from cxcore.sqlkit import column, create_table, describe, fragment, param, render, table
from cxcore.store.candidate import Progress, prepare, stored_select
from cxcore.store.layout import current_files, current_version, is_store
from cxcore.store.publish import check_request

PREVIEW_ROWS = 20
PRIOR = "prior"  # the published table, loaded beside the candidate
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
    quarter: dict[str, str] | None = None  # start, end, label
    kpis: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> before/after
    preview: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.report.ok

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
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
) -> Comparison:
    """Validate the upload and summarise its effect; writes nothing to the store."""
    check_request(table_name, mode)
    settings = settings or Settings.from_env()
    root = Path(root)
    version = current_version(root) if is_store(root) else 0
    base_files = current_files(root, version)[1] if version else {}
    with tempfile.TemporaryDirectory(prefix="cx-compare-") as work:
        candidate = prepare(
            table_name,
            files,
            mode,
            column_map,
            base_files,
            settings.max_upload_bytes,
            Path(work),
            progress,
        )
        result = Comparison(table_name, mode, candidate.report, version)
        if not candidate.ok or candidate.catalog is None:
            return result
        before = _catalog(base_files)
        _fill(result, candidate.catalog, before, base_files.get(table_name), root)
    return result


def _catalog(files: Mapping[str, Path]) -> Catalog | None:
    required = all(t in files for t, s in TABLES.items() if s.required)
    return Catalog.from_files(files) if required else None


def _fill(
    result: Comparison, after: Catalog, before: Catalog | None, old: Path | None, root: Path
) -> None:
    name = result.table
    info = after.tables[name]
    result.rows_after = info.rows
    if info.first_day and info.last_day:
        result.dates_after = (info.first_day, info.last_day)
    if before is not None and before.has(name):
        was = before.tables[name]
        result.rows_before = was.rows
        if was.first_day and was.last_day:
            result.dates_before = (was.first_day, was.last_day)
    if old is not None:
        _row_changes(result, after, old)
    else:
        result.rows_before, result.rows_added, result.rows_removed = 0, info.rows, 0
    result.new_members = _new_members(after, name, old)
    result.preview = _preview(after, name)
    _quarter_kpis(result, after, before, root)


def _row_changes(result: Comparison, after: Catalog, old: Path) -> None:
    """Added, removed and changed rows by id; whole-row differences for tables without one."""
    con, name = after.con, result.table
    query = exp.select("*").from_(fragment("read_parquet(:p)", p=param("p")))
    con.execute(create_table(PRIOR, query, temporary=True), {"p": str(old)})
    old_columns = {r[0] for r in con.execute(describe(PRIOR)).fetchall()}
    shared = [c for c in after.tables[name].columns if c in old_columns]
    key = TABLES[name].id_column
    if key:
        result.rows_added = _scalar(con, _count(_missing_ids(name, PRIOR, key)))
        result.rows_removed = _scalar(con, _count(_missing_ids(PRIOR, name, key)))
        values = [c for c in shared if c != key]
        if values:
            changed = (
                exp.select(exp.Count(this=exp.Star()))
                .from_(table(name).as_("a"))
                .join(
                    table(PRIOR).as_("b"),
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
        new, prior = exp.select(*cols).from_(table(name)), exp.select(*cols).from_(table(PRIOR))
        result.rows_added = _scalar(con, _count(exp.except_(new, prior, distinct=False)))
        result.rows_removed = _scalar(
            con, _count(exp.except_(prior.copy(), new.copy(), distinct=False))
        )
    result.rows_before = _scalar(con, _count(exp.select("*").from_(table(PRIOR))))


def _missing_ids(source: str, other: str, key: str) -> exp.Select:
    """Rows of `source` whose id `other` does not have."""
    ids = (
        exp.select(column(key)).from_(table(other)).where(exp.not_(exp.column(key).is_(exp.null())))
    )
    return (
        exp.select("*")
        .from_(table(source))
        .where(exp.not_(exp.In(this=column(key), query=ids.subquery())))
    )


def _scalar(con: Any, query: exp.Expression) -> int:
    (value,) = con.execute(render(query)).fetchone()
    return int(value)


def _count(query: exp.Expression) -> exp.Select:
    return exp.select(exp.Count(this=exp.Star())).from_(query.subquery("d"))


def _new_members(after: Catalog, name: str, old: Path | None) -> dict[str, list[str]]:
    """Text columns (dimensions, categories, channels) gaining values nobody saw before."""
    spec = TABLES[name]
    ids = {c.name for c in spec.columns if c.kind is Kind.ID}
    described = after.con.execute(render(exp.Describe(this=table(name)))).fetchall()
    found: dict[str, list[str]] = {}
    for col, duck_type, *_ in described:
        if duck_type != "VARCHAR" or col in ids or col == "comment":
            continue
        values = _distinct(after, exp.select(column(col)).distinct().from_(table(name)), {})
        if len(values) > MAX_DIMENSION_MEMBERS:
            continue
        seen = _old_values(after, col, old)
        new = sorted(v for v in values if v is not None and v not in seen)
        if new:
            found[col] = new[:MAX_NEW_MEMBERS]
    return found


def _old_values(after: Catalog, col: str, old: Path | None) -> set[str]:
    if old is None:
        return set()
    columns = {r[0] for r in after.con.execute(describe(PRIOR)).fetchall()}
    if col not in columns:  # a new column: every value is new
        return set()
    return _distinct(after, exp.select(column(col)).distinct().from_(table(PRIOR)), {})


def _distinct(catalog: Catalog, query: exp.Select, params: dict[str, str]) -> set[str]:
    return {r[0] for r in catalog.con.execute(render(query), params).fetchall()}


def _preview(after: Catalog, name: str) -> list[dict[str, Any]]:
    query = stored_select(after.con, name).limit(PREVIEW_ROWS)
    cursor = after.con.execute(render(query))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def latest_whole_quarter(last_day: dt.date) -> Period:
    """The last calendar quarter that ends on or before `last_day`."""
    start = dt.date(last_day.year, 3 * ((last_day.month - 1) // 3) + 1, 1)
    end = add_months(start, 3) - dt.timedelta(days=1)
    if end > last_day:
        start = add_months(start, -3)
        end = add_months(start, 3) - dt.timedelta(days=1)
    return Period(start, end)


def _quarter_kpis(result: Comparison, after: Catalog, before: Catalog | None, root: Path) -> None:
    days = [d for d in (after.last_day, before.last_day if before else None) if d]
    if not days:
        return
    quarter = latest_whole_quarter(max(days))
    label = f"{quarter.start.year}-Q{(quarter.start.month - 1) // 3 + 1}"
    result.quarter = {**quarter.as_dict(), "label": label}
    now = Engine(after, root).kpis(quarter.start, quarter.end)["kpis"]
    was = Engine(before, root).kpis(quarter.start, quarter.end)["kpis"] if before else {}
    result.kpis = {
        name: {"before": was.get(name, {}).get("value"), "after": value["value"]}
        for name, value in now.items()
    }
