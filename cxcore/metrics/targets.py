"""Targets' rules: which ones are sound, which one applies to a view, and the status it gives.

Statuses, with the direction taken from the KPI registry (for a KPI where a
rise is good; mirrored where a fall is good):

- on target: the value is at or above `amber` (the amber threshold is the
  tolerance below the target; set it equal to the target for none);
- amber: below `amber`, at or above `red`;
- red: below `red`.

So both thresholds lie on the bad side of the target, `red` beyond `amber`.

Which target applies to a view: the most specific one its filters name. A
view filtered to exactly one segment and one region takes that pair's target,
else the segment's, else the region's, else the KPI's overall target. A
filter with several members names no single member, so a segment filter of
SMB and Enterprise falls back to the region's or the overall target (a
target for one member does not describe a mix). Filters on other dimensions
do not choose a target.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

from cxcore.data.names import did_you_mean
from cxcore.data.targets import MEMBERS, Target, parse
from cxcore.metrics.kpi import Direction, Kpi
from cxcore.metrics.registry import KPI_BY_NAME

Dimensions = Mapping[str, Sequence[str]]


class Status(StrEnum):
    ON_TARGET = "on target"
    AMBER = "amber"
    RED = "red"


class TargetsError(ValueError):
    """A targets file with problems; `problems` lists every one."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("the targets have problems: " + "; ".join(problems))
        self.problems = list(problems)


def problems(targets: Sequence[Target], dimensions: Dimensions) -> list[str]:
    """Every rule a set of targets breaks, against the KPI registry and the data's members."""
    found: list[str] = []
    seen: dict[tuple[str, str | None, str | None], int] = {}
    for position, target in enumerate(targets, start=1):
        where = f"target {position} ({describe(target)})"
        kpi = KPI_BY_NAME.get(target.kpi)
        if kpi is None:
            found.append(
                f"{where}: unknown KPI {target.kpi!r}" + did_you_mean(target.kpi, KPI_BY_NAME)
            )
        for dimension, member in target.members.items():
            known = dimensions.get(dimension, ())
            if member not in known:
                hint = did_you_mean(member, known) if known else " (the data has no such dimension)"
                found.append(f"{where}: unknown {dimension} {member!r}" + hint)
        if kpi is not None:
            found += [f"{where}: {p}" for p in _sides(kpi, target)]
        if target.key in seen:
            found.append(f"{where}: the same KPI and members as target {seen[target.key]}")
        seen.setdefault(target.key, position)
    return found


def _sides(kpi: Kpi, target: Target) -> list[str]:
    """Thresholds must lie on the bad side of the target, red beyond amber."""
    up = kpi.direction is Direction.UP_IS_GOOD
    worse = "below" if up else "above"
    found = []
    if _better(up, target.amber, target.target):
        found.append(
            f"amber {target.amber:g} must not be {'above' if up else 'below'} the target"
            f" {target.target:g} (a {'rise' if up else 'fall'} is good for {kpi.name})"
        )
    if _better(up, target.red, target.amber):
        found.append(f"red {target.red:g} must be at or {worse} amber {target.amber:g}")
    return found


def _better(up: bool, a: float, b: float) -> bool:
    return a > b if up else a < b


def check_text(text: str, dimensions: Dimensions) -> list[Target]:
    """The targets of a file, or TargetsError listing every problem of shape and of rules."""
    targets, found = parse(text)
    found += problems(targets, dimensions)
    if found:
        raise TargetsError(found)
    return targets


def check(targets: Sequence[Target], dimensions: Dimensions) -> list[Target]:
    found = problems(targets, dimensions)
    if found:
        raise TargetsError(found)
    return list(targets)


def applicable(
    targets: Sequence[Target], kpi: str, filters: Mapping[str, Sequence[str]]
) -> Target | None:
    """The most specific target the view's filters name (see the module's note)."""
    single = {d: members[0] for d in MEMBERS if len(members := filters.get(d) or ()) == 1}
    wanted = [dict(single)]
    wanted += [{d: m} for d, m in single.items() if len(single) == 2]
    wanted.append({})
    by_members = {tuple(sorted(t.members.items())): t for t in targets if t.kpi == kpi}
    for named in wanted:
        found = by_members.get(tuple(sorted(named.items())))
        if found is not None:
            return found
    return None


def status(kpi: Kpi, value: float | None, target: Target) -> Status | None:
    """On target, amber or red; None when there is no value to judge."""
    if value is None:
        return None
    up = kpi.direction is Direction.UP_IS_GOOD
    if not _better(up, target.amber, value):
        return Status.ON_TARGET
    if not _better(up, target.red, value):
        return Status.AMBER
    return Status.RED


def describe(target: Target) -> str:
    """`nps, region East`: what a target is for, in a message."""
    return ", ".join([target.kpi, *(f"{d} {m}" for d, m in target.members.items())])


def statuses(
    targets: Sequence[Target],
    kpis: Mapping[str, Mapping[str, float | None]],
    filters: Mapping[str, Sequence[str]],
) -> dict[str, dict[str, object]]:
    """Each KPI with a target for the view: the target that applies and the status it gives."""
    found: dict[str, dict[str, object]] = {}
    for name, numbers in kpis.items():
        target = applicable(targets, name, filters)
        if target is None or name not in KPI_BY_NAME:
            continue
        judged = status(KPI_BY_NAME[name], numbers.get("value"), target)
        found[name] = {**target.as_dict(), "value": numbers.get("value"), "status": judged}
    return found
