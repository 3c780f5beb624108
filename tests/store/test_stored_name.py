"""Names a browser sends for uploaded files, made safe to create in a staging folder."""

from __future__ import annotations

import pytest

from cxcore.store.fs import NAME_BYTES, stored_name

LONG = "é" * 200 + ".csv"  # 404 bytes


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("orders.csv", "orders.csv"),
        ("../../etc/passwd", "passwd"),
        ("..", "upload-0"),
        (".", "upload-0"),
        ("", "upload-0"),
        ("a/b/", "upload-0"),
        ("C:\\exports\\orders.csv", "orders.csv"),
        ("ord\x00ers.csv", "orders.csv"),
        ("line\nbreak.csv", "linebreak.csv"),
        ("x" * 300, "x" * NAME_BYTES),
        (LONG, "é" * 125 + ".csv"),
    ],
)
def test_a_sent_name_is_stored_safely(sent: str, stored: str) -> None:
    assert stored_name(sent, "upload-0") == stored
    assert len(stored_name(sent, "upload-0").encode("utf-8")) <= NAME_BYTES
