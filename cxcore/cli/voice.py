"""The voice of the customer on the command line: `drivers`, `value`, `journeys`, `moved` and
`targets show|set|import`.

Each analysis prints exactly the JSON its Python call returns. Bad arguments
exit with status 2 and one line; data that breaks the contract, or targets
with problems, exit with status 1 and every problem, one per line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cxcore.cli.common import (
    PUBLISHES,
    Command,
    Parser,
    UsageError,
    add_view_arguments,
    choice,
    open_data,
    parse_filters,
    to_json,
)
from cxcore.cockpit import Cockpit
from cxcore.data.targets import Target
from cxcore.metrics.periods import PeriodError, Windows, parse_compare, period
from cxcore.metrics.survey import ANSWER_ATTRIBUTES
from cxcore.metrics.targets import TargetsError
from cxcore.store.layout import is_store
from cxcore.store.targets import current_targets, publish_targets, with_target
from cxcore.voice.moved import BASES
from cxcore.voice.scope import check_answer_members


def add_voice_commands(commands: Any) -> None:
    drivers = commands.add_parser("drivers", help="key drivers of the NPS score, as JSON")
    _view_arguments(drivers, compare=False)
    for attribute in ANSWER_ATTRIBUTES:
        drivers.add_argument(
            f"--{attribute}", action="append", default=[], help=f"keep answers of this {attribute}"
        )
    value = commands.add_parser("value", help="what promoters, passives, detractors are worth")
    _view_arguments(value)
    journeys = commands.add_parser("journeys", help="NPS by journey and touchpoint, next period")
    _view_arguments(journeys)
    moved = commands.add_parser("moved", help="why a KPI moved: volume, mix and rate by member")
    _view_arguments(moved)
    moved.add_argument("--kpi", required=True, help=" or ".join(BASES))
    moved.add_argument("--by", default="segment", help="the dimension to split by (segment)")
    targets = commands.add_parser("targets", help="show or change the KPI targets")
    actions = targets.add_subparsers(dest="action", required=True, parser_class=Parser)
    show = actions.add_parser("show", help="print the targets as JSON")
    show.add_argument("--data", required=True, help="a data folder or a store")
    change = actions.add_parser("set", help="add or replace one target (a new store version)")
    change.set_defaults(**{PUBLISHES: True})
    change.add_argument("--store", required=True, help="the store folder")
    change.add_argument("--kpi", required=True, help="the KPI's name")
    change.add_argument("--segment", help="only for this segment")
    change.add_argument("--region", help="only for this region")
    for name in ("target", "amber", "red"):
        change.add_argument(f"--{name}", required=True, type=_number, help=f"the {name} value")
    change.add_argument("--note", default="", help="a note kept with the version")
    load = actions.add_parser("import", help="replace every target with a TOML file's")
    load.set_defaults(**{PUBLISHES: True})
    load.add_argument("--store", required=True, help="the store folder")
    load.add_argument("file", metavar="FILE", help="a targets TOML file")
    load.add_argument("--note", default="", help="a note kept with the version")


def _view_arguments(parser: argparse.ArgumentParser, compare: bool = True) -> None:
    parser.add_argument("--data", required=True, help="a data folder or a store")
    add_view_arguments(parser, compare)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None


def _opened(args: argparse.Namespace, filters: dict[str, list[str]]) -> Cockpit:
    """The view's arguments checked before any data is read, then the data opened and the
    filters' members checked against it (a typo is said, not answered with nothing)."""
    compare = getattr(args, "compare", "previous")
    choice(compare, ("previous", "yoy"), "--compare")
    try:
        Windows.of(period(args.start, args.end), parse_compare(compare))
    except PeriodError as err:
        raise UsageError(str(err)) from None
    return open_data(args, filters)


def run_drivers(args: argparse.Namespace) -> int:
    filters: dict[str, list[str]] = parse_filters(args)
    chosen = {a: members for a in ANSWER_ATTRIBUTES if (members := getattr(args, a))}
    filters |= chosen

    def drivers(cockpit: Cockpit) -> dict[str, Any]:
        check_answer_members(cockpit, chosen)
        return cockpit.drivers(args.start, args.end, filters)

    return _answer(args, filters, drivers)


def run_value(args: argparse.Namespace) -> int:
    filters = parse_filters(args)
    return _answer(
        args, filters, lambda c: c.nps_value(args.start, args.end, args.compare, filters)
    )


def run_journeys(args: argparse.Namespace) -> int:
    filters = parse_filters(args)
    return _answer(args, filters, lambda c: c.journeys(args.start, args.end, args.compare, filters))


def run_moved(args: argparse.Namespace) -> int:
    choice(args.kpi, tuple(BASES), "--kpi")
    filters = parse_filters(args)
    return _answer(
        args,
        filters,
        lambda c: c.why_it_moved(args.kpi, args.start, args.end, args.compare, filters, args.by),
    )


def _answer(
    args: argparse.Namespace,
    filters: dict[str, list[str]],
    ask: Callable[[Cockpit], dict[str, Any]],
) -> int:
    """Every analysis command ends alike: the view's data opened, one question asked of
    it, and the answer printed as exactly the JSON the Python call returns."""
    with _opened(args, filters) as cockpit:
        result = ask(cockpit)
    sys.stdout.write(to_json(result))
    return 0


def run_targets(args: argparse.Namespace) -> int:
    try:
        return _TARGET_ACTIONS[args.action](args)
    except TargetsError as err:
        print("cx-cockpit: the targets have problems, nothing was published:", file=sys.stderr)
        for problem in err.problems:
            print(f"ERROR: {problem}", file=sys.stderr)
        return 1


def _show(args: argparse.Namespace) -> int:
    if not Path(args.data).is_dir():
        raise UsageError(f"--data {args.data!r} is not a folder")
    with Cockpit.open(args.data) as cockpit:
        targets = cockpit.targets
    sys.stdout.write(to_json({"targets": [t.as_dict() for t in targets]}))
    return 0


def _store(text: str) -> Path:
    if not is_store(text):
        raise UsageError(f"--store {text!r} is not a CX store")
    return Path(text)


def _set(args: argparse.Namespace) -> int:
    root = _store(args.store)
    new = Target(args.kpi, args.target, args.amber, args.red, args.segment, args.region)
    result = publish_targets(root, with_target(current_targets(root), new), note=args.note)
    print(f"published version {result.version}: {result.info.rows} targets")
    return 0


def _import(args: argparse.Namespace) -> int:
    root = _store(args.store)
    source = Path(args.file)
    if not source.is_file():
        raise UsageError(f"FILE {args.file!r} is not a file")
    try:
        text = source.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"FILE {args.file!r} is not UTF-8 text") from None
    result = publish_targets(root, text, note=args.note)
    print(f"published version {result.version}: {result.info.rows} targets")
    return 0


_TARGET_ACTIONS: dict[str, Command] = {"show": _show, "set": _set, "import": _import}

VOICE_COMMANDS: dict[str, Command] = {
    "drivers": run_drivers,
    "value": run_value,
    "journeys": run_journeys,
    "moved": run_moved,
    "targets": run_targets,
}
