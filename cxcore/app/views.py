"""What a page shows, as plain data: period presets, a view, its URL form and drill path.

A view travels in the URL so that a link reproduces a page. Parsing is done
here, without streamlit, so every way a link can break (an unknown member, an
end before its start, a date that is not a date, hostile text) is decided and
worded once, and tested without a browser.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from cxcore.app.coverage import Span, Spans, common_span
from cxcore.app.formatting import in_sentence, quote_untrusted
from cxcore.data.names import closest
from cxcore.metrics.periods import CalendarUnit, Period, add_months, latest_whole, unit_start

START, END, COMPARE, KPI, DRILL = "start", "end", "compare", "kpi", "drill"
VERSION = "v"  # a pinned data version; checked against the store by the app
PERIOD = "period"  # a preset by name: a link whose period moves with the data, by choice
EMBED_PARAMS = ("embed", "embed_options")
# A page's own choices (ui/options.py): the explorer's breakdown, the voice page's split,
# the cohort and lifetime-value options; in the link as the widgets write them.
PAGE_PARAMS: tuple[str, ...] = ("by_first", "by_second", "moved_kpi", "moved_by")
PAGE_PARAMS += ("cohort_start", "cohort_show", "cohort_year", "clv_horizon")
RESERVED = (START, END, COMPARE, KPI, DRILL, VERSION, PERIOD, *EMBED_PARAMS, *PAGE_PARAMS)
# Every widget and session key the app owns besides the URL parameters above: a
# dimension (a customer column, named by whoever exported it) must never share one.
APP_KEYS = frozenset(
    {
        "share_pin",
        "breadcrumb",
        "trend",
        "check",
        "publish",
        "login",
        "logout",
        "lock",
        "unlock",
        "dismiss_notice",
        "link_notice",
        "see_latest",
        "headline",
        "share_moving",
    }
)
APP_KEY_PREFIXES = ("_cx_", "crumb_", "restore_", "bars_", "heat_", "dl_")
PLAIN_KEY = re.compile(r"[a-z0-9][a-z0-9_]*")
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # what a link's date is, and nothing else
# Parameters that hold one value: a link repeating one with different values is reported.
SINGLE = (START, END, PERIOD, COMPARE, KPI, DRILL, VERSION, *PAGE_PARAMS)
DIMENSION_KEY = "Dim:"  # normalised names are lower case, so this can never be one
COMPARE_LABELS = {"previous": "Previous period", "yoy": "Last year"}
MAX_PROBLEMS = 8

Filters = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class View:
    """Period, comparison and filters: hashable, so it can key a cache."""

    start: dt.date
    end: dt.date
    compare: str = "previous"
    filters: Filters = ()

    @property
    def filter_dict(self) -> dict[str, list[str]]:
        return {dim: list(members) for dim, members in self.filters}

    def members(self, dim: str) -> tuple[str, ...]:
        return dict(self.filters).get(dim, ())

    def with_filter(self, dim: str, members: Sequence[str]) -> View:
        kept = {d: m for d, m in self.filters if d != dim}
        if members:
            kept[dim] = tuple(members)
        return replace(self, filters=tuple(sorted(kept.items())))


def make_filters(chosen: Mapping[str, Sequence[str]]) -> Filters:
    """Only dimensions with a selection, in a stable order, so equal views hash equal."""
    return tuple(sorted((d, tuple(m)) for d, m in chosen.items() if m))


@dataclass(frozen=True)
class Coverage:
    """What the data allows: its days, each export's days, and every dimension's members."""

    first_day: dt.date
    last_day: dt.date
    dimensions: Mapping[str, Sequence[str]]
    spans: Spans = field(default_factory=dict)

    @property
    def complete(self) -> Span:
        """The days every present export covers (all the data's days when they disagree)."""
        return common_span(self.spans) or Span(self.first_day, self.last_day)

    @property
    def default_period(self) -> Period:
        """The latest whole quarter every export covers, so no card starts on a gap."""
        return default_period(self.complete.first_day, self.complete.last_day)

    @property
    def presets(self) -> dict[str, Period]:
        """Presets end where every export still has data."""
        return preset_periods(self.complete.first_day, self.complete.last_day)

    @property
    def default_view(self) -> View:
        p = self.default_period
        return View(p.start, p.end)

    @property
    def filter_dimensions(self) -> list[str]:
        """Every dimension: each has a filter, under `filter_key` in widgets and links."""
        return list(self.dimensions)


def filter_key(dimension: str) -> str:
    """A dimension's widget key and link parameter: its own name when that is plain and the
    app owns no such key; otherwise `Dim:<name>`, which no dimension name can be."""
    plain = PLAIN_KEY.fullmatch(dimension) is not None
    owned = dimension in RESERVED or dimension in APP_KEYS or dimension.startswith(APP_KEY_PREFIXES)
    return dimension if plain and not owned else DIMENSION_KEY + dimension


# -- period presets --------------------------------------------------------------
def preset_periods(first_day: dt.date, last_day: dt.date) -> dict[str, Period]:
    """Each preset resolved against the data's last day, clamped to its first day."""
    month = latest_whole(last_day, CalendarUnit.MONTH)
    quarter = latest_whole(last_day, CalendarUnit.QUARTER)
    month_end = month.end
    spans = {
        "Last month": (month.start, month.end),
        "Last quarter": (quarter.start, quarter.end),
        "Quarter to date": (unit_start(last_day, CalendarUnit.QUARTER), last_day),
        "Year to date": (dt.date(last_day.year, 1, 1), last_day),
        "Last 12 months": (add_months(month_end.replace(day=1), -11), month_end),
    }
    out: dict[str, Period] = {}
    for name, (start, end) in spans.items():
        if end >= first_day:
            out[name] = Period(max(start, first_day), end)
    return out


def default_period(first_day: dt.date, last_day: dt.date) -> Period:
    """The latest whole quarter in the data; the whole data when it holds none."""
    return preset_periods(first_day, last_day).get("Last quarter", Period(first_day, last_day))


def matching_preset(start: dt.date, end: dt.date, presets: Mapping[str, Period]) -> str | None:
    for name, p in presets.items():
        if (p.start, p.end) == (start, end):
            return name
    return None


def trend_note(kpi_label: str, per_window: bool, compare: str, period: str) -> str:
    """What the explorer's trend measures, so it agrees with its card or says why not."""
    against = "the month before" if compare == "previous" else "the same month a year before"
    base = f"Monthly trend: each point is one calendar month's {in_sentence(kpi_label)}"
    if per_window:
        return (
            f"{base}, measured against {against}. The card measures {period} against its "
            "comparison period as a whole, so the two need not agree: a customer who skips "
            "a month can still order in the quarter."
        )
    return f"{base}; the dotted line is {against}. The card is {period} as a whole."


# -- drill path ------------------------------------------------------------------
def drill_into(view: View, path: Sequence[str], picks: Mapping[str, str]) -> tuple[View, list[str]]:
    """A click on a bar or cell: each picked member becomes the only one of its dimension."""
    steps = list(path)
    for dim, member in picks.items():
        view = view.with_filter(dim, [member])
        if dim in steps:
            steps.remove(dim)
        steps.append(dim)
    return view, steps


def step_back(view: View, path: Sequence[str], depth: int) -> tuple[View, list[str]]:
    """Back to the breadcrumb at `depth`: the filters drilled after it are lifted."""
    for dim in path[depth:]:
        view = view.with_filter(dim, [])
    return view, list(path[:depth])


def valid_drill(path: Sequence[str], view: View) -> list[str]:
    """The steps still true of the view: a step holds while its filter is its one member."""
    seen: list[str] = []
    for dim in path:
        if dim not in seen and len(view.members(dim)) == 1:
            seen.append(dim)
    return seen


def format_drill(path: Sequence[str]) -> str:
    return ",".join(path)


# -- links -----------------------------------------------------------------------
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
