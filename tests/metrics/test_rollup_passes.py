"""The per-customer rollups built in several passes are the rollups built in one.

A large upload groups its orders by customer one share of the customers at a
time, so each grouping fits the engine's memory (`customer_passes`). Every
rollup file must come out with the same rows however many passes it took.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from sqlglot import exp

from cxcore.metrics import rollup_build
from cxcore.store.layout import SCRATCH_DIR
from tests.passes import published_with, sample_and_odd


def _derived_rows(store: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every rollup file of the store's only version, its rows in one order."""
    (version,) = (store / "versions").iterdir()
    con = duckdb.connect()
    return {
        path.name: con.execute(f"SELECT * FROM read_parquet('{path}') ORDER BY ALL").fetchall()
        for path in sorted((version / "derived").glob("*.parquet"))
    }


def _published(folder: Path, store: Path, passes: int, monkeypatch: pytest.MonkeyPatch) -> Path:
    return published_with(folder, store, (rollup_build, "customer_passes"), passes, monkeypatch)


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return sample_and_odd(tmp_path_factory.mktemp("passes"), seed=11)


@pytest.mark.parametrize("data", ["sample", "odd"])
@pytest.mark.parametrize("passes", [2, 7])
def test_rollups_in_passes_equal_rollups_in_one(
    data: str,
    passes: int,
    folders: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    one = _derived_rows(_published(folders[data], tmp_path / "one", 1, monkeypatch))
    many = _derived_rows(_published(folders[data], tmp_path / "many", passes, monkeypatch))
    assert "pairs_orders.parquet" in one and "cohorts_orders.parquet" in one
    assert one.keys() == many.keys()
    assert not list(tmp_path.rglob(SCRATCH_DIR)), "the tables in between were left behind"
    for name in one:
        assert many[name] == one[name], name


# DuckDB states a limit in MiB to one decimal: 100MB is "95.3 MiB", 1024MB "976.5 MiB";
# ORDER_ROWS_PER_MB = 20,000 rows a pass per MiB (1,906,000 and 19,530,000 rows).
@pytest.mark.parametrize(
    ("limit", "rows", "passes"),
    [
        ("100MB", 0, 1),
        ("100MB", 1, 1),
        ("100MB", 1_906_000, 1),
        ("100MB", 1_906_001, 2),
        ("100MB", 20_000_000, 11),
        ("1024MB", 19_530_000, 1),
        ("1024MB", 180_000_000, 10),
    ],
)
def test_passes_keep_each_share_of_the_orders_within_memory(
    limit: str, rows: int, passes: int
) -> None:
    con = duckdb.connect(config={"memory_limit": limit})
    orders = exp.func("range", exp.Literal.number(rows))
    assert rollup_build.customer_passes(con, orders) == passes
