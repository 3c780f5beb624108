"""The data an upload would publish, checked before anything is written to the store.

Every uploaded file is checked on its own first (size, readability, column
mapping, contract rules), so a report names the file and its own row numbers.
Only then are the files combined (and, in append mode, merged with the
published table, newer row winning by id) and the combined table checked
once more for what spans files (an id used in two of them). The result is
one typed table in the checking connection, which is disk-backed and
memory-limited, so a file larger than memory is checked without loading it
into memory.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from sqlglot import exp

from cxcore.data.contract import TABLES
from cxcore.data.formats import ReadOptions
from cxcore.data.reading import ROW_COLUMN, RawTable, ReadError, load_raw
from cxcore.data.renames import apply_mapping, normalised
from cxcore.data.validation import (
    Finding,
    Report,
    Severity,
    clean_select,
    validate,
)
from cxcore.database import one_row
from cxcore.settings import DEFAULT_WINDOW, DateWindow
from cxcore.sqlkit import (
    alias,
    column,
    count_rows,
    create_table,
    describe,
    drop_table,
    fragment,
    ident,
    render,
    table,
)
from cxcore.store.limits import Limits, limit_findings
from cxcore.store.merging import as_published, clashes
from cxcore.store.repeats import appended_again, replaced_by_id

Progress = Callable[[float, str], None]
MODES = ("replace", "append")
PUBLISHED = "published"
CANDIDATE = "candidate"
COMBINED = "combined"
COMBINED_ORDER = "__cx_combined_order"  # each combined row's place, from 0


@dataclass
class Candidate:
    """A checked (or refused) upload; `rows` names its typed table when it passed."""

    table: str
    mode: str
    report: Report
    rows: str | None = None
    columns: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.report.ok


@dataclass(frozen=True)
class Published:
    """The table an append merges with: the published rows and their typed columns."""

    rows: exp.Expr
    columns: tuple[str, ...]


def notify(progress: Progress | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(min(max(fraction, 0.0), 1.0), message)


def prepare(
    con: duckdb.DuckDBPyConnection,
    table_name: str,
    files: Sequence[Path | str],
    mode: str,
    column_map: Mapping[str, str] | None,
    published: Published | None,
    rules: Rules,
    progress: Progress | None = None,
) -> Candidate:
    """Check the upload into the typed table CANDIDATE of `con`; never touches the store."""
    paths = [Path(p) for p in files]
    candidate = Candidate(table_name, mode, _files_report(table_name, paths, rules))
    if not candidate.ok:
        return candidate
    mapping = normalised(column_map or {})
    old: dict[str, str] | None = None
    if mode == "append" and published is not None:
        old = _load_published(con, published)
    parts: dict[str, str] = {}  # typed table -> its file's name
    alone = len(paths) == 1 and old is None
    for i, path in enumerate(paths):
        notify(progress, 0.05 + 0.4 * i / len(paths), f"reading and checking {path.name}")
        name = CANDIDATE if alone else f"part:{i}"
        part = _typed_part(con, candidate, path, mapping, name, len(paths) > 1, old or {}, rules)
        if part:
            parts[part] = path.name
    if not candidate.ok:
        return candidate
    if not alone:
        notify(progress, 0.45, "combining the files")
        _combine(con, candidate, parts, old is not None, rules.window)
        if old is not None and candidate.ok:
            findings = candidate.report.findings
            findings.extend(appended_again(con, table_name, list(parts), PUBLISHED))
            findings.extend(replaced_by_id(con, table_name, list(parts), PUBLISHED))
    if candidate.ok:
        candidate.rows = CANDIDATE
        candidate.columns = tuple(
            r[0] for r in con.execute(describe(CANDIDATE)).fetchall() if r[0] != ROW_COLUMN
        )
        candidate.report.findings.extend(_empty_upload(con, candidate))
    return candidate


@dataclass(frozen=True)
class Rules:
    """How the files are read (sheet, delimiter, decimal mark, date formats), what they may
    be before they are read (size, unpacked size, columns), and the table's date window."""

    limits: Limits
    options: ReadOptions = field(default_factory=ReadOptions)
    window: DateWindow = DEFAULT_WINDOW


def _empty_upload(con: duckdb.DuckDBPyConnection, candidate: Candidate) -> list[Finding]:
    """A file of no rows is a legitimate way to empty a table, but never a silent one."""
    (rows,) = one_row(con, count_rows(CANDIDATE))
    if rows or candidate.mode != "replace":
        return []
    words = "the upload has no rows: publishing it empties the table"
    return [Finding(candidate.table, None, words, 0, Severity.WARNING)]


def _files_report(name: str, paths: list[Path], rules: Rules) -> Report:
    """No file, a missing file, a file over a size or column limit: before any row is read."""
    report = Report()
    if not paths:
        report.findings.append(Finding(name, None, "missing: no file was given", 0))
    present = [p for p in paths if p.is_file()]
    report.findings.extend(_unreadable(name, p, _not_a_file(p)) for p in paths if not p.is_file())
    report.findings.extend(_given_twice(name, present))
    report.findings.extend(limit_findings(name, present, rules.limits, rules.options))
    return report


def _given_twice(name: str, paths: list[Path]) -> list[Finding]:
    """A file given more than once (in any spelling of its path) would be read as often:
    a table without ids (marketing_spend) then counted its rows twice, without a word."""
    seen: set[tuple[int, int]] = set()
    named: set[tuple[int, int]] = set()
    found = []
    for path in paths:
        stat = path.stat()
        key = (stat.st_dev, stat.st_ino)
        if key in seen and key not in named:
            named.add(key)
            words = f"{path.name} is given more than once: give each file once"
            found.append(Finding(name, None, words, 0))
        seen.add(key)
    return found


def _not_a_file(path: Path) -> str:
    """Why a path given as a file is not one: "no such file" sent the analyst looking for a
    typo when a folder had been given."""
    if path.is_dir():
        return "it is a folder, not a file (give the files in it)"
    return "not a regular file" if path.exists() else "no such file"


def _unreadable(name: str, path: Path, reason: str) -> Finding:
    """Worded like the catalog's own finding, so both paths report a file alike."""
    return Finding(name, None, f"{path.name} cannot be read: {reason}", 0)


def _note(finding: Finding, words: str, only_with_rows: bool = False) -> Finding:
    if only_with_rows and not finding.examples:
        return finding
    return dataclasses.replace(finding, rule=f"{finding.rule} ({words})")


# -- reading and combining several files ------------------------------------------


def _combine(
    con: duckdb.DuckDBPyConnection,
    candidate: Candidate,
    parts: dict[str, str],
    merged: bool,
    window: DateWindow,
) -> None:
    """The typed parts, concatenated (after the published rows they keep), checked again.

    In append mode the published table was loaded first, so an extra column it
    already has is converted to its published type (a CSV's text `1` stays the
    text `1`), and values that cannot be are refused instead of changed.
    """
    try:
        con.execute(create_table(COMBINED, _union(candidate.table, list(parts), merged)))
    except duckdb.Error as err:
        sources = {PUBLISHED: "the published table"} if merged else {}
        sources.update(parts)
        candidate.report.findings.extend(clashes(con, candidate.table, sources, err))
        return
    described = [r for r in con.execute(describe(COMBINED)).fetchall() if r[0] != COMBINED_ORDER]
    (rows,) = one_row(con, count_rows(COMBINED))
    raw = RawTable(
        COMBINED,
        Path(COMBINED),
        {r[0]: r[0] for r in described},
        {r[0]: r[1] for r in described},
        int(rows),
        order=COMBINED_ORDER,
    )
    report, typed = validate(TABLES[candidate.table], raw, con, window)
    words = "row numbers count the combined table"
    candidate.report.findings.extend(_note(f, words, only_with_rows=True) for f in report.findings)
    if report.ok:
        con.execute(create_table(CANDIDATE, clean_select(raw, typed, con)))


def _load_published(con: duckdb.DuckDBPyConnection, published: Published) -> dict[str, str]:
    """The published rows, numbered in stored order under ROW_COLUMN; returns column -> type."""
    con.execute(create_table(PUBLISHED, exp.select("*").from_(published.rows.copy())))
    described = [(r[0], r[1]) for r in con.execute(describe(PUBLISHED)).fetchall()]
    return {name: duck_type for name, duck_type in described if name != ROW_COLUMN}


def _typed_part(
    con: duckdb.DuckDBPyConnection,
    candidate: Candidate,
    path: Path,
    mapping: dict[str, str],
    part: str,
    several: bool,
    published: Mapping[str, str],
    rules: Rules,
) -> str | None:
    """The file's rows, typed: a view over the loaded file when it is the whole upload
    (nothing is copied again), a table when it is one of several to be combined."""
    name = candidate.table
    try:
        raw = load_raw(con, name, path, f"raw:{part}", rules.options)
    except ReadError as err:
        candidate.report.findings.append(_unreadable(name, path, err.reason))
        return None
    raw, clashes = apply_mapping(raw, mapping)
    if clashes:
        candidate.report.findings.extend(_unreadable(name, path, clash) for clash in clashes)
        return None
    report, typed = validate(TABLES[name], raw, con, rules.window)
    query = clean_select(raw, typed, con) if report.ok else None
    if query is not None and published:
        report.findings.extend(as_published(con, name, raw, typed, published, query))
    found = report.findings
    candidate.report.findings.extend(
        [_note(f, f"in {path.name}") for f in found] if several else found
    )
    if query is None or not report.ok:
        return None
    if part == CANDIDATE:
        query.set("order", None)  # row numbers are in the rows; their order is the fact's
        temporary = exp.Properties(expressions=[exp.TemporaryProperty()])
        view = exp.Create(this=table(part), kind="VIEW", expression=query, properties=temporary)
        con.execute(render(view))
        if not _describes_as_named(con, part):
            con.execute(render(exp.Drop(tables=[table(part)], kind="VIEW", exists=True)))
            con.execute(create_table(part, query))
            con.execute(drop_table(raw.sql_name))
        return part
    con.execute(create_table(part, query))
    con.execute(drop_table(raw.sql_name))
    return part


def _describes_as_named(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether DESCRIBE gives the view's columns the names its query gives them.

    DuckDB's DESCRIBE of a view keeps a file's spelling where a column is named only
    by a change of case (a text `Segment` read as the contract's `segment`); every
    step that lists a table's columns by DESCRIBE would then see `Segment`, and the
    version would store it beside no `segment`. Such an upload is copied into a
    table instead, whose columns carry the query's names.
    """
    described = [r[0] for r in con.execute(describe(name)).fetchall()]
    queried = con.execute(render(exp.select("*").from_(table(name)).limit(0))).description
    return described == [d[0] for d in queried]


def _union(name: str, parts: list[str], with_published: bool) -> exp.Select:
    """Rows in order: kept published rows, then each file's rows; newer row wins by id.

    Every source carries its row numbers under ROW_COLUMN; they order the
    rows and are left out of the result, so they never reach a version.
    """
    selects: list[exp.Select] = []
    if with_published:
        old = _tagged(PUBLISHED, 0)
        key = TABLES[name].id_column
        if key:  # a published row whose id is uploaded again is replaced by the upload
            newer: exp.Query = exp.select(ident(key)).from_(table(parts[0]))
            for part in parts[1:]:
                newer = exp.union(newer, exp.select(ident(key)).from_(table(part)), distinct=False)
            old = old.where(exp.not_(exp.In(this=column(key), query=newer.subquery())))
        selects.append(old)
    selects.extend(_tagged(part, i + 1) for i, part in enumerate(parts))
    union: exp.Query = selects[0]
    for nxt in selects[1:]:
        union = exp.Union(this=union, expression=nxt, distinct=False, by_name=True)
    hidden = [exp.column("_src"), column(ROW_COLUMN)]
    place = fragment(
        "ROW_NUMBER() OVER (ORDER BY :s, :r) - 1", s=hidden[0].copy(), r=hidden[1].copy()
    )
    return (
        exp.select(exp.Star(except_=hidden), alias(place, COMBINED_ORDER))
        .from_(union.subquery("u"))
        .order_by(*hidden)
    )


def _tagged(source: str, order: int) -> exp.Select:
    """All columns (their row numbers included) plus the source's place in the order."""
    return exp.select("*", alias(exp.Literal.number(order), "_src")).from_(table(source))


__all__ = [
    "MODES",
    "Candidate",
    "Progress",
    "Rules",
    "notify",
    "prepare",
]
