"""What an append does to published rows is said before it is published: rows of a table
without ids it would count twice, rows of a table with ids it replaces."""

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
SEED_IDS = {"o1", "o2", "o3", "o4"}  # the orders the store fixture publishes


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


def test_rows_already_published_are_counted_across_several_files(
    store: Path, tmp_path: Path
) -> None:
    """With two files, the rows of the first were all counted (the union bound to the last
    file only): 2 said for 1 repeated."""
    _warnings(store, tmp_path / "first", "marketing_spend", SPEND)
    files = [
        write_table(tmp_path / "a", "marketing_spend", NEW),
        write_table(tmp_path / "b", "marketing_spend", SPEND[:1]),
    ]
    warnings = publish(store, "marketing_spend", files, mode="append").warnings
    said = [w for w in warnings if "already published" in w]
    assert len(said) == 1 and said[0].startswith("marketing_spend: 1 row is already published")


def test_a_table_with_ids_replaces_its_rows_and_says_nothing_of_repeats(
    store: Path, tmp_path: Path
) -> None:
    again = [order("o1", "c1", "2025-01-10", 100)]
    assert _warnings(store, tmp_path / "again", "orders", again) == []  # published as it was


@pytest.mark.parametrize(
    ("again", "replaced"),
    [
        ([order("o1", "c1", "2025-01-10", 150)], 1),  # a correction of one published order
        ([order("o1", "c1", "2025-01-10", 1), order("o9", "c2", "2025-06-01", 9)], 1),
        ([order(f"o{i}", "c1", "2025-01-10", i) for i in (1, 2, 3, 4)], 4),
        ([order("o9", "c2", "2025-06-01", 9)], 0),  # only new orders
        ([order("o1", "c1", "2025-01-10", 100)], 0),  # given again exactly as published
        ([order("o1", "c1", "2025-01-10", 100), order("o2", "c9", "2025-02-11", 200)], 1),
    ],
)
def test_published_rows_an_append_replaces_by_id_are_counted_in_a_warning(
    store: Path, tmp_path: Path, again: list[dict[str, Any]], replaced: int
) -> None:
    before = len(published_rows(store, "orders"))
    said = [w for w in _warnings(store, tmp_path / "again", "orders", again) if "replaces" in w]
    if replaced:
        rows = "row is" if replaced == 1 else "rows are"
        assert said == [
            f"orders: {replaced} {rows} uploaded under an order_id already published, with"
            " other values: each replaces the published row (the newer row wins), so figures"
            " already published change"
        ]
    else:
        assert said == []
    # a warning, not a refusal: the upload is published, each id once
    published_again = sum(row["order_id"] in SEED_IDS for row in again)
    assert len(published_rows(store, "orders")) == before + len(again) - published_again


def test_several_files_replacing_published_rows_are_counted_once_each(
    store: Path, tmp_path: Path
) -> None:
    first = write_table(tmp_path / "a", "orders", [order("o1", "c1", "2025-01-10", 5)])
    second = write_table(tmp_path / "b", "orders", [order("o2", "c2", "2025-02-11", 6)])
    warnings = publish(store, "orders", [first, second], mode="append").warnings
    assert [w for w in warnings if "replaces" in w] == [
        "orders: 2 rows are uploaded under an order_id already published, with other values:"
        " each replaces the published row (the newer row wins), so figures already published"
        " change"
    ]
