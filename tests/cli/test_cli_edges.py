"""Edge cases of the command line found in review: names, headers and dates."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from cxcore.cli.main import main
from tests.factories import customer, order, write_folder

PERIOD = ["--start", "2025-02-01", "--end", "2025-02-28"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    customers = [
        customer("c1", segment="SMB", **{"=HYPERLINK(1)": "a"}),
        customer("c2", segment="Ent", **{"=HYPERLINK(1)": "b"}),
    ]
    orders = [order("o1", "c1", "2025-02-03", 10.0), order("o2", "c2", "2025-02-04", 7.5)]
    return write_folder(tmp_path, customers=customers, orders=orders)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_dimension_names_are_case_insensitive_in_csv_too(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        capsys,
        "kpis",
        "--data",
        str(folder),
        *PERIOD,
        "--by",
        "Segment",
        "--kpi",
        "revenue",
        "--format",
        "csv",
    )
    assert status == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["segment", "revenue", "revenue_previous"]
    assert sorted(r[0] for r in rows[1:]) == ["Ent", "SMB"]


def test_a_formula_looking_dimension_name_is_neutralised_in_the_header(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        capsys,
        "kpis",
        "--data",
        str(folder),
        *PERIOD,
        "--by",
        "=hyperlink(1)",
        "--kpi",
        "revenue",
        "--format",
        "csv",
    )
    assert status == 0
    assert out.splitlines()[0].startswith("'=hyperlink(1),revenue")


def test_a_member_holding_a_line_break_stays_one_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A segment '\rr' was written bare; csv readers and pandas saw two rows."""
    customers = [customer("c1", segment="\rr"), customer("c2", segment="a\nb")]
    orders = [order("o1", "c1", "2025-02-03", 10.0), order("o2", "c2", "2025-02-04", 7.5)]
    folder = write_folder(tmp_path, customers=customers, orders=orders)
    ask = ["--by", "segment", "--kpi", "revenue", "--kpi", "nps", "--format", "csv"]
    status, out, _ = run(capsys, "kpis", "--data", str(folder), *PERIOD, *ask)
    assert status == 0
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert rows[0] == ["segment", "revenue", "revenue_previous", "nps", "nps_previous"]
    assert sorted(rows[1:]) == [
        ["'\rr", "10.0", "0.0", "", ""],  # a carriage return first: neutralised, and quoted
        ["a\nb", "7.5", "0.0", "", ""],  # null NPS: empty cells
    ]
    assert ',"",' not in out  # null is an empty cell, not an empty quoted text


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_kpi_asked_twice_is_answered_once(
    folder: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    """`--kpi nps --kpi nps` wrote the nps columns twice in the CSV."""
    ask = ["--kpi", "orders", "--kpi", "revenue", "--kpi", "orders", "--format", fmt]
    status, out, _ = run(capsys, "kpis", "--data", str(folder), *PERIOD, *ask)
    assert status == 0
    if fmt == "csv":
        header = out.splitlines()[0].split(",")
        assert header == ["orders", "orders_previous", "revenue", "revenue_previous"]
    else:
        assert list(json.loads(out)["kpis"]) == ["orders", "revenue"]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("0001-01-01", "0001-01-31", "too early to have a comparison period"),
        ("20250701", "2025-07-31", "'20250701' is not a date"),
        ("2025-W40-2", "2025-12-31", "is not a date"),
        ("2025-02-30", "2025-03-31", "is not a date"),
    ],
)
def test_dates_must_be_plain_iso_days(
    folder: Path, capsys: pytest.CaptureFixture[str], start: str, end: str, message: str
) -> None:
    status, out, err = run(capsys, "kpis", "--data", str(folder), "--start", start, "--end", end)
    assert (status, out) == (2, "")
    assert message in err and len(err.strip().splitlines()) == 1
