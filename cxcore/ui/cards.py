"""KPI cards: value, change coloured by the KPI's direction, and a 12-month sparkline."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from cxcore.app.formatting import format_change, format_period, format_value
from cxcore.app.tones import Tone, judge, rose
from cxcore.metrics.registry import GROUPS, KPIS, Kpi
from cxcore.metrics.trend import series

# Groups that share a row, so short groups don't leave half-empty rows.
ROWS: tuple[tuple[str, ...], ...] = (
    ("Growth",),
    ("Loyalty", "Cross-sell"),
    ("Service",),
    ("Voice of the customer",),
    ("Digital",),
)
MAX_PER_ROW = 6
TABLE_NAMES = {
    "orders": "orders",
    "customers": "customers",
    "marketing_spend": "marketing spend",
    "service_contacts": "service contacts",
    "nps_responses": "survey responses",
    "web_sessions": "web sessions",
}


def group_kpis(group: str) -> list[Kpi]:
    return [k for k in KPIS if k.group == group]


def overview(
    result: Mapping[str, Any],
    months: Sequence[Mapping[str, Any]],
    tables: Sequence[str],
    versus: str,
    notes: Mapping[str, str] | None = None,
) -> None:
    """Every group of the KPI set, in the order an executive reads it; `notes` (status and
    significance in words, by KPI) are said under the cards that have one."""
    assert {g for row in ROWS for g in row} == set(GROUPS)
    for row in ROWS:
        sizes = [len(group_kpis(g)) for g in row]
        columns = st.columns(sizes, gap="large") if len(row) > 1 else [st.container()]
        for group, column in zip(row, columns, strict=True):
            with column:
                _group(group, result, months, tables, versus, notes or {})


def _group(
    group: str,
    result: Mapping[str, Any],
    months: Sequence[Mapping[str, Any]],
    tables: Sequence[str],
    versus: str,
    notes: Mapping[str, str],
) -> None:
    kpis = group_kpis(group)
    st.subheader(group, anchor=False)
    missing = sorted({k.source for k in kpis if k.source not in tables})
    if len(missing) == 1 and all(k.source in missing for k in kpis):
        st.caption(f"No {TABLE_NAMES.get(missing[0], missing[0])} export is loaded.")
        return
    columns = st.columns(per_row(len(kpis)))
    for i, kpi in enumerate(kpis):
        with columns[i % len(columns)]:
            card(kpi, result["kpis"][kpi.name], months, kpi.source in tables, versus)
            _note(notes.get(kpi.name))


def per_row(cards: int) -> int:
    """Cards per row, at most MAX_PER_ROW, spread evenly: 8 cards are two rows of 4, not 6 + 2."""
    rows = max(1, math.ceil(cards / MAX_PER_ROW))
    return max(1, math.ceil(cards / rows))


def card(
    kpi: Kpi,
    numbers: Mapping[str, Any],
    months: Sequence[Mapping[str, Any]],
    loaded: bool,
    versus: str,
) -> None:
    """One st.metric; an absent table is said quietly, never shown as zero."""
    if not loaded:
        st.metric(
            kpi.label,
            None,
            delta=f"no {TABLE_NAMES.get(kpi.source, kpi.source)} data",
            delta_color="off",
            delta_arrow="off",
            help=kpi.description,
            border=True,
        )
        return
    value, previous = numbers["value"], numbers["previous"]
    delta = format_change(value, previous, kpi.unit)
    shown = format_value(value, kpi.unit)
    if kpi.name == "nps_margin_of_error" and value is not None:
        shown = f"±{shown}"
    st.metric(
        kpi.label,
        shown,
        delta=delta,
        delta_color=metric_colour(kpi, value, previous),
        help=f"{kpi.description} Change against {versus}.",
        border=True,
        chart_data=sparkline(months, kpi.name),
        chart_type="area",
    )


def _note(note: str | None) -> None:
    """A card's status and significance, in words under it (not only in colour)."""
    if note:
        st.caption(note)


def metric_colour(kpi: Kpi, value: float | None, previous: float | None) -> Any:
    """st.metric colours a rise green ("normal") or red ("inverse"); the verdict decides."""
    verdict = judge(kpi, value, previous)
    if verdict in (Tone.FLAT, Tone.NONE):
        return "off"
    return "normal" if (verdict is Tone.BETTER) == rose(kpi, value, previous) else "inverse"


def sparkline(months: Sequence[Mapping[str, Any]], name: str) -> list[float] | None:
    values = [p["value"] for p in series(months, name) if p["value"] is not None]
    return values if len(values) >= 2 else None


def versus_label(result: Mapping[str, Any]) -> str:
    c = result["comparison"]
    return format_period(dt.date.fromisoformat(c["start"]), dt.date.fromisoformat(c["end"]))
