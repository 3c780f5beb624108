"""`cx-cockpit ingest|versions|rollback`, and `kpis --data` reading a store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxcore.cli import main as cli
from cxcore.store.layout import current_version
from tests.factories import order
from tests.store.conftest import SEED_REVENUE, orders_file, revenue

Capture = pytest.CaptureFixture[str]


def run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_ingest_creates_a_missing_store_and_publishes(
    tmp_path: Path, seed: Path, capsys: Capture
) -> None:
    root = str(tmp_path / "new")
    status, out, _err = run(
        capsys, "ingest", "--store", root, "--table", "customers", str(seed / "customers.parquet")
    )
    assert status == 0 and "published version 1" in out
    status, out, err = run(
        capsys,
        "ingest",
        "--store",
        root,
        "--table",
        "orders",
        str(seed / "orders.parquet"),
        "--mode",
        "append",
    )
    assert (status, err) == (0, "")
    assert out.strip() == "published version 2: orders, 4 rows (append)"


def test_versions_json_lists_objects(store: Path, tmp_path: Path, capsys: Capture) -> None:
    upload = orders_file(tmp_path / "up", [order("n1", "c1", "2025-06-01", 5)])
    run(capsys, "ingest", "--store", str(store), "--table", "orders", str(upload))
    status, out, _ = run(capsys, "versions", "--store", str(store), "--format", "json")
    listed = json.loads(out)
    assert status == 0
    assert [(v["version"], v["table"], v["rows"], v["mode"], v["current"]) for v in listed] == [
        (2, "orders", 1, "replace", True),
        (1, "all", 8, "init", False),
    ]
    assert all(v["published_at"] for v in listed)


def test_versions_text_marks_the_current_one(store: Path, capsys: Capture) -> None:
    status, out, _ = run(capsys, "versions", "--store", str(store))
    header, line = out.splitlines()
    assert status == 0 and header.split()[:5] == [
        "version",
        "published_at",
        "mode",
        "table",
        "rows",
    ]
    assert line.split()[:2] == ["*", "1"]


def test_rollback_command(store: Path, tmp_path: Path, capsys: Capture) -> None:
    upload = orders_file(tmp_path / "up", [order("n1", "c1", "2025-06-01", 5)])
    run(capsys, "ingest", "--store", str(store), "--table", "orders", str(upload))
    status, out, _ = run(
        capsys, "rollback", "--store", str(store), "--to", "1", "--table", "orders"
    )
    assert status == 0 and "version 3: orders restored from version 1" in out
    assert revenue(store) == SEED_REVENUE
    status, out, _ = run(capsys, "rollback", "--store", str(store), "--to", "2")
    assert status == 0 and current_version(store) == 4


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["ingest", "--store", "{store}", "--table", "order", "x.csv"], "did you mean 'orders'"),
        (
            ["ingest", "--store", "{store}", "--table", "orders", "--mode", "merge", "x.csv"],
            "--mode 'merge'",
        ),
        (["ingest", "--store", "{store}", "--table", "orders"], "FILE"),
        (
            ["ingest", "--store", "{store}", "--table", "orders", "--map", "amount", "x.csv"],
            "--map 'amount'",
        ),
        (["versions", "--store", "{seed}"], "is not a CX store"),
        (["versions", "--store", "{store}", "--format", "xml"], "--format 'xml'"),
        (["rollback", "--store", "{store}", "--to", "latest"], "not a version number"),
        (["rollback", "--store", "{store}", "--to", "\u00b2"], "not a version number"),
        (["rollback", "--store", "{store}", "--to", "\u0661"], "not a version number"),
        (["rollback", "--store", "{store}", "--to", "-1"], "not a version number"),
        (["rollback", "--store", "{store}", "--to", "99"], "version 99 is not in the store"),
        (["rollback", "--store", "{store}", "--to", "1", "--table", "nps"], "unknown table"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    argv: list[str], words: str, store: Path, seed: Path, capsys: Capture
) -> None:
    filled = [a.format(store=store, seed=seed) for a in argv]
    status, out, err = run(capsys, *filled)
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and words in err, err
    assert current_version(store) == 1


def test_kpis_reads_the_store(store: Path, tmp_path: Path, capsys: Capture) -> None:
    upload = orders_file(tmp_path / "up", [order("n1", "c1", "2025-06-01", 5)])
    run(capsys, "ingest", "--store", str(store), "--table", "orders", str(upload))
    status, out, err = run(
        capsys,
        "kpis",
        "--data",
        str(store),
        "--start",
        "2025-01-01",
        "--end",
        "2025-12-31",
        "--kpi",
        "revenue",
    )
    assert status == 0, err
    assert json.loads(out)["kpis"]["revenue"]["value"] == 5.0
