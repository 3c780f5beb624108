"""Files over a limit are refused from their metadata or header, before a row is read."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxcore.settings import Settings
from cxcore.store.check import check
from cxcore.store.limits import megabytes_shown
from tests.workbooks import Sheet, write_workbook

HEADER = "customer_id,order_id,order_date,product_category,amount"


def _bomb(path: Path, rows: int) -> Path:
    """Plain-encoded zeros: `rows` * 8 bytes unpacked, a few hundred bytes compressed."""
    table = pa.table(
        {
            "customer_id": pa.array(["c1"] * rows),
            "order_id": pa.array([str(i) for i in range(rows)]),
            "order_date": pa.array(["2025-01-01"] * rows),
            "product_category": pa.array(["A"] * rows),
            "amount": pa.array([0] * rows, pa.int64()),
        }
    )
    pq.write_table(table, path, use_dictionary=False, compression="zstd")
    return path


def test_a_parquet_file_that_unpacks_too_large_is_refused_unread(
    store: Path, tmp_path: Path
) -> None:
    path = _bomb(tmp_path / "orders.parquet", 200_000)
    unpacked = sum(
        pq.ParquetFile(path).metadata.row_group(i).total_byte_size
        for i in range(pq.ParquetFile(path).metadata.num_row_groups)
    )
    assert path.stat().st_size < 0.5 * 1024 * 1024 < unpacked  # small on disk, large unpacked
    settings = Settings(max_unpacked_mb=0.5)
    messages = [f.message for f in check(store, "orders", [path], settings=settings).report.errors]
    assert messages == [
        f"orders: orders.parquet is too large: {unpacked / 1024 / 1024:.1f} MB uncompressed,"
        " over the limit of 0.5 MB (CX_MAX_UNPACKED_MB raises it)"
    ]


def test_a_workbook_counts_by_its_uncompressed_size(store: Path, tmp_path: Path) -> None:
    rows: Sheet = [
        HEADER.split(","),
        *(("c1", f"o{i}", "2025-01-01", "A", 1) for i in range(5_000)),
    ]
    path = write_workbook(tmp_path / "orders.xlsx", {"Orders": rows})
    settings = Settings(max_unpacked_mb=0.1)
    errors = check(store, "orders", [path], settings=settings).report.errors
    assert len(errors) == 1 and "MB uncompressed" in errors[0].rule


def _wide_csv(tmp_path: Path, columns: int) -> Path:
    extras = [f"x{i}" for i in range(columns - 5)]
    path = tmp_path / "orders.csv"
    values = ["c1", "o9", "2025-06-01", "A", "1", *("0" for _ in extras)]
    path.write_text(",".join([HEADER, *extras]) + "\n" + ",".join(values) + "\n")
    return path


@pytest.mark.parametrize(("columns", "refused"), [(8, False), (9, True)])
def test_a_header_over_the_column_limit_is_refused(
    store: Path, tmp_path: Path, columns: int, refused: bool
) -> None:
    settings = Settings(max_columns=8)
    report = check(store, "orders", [_wide_csv(tmp_path, columns)], settings=settings).report
    expected = [
        "orders: orders.csv has 9 or more columns (counted in its header), over the limit"
        " of 8 (CX_MAX_COLUMNS raises it)"
    ]
    assert [f.message for f in report.errors] == (expected if refused else [])


def test_a_50000_column_csv_is_refused_by_the_default_limit(store: Path, tmp_path: Path) -> None:
    errors = [
        f.message for f in check(store, "orders", [_wide_csv(tmp_path, 50_000)]).report.errors
    ]
    assert len(errors) == 1
    assert "over the limit of 1,000 (CX_MAX_COLUMNS raises it)" in errors[0]


def test_the_limits_are_settings() -> None:
    settings = Settings.from_env({"CX_MAX_UNPACKED_MB": "64", "CX_MAX_COLUMNS": "50"})
    assert (settings.max_unpacked_mb, settings.max_columns) == (64.0, 50)


@pytest.mark.parametrize(
    ("size", "limit_mb", "shown"),
    [
        (5 * 1024 * 1024, 1.0, "5.0"),
        (45_000, 0.01, "0.04"),  # '0.0 MB, over the limit of 0.01 MB' said nothing
        (int(200.04 * 1024 * 1024), 200.0, "200.04"),
        (3_000 * 1024 * 1024, 200.0, "3,000.0"),
    ],
)
def test_a_size_over_its_limit_is_shown_with_the_decimals_that_tell_them_apart(
    size: int, limit_mb: float, shown: str
) -> None:
    assert megabytes_shown(size, limit_mb) == shown
