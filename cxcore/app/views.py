"""What a page shows, as plain data: period presets, a view, the parameters it travels
under and its drill path (`cxcore.app.links` writes and reads the link itself)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from cxcore.app.coverage import Span, Spans, common_span
from cxcore.app.formatting import in_sentence
from cxcore.metrics.periods import CalendarUnit, Period, add_months, latest_whole, unit_start

START, END, COMPARE, KPI, DRILL = "start", "end", "compare", "kpi", "drill"
VERSION = "v"  # a pinned data version; checked against the store by the app
PERIOD = "period"  # a preset by name: a link whose period moves with the data, by choice
EMBED_PARAMS = ("embed", "embed_options")
# A page's own choices (ui/options.py): the explorer's breakdown, the voice page's split,
# the cohort and lifetime-value options; in the link as the widgets write them.
BY_FIRST, BY_SECOND = "by_first", "by_second"  # the explorer's breakdown
MOVED_KPI, MOVED_BY = "moved_kpi", "moved_by"  # the voice page's "Why it moved"
COHORT_START, COHORT_SHOW, COHORT_YEAR = "cohort_start", "cohort_show", "cohort_year"
CLV_HORIZON = "clv_horizon"
PAGE_PARAMS: tuple[str, ...] = (BY_FIRST, BY_SECOND, MOVED_KPI, MOVED_BY, COHORT_START)
PAGE_PARAMS += (COHORT_SHOW, COHORT_YEAR, CLV_HORIZON)
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
DIMENSION_KEY = "Dim:"  # normalised names are lower case, so this can never be one
COMPARE_LABELS = {"previous": "Previous period", "yoy": "Last year"}

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
