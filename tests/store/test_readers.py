"""Readers and pruning: a version being served is never pruned under it; a reader whose
version is pruned before it takes hold moves on, or names the pinned version.

The prune is made to happen at one exact moment, between reading the pointer
and taking hold of the version, by wrapping the hold. A loop of readers during
publishes that keep only one or two versions checks the same thing under real
timing.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cxcore import Cockpit
from cxcore.data import catalog
from cxcore.settings import Settings
from cxcore.store import candidate, layout, reader
from cxcore.store.layout import VersionNotFound, current_version
from cxcore.store.publish import publish
from tests.factories import order
from tests.store.conftest import SEED_REVENUE, orders_file, read_while, served_revenue

READERS = 4


def _publish_amount(store: Path, folder: Path, amount: int, keep: int) -> int:
    rows = [order(f"n{i}", "c1", "2025-06-01", amount) for i in range(amount)]
    path = orders_file(folder / str(amount), rows)
    return publish(store, "orders", [path], settings=Settings(keep_versions=keep)).version


def _before_hold(monkeypatch: pytest.MonkeyPatch, when: Callable[[], object]) -> list[int]:
    """Run `when` once, after a reader read the pointer and before it holds the version."""
    real = reader.hold_version
    fired: list[int] = []

    def hold(root: Path, version: int) -> Any:
        if not fired:
            fired.append(version)
            when()
        return real(root, version)

    monkeypatch.setattr(reader, "hold_version", hold)  # a pinned version
    monkeypatch.setattr(layout, "hold_version", hold)  # the current one (layout.hold_current)
    return fired


def test_a_version_pruned_before_it_is_held_is_replaced_by_the_new_one(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _publish_amount(store, tmp_path, 2, keep=20) == 2
    fired = _before_hold(monkeypatch, lambda: _publish_amount(store, tmp_path, 3, keep=1))
    with Cockpit.open(store) as cockpit:
        assert fired == [2]  # the open began on version 2
        assert not (store / "versions" / "2").exists()
        assert (cockpit.version, served_revenue(cockpit)) == (3, Decimal(9))


def test_a_pinned_version_pruned_before_it_is_held_is_named(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _publish_amount(store, tmp_path, 2, keep=20) == 2
    fired = _before_hold(monkeypatch, lambda: _publish_amount(store, tmp_path, 3, keep=1))
    with pytest.raises(VersionNotFound, match="version 2 is not in the store"):
        Cockpit.open(store, version=2)
    assert fired == [2]


def test_a_version_being_served_is_not_pruned_until_it_is_closed(
    store: Path, tmp_path: Path
) -> None:
    assert _publish_amount(store, tmp_path, 2, keep=20) == 2
    cockpit = Cockpit.open(store)
    assert _publish_amount(store, tmp_path, 3, keep=1) == 3
    assert (store / "versions" / "2").exists()  # held: passed over by the prune
    assert served_revenue(cockpit) == Decimal(4)  # and still answering from its own files
    cockpit.close()
    assert _publish_amount(store, tmp_path, 4, keep=1) == 4
    assert sorted(p.name for p in (store / "versions").iterdir()) == ["4"]


def test_a_broken_version_that_is_still_current_is_not_retried(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a version that moved on is retried: a real fault is raised at once."""
    calls: list[int] = []

    def broken(folder: Path, version: int, *args: Any) -> Any:
        calls.append(version)
        raise OSError("broken on purpose")

    monkeypatch.setattr(reader, "_serve", broken)
    with pytest.raises(OSError, match="broken on purpose"):
        Cockpit.open(store)
    assert calls == [1]
    assert current_version(store) == 1


@pytest.mark.parametrize("keep", [1, 2])
def test_readers_in_a_loop_survive_pruning(store: Path, tmp_path: Path, keep: int) -> None:
    expected = {1: SEED_REVENUE}

    def publishes(until_seen: Callable[[int], None]) -> None:
        for amount in range(1, 9):
            version = _publish_amount(store, tmp_path, amount, keep=keep)
            expected[version] = Decimal(amount * amount)
            until_seen(version)

    seen = read_while(store, publishes, READERS)
    assert seen
    assert [(v, total) for v, total in seen if expected.get(v) != total] == []
    # versions held by a reader during a publish are pruned by the next one
    _publish_amount(store, tmp_path, 9, keep=keep)
    assert len(list((store / "versions").iterdir())) == keep


def test_opening_a_version_reads_no_export_and_validates_nothing(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A published version was checked once; serving it reads its own files, nothing else."""
    upload = orders_file(tmp_path / "up", [order("n1", "c1", "2025-06-01", 7)])
    publish(store, "orders", [upload])
    upload.unlink()

    def again(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an export was read or validated again")

    for owner in (catalog, candidate):
        monkeypatch.setattr(owner, "load_raw", again)
        monkeypatch.setattr(owner, "validate", again)
    monkeypatch.setattr(catalog.Catalog, "from_files", again)
    with Cockpit.open(store) as cockpit:
        assert cockpit.kpis("2025-06-01", "2025-06-30")["kpis"]["revenue"]["value"] == 7
        assert cockpit.tables["orders"].rows == 1
