"""Page header and the "Share this view" control every page carries.

The link is built from the view itself, with its period spelled out and, unless
the reader unpins it, the data version its numbers came from: what is copied is
exactly what a colleague will open, after any number of publishes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from cxcore.app.formatting import escape_markdown, format_period
from cxcore.app.links import to_params
from cxcore.app.views import (
    Coverage,
    View,
    matching_preset,
)
from cxcore.data.names import column_label

from . import data

# Container keys the style below finds by the CSS class a key gives. Keys the app owns
# (app.views): a dimension named like one gets a key of its own.
HEADLINE_CARDS, GROUP_CARDS, PAGE_HEADER = "headline", "_cx_group_cards", "_cx_page_header"
STACKS = "_cx_stack_"  # keys of rows whose columns go one to a line when narrow
SCROLLS = "_cx_scroll_"  # keys of tables of rows that scroll sideways when narrow
TABLE_ROW_MIN_PX = 760  # a row of the version history drawn unbroken
# A card row narrower than this (a laptop with the sidebar open) puts three cards to a line:
# six to a line left about 80 pixels a card and broke labels and values mid-word.
NARROW_ROW_PX = 760
SPARK = "#8a94a6"  # the sparkline's one neutral tone: its delta alone carries the verdict
STYLE = f"""
<style>
[data-testid="stMetric"] {{ container-type: inline-size; }}
[data-testid="stMetricValue"] {{
  font-size: clamp(1.05rem, 12.5cqi, 1.55rem); font-variant-numeric: tabular-nums;
}}
[data-testid="stMetricLabel"] p {{ font-weight: 600; font-size: 0.85rem; line-height: 1.25; }}
[data-testid="stMetricLabel"] .stMarkdownEllipsis, [data-testid="stMetricLabel"] p,
[data-testid="stMetricValue"] .stMarkdownEllipsis, [data-testid="stMetricValue"] p,
[data-testid="stMetricDelta"] .stMarkdownEllipsis, [data-testid="stMetricDelta"] p {{
  white-space: normal; overflow: visible; text-overflow: clip; overflow-wrap: anywhere;
}}
[data-testid="stMetricLabel"] {{ height: auto; min-height: 1.1rem; }}
[data-testid="stMetricChart"] path[aria-roledescription="line mark"],
[data-testid="stMetricChart"] path[aria-roledescription="point"] {{ stroke: {SPARK} !important; }}
[data-testid="stMetricChart"] path[aria-roledescription="area mark"] {{
  fill: #eef0f4 !important;
}}
.st-key-{HEADLINE_CARDS} [data-testid="stMetricValue"] {{
  font-size: clamp(1.2rem, 13cqi, 2.1rem);
}}
.st-key-{HEADLINE_CARDS} [data-testid="stMetricLabel"] p {{ font-size: 0.95rem; }}
[data-testid="stMainBlockContainer"] {{ padding-top: 2.5rem; }}
.st-key-{HEADLINE_CARDS} [data-testid="stHorizontalBlock"],
.st-key-{GROUP_CARDS} [data-testid="stHorizontalBlock"],
[class*="st-key-{STACKS}"] [data-testid="stHorizontalBlock"] {{
  container-type: inline-size; flex-wrap: wrap; row-gap: 0.5rem;
}}
.st-key-{PAGE_HEADER} [data-testid="stColumn"]:last-child {{ min-width: 11rem; }}
[class*="st-key-{SCROLLS}"] {{ overflow-x: auto; }}
[class*="st-key-{SCROLLS}"] [data-testid="stHorizontalBlock"] {{
  min-width: {TABLE_ROW_MIN_PX}px;
}}
@container (max-width: {NARROW_ROW_PX}px) {{
  .st-key-{HEADLINE_CARDS} [data-testid="stColumn"],
  .st-key-{GROUP_CARDS} [data-testid="stColumn"] {{
    flex: 0 0 calc((100% - 2rem) / 3) !important; min-width: 0 !important;
    max-width: calc((100% - 2rem) / 3);
  }}
  [class*="st-key-{STACKS}"] [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {{
    flex: 1 1 100% !important; min-width: 100% !important;
  }}
}}
@media (max-width: 640px) {{
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]) {{
    flex-wrap: wrap; gap: 0.5rem;
  }}
  [data-testid="stColumn"]:has([data-testid="stMetric"]):not(:has([data-testid="stHeading"])) {{
    min-width: calc(50% - 0.25rem) !important; flex: 1 1 calc(50% - 0.25rem) !important;
    max-width: calc(50% - 0.25rem);
  }}
  [data-testid="stMetricChart"] {{ display: none !important; }}
  [data-testid="stMainBlockContainer"] {{ padding-top: 3.5rem; }}
}}
[data-testid="stHeading"] h3 {{ margin-top: 0.6rem; }}
</style>
"""


def stack_when_narrow(name: str) -> DeltaGenerator:
    """A container whose row of columns puts one column to a line when the row is narrow
    (a laptop with the sidebar open): side by side, boxes of sentences or a chart beside a
    table were a few words wide there."""
    return st.container(key=f"{STACKS}{name}")


def scroll_when_narrow(name: str) -> DeltaGenerator:
    """A bordered container of rows of columns (a hand-made table) that scrolls sideways
    when narrow, as a data table does, instead of breaking its headings and cells
    mid-word ('Ver sio n')."""
    return st.container(border=True, key=f"{SCROLLS}{name}")


def style() -> None:
    """A few rules so six cards fit a row, no label or value is cut, numbers line up, and a
    sparkline is one neutral tone (st.metric would colour it like the delta). In a narrow
    row (a laptop with the sidebar open) cards go three to a line and stacked sections one;
    on a phone, cards go two to a row without sparklines, instead of one per row."""
    st.html(STYLE)


def describe(view: View, comparison: dict[str, Any] | None = None) -> str:
    """One line an executive reads first: period, comparison, filters."""
    parts = [f"**{format_period(view.start, view.end)}**"]
    if comparison:
        cstart, cend = comparison["start"], comparison["end"]
        parts.append(f"compared with {format_period(_day(cstart), _day(cend))}")
    for dim, members in view.filters:
        shown = ", ".join(escape_markdown(m) for m in members)
        parts.append(f"{escape_markdown(column_label(dim))}: {shown}")
    if not view.filters:
        parts.append("all customers")
    return " · ".join(parts)


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def share_link(
    view: View,
    kpi_label: str | None = None,
    drill: Sequence[str] = (),
    version: int | None = None,
    moving: str | None = None,
    choices: Sequence[tuple[str, str]] = (),
) -> str:
    """The full address of this page and view (pinned to a data version when given; naming
    a preset instead of dates when `moving`), with the page's own choices spelled out."""
    query = urlencode([*to_params(view, kpi_label, drill, version, moving), *choices])
    base = st.context.url or ""
    return f"{base}?{query}" if query else base or "?"


def page_header(
    title: str,
    view: View,
    cov: Coverage,
    comparison: dict[str, Any] | None = None,
    kpi_label: str | None = None,
    drill: Sequence[str] = (),
    choices: Sequence[tuple[str, str]] = (),
) -> None:
    """The title, the view in one line and the share control. A page with choices of its
    own (`options.Choices`) draws this last, into a container placed first, so that its
    link carries them."""
    # The share button keeps its whole label on a laptop screen (its column's least width
    # is in the style).
    with st.container(key=PAGE_HEADER):
        left, right = st.columns([4, 1.2], vertical_alignment="bottom")
    with left:
        st.title(title, anchor=False)
        st.markdown(describe(view, comparison))
    with right, st.popover("Share this view", icon=":material/link:", width="stretch"):
        st.markdown(
            "**Copy this link.** A colleague who opens it sees this page, "
            "with the same period, filters and numbers."
        )
        preset = matching_preset(view.start, view.end, cov.presets)
        moving = preset is not None and st.toggle(
            f"Move with the data: always the {preset.lower()}",
            value=False,
            key="share_moving",
            help="Off, the link keeps these dates. On, it names the preset instead, so it "
            "shows a later period once newer data is published.",
        )
        version = None if moving else data.data_version()
        pinned = version is not None and st.checkbox(
            f"Pin to data version {version}",
            value=True,
            key="share_pin",
            help="The link shows these numbers even after newer data is published; "
            "unpinned, it shows the same period in the latest data.",
        )
        shown = version if pinned else None
        link = share_link(view, kpi_label, drill, shown, preset if moving else None, choices)
        st.code(link, language=None, wrap_lines=True)
        if moving and preset is not None:
            st.caption(
                f"This link moves: today it shows {format_period(view.start, view.end)};"
                f" after newer data is published, the {preset.lower()} of that data."
            )
