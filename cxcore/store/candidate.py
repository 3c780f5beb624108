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
from dataclasses import dataclass
from pathlib import Path

import duckdb
from sqlglot import exp
from sqlglot.errors import ParseError

from cxcore.data.contract import TABLES
from cxcore.data.names import normalise
from cxcore.data.reading import ROW_COLUMN, RawTable, ReadError, load_raw
from cxcore.data.validation import (
    Example,
    Finding,
    Report,
    TypedColumn,
    clean_select,
    validate,
)
from cxcore.sqlkit import (
    alias,
    column,
    create_table,
    describe,
    fragment,
    ident,
    render,
    table,
)

Progress = Callable[[float, str], None]
MODES = ("replace", "append")
PUBLISHED = "published"
CANDIDATE = "candidate"
COMBINED = "combined"
COMBINED_ORDER = "__cx_combined_order"  # each combined row's place, from 0
MAX_EXAMPLES = 10


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

    rows: exp.Expression
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
    limit_mb: float,
    limit_name: str,
    progress: Progress | None = None,
) -> Candidate:
    """Check the upload into the typed table CANDIDATE of `con`; never touches the store."""
    paths = [Path(p) for p in files]
    candidate = Candidate(table_name, mode, _size_report(table_name, paths, limit_mb, limit_name))
    if not candidate.ok:
        return candidate
    mapping = {normalise(k): normalise(v) for k, v in (column_map or {}).items()}
    mapping = {k: v for k, v in mapping.items() if k and v and k != v}
    old: dict[str, str] | None = None
    if mode == "append" and published is not None:
        old = _load_published(con, published)
    parts: dict[str, str] = {}  # typed table -> its file's name
    alone = len(paths) == 1 and old is None
    for i, path in enumerate(paths):
        notify(progress, 0.05 + 0.4 * i / len(paths), f"reading and checking {path.name}")
        name = CANDIDATE if alone else f"part:{i}"
        part = _typed_part(con, candidate, path, mapping, name, len(paths) > 1, old or {})
        if part:
            parts[part] = path.name
    if not candidate.ok:
        return candidate
    if not alone:
        notify(progress, 0.45, "combining the files")
        _combine(con, candidate, parts, old is not None)
    if candidate.ok:
        candidate.rows = CANDIDATE
        candidate.columns = tuple(
            r[0] for r in con.execute(describe(CANDIDATE)).fetchall() if r[0] != ROW_COLUMN
        )
    return candidate


def _size_report(name: str, paths: list[Path], limit_mb: float, limit_name: str) -> Report:
    report = Report()
    if not paths:
        report.findings.append(Finding(name, None, "missing: no file was given", 0))
    max_bytes = int(limit_mb * 1024 * 1024)
    for path in paths:
        if not path.is_file():
            report.findings.append(_unreadable(name, path, "no such file"))
        elif (size := path.stat().st_size) > max_bytes:
            report.findings.append(
                Finding(
                    name,
                    None,
                    f"{path.name} is too large: {size / (1024 * 1024):.1f} MB,"
                    f" over the limit of {limit_mb:g} MB ({limit_name} raises it)",
                    0,
                )
            )
    return report


def _unreadable(name: str, path: Path, reason: str) -> Finding:
    """Worded like the catalog's own finding, so both paths report a file alike."""
    return Finding(name, None, f"{path.name} cannot be read: {reason}", 0)


def _note(finding: Finding, words: str, only_with_rows: bool = False) -> Finding:
    if only_with_rows and not finding.examples:
        return finding
    return dataclasses.replace(finding, rule=f"{finding.rule} ({words})")


# -- reading and combining several files ------------------------------------------


def _combine(
    con: duckdb.DuckDBPyConnection, candidate: Candidate, parts: dict[str, str], merged: bool
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
        candidate.report.findings.extend(_clashes(con, candidate.table, sources, err))
        return
    described = [r for r in con.execute(describe(COMBINED)).fetchall() if r[0] != COMBINED_ORDER]
    raw = RawTable(
        COMBINED,
        Path(COMBINED),
        {r[0]: r[0] for r in described},
        {r[0]: r[1] for r in described},
        0,
        order=COMBINED_ORDER,
    )
    report, typed = validate(TABLES[candidate.table], raw, con)
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
) -> str | None:
    """The file's rows, typed: a view over the loaded file when it is the whole upload
    (nothing is copied again), a table when it is one of several to be combined."""
    name = candidate.table
    try:
        raw = load_raw(con, name, path, f"raw:{part}")
    except ReadError as err:
        candidate.report.findings.append(_unreadable(name, path, err.reason))
        return None
    raw, clashes = apply_mapping(raw, mapping)
    if clashes:
        candidate.report.findings.extend(_unreadable(name, path, clash) for clash in clashes)
        return None
    report, typed = validate(TABLES[name], raw, con)
    query = clean_select(raw, typed, con) if report.ok else None
    if query is not None and published:
        report.findings.extend(_as_published(con, name, raw, typed, published, query))
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
        return part
    con.execute(create_table(part, query))
    con.execute(f'DROP TABLE IF EXISTS "{raw.sql_name}"')
    return part


def _as_published(
    con: duckdb.DuckDBPyConnection,
    name: str,
    raw: RawTable,
    typed: list[TypedColumn],
    published: Mapping[str, str],
    query: exp.Select,
) -> list[Finding]:
    """Give the upload's extra columns their published type; values that do not fit are named.

    Edits `query` (the file's typed select) in place: each extra column the
    published table has is cast from the file's own value, so text stays text
    and a number is kept only when it converts without loss.
    """
    contract = {t.name for t in typed}
    rows = {e.alias_or_name: e for e in query.expressions}
    row_number = rows[ROW_COLUMN].this  # the file's row number, as the typed table has it
    findings: list[Finding] = []
    for key, node in rows.items():
        if key in contract or key == ROW_COLUMN or key not in published or key not in raw.columns:
            continue
        try:
            target = exp.DataType.build(published[key], dialect="duckdb")
            own = exp.DataType.build(raw.types[key], dialect="duckdb")
        except (ParseError, ValueError):  # a type sqlglot cannot spell: the combine step checks
            continue
        source = column(raw.columns[key])
        converted = exp.TryCast(this=source.copy(), to=target.copy())
        lost: exp.Expression = converted.is_(exp.null())
        if raw.types[key].upper() != "VARCHAR":  # a typed value must survive the trip
            back = exp.TryCast(this=converted.copy(), to=own)
            lost = exp.or_(lost, exp.NullSafeNEQ(this=back, expression=source.copy()))
        bad = exp.and_(exp.not_(source.copy().is_(exp.null())), lost)
        flagged = (
            exp.select(
                alias(row_number.copy(), "_row"),
                alias(exp.cast(source.copy(), "VARCHAR"), "_v"),
                alias(fragment("COUNT(*) OVER ()"), "_n"),
            )
            .from_(table(raw.sql_name))
            .where(bad)
            .order_by("_row")
            .limit(MAX_EXAMPLES)
        )
        examples = con.execute(render(flagged)).fetchall()
        if examples:
            findings.append(
                Finding(
                    name,
                    key,
                    f"cannot be stored as {published[key]}, the column's type in the"
                    " published table (rule: an appended column keeps its type)",
                    int(examples[0][2]),
                    examples=tuple(Example(int(r), v) for r, v, _n in examples),
                )
            )
        else:
            node.set("this", exp.Cast(this=source, to=target))
    return findings


def _clashes(
    con: duckdb.DuckDBPyConnection, name: str, sources: Mapping[str, str], err: duckdb.Error
) -> list[Finding]:
    """The columns whose types disagree between the files (and the published table).

    `sources`: table -> what to call it (a file name, or the published table).
    """
    types: dict[str, dict[str, str]] = {}
    for source, label in sources.items():
        for column_name, duck_type, *_ in con.execute(describe(source)).fetchall():
            if column_name != ROW_COLUMN:
                types.setdefault(column_name, {}).setdefault(duck_type, label)
    findings = [
        Finding(
            name,
            column_name,
            "has types that cannot be combined into one column: "
            + ", ".join(f"{t} in {label}" for t, label in seen.items()),
            0,
        )
        for column_name, seen in types.items()
        if len(seen) > 1
    ]
    if findings:
        return findings
    first = (str(err).strip().splitlines() or [type(err).__name__])[0]
    return [Finding(name, None, f"the files cannot be combined into one table: {first}", 0)]


def apply_mapping(raw: RawTable, mapping: Mapping[str, str]) -> tuple[RawTable, list[str]]:
    """Rename the file's columns (normalised names) before the contract sees them."""
    columns: dict[str, str] = {}
    types: dict[str, str] = {}
    clashes: list[str] = []
    for key, original in raw.columns.items():
        target = mapping.get(key, key)
        if target in columns:
            clashes.append(
                f"columns {columns[target]!r} and {original!r} both become {target!r}"
                " (check the column mapping)"
            )
            continue
        columns[target], types[target] = original, raw.types[key]
    return dataclasses.replace(raw, columns=columns, types=types), clashes


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
            newer: exp.Expression = exp.select(ident(key)).from_(table(parts[0]))
            for part in parts[1:]:
                newer = exp.union(newer, exp.select(ident(key)).from_(table(part)), distinct=False)
            old = old.where(exp.not_(exp.In(this=column(key), query=newer.subquery())))
        selects.append(old)
    selects.extend(_tagged(part, i + 1) for i, part in enumerate(parts))
    union: exp.Expression = selects[0]
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
    "apply_mapping",
    "notify",
    "prepare",
]
