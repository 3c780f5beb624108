"""The Spark engine stays optional: nothing imports pyspark until Spark is asked for,
and a missing pyspark or an unknown engine is named in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cxcore import Cockpit
from cxcore.metrics.engine import ArgumentError
from cxcore.metrics.spark_backend import SparkUnavailable, spark_session
from cxcore.settings import Settings
from tests.factories import customer, order, write_folder

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_cockpit_does_not_import_pyspark() -> None:
    probe = (
        "import sys, cxcore, cxcore.cockpit, cxcore.cli.main, cxcore.store.reader;"
        " print('pyspark' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


def test_without_pyspark_the_message_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # makes `import pyspark.sql` fail
    with pytest.raises(SparkUnavailable, match=r'pip install -e "\.\[spark\]"'):
        spark_session(Settings())


def test_an_unknown_engine_is_an_argument_error(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "data",
        customers=[customer("c1")],
        orders=[order("o1", "c1", "2024-01-02", 5.0)],
    )
    with pytest.raises(ArgumentError, match="unknown engine 'oracle'"):
        Cockpit.open(folder, engine="oracle")
