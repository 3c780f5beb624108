"""Exports covering different days, and links across a publish, in a real browser."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pytest

from cxcore import Cockpit
from cxcore.app.formatting import NO_VALUE, format_card_value
from cxcore.metrics.registry import KPI_BY_NAME
from cxcore.store.layout import current_version
from cxcore.store.publish import ensure_store, publish

from .conftest import running_app, settle, shot

if TYPE_CHECKING:
    from playwright.sync_api import Page

REVENUE = KPI_BY_NAME["revenue"]


@pytest.fixture(scope="module")
def store(data_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("e2e_coverage") / "store"
    assert ensure_store(root, data_folder) == 1
    return root


@pytest.fixture(scope="module")
def store_server(store: Path, browser: object) -> Iterator[str]:
    with running_app({**os.environ, "CX_DATA": str(store)}) as base:
        yield base


def publish_october_orders(store: Path, data_folder: Path, tmp_path: Path) -> None:
    """A routine orders-only publish: 1-14 Sep's orders again a month later (+30 days:
    1-14 Oct), new ids; every other export still ends on 30 Sep."""
    if current_version(store) >= 2:
        return
    orders = pl.read_parquet(data_folder / "orders.parquet")
    october = orders.filter(
        pl.col("order_date").is_between(dt.date(2026, 9, 1), dt.date(2026, 9, 14))
    ).with_columns(
        (pl.col("order_date") + pl.duration(days=30)).alias("order_date"),
        ("X" + pl.col("order_id")).alias("order_id"),
    )
    october.write_parquet(tmp_path / "october.parquet")
    assert publish(store, "orders", [tmp_path / "october.parquet"], mode="append").version == 2
    time.sleep(3.5)  # the app looks the latest version up every 3 s


def cards(page: Page) -> dict[str, tuple[str, str]]:
    out = {}
    for metric in page.locator('[data-testid="stMetric"]').all():
        label = metric.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        value = metric.locator('[data-testid="stMetricValue"]').inner_text().strip()
        delta = metric.locator('[data-testid="stMetricDelta"]')
        out[label] = (value, delta.inner_text().strip() if delta.count() else "")
    return out


def date_shown(page: Page, label: str) -> str:
    """The sidebar date as YYYYMMDD, from the digits the date field shows."""
    text = page.get_by_role("group", name=label).inner_text()
    return "".join(c for c in text if c.isdigit())


def share_link(page: Page) -> str:
    page.get_by_role("button", name="Share this view").click()
    code = page.locator('[data-testid="stPopoverBody"] code')
    code.wait_for()
    link = code.inner_text().strip()
    page.keyboard.press("Escape")
    return link


def test_a_link_means_the_same_after_a_publish(
    store_server: str, page: Page, store: Path, data_folder: Path, tmp_path: Path
) -> None:
    page.goto(f"{store_server}/?start=2026-01-01&end=2026-09-30")
    settle(page)
    before = cards(page)["Revenue"][0]
    link = share_link(page)
    assert "start=2026-01-01" in link and "end=2026-09-30" in link and "v=1" in link

    publish_october_orders(store, data_folder, tmp_path)
    page.goto(link)
    settle(page)
    assert cards(page)["Revenue"][0] == before
    note = page.get_by_text("newer data (version 2) exists")
    assert note.is_visible()
    shot(page, "coverage_pinned_link_after_publish")

    page.get_by_role("button", name="See latest").click()
    settle(page)
    assert not note.is_visible()
    assert "v=" not in page.url
    latest = Cockpit.open(store).kpis("2026-01-01", "2026-09-30")["kpis"]["revenue"]["value"]
    assert cards(page)["Revenue"][0] == format_card_value(latest, REVENUE.unit)[0]
    assert date_shown(page, "From") == "20260101"


def test_an_orders_only_publish_invents_no_zeros(
    store_server: str, page: Page, store: Path, data_folder: Path, tmp_path: Path
) -> None:
    publish_october_orders(store, data_folder, tmp_path)
    page.goto(store_server)
    settle(page)
    assert (date_shown(page, "From"), date_shown(page, "To")) == ("20260701", "20260930")

    page.goto(f"{store_server}/?start=2026-10-01&end=2026-10-14")
    settle(page)
    shown = cards(page)
    shot(page, "coverage_october_orders_only")
    assert shown["Revenue"][0] != NO_VALUE
    for label in ("Service cost", "Contacts", "Sessions", "NPS responses", "New customers"):
        assert shown[label] == (NO_VALUE, "no data for this period"), label
    cost = page.locator('[data-testid="stMetric"]', has_text="Service cost")
    assert cost.locator('[data-testid="stMetricDelta"] svg').count() == 0  # no arrow, no verdict
