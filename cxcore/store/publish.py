"""Publishing, rolling back and seeding the store: the only code that writes versions.

Every writer follows one path: take the publisher lock, read the current
version, build and validate the candidate outside the store, stage a complete
new version folder, then `commit` (rename + atomic pointer replace). A refusal
raises before anything is staged, so the store is exactly as it was.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from cxcore.data.catalog import Catalog
from cxcore.data.contract import TABLES
from cxcore.data.names import did_you_mean
from cxcore.data.validation import Report
from cxcore.settings import Settings
from cxcore.store.build import build_derived, write_query
from cxcore.store.candidate import MODES, Progress, notify, prepare, stored_select
from cxcore.store.fs import checkpoint, link_or_copy
from cxcore.store.layout import (
    ALL_TABLES,
    DERIVED_DIR,
    TABLES_DIR,
    StoreError,
    VersionInfo,
    commit,
    current_version,
    is_store,
    new_staging,
    now_iso,
    publishing,
    read_version,
    remember_mapping,
    version_dir,
)


class PublishRefused(Exception):
    """The upload breaks the contract; nothing was published. Carries the full report."""

    def __init__(self, report: Report) -> None:
        super().__init__(report.summary("the upload was refused"))
        self.report = report


class PublishDenied(StoreError):
    """The role check, repeated right before publishing, failed."""


class StoreMoved(StoreError):
    """A version was published after the upload was checked; it must be checked again."""

    def __init__(self, expected: int, current: int) -> None:
        super().__init__(
            f"version {current} was published since you checked against version {expected};"
            " check again (nothing was published)"
        )
        self.expected, self.current = expected, current


@dataclass(frozen=True)
class PublishResult:
    version: int
    info: VersionInfo
    report: Report  # warnings (and nothing else) of an accepted publish

    @property
    def warnings(self) -> list[str]:
        return [f.message for f in self.report.warnings]


@dataclass(frozen=True)
class _Base:
    version: int
    info: VersionInfo | None
    files: dict[str, Path]


def check_request(table: str, mode: str) -> None:
    """Unknown table or mode: a usage mistake, named with a suggestion."""
    if table not in TABLES:
        raise StoreError(f"unknown table {table!r}" + did_you_mean(table, TABLES))
    if mode not in MODES:
        raise StoreError(f"mode {mode!r} is not one of: {', '.join(MODES)}")


def publish(
    root: Path | str,
    table: str,
    files: Sequence[Path | str],
    mode: str = "replace",
    column_map: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    *,
    note: str = "",
    user: str | None = None,
    allowed: Callable[[], bool] | None = None,
    settings: Settings | None = None,
    expected_base: int | None = None,
) -> PublishResult:
    """Validate the upload against the contract and publish it as a new version.

    Raises PublishRefused (with the report) on any error, PublishDenied when
    `allowed` (the role check, re-run here on the server) says no, StoreMoved
    when `expected_base` (the version the upload was reviewed against; 0: an
    empty store) is no longer the current one.
    """
    check_request(table, mode)
    settings = settings or Settings.from_env()
    with publishing(root) as root, tempfile.TemporaryDirectory(prefix="cx-upload-") as work:
        base = _base(root)
        if expected_base is not None and base.version != expected_base:
            raise StoreMoved(expected_base, base.version)
        notify(progress, 0.0, f"checking {len(files)} file(s) for {table}")
        candidate = prepare(
            table,
            files,
            mode,
            column_map,
            base.files,
            settings.max_upload_bytes,
            Path(work),
            progress,
        )
        if not candidate.ok:
            raise PublishRefused(candidate.report)
        checkpoint("validated")
        _authorise(allowed)
        notify(progress, 0.75, "writing the new version")
        info = _write_version(
            root,
            base,
            candidate.catalog,
            candidate.files,
            changed=table,
            mode=mode,
            note=note,
            user=user,
            keep=settings.keep_versions,
        )
        if column_map:
            remember_mapping(root, table, column_map)
    notify(progress, 1.0, f"published version {info.version}")
    return PublishResult(info.version, info, candidate.report)


def rollback(
    root: Path | str,
    to_version: int,
    table: str | None = None,
    *,
    note: str = "",
    user: str | None = None,
    allowed: Callable[[], bool] | None = None,
    settings: Settings | None = None,
) -> PublishResult:
    """Restore a kept version, whole or one table of it, as a new version (nothing is lost)."""
    settings = settings or Settings.from_env()
    root = Path(root)
    if not is_store(root):
        raise StoreError(f"{root.name or root} is not a CX store")
    if table is not None:
        check_request(table, "replace")
    with publishing(root) as root, tempfile.TemporaryDirectory(prefix="cx-rollback-") as work:
        base = _base(root)
        target = read_version(root, to_version)
        note = note or f"restored from version {to_version}"
        _authorise(allowed)
        if table is None:
            info = _copy_version(root, base, target, note, user, settings.keep_versions)
            return PublishResult(info.version, info, Report())
        if table not in target.files:
            raise StoreError(f"table {table} is not in version {to_version}")
        old = version_dir(root, to_version) / target.files[table]
        candidate = prepare(table, [old], "replace", None, base.files, 1 << 62, Path(work))
        if not candidate.ok:
            raise PublishRefused(candidate.report)
        info = _write_version(
            root,
            base,
            candidate.catalog,
            candidate.files,
            changed=table,
            mode="rollback",
            note=note,
            user=user,
            keep=settings.keep_versions,
            restored_from=to_version,
        )
        return PublishResult(info.version, info, candidate.report)


def ensure_store(
    root: Path | str, seed_folder: Path | str, settings: Settings | None = None
) -> int:
    """The current version, after creating the store from a data folder if it has none."""
    settings = settings or Settings.from_env()
    root = Path(root)
    if is_store(root) and (version := current_version(root)) > 0:
        return version
    catalog = Catalog.from_folder(seed_folder)  # raises DataContractError on a bad seed
    with publishing(root) as root:
        if (version := current_version(root)) > 0:
            return version  # another process seeded it while this one waited
        files = {name: info.path for name, info in catalog.tables.items()}
        info = _write_version(
            root,
            _Base(0, None, {}),
            catalog,
            files,
            changed=ALL_TABLES,
            mode="init",
            note=f"created from {Path(seed_folder).name}",
            user=None,
            keep=settings.keep_versions,
        )
        return info.version


# -- internals -------------------------------------------------------------------


def _base(root: Path) -> _Base:
    version = current_version(root)
    if version == 0:
        return _Base(0, None, {})
    info = read_version(root, version)
    folder = version_dir(root, version)
    return _Base(version, info, {t: folder / rel for t, rel in info.files.items()})


def _authorise(allowed: Callable[[], bool] | None) -> None:
    if allowed is not None and not allowed():
        raise PublishDenied("only analysts may publish or roll back; nothing was published")


def _write_version(
    root: Path,
    base: _Base,
    catalog: Catalog | None,
    files: Mapping[str, Path],
    *,
    changed: str,
    mode: str,
    note: str,
    user: str | None,
    keep: int,
    restored_from: int | None = None,
) -> VersionInfo:
    """Stage tables (changed ones written, others linked) and derived data, then commit."""
    stage = new_staging(root)
    written: dict[str, str] = {}
    for name, source in files.items():
        target = stage / TABLES_DIR / f"{name}.parquet"
        if changed not in (name, ALL_TABLES):
            link_or_copy(source, target)
        elif catalog is not None:
            write_query(catalog.con, stored_select(catalog.con, name), target)
        else:  # an incomplete store: the typed candidate file as it is
            shutil.copyfile(source, target)
        written[name] = f"{TABLES_DIR}/{target.name}"
    derived = _stage_derived(root, stage, base, catalog, set(files), changed)
    rows = {name: pq.ParquetFile(stage / rel).metadata.num_rows for name, rel in written.items()}
    info = VersionInfo(
        version=base.version + 1,
        table=changed,
        rows=sum(rows.values()) if changed == ALL_TABLES else rows[changed],
        mode=mode,
        published_at=now_iso(),
        based_on=base.version or None,
        note=note,
        user=user,
        restored_from=restored_from,
        tables=rows,
        files=written,
        derived=derived,
    )
    commit(root, stage, info, keep)
    return info


def _stage_derived(
    root: Path, stage: Path, base: _Base, catalog: Catalog | None, names: set[str], changed: str
) -> dict[str, dict[str, str]]:
    """Rebuild what the change affects (every table when customers change); link the rest."""
    if catalog is None:
        return {}
    old = base.info.derived if base.info else {}
    rebuild = {n for n in names if changed in (n, ALL_TABLES, "customers") or n not in old}
    folder = stage / DERIVED_DIR
    derived = {
        name: {kind: f"{DERIVED_DIR}/{file}" for kind, file in kinds.items()}
        for name, kinds in build_derived(catalog, sorted(rebuild), folder).items()
    }
    for name in sorted(names - rebuild):
        for rel in old[name].values():
            link_or_copy(version_dir(root, base.version) / rel, stage / rel)
        derived[name] = dict(old[name])
    return derived


def _copy_version(
    root: Path, base: _Base, target: VersionInfo, note: str, user: str | None, keep: int
) -> VersionInfo:
    """A whole-version rollback: every file of the old version linked into a new one."""
    stage = new_staging(root)
    source = version_dir(root, target.version)
    for rel in [*target.files.values(), *(r for k in target.derived.values() for r in k.values())]:
        link_or_copy(source / rel, stage / rel)
    info = VersionInfo(
        version=base.version + 1,
        table=ALL_TABLES,
        rows=sum(target.tables.values()),
        mode="rollback",
        published_at=now_iso(),
        based_on=base.version or None,
        note=note,
        user=user,
        restored_from=target.version,
        tables=dict(target.tables),
        files=dict(target.files),
        derived={k: dict(v) for k, v in target.derived.items()},
    )
    commit(root, stage, info, keep)
    return info
