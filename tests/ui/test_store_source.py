"""The app reading a managed store: the latest version, a new publish, pinned links."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st

from cxcore.publish import ensure_store, rollback
from cxcore.sample import generate
from cxcore.ui import data

from .conftest import open_app


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cx_seed")
    generate(folder, customers=200)
    return folder


@pytest.fixture
def store(seed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "store"
    assert ensure_store(root, seed) == 1
    monkeypatch.setenv("CX_DATA", str(root))
    st.cache_data.clear()
    data.forget_versions()
    yield root
    st.cache_data.clear()
    data.forget_versions()


def texts(at, kind: str) -> str:  # type: ignore[no-untyped-def]
    return " ".join(e.value for e in getattr(at, kind))


def test_the_data_page_shows_the_latest_version(store: Path) -> None:
    at = open_app(page="pages/data.py")
    assert not at.exception
    assert "Data version 1" in texts(at, "markdown")
    assert not at.info and not at.warning


def test_a_new_publish_reaches_the_next_run(store: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    at = open_app(page="pages/data.py")
    assert "Data version 1" in texts(at, "markdown")
    assert rollback(store, 1).version == 2
    monkeypatch.setattr(data, "POLL_SECONDS", 0.0)
    at = open_app(page="pages/data.py")
    assert not at.exception
    assert "Data version 2" in texts(at, "markdown")
    assert "Data version 1" not in texts(at, "markdown")


def test_a_pinned_link_says_newer_data_exists(store: Path) -> None:
    rollback(store, 1)
    at = open_app({"v": "1"}, page="pages/data.py")
    assert not at.exception and not at.warning
    assert "Data version 1" in texts(at, "markdown")
    assert "pinned to data version 1; newer data (version 2) exists" in texts(at, "info")


def test_the_share_control_can_pin_the_version(store: Path) -> None:
    at = open_app()
    box = at.checkbox(key="share_pin")
    assert box.label == "Pin to data version 1"
    assert "v=1" not in texts(at, "code")
    box.check().run()
    assert "v=1" in texts(at, "code")


@pytest.mark.parametrize(("pin", "words"), [("99", "not kept"), ("abc", "not a version")])
def test_a_bad_pin_is_reported_and_falls_back_to_the_latest(
    store: Path, pin: str, words: str
) -> None:
    rollback(store, 1)
    at = open_app({"v": pin}, page="pages/data.py")
    assert not at.exception
    assert words in texts(at, "warning")
    assert "Data version 2" in texts(at, "markdown")
    assert not at.info
