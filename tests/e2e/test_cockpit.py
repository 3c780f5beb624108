"""The cockpit in a real browser: shared links, drill-down, breadcrumb, broken links."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlparse

from cxcore.app.formatting import format_card_value
from cxcore.metrics.registry import KPI_BY_NAME

from .conftest import drawn_box, settle, shot

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SHARED = "start=2025-01-01&end=2025-06-30&compare=Last+year&segment=SMB&segment=Enterprise"


def dollars(text: str) -> float:
    return float(text.replace("$", "").replace(",", ""))


def bar_labels(page: Page, chart: int) -> list[str]:
    """The text drawn on the bars of the `chart`-th Plotly chart (e.g. "$691,021 -4.0%")."""
    texts = page.locator('[data-testid="stPlotlyChart"]').nth(chart).locator("text.bartext")
    return [t.strip() for t in texts.all_text_contents() if t.strip()]


def cards(page: Page) -> dict[str, str]:
    out = {}
    for metric in page.locator('[data-testid="stMetric"]').all():
        label = metric.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        out[label] = metric.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return out


def cli(data: Path, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "cxcore", "kpis", "--data", str(data), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)["kpis"]


def expected(numbers: dict[str, Any], name: str) -> str:
    return format_card_value(numbers[name]["value"], KPI_BY_NAME[name].unit)[0]


def test_a_shared_link_shows_the_command_lines_numbers(
    server: str, page: Page, browser: Browser, data_folder: Path
) -> None:
    began = time.monotonic()
    page.goto(f"{server}/?{SHARED}")
    settle(page)
    print(f"overview from a link loaded in {time.monotonic() - began:.2f}s")
    numbers = cli(
        data_folder,
        "--start",
        "2025-01-01",
        "--end",
        "2025-06-30",
        "--compare",
        "yoy",
        "--segment",
        "SMB",
        "--segment",
        "Enterprise",
    )
    shown = cards(page)
    for name in ("revenue", "nps", "active_customers"):
        assert shown[KPI_BY_NAME[name].label] == expected(numbers, name)
    shot(page, "overview")

    page.get_by_role("button", name="Share this view").click()
    link = page.locator('[data-testid="stCode"] code').inner_text().strip()
    assert parse_qs(urlparse(link).query) == parse_qs(SHARED)
    fresh = browser.new_context(viewport={"width": 1500, "height": 1800}).new_page()
    fresh.goto(link)
    settle(fresh)
    assert {k: cards(fresh)[k] for k in ("Revenue", "NPS", "Active customers")} == {
        k: shown[k] for k in ("Revenue", "NPS", "Active customers")
    }
    fresh.context.close()


def test_a_bar_click_drills_down_and_the_breadcrumb_steps_back(server: str, page: Page) -> None:
    began = time.monotonic()
    page.goto(f"{server}/explorer?kpi=Revenue")
    settle(page)
    print(f"explorer loaded in {time.monotonic() - began:.2f}s")
    shot(page, "explorer")
    before = cards(page)["Revenue"]
    bars = page.locator('[data-testid="stPlotlyChart"]').nth(1).locator("g.point path")
    box = drawn_box(bars.last)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => location.search.includes('segment=')", timeout=15_000)
    query = parse_qs(urlparse(page.url).query)
    page.get_by_role("button", name=query["segment"][0], exact=True).wait_for(timeout=15_000)
    settle(page)
    assert query["drill"] == ["segment"] and len(query["segment"]) == 1
    assert cards(page)["Revenue"] != before
    assert (
        page.locator('[data-testid="stMultiSelect"]').first.inner_text().count(query["segment"][0])
        == 1
    )
    drilled = dollars(cards(page)["Revenue"])
    regions = [dollars(t.split()[0]) for t in bar_labels(page, chart=2)]
    assert len(regions) > 1  # the region chart, not the single drilled segment bar
    assert abs(sum(regions) - drilled) <= len(regions)  # each label rounds to $1
    shot(page, "explorer_drilled")

    page.get_by_role("button", name="All customers").click()
    page.wait_for_function("() => !location.search.includes('segment=')", timeout=15_000)
    settle(page)
    assert cards(page)["Revenue"] == before
    assert "drill" not in parse_qs(urlparse(page.url).query)


def test_a_broken_link_shows_a_notice_not_a_traceback(server: str, page: Page) -> None:
    page.goto(
        f"{server}/?segment=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&start=2026-09-01&end=2026-01-01"
    )
    settle(page)
    notice = page.locator('[data-testid="stAlert"]').first.inner_text()
    assert "could not be followed" in notice and "before it starts" in notice
    assert page.locator("img[src='x']").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    assert (
        "Q3 2026 · compared with Q2 2026 · all customers"
        in page.locator('[data-testid="stMain"]').inner_text()
    )
    shot(page, "broken_link")


def test_the_data_page(server: str, page: Page) -> None:
    page.goto(f"{server}/data")
    settle(page)
    page.locator('[data-testid="stDataFrame"]').nth(1).wait_for(timeout=15_000)
    assert "No warnings" in page.locator('[data-testid="stMain"]').inner_text()
    shot(page, "data")


def test_machine_spellings_in_a_link_are_followed_and_shown_as_labels(
    server: str, page: Page
) -> None:
    page.goto(f"{server}/explorer?compare=yoy&kpi=nps")
    settle(page)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "could not be followed" not in main
    assert "compared with Q3 2025" in main  # last year's quarter, not the previous one
    assert page.locator('[data-testid="stMetric"]').first.inner_text().startswith("NPS")
    page.wait_for_function("() => location.search.includes('kpi=NPS')", timeout=15_000)
    query = parse_qs(urlparse(page.url).query)
    assert query == {"compare": ["Last year"], "kpi": ["NPS"]}
    shot(page, "explorer_machine_spelling")


def test_a_heatmap_click_drills_like_a_bar(server: str, page: Page) -> None:
    page.goto(f"{server}/explorer?kpi=Churn")
    settle(page)
    heatmap = page.locator('[data-testid="stPlotlyChart"]').nth(3)
    heatmap.scroll_into_view_if_needed()
    cell = heatmap.locator("g.heatmaplayer image, g.hm image").first
    cell.wait_for(timeout=15_000)
    targets = heatmap.locator("g.scatterlayer path.point")
    box = drawn_box(targets.first)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function(
        "() => location.search.includes('segment=') && location.search.includes('region=')",
        timeout=15_000,
    )
    settle(page)
    query = parse_qs(urlparse(page.url).query)
    assert query["drill"] == ["segment,region"]
    assert len(query["segment"]) == 1 and len(query["region"]) == 1
    page.get_by_role("button", name=query["region"][0], exact=True).wait_for(timeout=15_000)
    shot(page, "explorer_heatmap_drilled")
