"""KPI explorer: one KPI's trend, its breakdown by any two customer dimensions, drill-down."""

from functools import partial

import streamlit as st

from cxcore.app.coverage import reads_prior
from cxcore.app.formatting import escape_markdown, format_period
from cxcore.app.views import COMPARE_LABELS, trend_note
from cxcore.data.names import column_label
from cxcore.metrics.registry import KPI_BY_NAME, KPIS
from cxcore.ui import cards, charts, data, explore, layout, options, shell, voice, voice_charts

coverage = data.coverage()
view = shell.page_view()
header = st.container()
name = st.selectbox(
    "KPI",
    [k.name for k in KPIS],
    format_func=lambda n: KPI_BY_NAME[n].label,
    key="kpi",
    bind="query-params",
)
kpi = KPI_BY_NAME[name]
path = explore.drill_path(view)
result = data.view_kpis(view)
choices = options.Choices()

explore.breadcrumb(view, path, coverage)
span = coverage.spans.get(kpi.source)
left, right = st.columns([1, 3], gap="large")
with left:
    cards.card(
        kpi,
        result["kpis"][name],
        data.sparkline_rows(view),
        view,
        coverage.spans,
        cards.versus_label(result),
    )
    if note := voice.card_notes(view, result).get(name):
        st.caption(note)
    st.caption(kpi.description)
with right:
    first_day = span.first_day if span else coverage.first_day
    rows = charts.series_points(data.history_rows(view), name, first_day)
    points = charts.mark_coverage(rows, span, coverage.last_day)
    period = format_period(view.start, view.end)
    st.caption(trend_note(kpi.label, reads_prior(kpi), view.compare, period))
    trend = charts.trend_figure(points, kpi, view.start, view.end, COMPARE_LABELS[view.compare])
    st.plotly_chart(
        voice_charts.add_target_line(trend, voice.target_for(view, name)),
        key="trend",
        config={"displayModeBar": False},
    )
    charts.download(charts.points_frame(points), f"{name}_monthly", "dl_trend")

st.subheader("Breakdown", anchor=False)
first, second = explore.breakdown_dimensions(coverage, choices)
st.caption("Click a bar or a cell to drill down; the breadcrumb above steps back.")
with layout.stack_when_narrow("breakdowns"):
    columns = st.columns(2, gap="large")
for dim, column in zip((first, second), columns, strict=True):
    with column:
        st.markdown(f"**By {escape_markdown(column_label(dim).lower())}**")
        by_member = data.view_kpis(view, (dim,))
        frame = charts.breakdown_frame(by_member, kpi, (dim,))
        key = f"bars_{dim}_{abs(hash(view)) % 10**8}"
        st.plotly_chart(
            charts.bar_figure(frame, dim, kpi),
            key=key,
            on_select=partial(explore.on_pick, key, (dim,), coverage),
            selection_mode="points",
            config={"displayModeBar": False},
        )
        charts.download(frame, f"{name}_by_{dim}", f"dl_by_{dim}")
        st.caption(voice.member_statuses(view, name, dim, by_member))

if first != second:
    pair_title = f"{column_label(first)} × {column_label(second).lower()}"  # noqa: RUF001
    st.markdown(f"**{escape_markdown(pair_title)}**")
    pair = charts.breakdown_frame(data.view_kpis(view, (first, second)), kpi, (first, second))
    key = f"heat_{abs(hash(view)) % 10**8}"
    st.plotly_chart(
        charts.heatmap_figure(
            pair, first, second, kpi, coverage.dimensions[first], coverage.dimensions[second]
        ),
        key=key,
        on_select=partial(explore.on_pick, key, (first, second), coverage),
        selection_mode="points",
        config={"displayModeBar": False},
    )
    charts.download(pair, f"{name}_by_{first}_{second}", "dl_pair")

with header:  # last, so that its link carries the breakdown chosen
    layout.page_header(
        "KPI explorer", view, coverage, result["comparison"], kpi.label, path, choices.params
    )
