"""File-system primitives the store's guarantees rest on.

Durability needs more than a rename: file contents and directory entries are
flushed (fsync) before the pointer that makes them visible is replaced, so a
power cut or `kill -9` leaves either the old or the new pointer, each naming a
complete version. Kept apart from the store logic so each step can be read
and reasoned about on its own.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def token() -> str:
    return f"{os.getpid()}-{secrets.token_hex(4)}"


def fsync_path(path: Path) -> None:
    """Flush a file's data, or a directory's entries, to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(root: Path) -> None:
    """Every file, then every directory bottom-up, so no entry names unflushed data."""
    for folder, dirs, files in os.walk(root, topdown=False):
        for name in files:
            fsync_path(Path(folder) / name)
        for name in dirs:
            fsync_path(Path(folder) / name)
    fsync_path(root)


def atomic_write_text(path: Path, text: str) -> None:
    """Readers see the old or the new content, never a partial file.

    A write or replace that fails (disk full, a file the system refuses to replace)
    takes its temp file with it: only the pointer's temp files are tidied later.
    """
    temp = path.with_name(f".{path.name}.tmp-{token()}")
    try:
        with temp.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_path(path.parent)


def link_or_copy(source: Path, target: Path) -> None:
    """Share an immutable file between versions; copy where hard links are not allowed."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def remove_tree(path: Path) -> None:
    """Rename first, so a half-deleted folder never looks like a real one, then delete."""
    if not path.exists():
        return
    doomed = path.with_name(f".trash-{path.name}-{token()}")
    os.replace(path, doomed)
    shutil.rmtree(doomed, ignore_errors=True)


@contextmanager
def exclusive_lock(path: Path, timeout_s: float) -> Iterator[None]:
    """An advisory lock held by one publisher at a time; released by the OS on a crash.

    Its holder may delete the lock file (an undone first publish removes the
    store it created); a waiter then gets the lock of a deleted file, notices,
    and locks the file now at `path` instead. FileNotFoundError: the folder
    holding `path` is gone.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        with path.open("a+b") as handle:
            fd = handle.fileno()
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise TimeoutError(f"another publish holds {path.name}") from None
                    time.sleep(0.05)
            try:
                if still_at(fd, path):
                    yield
                    return
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)


def still_at(fd: int, path: Path) -> bool:
    """Whether the open file `fd` is still the file at `path` (not deleted or replaced)."""
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)
