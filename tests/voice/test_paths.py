"""A published store and the data folder it came from answer every voice call alike."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from cxcore import Cockpit
from cxcore.data.sample import generate
from cxcore.store.publish import ensure_store

VIEWS = [
    ("2026-07-01", "2026-09-30", "previous", None),
    ("2026-01-01", "2026-03-31", "yoy", {"region": ["East"]}),
    ("2025-03-10", "2025-05-20", "previous", {"segment": ["SMB", "Consumer"]}),
]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cockpit, Cockpit]]:
    folder = tmp_path_factory.mktemp("voice_paths")
    generate(folder, customers=400, seed=3)
    with tempfile.TemporaryDirectory() as tmp:
        ensure_store(Path(tmp) / "store", folder)
        with Cockpit.open(Path(tmp) / "store") as store, Cockpit.open(folder) as loaded:
            yield store, loaded


@pytest.mark.parametrize("view", VIEWS)
def test_store_and_folder_agree(pair: tuple[Cockpit, Cockpit], view: tuple) -> None:
    store, loaded = pair
    start, end, compare, filters = view
    assert store.drivers(start, end, filters) == loaded.drivers(start, end, filters)
    assert store.nps_value(start, end, compare, filters) == loaded.nps_value(
        start, end, compare, filters
    )
    assert store.journeys(start, end, compare, filters) == loaded.journeys(
        start, end, compare, filters
    )
    assert store.changes(start, end, compare, filters) == loaded.changes(
        start, end, compare, filters
    )
    for kpi in ("revenue", "active_customers", "nps"):
        assert store.why_it_moved(kpi, start, end, compare, filters, "tier") == (
            loaded.why_it_moved(kpi, start, end, compare, filters, "tier")
        )
