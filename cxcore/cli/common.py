"""What every command shares: how a usage mistake and a failure are reported.

Bad arguments exit with status 2 and exactly one line on standard error, so
scripts can tell a typo from a data problem (status 1) at a glance.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

import duckdb

from cxcore.cockpit import Cockpit
from cxcore.data.names import did_you_mean, normalise

# A subcommand: its parsed arguments in, the exit status out. One alias for every
# module that adds commands, so main's table of them holds one kind of thing.
Command = Callable[[argparse.Namespace], int]


USAGE = 2  # the exit status of bad arguments
# Set on a command that publishes a store version: a failure of the machine then says the
# store is as it was, so the analyst runs the command again rather than checks the store.
PUBLISHES = "publishes"
INTERRUPTED = 130  # stopped by Ctrl-C (128 + SIGINT, as shells report it)


class UsageError(Exception):
    """Bad command-line arguments: one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse would print usage first
        raise UsageError(message)


def fail(status: int, message: str) -> int:
    """One line on standard error, whitespace folded, and the status to exit with; only a
    usage mistake (status 2) says `error:`, as argparse does, so the two read apart."""
    prefix = "cx-cockpit: error: " if status == USAGE else "cx-cockpit: "
    print(prefix + " ".join(message.split()), file=sys.stderr)
    return status


def interrupted(err: BaseException) -> str | None:
    """One line for Ctrl-C, which reaches the command as KeyboardInterrupt or, when it
    lands inside a query, as the engine's plain RuntimeError; None for anything else.

    A publish stopped so is whole or absent (the pointer moves last), so the line says
    where to look rather than printing a traceback."""
    engine_stopped = isinstance(err, RuntimeError) and str(err) == "Query interrupted"
    if isinstance(err, KeyboardInterrupt | duckdb.InterruptException) or engine_stopped:
        return "interrupted; a publish either finished or changed nothing (see versions)"
    return None


def choice(value: str, choices: Sequence[str], option: str) -> str:
    if value not in choices:
        raise UsageError(f"{option} {value!r} is not one of: {', '.join(choices)}")
    return value


def add_view_arguments(parser: argparse.ArgumentParser, compare: bool = True) -> None:
    """A view's days (--start, --end and, unless the command compares nothing, --compare),
    then its filters: declared once, so every command that shows a view is asked alike."""
    parser.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
    parser.add_argument("--end", required=True, help="last day (included), YYYY-MM-DD")
    if compare:
        parser.add_argument("--compare", default="previous", help="previous (default) or yoy")
    add_filter_arguments(parser)


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """--segment, --region and --filter, the options `parse_filters` reads: declared beside
    it, so every command that filters offers them with the same words."""
    parser.add_argument("--segment", action="append", default=[], help="keep this segment")
    parser.add_argument("--region", action="append", default=[], help="keep this region")
    parser.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="DIMENSION=MEMBER",
        help="keep this member of any dimension (repeatable)",
    )


def parse_filters(args: argparse.Namespace) -> dict[str, list[str]]:
    """--segment, --region and --filter DIMENSION=MEMBER as one filters mapping."""
    filters: dict[str, list[str]] = {"segment": list(args.segment), "region": list(args.region)}
    for item in args.filter:
        dimension, sep, member = item.partition("=")
        if not sep or not dimension.strip():
            raise UsageError(f"--filter {item!r} is not DIMENSION=MEMBER")
        filters.setdefault(dimension.strip(), []).append(member)
    return filters


def check_members(filters: dict[str, list[str]], dimensions: Mapping[str, Sequence[str]]) -> None:
    """A member the data does not hold is a typo, not a view of nothing: said, not zeros."""
    for dimension, members in filters.items():
        known = dimensions.get(normalise(dimension))
        if known is None:
            continue  # an unknown dimension is the engine's to report, with its suggestion
        for member in members:
            if member not in known:
                raise UsageError(
                    f"{dimension} has no member {member!r}" + did_you_mean(member, known)
                )


def to_json(result: Any) -> str:
    return json.dumps(result, ensure_ascii=False, indent=2) + "\n"


def open_data(
    args: argparse.Namespace, filters: dict[str, list[str]], engine: str | None = None
) -> Cockpit:
    """`--data` opened, and the filters' members checked against it before any answer."""
    if not Path(args.data).is_dir():
        raise UsageError(f"--data {args.data!r} is not a folder")
    cockpit = Cockpit.open(args.data, engine=engine)
    try:
        check_members(filters, cockpit.dataset.dimensions)
    except UsageError:
        cockpit.close()
        raise
    return cockpit
