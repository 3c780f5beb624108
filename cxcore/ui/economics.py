"""The customer economics page's parts: cohort triangles, lifetime value next to CAC, holdout.

Numbers come from the cockpit (cohorts, the fitted lifetime-value models) and
are kept per data source and version like every other cached answer: the
cached functions take both as arguments, and the run's cockpit is that very
source and version. Fitting
the models is the slow part: it runs once per (source, version, calibration
end, filters) behind a spinner, and the fitted models are kept as they are
(no copy per run) while the cheap summaries are cached as plain data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from cxcore.analytics import clv_report
from cxcore.analytics.clv_value import DAYS_PER_MONTH
from cxcore.app.formatting import escape_markdown, format_day, format_value
from cxcore.app.views import Filters, View
from cxcore.data.names import column_label
from cxcore.metrics.kpi import Unit, ratio
from cxcore.metrics.periods import add_months
from cxcore.metrics.registry import KPI_BY_NAME
from cxcore.ui import data

TTL = dt.timedelta(hours=1)
MEASURES = {"retention": "Customers with an order", "revenue_per_customer": "Revenue per customer"}
FITTING = "Fitting the lifetime-value models to this data (once per data version)…"
HOLDOUT_MONTHS = (3, 6, 12)
HOLDOUT_OPEN = "_cx_holdout_open"  # the holdout check's expander: fitted only when open
EXPECTED, ACTUAL = "#9db7d5", "#1f4e79"


# -- data --------------------------------------------------------------------------------------
@st.cache_data(ttl=TTL, max_entries=128, show_spinner="Building the cohorts…")
def cohorts(
    source: str, version: int | None, first: dt.date, last: dt.date, filters: Filters, basis: str
) -> dict[str, Any]:
    return data.cockpit().cohorts(first, last, dict(filters), basis=basis)


@st.cache_resource(ttl=TTL, max_entries=clv_report.FITS_KEPT, show_spinner=FITTING)
def fitted(
    source: str,
    version: int | None,
    calibration_end: dt.date,
    filters: Filters,
    holdout_end: dt.date | None = None,
) -> clv_report.FittedClv | str:
    """The fitted models, or why this data cannot support them (shown instead of numbers)."""
    try:
        return data.cockpit().clv_fit(calibration_end, dict(filters), holdout_end)
    except clv_report.ModelError as err:
        return str(err)


@st.cache_data(ttl=TTL, max_entries=128, show_spinner="Valuing every customer…")
def clv_by(
    source: str,
    version: int | None,
    calibration_end: dt.date,
    filters: Filters,
    horizon: int,
    by: str,
) -> dict[str, Any] | str:
    model = fitted(source, version, calibration_end, filters)
    if isinstance(model, str):
        return model
    try:
        return clv_report.summary(model, horizon, clv_report.DEFAULT_DISCOUNT_MONTHLY, by)
    except clv_report.ModelError as err:
        return str(err)


def cohort_span(view: View, whole_year: bool) -> tuple[dt.date, dt.date]:
    """The view's period, or the twelve months up to its end (a triangle worth reading)."""
    if not whole_year:
        return view.start, view.end
    return add_months(view.end.replace(day=1), -11), view.end


# -- cohorts -----------------------------------------------------------------------------------
def cohort_frame(result: dict[str, Any]) -> pl.DataFrame:
    rows = [
        {"cohort": c["cohort"], "size": c["size"], **m}
        for c in result["cohorts"]
        for m in c["months"]
    ]
    schema = {"cohort": pl.String, "size": pl.Int64, "k": pl.Int64, "month": pl.String}
    return pl.DataFrame(rows) if rows else pl.DataFrame(schema=schema)


def triangle_figure(result: dict[str, Any], measure: str) -> go.Figure:
    """Cohorts as rows, months since the start as columns: the familiar triangle."""
    entries = result["cohorts"]
    width = max((len(c["months"]) for c in entries), default=0)
    labels = [f"{c['cohort'][:7]} ({c['size']:,})" for c in entries]
    z = [[m[measure] for m in c["months"]] + [None] * (width - len(c["months"])) for c in entries]
    percent = measure == "retention"
    text = [[_cell(v, percent) for v in row] for row in z]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=list(range(width)),
            y=labels,
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            hovertemplate="Cohort %{y}<br>Month %{x}<br>%{text}<extra></extra>",
            showscale=False,
        )
    )
    figure.update_layout(
        height=max(260, 28 * len(entries) + 90),
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        xaxis={"title": "Months since the cohort's first month", "dtick": 1},
        yaxis={"autorange": "reversed", "title": None, "type": "category"},
    )
    return figure


def average_figure(result: dict[str, Any], measure: str) -> go.Figure:
    curve = result["average"]
    figure = go.Figure(
        go.Scatter(
            x=[p["k"] for p in curve],
            y=[p[measure] for p in curve],
            mode="lines+markers",
            line={"color": ACTUAL},
            hovertemplate="Month %{x}: %{y}<extra></extra>",
        )
    )
    figure.update_layout(
        height=260,
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        xaxis={"title": "Months since the cohort's first month", "dtick": 1},
        yaxis={"tickformat": ".0%" if measure == "retention" else ",.0f", "rangemode": "tozero"},
    )
    return figure


def _cell(value: float | None, percent: bool) -> str:
    if value is None:
        return ""
    return f"{value:.0%}" if percent else f"{value:,.0f}"


# -- lifetime value ----------------------------------------------------------------------------
def clv_table(summary: dict[str, Any], cac: dict[str, Any], by: str) -> pl.DataFrame:
    """Per member: customers, mean and median CLV, CAC over the view, and CLV / CAC."""
    costs = {e[by]: e["kpis"]["cac"]["value"] for e in cac.get("breakdown", [])}
    rows = []
    for entry in summary["by"]:
        member_cac = costs.get(entry[by])
        multiple = ratio(entry["mean_clv"], member_cac)
        rows.append(
            {
                by: entry[by],
                "customers": entry["customers"],
                "mean_clv": entry["mean_clv"],
                "median_clv": entry["median_clv"],
                "cac": member_cac,
                "clv_to_cac": multiple,
            }
        )
    return pl.DataFrame(rows, schema=_CLV_SCHEMA | {by: pl.String}, orient="row")


_CLV_SCHEMA: dict[str, Any] = {
    "customers": pl.Int64,
    "mean_clv": pl.Float64,
    "median_clv": pl.Float64,
    "cac": pl.Float64,
    "clv_to_cac": pl.Float64,
}


def show_clv_table(frame: pl.DataFrame, by: str) -> None:
    """The table as a reader sees it: money formatted, the ratio as a multiple."""
    money = KPI_BY_NAME["cac"].unit
    rows = [
        {
            column_label(by): escape_markdown(str(row[by])),  # st.table: markdown
            "Customers": format_value(row["customers"], Unit.COUNT),
            "Mean CLV": format_value(row["mean_clv"], money),
            "Median CLV": format_value(row["median_clv"], money),
            "CAC": format_value(row["cac"], money),
            "CLV / CAC": _multiple(row["clv_to_cac"]),
        }
        for row in frame.iter_rows(named=True)
    ]
    st.table(pl.DataFrame(rows).to_pandas().set_index(column_label(by)))


def _multiple(value: float | None) -> str:
    return format_value(value, Unit.NUMBER) + ("" if value is None else "\N{MULTIPLICATION SIGN}")


def holdout_figure(check: dict[str, Any]) -> go.Figure:
    groups = check["by_frequency"]
    x = [g["frequency"] for g in groups]
    figure = go.Figure(
        [
            go.Bar(name="Expected", x=x, y=[g["expected"] for g in groups], marker_color=EXPECTED),
            go.Bar(name="Actual", x=x, y=[g["actual"] for g in groups], marker_color=ACTUAL),
        ]
    )
    figure.update_layout(
        barmode="group",
        height=300,
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        xaxis={"title": "Repeat purchase days before the holdout", "type": "category"},
        yaxis={"title": "Purchase days per customer in the holdout"},
        legend={"orientation": "h", "y": 1.1},
    )
    return figure


def holdout_section(source: str, version: int | None, last_day: dt.date, filters: Filters) -> None:
    """The holdout check, in a section fitted only once the reader opens it: its own
    model costs as much as the one above (some 20 s at a million customers)."""
    holdout = st.expander(
        "**Can the model be trusted here?** Fit it without the last months and compare",
        icon=":material/fact_check:",
        key=HOLDOUT_OPEN,
        on_change="rerun",
    )
    if not holdout.open:
        return
    with holdout:
        months = st.radio(
            "Holdout",
            HOLDOUT_MONTHS,
            index=1,
            format_func=lambda m: f"last {m} months",
            horizontal=True,
            key="_cx_holdout",
        )
        calibration_end, holdout_end = holdout_span(last_day, months)
        model = fitted(source, version, calibration_end, filters, holdout_end)
        if isinstance(model, str):
            st.warning(model, icon=":material/warning:")
            return
        check = clv_report.holdout(model, holdout_end)
        st.caption(holdout_caption(check, calibration_end, holdout_end))
        st.plotly_chart(
            holdout_figure(check), key="_cx_holdout_chart", config={"displayModeBar": False}
        )


def holdout_span(last_day: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """Calibrate up to `months` model months before the last day; the rest is the holdout.

    A month here is the lifetime-value model's own month of 30 days, the unit its
    horizon is given in, so the holdout asks the model a question in its own terms.
    """
    return last_day - dt.timedelta(days=DAYS_PER_MONTH * months), last_day


def clv_caption(horizon: int, end: dt.date) -> str:
    return (
        f"Expected spend of each customer over the next {horizon} months after"
        f" {format_day(end)}, discounted {clv_report.DEFAULT_DISCOUNT_MONTHLY:.0%} a month"
        " (BG/NBD and Gamma-Gamma, fitted on the orders up to then);"
        " CAC is marketing spend per new customer over the period."
    )


def holdout_caption(check: dict[str, Any], calibration_end: dt.date, holdout_end: dt.date) -> str:
    expected, actual = (
        format_value(check["expected"], Unit.COUNT),
        format_value(check["actual"], Unit.COUNT),
    )
    return (
        f"Fitted on the orders up to {format_day(calibration_end)}; the model expected"
        f" {expected} purchase days from these {format_value(check['customers'], Unit.COUNT)}"
        f" customers up to {format_day(holdout_end)}, and they made {actual}."
    )
