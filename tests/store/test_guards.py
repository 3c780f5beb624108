"""Publishing on top of what was reviewed, the role check on rollback, first-time creation."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from cxcore.store import check as check_mod
from cxcore.store import layout as store_mod
from cxcore.store.layout import (
    StoreError,
    current_version,
    is_store,
    list_versions,
    version_number,
)
from cxcore.store.publish import PublishDenied, PublishRefused, StoreMoved, publish, rollback
from tests.factories import customer, order, write_table
from tests.store.conftest import LockArrivals, orders_file, published_rows, snapshot


def _orders(folder: Path, amount: int = 5) -> Path:
    return orders_file(folder, [order("n1", "c1", "2025-06-01", amount)])


# -- publishing on top of the reviewed version ------------------------------------


def test_a_publish_on_top_of_another_version_than_the_reviewed_one_is_refused(
    store: Path, tmp_path: Path
) -> None:
    reviewed = current_version(store)
    publish(store, "orders", [_orders(tmp_path / "other", 7)])  # someone else, meanwhile
    before = snapshot(store)
    with pytest.raises(StoreMoved) as moved:
        publish(store, "orders", [_orders(tmp_path / "mine")], expected_base=reviewed)
    assert isinstance(moved.value, StoreError)
    assert "version 2 was published since you checked" in str(moved.value)
    assert "check again" in str(moved.value)
    assert (moved.value.expected, moved.value.current) == (1, 2)
    assert snapshot(store) == before


def test_a_publish_on_top_of_the_reviewed_version_goes_through(store: Path, tmp_path: Path) -> None:
    result = publish(store, "orders", [_orders(tmp_path / "mine")], expected_base=1)
    assert result.version == current_version(store) == 2


def test_an_empty_store_is_base_zero(tmp_path: Path, seed: Path) -> None:
    root = tmp_path / "new"
    publish(root, "customers", [seed / "customers.parquet"], expected_base=0)
    with pytest.raises(StoreMoved):
        publish(root, "orders", [seed / "orders.parquet"], expected_base=0)
    assert current_version(root) == 1


# -- the role check on rollback ------------------------------------------------------


@pytest.mark.parametrize("table", [None, "orders"])
def test_a_failed_role_check_rolls_nothing_back(
    table: str | None, store: Path, tmp_path: Path
) -> None:
    publish(store, "orders", [_orders(tmp_path / "up")])
    before = snapshot(store)
    with pytest.raises(PublishDenied, match="only analysts"):
        rollback(store, 1, table, allowed=lambda: False)
    assert snapshot(store) == before
    assert [v.version for v in list_versions(store)] == [2, 1]


def test_a_passing_role_check_rolls_back(store: Path, tmp_path: Path) -> None:
    publish(store, "orders", [_orders(tmp_path / "up")])
    assert rollback(store, 1, allowed=lambda: True).version == 3


# -- creating the store ------------------------------------------------------------


def test_two_first_publishes_at_once_both_publish(
    tmp_path: Path, seed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first creates the store only once the second is at the lock too, so an
    unlocked creation would be caught."""
    arrivals = LockArrivals(monkeypatch)
    real = store_mod.atomic_write_text

    def contended(path: Path, text: str) -> None:
        if path.name == store_mod.MARKER:
            arrivals.wait_until(2)
        real(path, text)

    monkeypatch.setattr(store_mod, "atomic_write_text", contended)
    root = tmp_path / "new"
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def first(table: str) -> None:
        try:
            start.wait()
            publish(root, table, [seed / f"{table}.parquet"])
        except BaseException as err:  # surfaced in the main thread
            errors.append(err)

    threads = [threading.Thread(target=first, args=(t,)) for t in ("customers", "orders")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert current_version(root) == 2
    assert {v.table for v in list_versions(root)} == {"customers", "orders"}
    assert published_rows(root, "orders", "COUNT(*)") == [(4,)]


def test_a_first_publish_that_looks_while_another_creates_the_store_waits_for_it(
    tmp_path: Path, seed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second publish finds no lock file, then looks into the folder just when the
    first holds the lock with the store half made (versions folder, no marker yet): it
    waits for the lock instead of calling the folder someone else's."""
    root = tmp_path / "new"
    half_made, looked = threading.Event(), threading.Event()
    real_write, real_refuse = store_mod.atomic_write_text, store_mod.refuse_foreign
    errors: list[BaseException] = []

    def held_before_marker(path: Path, text: str) -> None:
        if path.name == store_mod.MARKER and threading.current_thread().name == "first":
            half_made.set()
            looked.wait(60)
        real_write(path, text)

    def first_publish() -> None:
        try:
            publish(root, "customers", [seed / "customers.parquet"])
        except BaseException as err:  # surfaced in the main thread
            errors.append(err)

    first = threading.Thread(target=first_publish, name="first")

    def looks_mid_creation(folder: Path) -> None:
        if threading.current_thread() is threading.main_thread() and not looked.is_set():
            first.start()
            assert half_made.wait(60), "the first publish never started the store"
            try:
                real_refuse(folder)
            finally:
                looked.set()
            return
        real_refuse(folder)

    monkeypatch.setattr(store_mod, "atomic_write_text", held_before_marker)
    monkeypatch.setattr(store_mod, "refuse_foreign", looks_mid_creation)
    publish(root, "orders", [seed / "orders.parquet"])
    first.join(timeout=120)
    assert errors == []
    assert {v.table for v in list_versions(root)} == {"customers", "orders"}


def test_a_first_publish_that_fails_unexpectedly_leaves_no_store(
    tmp_path: Path, seed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(check_mod, "build", broken)
    root = tmp_path / "new"
    with pytest.raises(OSError, match="disk full"):
        publish(root, "customers", [seed / "customers.parquet"])
    assert not root.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(OSError, match="disk full"):
        publish(empty, "customers", [seed / "customers.parquet"])
    assert list(empty.iterdir()) == []


def test_a_publish_waiting_on_a_refused_first_publish_creates_the_store(
    tmp_path: Path, seed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refused one removes the store, lock file included, while the other waits on it."""
    root = tmp_path / "new"
    bad = write_table(tmp_path / "bad", "customers", [customer("c1"), customer("c1")])
    arrivals = LockArrivals(monkeypatch)
    real = check_mod.prepare

    def refused_once_the_other_waits(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name == "refused":
            arrivals.wait_until(2)  # the other publish is at the lock this one holds
        return real(*args, **kwargs)

    monkeypatch.setattr(check_mod, "prepare", refused_once_the_other_waits)
    outcome: dict[str, Any] = {}

    def refused() -> None:
        try:
            publish(root, "customers", [bad])
        except BaseException as err:  # surfaced in the main thread
            outcome["refused"] = err

    first = threading.Thread(target=refused, name="refused")
    first.start()
    arrivals.wait_until(1)  # the refused publish came first
    result = publish(root, "customers", [seed / "customers.parquet"])
    first.join(timeout=60)
    assert isinstance(outcome.get("refused"), PublishRefused)
    assert result.version == current_version(root) == 1
    assert is_store(root) and (root / store_mod.LOCK).exists()


def test_a_folder_of_other_things_is_refused_untouched(tmp_path: Path, seed: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(StoreError, match="not a CX store and not empty"):
        publish(folder, "customers", [seed / "customers.parquet"])
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


# -- version numbers are ASCII digits ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"), [("7", 7), ("007", 7), ("\u00b2", None), ("\u0661", None), ("", None)]
)
def test_version_number(text: str, number: int | None) -> None:
    assert version_number(text) == number


def test_a_pointer_or_folder_named_with_other_digits_is_not_a_version(store: Path) -> None:
    (store / "versions" / "\u00b2").mkdir()
    assert [v.version for v in list_versions(store)] == [1]
    (store / "CURRENT").write_text("\u00b2\n", encoding="utf-8")
    with pytest.raises(StoreError, match="not a version number"):
        current_version(store)
