"""Versions pruned while the app serves them: every run still gets a whole, labelled page.

With few versions kept, a publish prunes the version a reader is looking at: the one its
session polled a moment ago, the one its link pins, or the one a page is half-way
through drawing. None of them may turn into an error page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cxcore.settings import Settings
from cxcore.store.layout import current_version, version_dir
from cxcore.store.publish import rollback
from cxcore.ui import data

from .conftest import open_app
from .test_store_source import texts

KEEP_ONE = Settings(keep_versions=1)


def _release_cached() -> None:
    """Nothing cached by this process holds a version any more (as after cache evictions)."""
    data._open.clear()


def test_a_run_whose_polled_version_was_pruned_reads_the_latest(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data, "POLL_SECONDS", 3600.0)  # the poll still says version 1
    at = open_app(page="pages/data.py")
    assert "Data version 1" in texts(at, "markdown")
    _release_cached()
    assert rollback(store, 1, settings=KEEP_ONE).version == 2
    assert not version_dir(store, 1).exists()  # pruned: no reader held it
    at = open_app(page="pages/data.py")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Data version 2" in texts(at, "markdown")
    assert not at.warning  # following the latest: nothing to report


def test_a_pinned_session_whose_version_is_pruned_moves_to_the_latest_and_says_so(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data, "POLL_SECONDS", 0.0)
    assert rollback(store, 1).version == 2
    at = open_app({"v": "1"}, page="pages/data.py")
    assert "Data version 1" in texts(at, "markdown")
    _release_cached()
    assert rollback(store, 1, settings=KEEP_ONE).version == 3
    assert not version_dir(store, 1).exists()  # pruned between two runs of the session
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Data version 3" in texts(at, "markdown")
    assert "Data version 1, which this link pins, is no longer kept" in texts(at, "warning")
    assert "showing the latest data (version 3)" in texts(at, "warning")
    assert "v" not in at.query_params
    at.run()  # from now on the session follows the latest, without a pin note
    assert "Data version 3" in texts(at, "markdown") and not at.info


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/explorer.py"])
def test_a_version_pruned_and_evicted_while_a_page_is_drawn_serves_the_whole_page(
    store: Path, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    monkeypatch.setattr(data, "POLL_SECONDS", 0.0)
    read: list[int | None] = []
    real_kpis, real_monthly = data.kpis, data.monthly

    def kpis(source: str, version: int | None, *args: Any, **kwargs: Any) -> dict[str, Any]:
        result = real_kpis(source, version, *args, **kwargs)
        if not read:  # other sessions fill the cache, and a publish prunes, mid-page
            _release_cached()
            rollback(store, 1, settings=KEEP_ONE)
        read.append(version)
        return result

    def monthly(
        source: str, version: int | None, *args: Any, **kwargs: Any
    ) -> list[dict[str, Any]]:
        read.append(version)
        return real_monthly(source, version, *args, **kwargs)

    monkeypatch.setattr(data, "kpis", kpis)
    monkeypatch.setattr(data, "monthly", monthly)
    at = open_app(page=page)
    assert not at.exception and not at.error, at.exception or [e.value for e in at.error]
    assert current_version(store) == 2 and len(read) >= 2
    assert set(read) == {1}, "the whole page read the version it began with"
    assert at.checkbox(key="share_pin").label == "Pin to data version 1"
    assert version_dir(store, 1).exists()  # held by the run: pruning passed over it
    at.run()
    assert not at.exception and at.checkbox(key="share_pin").label == "Pin to data version 2"
