"""AppTest fixtures: a small generated data folder or store, caches cleared between tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from cxcore.data.sample import generate
from cxcore.store.publish import ensure_store
from cxcore.ui import data

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(scope="session")
def data_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cx_data")
    generate(folder, customers=600)
    return folder


@pytest.fixture(autouse=True)
def _fresh(data_folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CX_DATA", str(data_folder))
    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture(scope="session")
def store_seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cx_store_seed")
    generate(folder, customers=200)
    return folder


def served_store(seed: Path, root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh managed store at version 1 made from `seed`, which the app reads, with no
    answer cached from another test before or after."""
    assert ensure_store(root, seed) == 1
    monkeypatch.setenv("CX_DATA", str(root))
    st.cache_data.clear()
    data.forget_versions()
    yield root
    st.cache_data.clear()
    data.forget_versions()


@pytest.fixture
def store(store_seed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh managed store at version 1 of the generated sample."""
    yield from served_store(store_seed, tmp_path / "store", monkeypatch)


def open_app(
    params: Mapping[str, str | list[str]] | None = None, page: str | None = None
) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    if params:
        at.query_params.update(params)
    if page:
        at.switch_page(page)
    return at.run()


def day_shown(at: AppTest, key: str) -> dt.date:
    """The one day a date input shows (Streamlit types its value as a day, a range or none)."""
    value = at.date_input(key=key).value
    assert isinstance(value, dt.date), value
    return value


@contextmanager
def listening_on(address: str) -> Iterator[None]:
    """The server's address as the access rules read it ('localhost': uploads open without
    a passphrase; '0.0.0.0': reachable from the network), put back after."""
    before = st.get_option("server.address")
    st.config.set_option("server.address", address)
    try:
        yield
    finally:
        st.config.set_option("server.address", before)
