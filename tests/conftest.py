"""Fixtures every suite may use: the one Spark session of a test run, and the stores and
cockpits the Spark parity suites compare (published once per run: Spark is slow to start)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cxcore import Cockpit
from cxcore.data.sample import generate
from cxcore.settings import Settings
from cxcore.store.publish import ensure_store
from tests.spark_parity import Recording, odd_folder

SAMPLE_DATA = Path(__file__).resolve().parents[1] / "sample_data"


def _unavailable(reason: str) -> None:
    if os.environ.get("CX_REQUIRE_SPARK") == "1":
        pytest.fail(f"CX_REQUIRE_SPARK=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """The test session's one Spark session; every Spark cockpit below reuses it."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        _unavailable('pyspark is not installed (pip install -e ".[spark]")')
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        _unavailable("no Java on this machine (Spark needs Java 17 or later)")
    from cxcore.metrics.spark_backend import spark_session

    yield spark_session(Settings())


@pytest.fixture(scope="session")
def stores() -> Iterator[dict[str, Path]]:
    """The shipped sample, a small generated one and the odd data, each published once."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folders = {"shipped": SAMPLE_DATA, "sample": root / "sample", "odd": root / "odd"}
        generate(folders["sample"], customers=300, seed=7)
        odd_folder(folders["odd"])
        found = {}
        for name, folder in folders.items():
            ensure_store(root / f"{name}_store", folder)
            found[name] = root / f"{name}_store"
        yield found


@pytest.fixture(scope="session")
def engines(spark: Any, stores: dict[str, Path]) -> Iterator[dict[str, tuple[Cockpit, Cockpit]]]:
    """Per data set: (DuckDB, Spark) cockpits over the same store, their queries recorded."""
    opened: dict[str, tuple[Cockpit, Cockpit]] = {}
    try:
        for name, store in stores.items():
            duck = Cockpit.open(store, engine="duckdb")
            sparked = Cockpit.open(store, engine="spark")
            assert sparked.executor.dialect == "spark" and duck.executor.dialect == "duckdb"
            duck.executor = Recording(duck.executor)
            sparked.executor = Recording(sparked.executor)
            opened[name] = (duck, sparked)
        yield opened
    finally:
        for pair in opened.values():
            for cockpit in pair:
                cockpit.close()
