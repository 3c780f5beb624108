"""The `kpis` command as a spreadsheet user or a script would run it.

The command runs in a child process, exactly as typed on a shell, so exit
status, standard output and standard error are checked as the caller sees them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.factories import KPI_NAMES, active_filters, close, customer, order, write_folder

ROOT = Path(__file__).resolve().parents[2]
PERIOD = ["--start", "2025-02-01", "--end", "2025-02-28"]  # P = Feb 2025, Q = Jan 2025
KPI_COLUMNS = [column for name in KPI_NAMES for column in (name, f"{name}_previous")]
FORMULA_SEGMENTS = ["=cmd", "+1", "-2", "@x"]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "cxcore", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Segments a spreadsheet would run as formulas, and one refund-only segment."""
    return write_folder(
        tmp_path_factory.mktemp("cli") / "data",
        customers=[
            customer("c1", "SMB", "North", tier="Gold"),
            customer("c2", "=cmd", "North", tier="Gold"),
            customer("c3", "+1", "South", tier="Silver"),
            customer("c4", "-2", "South", tier="Silver"),
            customer("c5", "@x", "North", tier="Gold"),
        ],
        orders=[
            order("o1", "c1", "2025-02-03", 100),
            order("o2", "c2", "2025-02-04", 50),
            order("o3", "c3", "2025-02-05", 10),
            order("o4", "c4", "2025-02-06", -5),  # a refund: segment "-2" has revenue -5
            order("o5", "c5", "2025-02-07", 3),
            order("o6", "c1", "2025-01-10", 80),  # Q
            order("o7", "c2", "2025-01-11", 100),  # Q
        ],
    )


def kpis_json(data: Path, *extra: str) -> dict[str, Any]:
    done = run_cli("kpis", "--data", str(data), *PERIOD, *extra)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def kpis_csv(data: Path, *extra: str) -> list[list[str]]:
    done = run_cli("kpis", "--data", str(data), *PERIOD, "--format", "csv", *extra)
    assert done.returncode == 0, done.stderr
    return list(csv.reader(io.StringIO(done.stdout)))


def test_json_shape(data: Path) -> None:
    result = kpis_json(data)
    assert set(result) == {"period", "comparison", "filters", "kpis"}
    assert result["period"] == {"start": "2025-02-01", "end": "2025-02-28"}
    assert result["comparison"] == {"mode": "previous", "start": "2025-01-01", "end": "2025-01-31"}
    assert active_filters(result) == {}
    assert set(result["kpis"]) == set(KPI_NAMES)
    for name in KPI_NAMES:
        assert set(result["kpis"][name]) >= {"value", "previous"}, name
    revenue = result["kpis"]["revenue"]
    assert close(revenue["value"], 158.0)  # 100 + 50 + 10 - 5 + 3
    assert close(revenue["previous"], 180.0)  # 80 + 100


def test_json_yoy(data: Path) -> None:
    result = kpis_json(data, "--compare", "yoy")
    assert result["comparison"] == {"mode": "yoy", "start": "2024-02-01", "end": "2024-02-28"}
    assert close(result["kpis"]["revenue"]["previous"], 0.0)


def test_json_breakdown_only_with_by(data: Path) -> None:
    result = kpis_json(data, "--by", "segment")
    assert set(result) == {"period", "comparison", "filters", "kpis", "breakdown"}
    by_segment = {entry["segment"]: entry["kpis"] for entry in result["breakdown"]}
    assert set(by_segment) == {"SMB", *FORMULA_SEGMENTS}  # JSON keeps members as they are
    assert close(by_segment["-2"]["revenue"]["value"], -5.0)
    assert close(by_segment["=cmd"]["revenue_growth"]["value"], -0.5)  # (50 - 100) / 100
    for kpis in by_segment.values():
        assert set(kpis) == set(KPI_NAMES)


def test_json_breakdown_by_two_dimensions(data: Path) -> None:
    result = kpis_json(data, "--by", "segment,region")
    pairs = {(e["segment"], e["region"]) for e in result["breakdown"]}
    assert pairs == {
        ("SMB", "North"),
        ("=cmd", "North"),
        ("+1", "South"),
        ("-2", "South"),
        ("@x", "North"),
    }


def test_filters_echo(data: Path) -> None:
    result = kpis_json(
        data, "--segment", "SMB", "--segment", "+1", "--region", "North", "--filter", "tier=Gold"
    )
    echoed = {dim: sorted(members) for dim, members in active_filters(result).items()}
    assert echoed == {"segment": ["+1", "SMB"], "region": ["North"], "tier": ["Gold"]}
    # (SMB or +1) and North and Gold: only c1
    assert close(result["kpis"]["revenue"]["value"], 100.0)
    assert close(result["kpis"]["revenue"]["previous"], 80.0)


def test_filter_member_starting_with_equals(data: Path) -> None:
    """DIM=MEMBER splits at the first '=', so a member may itself start with '='."""
    result = kpis_json(data, "--filter", "segment==cmd")
    assert active_filters(result) == {"segment": ["=cmd"]}
    assert close(result["kpis"]["revenue"]["value"], 50.0)
    assert close(result["kpis"]["revenue"]["previous"], 100.0)


def _assert_kpi_columns(columns: list[str]) -> None:
    assert sorted(columns) == sorted(KPI_COLUMNS)
    for name in KPI_NAMES:
        at = columns.index(name)
        assert columns[at + 1] == f"{name}_previous", name


def test_csv_whole_view(data: Path) -> None:
    header, *rows = kpis_csv(data)
    _assert_kpi_columns(header)
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert float(row["revenue"]) == pytest.approx(158.0)
    assert float(row["revenue_previous"]) == pytest.approx(180.0)
    # numbers are never altered, negative ones included: (158 - 180) / 180
    assert not row["revenue_growth"].startswith("'")
    assert float(row["revenue_growth"]) == pytest.approx(-22 / 180)


def test_csv_breakdown_escapes_formula_members_only(data: Path) -> None:
    header, *rows = kpis_csv(data, "--by", "segment")
    assert header[0] == "segment"
    _assert_kpi_columns(header[1:])
    by_segment = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_segment) == {"SMB", *(f"'{s}" for s in FORMULA_SEGMENTS)}
    # revenue (P, Q) per segment; "-2" is negative and must stay a plain number
    expected = {
        "SMB": (100.0, 80.0),
        "'=cmd": (50.0, 100.0),
        "'+1": (10.0, 0.0),
        "'-2": (-5.0, 0.0),
        "'@x": (3.0, 0.0),
    }
    for member, (value, previous) in expected.items():
        row = by_segment[member]
        assert not row["revenue"].startswith("'"), member
        assert float(row["revenue"]) == pytest.approx(value), member
        assert float(row["revenue_previous"]) == pytest.approx(previous), member
    assert by_segment["'-2"]["revenue"].lstrip().startswith("-")
    assert float(by_segment["'=cmd"]["revenue_growth"]) == pytest.approx(-0.5)


def test_csv_breakdown_by_two_dimensions(data: Path) -> None:
    header, *rows = kpis_csv(data, "--by", "segment,region")
    assert header[:2] == ["segment", "region"]
    _assert_kpi_columns(header[2:])
    assert {(row[0], row[1]) for row in rows} == {
        ("SMB", "North"),
        ("'=cmd", "North"),
        ("'+1", "South"),
        ("'-2", "South"),
        ("'@x", "North"),
    }


BAD_ARGUMENTS: list[tuple[str, list[str]]] = [
    ("unknown --by dimension", [*PERIOD, "--by", "planet"]),
    ("unknown dimension in a --by pair", [*PERIOD, "--by", "segment,planet"]),
    ("unknown --filter dimension", [*PERIOD, "--filter", "planet=Mars"]),
    ("--filter without '='", [*PERIOD, "--filter", "segment"]),
    ("unknown --segment member", [*PERIOD, "--segment", "Smb"]),
    ("unknown --filter member", [*PERIOD, "--filter", "tier=Platinum"]),
    ("start after end", ["--start", "2025-03-10", "--end", "2025-03-01"]),
    ("no such day", ["--start", "2025-02-30", "--end", "2025-03-10"]),
    ("not ISO", ["--start", "2025-02-01", "--end", "28/02/2025"]),
    ("not a date", ["--start", "yesterday", "--end", "2025-02-28"]),
    ("unknown --compare", [*PERIOD, "--compare", "weekly"]),
    ("unknown --format", [*PERIOD, "--format", "xml"]),
    ("unknown --engine", [*PERIOD, "--engine", "postgres"]),
]


@pytest.mark.parametrize(("why", "args"), BAD_ARGUMENTS, ids=[why for why, _ in BAD_ARGUMENTS])
def test_bad_arguments_exit_2_with_one_line(data: Path, why: str, args: list[str]) -> None:
    done = run_cli("kpis", "--data", str(data), *args)
    _assert_refused(done)


def test_missing_folder_exits_2(tmp_path: Path) -> None:
    _assert_refused(run_cli("kpis", "--data", str(tmp_path / "no-such-folder"), *PERIOD))


def _assert_refused(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stdout == ""
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr


def test_an_unknown_member_is_named_with_the_closest_one(data: Path) -> None:
    done = run_cli("kpis", "--data", str(data), *PERIOD, "--segment", "Smb")
    assert "segment has no member 'Smb'; did you mean 'SMB'?" in done.stderr
