"""Uploaded files are staged under safe names, inside their own folder, whatever was sent."""

from __future__ import annotations

import io
from pathlib import Path

from cxcore.ui.upload import stage_files


class Upload(io.BytesIO):
    def __init__(self, name: str, data: bytes) -> None:
        super().__init__(data)
        self.name = name


def test_hostile_names_are_staged_inside_the_staging_folder() -> None:
    names = ["..", "../escape.csv", "a\x00b.csv", "n" * 400 + ".csv", "/abs/path.parquet"]
    staged = stage_files([Upload(n, b"customer_id\nc1\n") for n in names])
    assert staged.folder is not None
    folder = Path(staged.folder).resolve()
    for path in map(Path, staged.paths):
        assert path.resolve().parent.parent == folder
        assert path.read_bytes() == b"customer_id\nc1\n"
    assert len(set(staged.paths)) == len(names)
