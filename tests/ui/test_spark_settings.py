"""A Spark setting that cannot work is one calm error on the page, within seconds, naming the
setting: never a page left spinning while Spark's client retries for ten minutes. What Spark
cannot read once it runs is one calm error too, never Streamlit's traceback."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from cxcore.metrics.spark_backend import SparkFailed
from cxcore.ui import data
from tests.ui.conftest import open_app


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_connect_server_is_named_on_the_page(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote = f"sc://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("CX_ENGINE", "spark")
    monkeypatch.setenv("CX_SPARK_REMOTE", remote)
    began = time.monotonic()
    at = open_app()  # times out (an error) after 30 s without an answer
    assert time.monotonic() - began < 30
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    assert errors[0].startswith("The cockpit cannot open its data: Spark could not be started")
    assert f"{remote!r} (CX_SPARK_REMOTE, or spark_remote under [engine])" in errors[0]
    assert "cannot be reached" in errors[0]


def test_a_file_spark_cannot_read_while_opening_is_one_calm_error(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reason = "Spark failed: [FAILED_READ_FILE] Error while reading file orders.parquet"

    def unreadable(source: str, version: int | None) -> None:
        raise SparkFailed(reason)

    monkeypatch.setattr(data, "_open", unreadable)
    at = open_app()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [f"The cockpit cannot open its data: {reason}"]
