"""An append that repeats published rows of a table without ids is said before it doubles them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cxcore.store.publish import publish
from tests.factories import order, spend, write_table
from tests.store.conftest import published_rows

SPEND = [
    spend("2025-03-01", 120.0, "SMB", "North"),
    spend("2025-03-01", 80.0, "SMB", "South"),
    spend("2025-03-02", 50.0, None, "North", channel="social"),
]
NEW = [spend("2025-03-03", 40.0, "SMB", "North")]


def _warnings(store: Path, folder: Path, table: str, rows: list[dict[str, Any]]) -> list[str]:
    upload = write_table(folder, table, rows)
    return publish(store, table, [upload], mode="append").warnings


@pytest.mark.parametrize(
    ("again", "repeated"),
    [
        (SPEND, 3),  # the same export appended twice
        (SPEND[:1] + NEW, 1),  # one row of the export, one new
        (SPEND + SPEND[:1], 3),  # each published row matches one uploaded row at most
        (NEW, 0),
    ],
)
def test_rows_already_published_are_counted_in_a_warning(
    store: Path, tmp_path: Path, again: list[dict[str, Any]], repeated: int
) -> None:
    _warnings(store, tmp_path / "first", "marketing_spend", SPEND)
    said = [
        w
        for w in _warnings(store, tmp_path / "again", "marketing_spend", again)
        if "already published" in w
    ]
    if repeated:
        assert len(said) == 1
        assert said[0].startswith(f"marketing_spend: {repeated} row")
        assert "counts them twice" in said[0] and "replace mode" in said[0]
    else:
        assert said == []
    # a warning, not a refusal: the rows are published as given
    assert len(published_rows(store, "marketing_spend")) == len(SPEND) + len(again)


def test_a_table_with_ids_replaces_its_rows_and_says_nothing_of_repeats(
    store: Path, tmp_path: Path
) -> None:
    again = [order("o1", "c1", "2025-01-10", 100)]
    warnings = _warnings(store, tmp_path / "again", "orders", again)
    assert not any("already published" in w for w in warnings)
