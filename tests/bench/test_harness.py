"""The benchmark keeps working: at a tiny scale it runs every phase and its baselines agree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxcore.bench.harness import main
from cxcore.bench.scale import TARGET, generate_scaled


def test_the_benchmark_runs_every_phase_at_a_tiny_scale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "figures.json"
    args = ["--scale", "tiny", "--work", str(tmp_path / "work"), "--views", "6"]
    assert main([*args, "--baseline-views", "2", "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    serve = figures["serve"]
    for key in ("open_ms", "overview_cold_ms", "peak_mb"):
        assert serve[key] > 0
    assert serve["overview_warm"]["n"] == 6
    assert figures["publish"]["rows"] == sum(
        t["rows"] for t in figures["publish"]["tables"].values()
    )
    for kind in ("pandas", "polars"):
        assert figures[kind]["differs_from_engine"] == [], kind
    printed = capsys.readouterr().out
    assert "overview, warm" in printed and "pandas: per view" in printed


def test_scale_data_keeps_the_target_proportions(tmp_path: Path) -> None:
    rows = generate_scaled(tmp_path, 3_000, seed=5)
    for table, per_customer in TARGET.items():
        assert abs(rows[table] / 3_000 - per_customer) < 0.15 * per_customer + 0.1, table
    assert rows == generate_scaled(tmp_path / "again", 3_000, seed=5)
