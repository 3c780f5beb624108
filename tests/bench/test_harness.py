"""The benchmark keeps working: at a tiny scale it runs every phase and its baselines agree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxcore.bench.harness import main, percentile, step_seconds
from cxcore.bench.scale import TARGET, generate_scaled
from cxcore.cockpit import Cockpit


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
    for name, table in figures["publish"]["tables"].items():
        steps = table["steps"]
        assert list(steps) == ["check", "facts", "rollups", "describe", "commit"], name
        assert min(steps.values()) >= 0
        assert sum(steps.values()) == pytest.approx(table["seconds"]), name
    for kind in ("pandas", "polars"):
        assert figures[kind]["differs_from_engine"] == [], kind
    clv = figures["clv"]
    with Cockpit.open(tmp_path / "work" / "store") as cockpit:
        assert cockpit.last_day is not None
        assert clv["calibration_end"] == cockpit.last_day.isoformat()
        again = cockpit.clv(cockpit.last_day)
    assert (clv["customers"], clv["mean_clv"]) == (again["customers"], again["mean_clv"])
    assert clv["fit_ms"] > 0 and clv["kept_mb"] > 0 and clv["peak_mb"] > 0
    printed = capsys.readouterr().out
    assert "overview, warm" in printed and "pandas: per view" in printed
    assert "lifetime value: a kept fit" in printed


def test_a_kept_store_is_served_without_regenerating_its_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another seed with `--keep-store` must not overwrite the exports the store came
    from; the baselines, which would read them, say why they did not run."""
    work = tmp_path / "work"
    first = ["--scale", "tiny", "--work", str(work), "--views", "3", "--seed", "3"]
    assert main([*first, "--no-baselines"]) == 0
    before = {f.name: f.read_bytes() for f in (work / "data").iterdir()}
    out = tmp_path / "kept.json"
    other_seed = ["--scale", "tiny", "--work", str(work), "--views", "3", "--seed", "4"]
    assert main([*other_seed, "--keep-store", "--json", str(out)]) == 0
    assert {f.name: f.read_bytes() for f in (work / "data").iterdir()} == before
    figures = json.loads(out.read_text())
    assert "generate" not in figures and "publish" not in figures and "pandas" not in figures
    assert figures["data"] == "not generated: the store of a previous run was kept"
    skipped = figures["baselines_skipped"]
    assert "published from generated, seed 3, not from generated, seed 4" in skipped
    assert figures["serve"]["overview_warm"]["n"] == 3
    assert "not run: the kept store was published from" in capsys.readouterr().out
    given = ["--scale", "tiny", "--work", str(work), "--views", "3", "--data", str(work / "data")]
    assert main([*given, "--keep-store", "--json", str(out)]) == 0
    skipped = json.loads(out.read_text())["baselines_skipped"]
    assert f"not from given: {work / 'data'}" in skipped


def test_scale_data_keeps_the_target_proportions(tmp_path: Path) -> None:
    rows = generate_scaled(tmp_path, 3_000, seed=5)
    for table, per_customer in TARGET.items():
        assert abs(rows[table] / 3_000 - per_customer) < 0.15 * per_customer + 0.1, table
    assert rows == generate_scaled(tmp_path / "again", 3_000, seed=5)


def test_spark_serves_every_view_beside_duckdb_with_the_same_answers(
    tmp_path: Path, spark: object, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--engine spark` serves the same views on Spark after DuckDB and compares every
    answer; `--keep-store` serves the store the run published without publishing again."""
    work = ["--scale", "tiny", "--work", str(tmp_path / "work"), "--views", "3", "--no-baselines"]
    out = tmp_path / "figures.json"
    assert main([*work, "--engine", "spark", "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert figures["serve"]["engine"] == "duckdb" and figures["spark"]["engine"] == "spark"
    assert figures["spark"]["same_answers_as_duckdb"] is True
    assert figures["spark"]["engine_peak_mb"] > 0  # the JVM's own memory is reported
    assert figures["serve"]["engine_peak_mb"] == 0
    assert "pandas" not in figures
    printed = capsys.readouterr().out
    assert "Spark: same numbers as DuckDB  yes, every answer" in printed

    again = tmp_path / "again.json"
    assert main([*work, "--keep-store", "--json", str(again)]) == 0
    kept = json.loads(again.read_text())
    assert "publish" not in kept and "spark" not in kept
    assert kept["serve"]["answers_sha256"] == figures["serve"]["answers_sha256"]
    assert "not run: the store of a previous run was kept" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("values", "share", "expected"),
    [
        ([1.0], 0.95, 1.0),
        ([2.0, 1.0], 0.95, 2.0),  # two changes: p95 is the slower, not the faster
        ([float(v) for v in range(1, 21)], 0.95, 19.0),
        ([float(v) for v in range(1, 21)], 0.5, 11.0),
    ],
)
def test_percentile_is_the_nearest_rank_of_the_sorted_values(
    values: list[float], share: float, expected: float
) -> None:
    assert percentile(values, share) == expected


def test_publishing_steps_are_timed_from_the_progress_marks_they_make() -> None:
    marks = [(0.0, 10.0), (0.05, 10.5), (0.6, 12.0), (0.75, 15.0), (0.95, 19.0), (1.0, 19.5)]
    assert step_seconds(marks, began=10.0, ended=20.0) == {
        "check": 2.0,
        "facts": 3.0,
        "rollups": 4.0,
        "describe": 0.5,
        "commit": 0.5,
    }
