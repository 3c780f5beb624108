"""The benchmark on exports the project's generator did not make: the engine still agrees.

`tests.bench.independent` draws its own data with its own conventions
(integer customer ids, timestamps, unsorted rows, refunds, unknown
customers, an extra dimension, a month with no orders in one region).
`cx-cockpit bench --data` publishes whatever it is given and compares the
engine with the pandas and polars baselines on every view they answer.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from cxcore.bench.baselines import PandasOverview, same_kpis
from cxcore.bench.harness import main
from cxcore.cockpit import Cockpit
from tests.bench.independent import QUIET, write


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("independent") / "data"
    write(folder, 2_500, seed=3)
    return folder


def test_the_benchmark_publishes_given_exports_and_agrees_with_both_baselines(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "figures.json"
    work = tmp_path / "work"
    assert (
        main(["--data", str(exports), "--work", str(work), "--views", "6", "--json", str(out)]) == 0
    )
    figures = json.loads(out.read_text())
    assert "generate" not in figures and not (work / "data").exists()
    published = {name: t["rows"] for name, t in figures["publish"]["tables"].items()}
    assert published == {
        p.stem: pl.scan_parquet(p).select(pl.len()).collect().item() for p in exports.iterdir()
    }
    for kind in ("pandas", "polars"):
        assert len(figures[kind]["kpis"]) == 6
        assert figures[kind]["differs_from_engine"] == [], kind
    printed = capsys.readouterr().out
    assert f"given: {exports.resolve()}" in printed
    assert "same numbers in all 6 views" in printed


def test_its_quiet_month_and_extra_dimension_are_served_as_the_rows_say(
    exports: Path, tmp_path: Path
) -> None:
    store = tmp_path / "work" / "store"
    assert (
        main(
            ["--data", str(exports), "--work", str(store.parent), "--views", "2", "--no-baselines"]
        )
        == 0
    )
    cockpit = Cockpit.open(store)
    assert "loyalty" in cockpit.dimensions and "email" not in cockpit.dimensions
    region, first, last = QUIET
    view = {"start": first.isoformat(), "end": last.isoformat(), "compare": "yoy"}
    quiet = cockpit.kpis(**view, filters={"region": [region]})["kpis"]
    assert quiet["revenue"]["value"] == 0 and quiet["active_customers"]["value"] == 0
    assert quiet["revenue"]["previous"] > 0
    baseline = PandasOverview(exports)
    for filters in ({"region": [region]}, {}, {"segment": ["Enterprise"]}):
        engine = cockpit.kpis(**view, filters=filters)["kpis"]
        assert same_kpis(engine, baseline.kpis(**view, filters=filters)) == [], filters


def test_exports_the_baselines_cannot_read_are_still_published_and_say_why(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "mixed"
    data.mkdir()
    for path in exports.iterdir():
        if path.stem == "service_contacts":
            pl.read_parquet(path).write_csv(data / "service_contacts.csv")
        else:
            (data / path.name).symlink_to(path)
    out = tmp_path / "figures.json"
    args = ["--data", str(data), "--work", str(tmp_path / "work"), "--views", "2"]
    assert main([*args, "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert figures["publish"]["tables"]["service_contacts"]["rows"] > 0
    assert "pandas" not in figures
    assert figures["baselines_skipped"].endswith("these are not: service_contacts")
    assert "baselines" in capsys.readouterr().out
