"""Exports as analysts have them: delimiters, decimal commas, ISO basic dates, encodings, XLSX.

Each case writes the same two orders in another layout; read right, every
layout gives the same typed rows (hand-written below), and any layout other
than a plain UTF-8 comma CSV is said back as a warning naming how it was read.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import sqlglot

from cxcore import Cockpit
from cxcore.data.catalog import Catalog, DataContractError
from cxcore.data.formats import ReadOptions
from cxcore.settings import Settings
from cxcore.store.check import check
from cxcore.store.publish import ensure_store, publish
from tests.factories import customer, order, write_folder
from tests.workbooks import Sheet, write_workbook

HEADER = ["customer_id", "order_id", "order_date", "product_category", "amount"]
# What every layout below must read as: (order_id, order_date, amount).
EXPECTED = [
    ("o1", dt.date(1997, 1, 1), Decimal("1234.5")),
    ("o2", dt.date(2024, 2, 29), Decimal("12.5")),
]


def _folder(tmp_path: Path) -> Path:
    return write_folder(tmp_path, customers=[customer("c1")])


def _rows(catalog: Catalog) -> list[tuple[object, ...]]:
    query = "SELECT order_id, order_date, amount FROM orders ORDER BY order_id"
    return catalog.con.execute(query).fetchall()


def _warnings(catalog: Catalog) -> list[str]:
    return [f.message for f in catalog.report.warnings]


# (file name, bytes, the warning that must name how it was read)
LAYOUTS = [
    (
        "orders.csv",
        b"customer_id,order_id,order_date,product_category,amount\n"
        b"c1,o1,19970101,A,1234.5\nc1,o2,2024-02-29,A,12.5\n",
        None,
    ),
    (
        "orders.csv",
        b"customer_id;order_id;order_date;product_category;amount\n"
        b"c1;o1;19970101;A;1.234,5\nc1;o2;2024-02-29;A;12,5\n",
        "semicolon-separated",
    ),
    (
        "orders.tsv",
        b"customer_id\torder_id\torder_date\tproduct_category\tamount\n"
        b"c1\to1\t19970101\tA\t1234.5\nc1\to2\t20240229\tA\t12.5\n",
        "tab-separated",
    ),
    (
        "orders.txt",
        b"customer_id|order_id|order_date|product_category|amount\n"
        b"c1|o1|1997-01-01|A|1234.5\nc1|o2|2024-02-29T10:00:00|A|12.5\n",
        "pipe-separated",
    ),
    (
        "orders.txt",
        b"customer_id  order_id  order_date  product_category  amount\n"
        b"c1           o1        19970101    A                 1234.5\n"
        b"c1           o2        2024-02-29  A                   12.5\n",
        "lined up with spaces",
    ),
    (
        "orders.csv",
        b"\xef\xbb\xbf" + b"customer_id,order_id,order_date,product_category,amount\n"
        b"c1,o1,19970101,A,1234.5\nc1,o2,2024-02-29,A,12.5\n",
        None,
    ),
    (
        "orders.csv",
        "customer_id,order_id,order_date,product_category,amount\n"
        "c1,o1,19970101,A,1234.5\nc1,o2,2024-02-29,A,12.5\n".encode("utf-16"),
        "UTF-16",
    ),
    (
        "orders.csv",
        "customer_id,order_id,order_date,product_category,amount\n"
        "c1,o1,19970101,A,1234.5\nc1,o2,2024-02-29,A,12.5\n".encode("utf-16-be"),
        None,  # no byte-order mark: refused below, not guessed
    ),
]


@pytest.mark.parametrize(("name", "data", "note"), LAYOUTS[:-1])
def test_every_layout_reads_the_same_rows(
    tmp_path: Path, name: str, data: bytes, note: str | None
) -> None:
    folder = _folder(tmp_path)
    (folder / name).write_bytes(data)
    catalog = Catalog.from_folder(folder)
    assert _rows(catalog) == EXPECTED
    warnings = _warnings(catalog)
    if note is None:
        assert warnings == []
    else:
        assert any(note in w for w in warnings), warnings


def test_utf16_without_a_byte_order_mark_is_named(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    name, data, _ = LAYOUTS[-1]
    (folder / name).write_bytes(data)
    with pytest.raises(DataContractError) as refused:
        Catalog.from_folder(folder)
    assert "UTF-16 without a byte-order mark" in str(refused.value)


def test_a_decimal_point_beside_semicolons_is_not_read_as_a_comma(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    text = "customer_id;order_id;order_date;product_category;amount\nc1;o1;2024-01-01;A;12.5\n"
    (folder / "orders.csv").write_text(text)
    catalog = Catalog.from_folder(folder)
    assert _rows(catalog) == [("o1", dt.date(2024, 1, 1), Decimal("12.5"))]
    assert not any("decimal comma" in w for w in _warnings(catalog))


def test_a_workbook_reads_its_first_sheet_with_a_note(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    rows: Sheet = [
        HEADER,
        ["c1", "o1", "19970101", "A", 1234.5],
        ["c1", "o2", "2024-02-29", "A", 12.5],
    ]
    write_workbook(folder / "orders.xlsx", {"Orders": rows, "Notes": [["ignored"]]})
    catalog = Catalog.from_folder(folder)
    assert _rows(catalog) == EXPECTED
    assert any("first sheet 'Orders' of 2" in w for w in _warnings(catalog))


def _store(tmp_path: Path) -> Path:
    root = tmp_path / "store"
    seed = write_folder(
        tmp_path / "seed", customers=[customer("c1")], orders=[order("o0", "c1", "2024-01-01", 1)]
    )
    ensure_store(root, seed, Settings(keep_versions=5))
    return root


def _published_orders(root: Path) -> list[tuple[object, ...]]:
    cockpit = Cockpit.open(root)
    query = "SELECT order_id, order_date, amount FROM fact_orders ORDER BY order_id"
    return [tuple(r) for r in cockpit.executor.fetch(sqlglot.parse_one(query), {}, ("rows",))]


def test_options_pick_the_sheet_and_read_a_date_format(tmp_path: Path) -> None:
    root = _store(tmp_path)
    book = write_workbook(
        tmp_path / "export.xlsx",
        {
            "Notes": [["ignored"]],
            "Orders": [HEADER, ["c1", "o1", "01/01/1997", "A", 1234.5]],
        },
    )
    options = ReadOptions.of(sheet="Orders", date_formats={"order_date": "%d/%m/%Y"})
    result = publish(root, "orders", [book], options=options, bulk=True)
    assert result.version == 2
    assert _published_orders(root) == [("o1", dt.date(1997, 1, 1), Decimal("1234.5"))]


def test_a_date_format_names_itself_when_a_value_does_not_fit(tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    path = folder / "orders.csv"
    path.write_text(",".join(HEADER) + "\nc1,o1,1997-01-01,A,1\n")
    root = _store(tmp_path)
    options = ReadOptions.of(date_formats={"order_date": "%d/%m/%Y"})
    checked = check(root, "orders", [path], options=options)
    assert not checked.ok
    assert "are not dates in the format '%d/%m/%Y'" in checked.report.errors[0].rule


@pytest.mark.parametrize(
    ("date_format", "words"),
    [
        ("%Q", "cannot be used: Unrecognized format for strftime/strptime: %Q"),
        ("%d/%m/%Y %", "cannot be used: Trailing format character %"),
    ],
)
def test_an_unusable_date_format_is_a_finding_not_a_crash(
    tmp_path: Path, date_format: str, words: str
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(",".join(HEADER) + "\nc1,o1,01/01/1997,A,1\n")
    options = ReadOptions.of(date_formats={"order_date": date_format})
    checked = check(_store(tmp_path), "orders", [path], options=options)
    assert any(words in f.message for f in checked.report.errors), checked.report.errors
