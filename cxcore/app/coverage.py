"""Whether the export behind a KPI covers the days it is asked about, decided once.

Exports arrive on their own schedules: orders may reach into October while the
surveys stop at September. A sum over days an export does not cover is not 0,
it is unknown. So a KPI whose source misses part of its period shows what the
source covers instead of a number, and a change is shown only when the
comparison is covered as well. Cards, trends and the default view all ask here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from cxcore.app.formatting import MONTHS, format_day, format_period
from cxcore.data.contract import table_label
from cxcore.metrics.kpi import Kpi
from cxcore.metrics.measures import ADDITIVE, CUSTOMER, PRIOR, Window
from cxcore.metrics.periods import Compare, Period, Windows, add_months

NO_DATA = "no data for this period"


@dataclass(frozen=True)
class Span:
    """The days one export covers: from its first dated row to its last."""

    first_day: dt.date
    last_day: dt.date

    def covers(self, p: Period) -> bool:
        return self.first_day <= p.start and p.end <= self.last_day

    def overlap(self, p: Period) -> Period | None:
        start, end = max(self.first_day, p.start), min(self.last_day, p.end)
        return Period(start, end) if start <= end else None


Spans = Mapping[str, Span]
QUIET_GAPS = 3  # an end gap this many usual gaps long is still the export's usual quiet


def observed_span(first_day: dt.date, last_day: dt.date, rows: int) -> Span:
    """The days an export covers, judged from its first and last rows.

    A sparse export (a few survey answers a week) often has no row on the last
    days of the month it was taken in; that is its usual quiet, not a gap. So
    an edge within a few usual gaps of its month's edge is moved to that edge;
    a dense export (orders: many a day) keeps its exact days.
    """
    usual_gap = ((last_day - first_day).days + 1) / max(rows, 1)
    slack = dt.timedelta(days=int(QUIET_GAPS * usual_gap))
    month_end = add_months(last_day.replace(day=1), 1) - dt.timedelta(days=1)
    return Span(max(first_day - slack, first_day.replace(day=1)), min(last_day + slack, month_end))


class Reach(StrEnum):
    FULL = "full"  # the value and its change
    NO_CHANGE = "no_change"  # the value; the comparison is not covered
    PARTIAL = "partial"  # part of the period only: no value
    NONE = "none"  # nothing the value needs is covered


@dataclass(frozen=True)
class Covered:
    """A KPI's reach for one view, and the words a card shows in place of what is missing."""

    reach: Reach
    words: str | None = None

    @property
    def shows_value(self) -> bool:
        return self.reach in (Reach.FULL, Reach.NO_CHANGE)

    @property
    def shows_change(self) -> bool:
        return self.reach is Reach.FULL


FULL = Covered(Reach.FULL)


def _prior_measures() -> frozenset[str]:
    """Measures read in the comparison window: their KPI's value needs it covered too."""
    additive = {m.name for m in ADDITIVE if m.window is Window.PRIOR}
    customer = {m.name for m in CUSTOMER if m.rollup == PRIOR or m.rollup[0] == "pair"}
    return frozenset(additive | customer)


class _Reads(dict[str, float]):
    """Measures as a formula sees them, each read noted; every one a count above 2."""

    def __missing__(self, key: str) -> float:
        self[key] = 10.0
        return 10.0


@cache
def reads_prior(kpi: Kpi) -> bool:
    """Whether the KPI's formula (as declared in the registry) reads a comparison window."""
    reads = _Reads()
    kpi.formula(reads)
    return bool(set(reads) & _prior_measures())


def kpi_coverage(kpi: Kpi, windows: Windows, span: Span | None) -> Covered:
    """What of the KPI a card may show, given the days its source export covers."""
    if span is None:
        return Covered(Reach.NONE, NO_DATA)
    needs_prior = reads_prior(kpi)
    current = [windows.current, windows.compared] if needs_prior else [windows.current]
    previous = [windows.compared, windows.before_compared] if needs_prior else [windows.compared]
    if not span.covers(windows.current):
        part = span.overlap(windows.current)
        if part is None:
            return Covered(Reach.NONE, NO_DATA)
        return Covered(Reach.PARTIAL, f"covers {format_days(part)} only")
    if not all(span.covers(p) for p in current):
        return Covered(Reach.NONE, f"no data for {_label(windows.compared)}, which it needs")
    if not all(span.covers(p) for p in previous):
        missing = next(p for p in previous if not span.covers(p))
        return Covered(Reach.NO_CHANGE, f"no data for {_label(missing)} to compare")
    return FULL


def view_windows(start: dt.date, end: dt.date, compare: str) -> Windows:
    """The windows a view's KPIs read: its period, the comparison, and the one before that."""
    return Windows.of(Period(start, end), Compare(compare))


def month_complete(month: dt.date, until: dt.date, span: Span | None) -> bool:
    """Whether a trend's month (up to `until`) is covered whole: a partial month is marked,
    an uncovered one left out, never plotted as a plunge."""
    end = min(add_months(month.replace(day=1), 1) - dt.timedelta(days=1), until)
    return span is not None and span.covers(Period(month.replace(day=1), end))


def common_span(spans: Spans) -> Span | None:
    """The days every dated export covers (customers, a register, do not bound it)."""
    dated = [s for name, s in spans.items() if name != "customers"]
    if not dated:
        return None
    first, last = max(s.first_day for s in dated), min(s.last_day for s in dated)
    return Span(first, last) if first <= last else None


def publish_gap(table: str, span_after: Span, spans: Spans, kpis: Sequence[Kpi]) -> str | None:
    """What an upload review warns of: after this publish, exports end on different days.

    Days one export reaches and another does not are shown as "no data" for the
    other's KPIs; the analyst hears which KPIs before publishing, not after.
    """
    others = {t: s for t, s in spans.items() if t not in (table, "customers")}
    behind = {t: s for t, s in others.items() if s.last_day < span_after.last_day}
    ahead = {t: s for t, s in others.items() if s.last_day > span_after.last_day}
    if behind:
        end = max(s.last_day for s in behind.values())
        return _gap_words(table, span_after.last_day, behind, end, kpis)
    if ahead:
        end = min(s.last_day for s in ahead.values())
        return _gap_words(None, end, {table: span_after}, span_after.last_day, kpis)
    return None


def _gap_words(
    leader: str | None, lead_end: dt.date, behind: Spans, behind_end: dt.date, kpis: Sequence[Kpi]
) -> str:
    gap = Period(behind_end + dt.timedelta(days=1), lead_end)
    names = ", ".join(table_label(t) for t in sorted(behind))
    affected = ", ".join(k.label for k in kpis if k.source in behind)
    who = f"{table_label(leader)} will run" if leader else "other exports run"
    return (
        f"After this publish, {who} to {format_days(Period(lead_end, lead_end))} but {names}"
        f" only to {format_days(Period(behind_end, behind_end))}: for {format_days(gap)},"
        f" {affected} will show no data."
    )


def format_days(p: Period) -> str:
    """'1–14 Oct 2026', or the calendar unit when the days make one ('Oct 2026')."""  # noqa: RUF002
    same_month = (p.start.year, p.start.month) == (p.end.year, p.end.month)
    if p.start == p.end:
        return format_day(p.end)
    if same_month and not (p.start.day == 1 and (p.end + dt.timedelta(days=1)).day == 1):
        return f"{p.start.day}–{p.end.day} {MONTHS[p.end.month - 1]} {p.end.year}"  # noqa: RUF001
    return format_period(p.start, p.end)


def _label(p: Period) -> str:
    return format_period(p.start, p.end)
