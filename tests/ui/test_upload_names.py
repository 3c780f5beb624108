"""Uploaded file names are kept only when they are one plain file name."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from cxcore.ui import upload

from .test_upload import local, nps_csv, open_page, store, texts, upload_nps

__all__ = ["local", "store"]  # the upload page's fixtures: a network store, a local server


class Sent(io.BytesIO):
    """A file as the uploader hands it over: bytes and the name the browser sent."""

    def __init__(self, name: str, data: bytes = b"x") -> None:
        super().__init__(data)
        self.name = name


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
    staged = upload.stage_files([Sent(name)])
    try:
        path = Path(staged.paths[0])
        assert path.name == stored
        assert path.parent.parent == Path(staged.folder or "")  # never outside the folder
        assert path.read_bytes() == b"x"
        assert staged.renamed == (() if stored == name else ((name, stored),))
    finally:
        upload.discard(staged)


def test_the_page_says_a_name_was_replaced(store: Path, store_seed: Path, local: None) -> None:
    at = open_page()
    at.selectbox(key=upload.TABLE).set_value("nps_responses")
    at.file_uploader[0].set_value(("../nps_responses.csv", nps_csv(store_seed), "text/csv"))
    at.run()
    assert not at.exception
    assert "cannot be kept as it is" in texts(at, "info")
    assert "upload-0.csv" in texts(at, "info")


def test_a_plain_name_says_nothing(store: Path, store_seed: Path, local: None) -> None:
    at = upload_nps(open_page(), nps_csv(store_seed))
    assert "cannot be kept as it is" not in texts(at, "info")
