"""The managed store: immutable version folders and one pointer naming the current one.

Layout of a store folder:

    store.json            marks the folder as a store (and its layout format)
    CURRENT               the published version number; replaced atomically
    mappings.json         the last column mapping used per table
    .lock                 serialises publishers (readers never lock)
    staging/<token>/      a checked upload being built, or waiting to be published
    versions/<n>/         one complete, never-modified version
        version.json      what was published, when, from which version, and what the
                          engine needs to serve it (tables, coverage, dimensions, files)
        tables/<t>.parquet    typed table files (unchanged ones hard-linked)
        derived/*.parquet     facts sorted by day and rollups, built in the same publish
        targets.toml          the KPI targets, if any (kept from version to version)

A reader resolves CURRENT once and then reads only inside that version's
folder, so it sees one version whole; a publish becomes visible only when
CURRENT is replaced, after the new folder is complete and flushed to disk. A
reader holds a shared lock on the version's `version.json` while it serves
it, and pruning passes over a version so held, so files never vanish under a
running query.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import re
import shutil
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cxcore.store.fs import (
    atomic_write_text,
    exclusive_lock,
    link_or_copy,
    still_at,
)

MARKER = "store.json"
POINTER = "CURRENT"
LOCK = ".lock"
VERSIONS = "versions"
MAPPINGS = "mappings.json"
MANIFEST = "version.json"
TABLES_DIR = "tables"
DERIVED_DIR = "derived"
SCRATCH_DIR = "scratch"  # a build's tables in between, removed before the version is published
STAGING_DIR = "staging"
STAGING = ".tmp-"  # staging folders of the first layout, inside versions/
LAYOUT_FORMAT = 2
OWNER = ".owner"  # locked by the process building a staged folder, while it lives
ALL_TABLES = "all"
LOCK_TIMEOUT_S = 600.0
READ_ATTEMPTS = 10  # loads of a version pruned meanwhile, before a reader gives up


class StoreError(Exception):
    """The store cannot do what was asked; the message says why and what to do."""


class VersionNotFound(StoreError):
    """A version that was never published, or has been pruned."""


class StoreBusy(StoreError):
    """Another publish held the lock for too long."""


class VersionInfo(BaseModel):
    """One published version, as recorded in its `version.json`.

    The manifest is what serving trusts instead of re-checking the data, so it is read
    through a schema: a damaged or hand-edited file is refused with the field that is
    wrong, never half-understood. Keys a later release may add are ignored.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    version: int
    table: str  # the table this publish changed, or "all"
    rows: int  # rows of that table after the publish (all tables: their sum)
    mode: str  # init | replace | append | rollback
    published_at: str  # ISO 8601, UTC
    based_on: int | None
    note: str = ""
    user: str | None = None
    restored_from: int | None = None
    tables: dict[str, int] = Field(default_factory=dict)  # rows per table
    files: dict[str, str] = Field(default_factory=dict)  # table -> path inside the version
    derived: dict[str, dict[str, str]] = Field(default_factory=dict)  # the first layout's
    relations: dict[str, str] = Field(default_factory=dict)  # facts, rollups -> path
    dataset: dict[str, Any] = Field(default_factory=dict)  # tables, dimensions, members
    targets: str = ""  # the targets file inside the version ("": no targets)

    def as_dict(self, current: bool | None = None) -> dict[str, Any]:
        data = self.model_dump()
        if current is not None:
            data["current"] = current
        return data

    def revised(self, **changes: Any) -> VersionInfo:
        """This record with some fields changed, checked as a read manifest would be."""
        return type(self).model_validate({**self.model_dump(), **changes})

    @classmethod
    def from_manifest(cls, text: str | bytes, version: int) -> VersionInfo:
        """The record in a `version.json`; StoreError naming every wrong field otherwise."""
        try:
            return cls.model_validate_json(text)
        except ValidationError as error:
            problems = "; ".join(_problem(p) for p in error.errors(include_url=False))
            raise StoreError(f"version {version}'s {MANIFEST} is damaged: {problems}") from None


def _problem(found: Mapping[str, Any]) -> str:
    where = ".".join(str(part) for part in found["loc"]) or "the file"
    return f"{where}: {found['msg']}"


def carry_targets(base: VersionInfo | None, base_folder: Path | None, stage: Path) -> None:
    """A version built on `base` keeps its targets file: linked, as every unchanged file is."""
    if base is not None and base_folder is not None and base.targets:
        link_or_copy(base_folder / base.targets, stage / base.targets)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# -- reading -------------------------------------------------------------------


def version_number(text: str) -> int | None:
    """`text` as a version number: ASCII digits only (`str.isdigit` also takes `²`)."""
    return int(text) if re.fullmatch(r"[0-9]+", text) else None


def is_store(path: Path | str) -> bool:
    return (Path(path) / MARKER).is_file()


def current_version(root: Path | str) -> int:
    """The published version (0: none yet); one tiny read, cheap enough to poll."""
    pointer = Path(root) / POINTER
    try:
        text = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return 0
    number = version_number(text)
    if number is None:
        raise StoreError(f"the store's {POINTER} file holds {text[:20]!r}, not a version number")
    return number


def version_dir(root: Path | str, version: int) -> Path:
    return Path(root) / VERSIONS / str(version)


def read_version(root: Path | str, version: int) -> VersionInfo:
    manifest = version_dir(root, version) / MANIFEST
    if version < 1 or version > current_version(root) or not manifest.is_file():
        raise VersionNotFound(_missing_message(Path(root), version))
    return VersionInfo.from_manifest(manifest.read_bytes(), version)


def _missing_message(root: Path, version: int) -> str:
    kept = version_numbers(root)
    have = f"kept versions: {number_runs(kept)}" if kept else "the store has no versions yet"
    return f"version {version} is not in the store (never published or pruned; {have})"


def number_runs(numbers: list[int]) -> str:
    """Sorted numbers as runs, `6..8, 26`: kept versions need not be consecutive (a version a
    reader holds outlives pruning), and `6..26` would promise the ones between."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(
        f"{run[0]}..{run[-1]}" if len(run) > 2 else ", ".join(map(str, run)) for run in runs
    )


def version_numbers(root: Path) -> list[int]:
    """Published version folders, oldest first (staging and orphans left out)."""
    folder = root / VERSIONS
    if not folder.is_dir():
        return []
    current = current_version(root)
    found = (version_number(p.name) for p in folder.iterdir())
    return sorted(
        v
        for v in found
        if v is not None and v <= current and (version_dir(root, v) / MANIFEST).exists()
    )


def current_files(root: Path | str, version: int | None = None) -> tuple[int, dict[str, Path]]:
    """The table files of one version (the current one unless pinned)."""
    root = Path(root)
    if not is_store(root):
        raise StoreError(f"{root.name or root} is not a CX store")
    chosen = current_version(root) if version is None else version
    if chosen == 0:
        raise StoreError("the store has no published version yet")
    info = read_version(root, chosen)
    base = version_dir(root, chosen)
    return chosen, {name: base / rel for name, rel in info.files.items()}


def list_versions(root: Path | str) -> list[VersionInfo]:
    """Every kept version, newest first."""
    root = Path(root)
    if not is_store(root):
        raise StoreError(f"{root.name or root} is not a CX store")
    return [read_version(root, v) for v in reversed(version_numbers(root))]


# -- column mappings -------------------------------------------------------------


def recall_mapping(root: Path | str, table: str) -> dict[str, str]:
    """The column mapping last used for `table` (file column -> contract column)."""
    path = Path(root) / MAPPINGS
    if not path.is_file():
        return {}
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return {}
    mapping = saved.get(table, {}) if isinstance(saved, dict) else {}
    return {str(k): str(v) for k, v in mapping.items()} if isinstance(mapping, dict) else {}


def remember_mapping(root: Path | str, table: str, mapping: Mapping[str, str]) -> None:
    root = Path(root)
    path = root / MAPPINGS
    saved: dict[str, Any] = {}
    if path.is_file():
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            saved = {}
    saved[table] = {str(k): str(v) for k, v in mapping.items()}
    root.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(saved, indent=2, sort_keys=True) + "\n")


# -- writing (publishers only, under the lock) -----------------------------------


def init_store(root: Path) -> bool:
    """Make the existing folder `root` a store with no version yet; True when it did.

    Called with the publisher lock held (the lock file is the one entry an
    empty folder may have); refuses a folder holding anything else.
    """
    if is_store(root):
        return False
    refuse_foreign(root)
    (root / VERSIONS).mkdir(exist_ok=True)
    marker = {"format": LAYOUT_FORMAT, "created_at": now_iso()}
    atomic_write_text(root / MARKER, json.dumps(marker) + "\n")
    return True


def refuse_foreign(root: Path) -> None:
    """A folder that is neither a store nor empty is someone else's: never written to."""
    if is_store(root) or not root.exists():
        return
    if not root.is_dir() or any(p.name not in (LOCK, STAGING_DIR) for p in root.iterdir()):
        raise StoreError(f"{root.name} is not a CX store and not empty; give a new or empty folder")


def _refuse_foreign_early(root: Path) -> None:
    """Refuse someone else's folder before leaving a lock file in it.

    A store in the making looks foreign until its marker is written, but its
    lock file is made first and removed last: whoever sees its other entries
    finds the lock file afterwards, unless an undone creation removed them all
    meanwhile (then a second look finds the folder empty). The check under the
    lock (`init_store`) decides in the end.
    """
    try:
        refuse_foreign(root)
    except StoreError:
        if (root / LOCK).exists():
            return
        refuse_foreign(root)


def _remove_new_store(root: Path, existed: bool) -> None:
    """Undo a store this publisher created and could not publish to (lock held).

    Only what a store is made of is removed; a folder that existed before
    stays, empty, and a new one goes unless something else was put in it.
    """
    for name in (MARKER, MAPPINGS, POINTER):
        (root / name).unlink(missing_ok=True)
    for temp in root.glob(".*.tmp-*"):
        temp.unlink(missing_ok=True)
    shutil.rmtree(root / VERSIONS, ignore_errors=True)
    shutil.rmtree(root / STAGING_DIR, ignore_errors=True)
    (root / LOCK).unlink(missing_ok=True)  # waiters on it notice and start over
    if not existed:
        with suppress(OSError):
            root.rmdir()


@contextmanager
def publishing(root: Path | str, timeout_s: float = LOCK_TIMEOUT_S) -> Iterator[Path]:
    """Hold the publisher lock, creating the store under it when there is none yet.

    Two first publishes at once therefore create the store once, one after
    the other. A store created here that has no version when the body fails
    (refused, denied, or any error) is removed again, still under the lock,
    so a failed first publish leaves no store behind.
    """
    root = Path(root)
    existed = root.exists()
    _refuse_foreign_early(root)
    deadline = time.monotonic() + timeout_s
    while True:
        root.mkdir(parents=True, exist_ok=True)
        held = ExitStack()
        try:
            held.enter_context(exclusive_lock(root / LOCK, max(deadline - time.monotonic(), 0)))
        except FileNotFoundError:  # the store was removed (an undone first publish): again
            continue
        except TimeoutError:
            raise StoreBusy(
                f"another publish has held the store for over {timeout_s:g} s; try again later"
            ) from None
        with held:
            created = init_store(root)
            try:
                yield root
            except BaseException:
                if created and current_version(root) == 0:
                    _remove_new_store(root, existed)
                raise
            return


def hold_current(root: Path | str) -> tuple[int, VersionInfo, BinaryIO] | None:
    """The current version, held against pruning until the handle is closed; None in a
    store with no version yet.

    A publish may prune the current version between reading the pointer and taking
    hold of it; the newer current version is then held instead. A current version
    that is gone while the pointer stays on it is a damaged store, named as such.
    """
    for _ in range(READ_ATTEMPTS):
        current = current_version(root)
        if not current:
            return None
        try:
            info, hold = hold_version(root, current)
        except VersionNotFound:
            if current_version(root) != current:
                continue  # pruned by a newer publish: hold that one
            raise
        return current, info, hold
    raise StoreError("the store kept changing while it was read; try again")


def hold_version(root: Path | str, version: int) -> tuple[VersionInfo, BinaryIO]:
    """Read a version's manifest and hold it against pruning until the handle is closed.

    Raises VersionNotFound when the version is gone, also when a prune removed
    it between the open and the lock.
    """
    manifest = version_dir(root, version) / MANIFEST
    if version < 1 or version > current_version(root):
        raise VersionNotFound(_missing_message(Path(root), version))
    try:
        handle = manifest.open("rb")
    except FileNotFoundError:
        raise VersionNotFound(_missing_message(Path(root), version)) from None
    fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
    if not still_at(handle.fileno(), manifest):
        handle.close()
        raise VersionNotFound(_missing_message(Path(root), version))
    try:
        info = VersionInfo.from_manifest(handle.read(), version)
    except StoreError:
        handle.close()
        raise
    return info, handle
