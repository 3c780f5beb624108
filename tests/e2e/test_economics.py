"""The customer economics page in a real browser: the triangle, CLV next to CAC, the holdout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxcore.app.formatting import format_value
from cxcore.metrics.kpi import Unit

from .conftest import SHOTS, settle, shot

if TYPE_CHECKING:
    from playwright.sync_api import Page

LINK = "start=2026-01-01&end=2026-06-30&region=North&region=South"


def clv_cli(data: Path) -> dict[str, Any]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cxcore",
            "clv",
            "--data",
            str(data),
            "--calibration-end",
            "2026-06-30",
            "--region",
            "North",
            "--region",
            "South",
            "--by",
            "segment",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_the_economics_page_shows_the_command_lines_lifetime_values(
    server: str, page: Page, data_folder: Path
) -> None:
    page.goto(f"{server}/economics?{LINK}")
    settle(page)
    shot(page, "economics")
    assert page.locator('[data-testid="stException"]').count() == 0
    charts = page.locator('[data-testid="stPlotlyChart"]')
    assert charts.count() == 2  # the holdout check waits, closed, until it is opened
    assert charts.nth(0).locator("g.hm, .heatmaplayer").count() >= 1  # the triangle
    rows = page.locator('[data-testid="stTable"]').nth(0).locator("tbody tr")
    shown = {
        r.locator("th").inner_text().strip(): r.locator("td").all_inner_texts() for r in rows.all()
    }
    expected = clv_cli(data_folder)
    assert set(shown) == {e["segment"] for e in expected["by"]}
    for entry in expected["by"]:
        customers, mean_clv = shown[entry["segment"]][:2]
        assert customers.strip() == f"{entry['customers']:,}"
        assert mean_clv.strip() == format_value(entry["mean_clv"], Unit.CURRENCY)
    page.locator('[data-testid="stExpander"] summary').filter(has_text="trusted").click()
    settle(page)
    assert charts.count() == 3
    holdout = charts.nth(2)
    holdout.scroll_into_view_if_needed()
    assert holdout.locator("g.trace.bars").count() == 2  # expected and actual
    holdout.screenshot(path=str(SHOTS / "economics_holdout.png"))
