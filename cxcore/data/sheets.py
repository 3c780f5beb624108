"""XLSX workbooks: one sheet read as text cells, like a CSV, through python-calamine.

Calamine (a compiled reader) was kept over openpyxl: a wheel of about 1 MB
with no dependencies, and many times faster on large sheets. Every cell
becomes text the way a person would type it (a date cell `2024-01-31`, a
whole number `3`, not `3.0`), so the contract converts workbook cells and
CSV cells by the same rules. A workbook counts against the size limit by
its uncompressed size, so a small archive cannot unpack into a huge sheet.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import python_calamine as calamine

from cxcore.data.formats import ReadError

BATCH_ROWS = 65_536
Cell = Any


def uncompressed_size(path: Path) -> int:
    """The bytes a workbook unpacks to: what its reader has to hold."""
    try:
        with zipfile.ZipFile(path) as book:
            return sum(item.file_size for item in book.infolist())
    except (zipfile.BadZipFile, OSError):
        return path.stat().st_size


def sheet_names(table: str, path: Path) -> list[str]:
    with _open(table, path) as book:
        return list(book.sheet_names)


def _open(table: str, path: Path) -> calamine.CalamineWorkbook:
    try:
        return calamine.CalamineWorkbook.from_path(str(path))
    except Exception as err:  # calamine's errors share no base class but Exception
        reason = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise ReadError(table, path, f"cannot be read as XLSX: {reason}") from None


def _chosen(table: str, path: Path, names: list[str], sheet: str | None) -> str:
    if not names:
        raise ReadError(table, path, "the workbook has no sheets")
    if sheet is not None and sheet not in names:
        raise ReadError(
            table, path, f"has no sheet {sheet!r} (sheets: {', '.join(map(repr, names))})"
        )
    return sheet or names[0]


def _rows(table: str, path: Path, book: calamine.CalamineWorkbook, sheet: str) -> Iterator[Any]:
    try:
        yield from book.get_sheet_by_name(sheet).iter_rows()
    except Exception as err:  # calamine's errors share no base class but Exception
        reason = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise ReadError(table, path, f"sheet {sheet!r} cannot be read: {reason}") from None


def header_row(table: str, path: Path, sheet: str | None) -> list[str]:
    """The column names of the sheet (its first row)."""
    with _open(table, path) as book:
        chosen = _chosen(table, path, list(book.sheet_names), sheet)
        return _header(table, path, chosen, next(_rows(table, path, book, chosen), None))


def read_sheet(table: str, path: Path, sheet: str | None) -> tuple[pa.Table, list[str]]:
    """The sheet's rows as text columns named by its first row; notes on what was read."""
    with _open(table, path) as book:
        names = list(book.sheet_names)
        chosen = _chosen(table, path, names, sheet)
        rows = _rows(table, path, book, chosen)
        header = _header(table, path, chosen, next(rows, None))
        cells = text_table(header, rows)
    notes = []
    if sheet is None and len(names) > 1:
        notes.append(
            f"read the first sheet {chosen!r} of {len(names)} (the sheet option picks another)"
        )
    return cells, notes


def text_table(header: list[str], rows: Iterable[list[Cell]]) -> pa.Table:
    """Rows of cells as text columns: what DuckDB is handed when it cannot read the file."""
    schema = pa.schema([(name, pa.string()) for name in header])
    batches = [pa.record_batch(b, schema=schema) for b in _batches(iter(rows), len(header))]
    return pa.Table.from_batches(batches, schema)


def _header(table: str, path: Path, sheet: str, row: list[Cell] | None) -> list[str]:
    if row is None or not any(cell_text(c) for c in row):
        raise ReadError(table, path, f"sheet {sheet!r} is empty (no header row)")
    return header_names(table, path, row)


def header_names(table: str, path: Path, row: list[Cell]) -> list[str]:
    """A header row's names; a blank one is named by its column letter, a repeated one refused."""
    names = [cell_text(c) or f"column_{_letter(i)}" for i, c in enumerate(row)]
    seen: dict[str, str] = {}
    for name in names:
        key = name.strip().lower()
        if key in seen:
            raise ReadError(table, path, f"columns {seen[key]!r} and {name!r} have the same name")
        seen[key] = name
    return names


def _batches(rows: Iterator[list[Cell]], width: int) -> Iterator[list[pa.Array]]:
    columns: list[list[str | None]] = [[] for _ in range(width)]
    for row in rows:
        cells = [cell_text(c) for c in row[:width]]
        if not any(cells):
            continue  # a blank row, skipped as a CSV reader skips a blank line
        cells += [None] * (width - len(cells))
        for target, value in zip(columns, cells, strict=True):
            target.append(value or None)
        if len(columns[0]) >= BATCH_ROWS:
            yield [pa.array(c, pa.string()) for c in columns]
            columns = [[] for _ in range(width)]
    if columns[0]:
        yield [pa.array(c, pa.string()) for c in columns]


def cell_text(value: Cell) -> str | None:
    """A cell as it would be typed: whole numbers without `.0`, days as YYYY-MM-DD."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
