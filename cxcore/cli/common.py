"""What every command shares: how a usage mistake and a failure are reported.

Bad arguments exit with status 2 and exactly one line on standard error, so
scripts can tell a typo from a data problem (status 1) at a glance.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn


class UsageError(Exception):
    """Bad command-line arguments: one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse would print usage first
        raise UsageError(message)


def fail(status: int, message: str) -> int:
    """One line on standard error, whitespace folded, and the status to exit with."""
    print(f"cx-cockpit: error: {' '.join(message.split())}", file=sys.stderr)
    return status


def parse_filters(args: argparse.Namespace) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {"segment": list(args.segment), "region": list(args.region)}
    for item in args.filter:
        dimension, sep, member = item.partition("=")
        if not sep or not dimension.strip():
            raise UsageError(f"--filter {item!r} is not DIMENSION=MEMBER")
        filters.setdefault(dimension.strip(), []).append(member)
    return filters
