"""Customer economics on the command line: `cx-cockpit cohorts|clv ...`.

Both print the Python contract's dictionary as JSON. Bad arguments exit 2
with one line; data that cannot support a lifetime-value model (too few
customers or repeat buyers) exits 1, like any other data problem.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cxcore.analytics.clv_report import (
    DEFAULT_DISCOUNT_MONTHLY,
    DEFAULT_HORIZON_MONTHS,
    ModelError,
)
from cxcore.analytics.clv_value import DAYS_PER_MONTH
from cxcore.cli.common import (
    Command,
    UsageError,
    add_filter_arguments,
    fail,
    open_data,
    parse_filters,
    to_json,
)
from cxcore.metrics.cohorts import Basis


def add_economics_commands(commands: Any) -> None:
    """Add `cohorts` and `clv` to the parser's subcommands."""
    cohorts = commands.add_parser("cohorts", help="print the cohort matrix as JSON")
    _data_and_filters(cohorts)
    cohorts.add_argument("--start", required=True, help="first day of the cohort months")
    cohorts.add_argument("--end", required=True, help="last day of the cohort months")
    cohorts.add_argument(
        "--basis", default="first_order", help="first_order (default) or signup: what starts one"
    )
    clv = commands.add_parser("clv", help="print customer lifetime value as JSON")
    _data_and_filters(clv)
    clv.add_argument("--calibration-end", required=True, help="last day the models learn from")
    clv.add_argument(
        "--horizon-months",
        type=int,
        default=DEFAULT_HORIZON_MONTHS,
        help=f"months of {DAYS_PER_MONTH} days ({DEFAULT_HORIZON_MONTHS})",
    )
    clv.add_argument(
        "--discount-monthly",
        type=float,
        default=DEFAULT_DISCOUNT_MONTHLY,
        help=f"rate a month ({DEFAULT_DISCOUNT_MONTHLY})",
    )
    clv.add_argument("--by", help="break the customers' values down by one dimension")


def _data_and_filters(command: argparse.ArgumentParser) -> None:
    command.add_argument("--data", required=True, help="a data folder or a store")
    add_filter_arguments(command)


def run_cohorts(args: argparse.Namespace) -> int:
    if args.basis not in {str(b) for b in Basis}:
        raise UsageError(f"--basis {args.basis!r} is not one of: first_order, signup")
    filters = parse_filters(args)
    with open_data(args, filters) as cockpit:
        result = cockpit.cohorts(args.start, args.end, filters=filters, basis=args.basis)
    sys.stdout.write(to_json(result))
    return 0


def run_clv(args: argparse.Namespace) -> int:
    filters = parse_filters(args)
    with open_data(args, filters) as cockpit:
        try:
            result = cockpit.clv(
                args.calibration_end,
                horizon_months=args.horizon_months,
                discount_monthly=args.discount_monthly,
                filters=filters,
                by=args.by,
            )
        except ModelError as err:
            return fail(1, str(err))
    sys.stdout.write(to_json(result))
    return 0


ECONOMICS_COMMANDS: dict[str, Command] = {"cohorts": run_cohorts, "clv": run_clv}
