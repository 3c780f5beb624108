"""Shared fixtures: a tiny seeded store and a way to prove it did not change."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cxcore.data.catalog import Catalog
from cxcore.settings import Settings
from cxcore.store.layout import open_catalog
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


def revenue(catalog: Catalog) -> Decimal:
    (total,) = catalog.con.execute("SELECT COALESCE(SUM(amount), 0) FROM orders").fetchone()
    return Decimal(total)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file in the store with its size and inode: equal snapshots, untouched store."""
    found: dict[str, tuple[int, int]] = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            stat = path.stat()
            found[str(path.relative_to(root))] = (stat.st_size, stat.st_ino)
    found["CURRENT:text"] = (0, int((root / "CURRENT").read_text().strip()))
    return found


def read_while(
    store: Path, publishes: Callable[[], None], readers: int = 4
) -> list[tuple[int, Decimal]]:
    """What readers opening the current version in a loop saw while `publishes` ran.

    A reader's exception is raised here, in the test's thread, not lost in its own.
    """
    seen: list[tuple[int, Decimal]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                version, catalog = open_catalog(store)
                seen.append((version, revenue(catalog)))
                catalog.con.close()
        except BaseException as err:  # surfaced in the main thread
            errors.append(err)

    threads = [threading.Thread(target=read) for _ in range(readers)]
    for thread in threads:
        thread.start()
    try:
        publishes()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, errors
    return seen
