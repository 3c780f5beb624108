"""Plotly figures of the voice of the customer: the drivers' quadrant, the why-it-moved
waterfall, and a target line for the explorer's trend.

Each figure is drawn from the contract dictionaries as they are, so what a chart
shows is exactly what `cx-cockpit drivers|moved` prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go

from cxcore.app.formatting import escape_plot_text
from cxcore.app.tones import fall_tone, rise_tone
from cxcore.metrics.kpi import Kpi, Unit
from cxcore.ui.charts import BAD, COLOURS, FLAT, PRIMARY, axis_format, fit_layout
from cxcore.voice.drivers import Quadrant, driver_label

FIX_FIRST_FILL = "rgba(214, 69, 69, 0.08)"
TARGET = "#c47f00"


def quadrant_figure(drivers: Mapping[str, Any], split: Quadrant) -> go.Figure:
    """Importance (r with the score) across, performance (mean rating) up; the low-right
    corner, important and weak, is shaded and named "fix first"."""
    scored = [
        d
        for d in drivers["drivers"]
        if d["importance"] is not None and d["performance"] is not None
    ]
    fig = go.Figure()
    if not scored or split.importance_split is None or split.performance_split is None:
        return fit_layout(fig, 380)
    xs = [d["importance"] for d in scored]
    ys = [d["performance"] for d in scored]
    pad_x, pad_y = 0.05 + 0.1 * (max(xs) - min(xs)), 0.2 + 0.1 * (max(ys) - min(ys))
    x0, x1 = min(xs) - pad_x, max(xs) + pad_x
    y0, y1 = min(ys) - pad_y, max(ys) + pad_y
    fig.add_shape(
        type="rect",
        x0=split.importance_split,
        x1=x1,
        y0=y0,
        y1=split.performance_split,
        fillcolor=FIX_FIRST_FILL,
        line_width=0,
        layer="below",
    )
    fig.add_annotation(
        x=x1, y=y0, text="<b>Fix first</b>", showarrow=False, xanchor="right", yanchor="bottom"
    )
    fig.add_vline(x=split.importance_split, line={"color": FLAT, "dash": "dot", "width": 1})
    fig.add_hline(y=split.performance_split, line={"color": FLAT, "dash": "dot", "width": 1})
    corner = set(split.corner)
    fig.add_scatter(
        x=xs,
        y=ys,
        mode="markers+text",
        text=[escape_plot_text(driver_label(d["driver"])) for d in scored],
        # Labels lean toward the middle: a centred one by the edge was cut ("taff courtesy").
        textposition=["top right" if x < (x0 + x1) / 2 else "top left" for x in xs],
        marker={
            "size": [12 + 60 * (d["relative_weight"] or 0) for d in scored],
            "color": [BAD if d["driver"] in corner else PRIMARY for d in scored],
            "opacity": 0.8,
        },
        customdata=[[d["responses"], d["relative_weight"]] for d in scored],
        hovertemplate=(
            "%{text}<br>importance r = %{x:.2f}<br>performance = %{y:.2f}"
            "<br>ratings: %{customdata[0]}<br>relative weight: %{customdata[1]:.3f}<extra></extra>"
        ),
    )
    fig.update_xaxes(title_text="Importance (correlation with the score)", range=[x0, x1])
    fig.update_yaxes(title_text="Performance (mean rating)", range=[y0, y1])
    return fit_layout(fig, 380)


def waterfall_figure(kpi: Kpi, decomposition: Mapping[str, Any]) -> go.Figure:
    """Volume, then each member's mix and rate, ending at the total change."""
    labels, values = [], []
    if decomposition["volume"]:
        labels.append("Volume")
        values.append(decomposition["volume"])
    for member in decomposition["members"]:
        shown = escape_plot_text(member["member"])
        labels += [f"{shown} mix", f"{shown} rate"]
        values += [member["mix"], member["rate"]]
    fig = go.Figure(
        go.Waterfall(
            x=[*labels, "Total change"],
            y=[*values, decomposition["total_change"]],
            measure=[*(["relative"] * len(values)), "total"],
            increasing={"marker": {"color": COLOURS[rise_tone(kpi)]}},
            decreasing={"marker": {"color": COLOURS[fall_tone(kpi)]}},
            totals={"marker": {"color": PRIMARY}},
            connector={"line": {"color": FLAT, "width": 1}},
        )
    )
    fig.update_yaxes(**_change_axis(kpi))
    return fit_layout(fig, 360)


def _change_axis(kpi: Kpi) -> dict[str, Any]:
    if kpi.unit is Unit.SCORE:
        return {"ticksuffix": " pts", "tickformat": ".1f"}
    return axis_format(kpi.unit)


def add_target_line(fig: go.Figure, target: Mapping[str, Any] | None) -> go.Figure:
    """The target that applies to the view, as a dashed line labelled with its value."""
    if target is not None:
        fig.add_hline(
            y=target["target"],
            line={"color": TARGET, "dash": "dash", "width": 2},
            annotation_text=f"target {target['target']:g}",
            annotation_position="top left",
            annotation_font={"color": TARGET},
        )
    return fig
