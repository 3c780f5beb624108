"""The browser's uploaded files, written to a private folder under their own names.

Every later step of an upload (check, review, publish) then works on plain file
paths, the same ones the command line gives, so tests can stage paths without
a browser. No streamlit here: the page hands over the uploader's files.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cxcore.data.formats import SUFFIXES

MAX_NAME_BYTES = 255  # the longest file name common file systems store


@dataclass(frozen=True)
class Staged:
    """Files on disk for this session; `ids` ties them to the uploader's current files."""

    paths: tuple[str, ...]
    folder: str | None = None
    ids: tuple[str, ...] | None = None  # None: staged from paths, not from the uploader
    renamed: tuple[tuple[str, str], ...] = ()  # (name as sent, name stored) when unsafe


def stage_files(files: Sequence[Any], ids: tuple[str, ...] | None = None) -> Staged:
    """Write uploaded files (name + bytes readers) to a new private folder, keeping names.

    Each file gets its own subfolder so two uploads with the same name do not
    overwrite each other. A name that could leave that folder or that a file
    system refuses is stored under a plain one instead, and the page says so.
    """
    folder = Path(tempfile.mkdtemp(prefix="cx-upload-"))
    paths, renamed = [], []
    for i, upload in enumerate(files):
        name = safe_name(str(upload.name), i)
        if name != upload.name:
            renamed.append((str(upload.name), name))
        target = folder / str(i) / name
        target.parent.mkdir()
        upload.seek(0)
        with target.open("wb") as out:
            shutil.copyfileobj(upload, out, length=1 << 20)
        paths.append(str(target))
    return Staged(tuple(paths), str(folder), ids, tuple(renamed))


def safe_name(name: str, index: int) -> str:
    """The name itself when it is one plain file name; else `upload-<i>` with its suffix."""
    plain = (
        name.strip() == name
        and name not in ("", ".", "..")
        and ".." not in name
        and not any(c in name for c in "/\\\0")
        and all(c.isprintable() for c in name)
        and len(name.encode("utf-8", "surrogatepass")) <= MAX_NAME_BYTES
    )
    if plain:
        return name
    suffix = Path(name.replace("\0", "")).suffix.lower()
    return f"upload-{index}{suffix if suffix in SUFFIXES else ''}"


def discard(staged: Staged | None) -> None:
    """Remove the staged files: they are the analyst's data and must not outlive the upload."""
    if staged is not None and staged.folder:
        shutil.rmtree(staged.folder, ignore_errors=True)
