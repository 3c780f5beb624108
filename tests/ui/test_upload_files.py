"""Uploaded files are staged inside their own folder, under their own name when it is one plain
file name and under a safe one otherwise, whatever was sent."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from cxcore.ui.upload_files import discard, stage_files


class Sent(io.BytesIO):
    """A file as the uploader hands it over: bytes and the name the browser sent."""

    def __init__(self, name: str, data: bytes = b"x") -> None:
        super().__init__(data)
        self.name = name


def test_hostile_names_are_staged_inside_the_staging_folder() -> None:
    names = ["..", "../escape.csv", "a\x00b.csv", "n" * 400 + ".csv", "/abs/path.parquet"]
    staged = stage_files([Sent(n, b"customer_id\nc1\n") for n in names])
    try:
        assert staged.folder is not None
        folder = Path(staged.folder).resolve()
        for path in map(Path, staged.paths):
            assert path.resolve().parent.parent == folder
            assert path.read_bytes() == b"customer_id\nc1\n"
        assert len(set(staged.paths)) == len(names)
    finally:
        discard(staged)
    assert not folder.exists()


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("orders.csv", "orders.csv"),
        ("Umsätze 2025.xlsx", "Umsätze 2025.xlsx"),
        ("../../etc/orders.csv", "upload-0.csv"),
        ("a/b.parquet", "upload-0.parquet"),
        ("x\0y.csv", "upload-0.csv"),
        ("ok..csv", "upload-0.csv"),
        ("..", "upload-0"),
        ("a" * 252 + ".csv", "upload-0.csv"),  # 256 bytes, one over the limit
        ("a" * 251 + ".csv", "a" * 251 + ".csv"),  # 255 bytes: kept
        ("name.exe", "name.exe"),  # a plain name keeps its suffix; the format is the bytes'
    ],
)
def test_a_name_is_kept_or_replaced(name: str, stored: str) -> None:
    staged = stage_files([Sent(name)])
    try:
        path = Path(staged.paths[0])
        assert path.name == stored
        assert path.parent.parent == Path(staged.folder or "")  # never outside the folder
        assert path.read_bytes() == b"x"
        assert staged.renamed == (() if stored == name else ((name, stored),))
    finally:
        discard(staged)
