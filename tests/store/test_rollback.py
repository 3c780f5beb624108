"""Versions listing, rollback of a whole version or one table, and pruning."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from cxcore.settings import Settings
from cxcore.store.layout import (
    VersionNotFound,
    current_version,
    list_versions,
    number_runs,
    publishing,
)
from cxcore.store.publish import publish, rollback
from tests.factories import customer, order, write_table
from tests.store.conftest import SEED_REVENUE, orders_file, published_rows, revenue


def _customers(store: Path) -> int:
    return int(published_rows(store, "customers", "COUNT(*)")[0][0])


@pytest.fixture
def history(store: Path, tmp_path: Path) -> Path:
    """v1 seed; v2 orders = 7; v3 customers = 5 rows."""
    publish(store, "orders", [orders_file(tmp_path / "o", [order("n1", "c1", "2025-06-01", 7)])])
    people = [customer(f"c{i}") for i in range(1, 6)]
    publish(store, "customers", [write_table(tmp_path / "c", "customers", people)])
    return store


def test_versions_are_listed_newest_first(history: Path) -> None:
    listed = [(v.version, v.table, v.mode, v.rows, v.based_on) for v in list_versions(history)]
    assert listed == [
        (3, "customers", "replace", 5, 2),
        (2, "orders", "replace", 1, 1),
        (1, "all", "init", 8, None),
    ]
    assert all(v.published_at.endswith("+00:00") for v in list_versions(history))


def test_rollback_of_a_whole_version_is_a_new_version(history: Path) -> None:
    result = rollback(history, 1)
    assert result.version == current_version(history) == 4
    assert (result.info.mode, result.info.table, result.info.restored_from) == (
        "rollback",
        "all",
        1,
    )
    assert revenue(history) == SEED_REVENUE and _customers(history) == 4
    assert len(list_versions(history)) == 4  # nothing published is lost


def test_rollback_of_one_table_keeps_the_others(history: Path) -> None:
    result = rollback(history, 1, "orders")
    assert (result.info.table, result.info.mode, result.info.rows) == ("orders", "rollback", 4)
    assert revenue(history) == SEED_REVENUE
    assert _customers(history) == 5


def test_rollback_to_an_unknown_version_names_it(history: Path) -> None:
    with pytest.raises(VersionNotFound, match="version 42"):
        rollback(history, 42)
    assert current_version(history) == 3


def test_pruning_keeps_the_newest_versions_and_never_the_current(
    store: Path, tmp_path: Path
) -> None:
    keep = Settings(keep_versions=2)
    for amount in (1, 2, 3):
        path = orders_file(tmp_path / str(amount), [order("n1", "c1", "2025-06-01", amount)])
        publish(store, "orders", [path], settings=keep)
    assert [v.version for v in list_versions(store)] == [4, 3]
    assert not (store / "versions" / "1").exists()
    with pytest.raises(VersionNotFound, match="pruned"):
        rollback(store, 1, settings=keep)
    rollback(store, 3, settings=Settings(keep_versions=1))
    assert [v.version for v in list_versions(store)] == [5]
    assert revenue(store) == Decimal(2)


@pytest.mark.parametrize(
    ("numbers", "words"),
    [
        ([7], "7"),
        ([6, 26], "6, 26"),
        ([3, 4], "3, 4"),
        ([6, 7, 8, 26], "6..8, 26"),
        ([1, 2, 3, 5, 6, 7, 8, 12], "1..3, 5..8, 12"),
    ],
)
def test_kept_versions_are_named_as_runs_never_as_one_span(numbers: list[int], words: str) -> None:
    assert number_runs(numbers) == words


def test_a_missing_version_names_only_the_versions_kept(store: Path, tmp_path: Path) -> None:
    """It said `kept versions: 1..4` when only 1 and 4 were kept."""
    for amount in (1, 2, 3):
        path = orders_file(tmp_path / str(amount), [order("n1", "c1", "2025-06-01", amount)])
        publish(store, "orders", [path])
    for gone in (2, 3):
        shutil.rmtree(store / "versions" / str(gone))
    with pytest.raises(VersionNotFound) as missing:
        rollback(store, 2)
    assert str(missing.value).endswith("(never published or pruned; kept versions: 1, 4)")


def test_rolling_back_restores_derived_data_too(history: Path) -> None:
    rollback(history, 1)
    restored, first = list_versions(history)[0], list_versions(history)[-1]
    assert restored.relations == first.relations and restored.dataset == first.dataset


def test_rollback_in_a_store_with_no_version_names_the_version_asked_for(tmp_path: Path) -> None:
    """It named version 0, the empty store's pointer, which nobody had asked for."""
    root = tmp_path / "store"
    with publishing(root):  # a store whose first publish never got through
        pass
    with pytest.raises(VersionNotFound) as missing:
        rollback(root, 1)
    assert str(missing.value) == (
        "version 1 is not in the store (never published or pruned; the store has no versions yet)"
    )
