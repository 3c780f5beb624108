"""Where the app gets its numbers: one Cockpit per data version, reached through bounded caches.

`data_source` is the single place that decides which data the app reads: the
path named by `CX_DATA` (a data folder or a store), else the managed store,
created from the sample data on first start. `begin_run` decides, once
at the start of every script run, which version that run reads: the one a
link pins (`v=`), else the latest published, polled every few seconds so a new
publish reaches the next run. `data_version` then answers that same version
for the rest of the run, so a publish landing half-way through a page never
mixes numbers of two versions (cards of one, sparklines or breakdowns of the
next). The run holds its opened data until it ends (`end_run`), so a version
pruned, or dropped from the cache, while a page is drawn still serves the rest
of that page; a version pruned before the run opened it gives way to the
latest (a pinned link says so). Every cached function takes the source and the
version as its first arguments, so two sources or two versions never share a
cache entry.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from cxcore import Cockpit, DataContractError
from cxcore.app.coverage import observed_span
from cxcore.app.formatting import quote_untrusted
from cxcore.app.views import VERSION, Coverage, Filters, View
from cxcore.metrics import trend as trend_mod
from cxcore.metrics.spark_backend import SparkFailed, SparkUnavailable
from cxcore.settings import Settings, SettingsError, layered
from cxcore.store import layout as store_mod
from cxcore.store.publish import ensure_store
from cxcore.ui.filters import CHECKED, PROBLEMS, VERSION_PROBLEMS

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TTL = dt.timedelta(hours=1)
POLL_SECONDS = 3.0  # how often the latest published version is looked up
PIN = "_cx_pin"  # the session's pinned version (None: follow the latest)
RUN_VERSION = "_cx_run_version"  # the version the current script run reads
RUN_DATA = "_cx_run_data"  # (source, Cockpit) the current run reads, held until it ends
VERSION_DIGITS = re.compile(r"[0-9]{1,18}")  # ASCII digits only: `²` or `٣` is no version

_polled: dict[str, tuple[float, int]] = {}
_poll_lock = threading.Lock()


def data_source() -> str:
    """`CX_DATA` when set, else the managed store (created from the sample data if missing)."""
    settings = app_settings()
    if settings.data is not None:
        return str(settings.data)
    root = settings.store
    if not root.is_absolute():
        root = PROJECT_ROOT / root
    return _ensured(str(root))


def app_settings() -> Settings:
    """Settings: the environment first, then the `[store]` and `[engine]` sections of the
    app's secrets (`[engine] name = "spark"` serves the KPIs from Spark)."""
    try:
        setting = dict(st.secrets.get("store", {}))
        engine = dict(st.secrets.get("engine", {}))
    except (FileNotFoundError, StreamlitSecretNotFoundError):  # no secrets file: env only
        setting, engine = {}, {}
    return layered(setting, engine=engine)


@st.cache_resource(show_spinner="Preparing the data store…", max_entries=4)
def _ensured(root: str) -> str:
    ensure_store(root, PROJECT_ROOT / "sample_data")
    return root


def latest_version(source: str) -> int | None:
    """The store's published version (None for a data folder), looked up at most every few s."""
    if not store_mod.is_store(source):
        return None
    now = time.monotonic()
    with _poll_lock:
        seen = _polled.get(source)
        if seen is not None and now - seen[0] < POLL_SECONDS:
            return seen[1]
    version = store_mod.current_version(source)
    with _poll_lock:
        _polled[source] = (now, version)
    return version


def forget_versions() -> None:
    """Look the latest version up again on the next call (tests, after a publish)."""
    with _poll_lock:
        _polled.clear()


def pinned_version(source: str) -> int | None:
    """The version the link pins, checked once per session; a bad pin is reported and dropped."""
    state = st.session_state
    if PIN not in state:
        state[PIN] = _check_pin(source)
    pin: int | None = state[PIN]
    return pin


def _check_pin(source: str) -> int | None:
    raw = st.query_params.get(VERSION)
    if raw is None:
        return None
    problem = None
    if not store_mod.is_store(source):
        problem = (
            f"The link pins data version {quote_untrusted(raw)}, but this data has no versions."
        )
    elif not VERSION_DIGITS.fullmatch(raw.strip()):
        problem = (
            f"The link's data version {quote_untrusted(raw)} is not a version number; "
            "showing the latest data instead."
        )
    else:
        number = int(raw.strip())
        try:
            store_mod.read_version(source, number)
            return number
        except store_mod.StoreError:
            problem = (
                f"The link's data version {number} is not kept any more (or never existed); "
                "showing the latest data instead."
            )
    st.session_state.setdefault(VERSION_PROBLEMS, []).append(problem)
    del st.query_params[VERSION]
    return None


def begin_run() -> int | None:
    """Decide the version this script run reads; the router calls it before anything else.

    A session runs its script one run at a time, so the session state holds
    the decision for exactly this run; the next run decides afresh.
    """
    st.session_state.pop(RUN_DATA, None)
    st.session_state[RUN_VERSION] = _decided_version()
    cockpit()  # opened now: a version pruned meanwhile gives way here, before any number
    return data_version()


def end_run() -> None:
    """Let go of the run's data: a session between runs holds no version against pruning."""
    st.session_state.pop(RUN_DATA, None)


def data_version() -> int | None:
    """The version this run reads: the one `begin_run` decided (None for a data folder)."""
    state = st.session_state
    if RUN_VERSION not in state:  # a page run without the router (see shell.page_view)
        state[RUN_VERSION] = _decided_version()
    version: int | None = state[RUN_VERSION]
    return version


def _decided_version() -> int | None:
    """The pinned version, else the latest published one (None for a data folder)."""
    source = data_source()
    return pinned_version(source) or latest_version(source)


@st.cache_resource(show_spinner="Opening the data…", max_entries=4)
def _open(source: str, version: int | None) -> Cockpit:
    return Cockpit.open(source, version=version, settings=app_settings())


def cockpit() -> Cockpit:
    """The opened data, or a calm error page when it cannot be opened."""
    try:
        opened = _held()
    except (
        FileNotFoundError,
        DataContractError,
        SettingsError,
        SparkUnavailable,
        SparkFailed,
        store_mod.StoreError,
    ) as err:
        st.error(f"The cockpit cannot open its data: {err}", icon=":material/error:")
        st.stop()
    if opened.first_day is None or opened.last_day is None:
        st.info("The data holds no dated rows yet.", icon=":material/info:")
        st.stop()
    return opened


def _held() -> Cockpit:
    """The data this run reads, opened once and held by the run until it ends."""
    source = data_source()
    held = _held_as(source, data_version())
    if held is not None:
        return held
    for _ in range(store_mod.READ_ATTEMPTS):
        version = data_version()
        try:
            opened = _open(source, version)
        except store_mod.VersionNotFound:
            if version is None:
                raise
            _gone(source, version)  # pruned before this run opened it
            continue
        st.session_state[RUN_DATA] = (source, opened)
        return opened
    raise store_mod.StoreError("the store kept changing while it was read; try again")


def _gone(source: str, version: int) -> None:
    """The run's version was pruned before it was opened: read the latest instead. A
    pinned session says so and follows the latest from now on."""
    state = st.session_state
    forget_versions()
    if state.get(PIN) == version:
        unpin()
        latest = latest_version(source)
        problem = (
            f"Data version {version}, which this link pins, is no longer kept (the store keeps"
            f" only its latest versions); showing the latest data (version {latest}) instead."
        )
        key = PROBLEMS if state.get(CHECKED) else VERSION_PROBLEMS  # read once per session
        state[key] = [*(state.get(key) or []), problem]
    state[RUN_VERSION] = _decided_version()


def _served(source: str, version: int | None) -> Cockpit:
    """The run's held data when it is this source and version, else opened."""
    return _held_as(source, version) or _open(source, version)


def _held_as(source: str, version: int | None) -> Cockpit | None:
    """The data this run holds, when it is this source and version."""
    held = st.session_state.get(RUN_DATA)
    if held is None or held[0] != source or held[1].version != version:
        return None
    opened: Cockpit = held[1]
    return opened


def coverage() -> Coverage:
    opened = cockpit()
    assert opened.first_day is not None and opened.last_day is not None
    spans = {
        name: observed_span(t.first_day, t.last_day, t.rows)
        for name, t in opened.tables.items()
        if t.first_day is not None and t.last_day is not None
    }
    return Coverage(opened.first_day, opened.last_day, opened.dimensions, spans)


def pin_note() -> None:
    """Say so when a pinned link shows older data than the store holds, with a way out."""
    source = data_source()
    pin = pinned_version(source)
    latest = latest_version(source) if pin is not None else None
    if pin is not None and latest is not None and latest > pin:
        with st.container(horizontal=True, vertical_alignment="center"):
            st.info(
                f"This link shows data version {pin}, as it was shared; "
                f"newer data (version {latest}) exists.",
                icon=":material/push_pin:",
            )
            st.button("See latest", key="see_latest", on_click=unpin, width="content")


def unpin() -> None:
    """Follow the latest version from now on, keeping the link's period and filters."""
    st.session_state[PIN] = None
    if VERSION in st.query_params:
        del st.query_params[VERSION]


@st.cache_data(ttl=TTL, max_entries=512, show_spinner=False)
def kpis(source: str, version: int | None, view: View, by: tuple[str, ...] = ()) -> dict[str, Any]:
    """The engine's contract dictionary for one view (and breakdown) of one data version."""
    return _served(source, version).kpis(
        view.start, view.end, compare=view.compare, filters=view.filter_dict, by=list(by)
    )


@st.cache_data(ttl=TTL, max_entries=128, show_spinner=False)
def monthly(
    source: str,
    version: int | None,
    first: dt.date,
    last: dt.date,
    compare: str,
    filters: Filters,
) -> list[dict[str, Any]]:
    """Every KPI per calendar month from `first` to `last`: one cached series per view."""
    months = trend_mod.month_periods(first, last)
    return trend_mod.monthly(_served(source, version), months, compare, dict(filters))


def view_kpis(view: View, by: tuple[str, ...] = ()) -> dict[str, Any]:
    return kpis(data_source(), data_version(), view, by)


def sparkline_rows(view: View) -> list[dict[str, Any]]:
    """The twelve months up to the view's end, for the overview's sparklines."""
    cov = coverage()
    months = trend_mod.trailing_months(view.end, cov.first_day)
    return monthly(
        data_source(), data_version(), months[0].start, view.end, view.compare, view.filters
    )


def history_rows(view: View) -> list[dict[str, Any]]:
    """Every month of the data, for the explorer's trend."""
    cov = coverage()
    return monthly(
        data_source(), data_version(), cov.first_day, cov.last_day, view.compare, view.filters
    )
