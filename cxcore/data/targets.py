"""The targets file: a TOML list of targets, read and written in one place.

```toml
[[target]]
kpi = "nps"          # a KPI's exact name
region = "East"      # optional: segment and/or region narrow the target to members
target = 25          # the aim, drawn as the target line
amber = 20           # from here on (and worse) the status is amber
red = 10             # from here on (and worse) the status is red
```

This module knows the file's shape only: which keys, of which types. Whether
the KPI exists, the members are in the data and the thresholds lie on the
right side of the target is the rules' business (`cxcore.metrics.targets`).
Every problem is reported at once, each naming the target by its position.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from cxcore.data.contract import BASE_DIMENSIONS

TARGETS_FILE = "targets.toml"
TABLE = "target"
NUMBERS = ("target", "amber", "red")
MEMBERS = BASE_DIMENSIONS  # a target is for all customers or one segment and/or region
KEYS = ("kpi", *MEMBERS, *NUMBERS)
HEADER = (
    "# CX Cockpit targets: one [[target]] per KPI, optionally per segment and/or region.\n"
    "# `amber` and `red` are where those statuses begin; both lie on the bad side of `target`.\n"
)


@dataclass(frozen=True)
class Target:
    kpi: str
    target: float
    amber: float
    red: float
    segment: str | None = None
    region: str | None = None

    @property
    def members(self) -> dict[str, str]:
        """The members this target is narrowed to, by dimension."""
        return {d: m for d in MEMBERS if (m := getattr(self, d)) is not None}

    @property
    def key(self) -> tuple[str, str | None, str | None]:
        """What a target is for: two targets with one key contradict each other."""
        return (self.kpi, self.segment, self.region)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse(text: str) -> tuple[list[Target], list[str]]:
    """The targets a file holds, and every problem with its shape (none: it is sound)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        return [], [f"the targets file is not valid TOML: {err}"]
    problems = [f"unknown key {key!r} at the top (expected [[{TABLE}]])" for key in document]
    problems = [p for p, key in zip(problems, document, strict=True) if key != TABLE]
    entries = document.get(TABLE, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        return [], [*problems, f"{TABLE!r} must be a list of tables, written [[{TABLE}]]"]
    targets: list[Target] = []
    for position, entry in enumerate(entries, start=1):
        target, found = _entry(position, entry)
        problems += found
        if target is not None:
            targets.append(target)
    return targets, problems


def from_rows(rows: Iterable[Mapping[str, Any]]) -> tuple[list[Target], list[str]]:
    """Targets from plain rows (an edited table): empty member cells mean "every member"."""
    targets: list[Target] = []
    problems: list[str] = []
    for position, row in enumerate(rows, start=1):
        cleaned = {k: v for k, v in row.items() if k in KEYS and not _blank(v)}
        target, found = _entry(position, cleaned)
        problems += found
        if target is not None:
            targets.append(target)
    return targets, problems


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or _nan(value)


def _nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _entry(position: int, entry: Mapping[str, Any]) -> tuple[Target | None, list[str]]:
    where = f"target {position}"
    problems = [f"{where}: unknown key {key!r}" for key in entry if key not in KEYS]
    kpi = entry.get("kpi")
    if not isinstance(kpi, str) or not kpi.strip():
        problems.append(f"{where}: 'kpi' must be a KPI's name")
    numbers: dict[str, float] = {}
    for name in NUMBERS:
        value = entry.get(name)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            problems.append(f"{where}: {name!r} must be a number" + _got(value))
        else:
            numbers[name] = float(value)
    members: dict[str, str] = {}
    for name in MEMBERS:
        value = entry.get(name)
        if value is not None and not isinstance(value, str):
            problems.append(f"{where}: {name!r} must be a member's name (text)")
        elif isinstance(value, str):
            members[name] = value
    if problems:
        return None, problems
    assert isinstance(kpi, str)
    given: dict[str, Any] = {**numbers, **members}
    return Target(kpi.strip(), **given), []


def _got(value: Any) -> str:
    return "; it is missing" if value is None else f", got {value!r}"


def dump(targets: Sequence[Target]) -> str:
    """The targets as a file `parse` reads back unchanged; same targets, same bytes."""
    blocks = []
    for target in targets:
        lines = [f"[[{TABLE}]]", f"kpi = {_text(target.kpi)}"]
        lines += [f"{d} = {_text(m)}" for d, m in target.members.items()]
        lines += [f"{name} = {_number(getattr(target, name))}" for name in NUMBERS]
        blocks.append("\n".join(lines) + "\n")
    return HEADER + "".join(f"\n{block}" for block in blocks)


def _text(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's (quotes, backslashes, control chars)."""
    return json.dumps(value, ensure_ascii=False)


def _number(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
