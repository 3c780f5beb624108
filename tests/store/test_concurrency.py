"""Readers in a loop during publishes only ever see one whole version's numbers."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from cxcore.store.layout import current_version
from cxcore.store.publish import publish
from tests.factories import order
from tests.store.conftest import SEED_REVENUE, orders_file, published_rows, read_while, revenue

READERS = 4


def test_readers_see_old_or_new_numbers_never_a_mix(store: Path, tmp_path: Path) -> None:
    expected = {1: SEED_REVENUE}

    def publishes(until_seen: Callable[[int], None]) -> None:
        for amount in range(1, 7):
            rows = [order(f"n{i}", "c1", "2025-06-01", amount) for i in range(amount)]
            result = publish(store, "orders", [orders_file(tmp_path / str(amount), rows)])
            expected[result.version] = Decimal(amount * amount)
            until_seen(result.version)

    seen = read_while(store, publishes, READERS)
    assert seen
    wrong = [(v, total) for v, total in seen if expected.get(v) != total]
    assert wrong == []
    assert len({v for v, _ in seen}) >= 2


def test_concurrent_publishers_are_serialised_and_lose_nothing(store: Path, tmp_path: Path) -> None:
    uploads = [
        orders_file(tmp_path / f"u{i}", [order(f"p{i}", "c1", "2025-06-01", 1)]) for i in range(4)
    ]
    threads = [
        threading.Thread(target=publish, args=(store, "orders", [u]), kwargs={"mode": "append"})
        for u in uploads
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert current_version(store) == 5
    ids = {r[0] for r in published_rows(store, "orders", "order_id")}
    assert {"p0", "p1", "p2", "p3"} <= ids
    assert revenue(store) == SEED_REVENUE + 4


def test_a_command_line_publish_shows_up_for_a_polling_reader(store: Path, tmp_path: Path) -> None:
    """What the app does: poll the cheap pointer, reopen when it moves; no restart."""
    before = current_version(store)
    upload = orders_file(tmp_path / "up", [order("n1", "c1", "2025-06-01", 3)])
    command = [sys.executable, "-m", "cxcore", "ingest", "--store", str(store)]
    subprocess.run(
        [*command, "--table", "orders", str(upload)],
        check=True,
        env=dict(os.environ),
        capture_output=True,
    )
    assert current_version(store) == before + 1
    assert revenue(store) == Decimal(3)
