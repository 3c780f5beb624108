"""What `cx-cockpit ingest` is told about its files: how to read them and how to rename
their columns, checked before anything is read in full.

A mistyped option is a usage mistake (exit 2, one line, the closest right
name); a column the files lack but a remembered mapping supplies is renamed
the way it was last time, and said so.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cxcore.cli.common import UsageError
from cxcore.data.contract import TABLES, Kind
from cxcore.data.formats import DECIMALS, DELIMITERS, ReadError, ReadOptions
from cxcore.data.names import did_you_mean, normalise
from cxcore.data.renames import is_target, targets
from cxcore.store.mapping import file_columns, suggest


def add_read_arguments(ingest: Any) -> None:
    """The options that say how the files are read where sniffing should not decide."""
    ingest.add_argument(
        "--date-format",
        action="append",
        default=[],
        metavar="COLUMN=FORMAT",
        help="read a date column in a strptime format, e.g. order_date=%%d/%%m/%%Y (repeatable)",
    )
    ingest.add_argument("--sheet", help="the XLSX sheet to read (default: the first)")
    ingest.add_argument(
        "--delimiter", help=f"{', '.join(DELIMITERS)} (default: found from the file)"
    )
    ingest.add_argument("--decimal", help="point or comma (default: found from the file)")


def read_options(args: argparse.Namespace) -> ReadOptions:
    """The parsed read options; a mistyped one raises UsageError."""
    for flag, value, known in (
        ("--delimiter", args.delimiter, DELIMITERS),
        ("--decimal", args.decimal, DECIMALS),
    ):
        if value is not None and value not in known:
            raise UsageError(f"{flag} {value!r} is not one of: {', '.join(known)}")
    return ReadOptions.of(
        args.delimiter, args.decimal, args.sheet, date_formats(args.table, args.date_format)
    )


def date_formats(table: str, items: Sequence[str]) -> dict[str, str]:
    dates = [c.name for c in TABLES[table].columns if c.kind is Kind.DATE]
    formats: dict[str, str] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = normalise(name)
        if not sep or not name or "%" not in text:
            raise UsageError(f"--date-format {item!r} is not COLUMN=FORMAT (e.g. %d/%m/%Y)")
        if name not in dates:
            raise UsageError(
                f"--date-format: {name!r} is not a date column of {table}"
                + did_you_mean(name, dates)
            )
        formats[name] = text
    return formats


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for item in items:
        source, sep, target = item.partition("=")
        if not sep or not source.strip() or not target.strip():
            raise UsageError(f"--map {item!r} is not FILE_COLUMN=COLUMN")
        mapping[source.strip()] = target.strip()
    return mapping


def headers(table: str, files: Sequence[Path], options: ReadOptions) -> dict[Path, list[str]]:
    """Each readable file's column names (normalised); an unreadable one is left to the check."""
    found: dict[Path, list[str]] = {}
    for path in files:
        try:
            found[path] = file_columns(table, path, options)
        except (ReadError, OSError, UnicodeDecodeError):
            continue
    return found


def check_mapping(table: str, mapping: Mapping[str, str], found: Mapping[Path, list[str]]) -> None:
    """Every `--map` names a contract column and a column of every file; else UsageError."""
    for source, target in mapping.items():
        if not is_target(table, target):
            raise UsageError(
                f"--map {source}={target}: {target!r} is not a column of {table}"
                + did_you_mean(normalise(target), targets(table))
            )
        for path, columns in found.items():
            if normalise(source) not in columns:
                raise UsageError(
                    f"--map {source}={target}: {path.name} has no column {source!r}"
                    + did_you_mean(normalise(source), columns)
                )


def remembered(
    table: str,
    saved: Mapping[str, str],
    explicit: Mapping[str, str],
    found: Mapping[Path, list[str]],
) -> dict[str, str]:
    """The remembered pairs this upload needs: every file lacks the contract column and has
    the remembered file column, and no `--map` says otherwise."""
    given = {normalise(s) for s in explicit} | {normalise(t) for t in explicit.values()}
    reused: dict[str, str] = {}
    for source, target in saved.items():
        if {normalise(source), normalise(target)} & given or not is_target(table, target):
            continue
        if found and all(
            normalise(target) not in columns and normalise(source) in columns
            for columns in found.values()
        ):
            reused[source] = target
    return reused


def hints(table: str, found: Mapping[Path, list[str]], missing: Sequence[str]) -> list[str]:
    """`--map` options guessed from the files' names for the contract columns they lack."""
    if not found or not missing:
        return []
    shared = [c for c in next(iter(found.values())) if all(c in h for h in found.values())]
    guessed = suggest(table, missing, shared)
    return [f"--map {_quoted(source)}={target}" for target, source in guessed.items()]


def _quoted(name: str) -> str:
    return name if name.replace("_", "").isalnum() else repr(name)
