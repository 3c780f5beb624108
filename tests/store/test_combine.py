"""Combining an upload with the published table: extra column types, and row numbers.

An extra column the published table already has keeps its published type:
text stays text (a CSV's `1` is stored as `1`, not `1.0`), and a value that
does not convert is refused with the table and column named, never a
traceback. Row numbers (for ordering and for reports) never come from, or
end up in, the data itself.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cxcore.cli import main as cli
from cxcore.data.reading import ROW_COLUMN
from cxcore.store.layout import current_files, current_version
from cxcore.store.publish import PublishRefused, publish
from tests.factories import customer, order, write_table
from tests.store.conftest import CUSTOMERS, orders_file, published_rows, snapshot

Capture = pytest.CaptureFixture[str]


def _customers_with(store: Path, folder: Path, **extra: object) -> None:
    """Publish the seed customers again, each with the given extra columns."""
    rows = [{**row, **extra} for row in CUSTOMERS]
    publish(store, "customers", [write_table(folder, "customers", rows)])


def _column(store: Path, table: str, name: str) -> dict[str, object]:
    key = "customer_id" if table == "customers" else "order_id"
    return dict(published_rows(store, table, f'"{key}", "{name}"'))


def _stored_columns(store: Path, table: str) -> list[str]:
    names = pq.ParquetFile(current_files(store)[1][table]).schema_arrow.names
    return [n for n in names if not n.startswith("__cx_")]


# -- item: extra columns keep their published type ---------------------------------


def test_an_all_numeric_csv_extra_appended_to_a_text_column_stays_text(
    store: Path, tmp_path: Path
) -> None:
    _customers_with(store, tmp_path / "a", tier="gold")
    upload = write_table(tmp_path / "b", "customers", [customer("c5", tier="1")], fmt="csv")
    publish(store, "customers", [upload], mode="append")
    tiers = _column(store, "customers", "tier")
    assert tiers == {"c1": "gold", "c2": "gold", "c3": "gold", "c4": "gold", "c5": "1"}


def test_a_csv_extra_appended_to_a_numeric_column_is_stored_as_a_number(
    store: Path, tmp_path: Path
) -> None:
    _customers_with(store, tmp_path / "a", score=2.5)
    upload = write_table(tmp_path / "b", "customers", [customer("c5", score="7")], fmt="csv")
    publish(store, "customers", [upload], mode="append")
    assert _column(store, "customers", "score")["c5"] == 7.0


def test_a_value_that_does_not_fit_the_published_type_is_refused_and_named(
    store: Path, tmp_path: Path
) -> None:
    _customers_with(store, tmp_path / "a", score=2.5)
    rows = [customer("c5", score="3"), customer("c6", score="high")]
    upload = write_table(tmp_path / "b", "customers", rows, fmt="csv")
    before = snapshot(store)
    with pytest.raises(PublishRefused) as refused:
        publish(store, "customers", [upload], mode="append")
    (finding,) = refused.value.report.errors
    assert (finding.table, finding.column, finding.count) == ("customers", "score", 1)
    assert [(e.row, e.value) for e in finding.examples] == [(2, "high")]
    assert "cannot be stored as DOUBLE" in finding.message, finding.message
    assert snapshot(store) == before


def test_a_type_clash_with_the_published_table_is_a_refusal_not_a_traceback(
    store: Path, tmp_path: Path, capsys: Capture
) -> None:
    """A DATE extra published, then a CSV whose values are numbers: once a ConversionException."""
    _customers_with(store, tmp_path / "a", since=dt.date(2020, 1, 1))
    upload = write_table(tmp_path / "b", "customers", [customer("c5", since="5")], fmt="csv")
    before = snapshot(store)
    argv = ["ingest", "--store", str(store), "--table", "customers", "--mode", "append"]
    status = cli.main([*argv, str(upload)])
    out, err = capsys.readouterr()
    assert (status, out) == (1, "")
    assert "Traceback" not in err and "customers.since" in err, err
    assert all(line.startswith(("cx-cockpit:", "ERROR:")) for line in err.splitlines()), err
    assert snapshot(store) == before


def test_a_text_value_appended_to_a_date_column_keeps_the_date_type(
    store: Path, tmp_path: Path
) -> None:
    _customers_with(store, tmp_path / "a", since=dt.date(2020, 1, 1))
    upload = write_table(
        tmp_path / "b", "customers", [customer("c5", since="2021-02-03")], fmt="csv"
    )
    publish(store, "customers", [upload], mode="append")
    assert _column(store, "customers", "since")["c5"] == dt.date(2021, 2, 3)


def test_files_whose_extra_column_types_clash_are_refused_with_the_column_named(
    store: Path, tmp_path: Path
) -> None:
    dated = orders_file(
        tmp_path / "a", [order("n1", "c1", "2025-06-01", 1, due=dt.date(2025, 7, 1))]
    )
    numbered = orders_file(tmp_path / "b", [order("n2", "c1", "2025-06-01", 1, due=5)], fmt="csv")
    before = snapshot(store)
    with pytest.raises(PublishRefused) as refused:
        publish(store, "orders", [dated, numbered])
    (finding,) = refused.value.report.errors
    assert (finding.table, finding.column) == ("orders", "due")
    assert "DATE in orders.parquet" in finding.message, finding.message
    assert "DOUBLE in orders.csv" in finding.message, finding.message
    assert snapshot(store) == before


# -- item: a file's own `rowid` column ------------------------------------------------


def test_an_export_with_a_rowid_column_publishes_and_keeps_it(store: Path, tmp_path: Path) -> None:
    rows = [order(f"n{i}", "c1", "2025-06-01", i, rowid=10 - i) for i in range(1, 4)]
    publish(store, "orders", [orders_file(tmp_path / "a", rows, fmt="csv")])
    assert _column(store, "orders", "rowid") == {"n1": 9.0, "n2": 8.0, "n3": 7.0}
    assert ROW_COLUMN not in _stored_columns(store, "orders")


def test_appends_keep_file_order_whatever_a_rowid_column_holds(store: Path, tmp_path: Path) -> None:
    """The order comes from the rows' places in the files, not from a column named rowid."""
    first = [order(f"a{i}", "c1", "2025-06-01", 1, rowid=f"z{9 - i}") for i in range(3)]
    publish(store, "orders", [orders_file(tmp_path / "a", first, fmt="csv")], mode="append")
    second = [order(f"b{i}", "c2", "2025-06-02", 1, rowid=f"y{9 - i}") for i in range(3)]
    publish(store, "orders", [orders_file(tmp_path / "b", second, fmt="csv")], mode="append")
    table = pq.read_table(current_files(store)[1]["orders"])
    assert table.column("order_id").to_pylist() == [
        "o1",
        "o2",
        "o3",
        "o4",
        "a0",
        "a1",
        "a2",
        "b0",
        "b1",
        "b2",
    ]
    assert ROW_COLUMN not in table.schema.names
    assert table.column("rowid").to_pylist()[4:] == ["z9", "z8", "z7", "y9", "y8", "y7"]


@pytest.mark.parametrize("mode", ["replace", "append"])
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_report_row_numbers_are_file_rows_even_with_a_rowid_column(
    mode: str, fmt: str, store: Path, tmp_path: Path
) -> None:
    rows = [order(f"n{i}", "c1", "2025-06-01", 1, rowid=10 - i) for i in range(1, 6)]
    rows[3]["product_category"] = None  # data row 4 breaks `not empty`
    upload = orders_file(tmp_path / "a", rows, fmt=fmt)
    before = snapshot(store)
    with pytest.raises(PublishRefused) as refused:
        publish(store, "orders", [upload], mode=mode)
    (finding,) = refused.value.report.errors
    assert finding.column == "product_category"
    assert [e.row for e in finding.examples] == [4]
    assert snapshot(store) == before


def test_no_published_file_carries_the_reserved_row_column(store: Path, tmp_path: Path) -> None:
    publish(store, "orders", [orders_file(tmp_path / "a", [order("n1", "c1", "2025-06-01", 1)])])
    upload = write_table(tmp_path / "b", "customers", [customer("c5")], fmt="csv")
    publish(store, "customers", [upload], mode="append")
    assert current_version(store) == 3
    for name in ("customers", "orders"):
        assert ROW_COLUMN not in _stored_columns(store, name)
