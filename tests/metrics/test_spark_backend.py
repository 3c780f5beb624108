"""The Spark engine stays optional: nothing imports pyspark until Spark is asked for,
and a missing pyspark or Java, an unknown engine, or a Spark master or Connect server that
cannot be reached is named in one line, within seconds, with the setting to look at."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from cxcore import Cockpit
from cxcore.metrics.engine import ArgumentError
from cxcore.metrics.spark_backend import (
    SparkUnavailable,
    connect_addresses,
    first_line,
    master_addresses,
    spark_session,
)
from cxcore.settings import Settings
from cxcore.store.layout import current_version, read_version, version_dir
from cxcore.store.publish import ensure_store
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


def _closed_port() -> int:
    """A local port nothing listens on: a connection to it is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _kpis_on_spark(folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`cx-cockpit kpis --engine spark` in a process of its own, which may take a minute at
    most: Spark's own clients would retry a silent server for ten."""
    command = [sys.executable, "-m", "cxcore", "kpis", "--data", str(folder), "--engine", "spark"]
    command += ["--start", "2024-01-01", "--end", "2024-01-31"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture
def small_folder(tmp_path: Path) -> Path:
    return write_folder(
        tmp_path / "data",
        customers=[customer("c1")],
        orders=[order("o1", "c1", "2024-01-02", 5.0)],
    )


def _clean_env(**given: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CX_", "SPARK_", "PYSPARK"))}
    return {**env, **given}


def test_an_unreachable_connect_server_is_one_line_naming_the_setting(small_folder: Path) -> None:
    remote = f"sc://127.0.0.1:{_closed_port()}"
    done = _kpis_on_spark(small_folder, _clean_env(CX_SPARK_REMOTE=remote))
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "CX_SPARK_REMOTE" in lines[0] and remote in lines[0]
    assert "cannot be reached" in lines[0] and "Connection refused" in lines[0]


def test_an_unreachable_master_is_one_line_naming_the_setting(small_folder: Path) -> None:
    master = f"spark://127.0.0.1:{_closed_port()}"
    done = _kpis_on_spark(small_folder, _clean_env(CX_SPARK_MASTER=master))
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "CX_SPARK_MASTER" in lines[0] and master in lines[0]
    assert "cannot be reached" in lines[0]


def test_without_java_the_message_says_so_in_one_line(small_folder: Path, tmp_path: Path) -> None:
    empty = tmp_path / "bin"  # a PATH on which there is no java (nor anything else)
    empty.mkdir()
    env = _clean_env(PATH=str(empty))
    env.pop("JAVA_HOME", None)
    done = _kpis_on_spark(small_folder, env)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "cx-cockpit: the Spark engine (CX_ENGINE=spark) needs Java 17 or later, and there is"
        " no java on the PATH (install default-jre-headless, or set JAVA_HOME)"
    ]
    done = _kpis_on_spark(small_folder, {**env, "JAVA_HOME": str(tmp_path / "nowhere")})
    assert done.returncode == 1
    assert len(done.stderr.splitlines()) == 1 and "JAVA_HOME" in done.stderr


def _needs_java() -> None:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        why = "no Java on this machine (Spark needs Java 17 or later)"
        if os.environ.get("CX_REQUIRE_SPARK") == "1":
            pytest.fail(f"CX_REQUIRE_SPARK=1 but {why}")
        pytest.skip(why)


def test_a_master_spark_refuses_is_named_by_its_setting(small_folder: Path) -> None:
    _needs_java()
    done = _kpis_on_spark(small_folder, _clean_env(CX_SPARK_MASTER="nonsense"))
    assert done.returncode == 1
    last = done.stderr.splitlines()[-1]  # the JVM prints its own complaint before it
    assert last.startswith("cx-cockpit: Spark could not be started with the Spark master")
    assert "'nonsense' (CX_SPARK_MASTER, or spark_master under [engine])" in last


def test_the_addresses_a_url_names() -> None:
    assert connect_addresses("sc://spark.internal:15003/;token=abc") == [("spark.internal", 15003)]
    assert connect_addresses("sc://spark.internal") == [("spark.internal", 15002)]
    assert connect_addresses("sc://[::1]:9") == [("::1", 9)]
    assert connect_addresses("local") == []  # Spark starts a server of its own
    assert master_addresses("spark://a:7077,b") == [("a", 7077), ("b", 7077)]
    assert master_addresses("local[2]") == master_addresses("yarn") == []


def test_a_file_spark_cannot_read_is_one_line_not_a_traceback(
    small_folder: Path, tmp_path: Path
) -> None:
    _needs_java()
    store = tmp_path / "store"
    ensure_store(store, small_folder)
    info = read_version(store, current_version(store))
    broken = version_dir(store, info.version) / info.files["orders"]
    broken.write_bytes(broken.read_bytes()[:100])  # a fact file cut short: no footer
    done = _kpis_on_spark(store, _clean_env())
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    last = done.stderr.splitlines()[-1]  # Spark's own log lines come before it
    assert last.startswith("cx-cockpit: Spark failed: ")
    assert str(broken) in last and "An error occurred while calling" not in last


def test_the_first_line_is_the_reason_not_the_java_call() -> None:
    told = RuntimeError("An error occurred while calling o47.parquet.\n: org.Boom: no footer\n\tat")
    assert first_line(told) == "org.Boom: no footer"
    assert first_line(RuntimeError("")) == "RuntimeError"
    assert first_line(ValueError("  plain\nmore")) == "plain"
