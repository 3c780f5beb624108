"""Publishing, rolling back and seeding the store: the only code that moves its pointer.

Every writer ends the same way: take the publisher lock, make sure the
version it built on is still the current one, decide the role once more,
then `commit` a complete staged version folder (rename and atomic pointer
replace). A refusal publishes nothing: the store is exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from cxcore import database
from cxcore.data.catalog import Catalog
from cxcore.data.formats import ReadOptions
from cxcore.data.targets import TARGETS_FILE
from cxcore.data.validation import Finding, Report, Severity
from cxcore.metrics.targets import TargetsError, check_text
from cxcore.settings import Settings
from cxcore.sqlkit import table
from cxcore.store.build import Change, build, stored_table
from cxcore.store.candidate import Progress
from cxcore.store.check import Checked, check, check_request
from cxcore.store.fs import link_or_copy
from cxcore.store.layout import (
    ALL_TABLES,
    StoreError,
    VersionInfo,
    carry_targets,
    current_version,
    is_store,
    now_iso,
    publishing,
    read_version,
    remember_mapping,
    version_dir,
)
from cxcore.store.staging import commit, discard_staging, new_staging


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


def publish_checked(
    checked: Checked,
    *,
    note: str = "",
    user: str | None = None,
    allowed: Callable[[], bool] | None = None,
    settings: Settings | None = None,
) -> PublishResult:
    """Publish a checked upload as it was staged, if the store has not moved since."""
    with publishing(checked.root):
        return _commit_checked(checked, note, user, allowed, settings or Settings.from_env())


def _commit_checked(
    checked: Checked,
    note: str,
    user: str | None,
    allowed: Callable[[], bool] | None,
    settings: Settings,
) -> PublishResult:
    """The publish itself, with the publisher lock already held."""
    if not checked.ok or checked.stage is None or checked.info is None:
        raise PublishRefused(checked.report)
    current = current_version(checked.root)
    if current != checked.base_version:
        raise StoreMoved(checked.base_version, current)
    _authorise(allowed)
    info = checked.info.revised(published_at=now_iso(), note=note, user=user)
    warnings = [
        *checked.report.warnings,
        *late_warnings(commit(checked.root, checked.stage, info, settings.keep_versions)),
    ]
    checked.stage = None
    if checked.mapping:
        try:  # published already: a mapping not remembered is said, not a failure
            remember_mapping(checked.root, checked.table, checked.mapping)
        except OSError as err:
            words = f"the column mapping was not remembered ({err.strerror or err})"
            warnings.append(Finding(checked.table, None, words, 0, Severity.WARNING))
    return PublishResult(info.version, info, Report(warnings))


def late_warnings(notes: Sequence[str]) -> list[Finding]:
    """What the store could not tidy after the pointer moved: warnings, as the publish stands."""
    return [Finding("store", None, note, 0, Severity.WARNING) for note in notes]


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
    bulk: bool = False,
    options: ReadOptions | None = None,
) -> PublishResult:
    """Check the upload and publish it as a new version (creating the store if needed).

    Raises PublishRefused (with the report) on any error, PublishDenied when
    `allowed` (the role check, re-run under the lock) says no, StoreMoved
    when `expected_base` (the version the upload was reviewed against; 0: an
    empty store) is no longer the current one. Without `expected_base`, an
    upload overtaken by another publish is checked again against it.
    """
    check_request(table, mode)
    settings = settings or Settings.from_env()
    root = Path(root)
    request = _Request(root, table, files, mode, column_map, progress, bulk, options)
    if is_store(root) and current_version(root) > 0:
        try:  # checked while others publish; committed if nobody did meanwhile
            return _publish_once(request, note, user, allowed, settings, expected_base, False)
        except StoreMoved:
            if expected_base is not None:
                raise
    with publishing(root):  # the first publish, or one overtaken: checked under the lock
        return _publish_once(request, note, user, allowed, settings, expected_base, True)


@dataclass(frozen=True)
class _Request:
    root: Path
    table: str
    files: Sequence[Path | str]
    mode: str
    column_map: Mapping[str, str] | None
    progress: Progress | None
    bulk: bool
    options: ReadOptions | None = None


def _publish_once(
    request: _Request,
    note: str,
    user: str | None,
    allowed: Callable[[], bool] | None,
    settings: Settings,
    expected_base: int | None,
    locked: bool,
) -> PublishResult:
    checked = check(
        request.root,
        request.table,
        request.files,
        request.mode,
        request.column_map,
        request.progress,
        settings=settings,
        bulk=request.bulk,
        options=request.options,
    )
    try:
        if not checked.ok:
            raise PublishRefused(checked.report)
        if expected_base is not None and checked.base_version != expected_base:
            raise StoreMoved(expected_base, checked.base_version)
        if locked:
            return _commit_checked(checked, note, user, allowed, settings)
        return publish_checked(checked, note=note, user=user, allowed=allowed, settings=settings)
    finally:
        checked.discard()


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
    with publishing(root) as root:
        target = read_version(root, to_version)  # first: a store with none names this one
        base = read_version(root, current_version(root))
        note = note or f"restored from version {to_version}"
        _authorise(allowed)
        if table is None:
            info, notes = _copy_version(root, base, target, note, user, settings.keep_versions)
            return PublishResult(info.version, info, Report(late_warnings(notes)))
        if table not in target.files:
            raise StoreError(f"table {table} is not in version {to_version}")
        info, notes = _restore_table(root, base, target, table, note, user, settings)
        return PublishResult(info.version, info, Report(late_warnings(notes)))


class _RolledBack(TypedDict):
    version: int
    mode: str
    published_at: str
    based_on: int
    note: str
    user: str | None
    restored_from: int


def _rolled_back(
    base: VersionInfo, target: VersionInfo, note: str, user: str | None
) -> _RolledBack:
    """What every rollback records, whole or one table: the next version after `base`,
    restored from `target`, published now. One place, so both kinds read alike in history."""
    return _RolledBack(
        version=base.version + 1,
        mode="rollback",
        published_at=now_iso(),
        based_on=base.version,
        note=note,
        user=user,
        restored_from=target.version,
    )


def _restore_table(
    root: Path,
    base: VersionInfo,
    target: VersionInfo,
    name: str,
    note: str,
    user: str | None,
    settings: Settings,
) -> tuple[VersionInfo, list[str]]:
    """One table of an old version, as it was published, with everything built on it again."""
    folder = version_dir(root, target.version)
    change = Change(name, *stored_table(target, folder, name), "")
    stage = new_staging(root)
    base_folder = version_dir(root, base.version)
    con = database.working(settings, folders=[stage, folder, base_folder])
    try:
        built = build(con, stage, [change], base_folder, base)
        carry_targets(base, base_folder, stage)
    except BaseException:
        discard_staging(stage)
        raise
    finally:
        con.close()
    tables = built.tables
    info = VersionInfo(
        **_rolled_back(base, target, note, user),
        table=name,
        rows=tables[name],
        tables=tables,
        files=built.files,
        relations=built.relations,
        dataset=built.dataset,
        targets=base.targets,
    )
    return info, commit(root, stage, info, settings.keep_versions)


def ensure_store(
    root: Path | str, seed_folder: Path | str, settings: Settings | None = None
) -> int:
    """The current version, after creating the store from a data folder if it has none."""
    settings = settings or Settings.from_env()
    root = Path(root)
    if is_store(root) and (version := current_version(root)) > 0:
        return version
    with publishing(root) as root:
        if (version := current_version(root)) > 0:
            return version  # another process seeded it while this one waited
        stage = new_staging(root)
        try:
            catalog = Catalog.from_folder(seed_folder, writes=[stage])  # refuses a bad seed
        except BaseException:
            discard_staging(stage)
            raise
        loaded = catalog.loaded
        changes = [
            Change(
                name,
                table(name),
                info.columns,
                info.file,
                tuple(f for f in loaded.warnings if f.table == name),
            )
            for name, info in loaded.tables.items()
        ]
        try:
            built = build(catalog.con, stage, changes, None, None)
            targets = _seed_targets(Path(seed_folder), built.dataset["dimensions"], stage)
        except BaseException:
            discard_staging(stage)
            raise
        tables = built.tables
        info = VersionInfo(
            version=1,
            table=ALL_TABLES,
            rows=sum(tables.values()),
            mode="init",
            published_at=now_iso(),
            based_on=None,
            note=f"created from {Path(seed_folder).name}",
            tables=tables,
            files=built.files,
            relations=built.relations,
            dataset=built.dataset,
            targets=targets,
        )
        commit(root, stage, info, settings.keep_versions)
        return info.version


def _seed_targets(seed: Path, dimensions: Mapping[str, Sequence[str]], stage: Path) -> str:
    """The seed folder's targets file, checked against the seeded data, into the version."""
    source = seed / TARGETS_FILE
    if not source.is_file():
        return ""
    text = source.read_text(encoding="utf-8")
    try:
        check_text(text, dimensions)
    except TargetsError as err:
        raise StoreError(f"{source.name} in {seed.name}: {err}") from None
    (stage / TARGETS_FILE).write_text(text, encoding="utf-8")
    return TARGETS_FILE


def _authorise(allowed: Callable[[], bool] | None) -> None:
    if allowed is not None and not allowed():
        raise PublishDenied("only analysts may publish or roll back; nothing was published")


def _copy_version(
    root: Path, base: VersionInfo, target: VersionInfo, note: str, user: str | None, keep: int
) -> tuple[VersionInfo, list[str]]:
    """A whole-version rollback: every file of the old version linked into a new one."""
    stage = new_staging(root)
    link_version(root, target, stage, with_targets=True)
    info = target.revised(
        **_rolled_back(base, target, note, user),
        table=ALL_TABLES,
        rows=sum(target.tables.values()),
    )
    return info, commit(root, stage, info, keep)


def link_version(root: Path, source: VersionInfo, stage: Path, *, with_targets: bool) -> None:
    """Every file of version `source` linked into `stage` (its targets too, if asked)."""
    folder = version_dir(root, source.version)
    derived = [r for kinds in source.derived.values() for r in kinds.values()]
    kept = [source.targets] if with_targets and source.targets else []
    for rel in {*source.files.values(), *source.relations.values(), *derived, *kept}:
        (stage / rel).parent.mkdir(parents=True, exist_ok=True)
        link_or_copy(folder / rel, stage / rel)
