"""A view as a link: written with its period spelled out, read back with every problem
worded.

A view travels in the URL so that a link reproduces a page. Parsing is done
here, without streamlit, so every way a link can break (an unknown member, an
end before its start, a date that is not a date, a parameter given twice,
hostile text) is decided and worded once, and tested without a browser.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cxcore.app.formatting import quote_untrusted
from cxcore.app.views import (
    COMPARE,
    COMPARE_LABELS,
    DRILL,
    END,
    KPI,
    PAGE_PARAMS,
    PERIOD,
    RESERVED,
    START,
    VERSION,
    Coverage,
    Filters,
    View,
    filter_key,
    format_drill,
    make_filters,
    valid_drill,
)
from cxcore.data.names import closest
from cxcore.metrics.periods import Period

DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # what a link's date is, and nothing else
# Parameters that hold one value: a link repeating one with different values is reported.
SINGLE = (START, END, PERIOD, COMPARE, KPI, DRILL, VERSION, *PAGE_PARAMS)
MAX_PROBLEMS = 8


def to_params(
    view: View,
    kpi_label: str | None = None,
    drill: Sequence[str] = (),
    version: int | None = None,
    moving: str | None = None,
) -> list[tuple[str, str]]:
    """The URL parameters of a shared view: the period always spelled out (a default moves
    with the data, a shared link must not), the comparison when it is not the usual one,
    and the data version the numbers came from when the link is pinned. Only when asked
    (`moving`, a preset's name) does the link name a preset instead, and then it moves."""
    params: list[tuple[str, str]] = []
    if kpi_label:
        params.append((KPI, kpi_label))
    if moving is not None:
        params.append((PERIOD, moving))
    else:
        params.append((START, view.start.isoformat()))
        params.append((END, view.end.isoformat()))
    if view.compare != "previous":
        params.append((COMPARE, COMPARE_LABELS[view.compare]))
    for dim, members in view.filters:
        params.extend((filter_key(dim), m) for m in members)
    if drill:
        params.append((DRILL, format_drill(drill)))
    if version is not None:
        params.append((VERSION, str(version)))
    return params


@dataclass
class Parsed:
    """A view read from a link, with the words for everything that had to be dropped."""

    view: View
    kpi_label: str | None = None
    drill: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    kpi_name: str | None = None


def parse_params(
    params: Mapping[str, Sequence[str]],
    coverage: Coverage,
    kpi_labels: Sequence[str] | Mapping[str, str] = (),
) -> Parsed:
    """Read a link; whatever is broken falls back to its default and is reported.

    `compare` takes the on-screen label (`Last year`, as the app writes it) or
    the mode (`yoy`); `kpi` takes the label (`NPS`) or, when `kpi_labels` maps
    KPI names to labels, the name (`nps`).
    """
    problems: list[str] = []
    defaults = coverage.default_view
    moving = _moving_param(params, coverage, problems)
    if moving is not None:
        start, end = moving.start, moving.end
    else:
        start = _date_param(params, START, defaults.start, coverage, problems)
        end = _date_param(params, END, defaults.end, coverage, problems)
    if start > end:
        problems.append(
            f"The link's period ends ({end}) before it starts ({start}); "
            "showing the default period instead."
        )
        start, end = defaults.start, defaults.end
    compare = _compare_param(params, problems)
    filters = _filter_params(params, coverage, problems)
    view = View(start, end, compare, filters)
    names = kpi_labels if isinstance(kpi_labels, Mapping) else {k: k for k in kpi_labels}
    kpi_name = _kpi_param(params, names, problems)
    label = names[kpi_name] if kpi_name is not None else None
    parsed = Parsed(view, label, problems=problems, kpi_name=kpi_name)
    parsed.drill = _drill_param(params, view, problems)
    for key in SINGLE:
        if len(set(params.get(key, ()))) > 1:
            used = quote_untrusted(params[key][-1])
            problems.append(f"The link gives {key} more than once; the last, {used}, was used.")
    for key in params:
        if key not in RESERVED and key not in {filter_key(d) for d in coverage.filter_dimensions}:
            problems.append(
                f"The link's parameter {quote_untrusted(key)} is unknown and was ignored."
            )
    if len(problems) > MAX_PROBLEMS:
        problems[MAX_PROBLEMS:] = [f"…and {len(problems) - MAX_PROBLEMS} more problems."]
    return parsed


def last_value(params: Mapping[str, Sequence[str]], key: str) -> str | None:
    """A repeated URL parameter's last value: the one a bound widget of one value reads
    (a date widget reads the first; the app rewrites the address to the last)."""
    values = params.get(key)
    return values[-1] if values else None


def _moving_param(
    params: Mapping[str, Sequence[str]], coverage: Coverage, problems: list[str]
) -> Period | None:
    """A preset named by the link (`period=Last quarter`), resolved against today's data."""
    raw = last_value(params, PERIOD)
    if raw is None:
        return None
    chosen = coverage.presets.get(raw.strip())
    if chosen is None:
        problems.append(
            f"The link's period {quote_untrusted(raw)} is not one of: "
            + ", ".join(coverage.presets)
            + "; its dates were used instead."
        )
    return chosen


def parse_day(raw: str) -> dt.date | None:
    """A link's day, written YYYY-MM-DD as the app writes it. Python alone would also take
    `20250101` or `2025-W02-1`, and the date widgets `2025/01/01` or `2025-1-5`: each
    such link was shown one way and reported another, so only the one spelling counts."""
    text = raw.strip()
    if DAY.fullmatch(text) is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:  # 2025-13-01
        return None


def _date_param(
    params: Mapping[str, Sequence[str]],
    key: str,
    default: dt.date,
    coverage: Coverage,
    problems: list[str],
) -> dt.date:
    raw = last_value(params, key)
    if raw is None:
        return default
    day = parse_day(raw)
    if day is None:
        problems.append(f"The link's {key} {quote_untrusted(raw)} is not a date (YYYY-MM-DD).")
        return default
    if not coverage.first_day <= day <= coverage.last_day:
        problems.append(
            f"The link's {key} {day} is outside the data "
            f"({coverage.first_day} to {coverage.last_day})."
        )
        return default
    return day


def _compare_param(params: Mapping[str, Sequence[str]], problems: list[str]) -> str:
    raw = last_value(params, COMPARE)
    if raw is None:
        return "previous"
    for mode, label in COMPARE_LABELS.items():
        if raw in (label, mode):
            return mode
    choices = " or ".join(f"“{label}”" for label in COMPARE_LABELS.values())
    problems.append(f"The link's comparison {quote_untrusted(raw)} is unknown; use {choices}.")
    return "previous"


def _filter_params(
    params: Mapping[str, Sequence[str]], coverage: Coverage, problems: list[str]
) -> Filters:
    chosen: dict[str, list[str]] = {}
    for dim in coverage.filter_dimensions:
        known = set(coverage.dimensions[dim])
        for raw in params.get(filter_key(dim), ()):
            if raw in known:
                if raw not in chosen.setdefault(dim, []):
                    chosen[dim].append(raw)
            else:
                problems.append(_member_problem(dim, raw, known))
    return make_filters(chosen)


def _member_problem(dim: str, raw: str, known: set[str]) -> str:
    """An unknown member, with what the reader probably meant: a notice once said “SMB”
    was not in the data when the link held " SMB" (shown trimmed) or "smb"."""
    spaced = " (with spaces around it)" if raw != raw.strip() else ""
    near = closest(raw.strip(), known)
    hint = f"; did you mean {quote_untrusted(near)}?" if near is not None else "."
    return f"The link's {dim} {quote_untrusted(raw)}{spaced} is not in the data{hint}"


def _kpi_param(
    params: Mapping[str, Sequence[str]], labels: Mapping[str, str], problems: list[str]
) -> str | None:
    """The KPI's name, whether the link gives its label or its name."""
    raw = last_value(params, KPI)
    if raw is None or not labels:
        return None
    for name, label in labels.items():
        if raw == label:
            return name
    if raw in labels:
        return raw
    problems.append(f"The link's KPI {quote_untrusted(raw)} is unknown.")
    return None


def _drill_param(params: Mapping[str, Sequence[str]], view: View, problems: list[str]) -> list[str]:
    raw = last_value(params, DRILL)
    if not raw:
        return []
    path = [p for p in raw.split(",") if p]
    kept = valid_drill(path, view)
    if kept != path:
        problems.append(
            f"Part of the link's drill path {quote_untrusted(raw)} does not match its filters."
        )
    return kept
