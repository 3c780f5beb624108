"""Targets as a versioned part of the data: a new version whose only change is the targets file.

Every data file of the current version is hard-linked into the new one, the
manifest is the same but for the targets' path, and the pointer swap publishes
it like any upload: readers see old targets or new ones, never half a file.
Rolling back to an older version brings its targets back with its data;
publishing a new export keeps the targets of the version it is based on.
Targets are checked against the KPI registry and the current version's
members before anything is written; every problem is reported at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from cxcore.data.targets import TARGETS_FILE, Target, dump, parse
from cxcore.data.validation import Report
from cxcore.metrics.targets import check, check_text
from cxcore.settings import Settings
from cxcore.store.layout import (
    StoreError,
    current_version,
    is_store,
    now_iso,
    publishing,
    read_version,
    version_dir,
)
from cxcore.store.publish import (
    PublishDenied,
    PublishResult,
    late_warnings,
    link_version,
)
from cxcore.store.staging import commit, discard_staging, new_staging

TARGETS_TABLE = "targets"  # what a targets-only version says it changed
TARGETS_MODE = "targets"


def targets_file(root: Path | str, version: int) -> Path | None:
    """The targets file of a published version, if it has one."""
    info = read_version(root, version)
    return version_dir(root, version) / info.targets if info.targets else None


def read_targets(path: Path | None) -> list[Target]:
    """A published targets file (checked when it was published); none: no targets."""
    if path is None:
        return []
    targets, _ = parse(path.read_text(encoding="utf-8"))
    return targets


def current_targets(root: Path | str) -> list[Target]:
    root = Path(root)
    return read_targets(targets_file(root, _current(root)))


def _current(root: Path) -> int:
    if not is_store(root):
        raise StoreError(f"{root.name or root} is not a CX store")
    version = current_version(root)
    if version == 0:
        raise StoreError("the store has no published version yet")
    return version


def publish_targets(
    root: Path | str,
    targets: Sequence[Target] | str,
    *,
    note: str = "",
    user: str | None = None,
    allowed: Callable[[], bool] | None = None,
    settings: Settings | None = None,
) -> PublishResult:
    """Publish `targets` (or a targets file's text) as the next version's only change.

    Raises TargetsError listing every problem (nothing is published),
    PublishDenied when `allowed` says no.
    """
    settings = settings or Settings.from_env()
    root = Path(root)
    _current(root)
    with publishing(root):
        base = read_version(root, current_version(root))
        dimensions = base.dataset.get("dimensions", {})
        if isinstance(targets, str):
            checked = check_text(targets, dimensions)
        else:
            checked = check(list(targets), dimensions)
        if allowed is not None and not allowed():
            raise PublishDenied("only analysts may change targets; nothing was published")
        stage = new_staging(root)
        try:
            link_version(root, base, stage, with_targets=False)
            (stage / TARGETS_FILE).write_text(dump(checked), encoding="utf-8")
        except BaseException:
            discard_staging(stage)
            raise
        info = base.revised(
            version=base.version + 1,
            table=TARGETS_TABLE,
            rows=len(checked),
            mode=TARGETS_MODE,
            published_at=now_iso(),
            based_on=base.version,
            note=note or f"{len(checked)} targets",
            user=user,
            restored_from=None,
            targets=TARGETS_FILE,
        )
        notes = commit(root, stage, info, settings.keep_versions)
        return PublishResult(info.version, info, Report(late_warnings(notes)))


def with_target(targets: Sequence[Target], new: Target) -> list[Target]:
    """The targets with `new` added, or replacing the one for the same KPI and members."""
    kept = [t for t in targets if t.key != new.key]
    return [*kept, new]
