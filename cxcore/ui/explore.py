"""The explorer's drill-down: clicks join the filters, a breadcrumb steps back.

The drill path (the order in which dimensions were drilled) is kept in the
URL as `drill=segment,region`; the members themselves are the filters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from cxcore.app.formatting import escape_markdown
from cxcore.app.views import (
    BY_FIRST,
    BY_SECOND,
    DRILL,
    Coverage,
    View,
    drill_into,
    format_drill,
    step_back,
    valid_drill,
)
from cxcore.data.contract import BASE_DIMENSIONS
from cxcore.data.names import column_label

from . import filters
from .options import Choices


def breakdown_dimensions(cov: Coverage, choices: Choices) -> tuple[str, str]:
    """The two dimensions the breakdown shows (bars each, a heatmap of both): segment and
    region unless the reader picks any other customer dimension the data has; in the link
    as `by_first` and `by_second`."""
    dims = list(cov.filter_dimensions)
    usual = [d for d in BASE_DIMENSIONS if d in dims]
    usual += [d for d in dims if d not in BASE_DIMENSIONS]
    with st.container(horizontal=True, gap="medium"):
        first = choices.one_of(
            st.selectbox,
            "Break down by",
            dims,
            BY_FIRST,
            index=dims.index(usual[0]),
            format_func=column_label,
            width=220,
        )
        rest = [d for d in dims if d != first] or [first]
        default = next((d for d in usual if d != first), rest[0])
        second = choices.one_of(
            st.selectbox,
            "and by",
            rest,
            BY_SECOND,
            index=rest.index(default),
            format_func=column_label,
            width=220,
        )
    return first, second


def drill_path(view: View) -> list[str]:
    """The URL's drill path, kept only where it still matches the filters."""
    raw = st.query_params.get(DRILL, "")
    path = valid_drill([p for p in raw.split(",") if p], view)
    _write(path)
    return path


def _write(path: Sequence[str]) -> None:
    text = format_drill(path)
    if st.query_params.get(DRILL, "") != text:
        if text:
            st.query_params[DRILL] = text
        else:
            del st.query_params[DRILL]


def on_pick(chart_key: str, dims: Sequence[str], cov: Coverage) -> None:
    """A bar or cell was clicked: its members join the filters and the path."""
    event: Any = st.session_state.get(chart_key) or {}
    points = (event.get("selection") or {}).get("points") or []
    if not points:
        return
    picked = points[0].get("customdata")
    members = [picked] if isinstance(picked, str) else list(picked or [])
    if len(members) != len(dims):
        return
    view = filters.current_view(cov)
    path = valid_drill(_raw_path(), view)
    view, path = drill_into(view, path, dict(zip(dims, members, strict=True)))
    filters.set_filters(view, cov)
    _write(path)


def _raw_path() -> list[str]:
    return [p for p in st.query_params.get(DRILL, "").split(",") if p]


def _back(depth: int, cov: Coverage) -> None:
    view = filters.current_view(cov)
    view, path = step_back(view, valid_drill(_raw_path(), view), depth)
    filters.set_filters(view, cov)
    _write(path)


def breadcrumb(view: View, path: Sequence[str], cov: Coverage) -> None:
    """All customers › Enterprise › North; every step but the last goes back to it."""  # noqa: RUF002  # noqa: RUF002
    with st.container(horizontal=True, gap="small", vertical_alignment="center", key="breadcrumb"):
        steps = ["All customers", *[view.members(d)[0] for d in path]]
        for depth, label in enumerate(steps):
            if depth:
                st.markdown(":gray[›]", width="content")  # noqa: RUF001
            last = depth == len(steps) - 1
            st.button(
                escape_markdown(label),
                key=f"crumb_{depth}",
                type="tertiary",
                disabled=last,
                on_click=_back,
                args=(depth, cov),
                icon=":material/home:" if depth == 0 else None,
            )
