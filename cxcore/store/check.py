"""Checking an upload: validated, then built into the complete version it would publish.

`check` runs outside any lock, while readers go on reading the current
version: it validates the upload and builds the new version's files in a
staging folder beside the versions. The preview reads that staged version,
and publishing it (`publish.publish_checked`) is a rename and a pointer
swap, so what was checked is exactly what is published. A refused upload
leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from sqlglot import exp

from cxcore import database
from cxcore.data.contract import TABLES
from cxcore.data.formats import ReadOptions
from cxcore.data.names import did_you_mean
from cxcore.data.plausible import table_window
from cxcore.data.suspicious import suspicious_rows
from cxcore.data.validation import Finding, Report
from cxcore.settings import BY_FIELD, Settings
from cxcore.sqlkit import table
from cxcore.store.build import Built, Change, build, incomplete_store, stored_table
from cxcore.store.candidate import (
    MODES,
    Candidate,
    Progress,
    Published,
    Rules,
    notify,
    prepare,
)
from cxcore.store.layout import (
    ALL_TABLES,
    StoreError,
    VersionInfo,
    carry_targets,
    hold_current,
    is_store,
    refuse_foreign,
    version_dir,
)
from cxcore.store.limits import Limit, Limits
from cxcore.store.staging import discard_staging, new_staging


@dataclass
class Checked:
    """An upload checked against `base_version`; when it passed, staged as the next version."""

    root: Path
    table: str
    mode: str
    base_version: int
    report: Report
    stage: Path | None = None
    info: VersionInfo | None = None
    mapping: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.report.ok and self.stage is not None

    def discard(self) -> None:
        """Remove the staged version (a new check replaces it, or it will not be published)."""
        if self.stage is not None:
            discard_staging(self.stage)
            self.stage = None


def check_request(table: str, mode: str) -> None:
    """Unknown table or mode: a usage mistake, named with a suggestion."""
    if table not in TABLES:
        raise StoreError(f"unknown table {table!r}" + did_you_mean(table, TABLES))
    if mode not in MODES:
        raise StoreError(f"mode {mode!r} is not one of: {', '.join(MODES)}")


def check(
    root: Path | str,
    table_name: str,
    files: Sequence[Path | str],
    mode: str = "replace",
    column_map: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    *,
    settings: Settings | None = None,
    bulk: bool = False,
    options: ReadOptions | None = None,
) -> Checked:
    """Validate an upload and stage the version it would publish; the store stays as it is.

    `bulk` is the command line's ingest of local files, with its far larger size limit;
    `options` say how the files are read where sniffing should not decide.
    """
    check_request(table_name, mode)
    settings = settings or Settings.from_env()
    rules = Rules(
        limits(settings, bulk), options or ReadOptions(), table_window(settings, table_name)
    )
    root = Path(root)
    refuse_foreign(root)
    if not is_store(root):
        raise StoreError(f"{root.name or root} is not a CX store")
    base, base_info, hold = hold_current(root) or (0, None, None)
    try:  # the base is read (merged, linked) throughout: a publish meanwhile must not prune it
        stage = new_staging(root)
        checked = Checked(root, table_name, mode, base, Report(), mapping=dict(column_map or {}))
        try:
            _stage(checked, stage, files, base_info, settings, progress, rules)
        except BaseException:
            discard_staging(stage)
            raise
    finally:
        if hold is not None:
            hold.close()
    if not checked.report.ok:
        discard_staging(stage)
    return checked


def limits(settings: Settings, bulk: bool) -> Limits:
    """The upload page's limits, or the command line's far larger ones for local files."""
    columns = _limit(settings, "max_columns")
    if bulk:
        ingest = _limit(settings, "max_ingest_mb")
        return Limits(ingest, ingest, columns)
    return Limits(_limit(settings, "max_upload_mb"), _limit(settings, "max_unpacked_mb"), columns)


def _limit(settings: Settings, field: str) -> Limit:
    """A setting's value, with the environment variable its message names."""
    return Limit(getattr(settings, field), BY_FIELD[field].env)


def _stage(
    checked: Checked,
    stage: Path,
    files: Sequence[Path | str],
    base: VersionInfo | None,
    settings: Settings,
    progress: Progress | None,
    rules: Rules,
) -> None:
    name = checked.table
    base_folder = version_dir(checked.root, base.version) if base else None
    reads = [Path(f) for f in files]
    con = database.working(settings, reads=reads, folders=[stage, *filter(None, [base_folder])])
    try:
        notify(progress, 0.0, f"checking {len(files)} file(s) for {name}")
        published = _published(base, base_folder, name)
        candidate = prepare(
            con,
            name,
            files,
            checked.mode,
            checked.mapping,
            published,
            rules,
            progress,
        )
        checked.report = candidate.report
        if not candidate.ok:
            return
        checked.report.findings.extend(_against_customers(con, candidate, base, base_folder))
        change = Change(
            name,
            table(candidate.rows or ""),
            candidate.columns,
            ", ".join(Path(f).name for f in files),
            tuple(checked.report.warnings),
        )
        incomplete = incomplete_store(name, base.files if base else ())
        checked.report.findings.extend([incomplete] if incomplete else [])
        built = build(con, stage, [change], base_folder, base, progress)
        checked.info = _draft(base, built, name, checked.mode)
        carry_targets(base, base_folder, stage)
        checked.stage = stage
        notify(progress, 1.0, "checked")
    finally:
        con.close()


def _published(base: VersionInfo | None, folder: Path | None, name: str) -> Published | None:
    if base is None or folder is None or name not in base.files:
        return None
    return Published(*stored_table(base, folder, name))


def _against_customers(
    con: duckdb.DuckDBPyConnection,
    candidate: Candidate,
    base: VersionInfo | None,
    folder: Path | None,
) -> list[Finding]:
    """Warnings about the upload's customers: those the customer table lacks."""
    rows = {candidate.table: table(candidate.rows or "")}
    customers: exp.Expr | None = rows.get("customers")
    if customers is None and base is not None and folder is not None and "customers" in base.files:
        customers, _ = stored_table(base, folder, "customers")
    return list(suspicious_rows(con, rows, customers))


def _draft(base: VersionInfo | None, built: Built, name: str, mode: str) -> VersionInfo:
    tables = built.tables
    return VersionInfo(
        version=(base.version if base else 0) + 1,
        table=name,
        rows=sum(tables.values()) if name == ALL_TABLES else tables[name],
        mode=mode,
        published_at="",
        based_on=base.version if base else None,
        tables=tables,
        files=dict(built.files),
        relations=dict(built.relations),
        dataset=dict(built.dataset),
        targets=base.targets if base else "",
    )
