"""The store's commands: `cx-cockpit ingest|versions|rollback`.

Same validation and report as the upload page (both call `publish`). Status
0: published; 1: refused or the store could not be changed, with the report
on standard error, one line per finding; 2: bad arguments, one line. Access is
governed by who may write the store folder; the app's roles guard the web UI.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cxcore.cli.common import PUBLISHES, Command, UsageError, fail, to_json
from cxcore.cli.ingest_options import (
    add_read_arguments,
    check_mapping,
    headers,
    hints,
    parse_mapping,
    read_options,
    remembered,
)
from cxcore.data.validation import Report
from cxcore.settings import SettingsError
from cxcore.store.candidate import MODES
from cxcore.store.layout import (
    ALL_TABLES,
    StoreBusy,
    StoreError,
    VersionInfo,
    VersionNotFound,
    current_version,
    is_store,
    list_versions,
    recall_mapping,
    version_number,
)
from cxcore.store.publish import PublishRefused, check_request, publish, rollback


def add_store_commands(commands: Any) -> dict[str, Command]:
    """Add the store subcommands to the parser's subparsers; returns name -> runner."""
    ingest = commands.add_parser("ingest", help="validate files and publish them to the store")
    ingest.set_defaults(**{PUBLISHES: True})
    ingest.add_argument("--store", required=True, help="the store folder (created if missing)")
    ingest.add_argument("--table", required=True, help="the contract table the files hold")
    ingest.add_argument(
        "files", nargs="+", metavar="FILE", help="Parquet, CSV (or other delimited text) or XLSX"
    )
    ingest.add_argument("--mode", default="replace", help="replace (default) or append")
    ingest.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FILE_COLUMN=COLUMN",
        help="rename a file column to a contract column (repeatable)",
    )
    ingest.add_argument("--note", default="", help="a note kept with the version")
    add_read_arguments(ingest)
    versions = commands.add_parser("versions", help="list the store's kept versions")
    versions.add_argument("--store", required=True, help="the store folder")
    versions.add_argument("--format", default="text", help="text (default) or json")
    back = commands.add_parser("rollback", help="restore a kept version as a new version")
    back.set_defaults(**{PUBLISHES: True})
    back.add_argument("--store", required=True, help="the store folder")
    back.add_argument("--to", required=True, help="the version to restore")
    back.add_argument("--table", help="restore only this table of it")
    return dict(STORE_COMMANDS)


def _usage(message: str) -> Exception:
    return UsageError(message)


def _fail(message: str) -> int:
    return fail(1, message)


def _print_report(report: Report, headline: str) -> None:
    print(f"cx-cockpit: {headline}", file=sys.stderr)
    for finding in report.findings:
        print(f"{finding.severity.upper()}: {finding.message}", file=sys.stderr)


def _existing_store(text: str) -> Path:
    root = Path(text)
    if not is_store(root):
        raise _usage(f"--store {text!r} is not a CX store")
    return root


def run_ingest(args: argparse.Namespace) -> int:
    if args.mode not in MODES:
        raise _usage(f"--mode {args.mode!r} is not one of: {', '.join(MODES)}")
    try:
        check_request(args.table, args.mode)
    except StoreError as err:
        raise _usage(f"--table: {err}") from None
    files = [Path(f) for f in args.files]
    options = read_options(args)
    mapping = parse_mapping(args.map)
    found = headers(args.table, files, options)
    check_mapping(args.table, mapping, found)
    saved = recall_mapping(args.store, args.table) if is_store(Path(args.store)) else {}
    for source, target in remembered(args.table, saved, mapping, found).items():
        print(f"using the remembered mapping {source}={target} (--map overrides it)")
        mapping[source] = target
    try:
        result = publish(
            args.store,
            args.table,
            files,
            args.mode,
            mapping or None,
            note=args.note,
            bulk=True,
            options=options,
        )
    except PublishRefused as err:
        _print_report(err.report, f"refused, nothing was published ({args.table}):")
        _print_hints(args.table, err.report, found)
        return 1
    except (StoreError, SettingsError) as err:
        return _fail(str(err))
    info = result.info
    print(f"published version {info.version}: {info.table}, {info.rows} rows ({info.mode})")
    if result.report.warnings:
        _print_report(Report(result.report.warnings), "published with warnings:")
    return 0


def _print_hints(table: str, report: Report, found: Mapping[Path, list[str]]) -> None:
    missing = [f.column for f in report.errors if f.column and f.rule.startswith("missing:")]
    guessed = hints(table, found, missing)
    if guessed:
        print(f"cx-cockpit: hint: try {' '.join(guessed)}", file=sys.stderr)


def run_versions(args: argparse.Namespace) -> int:
    if args.format not in ("text", "json"):
        raise _usage(f"--format {args.format!r} is not one of: text, json")
    root = _existing_store(args.store)
    current = current_version(root)
    versions = list_versions(root)
    if args.format == "json":
        listed = [v.as_dict(current=v.version == current) for v in versions]
        sys.stdout.write(to_json(listed))
    else:
        sys.stdout.write(versions_table(versions, current))
    return 0


def versions_table(versions: list[VersionInfo], current: int) -> str:
    """A plain table, newest first; `*` marks the version readers get."""
    header = ("", "version", "published_at", "mode", "table", "rows", "note")
    rows = [
        (
            "*" if v.version == current else "",
            str(v.version),
            v.published_at,
            v.mode,
            v.table,
            str(v.rows),
            v.note,
        )
        for v in versions
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1]
        for r in [header, *rows]
    ]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def run_rollback(args: argparse.Namespace) -> int:
    to_version = version_number(args.to.strip())
    if to_version is None:
        raise _usage(f"--to {args.to!r} is not a version number (digits 0-9)")
    root = _existing_store(args.store)
    if args.table is not None:
        try:
            check_request(args.table, "replace")
        except StoreError as err:
            raise _usage(f"--table: {err}") from None
    try:
        result = rollback(root, to_version, args.table)
    except VersionNotFound as err:
        raise _usage(f"--to: {err}") from None
    except PublishRefused as err:
        _print_report(err.report, "refused, nothing was published:")
        return 1
    except (StoreBusy, StoreError) as err:
        return _fail(str(err))
    info = result.info
    what = "every table" if info.table == ALL_TABLES else info.table
    print(f"published version {info.version}: {what} restored from version {to_version}")
    if result.report.warnings:
        _print_report(Report(result.report.warnings), "published with warnings:")
    return 0


STORE_COMMANDS: dict[str, Command] = {
    "ingest": run_ingest,
    "versions": run_versions,
    "rollback": run_rollback,
}
