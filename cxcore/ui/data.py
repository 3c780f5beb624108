"""Where the app gets its numbers: one Cockpit per process, reached through bounded caches.

`data_source` is the single place that decides which data the app reads, so a
managed store can replace the folder later without touching a page. Every
cached function takes the source as its first argument, so two data folders
never share a cache entry.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import streamlit as st

from cxcore import Cockpit, DataContractError
from cxcore import trend as trend_mod
from cxcore.views import Coverage, Filters, View

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TTL = dt.timedelta(hours=1)


def data_source() -> str:
    """The data folder: `CX_DATA`, else the sample data shipped next to app.py."""
    return os.environ.get("CX_DATA") or str(PROJECT_ROOT / "sample_data")


@st.cache_resource(show_spinner="Opening the data…", max_entries=4)
def _open(source: str) -> Cockpit:
    return Cockpit.open(source)


def cockpit() -> Cockpit:
    """The opened data, or a calm error page when it cannot be opened."""
    source = data_source()
    try:
        opened = _open(source)
    except (FileNotFoundError, DataContractError) as err:
        st.error(f"The cockpit cannot open its data: {err}", icon=":material/error:")
        st.stop()
    if opened.first_day is None or opened.last_day is None:
        st.info("The data holds no dated rows yet.", icon=":material/info:")
        st.stop()
    return opened


def coverage() -> Coverage:
    opened = cockpit()
    assert opened.first_day is not None and opened.last_day is not None
    return Coverage(opened.first_day, opened.last_day, opened.dimensions)


@st.cache_data(ttl=TTL, max_entries=512, show_spinner=False)
def kpis(source: str, view: View, by: tuple[str, ...] = ()) -> dict[str, Any]:
    """The engine's contract dictionary for one view (and breakdown)."""
    return _open(source).kpis(
        view.start, view.end, compare=view.compare, filters=view.filter_dict, by=list(by)
    )


@st.cache_data(ttl=TTL, max_entries=128, show_spinner=False)
def monthly(
    source: str, first: dt.date, last: dt.date, compare: str, filters: Filters
) -> list[dict[str, Any]]:
    """Every KPI per calendar month from `first` to `last`: one cached series per view."""
    months = trend_mod.month_periods(first, last)
    return trend_mod.monthly(_open(source), months, compare, dict(filters))


def view_kpis(view: View, by: tuple[str, ...] = ()) -> dict[str, Any]:
    return kpis(data_source(), view, by)


def sparkline_rows(view: View) -> list[dict[str, Any]]:
    """The twelve months up to the view's end, for the overview's sparklines."""
    cov = coverage()
    months = trend_mod.trailing_months(view.end, cov.first_day)
    return monthly(data_source(), months[0].start, view.end, view.compare, view.filters)


def history_rows(view: View) -> list[dict[str, Any]]:
    """Every month of the data, for the explorer's trend."""
    cov = coverage()
    return monthly(data_source(), cov.first_day, cov.last_day, view.compare, view.filters)


def available(table: str) -> bool:
    return table in cockpit().tables
