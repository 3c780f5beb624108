"""A version published before a measure existed is still served, from its fact rows.

Published versions are never rewritten, so when a release adds a rollup
column (gross revenue retention's), an older version lacks it. Opening such a
version must neither fail nor read a missing column: it is answered from the
facts, with the same numbers as the data folder itself, on DuckDB and on Spark alike
(Spark reads the same files: it once failed on the missing column, with a traceback).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from cxcore import Cockpit
from cxcore.store.layout import current_version, read_version, version_dir
from cxcore.store.publish import ensure_store
from tests.factories import customer, order, write_folder

ROLLUPS = ("pairs_orders", "daily_orders", "windows_orders", "customer_months")


def _drop_column(store: Path, relation: str) -> None:
    """Rewrite one rollup file as an older publish would have written it: minus one column."""
    info = read_version(store, current_version(store))
    path = version_dir(store, info.version) / info.relations[relation]
    con = duckdb.connect()
    described = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
    columns = [r[0] for r in described]
    kept = ", ".join(f'"{c}"' for c in columns[:-1])  # measure columns come last
    older = path.with_suffix(".older.parquet")
    con.execute(f"COPY (SELECT {kept} FROM read_parquet('{path}')) TO '{older}' (FORMAT parquet)")
    con.close()
    older.replace(path)


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
@pytest.mark.parametrize("relation", ROLLUPS)
def test_a_version_whose_rollup_lacks_a_column_is_served_from_its_facts(
    tmp_path: Path, relation: str, engine: str, request: pytest.FixtureRequest
) -> None:
    if engine == "spark":
        request.getfixturevalue("spark")  # the run's one session; skips or fails without it
    folder = write_folder(
        tmp_path / "data",
        customers=[customer("c1"), customer("c2")],
        orders=[
            order("o1", "c1", "2025-01-10", 100),
            order("o2", "c1", "2025-02-11", 60),
            order("o3", "c2", "2025-01-12", 40),
            order("o4", "c2", "2025-02-13", -10),
        ],
    )
    store = tmp_path / "store"
    with Cockpit.open(folder) as loaded:
        expected = loaded.kpis("2025-02-01", "2025-02-28")
    ensure_store(store, folder)
    with Cockpit.open(store, engine=engine) as fresh:
        assert fresh.use_rollups
        assert fresh.executor.dialect == engine
    _drop_column(store, relation)
    with Cockpit.open(store, engine=engine) as older:
        assert not older.use_rollups
        assert older.kpis("2025-02-01", "2025-02-28") == expected
