"""The voice of the customer in the app (AppTest): the page, card notes, targets and their page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from cxcore import Cockpit
from cxcore.app.formatting import format_value
from cxcore.data.sample import generate
from cxcore.data.targets import Target
from cxcore.metrics.kpi import Unit
from cxcore.store.layout import current_version
from cxcore.store.targets import publish_targets
from cxcore.ui.voice import real_cell
from cxcore.voice.drivers import driver_label, quadrant
from cxcore.voice.journeys import fix_first
from tests.ui.conftest import listening_on, open_app

P = ("2026-07-01", "2026-09-30")  # the app's default view: the latest whole quarter


def texts(at: AppTest, kind: str) -> str:
    return " ".join(str(e.value) for e in getattr(at, kind))


@pytest.fixture(scope="module")
def answered_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough customers that every journey has the 30 answers a verdict needs."""
    folder = tmp_path_factory.mktemp("cx_voice")
    generate(folder, customers=2500)
    return folder


def test_the_voice_page_names_what_to_fix_first_and_its_worth(
    answered_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CX_DATA", str(answered_folder))
    at = open_app(page="pages/voice.py")
    assert not at.exception
    with Cockpit.open(answered_folder) as cockpit:
        journey = fix_first(cockpit.journeys(*P)["journey"]["members"])
        driver = quadrant(cockpit.drivers(*P)).fix_first
        groups = {g["group"]: g for g in cockpit.nps_value(*P)["groups"]}
    shown = texts(at, "markdown")
    assert journey is not None and f"**{journey['member']}** has the lowest NPS" in shown
    assert driver is not None and f"**{driver_label(driver)}**" in shown
    # a detractor's cost over a year: the revenue gap in Q3 (92 days) scaled to 365 days
    gap = groups["promoter"]["revenue_per_customer"] - groups["detractor"]["revenue_per_customer"]
    assert f"**{format_value(gap * 365 / 92, Unit.CURRENCY)} less**" in shown
    assert len(at.get("plotly_chart")) == 2  # the quadrant and the waterfall
    assert "Why it moved" in texts(at, "subheader")


def test_the_waterfall_follows_the_kpi_and_dimension_chosen(data_folder: Path) -> None:
    at = open_app(page="pages/voice.py")
    at.selectbox(key="moved_kpi").set_value("nps")
    at.selectbox(key="moved_by").set_value("region")
    at.run()
    assert not at.exception
    with Cockpit.open(data_folder) as cockpit:
        split = cockpit.why_it_moved("nps", *P, by="region")["decomposition"]
    assert f"NPS moved {split['total_change']:+.1f} pts; by region" in texts(at, "markdown")


def test_overview_cards_say_whether_a_change_is_real(data_folder: Path) -> None:
    at = open_app()
    assert not at.exception
    with Cockpit.open(data_folder) as cockpit:
        changes = cockpit.changes(*P)
    captions = [c.value for c in at.caption]
    for name in ("nps", "retention_rate", "conversion_rate"):
        assert changes[name]["words"] in captions


@pytest.fixture
def targeted(store: Path) -> Iterator[Path]:
    """The store with targets: revenue's beyond reach (red), NPS's easily met (on target)."""
    publish_targets(
        store,
        [
            Target("revenue", 1e12, 1e11, 1e10),
            Target("nps", -100, -100, -100),
        ],
    )
    st.cache_data.clear()
    yield store


def test_cards_and_explorer_show_the_targets(targeted: Path) -> None:
    at = open_app()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert ":red[●] red (target $1,000,000,000,000)" in captions
    assert ":green[●] on target (target -100.0)" in captions
    at = open_app({"kpi": "Revenue"}, page="pages/explorer.py")
    assert not at.exception
    assert "target 1e+12" in at.get("plotly_chart")[0].proto.spec
    assert "Status per member: :red[●]" in texts(at, "caption")


@pytest.fixture
def network(store: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in ("CX_ANALYST_PASSPHRASE", "CX_ANALYSTS"):
        monkeypatch.delenv(name, raising=False)
    with listening_on("0.0.0.0"):
        yield store


def test_the_targets_page_is_behind_the_analyst_gate(network: Path) -> None:
    at = open_app(page="pages/targets.py")
    assert not at.exception
    assert not at.dataframe
    assert not [b for b in at.button if b.label == "Publish targets"]


def test_an_analyst_edits_and_publishes_the_targets(targeted: Path) -> None:
    with listening_on("localhost"):
        at = open_app(page="pages/targets.py")
        assert not at.exception
        shown = at.dataframe[0].value
        assert list(shown["kpi"]) == ["revenue", "nps"] and list(shown["red"]) == [1e10, -100]
        version = current_version(targeted)
        at.button(key="_cx_targets_publish").click().run()
    assert not at.exception
    assert current_version(targeted) == version + 1
    assert f"Published version {version + 1} with 2 targets." in texts(at, "success")


def test_without_targets_the_editor_starts_empty(store: Path) -> None:
    """No row of 'None' placeholders to publish or to delete first: typed columns only."""
    publish_targets(store, [])  # the generated sample comes with targets
    with listening_on("localhost"):
        at = open_app(page="pages/targets.py")
    assert not at.exception
    shown = at.dataframe[0].value
    assert len(shown) == 0
    assert list(shown.columns) == ["kpi", "segment", "region", "target", "amber", "red"]


def test_journey_tables_are_headed_by_what_they_list(
    answered_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CX_DATA", str(answered_folder))
    at = open_app(page="pages/voice.py")
    with Cockpit.open(answered_folder) as cockpit:
        journeys = cockpit.journeys(*P)
    tables = [t.value for t in at.dataframe]
    assert [list(t.columns)[:3] for t in tables] == [
        ["Journey", "Answers", "NPS"],
        ["Touchpoint", "Answers", "NPS"],
    ]
    for table, attribute in zip(tables, ("journey", "touchpoint"), strict=True):
        members = journeys[attribute]["members"]
        assert table[table.columns[0]].tolist() == [m["member"] for m in members]
        assert table["Answers"].tolist() == [m["responses"] for m in members]
        assert table["Change"].tolist() == pytest.approx([round(m["change"], 1) for m in members])
        assert table["Real? (95%)"].tolist() == [real_cell(m["significance"]) for m in members]


@pytest.mark.parametrize(
    ("verdict", "cell"),
    [
        (None, ""),
        ({"verdict": "fall", "significant": True, "words": "significant fall (95%)"}, "yes, fall"),
        ({"verdict": "rise", "significant": True, "words": "significant rise (95%)"}, "yes, rise"),
        (
            {"verdict": "no significant change", "significant": False, "words": "no sig..."},
            "no",
        ),
        (
            {"verdict": "too few", "significant": False, "words": "too few answers (n = 12)"},
            "too few answers (n = 12)",
        ),
    ],
)
def test_a_verdict_fits_its_table_cell(verdict: dict[str, Any] | None, cell: str) -> None:
    assert real_cell(verdict) == cell
