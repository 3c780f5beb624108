"""A fact file written in two steps (joined, then sorted) is the one written in one.

Beyond what one pass of the engine's memory takes (`passes_for`), a table's rows
are joined to their customers into a file first and sorted by day from it, since
the join and the sort did not fit 1 GB together at 200M web sessions.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from cxcore.data.dataset import DAY
from cxcore.store import build
from cxcore.store.layout import SCRATCH_DIR, TABLES_DIR
from tests.passes import published_with, sample_and_odd


def _facts(store: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every fact file of the store's only version, in the order the file holds it."""
    (version,) = (store / "versions").iterdir()
    con = duckdb.connect()
    return {
        path.stem: con.execute(f"SELECT * FROM read_parquet('{path}')").fetchall()
        for path in sorted((version / TABLES_DIR).glob("*.parquet"))
    }


def _days(store: Path, name: str) -> list[dt.date]:
    (version,) = (store / "versions").iterdir()
    path = version / TABLES_DIR / f"{name}.parquet"
    query = f"SELECT \"{DAY}\" FROM read_parquet('{path}')"
    return [row[0] for row in duckdb.connect().execute(query).fetchall()]


def _published(folder: Path, store: Path, passes: int, monkeypatch: pytest.MonkeyPatch) -> Path:
    return published_with(folder, store, (build, "passes_for"), passes, monkeypatch)


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return sample_and_odd(tmp_path_factory.mktemp("fact-steps"), seed=5)


@pytest.mark.parametrize("data", ["sample", "odd"])
def test_facts_written_in_two_steps_hold_the_same_rows_sorted_by_day(
    data: str, folders: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = _published(folders[data], tmp_path / "one", 1, monkeypatch)
    two = _published(folders[data], tmp_path / "two", 2, monkeypatch)
    at_once, in_steps = _facts(one), _facts(two)
    assert {"orders", "web_sessions", "customers"} <= at_once.keys()
    assert at_once.keys() == in_steps.keys()
    assert not list(tmp_path.rglob(SCRATCH_DIR)), "the unsorted file was left behind"
    assert not list(tmp_path.rglob("*unsorted*"))
    for name in at_once:
        assert sorted(in_steps[name], key=repr) == sorted(at_once[name], key=repr), name
        days = _days(two, name)
        assert days == sorted(days), f"{name} is not sorted by day"
