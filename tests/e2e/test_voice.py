"""The Voice of the customer page in a real browser: what to fix first, the charts, the words."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cxcore import Cockpit
from cxcore.voice.drivers import driver_label, quadrant
from cxcore.voice.journeys import fix_first

from .conftest import settle, shot

if TYPE_CHECKING:
    from playwright.sync_api import Page

P = ("2026-07-01", "2026-09-30")  # the default view: the latest whole quarter


def test_the_voice_page_shows_what_to_fix_first(server: str, page: Page, data_folder: Path) -> None:
    page.goto(f"{server}/voice")
    settle(page)
    shot(page, "voice")
    with Cockpit.open(data_folder) as cockpit:
        journey = fix_first(cockpit.journeys(*P)["journey"]["members"])
        driver = quadrant(cockpit.drivers(*P)).fix_first
    main = page.locator('[data-testid="stMain"]')
    text = main.inner_text()
    assert "Journey to fix first" in text and "Driver to fix first" in text
    assert journey is not None and f"{journey['member']} has the lowest NPS" in text
    assert driver is not None and f"{driver_label(driver)} matters most" in text
    assert "What experience is worth" in text and "a year" in text
    charts = main.locator('[data-testid="stPlotlyChart"]')
    assert charts.count() == 2  # the quadrant and the waterfall
    assert "Fix first" in charts.nth(0).inner_text()


def test_overview_cards_say_status_and_significance_in_words(
    server: str, page: Page, data_folder: Path
) -> None:
    page.goto(f"{server}/?region=East")
    settle(page)
    shot(page, "overview_status_east")
    with Cockpit.open(data_folder) as cockpit:
        nps_change = cockpit.changes(*P, filters={"region": ["East"]})["nps"]["words"]
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "red (target 0.0)" in text  # the sample's East NPS target, missed
    assert f"red (target 0.0) · {nps_change}" in text  # the NPS card's verdict, as the core says
