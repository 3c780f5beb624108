"""Reading export files into DuckDB, refusing unreadable ones with a clear reason.

The format is decided from the file's bytes, not trusted from its name, so a
CSV saved as `.parquet`, a truncated Parquet file or a CSV in another encoding
is named as such instead of surfacing as a database traceback.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from cxcore.data.contract import TABLES
from cxcore.data.names import normalise
from cxcore.sqlkit import count_rows, create_table, describe, fragment, rename_column, select_all

PARQUET_MAGIC = b"PAR1"
SUFFIXES = (".parquet", ".csv")
PARQUET_READER = "read_parquet($path)"
# Column names the cockpit adds to tables start with this; a file may not use it.
RESERVED_PREFIX = "__cx_"
# Each typed table carries its file row number (1-based) under this reserved name.
ROW_COLUMN = "__cx_row"
# Where a file's own column named `rowid` is kept while the table is checked.
USER_ROWID = "__cx_user_rowid"
# Every CSV cell is read as text: types are decided by the contract, so an id
# like "001" keeps its zeros and a bad value is reported instead of guessed.
CSV_READER = "read_csv($path, header = true, all_varchar = true, auto_detect = true)"


class ReadError(ValueError):
    """A file that cannot be read as the table it claims to be."""

    def __init__(self, table: str, path: Path, reason: str) -> None:
        super().__init__(f"{table}: {path.name}: {reason}")
        self.table, self.path, self.reason = table, path, reason


@dataclass(frozen=True)
class RawTable:
    """A file loaded as-is into a temporary table; columns keyed by normalised name."""

    sql_name: str
    path: Path
    columns: dict[str, str]  # normalised name -> name in the file
    types: dict[str, str]  # normalised name -> DuckDB type
    rows: int
    order: str = "rowid"  # the column holding each row's place, counted from 0


def find_table_files(folder: Path) -> dict[str, Path]:
    """The contract tables present in a data folder (file names matched case-insensitively)."""
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        stem, suffix = normalise(path.stem), path.suffix.lower()
        wanted = path.is_file() and stem in TABLES and suffix in SUFFIXES
        # Parquet wins over CSV when an export was left in both formats.
        if wanted and (stem not in found or suffix == ".parquet"):
            found[stem] = path
    return found


def sniff_format(table: str, path: Path) -> str:
    """'parquet' or 'csv', from the bytes; refuses files that are neither."""
    size = path.stat().st_size
    if size == 0:
        raise ReadError(table, path, "the file is empty")
    with path.open("rb") as handle:
        head = handle.read(4)
        handle.seek(max(size - 4, 0))
        tail = handle.read(4)
    if head == PARQUET_MAGIC:
        if tail != PARQUET_MAGIC or size < 12:
            raise ReadError(table, path, "the Parquet file is truncated or corrupt")
        return "parquet"
    if path.suffix.lower() == ".parquet":
        what = "CSV text" if _is_utf8(path) else "neither Parquet nor UTF-8 text"
        raise ReadError(table, path, f"named .parquet but it is not a Parquet file ({what})")
    _require_utf8(table, path)
    return "csv"


def _is_utf8(path: Path) -> bool:
    try:
        _require_utf8("", path)
    except ReadError:
        return False
    return True


def _require_utf8(table: str, path: Path) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                at = offset + err.start
                raise ReadError(
                    table,
                    path,
                    f"the CSV is not UTF-8 (byte 0x{chunk[err.start]:02x} at offset {at});"
                    " save it as UTF-8 and upload again",
                ) from None
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise ReadError(table, path, "the CSV is not UTF-8 (it ends inside a character)") from None


def load_raw(con: duckdb.DuckDBPyConnection, table: str, path: Path, sql_name: str) -> RawTable:
    """Copy one file into temporary table `sql_name`, in file order (rowid = row - 1)."""
    fmt = sniff_format(table, path)
    reader = fragment(PARQUET_READER if fmt == "parquet" else CSV_READER)
    try:
        con.execute(create_table(sql_name, select_all(reader), temporary=True), {"path": str(path)})
    except duckdb.Error as err:
        raise ReadError(
            table, path, f"cannot be read as {fmt.upper()}: {_first_line(err)}"
        ) from None
    described = con.execute(describe(sql_name)).fetchall()
    described = _free_rowid(con, table, path, sql_name, described)
    columns: dict[str, str] = {}
    types: dict[str, str] = {}
    for name, dtype, *_ in described:
        key = "rowid" if name == USER_ROWID else normalise(name)
        if key in columns:
            raise ReadError(
                table, path, f"columns {columns[key]!r} and {name!r} have the same name"
            )
        columns[key], types[key] = name, dtype
    (rows,) = con.execute(count_rows(sql_name)).fetchone()  # type: ignore[misc]
    return RawTable(sql_name, path, columns, types, int(rows))


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


def _first_line(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__
