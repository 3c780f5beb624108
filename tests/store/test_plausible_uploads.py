"""Uploads through the store: an empty file is warned about, an implausible date refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxcore.settings import Settings
from cxcore.store.check import check
from cxcore.store.publish import publish

from .conftest import published_rows

HEADER = "customer_id,order_id,order_date,product_category,amount\n"


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "upload" / "orders.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_text(HEADER + text)
    return path


def test_a_header_only_file_empties_the_table_with_a_warning(
    store: Path, tmp_path: Path, settings: Settings
) -> None:
    result = publish(store, "orders", [_file(tmp_path, "")], settings=settings)
    assert result.warnings == ["orders: the upload has no rows: publishing it empties the table"]
    assert published_rows(store, "orders") == []


def test_a_header_only_file_appended_changes_nothing_and_says_nothing(
    store: Path, tmp_path: Path, settings: Settings
) -> None:
    before = published_rows(store, "orders")
    result = publish(store, "orders", [_file(tmp_path, "")], mode="append", settings=settings)
    assert result.warnings == []
    assert published_rows(store, "orders") == before


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "18991231"])
def test_an_upload_dated_outside_the_window_is_refused(
    store: Path, tmp_path: Path, settings: Settings, day: str
) -> None:
    checked = check(store, "orders", [_file(tmp_path, f"c1,o9,{day},A,1\n")], settings=settings)
    assert [f.message for f in checked.report.errors] == [
        "orders.order_date: 1 row is outside the date window 1900-01-01..2099-12-31"
        f" (rule: CX_DATE_WINDOW_ORDERS or CX_DATE_WINDOW sets it) (e.g. row 1: '{day}')"
    ]
