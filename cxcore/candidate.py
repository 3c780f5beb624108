"""The data a publish would make current, built and validated before anything is written.

Every uploaded file is checked on its own first (size, readability, column
mapping, contract rules), so a report names the file and its own row numbers.
Only then are the files combined (and, in append mode, merged with the
published table, newer row winning by id) and the whole candidate set, the
published tables with this one swapped in, loaded with `Catalog.from_files`:
the same code path the cockpit itself reads with, so the upload's verdict and
the cockpit's can never disagree.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from sqlglot import exp

from .catalog import Catalog, DataContractError
from .contract import TABLES
from .reading import RawTable, ReadError, load_raw, normalise, sniff_format
from .sqlkit import alias, column, create_table, fragment, ident, param, table
from .validation import Finding, Report, Severity, clean_select, validate

Progress = Callable[[float, str], None]
MODES = ("replace", "append")


@dataclass
class Candidate:
    """A validated (or refused) candidate set; `catalog` is loaded only when it passes."""

    table: str
    mode: str
    report: Report
    files: dict[str, Path] = field(default_factory=dict)
    catalog: Catalog | None = None

    @property
    def ok(self) -> bool:
        return self.report.ok


def notify(progress: Progress | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(min(max(fraction, 0.0), 1.0), message)


def prepare(
    table_name: str,
    files: Sequence[Path | str],
    mode: str,
    column_map: Mapping[str, str] | None,
    base_files: Mapping[str, Path],
    max_bytes: int,
    workdir: Path,
    progress: Progress | None = None,
) -> Candidate:
    """Check the upload and build the candidate set inside `workdir`; never touches the store."""
    paths = [Path(p) for p in files]
    candidate = Candidate(table_name, mode, _size_report(table_name, paths, max_bytes))
    if not candidate.ok:
        return candidate
    mapping = {normalise(k): normalise(v) for k, v in (column_map or {}).items()}
    mapping = {k: v for k, v in mapping.items() if k and v and k != v}
    simple = len(paths) == 1 and mode == "replace" and not mapping
    complete = all(t in base_files or t == table_name for t, s in TABLES.items() if s.required)
    if simple and complete:
        candidate.report = _sniff_report(table_name, paths)
        data = paths[0] if candidate.ok else None
    else:
        data = _combine(candidate, paths, mapping, base_files.get(table_name), workdir, progress)
    if data is None:
        return candidate
    candidate.files = {**base_files, table_name: data}
    if complete:
        notify(progress, 0.6, "checking the data against the contract and the other tables")
        _load_catalog(candidate, multi=len(paths) > 1 or mode == "append")
    else:
        candidate.report.findings.append(_incomplete_warning(table_name, base_files))
    return candidate


def _size_report(name: str, paths: list[Path], max_bytes: int) -> Report:
    report = Report()
    if not paths:
        report.findings.append(Finding(name, None, "missing: no file was given", 0))
    limit_mb = max_bytes / (1024 * 1024)
    for path in paths:
        if not path.is_file():
            report.findings.append(_unreadable(name, path, "no such file"))
        elif (size := path.stat().st_size) > max_bytes:
            report.findings.append(
                Finding(
                    name,
                    None,
                    f"{path.name} is too large: {size / (1024 * 1024):.1f} MB,"
                    f" over the upload limit of {limit_mb:g} MB",
                    0,
                )
            )
    return report


def _unreadable(name: str, path: Path, reason: str) -> Finding:
    """Worded like the catalog's own finding, so both paths report a file alike."""
    return Finding(name, None, f"{path.name} cannot be read: {reason}", 0)


def _sniff_report(name: str, paths: list[Path]) -> Report:
    report = Report()
    for path in paths:
        try:
            sniff_format(name, path)
        except ReadError as err:
            report.findings.append(_unreadable(name, path, err.reason))
    return report


def _load_catalog(candidate: Candidate, multi: bool) -> None:
    try:
        catalog = Catalog.from_files(candidate.files)
    except DataContractError as err:
        findings = err.report.findings
        if multi:  # row numbers now count the combined table, not one file
            words = "row numbers count the combined table"
            findings = [_note(f, words, only_with_rows=True) for f in findings]
        candidate.report.findings.extend(findings)
        return
    candidate.report.extend(catalog.report)
    candidate.catalog = catalog


def _incomplete_warning(name: str, base_files: Mapping[str, Path]) -> Finding:
    missing = [t for t, s in TABLES.items() if s.required and t != name and t not in base_files]
    return Finding(
        name,
        None,
        f"published without the required tables {', '.join(missing)}: the cockpit cannot"
        " open the store until they are published",
        0,
        Severity.WARNING,
    )


def _note(finding: Finding, words: str, only_with_rows: bool = False) -> Finding:
    if only_with_rows and not finding.examples:
        return finding
    return dataclasses.replace(finding, rule=f"{finding.rule} ({words})")


# -- reading and combining several files ------------------------------------------


def _combine(
    candidate: Candidate,
    paths: list[Path],
    mapping: dict[str, str],
    published: Path | None,
    workdir: Path,
    progress: Progress | None,
) -> Path | None:
    """Each file typed on its own, then all concatenated into one typed Parquet file."""
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    try:
        parts: list[str] = []
        for i, path in enumerate(paths):
            notify(progress, 0.05 + 0.5 * i / len(paths), f"reading and checking {path.name}")
            part = _typed_part(con, candidate, path, mapping, i, several=len(paths) > 1)
            if part:
                parts.append(part)
        if not candidate.ok:
            return None
        notify(progress, 0.55, "combining the files")
        old = published if candidate.mode == "append" else None
        con.execute(create_table("combined", _union(con, candidate.table, parts, old)))
        target = workdir / f"{candidate.table}.parquet"
        con.table("combined").write_parquet(str(target), compression="zstd")
        return target
    finally:
        con.close()


def _typed_part(
    con: duckdb.DuckDBPyConnection,
    candidate: Candidate,
    path: Path,
    mapping: dict[str, str],
    index: int,
    several: bool,
) -> str | None:
    name = candidate.table
    try:
        raw = load_raw(con, name, path, f"raw:{index}")
    except ReadError as err:
        candidate.report.findings.append(_unreadable(name, path, err.reason))
        return None
    raw, clashes = apply_mapping(raw, mapping)
    if clashes:
        candidate.report.findings.extend(_unreadable(name, path, clash) for clash in clashes)
        return None
    report, typed = validate(TABLES[name], raw, con)
    found = report.findings
    candidate.report.findings.extend(
        [_note(f, f"in {path.name}") for f in found] if several else found
    )
    if not report.ok:
        return None
    part = f"part:{index}"
    con.execute(create_table(part, clean_select(raw, typed, con)))
    return part


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


def _union(
    con: duckdb.DuckDBPyConnection, name: str, parts: list[str], published: Path | None
) -> exp.Select:
    """Rows in order: kept published rows, then each file's rows; newer row wins by id."""
    selects: list[exp.Select] = []
    if published is not None:
        query = exp.select("*").from_(fragment("read_parquet(:p)", p=param("path")))
        con.execute(create_table("published", query), {"path": str(published)})
        old = _tagged("published", 0)
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
    hidden = [exp.column("_src"), exp.column("_ord")]
    return exp.select(exp.Star(except_=hidden)).from_(union.subquery("u")).order_by(*hidden)


def _tagged(source: str, order: int) -> exp.Select:
    """All columns plus the sort keys that keep sources, and rows within them, in order."""
    return exp.select(
        "*", alias(exp.Literal.number(order), "_src"), alias(exp.column("rowid"), "_ord")
    ).from_(table(source))


__all__ = ["MODES", "Candidate", "Progress", "apply_mapping", "notify", "prepare"]
