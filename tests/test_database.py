"""The engine's connections are locked: probes that read, write, attach or reconfigure fail."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import sqlglot

from cxcore import Cockpit, database
from cxcore.metrics.backend import DuckDBExecutor, QueryTimeout
from cxcore.settings import Settings
from cxcore.store.publish import ensure_store
from tests.factories import customer, order, write_folder


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("locked")
    seed = write_folder(
        base / "seed",
        customers=[customer("c1")],
        orders=[order("o1", "c1", "2025-01-10", 10)],
    )
    ensure_store(base / "store", seed)
    return base / "store"


def test_an_open_connection_lets_the_probes_through() -> None:
    """The probes can fail: on an ordinary connection most of them succeed."""
    assert {"write a file", "raise the memory limit"} <= set(database.self_check(duckdb.connect()))


def test_the_serving_connection_refuses_every_probe(store: Path) -> None:
    with Cockpit.open(store) as cockpit:
        executor = cockpit.executor
        assert isinstance(executor, DuckDBExecutor)
        assert database.self_check(executor.con) == []


def test_a_working_connection_refuses_every_probe(tmp_path: Path) -> None:
    con = database.working(folders=[tmp_path])
    assert database.self_check(con) == []
    con.execute(f"COPY (SELECT 1 AS x) TO '{tmp_path / 'inside.csv'}'")  # its own folder: yes
    assert (tmp_path / "inside.csv").exists()


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT COUNT(*) FROM read_csv('/etc/hostname')",
        "SELECT * FROM fact_orders, read_text('/etc/passwd')",
    ],
)
@pytest.mark.parametrize("read", ["fetch", "fetch_arrow"])
def test_a_query_through_the_engine_cannot_read_outside_its_version(
    store: Path, sql: str, read: str
) -> None:
    with Cockpit.open(store) as cockpit, pytest.raises(duckdb.Error, match="disabled"):
        getattr(cockpit.executor, read)(sqlglot.parse_one(sql, read="duckdb"), {})


@pytest.mark.parametrize("read", ["fetch", "fetch_arrow"])
def test_a_query_past_the_time_limit_is_stopped_with_a_message(
    store: Path, monkeypatch: pytest.MonkeyPatch, read: str
) -> None:
    monkeypatch.setenv("CX_QUERY_TIMEOUT_S", "0.2")
    slow = "SELECT COUNT(*) FROM range(10000000000) t(i) WHERE i % 7 = 3"
    with (
        Cockpit.open(store, settings=Settings.from_env()) as cockpit,
        pytest.raises(QueryTimeout, match="CX_QUERY_TIMEOUT_S"),
    ):
        getattr(cockpit.executor, read)(sqlglot.parse_one(slow, read="duckdb"), {})


@pytest.mark.parametrize(
    ("limit", "mib"), [("100MB", 95.3), ("1024MB", 976.5), ("3GB", 2764.8), ("2000KB", 1.9)]
)
def test_memory_limit_is_read_from_the_connection(limit: str, mib: float) -> None:
    con = duckdb.connect(config={"memory_limit": limit})
    assert database.memory_limit_mb(con) == pytest.approx(mib)
