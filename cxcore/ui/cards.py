"""KPI cards: value, change coloured by the KPI's direction, and a 12-month sparkline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from cxcore.app.coverage import Covered, Span, Spans, kpi_coverage, month_complete, view_windows
from cxcore.app.formatting import NO_VALUE, format_card_value, format_change, format_period
from cxcore.app.headline import HEADLINE, headline_kpis, what_moved
from cxcore.app.tones import Tone, judge, rose
from cxcore.app.views import View
from cxcore.data.contract import table_label
from cxcore.metrics.kpi import Kpi
from cxcore.metrics.registry import GROUPS, KPIS
from cxcore.metrics.trend import series
from cxcore.ui.layout import GROUP_CARDS, HEADLINE_CARDS

# Below the headline every card is a sixth of the page wide, whatever its group's size:
# a group of seven cards sharing a row broke 'Purchase frequency' mid-word on a laptop.
MAX_PER_ROW = 6


def group_kpis(group: str, skip: Sequence[str] = HEADLINE) -> list[Kpi]:
    """A group's KPIs below the headline band (which shows its own once, on top)."""
    return [k for k in KPIS if k.group == group and k.name not in skip]


def band(
    result: Mapping[str, Any],
    months: Sequence[Mapping[str, Any]],
    view: View,
    spans: Spans,
    versus: str,
    notes: Mapping[str, str] | None = None,
) -> None:
    """The headline KPIs in one row, and one line on what moved most across all KPIs."""
    with st.container(border=False, key=HEADLINE_CARDS):
        columns = st.columns(len(HEADLINE))
        for kpi, column in zip(headline_kpis(), columns, strict=True):
            with column:
                card(kpi, result["kpis"][kpi.name], months, view, spans, versus)
                _note((notes or {}).get(kpi.name))
        windows = view_windows(view.start, view.end, view.compare)
        line = what_moved(
            result["kpis"], KPIS, lambda k: kpi_coverage(k, windows, spans.get(k.source))
        )
        if line:
            st.markdown(f"**What moved most** against {versus}: {line}")


def overview(
    result: Mapping[str, Any],
    months: Sequence[Mapping[str, Any]],
    view: View,
    spans: Spans,
    versus: str,
    notes: Mapping[str, str] | None = None,
) -> None:
    """Every group of the KPI set, in the order an executive reads it; `notes` (status and
    significance in words, by KPI) are said under the cards that have one."""
    with st.container(border=False, key=GROUP_CARDS):
        for group in GROUPS:
            _group(group, result, months, view, spans, versus, notes or {})


def _group(
    group: str,
    result: Mapping[str, Any],
    months: Sequence[Mapping[str, Any]],
    view: View,
    spans: Spans,
    versus: str,
    notes: Mapping[str, str],
) -> None:
    kpis = group_kpis(group)
    if not kpis:
        return
    st.subheader(group, anchor=False)
    missing = sorted({k.source for k in kpis if k.source not in spans})
    if len(missing) == 1 and all(k.source in missing for k in kpis):
        st.caption(f"No {table_label(missing[0])} export is loaded.")
        return
    for row in card_rows(kpis):
        for kpi, column in zip(row, st.columns(MAX_PER_ROW), strict=False):
            with column:
                card(kpi, result["kpis"][kpi.name], months, view, spans, versus)
                _note(notes.get(kpi.name))


def card_rows(kpis: Sequence[Kpi]) -> list[Sequence[Kpi]]:
    """The group's cards in rows of MAX_PER_ROW slots, the last row's empty ones left blank."""
    return [kpis[i : i + MAX_PER_ROW] for i in range(0, len(kpis), MAX_PER_ROW)]


def card(
    kpi: Kpi,
    numbers: Mapping[str, Any],
    months: Sequence[Mapping[str, Any]],
    view: View,
    spans: Spans,
    versus: str,
) -> None:
    """One st.metric; days its export does not cover are said, never shown as zero."""
    span = spans.get(kpi.source)
    if span is None:
        _note_card(kpi, f"no {table_label(kpi.source)} data")
        return
    covered = kpi_coverage(kpi, view_windows(view.start, view.end, view.compare), span)
    if not covered.shows_value:
        _note_card(kpi, covered.words or "")
        return
    value, previous = numbers["value"], numbers["previous"]
    shown, exact = format_card_value(value, kpi.unit)
    if kpi.precision and value is not None:
        shown = f"±{shown}"
    st.metric(
        kpi.label,
        shown,
        delta=_delta(kpi, value, previous, covered),
        delta_color=metric_colour(kpi, value, previous) if covered.shows_change else "off",
        delta_arrow="auto" if covered.shows_change else "off",
        help=card_help(kpi, versus, exact),
        border=True,
        chart_data=sparkline(months, kpi.name, view.end, span),
        chart_type="area",
    )


def card_help(kpi: Kpi, versus: str, exact: str | None = None) -> str:
    """What the KPI is and what it is compared with; the exact value when the card rounds."""
    words = f"{kpi.description} Change against {versus}."
    return f"{words} Exact value: {exact}." if exact else words


def _note(note: str | None) -> None:
    """A card's status and significance, in words under it (not only in colour)."""
    if note:
        st.caption(note)


def _delta(kpi: Kpi, value: float | None, previous: float | None, covered: Covered) -> str | None:
    return format_change(value, previous, kpi.unit) if covered.shows_change else covered.words


def _note_card(kpi: Kpi, words: str) -> None:
    """A card whose number is unknown: a dash and, in grey, why."""
    st.metric(
        kpi.label,
        NO_VALUE,
        delta=words,
        delta_color="off",
        delta_arrow="off",
        help=kpi.description,
        border=True,
    )


def metric_colour(kpi: Kpi, value: float | None, previous: float | None) -> Any:
    """st.metric colours a rise green ("normal") or red ("inverse"); the verdict decides."""
    verdict = judge(kpi, value, previous)
    if verdict in (Tone.FLAT, Tone.NONE):
        return "off"
    return "normal" if (verdict is Tone.BETTER) == rose(kpi, value, previous) else "inverse"


def sparkline(
    months: Sequence[Mapping[str, Any]], name: str, until: dt.date, span: Span | None
) -> list[float] | None:
    """The months the export covers whole: a partial month would plunge, so it is left out."""
    values = [
        p["value"]
        for p in series(months, name)
        if p["value"] is not None and month_complete(p["month"], until, span)
    ]
    return values if len(values) >= 2 else None


def versus_label(result: Mapping[str, Any]) -> str:
    c = result["comparison"]
    return format_period(dt.date.fromisoformat(c["start"]), dt.date.fromisoformat(c["end"]))
