"""The voice of the customer in the app: cached answers per view, and the page's sections.

Every answer is cached by data source, data version and view (the opened
cockpit is passed unhashed), like the KPI set in `cxcore.ui.data`, so two
versions never share an entry. The sections draw what the contracts return;
the words come from `cxcore.ui.voice_words`, the figures from `voice_charts`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl
import streamlit as st

from cxcore import Cockpit
from cxcore.analytics.significance import CONFIDENCE, VerdictKind
from cxcore.app.views import MOVED_BY, MOVED_KPI, View
from cxcore.data.names import column_label
from cxcore.metrics.registry import KPI_BY_NAME
from cxcore.metrics.targets import applicable, statuses
from cxcore.ui import data, layout, voice_charts, voice_words
from cxcore.ui.options import Choices
from cxcore.ui.tables import safe_frame
from cxcore.voice.drivers import quadrant
from cxcore.voice.journeys import fix_first
from cxcore.voice.moved import BASES
from cxcore.voice.value import worth

TTL_SECONDS = 3600


@st.cache_data(ttl=TTL_SECONDS, max_entries=128, show_spinner=False)
def _answer(
    source: str, version: int | None, view: View, what: str, _cockpit: Cockpit
) -> dict[str, Any]:
    filters = view.filter_dict
    if what == "drivers":
        return _cockpit.drivers(view.start, view.end, filters)
    if what == "value":
        return _cockpit.nps_value(view.start, view.end, view.compare, filters)
    if what == "journeys":
        return _cockpit.journeys(view.start, view.end, view.compare, filters)
    if what == "changes":
        return _cockpit.changes(view.start, view.end, view.compare, filters)
    kpi, by = what.split(":", 1)
    return _cockpit.why_it_moved(kpi, view.start, view.end, view.compare, filters, by)


def answer(view: View, what: str) -> dict[str, Any]:
    """`drivers`, `value`, `journeys`, `changes` or `moved:<kpi>:<by>` for this run's data."""
    what = what.removeprefix("moved:")
    return _answer(data.data_source(), data.data_version(), view, what, data.cockpit())


def card_notes(view: View, result: Mapping[str, Any]) -> dict[str, str]:
    """Each KPI's status against its target and its change's significance, in words."""
    cockpit = data.cockpit()
    changes = answer(view, "changes")
    statuses = _statuses(cockpit, result)
    notes = {}
    for name, kpi in KPI_BY_NAME.items():
        note = voice_words.card_note(kpi, statuses.get(name), changes.get(name))
        if note:
            notes[name] = note
    return notes


def _statuses(cockpit: Cockpit, result: Mapping[str, Any]) -> dict[str, dict[str, object]]:
    return statuses(cockpit.targets, result["kpis"], result["filters"])


def target_for(view: View, kpi: str) -> dict[str, Any] | None:
    """The target that applies to the view for `kpi`, as a dictionary (None: no target)."""
    found = applicable(data.cockpit().targets, kpi, view.filter_dict)
    return None if found is None else found.as_dict()


def member_statuses(view: View, kpi: str, by: str, breakdown: Mapping[str, Any]) -> str:
    """The breakdown's members, each judged against the target that applies to it."""
    targets = data.cockpit().targets
    rows = breakdown.get("breakdown", [])
    return voice_words.member_statuses(targets, KPI_BY_NAME[kpi], view.filter_dict, by, rows)


def headline(view: View) -> None:
    """Which journey and which driver to fix first, and what experience is worth."""
    journeys, drivers = answer(view, "journeys"), answer(view, "drivers")
    value = answer(view, "value")
    journey = fix_first(journeys["journey"]["members"]) if journeys.get("journey") else None
    split = quadrant(drivers)
    with layout.stack_when_narrow("answers"):
        left, middle, right = st.columns(3, gap="large")
    with left, st.container(border=True):
        st.markdown("**Journey to fix first**")
        st.markdown(voice_words.journey_sentence(journey))
    with middle, st.container(border=True):
        st.markdown("**Driver to fix first**")
        st.markdown(voice_words.driver_sentence(drivers["drivers"], split.fix_first))
    with right, st.container(border=True):
        st.markdown("**What experience is worth**")
        days = (view.end - view.start).days + 1
        sentence = voice_words.value_sentence(worth(value["groups"], days))
        st.markdown(sentence or "Too few answering customers in the period before to tell.")


def drivers_section(view: View) -> None:
    drivers = answer(view, "drivers")
    split = quadrant(drivers)
    st.subheader("Key drivers", anchor=False)
    st.caption(
        "Importance: how closely a rating moves with the score; performance: its mean rating;"
        " bubble size: relative weight (the weights add up to the R² of score on all drivers"
        + (f", here {drivers['r_squared']:.2f})." if drivers["r_squared"] is not None else ").")
    )
    st.plotly_chart(
        voice_charts.quadrant_figure(drivers, split),
        key="_cx_voice_quadrant",
        config={"displayModeBar": False},
    )


def journeys_section(view: View) -> None:
    journeys = answer(view, "journeys")
    st.subheader("Journeys and touchpoints", anchor=False)
    for attribute in ("journey", "touchpoint"):
        part = journeys.get(attribute)
        if part is None:
            st.caption(f"The survey answers have no {attribute} column.")
            continue
        frame = journey_frame(attribute, part["members"])
        st.dataframe(safe_frame(frame), hide_index=True, column_config=JOURNEY_FORMATS)
    st.caption(
        "Change: NPS points against the comparison period. Spread: how many percentage points"
        " better the promoters of the comparison period retained in this one than its"
        " detractors. " + _prediction_words(journeys)
    )


# Every figure with one decimal (a change of 0 reads "0.0" beside "3.1"), counts grouped;
# narrow figures (pixels), so the verdict's words fit beside them in half the page.
REAL = f"Real? ({CONFIDENCE:.0%})"  # is the change more than chance, at that confidence
FIGURE_WIDTH = 60
JOURNEY_FORMATS = {
    "Answers": st.column_config.NumberColumn(format="localized", width=FIGURE_WIDTH),
    **{
        name: st.column_config.NumberColumn(format="%.1f", width=FIGURE_WIDTH)
        for name in ("NPS", "Change", "Spread")
    },
}


def journey_frame(attribute: str, members: list[Mapping[str, Any]]) -> pl.DataFrame:
    """One row per journey (or touchpoint), headed with its name as the page reads it."""
    schema = {
        column_label(attribute): pl.String,
        "Answers": pl.Int64,
        "NPS": pl.Float64,
        "Change": pl.Float64,
        REAL: pl.String,
        "Spread": pl.Float64,
    }
    rows = [
        (
            m["member"],
            m["responses"],
            _one_decimal(m["nps"]),
            _one_decimal(m["change"]),
            real_cell(m["significance"]),
            _one_decimal(_pp(m["next_period"]["retention_spread"])),
        )
        for m in members
    ]
    return pl.DataFrame(rows, schema=schema, orient="row")


def real_cell(significance: Mapping[str, Any] | None) -> str:
    """The verdict in a table cell: 'yes, fall' rather than 'significant fall (95%)', so the
    figures beside it keep their room on a laptop screen; too few answers say how few."""
    if significance is None:
        return ""
    if significance["significant"]:
        return f"yes, {significance['verdict']}"
    if significance["verdict"] == VerdictKind.TOO_FEW:
        return str(significance["words"])
    return "no"


def _pp(share: float | None) -> float | None:
    return None if share is None else share * 100


def _one_decimal(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _prediction_words(journeys: Mapping[str, Any]) -> str:
    """How well each level's NPS foretells its answering customers' retention next period."""
    said = []
    for attribute in ("journey", "touchpoint"):
        part = journeys.get(attribute)
        r = part["prediction"]["retention"] if part else None
        if r is not None:
            said.append(f"{attribute} NPS r = {r:.2f}")
    if not said:
        return "Too few answers to tell whether journeys or touchpoints foretell retention."
    return (
        "Correlation of an answer's NPS (of its journey or touchpoint, in the period before)"
        " with that customer's retention in this period: " + "; ".join(said) + "."
    )


def moved_section(view: View, dimensions: list[str], choices: Choices) -> None:
    """Why a KPI moved, split by a dimension; both choices in the link (`moved_kpi`,
    `moved_by`)."""
    st.subheader("Why it moved", anchor=False)
    left, right = st.columns(2)
    kpi_name = choices.one_of(
        left.selectbox,
        "KPI",
        list(BASES),
        MOVED_KPI,
        format_func=lambda n: KPI_BY_NAME[n].label,
    )
    by = choices.one_of(right.selectbox, "Split by", dimensions, MOVED_BY)
    moved = answer(view, f"moved:{kpi_name}:{by}")
    kpi = KPI_BY_NAME[kpi_name]
    split = moved["decomposition"]
    st.markdown(voice_words.movers_sentence(kpi, by, split, moved.get("reason")))
    if split is not None and split["members"]:
        st.plotly_chart(
            voice_charts.waterfall_figure(kpi, split),
            key="_cx_voice_waterfall",
            config={"displayModeBar": False},
        )
        st.caption(f"Base: {moved['base']}. Volume, mix and rate add up to the total change.")
