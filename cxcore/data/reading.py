"""Reading export files into DuckDB, refusing unreadable ones with a clear reason.

The format is decided from the file's bytes, not trusted from its name, so a
CSV saved as `.parquet`, a truncated Parquet file or a CSV in another encoding
is named as such instead of surfacing as a database traceback. Text that
DuckDB cannot read as it is (UTF-16, columns lined up with spaces) and
workbook sheets are split into text cells by Python and handed over as an
Arrow table, so the locked connection never reads a file but the upload.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from cxcore.data.contract import TABLES
from cxcore.data.formats import (
    SUFFIXES,
    ReadError,
    ReadOptions,
    TextLayout,
    WhitespaceColumns,
    sniff_format,
    text_layout,
)
from cxcore.data.headers import read_header
from cxcore.data.names import normalise
from cxcore.data.sheets import header_names, read_sheet, text_table
from cxcore.database import one_row
from cxcore.sqlkit import count_rows, create_table, describe, fragment, rename_column, select_all

PARQUET_READER = "read_parquet($path)"
# Column names the cockpit adds to tables start with this; a file may not use it.
RESERVED_PREFIX = "__cx_"
# Each typed table carries its file row number (1-based) under this reserved name.
ROW_COLUMN = "__cx_row"
# Where a file's own column named `rowid` is kept while the table is checked.
USER_ROWID = "__cx_user_rowid"
# Every CSV cell is read as text: types are decided by the contract, so an id
# like "001" keeps its zeros and a bad value is reported instead of guessed.
CSV_READER = (
    "read_csv($path, header = true, all_varchar = true, auto_detect = true, delim = $delim)"
)
CELLS_VIEW = "__cx_cells"
_LINE_TOO_LONG = re.compile(
    r"Maximum line size of (\d+) bytes exceeded\. Actual Size:\s*(\d+) bytes"
)

__all__ = ["ReadError", "ReadOptions", "sniff_format"]


@dataclass(frozen=True)
class RawTable:
    """A file loaded as-is into a temporary table; columns keyed by normalised name."""

    sql_name: str
    path: Path
    columns: dict[str, str]  # normalised name -> name in the file
    types: dict[str, str]  # normalised name -> DuckDB type
    rows: int
    order: str = "rowid"  # the column holding each row's place, counted from 0
    decimal_comma: bool = False  # text numbers are written 1.234,5
    date_formats: tuple[tuple[str, str], ...] = ()  # contract column -> strptime format
    notes: tuple[str, ...] = ()  # how the file was read, when not the plain default

    def date_format(self, name: str) -> str | None:
        return dict(self.date_formats).get(name)


def find_table_files(folder: Path) -> dict[str, Path]:
    """The contract tables present in a data folder (file names matched case-insensitively)."""
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        stem, suffix = normalise(path.stem), path.suffix.lower()
        if not (path.is_file() and stem in TABLES and suffix in SUFFIXES):
            continue
        if stem not in found or SUFFIXES.index(suffix) < SUFFIXES.index(found[stem].suffix.lower()):
            found[stem] = path
    return found


def load_raw(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path: Path,
    sql_name: str,
    options: ReadOptions | None = None,
) -> RawTable:
    """Copy one file into temporary table `sql_name`, in file order (rowid = row - 1)."""
    options = options or ReadOptions()
    fmt = sniff_format(table, path)
    notes: list[str] = []
    decimal_comma = options.decimal == "comma"
    if fmt == "parquet":
        _create(con, table, path, sql_name, fmt, fragment(PARQUET_READER), {"path": str(path)})
    elif fmt == "xlsx":
        sheet, notes = read_sheet(table, path, options.sheet)
        _create_from_cells(con, table, path, sql_name, fmt, sheet)
    else:
        layout = text_layout(table, path, options)
        notes, decimal_comma = list(layout.notes), layout.decimal_comma
        if layout.plain:
            # the reader renames a repeated name (`amount_1`); the header line does not
            _refuse_same_names(table, path, read_header(table, path, options))
            params = {"path": str(path), "delim": layout.delimiter}
            _create(con, table, path, sql_name, fmt, fragment(CSV_READER), params)
        else:
            _create_from_cells(con, table, path, sql_name, fmt, _text_cells(table, path, layout))
    described = con.execute(describe(sql_name)).fetchall()
    described = _free_rowid(con, table, path, sql_name, described)
    _refuse_same_names(table, path, [name for name, *_ in described])
    columns: dict[str, str] = {}
    types: dict[str, str] = {}
    for name, dtype, *_ in described:
        key = "rowid" if name == USER_ROWID else normalise(name)
        columns[key], types[key] = name, dtype
    (rows,) = one_row(con, count_rows(sql_name))
    return RawTable(
        sql_name,
        path,
        columns,
        types,
        int(rows),
        decimal_comma=decimal_comma,
        date_formats=options.date_formats,
        notes=tuple(notes),
    )


def _refuse_same_names(table: str, path: Path, names: list[str]) -> None:
    """Two columns one name matches would leave the cockpit to pick one of two amounts
    (or dates) unseen: the analyst decides which one is meant."""
    seen: dict[str, str] = {}
    for name in names:
        key = "rowid" if name == USER_ROWID else normalise(name)
        if key in seen:
            raise ReadError(
                table,
                path,
                f"columns {seen[key]!r} and {name!r} have the same name"
                " (names match ignoring case and spaces): keep or rename one",
            )
        seen[key] = name


def _create(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path: Path,
    sql_name: str,
    fmt: str,
    reader: Any,
    params: dict[str, str],
) -> None:
    try:
        con.execute(create_table(sql_name, select_all(reader), temporary=True), params)
    except duckdb.Error as err:
        raise ReadError(table, path, f"cannot be read as {fmt.upper()}: {_cause(err)}") from None


def _create_from_cells(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path: Path,
    sql_name: str,
    fmt: str,
    cells: pa.Table,
) -> None:
    """Text cells read by Python (a sheet, UTF-16 or space-aligned text) handed to DuckDB as
    they are: the locked connection reads no file but the upload itself."""
    con.register(CELLS_VIEW, cells)
    try:
        _create(con, table, path, sql_name, fmt, CELLS_VIEW, {})
    finally:
        con.unregister(CELLS_VIEW)


def _text_cells(table: str, path: Path, layout: TextLayout) -> pa.Table:
    """UTF-16 text or space-aligned columns, split into text cells named by the first line."""
    with path.open(encoding=layout.encoding, newline="") as source:
        columns = WhitespaceColumns().learn(source) if layout.aligned else None
    if columns is not None and not columns.readable:
        raise ReadError(
            table,
            path,
            "the columns are separated by spaces but neither line up nor have the same number"
            " of words on every line; export it as CSV",
        )
    with path.open(encoding=layout.encoding, newline="") as source:
        if columns is None:
            rows: Iterator[list[str]] = csv.reader(source, delimiter=layout.delimiter)
        else:
            rows = (columns.split(line.rstrip("\r\n")) for line in source if line.strip())
        header = next(rows, None)
        if header is None:
            raise ReadError(table, path, "the file has no header line")
        return text_table(header_names(table, path, header), rows)


def _free_rowid(
    con: duckdb.DuckDBPyConnection, table: str, path: Path, sql_name: str, described: list[Any]
) -> list[Any]:
    """A column called `rowid` would hide DuckDB's row order, which row numbers come from."""
    for name, *_ in described:
        if normalise(name).startswith(RESERVED_PREFIX):
            raise ReadError(
                table,
                path,
                f"the column name {name!r} is reserved (names starting"
                f" {RESERVED_PREFIX!r} are the cockpit's own)",
            )
        if name.lower() == "rowid":
            con.execute(rename_column(sql_name, name, USER_ROWID))
            return con.execute(describe(sql_name)).fetchall()
    return described


def _cause(err: Exception) -> str:
    """DuckDB's first line and the reason beneath it; the offending line's text is left out."""
    text = str(err).strip()
    if found := _LINE_TOO_LONG.search(text):
        limit, actual = found.groups()
        where = text.splitlines()[0].removeprefix("Invalid Input Error: ")
        return (
            f"{where}: a line of {int(actual):,} bytes is longer than the longest line DuckDB"
            f" reads, {int(limit):,} bytes (its max_line_size setting); is there one row"
            " per line?"
        )
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return type(err).__name__
    reason = next(
        (line for line in lines[1:4] if not line.startswith(("Original Line", "LINE "))), None
    )
    return f"{lines[0]} ({reason})" if reason and len(reason) < 300 else lines[0]
