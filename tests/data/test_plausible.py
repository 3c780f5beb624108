"""Implausible values are refused with a named cause, before they can break a page.

The date window (CX_DATE_WINDOW, CX_DATE_WINDOW_<TABLE>; 1900-01-01..2099-12-31
by default) and the amount bounds of DECIMAL(38, 10) are worked by hand in
each case's comment.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxcore.data.catalog import Catalog, DataContractError
from cxcore.data.plausible import sum_bound_exponent, table_window
from cxcore.settings import DateWindow, Settings, SettingsError
from tests.factories import customer, write_folder

HEADER = "customer_id,order_id,order_date,product_category,amount\n"


def _orders_csv(tmp_path: Path, lines: str) -> Path:
    folder = write_folder(tmp_path, customers=[customer("c1")])
    (folder / "orders.csv").write_text(HEADER + lines)
    return folder


def _refusals(folder: Path, settings: Settings | None = None) -> list[str]:
    with pytest.raises(DataContractError) as refused:
        Catalog.from_folder(folder, settings=settings)
    return [f.message for f in refused.value.report.errors]


@pytest.mark.parametrize(
    ("lines", "words"),
    [
        # A placeholder "never" date: 9999-12-31 is past 2099-12-31.
        ("c1,o1,9999-12-31,A,1\n", "1 row is outside the date window 1900-01-01..2099-12-31"),
        # 0001-01-01 is before 1900-01-01.
        ("c1,o1,0001-01-01,A,1\n", "1 row is outside the date window 1900-01-01..2099-12-31"),
        # 1e30 has 31 digits before the point; DECIMAL(38, 10) keeps 28.
        ("c1,o1,2024-01-01,A,1e30\n", "1 row is too large to keep exactly (largest 9999"),
        # Two rows: the row count has d = 1 digit, so each amount may be at most 1e(28 - 1);
        # 9.9e27 > 1e27 (two of them would sum to 1.98e28 and still fit, but 10 would not).
        (
            "c1,o1,2024-01-01,A,9.9e27\nc1,o2,2024-01-01,A,1\n",
            "1 row is too large to add up safely (rule: at most 1e27 in size for a table of 2",
        ),
    ],
)
def test_implausible_values_are_refused_by_name(tmp_path: Path, lines: str, words: str) -> None:
    messages = _refusals(_orders_csv(tmp_path, lines))
    assert any(words in m for m in messages), messages
    assert not any("are not numbers" in m or "not a number" in m for m in messages)


def test_the_largest_safe_amount_and_the_window_ends_are_kept(tmp_path: Path) -> None:
    # 2 rows -> bound 1e27: 9.99e26 is inside, and so are both ends of the window.
    lines = "c1,o1,1900-01-01,A,999000000000000000000000000\nc1,o2,2099-12-31,A,-1\n"
    catalog = Catalog.from_folder(_orders_csv(tmp_path, lines))
    rows = catalog.con.execute("SELECT order_date, amount FROM orders ORDER BY order_id")
    assert rows.fetchall() == [
        (dt.date(1900, 1, 1), Decimal("999000000000000000000000000")),
        (dt.date(2099, 12, 31), Decimal(-1)),
    ]


def test_a_parquet_timestamp_in_year_290000_is_refused(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, customers=[customer("c1")])
    # Microseconds since 1970 for a day in year 290000 (about 288,030 years of 365.2425 days).
    far = int(288_030 * 365.2425 * 86_400 * 1_000_000)
    frame = pa.table(
        {
            "customer_id": ["c1"],
            "order_id": ["o1"],
            "order_date": pa.array([far], pa.timestamp("us")),
            "product_category": ["A"],
            "amount": [1.0],
        }
    )
    pq.write_table(frame, folder / "orders.parquet")
    messages = _refusals(folder)
    assert any("outside the date window" in m for m in messages), messages


def test_a_table_window_narrows_one_table_only(tmp_path: Path) -> None:
    settings = Settings.from_env({"CX_DATE_WINDOW_ORDERS": "2024-01-01..2024-12-31"})
    assert table_window(settings, "orders") == DateWindow(
        dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    )
    # customers keep the common window: a 2023 signup is fine, a 2023 order is not.
    messages = _refusals(_orders_csv(tmp_path, "c1,o1,2023-12-31,A,1\n"), settings)
    assert messages == [
        "orders.order_date: 1 row is outside the date window 2024-01-01..2024-12-31"
        " (rule: CX_DATE_WINDOW_ORDERS or CX_DATE_WINDOW sets it) (e.g. row 1: '2023-12-31')"
    ]


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"CX_DATE_WINDOW": "2024-01-01"}, "CX_DATE_WINDOW must be FIRST..LAST"),
        ({"CX_DATE_WINDOW": "2024-12-31..2024-01-01"}, "starts after it ends"),
        ({"CX_DATE_WINDOW": "0001-01-01..2024-01-01"}, "must lie within 1800-01-01..2999-12-31"),
    ],
)
def test_a_malformed_window_setting_is_named(env: dict[str, str], words: str) -> None:
    with pytest.raises(SettingsError, match=words):
        Settings.from_env(env)


def test_a_window_for_an_unknown_table_is_named_with_a_suggestion() -> None:
    settings = Settings.from_env({"CX_DATE_WINDOW_ORDRES": "2024-01-01..2024-12-31"})
    with pytest.raises(SettingsError, match="did you mean 'orders'"):
        table_window(settings, "orders")


@pytest.mark.parametrize(("rows", "exponent"), [(1, 27), (9, 27), (10, 26), (2_000_000, 21)])
def test_the_sum_bound_keeps_any_total_inside_28_digits(rows: int, exponent: int) -> None:
    # rows * 10^exponent must stay below 10^28: 9 * 1e27 < 1e28; 10 * 1e26 = 1e27; 2e6 * 1e21.
    assert sum_bound_exponent(rows) == exponent
    assert rows * 10**exponent < 10**28


def test_a_single_line_too_long_keeps_duckdbs_cause(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, customers=[customer("c1")])
    # One 3 MB line (no newline at all): longer than DuckDB's longest line.
    (folder / "orders.csv").write_text(HEADER.strip() + "," + "x" * 3_000_000)
    messages = _refusals(folder)
    assert len(messages) == 1
    assert "longer than the longest line DuckDB reads" in messages[0]
    assert "max_line_size" in messages[0]
    assert "\n" not in messages[0]
