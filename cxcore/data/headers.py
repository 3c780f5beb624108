"""A file's column names alone, read as its rows would be, without reading its rows.

The upload page and the command line name a file's columns (to offer a
mapping, to catch a mistyped `--map`) before the full check: a Parquet
schema, a workbook sheet's first row, a text file's first line split by its
own delimiter.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq

from cxcore.data.formats import (
    ReadError,
    ReadOptions,
    WhitespaceColumns,
    sample_lines,
    sniff_format,
    text_layout,
)
from cxcore.data.sheets import header_row


def read_header(table: str, path: Path, options: ReadOptions | None = None) -> list[str]:
    """The column names as the file writes them; ReadError when it cannot be read."""
    options = options or ReadOptions()
    fmt = sniff_format(table, path)
    if fmt == "parquet":
        try:
            return list(pq.read_schema(path).names)
        except (OSError, ValueError) as err:
            raise ReadError(table, path, f"cannot be read as PARQUET: {err}") from None
    if fmt == "xlsx":
        return header_row(table, path, options.sheet)
    layout = text_layout(table, path, options, whole=False)
    if not layout.header:
        return []
    if layout.aligned:
        lines = sample_lines(path, layout.encoding)
        return WhitespaceColumns().learn(lines).split(layout.header[0])
    return next(csv.reader(list(layout.header), delimiter=layout.delimiter), [])
