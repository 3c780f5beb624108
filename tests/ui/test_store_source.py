"""The app reading a managed store: the latest version, a new publish, pinned links."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from cxcore import Cockpit
from cxcore.app.formatting import format_value
from cxcore.metrics.registry import KPI_BY_NAME
from cxcore.store.publish import publish, rollback
from cxcore.ui import data

from .conftest import day_shown, open_app


def texts(at: AppTest, kind: str) -> str:
    return " ".join(e.value for e in getattr(at, kind))


def test_the_data_page_shows_the_latest_version(store: Path) -> None:
    at = open_app(page="pages/data.py")
    assert not at.exception
    assert "Data version 1" in texts(at, "markdown")
    assert not at.info and not at.warning


def test_a_new_publish_reaches_the_next_run(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
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
    note = "shows data version 1, as it was shared; newer data (version 2) exists"
    assert note in texts(at, "info")


def test_the_share_link_is_pinned_to_its_version_by_default(store: Path) -> None:
    at = open_app()
    box = at.checkbox(key="share_pin")
    assert box.label == "Pin to data version 1" and box.value
    assert "v=1" in texts(at, "code")
    assert "start=2026-07-01&end=2026-09-30" in texts(at, "code")  # the default, spelled out
    box.uncheck().run()
    assert "v=1" not in texts(at, "code")
    assert "start=2026-07-01&end=2026-09-30" in texts(at, "code")


def test_a_pinned_link_opens_the_latest_data_in_one_click(store: Path) -> None:
    rollback(store, 1)
    at = open_app({"v": "1", "start": "2026-01-01", "end": "2026-03-31"}, page="pages/data.py")
    assert "newer data (version 2) exists" in texts(at, "info")
    at.button(key="see_latest").click().run()
    assert not at.exception and not at.info
    assert "Data version 2" in texts(at, "markdown")
    assert "v" not in at.query_params
    assert day_shown(at, "start").isoformat() == "2026-01-01"


@pytest.mark.parametrize(
    ("pin", "words"),
    [
        ("99", "not kept"),
        ("abc", "not a version"),
        ("\u00b2", "not a version"),  # superscript two: str.isdigit() says yes, int() fails
        ("\u0661", "not a version"),  # Arabic-Indic one: int() reads it as 1
        ("\uff11", "not a version"),  # fullwidth one
        ("1" * 5000, "not a version"),  # longer than int() converts
        ("0", "not kept"),
    ],
)
def test_a_bad_pin_is_reported_and_falls_back_to_the_latest(
    store: Path, pin: str, words: str
) -> None:
    rollback(store, 1)
    at = open_app({"v": pin}, page="pages/data.py")
    assert not at.exception
    assert words in texts(at, "warning")
    assert "Data version 2" in texts(at, "markdown")
    assert not at.info


def test_a_bad_pin_goes_to_the_link_notice_on_every_page(store: Path) -> None:
    for page in ("pages/overview.py", "pages/explorer.py", "pages/versions.py"):
        at = open_app({"v": "\u00b2"}, page=page)
        assert not at.exception, page
        assert "not a version number" in texts(at, "warning"), page


def _second_version(store: Path, seed: Path, tmp_path: Path) -> None:
    """Version 2: every survey answer a 10, so its NPS differs from version 1's."""
    frame = pl.read_parquet(seed / "nps_responses.parquet")
    frame = frame.with_columns(pl.lit(10).cast(frame.schema["score"]).alias("score"))
    path = tmp_path / "nps_responses.parquet"
    frame.write_parquet(path)
    assert publish(store, "nps_responses", [path], mode="replace").version == 2


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/explorer.py"])
def test_a_publish_during_a_run_never_mixes_two_versions(
    store: Path, store_seed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    _second_version(store, store_seed, tmp_path)
    quarter = ("2026-07-01", "2026-09-30")
    nps = KPI_BY_NAME["nps"]
    numbers = {
        v: Cockpit.open(store, version=v).kpis(*quarter)["kpis"]["nps"]["value"] for v in (1, 2)
    }
    assert numbers[1] != numbers[2]

    latest = {"version": 1}  # what the store's pointer says
    read: list[int | None] = []
    real_kpis, real_monthly = data.kpis, data.monthly

    def kpis(source: str, version: int | None, *args: Any, **kwargs: Any) -> dict[str, Any]:
        read.append(version)
        result = real_kpis(source, version, *args, **kwargs)
        latest["version"] = 2  # version 2 lands right after the page read its first numbers
        return result

    def monthly(
        source: str, version: int | None, *args: Any, **kwargs: Any
    ) -> list[dict[str, Any]]:
        read.append(version)
        return real_monthly(source, version, *args, **kwargs)

    monkeypatch.setattr(data, "latest_version", lambda source: latest["version"])
    monkeypatch.setattr(data, "kpis", kpis)
    monkeypatch.setattr(data, "monthly", monthly)
    at = open_app({"kpi": nps.label}, page=page)  # the explorer's KPI; ignored by the overview
    assert not at.exception and not at.warning
    assert latest["version"] == 2 and len(read) >= 2
    assert set(read) == {1}, "cards, sparklines, trend and breakdowns read one version"
    shown = {m.label: m.value for m in at.metric}
    assert shown[nps.label] == format_value(numbers[1], nps.unit)
    assert at.checkbox(key="share_pin").label == "Pin to data version 1"

    at.run()  # the next run reads the new version, everywhere
    assert set(read[read.index(2) :]) == {2}
    assert {m.label: m.value for m in at.metric}[nps.label] == format_value(numbers[2], nps.unit)
    assert at.checkbox(key="share_pin").label == "Pin to data version 2"


def test_the_address_keeps_a_period_the_latest_data_no_longer_defaults_to(
    store: Path, store_seed: Path, tmp_path: Path
) -> None:
    """A default is left out of the address, and the default moves with the data: after
    See latest on a link pinned to its version's default quarter, the page showed that
    quarter while the address named none, so copied it opened the newer default."""
    frame = pl.read_parquet(store_seed / "nps_responses.parquet")
    frame = frame.filter(pl.col("response_date") < pl.date(2026, 7, 1))
    path = tmp_path / "nps_responses.parquet"
    frame.write_parquet(path)
    assert publish(store, "nps_responses", [path], mode="replace").version == 2  # default Q2
    at = open_app({"v": "1", "start": "2026-07-01", "end": "2026-09-30"})
    at.button(key="see_latest").click().run()
    assert not at.exception
    assert (day_shown(at, "start").isoformat(), day_shown(at, "end").isoformat()) == (
        "2026-07-01",
        "2026-09-30",
    )
    assert (at.query_params.get("start"), at.query_params.get("end")) == (
        "2026-07-01",
        "2026-09-30",
    )


def test_see_latest_says_which_filter_members_the_latest_data_lacks(
    store: Path, store_seed: Path, tmp_path: Path
) -> None:
    """A multiselect drops a value no longer among its options without a word: after See
    latest, a link pinned to a version with tier Gold showed every tier."""
    frame = pl.read_parquet(store_seed / "customers.parquet")
    renamed = pl.when(pl.col("tier") == "Gold").then(pl.lit("Platinum"))
    frame = frame.with_columns(renamed.otherwise(pl.col("tier")).alias("tier"))
    path = tmp_path / "customers.parquet"
    frame.write_parquet(path)
    assert publish(store, "customers", [path], mode="replace").version == 2
    at = open_app({"v": "1", "tier": ["Gold", "Silver"]})
    assert at.multiselect(key="tier").value == ["Gold", "Silver"]
    at.button(key="see_latest").click().run()
    assert not at.exception
    assert "no tier “Gold”" in texts(at, "warning")
    assert at.multiselect(key="tier").value == ["Silver"]
