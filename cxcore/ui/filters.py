"""The sidebar filters every page shares, each bound to a readable URL parameter.

The widgets are drawn by the router (app.py) before the page runs, so their
bindings belong to the main script and survive page switches. Streamlit drops
an invalid bound value silently; a shared link deserves better, so on a
session's first run the raw link is read and checked here, and what had to be
dropped is shown as a notice. Streamlit seeds a bound widget its own way (only
from an option's on-screen label, `compare=Last+year`, `kpi=NPS`; dates more
loosely than the check); so on that first run, before any widget is drawn, the
address is rewritten to the view the check decided, machine spellings
(`compare=yoy`, `kpi=nps`) included, and the run restarts from it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from cxcore.app.formatting import escape_markdown, in_sentence, quote_untrusted
from cxcore.app.links import Parsed, parse_params
from cxcore.app.views import (
    COMPARE,
    COMPARE_LABELS,
    END,
    KPI,
    PERIOD,
    START,
    Coverage,
    View,
    filter_key,
    make_filters,
    matching_preset,
)
from cxcore.data.contract import BASE_DIMENSIONS
from cxcore.data.names import column_label
from cxcore.metrics.registry import KPI_BY_NAME, KPIS

CHECKED, PROBLEMS = "_cx_link_checked", "_cx_link_problems"
PENDING, PRESET = "_cx_pending", "_cx_preset"
VERSION_PROBLEMS = "_cx_version_problems"  # a bad `v=`, found when the data is opened
DATE_FORMAT = "YYYY-MM-DD"


def sidebar(cov: Coverage) -> View:
    """Draw the filters and return the view they describe."""
    _check_link_once(cov)
    _apply_pending()
    _dates_in_address(cov)
    _drop_members_gone(cov)
    with st.sidebar:
        st.markdown("#### Period")
        preset_slot = st.container()
        start, end = _dates(cov)
        with preset_slot:
            _presets(cov, start, end)
        compare = st.radio(
            "Compare with",
            list(COMPARE_LABELS),
            format_func=COMPARE_LABELS.__getitem__,
            key=COMPARE,
            bind="query-params",
            horizontal=True,
        )
        st.markdown("#### Customers")
        chosen = _dimension_filters(cov)
        st.button("Reset view", icon=":material/restart_alt:", on_click=reset, args=(cov,))
    return View(start, end, compare or "previous", make_filters(chosen))


def current_view(cov: Coverage) -> View:
    """The view as the widgets hold it, for callbacks that run before the script."""
    default = cov.default_view
    state = st.session_state
    return View(
        state.get(START, default.start),
        state.get(END, default.end),
        state.get(COMPARE, "previous") or "previous",
        make_filters({d: state.get(filter_key(d)) or [] for d in cov.filter_dimensions}),
    )


def set_filters(view: View, cov: Coverage) -> None:
    """Make the widgets show `view`'s filters (from a callback, before they are drawn)."""
    for dim in cov.filter_dimensions:
        st.session_state[filter_key(dim)] = list(view.members(dim))


def reset(cov: Coverage) -> None:
    default = cov.default_view
    st.session_state[START], st.session_state[END] = default.start, default.end
    st.session_state[COMPARE] = "previous"
    set_filters(default, cov)


def notice() -> None:
    """What a broken link lost, in plain words, until the reader dismisses it."""
    problems: list[str] = st.session_state.get(PROBLEMS) or []
    if not problems:
        return
    with st.container(border=True, key="link_notice"):
        text = "\n".join(f"- {p}" for p in problems)
        st.warning(
            "**This link could not be followed in full**; the rest of the view is shown "
            f"with defaults:\n{text}",
            icon=":material/link_off:",
        )
        st.button("Dismiss", key="dismiss_notice", on_click=st.session_state.pop, args=(PROBLEMS,))


def report(problem: str) -> None:
    """A problem a page found in the link (one of its own choices) joins the notice; the
    run restarts, since the notice is drawn before the page."""
    st.session_state[PROBLEMS] = [*(st.session_state.get(PROBLEMS) or []), problem]
    st.rerun()


# -- pieces ------------------------------------------------------------------------
def _check_link_once(cov: Coverage) -> None:
    if st.session_state.get(CHECKED):
        return
    st.session_state[CHECKED] = True
    raw = {key: st.query_params.get_all(key) for key in st.query_params}
    parsed = parse_params(raw, cov, {k.name: k.label for k in KPIS})
    st.session_state[PROBLEMS] = st.session_state.pop(VERSION_PROBLEMS, []) + parsed.problems
    _follow_in_address(raw, parsed, cov)


def _follow_in_address(raw: dict[str, list[str]], parsed: Parsed, cov: Coverage) -> None:
    """The address is rewritten to the view the link check decided, and the run restarts.

    Streamlit seeds each bound widget from the address the run started with, in
    its own way: a date widget takes the first of a repeated date, `2025/01/01` as
    a day and `20250101` as none; it leaves a start after the end in the address;
    it reads `compare=yoy` and `kpi=nps` as nothing. So before any widget is drawn,
    each parameter the check read otherwise is written as the widget reads it
    (`YYYY-MM-DD`, the label; a moving link's preset as its dates), and the run
    starts again from it: the widgets and the address then hold the view the
    notice describes (the notice is already decided and kept).
    """
    default, view = cov.default_view, parsed.view
    wanted = {
        START: (view.start.isoformat(), view.start == default.start),
        END: (view.end.isoformat(), view.end == default.end),
        COMPARE: (COMPARE_LABELS[view.compare], view.compare == "previous"),
    }
    if parsed.kpi_name is not None:
        wanted[KPI] = (KPI_BY_NAME[parsed.kpi_name].label, False)
    fixed = {
        key: value
        for key, (value, usual) in wanted.items()
        if raw.get(key, [value] if usual else []) != [value]
    }
    if fixed or PERIOD in raw:  # a moving link has done its work: the dates hold the view
        st.query_params.pop(PERIOD, None)
        st.query_params.update(fixed)  # a default is then left out by the widget
        st.rerun()


def _apply_pending() -> None:
    """Values decided on the previous run are set before the widgets are drawn."""
    pending: dict[str, Any] | None = st.session_state.pop(PENDING, None)
    for key, value in (pending or {}).items():
        st.session_state[key] = value


def _dates_in_address(cov: Coverage) -> None:
    """A period held while the default moved away from it is written to the address.

    Streamlit leaves a bound value equal to its default out of the address, and the
    default period moves with the data: a reader on the default quarter when a publish
    (or *See latest*) moved it kept that quarter on screen while the address named none,
    so the address, copied, opened the new default. Setting the held day again before
    its widget is drawn makes Streamlit write it.
    """
    default = cov.default_period
    for key, usual in ((START, default.start), (END, default.end)):
        held = st.session_state.get(key)
        if held is not None and held != usual and key not in st.query_params:
            st.session_state[key] = held


def _drop_members_gone(cov: Coverage) -> None:
    """A filter member the data shown no longer has is dropped, and the notice says so.

    The data can change under a session: *See latest* on a pinned link, or a publish
    while the page is open. A multiselect whose value is no longer among its options
    drops it without a word, so the view silently widened (a link pinned to a version
    with segment "Retail" showed every segment's numbers after *See latest*).
    """
    gone: list[str] = []
    for dim in cov.filter_dimensions:
        key = filter_key(dim)
        held: list[str] = st.session_state.get(key) or []
        known = set(cov.dimensions[dim])
        kept = [m for m in held if m in known]
        if kept != held:
            gone += [f"{dim} {quote_untrusted(m)}" for m in held if m not in known]
            st.session_state[key] = kept
    if gone:
        problems = st.session_state.get(PROBLEMS) or []
        st.session_state[PROBLEMS] = [
            *problems,
            "The data shown has no " + ", ".join(gone) + "; dropped from the filters.",
        ]


def _dates(cov: Coverage) -> tuple[dt.date, dt.date]:
    default = cov.default_period
    common: dict[str, Any] = {
        "min_value": cov.first_day,
        "max_value": cov.last_day,
        "format": DATE_FORMAT,
        "bind": "query-params",
    }
    start = st.date_input("From", value=default.start, key=START, **common)
    end = st.date_input("To", value=default.end, key=END, **common)
    if start > end:  # a start picked after the end drags the end along
        st.session_state[PENDING] = {END: start}
        st.rerun()
    return start, end


def _presets(cov: Coverage, start: dt.date, end: dt.date) -> None:
    st.session_state[PRESET] = matching_preset(start, end, cov.presets)
    st.pills(
        "Preset",
        list(cov.presets),
        key=PRESET,
        label_visibility="collapsed",
        on_change=_apply_preset,
        args=(cov,),
    )


def _apply_preset(cov: Coverage) -> None:
    chosen = st.session_state.get(PRESET)
    period = cov.presets.get(chosen or "")
    if period is not None:
        st.session_state[START], st.session_state[END] = period.start, period.end


def _dimension_filters(cov: Coverage) -> dict[str, list[str]]:
    chosen: dict[str, list[str]] = {}
    front = [d for d in cov.filter_dimensions if d in BASE_DIMENSIONS]
    further = [d for d in cov.filter_dimensions if d not in BASE_DIMENSIONS]
    for dim in front:
        chosen[dim] = _multiselect(cov, dim)
    if further:
        # Open when any of them filters: on a link's first run the widgets hold nothing yet
        # (they are seeded from the address when drawn), so the address is asked too.
        opened = any(
            st.session_state.get(filter_key(d)) or filter_key(d) in st.query_params for d in further
        )
        with st.expander("More filters", expanded=opened):
            for dim in further:
                chosen[dim] = _multiselect(cov, dim)
    return chosen


def _multiselect(cov: Coverage, dim: str) -> list[str]:
    label = column_label(dim)
    return st.multiselect(
        escape_markdown(label),
        list(cov.dimensions[dim]),
        key=filter_key(dim),
        bind="query-params",
        placeholder=f"All — {escape_markdown(in_sentence(label))}",
    )
