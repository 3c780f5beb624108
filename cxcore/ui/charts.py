"""Plotly figures for the explorer, and the CSV behind each of them.

Colours carry the KPI's direction: a change for the better is green, for the
worse red, whatever the sign, so rising churn reads red like a falling NPS.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from cxcore.app.coverage import Span, month_complete
from cxcore.app.formatting import escape_plot_text, format_change, format_value
from cxcore.app.tones import Tone, judge, rise_tone
from cxcore.metrics.kpi import Kpi, Unit
from cxcore.metrics.periods import Period, add_months
from cxcore.metrics.trend import series
from cxcore.ui.tables import safe_frame

GOOD, BAD, FLAT = "#1f9d6a", "#d64545", "#8a94a6"
PRIMARY, COMPARISON, PERIOD_BAND = "#2f5bea", "#9aa5b8", "rgba(47, 91, 234, 0.08)"
INCOMPLETE = "Incomplete month"
SURVEY, RESPONSES = "nps_responses", "responses"
FONT = {"family": "Source Sans Pro, sans-serif", "size": 13}


def axis_format(unit: Unit) -> dict[str, Any]:
    """Tick labels per unit. Money takes d3's currency symbol, not a prefix, so a loss
    reads -$20M, not $-20M (a waterfall's falls)."""
    return {
        Unit.CURRENCY: {"tickformat": "$~s"},
        Unit.RATIO: {"tickformat": ".0%"},
        Unit.COUNT: {"tickformat": "~s"},
        Unit.SCORE: {"tickformat": ".0f"},
        Unit.SECONDS: {"ticksuffix": "s", "tickformat": ".0f"},
        Unit.NUMBER: {"tickformat": ".2f"},
    }[unit]


COLOURS = {Tone.BETTER: GOOD, Tone.WORSE: BAD, Tone.FLAT: FLAT, Tone.NONE: FLAT}


def tone(kpi: Kpi, value: float | None, previous: float | None) -> str:
    return COLOURS[judge(kpi, value, previous)]


def fit_layout(fig: go.Figure, height: int) -> go.Figure:
    """Every chart's frame: its height, tight margins, the app's font, no legend."""
    fig.update_layout(
        height=height,
        margin={"l": 8, "r": 8, "t": 8, "b": 8},
        font=FONT,
        showlegend=False,
        hoverlabel={"font": FONT},
    )
    return fig


def trend_figure(
    points: Sequence[Mapping[str, Any]], kpi: Kpi, start: dt.date, end: dt.date, compare_label: str
) -> go.Figure:
    months = [p["month"] for p in points]
    fig = go.Figure()
    fig.add_vrect(x0=start.replace(day=1), x1=end, fillcolor=PERIOD_BAND, line_width=0)
    fig.add_scatter(
        x=months,
        y=[p["previous"] for p in points],
        name=compare_label,
        mode="lines",
        line={"color": COMPARISON, "dash": "dot", "width": 2},
    )
    fig.add_scatter(
        x=months,
        y=[p["value"] for p in points],
        name=kpi.label,
        mode="lines+markers",
        line={"color": PRIMARY, "width": 3},
        marker={"size": 5},
    )
    partial = [p for p in points if not p.get("complete", True) and p["value"] is not None]
    if partial:
        fig.add_scatter(
            x=[p["month"] for p in partial],
            y=[p["value"] for p in partial],
            name=INCOMPLETE,
            mode="markers",
            marker={"size": 13, "symbol": "circle-open", "color": BAD, "line": {"width": 2}},
            hovertemplate="%{x|%b %Y}: incomplete month, the export does not cover it whole"
            "<extra></extra>",
        )
    fig.update_yaxes(
        **axis_format(kpi.unit), rangemode="tozero" if kpi.unit is not Unit.SCORE else None
    )
    fig.update_xaxes(dtick="M3", tickformat="%b %Y")
    fit_layout(fig, 320)
    fig.update_layout(
        showlegend=True, legend={"orientation": "h", "y": 1.08, "x": 0}, hovermode="x unified"
    )
    return fig


def series_points(
    rows: Sequence[Mapping[str, Any]], name: str, first_day: dt.date | None = None
) -> list[dict[str, Any]]:
    return series(rows, name, first_day)


def mark_coverage(
    points: Sequence[Mapping[str, Any]], span: Span | None, until: dt.date
) -> list[dict[str, Any]]:
    """Each month flagged complete or not; a month the export does not reach at all has no
    value (it would read as a fall to zero)."""
    marked = []
    for p in points:
        month = Period(p["month"], add_months(p["month"], 1) - dt.timedelta(days=1))
        reached = span is not None and span.overlap(month) is not None
        marked.append(
            {
                **p,
                "value": p["value"] if reached else None,
                "complete": month_complete(p["month"], until, span),
            }
        )
    return marked


def points_frame(points: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    schema = {"month": pl.Date, "value": pl.Float64, "previous": pl.Float64, "complete": pl.Boolean}
    return pl.DataFrame([{"complete": True, **p} for p in points], schema=schema)


def has_data(kpi: Kpi, value: float | None, previous: float | None) -> bool:
    """A member worth a bar: some value, and for sums and counts not a bare zero.

    Rows with no customer (anonymous sessions, say) make an `Unknown` member in
    every breakdown; a revenue bar of 0 against 0 for it only adds noise.
    """
    if value is None and previous is None:
        return False
    additive = kpi.unit in (Unit.CURRENCY, Unit.COUNT)
    return not (additive and not value and not previous)


FIGURE_TEXT = ("change",)  # text columns of the cockpit's own figures, never of the data


def breakdown_frame(result: Mapping[str, Any], kpi: Kpi, dims: Sequence[str]) -> pl.DataFrame:
    """Members with value, comparison and change; sorted best first for bars."""
    rows = []
    for entry in result.get("breakdown", []):
        numbers = entry["kpis"][kpi.name]
        if not has_data(kpi, numbers["value"], numbers["previous"]):
            continue
        rows.append(
            {
                **{d: entry[d] for d in dims},
                "value": numbers["value"],
                "previous": numbers["previous"],
                "change": format_change(numbers["value"], numbers["previous"], kpi.unit) or "",
                **_responses(entry, kpi),
            }
        )
    schema = {
        **{d: pl.String for d in dims},
        "value": pl.Float64,
        "previous": pl.Float64,
        "change": pl.String,
        **({RESPONSES: pl.Float64} if kpi.source == SURVEY else {}),
    }
    return pl.DataFrame(rows, schema=schema)


def _responses(entry: Mapping[str, Any], kpi: Kpi) -> dict[str, Any]:
    """A survey KPI's member carries its response count: an NPS of 3 responses is noise."""
    if kpi.source != SURVEY:
        return {}
    return {RESPONSES: entry["kpis"]["nps_responses"]["value"]}


def bar_figure(frame: pl.DataFrame, dim: str, kpi: Kpi) -> go.Figure:
    ordered = frame.filter(pl.col("value").is_not_null()).sort("value")
    members = ordered[dim].to_list()
    values, previous = ordered["value"].to_list(), ordered["previous"].to_list()
    labels = [
        f"{format_value(v, kpi.unit)}  {c}".rstrip()
        for v, c in zip(values, ordered["change"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=[escape_plot_text(m) for m in members],
            orientation="h",
            text=labels,
            textposition="auto",
            customdata=members,
            cliponaxis=False,
            marker={"color": [tone(kpi, v, p) for v, p in zip(values, previous, strict=True)]},
            hovertemplate="%{y}: %{text}<extra>click to drill down</extra>",
        )
    )
    fig.update_xaxes(**axis_format(kpi.unit), showgrid=False, visible=False)
    fig.update_yaxes(type="category")
    return fit_layout(fig, 70 + 38 * max(len(members), 1))


def heatmap_figure(
    frame: pl.DataFrame,
    rows_dim: str,
    cols_dim: str,
    kpi: Kpi,
    row_order: Sequence[str],
    col_order: Sequence[str],
) -> go.Figure:
    cells = {(r[rows_dim], r[cols_dim]): r for r in frame.iter_rows(named=True)}
    ys = [m for m in row_order if any((m, c) in cells for c in col_order)]
    xs = [m for m in col_order if any((r, m) in cells for r in ys)]
    z = [[(cells.get((y, x)) or {}).get("value") for x in xs] for y in ys]
    text = [[cell_text(cells.get((y, x)), kpi) for x in xs] for y in ys]
    scale, legend = heat_scale(kpi)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[escape_plot_text(m) for m in xs],
            y=[escape_plot_text(m) for m in ys],
            text=text,
            texttemplate="%{text}",
            colorscale=scale,
            showscale=True,
            colorbar={
                "title": {"text": legend, "side": "right"},
                "thickness": 12,
                **axis_format(kpi.unit),
            },
            xgap=3,
            ygap=3,
            hoverinfo="skip",
        )
    )
    _click_targets(fig, [(y, x, text[i][j]) for i, y in enumerate(ys) for j, x in enumerate(xs)])
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(side="top", type="category")
    # Never under two rows' height: the legend's title runs along the colour bar, which is
    # as tall as the rows, and one row's cut it to "larker = wors".
    fit_layout(fig, 80 + 44 * max(len(ys), 2))
    fig.update_layout(margin={"r": 40})  # room for the legend's title
    return fig


def _click_targets(fig: go.Figure, cells: Sequence[tuple[str, str, str]]) -> None:
    """Plotly selects points, never heatmap cells: an invisible marker on every cell makes a
    click on it a selection, carrying its two members, exactly as a bar click does."""
    shown = [c for c in cells if c[2]]
    fig.add_scatter(
        x=[escape_plot_text(x) for _, x, _ in shown],
        y=[escape_plot_text(y) for y, _, _ in shown],
        mode="markers",
        marker={"size": 38, "opacity": 0, "symbol": "square"},
        customdata=[[y, x] for y, x, _ in shown],
        text=[t for _, _, t in shown],
        hovertemplate="%{y} × %{x}: %{text}<extra>click to drill down</extra>",  # noqa: RUF001
        showlegend=False,
    )


def heat_scale(kpi: Kpi) -> tuple[str, str]:
    """Bad news is the strong colour: low values for a KPI whose rise is good, high ones
    for a KPI whose rise is bad; a neutral KPI is shaded by size alone."""
    rise = rise_tone(kpi)
    if rise is Tone.BETTER:
        return "Reds_r", "darker = worse"
    if rise is Tone.WORSE:
        return "Reds", "darker = worse"
    return "Greys", "darker = higher"


def cell_text(cell: Mapping[str, Any] | None, kpi: Kpi) -> str:
    """A cell's value and, for survey KPIs, the responses it rests on."""
    if cell is None or cell.get("value") is None:
        return ""
    shown = format_value(cell["value"], kpi.unit)
    responses = cell.get(RESPONSES)
    return shown if responses is None else f"{shown}<br>n={responses:,.0f}"


def download(frame: pl.DataFrame, name: str, key: str) -> None:
    """The numbers behind a chart, safe to open in a spreadsheet."""
    safe = safe_frame(frame, written_here=FIGURE_TEXT)
    st.download_button(
        "Download CSV",
        safe.write_csv(),
        file_name=f"{name}.csv",
        mime="text/csv",
        icon=":material/download:",
        type="tertiary",
        key=key,
    )
