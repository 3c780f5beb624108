"""Spark Connect gives DuckDB's numbers to the last digit: the command line, pointed at a
Connect server with CX_SPARK_REMOTE, prints byte for byte what it prints on DuckDB.

A Connect server is started for the module (`spark-submit` of pyspark's own
SparkConnectServer on a free port, local[2]), so the client is what `pip install
-e ".[spark]"` installed. Without pyspark's Connect client or Java this skips with the
reason, unless CX_REQUIRE_SPARK=1 (CI sets it): then it fails.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cxcore.data.sample import generate
from cxcore.store.publish import ensure_store
from tests.spark_parity import odd_folder

ROOT = Path(__file__).resolve().parents[2]
SERVER = "org.apache.spark.sql.connect.service.SparkConnectServer"
# The Connect client's own distributions, as pyspark's `connect` extra names them.
CLIENT = ("grpcio", "grpcio-status", "googleapis-common-protos", "zstandard", "pyarrow", "pandas")


def _unavailable(reason: str) -> None:
    if os.environ.get("CX_REQUIRE_SPARK") == "1":
        pytest.fail(f"CX_REQUIRE_SPARK=1 but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def connect_url() -> Iterator[str]:
    """A Spark Connect server of the module's own, as `sc://127.0.0.1:PORT`."""
    from importlib.metadata import PackageNotFoundError, version

    missing = []
    for name in ("pyspark", *CLIENT):
        try:
            version(name)
        except PackageNotFoundError:
            missing.append(name)
    if missing:
        _unavailable(
            f'Spark Connect\'s client lacks {", ".join(missing)} (pip install -e ".[spark]")'
        )
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        _unavailable("no Java on this machine (Spark needs Java 17 or later)")
    import pyspark

    home = Path(pyspark.__file__).parent
    port = _free_port()
    command = ["bash", str(home / "bin" / "spark-submit"), "--class", SERVER]
    command += ["--master", "local[2]", "--conf", f"spark.connect.grpc.binding.port={port}"]
    command += ["--conf", "spark.ui.enabled=false", "--conf", "spark.sql.shuffle.partitions=4"]
    env = {**os.environ, "SPARK_HOME": str(home)}
    server = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not _listening(port):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Spark Connect server did not start (exit {server.poll()})")
            time.sleep(0.5)
        yield f"sc://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@pytest.fixture(scope="module")
def connect_stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A small generated sample and the odd data, each published once."""
    root = tmp_path_factory.mktemp("connect")
    generate(root / "sample", customers=300, seed=7)
    odd_folder(root / "odd")
    for name in ("sample", "odd"):
        ensure_store(root / f"{name}_store", root / name)
    return {name: root / f"{name}_store" for name in ("sample", "odd")}


def _cli(args: list[str], **env: str) -> str:
    given = {k: v for k, v in os.environ.items() if not k.startswith("CX_")}
    done = subprocess.run(
        [sys.executable, "-m", "cxcore", *args],
        cwd=ROOT,
        env={**given, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr  # not a warning of pyspark's either
    return done.stdout


@pytest.mark.parametrize(
    ("data", "args"),
    [
        ("sample", ["kpis", "--start", "2025-07-01", "--end", "2025-09-30", "--compare", "yoy",
                    "--by", "segment,region"]),
        ("sample", ["clv", "--calibration-end", "2025-06-30", "--by", "segment"]),
        ("odd", ["kpis", "--start", "2024-02-03", "--end", "2024-03-09", "--by", "tier"]),
    ],
)  # fmt: skip
def test_the_command_line_on_spark_connect_prints_what_duckdb_prints(
    connect_url: str, connect_stores: dict[str, Path], data: str, args: list[str]
) -> None:
    command = [args[0], "--data", str(connect_stores[data]), *args[1:]]
    on_duckdb = _cli(command, CX_ENGINE="duckdb")
    on_connect = _cli(command, CX_ENGINE="spark", CX_SPARK_REMOTE=connect_url)
    assert '"value"' in on_duckdb or '"mean_clv"' in on_duckdb  # numbers were printed
    assert on_connect == on_duckdb
