"""What an upload may be before a row of it is read: its size on disk, its size once
unpacked, and its number of columns.

A Parquet file or an XLSX workbook is compressed: a small file can unpack
into gigabytes (a "bomb"), and a CSV header can name fifty thousand columns.
Both are refused from the file's metadata or first line, naming the setting
that raises the limit, instead of exhausting the checker's memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from cxcore.data.formats import ReadError, ReadOptions, sniff_format
from cxcore.data.headers import read_header
from cxcore.data.sheets import uncompressed_size
from cxcore.data.validation import Finding
from cxcore.settings import MB


@dataclass(frozen=True)
class Limit:
    """A bound and the setting that raises it."""

    value: float
    setting: str


@dataclass(frozen=True)
class Limits:
    file_mb: Limit
    unpacked_mb: Limit
    columns: Limit


def unpacked_bytes(path: Path, fmt: str) -> int | None:
    """The bytes a Parquet file or workbook unpacks to; None for text or unreadable metadata."""
    if fmt == "xlsx":
        return uncompressed_size(path)
    if fmt != "parquet":
        return None
    try:
        meta = pq.ParquetFile(path).metadata
    except (OSError, ValueError):
        return None  # the read itself names a corrupt file
    return sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))


def limit_findings(
    table: str, paths: Sequence[Path], limits: Limits, options: ReadOptions
) -> list[Finding]:
    """Every file over a limit, one finding each; unreadable files are left to the read."""
    findings: list[Finding] = []
    for path in paths:
        problem = _over(table, path, limits, options)
        if problem:
            findings.append(Finding(table, None, problem, 0))
    return findings


def _over(table: str, path: Path, limits: Limits, options: ReadOptions) -> str | None:
    size = path.stat().st_size
    if size > limits.file_mb.value * MB:
        return _too_large(path, size, "", limits.file_mb)
    try:
        fmt = sniff_format(table, path)
        unpacked = unpacked_bytes(path, fmt)
        if unpacked is not None and unpacked > limits.unpacked_mb.value * MB:
            return _too_large(path, unpacked, " uncompressed", limits.unpacked_mb)
        columns = len(read_header(table, path, options))
    except (ReadError, OSError, UnicodeDecodeError):
        return None
    if columns > limits.columns.value:
        return (
            f"{path.name} has {columns:,}{' or more' if fmt == 'csv' else ''} columns"
            " (counted in its header), over the limit"
            f" of {limits.columns.value:,.0f} ({limits.columns.setting} raises it)"
        )
    return None


def _too_large(path: Path, size: int, what: str, limit: Limit) -> str:
    return (
        f"{path.name} is too large: {megabytes_shown(size, limit.value)} MB{what}, over the limit"
        f" of {limit.value:g} MB ({limit.setting} raises it)"
    )


def megabytes_shown(size: int, limit_mb: float) -> str:
    """The size with as many decimals as it takes to read above the limit: '0.0 MB, over
    the limit of 0.01 MB' said nothing."""
    decimals = 1
    while decimals < 6 and round(size / MB, decimals) <= limit_mb:
        decimals += 1
    return f"{size / MB:,.{decimals}f}"
