"""A reader whose version is pruned while it loads: it moves on, or names the pinned version.

The prune is made to happen at one exact moment, after a file passed its format
check and before DuckDB reads it, by wrapping the format check. A loop of
readers during publishes that keep only one or two versions checks the same
thing under real timing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from cxcore.data import reading
from cxcore.data.catalog import DataContractError
from cxcore.settings import Settings
from cxcore.store.layout import VersionNotFound, current_version, open_catalog
from cxcore.store.publish import publish
from tests.factories import order
from tests.store.conftest import SEED_REVENUE, orders_file, read_while, revenue

READERS = 4


def _publish_amount(store: Path, folder: Path, amount: int, keep: int) -> int:
    rows = [order(f"n{i}", "c1", "2025-06-01", amount) for i in range(amount)]
    path = orders_file(folder / str(amount), rows)
    return publish(store, "orders", [path], settings=Settings(keep_versions=keep)).version


def _prune_during_load(monkeypatch: pytest.MonkeyPatch, when: Callable[[], None]) -> list[Path]:
    """Run `when` once, right after the orders file passed its format check."""
    real = reading.sniff_format
    fired: list[Path] = []

    def sniff(table: str, path: Path) -> str:
        fmt = real(table, path)
        if table == "orders" and not fired:
            fired.append(path)
            when()
        return fmt

    monkeypatch.setattr(reading, "sniff_format", sniff)
    return fired


def test_a_version_pruned_while_it_loads_is_replaced_by_the_new_one(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _publish_amount(store, tmp_path, 2, keep=20) == 2
    fired = _prune_during_load(monkeypatch, lambda: _publish_amount(store, tmp_path, 3, keep=1))
    version, catalog = open_catalog(store)
    assert fired and "versions/2/" in fired[0].as_posix()  # the load began on version 2
    assert not (store / "versions" / "2").exists()
    assert (version, revenue(catalog)) == (3, Decimal(9))


def test_a_pinned_version_pruned_while_it_loads_is_named(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _publish_amount(store, tmp_path, 2, keep=20) == 2
    fired = _prune_during_load(monkeypatch, lambda: _publish_amount(store, tmp_path, 3, keep=1))
    with pytest.raises(VersionNotFound, match="version 2 is not in the store"):
        open_catalog(store, 2)
    assert fired


def test_a_broken_version_that_is_still_current_is_not_retried(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a version that moved on is retried: a real fault is raised at once."""
    calls: list[Path] = []

    def broken(table: str, path: Path) -> str:
        calls.append(path)
        raise reading.ReadError(table, path, "broken on purpose")

    monkeypatch.setattr(reading, "sniff_format", broken)
    with pytest.raises(DataContractError, match="broken on purpose"):
        open_catalog(store)
    assert len(calls) == 2  # customers and orders, once each
    assert current_version(store) == 1


@pytest.mark.parametrize("keep", [1, 2])
def test_readers_in_a_loop_survive_pruning(store: Path, tmp_path: Path, keep: int) -> None:
    expected = {1: SEED_REVENUE}

    def publishes() -> None:
        for amount in range(1, 9):
            version = _publish_amount(store, tmp_path, amount, keep=keep)
            expected[version] = Decimal(amount * amount)
            time.sleep(0.02)

    seen = read_while(store, publishes, READERS)
    assert seen
    assert [(v, total) for v, total in seen if expected.get(v) != total] == []
    assert len(list((store / "versions").iterdir())) == keep
