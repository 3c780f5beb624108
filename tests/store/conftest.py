"""Shared fixtures: a tiny seeded store and a way to prove it did not change."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlglot

from cxcore import Cockpit
from cxcore.settings import Settings
from cxcore.store import layout as store_layout
from cxcore.store.layout import current_version, read_version, version_dir
from cxcore.store.publish import ensure_store
from tests.factories import customer, order, write_folder, write_table

CUSTOMERS = [
    customer("c1", "SMB", "North", "2024-01-05"),
    customer("c2", "SMB", "South", "2024-02-10"),
    customer("c3", "Enterprise", "North", "2024-03-15"),
    customer("c4", "Enterprise", "South", "2024-04-20"),
]
ORDERS = [
    order("o1", "c1", "2025-01-10", 100),
    order("o2", "c2", "2025-02-11", 200),
    order("o3", "c3", "2025-04-12", 300),
    order("o4", "c4", "2025-05-13", 400),
]
SEED_REVENUE = Decimal(1000)


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "seed", customers=CUSTOMERS, orders=ORDERS)


@pytest.fixture
def settings() -> Settings:
    return Settings(keep_versions=20, max_upload_mb=5)


@pytest.fixture
def store(tmp_path: Path, seed: Path, settings: Settings) -> Path:
    root = tmp_path / "store"
    ensure_store(root, seed, settings)
    return root


def orders_file(folder: Path, rows: list[dict[str, Any]], fmt: str = "parquet") -> Path:
    return write_table(folder, "orders", rows, fmt=fmt)


def published_rows(
    store: Path, table: str, columns: str = "*", version: int | None = None
) -> list[tuple[Any, ...]]:
    """A table of a published version (the current one unless given), read from its file."""
    chosen = current_version(store) if version is None else version
    path = version_dir(store, chosen) / read_version(store, chosen).files[table]
    query = f"SELECT {columns} FROM read_parquet($path) ORDER BY ALL"
    return duckdb.execute(query, {"path": str(path)}).fetchall()


def revenue(store: Path, version: int | None = None) -> Decimal:
    (total,) = published_rows(store, "orders", "COALESCE(SUM(amount), 0)", version)[0]
    return Decimal(total)


def served_revenue(cockpit: Cockpit) -> Decimal:
    """Revenue as the engine serving the version reads it, from the fact rows."""
    (total,) = cockpit.executor.fetch(sqlglot.parse_one(REVENUE_SQL), {})[0]
    return Decimal(total)


REVENUE_SQL = "SELECT COALESCE(SUM(amount), 0) FROM fact_orders"


def snapshot(root: Path, published_only: bool = False) -> dict[str, tuple[int, int]]:
    """Every file in the store with its size and inode: equal snapshots, untouched store.

    `published_only` leaves out checked uploads waiting in staging, which readers never see.
    """
    found: dict[str, tuple[int, int]] = {}
    for folder, _dirs, files in os.walk(root):
        if published_only and Path(folder).relative_to(root).parts[:1] == ("staging",):
            continue
        for name in files:
            path = Path(folder) / name
            stat = path.stat()
            found[str(path.relative_to(root))] = (stat.st_size, stat.st_ino)
    found["CURRENT:text"] = (0, int((root / "CURRENT").read_text().strip()))
    return found


Publishes = Callable[[Callable[[int], None]], None]


def read_while(store: Path, publishes: Publishes, readers: int = 4) -> list[tuple[int, Decimal]]:
    """What readers opening the current version in a loop saw while `publishes` ran.

    `publishes` is given `until_seen(version)`, which returns once a reader has served
    that version: the next publish then waits on a reader, not on a guessed sleep.
    A reader's exception is raised here, in the test's thread, not lost in its own.
    """
    seen: list[tuple[int, Decimal]] = []
    errors: list[BaseException] = []
    stop = threading.Event()
    served = threading.Condition()

    def read() -> None:
        try:
            while not stop.is_set():
                with Cockpit.open(store) as cockpit:
                    assert cockpit.version is not None
                    with served:
                        seen.append((cockpit.version, served_revenue(cockpit)))
                        served.notify_all()
        except BaseException as err:  # surfaced in the main thread
            errors.append(err)
            with served:
                served.notify_all()

    def until_seen(version: int) -> None:
        with served:
            done = served.wait_for(
                lambda: errors or any(v == version for v, _ in seen), timeout=120
            )
        assert done, f"no reader served version {version} within 120 s"

    threads = [threading.Thread(target=read) for _ in range(readers)]
    for thread in threads:
        thread.start()
    try:
        publishes(until_seen)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, errors
    return seen


class LockArrivals:
    """Counts publishes arriving at the publisher lock, so a test waits for a contender to
    be there instead of sleeping and hoping it got there."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._count = 0
        self._changed = threading.Condition()
        real = store_layout.exclusive_lock

        @contextmanager
        def counted(path: Path, timeout_s: float) -> Iterator[None]:
            with self._changed:
                self._count += 1
                self._changed.notify_all()
            with real(path, timeout_s):
                yield

        monkeypatch.setattr(store_layout, "exclusive_lock", counted)

    def wait_until(self, arrivals: int, timeout_s: float = 60) -> None:
        with self._changed:
            reached = self._changed.wait_for(lambda: self._count >= arrivals, timeout=timeout_s)
        assert reached, f"{arrivals} publishes never reached the lock within {timeout_s:g} s"
