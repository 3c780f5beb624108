"""Customer economics: cohorts month by month, and lifetime value next to what a customer costs."""

import streamlit as st

from cxcore.analytics import clv_report
from cxcore.app.views import CLV_HORIZON, COHORT_SHOW, COHORT_START, COHORT_YEAR
from cxcore.data.contract import BASE_DIMENSIONS
from cxcore.ui import charts, data, economics, layout, options, shell

coverage = data.coverage()
view = shell.page_view()
source, version = data.data_source(), data.data_version()
header = st.container()  # drawn last, so that its link carries the page's choices
choices = options.Choices()
BASES = {"first_order": "the first order", "signup": "signing up"}

st.subheader("Cohorts", anchor=False)
left, middle, right = st.columns(3)
basis = choices.one_of(
    left.radio,
    "A cohort starts with",
    list(BASES),
    COHORT_START,
    format_func=BASES.__getitem__,
    horizontal=True,
)
measure = choices.one_of(
    middle.radio,
    "Show",
    list(economics.MEASURES),
    COHORT_SHOW,
    format_func=economics.MEASURES.__getitem__,
    horizontal=True,
)
with right:
    year = choices.switch(  # a short label: the long one was cut on a laptop screen
        "12 months of cohorts",
        True,
        COHORT_YEAR,
        help="On: the cohorts that started in the 12 months up to the period's end."
        " Off: only those that started in the period.",
    )
first, last = economics.cohort_span(view, year)
result = economics.cohorts(source, version, first, last, view.filters, basis)
if not result["cohorts"]:
    st.info("No cohort starts in these months for this selection.", icon=":material/info:")
else:
    st.caption(
        "Each row is a cohort (its size in brackets); each column a month since it started. "
        "A customer counts in a month with any order, refunds included."
    )
    st.plotly_chart(
        economics.triangle_figure(result, measure),
        key="_cx_triangle",
        config={"displayModeBar": False},
    )
    st.markdown("**Average curve** (the cohorts that reached each month, pooled)")
    st.plotly_chart(
        economics.average_figure(result, measure),
        key="_cx_average",
        config={"displayModeBar": False},
    )
    charts.download(economics.cohort_frame(result), f"cohorts_{basis}", "dl_cohorts")

st.subheader("Customer lifetime value", anchor=False)
horizon = choices.slider(
    "Horizon (months)",
    clv_report.HORIZONS_SHOWN,
    clv_report.DEFAULT_HORIZON_MONTHS,
    CLV_HORIZON,
)
st.caption(economics.clv_caption(horizon, view.end))
with layout.stack_when_narrow("clv"):
    columns = st.columns(2, gap="large")
for dim, column in zip(BASE_DIMENSIONS, columns, strict=True):
    with column:
        summary = economics.clv_by(source, version, view.end, view.filters, horizon, dim)
        if isinstance(summary, str):
            st.warning(summary, icon=":material/warning:")
            continue
        frame = economics.clv_table(summary, data.view_kpis(view, (dim,)), dim)
        st.markdown(f"**By {dim}**")
        economics.show_clv_table(frame, dim)
        charts.download(frame, f"clv_by_{dim}", f"dl_clv_{dim}")

with header:
    layout.page_header("Customer economics", view, coverage, choices=choices.params)
economics.holdout_section(source, version, coverage.last_day, view.filters)
