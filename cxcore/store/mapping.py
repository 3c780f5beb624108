"""Column mapping for an upload: which contract columns a file lacks, and what could fill them.

Only the header is read (a Parquet schema, a CSV's first line), so the upload
page can offer the mapping for a 200 MB file at once, before the full check.
Names are matched as the contract matches them: case-insensitively, trimmed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cxcore.data.contract import TABLES, Column
from cxcore.data.formats import ReadError, ReadOptions
from cxcore.data.headers import read_header
from cxcore.data.names import normalise


@dataclass(frozen=True)
class MappingPlan:
    """What the mapping step offers for one table and a set of files."""

    table: str
    missing: tuple[Column, ...]  # contract columns absent from at least one file
    candidates: tuple[str, ...]  # file columns the contract does not know (normalised)
    unreadable: dict[str, str]  # file name -> why its header could not be read


def file_columns(table: str, path: Path | str, options: ReadOptions | None = None) -> list[str]:
    """The header of one file, normalised; raises ReadError for a file that is not readable."""
    return [normalise(n) for n in read_header(table, Path(path), options or ReadOptions())]


def plan(table: str, paths: Sequence[Path | str]) -> MappingPlan:
    """The contract columns to map and the file columns that could be mapped to them."""
    spec = TABLES[table]
    known = {c.name for c in spec.columns}
    headers: list[list[str]] = []
    unreadable: dict[str, str] = {}
    for path in paths:
        try:
            headers.append(file_columns(table, path))
        except (ReadError, OSError, UnicodeDecodeError, csv.Error) as err:
            unreadable[Path(path).name] = getattr(err, "reason", str(err))
    missing = tuple(c for c in spec.columns if any(c.name not in h for h in headers))
    extras = _unique(
        n
        for h in headers
        for n in h
        if n and n not in known and not any(n.startswith(p) for p in spec.prefixed)
    )
    return MappingPlan(table, missing, tuple(extras), unreadable)


def prefill(saved: Mapping[str, str], missing: Column, candidates: Sequence[str]) -> str | None:
    """The file column last mapped to `missing`, when this upload has it again."""
    for file_column, contract_column in saved.items():
        if normalise(contract_column) == missing.name and normalise(file_column) in candidates:
            return normalise(file_column)
    return None


def clashes(mapping: Mapping[str, str]) -> list[str]:
    """Two contract columns fed by one file column: said before the check, not after."""
    seen: dict[str, str] = {}
    problems = []
    for contract_column, file_column in mapping.items():
        if file_column in seen:
            problems.append(
                f"the file column {file_column!r} is mapped to both"
                f" {seen[file_column]!r} and {contract_column!r}"
            )
        seen[file_column] = contract_column
    return problems


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))
