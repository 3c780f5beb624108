"""A staged folder's life: made and owned while an upload is checked and built, then
discarded, or committed as the next version, after which old versions are pruned.

Staging sits beside the versions so a commit is a rename within one file system.
The process building a staged folder holds a lock on its `.owner` file for as
long as it lives; a folder whose owner died is removed by the next commit.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from cxcore.store.fs import atomic_write_text, fsync_path, fsync_tree, remove_tree, token
from cxcore.store.layout import (
    DERIVED_DIR,
    MANIFEST,
    OWNER,
    POINTER,
    STAGING,
    STAGING_DIR,
    TABLES_DIR,
    VERSIONS,
    VersionInfo,
    current_version,
    version_dir,
    version_number,
    version_numbers,
)

_owned: dict[Path, BinaryIO] = {}  # staged folders this process is building or holding


def clean_leftovers(root: Path) -> None:
    """Temp pointers, never-published folders of crashed publishes, abandoned checks."""
    current = current_version(root)
    for path in (root / VERSIONS).iterdir():
        number = version_number(path.name)
        orphan = number is not None and number > current
        if path.name.startswith((STAGING, ".trash-")) or orphan:
            remove_tree(path) if path.is_dir() else path.unlink(missing_ok=True)
    for path in root.glob(f".{POINTER}.tmp-*"):
        path.unlink(missing_ok=True)
    staging = root / STAGING_DIR
    if staging.is_dir():
        for path in staging.iterdir():
            if path not in _owned and _abandoned(path):
                remove_tree(path) if path.is_dir() else path.unlink(missing_ok=True)


def _abandoned(path: Path) -> bool:
    """No live process holds this staged folder (its checker crashed or went away)."""
    try:
        with (path / OWNER).open("rb") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
    except BlockingIOError:
        return False
    except (FileNotFoundError, NotADirectoryError):
        return True


def new_staging(root: Path) -> Path:
    """A fresh folder beside the versions, where a checked upload is built.

    The process that made it holds a lock on its `.owner` file until it is
    published or discarded; a folder whose owner died is removed by the next
    publish.
    """
    stage = root / STAGING_DIR / token()
    (stage / TABLES_DIR).mkdir(parents=True)
    (stage / DERIVED_DIR).mkdir()
    handle = (stage / OWNER).open("wb")
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
    _owned[stage] = handle
    return stage


def release_staging(stage: Path) -> None:
    """The staged folder is published or discarded: its owner lock and file go."""
    handle = _owned.pop(stage, None)
    (stage / OWNER).unlink(missing_ok=True)
    if handle is not None:
        handle.close()


def discard_staging(stage: Path) -> None:
    release_staging(stage)
    remove_tree(stage)


def commit(root: Path, stage: Path, info: VersionInfo, keep: int) -> list[str]:
    """Make the staged folder version `info.version`: flush, rename, then swap the pointer.

    The pointer replace is the publish: before it every reader sees the old
    version, after it the new one; a crash anywhere leaves one of the two.
    Returns what the pruning after it could not do, as warnings: the version
    is published by then, so a failure there must not read as a failed publish.
    """
    clean_leftovers(root)
    release_staging(stage)
    atomic_write_text(stage / MANIFEST, json.dumps(info.as_dict(), indent=2) + "\n")
    fsync_tree(stage)
    target = version_dir(root, info.version)
    stage.rename(target)
    fsync_path(target.parent)
    atomic_write_text(root / POINTER, f"{info.version}\n")
    try:  # published: from here on, nothing the file system refuses may read as a failure
        return prune(root, keep)
    except OSError as err:
        return [
            f"old versions were not pruned ({err.strerror or err}); the next publish tries again"
        ]


def prune(root: Path, keep: int) -> list[str]:
    """Delete all but the newest `keep` versions, never the current one nor one being read.

    A version that cannot be removed (the file system refuses) is passed over like one
    being read, and the next publish tries again; the returned warnings say which, so
    the space it holds is not lost unnoticed.
    """
    current = current_version(root)
    numbers = version_numbers(root)
    doomed = [v for v in numbers[: max(len(numbers) - max(keep, 1), 0)] if v != current]
    problems = []
    for version in doomed:
        with _unread(version_dir(root, version) / MANIFEST) as free:
            if not free:
                continue
            try:
                remove_tree(version_dir(root, version))
            except OSError as err:
                reason = err.strerror or type(err).__name__
                problems.append(
                    f"old version {version} could not be removed ({reason});"
                    " the next publish tries again"
                )
    return problems


@contextmanager
def _unread(manifest: Path) -> Iterator[bool]:
    """True (holding the lock) when no reader holds the version; False when one does."""
    try:
        handle = manifest.open("rb")
    except FileNotFoundError:
        yield False
        return
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
