"""The command line: `cx-cockpit kpis|sample ...` (also `python -m cxcore`); the store's,
the economics and the voice of the customer's commands live beside it (`cli/store.py`,
`cli/economics.py`, `cli/voice.py`).

Bad arguments exit with status 2 and exactly one line on standard error, so
scripts can tell a typo from a data problem (status 1) at a glance.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from cxcore.app.formatting import safe_cell
from cxcore.bench.harness import main as bench_main
from cxcore.cli.common import (
    INTERRUPTED,
    PUBLISHES,
    USAGE,
    Parser,
    UsageError,
    add_view_arguments,
    choice,
    fail,
    interrupted,
    open_data,
    parse_filters,
    to_json,
)
from cxcore.cli.economics import ECONOMICS_COMMANDS, add_economics_commands
from cxcore.cli.store import STORE_COMMANDS, add_store_commands
from cxcore.cli.voice import VOICE_COMMANDS, add_voice_commands
from cxcore.data.catalog import DataContractError
from cxcore.data.names import did_you_mean, normalise
from cxcore.metrics.engine import ArgumentError
from cxcore.metrics.failures import describe_failure
from cxcore.metrics.periods import PeriodError, Windows, parse_compare, period
from cxcore.metrics.registry import KPI_BY_NAME, KPIS
from cxcore.metrics.spark_backend import SparkUnavailable
from cxcore.settings import ENGINES, SettingsError
from cxcore.store.layout import StoreError


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="cx-cockpit", description="CX Cockpit: customer-experience KPIs.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    kpis = commands.add_parser("kpis", help="print every KPI for a period, as JSON or CSV")
    kpis.add_argument("--data", required=True, help="a data folder of exports, or a store")
    add_view_arguments(kpis)
    kpis.add_argument("--by", help="break down by one or two dimensions: DIM[,DIM]")
    kpis.add_argument(
        "--kpi", action="append", default=[], help="print only this KPI (repeatable; default: all)"
    )
    kpis.add_argument("--format", default="json", help="json (default) or csv")
    kpis.add_argument(
        "--engine", default=None, help="duckdb or spark (default: CX_ENGINE, else duckdb)"
    )
    sample = commands.add_parser("sample", help="write the seeded sample data folder")
    sample.add_argument("--out", required=True, help="folder to write the six tables into")
    sample.add_argument("--customers", type=int, default=6000)
    sample.add_argument("--seed", type=int, default=7)
    add_store_commands(commands)
    add_economics_commands(commands)
    add_voice_commands(commands)
    bench = commands.add_parser(
        "bench",
        help="measure speed and memory at a scale (see: cx-cockpit bench --help)",
        add_help=False,
    )
    bench.set_defaults(rest=[])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["bench"]:  # the benchmark parses its own options
        return bench_main(argv[1:])
    args = None
    try:
        args = build_parser().parse_args(argv)
        return _COMMANDS[args.command](args)
    except (UsageError, ArgumentError) as err:
        return fail(USAGE, str(err))
    except DataContractError as err:
        print(
            f"cx-cockpit: the data breaks the contract:\n{err.report.describe()}", file=sys.stderr
        )
        return 1
    except (StoreError, SparkUnavailable, SettingsError) as err:
        return fail(1, str(err))  # an empty store; no Spark to run on; a setting unreadable
    except KeyboardInterrupt as err:
        return fail(INTERRUPTED, interrupted(err) or "interrupted")
    except Exception as err:  # the machine or the engine: one line, never a traceback
        if (stopped := interrupted(err)) is not None:
            return fail(INTERRUPTED, stopped)
        message = describe_failure(err)
        if message is None:
            raise
        if getattr(args, PUBLISHES, False):  # a publish that raised never moved the pointer
            message += "; nothing was published (the current version is unchanged)"
        return fail(1, message)


def run_kpis(args: argparse.Namespace) -> int:
    fmt = choice(args.format, ("json", "csv"), "--format")
    if args.engine is not None:
        choice(args.engine, ENGINES, "--engine")
    choice(args.compare, ("previous", "yoy"), "--compare")
    for name in args.kpi:
        if name not in KPI_BY_NAME:
            raise UsageError(f"unknown KPI {name!r}" + did_you_mean(name, KPI_BY_NAME))
    by = [normalise(d) for d in args.by.split(",")] if args.by else None
    try:  # a bad date is an argument error whatever the data holds
        Windows.of(period(args.start, args.end), parse_compare(args.compare))
    except PeriodError as err:
        raise UsageError(str(err)) from None
    filters = parse_filters(args)
    with open_data(args, filters, args.engine) as cockpit:
        result = cockpit.kpis(
            start=args.start, end=args.end, compare=args.compare, filters=filters, by=by
        )
    names = list(dict.fromkeys(args.kpi)) or [k.name for k in KPIS]  # each asked once
    _keep_kpis(result, names)
    sys.stdout.write(to_csv(result, by or [], names) if fmt == "csv" else to_json(result))
    return 0


def _keep_kpis(result: dict[str, Any], names: Sequence[str]) -> None:
    result["kpis"] = {n: result["kpis"][n] for n in names}
    for entry in result.get("breakdown", []):
        entry["kpis"] = {n: entry["kpis"][n] for n in names}


def to_csv(result: dict[str, Any], by: Sequence[str], names: Sequence[str]) -> str:
    """One row for the view, or one per breakdown member; formula-looking text neutralised.

    Polars writes it: it quotes a member holding a carriage return, which Python's csv
    writer left bare with "\n" line ends, so a reader saw two rows. The header goes
    in as a row, so a dimension named like a KPI column cannot collide with it."""
    header = [*by, *(c for n in names for c in (n, f"{n}_previous"))]
    entries = result["breakdown"] if by else [{"kpis": result["kpis"]}]
    rows: list[list[str | None]] = [[safe_cell(cell) for cell in header]]
    for entry in entries:
        values = [_number_cell(entry["kpis"][n][p]) for n in names for p in ("value", "previous")]
        rows.append([*(safe_cell(entry[d]) for d in by), *values])
    columns = {f"column_{i}": pl.String for i in range(len(header))}
    frame = pl.DataFrame(rows, schema=columns, orient="row")
    return frame.write_csv(include_header=False, line_terminator="\n")


def _number_cell(value: Any) -> str | None:
    """Null is an empty cell; a float keeps every digit (its repr)."""
    return None if value is None else repr(value) if isinstance(value, float) else str(value)


def run_bench(args: argparse.Namespace) -> int:
    return bench_main(args.rest)


def run_sample(args: argparse.Namespace) -> int:
    from cxcore.data.sample import generate

    if args.customers < 1:
        raise UsageError("--customers must be at least 1")
    written = generate(Path(args.out), customers=args.customers, seed=args.seed)
    for table, rows in written.items():
        print(f"{table}: {rows} rows")
    return 0


_COMMANDS: dict[str, Any] = {
    "kpis": run_kpis,
    "sample": run_sample,
    "bench": run_bench,
    **STORE_COMMANDS,
    **ECONOMICS_COMMANDS,
    **VOICE_COMMANDS,
}
