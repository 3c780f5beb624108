"""`cx-cockpit ingest` with an export's own column names and layout: options checked with
a suggestion, a remembered mapping reused and said, a refusal ending with a `--map` hint."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cxcore.cli import main as cli
from cxcore.store.layout import current_version, recall_mapping
from tests.store.conftest import published_rows

Capture = pytest.CaptureFixture[str]
OWN_NAMES = "Client,Order Number,Day,Category,Amount (USD)\n"


def run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def _export(tmp_path: Path, text: str, name: str = "export.csv") -> Path:
    path = tmp_path / "upload" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def _ingest(capsys: Capture, store: Path, path: Path, *options: str) -> tuple[int, str, str]:
    return run(capsys, "ingest", "--store", str(store), "--table", "orders", str(path), *options)


FULL_MAP = [
    "--map=Client=customer_id",
    "--map=Order Number=order_id",
    "--map=Day=order_date",
    "--map=Category=product_category",
    "--map=Amount (USD)=amount",
]


@pytest.mark.parametrize(
    ("option", "words"),
    [
        ("--map=Client=custommer_id", "'custommer_id' is not a column of orders; did you mean"),
        ("--map=Clent=customer_id", "export.csv has no column 'Clent'; did you mean 'client'?"),
        ("--date-format=order_dat=%d/%m/%Y", "did you mean 'order_date'?"),
        ("--date-format=order_date", "is not COLUMN=FORMAT"),
        ("--delimiter=colon", "--delimiter 'colon' is not one of: comma, semicolon"),
        ("--decimal=dot", "--decimal 'dot' is not one of: point, comma"),
    ],
)
def test_a_mistyped_option_is_one_line_with_exit_2(
    store: Path, tmp_path: Path, capsys: Capture, option: str, words: str
) -> None:
    path = _export(tmp_path, OWN_NAMES + "c1,o9,2025-06-01,A,5\n")
    status, _, err = _ingest(capsys, store, path, option)
    assert status == 2
    assert words in err
    assert len(err.strip().splitlines()) == 1
    assert current_version(store) == 1


def test_a_refusal_for_missing_columns_lists_the_file_and_hints_the_map(
    store: Path, tmp_path: Path, capsys: Capture
) -> None:
    path = _export(tmp_path, OWN_NAMES + "c1,o9,2025-06-01,A,5\n")
    status, _, err = _ingest(capsys, store, path)
    assert status == 1
    assert "the file's columns: 'Client', 'Order Number', 'Day', 'Category', 'Amount (USD)'" in err
    assert err.strip().splitlines()[-1] == (
        "cx-cockpit: hint: try --map 'order number'=order_id --map 'amount (usd)'=amount"
        " --map client=customer_id --map day=order_date --map category=product_category"
    )


def test_a_remembered_mapping_is_reused_and_said(
    store: Path, tmp_path: Path, capsys: Capture
) -> None:
    first = _export(tmp_path, OWN_NAMES + "c1,o9,2025-06-01,A,5\n")
    status, _, err = _ingest(capsys, store, first, *FULL_MAP)
    assert status == 0, err
    assert recall_mapping(store, "orders")["Day"] == "order_date"
    second = _export(tmp_path, OWN_NAMES + "c2,o10,2025-06-02,B,7\n", "second.csv")
    status, out, err = _ingest(capsys, store, second, "--mode", "append")
    assert status == 0, err
    assert "using the remembered mapping Day=order_date (--map overrides it)" in out
    rows = published_rows(store, "orders", "order_id, order_date")
    assert ("o10", dt.date(2025, 6, 2)) in rows


def test_format_options_read_a_semicolon_export_with_day_first_dates(
    store: Path, tmp_path: Path, capsys: Capture
) -> None:
    text = "customer_id;order_id;order_date;product_category;amount\nc1;o9;01/06/2025;A;5,5\n"
    path = _export(tmp_path, text)
    status, _, err = _ingest(
        capsys, store, path, "--date-format", "order_date=%d/%m/%Y", "--decimal", "comma"
    )
    assert status == 0, err
    assert "semicolon-separated" in err  # the warning says how the file was read
    assert published_rows(store, "orders", "order_id, order_date, amount") == [
        ("o9", dt.date(2025, 6, 1), pytest.approx(5.5))
    ]
