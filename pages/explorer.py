"""KPI explorer: one KPI's trend, its breakdown by segment and region, and drill-down."""

from functools import partial

import streamlit as st

from cxcore.app.views import COMPARE_LABELS
from cxcore.metrics.registry import KPI_BY_NAME, KPIS
from cxcore.ui import cards, charts, data, explore, layout, shell, voice, voice_charts

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
with header:
    layout.page_header("KPI explorer", view, coverage, result["comparison"], kpi.label, path)

explore.breadcrumb(view, path, coverage)
loaded = kpi.source in data.cockpit().tables
left, right = st.columns([1, 3], gap="large")
with left:
    cards.card(
        kpi, result["kpis"][name], data.sparkline_rows(view), loaded, cards.versus_label(result)
    )
    if note := voice.card_notes(view, result).get(name):
        st.caption(note)
    st.caption(kpi.description)
with right:
    points = charts.series_points(data.history_rows(view), name, coverage.first_day)
    trend = charts.trend_figure(points, kpi, view.start, view.end, COMPARE_LABELS[view.compare])
    st.plotly_chart(
        voice_charts.add_target_line(trend, voice.target_for(view, name)),
        key="trend",
        config={"displayModeBar": False},
    )
    charts.download(charts.points_frame(points), f"{name}_monthly", "dl_trend")

st.subheader("Breakdown", anchor=False)
st.caption("Click a bar or a cell to drill down; the breadcrumb above steps back.")
columns = st.columns(2, gap="large")
for dim, column in zip(("segment", "region"), columns, strict=True):
    with column:
        st.markdown(f"**By {dim}**")
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
        charts.download(frame, f"{name}_by_{dim}", f"dl_{dim}")
        st.caption(voice.member_statuses(view, name, dim, by_member))

st.markdown("**Segment × region**")  # noqa: RUF001
pair = charts.breakdown_frame(
    data.view_kpis(view, ("segment", "region")), kpi, ("segment", "region")
)
key = f"heat_{abs(hash(view)) % 10**8}"
st.plotly_chart(
    charts.heatmap_figure(
        pair,
        "segment",
        "region",
        kpi,
        coverage.dimensions["segment"],
        coverage.dimensions["region"],
    ),
    key=key,
    on_select=partial(explore.on_pick, key, ("segment", "region"), coverage),
    selection_mode="points",
    config={"displayModeBar": False},
)
charts.download(pair, f"{name}_by_segment_region", "dl_pair")
