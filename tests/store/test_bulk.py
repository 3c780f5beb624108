"""Bulk ingest from the command line: no browser limit, a bounded memory, a named setting."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from cxcore.cli.main import main
from cxcore.settings import Settings
from cxcore.store.check import check
from cxcore.store.layout import current_version
from tests.store.conftest import revenue, snapshot

# The child's own high-water mark: ru_maxrss would carry the parent's across exec.
PEAK = "print(int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0]) // 1024)"


def _orders_csv(path: Path, rows: int) -> Path:
    days = pl.date_range(dt.date(2024, 1, 1), dt.date(2025, 6, 30), eager=True)
    pl.DataFrame(
        {
            "order_id": [f"b{i}" for i in range(rows)],
            "customer_id": [f"c{i % 4 + 1}" for i in range(rows)],
            "order_date": days.sample(rows, with_replacement=True, seed=rows),
            "product_category": ["A", "B", "C", "D"] * (rows // 4),
            "amount": [1.25] * rows,
        }
    ).write_csv(path)
    return path


def test_ingest_takes_a_file_larger_than_the_browser_limit(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CX_MAX_UPLOAD_MB", "0.05")
    upload = _orders_csv(tmp_path / "orders.csv", 8_000)
    assert upload.stat().st_size > 0.05 * 1024 * 1024
    refused = check(store, "orders", [upload])
    assert not refused.ok
    assert "over the limit of 0.05 MB (CX_MAX_UPLOAD_MB raises it)" in refused.report.describe()
    assert main(["ingest", "--store", str(store), "--table", "orders", str(upload)]) == 0
    assert "published version 2" in capsys.readouterr().out
    assert revenue(store) == 8_000 * 1.25


def test_the_ingest_limit_is_named_with_its_setting(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CX_MAX_INGEST_MB", "0.05")
    upload = _orders_csv(tmp_path / "orders.csv", 8_000)
    before = snapshot(store)
    assert main(["ingest", "--store", str(store), "--table", "orders", str(upload)]) == 1
    assert "(CX_MAX_INGEST_MB raises it)" in capsys.readouterr().err
    assert snapshot(store) == before


def _peak_of_ingest(store: Path, upload: Path) -> int:
    code = (
        "import sys; from cxcore.cli.main import main; "
        f"status = main(sys.argv[1:]); {PEAK}; sys.exit(status)"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "ingest",
            "--store",
            str(store),
            "--table",
            "orders",
            str(upload),
        ],
        env={**os.environ, "CX_MEMORY_LIMIT_MB": "128"},
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout.strip().splitlines()[-1])


def test_publish_memory_does_not_grow_with_the_file(store: Path, tmp_path: Path) -> None:
    """Four times the rows, about the same peak: the engine spills beyond its limit."""
    small = _peak_of_ingest(store, _orders_csv(tmp_path / "small.csv", 300_000))
    large = _peak_of_ingest(store, _orders_csv(tmp_path / "large.csv", 1_200_000))
    assert current_version(store) == 3
    assert large < small + 80, (small, large)
    assert Settings.from_env().memory_limit_mb >= 128
