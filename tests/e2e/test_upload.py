"""Uploading in a real browser: passphrase, file, check, report, publish, version history."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pytest

from .conftest import running_app, settle, shot

if TYPE_CHECKING:
    from playwright.sync_api import Page

PASSPHRASE = "weekly exports only"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cxcore.data.sample import generate
    from cxcore.store.publish import ensure_store

    seed = tmp_path_factory.mktemp("e2e_upload_seed")
    generate(seed, customers=400)
    root = tmp_path_factory.mktemp("e2e_upload") / "store"
    ensure_store(root, seed)
    return root


@pytest.fixture(scope="module")
def upload_server(store: Path, browser: object) -> Iterator[str]:
    env = {**os.environ, "CX_DATA": str(store), "CX_ANALYST_PASSPHRASE": PASSPHRASE}
    env.pop("CX_ANALYSTS", None)
    with running_app(env) as base:
        yield base


def new_customers(store: Path, folder: Path) -> Path:
    """Twelve customers of a segment the store has never seen, as a CSV export."""
    from cxcore.store.layout import current_files

    _, files = current_files(store)
    known = pl.read_parquet(files["customers"]).select(
        "customer_id", "segment", "region", "signup_date", "acquisition_channel"
    )
    fresh = known.tail(12).with_columns(
        ("N" + pl.col("customer_id")).alias("customer_id"),
        pl.lit("Public sector").alias("segment"),
    )
    path = folder / "customers_week_38.csv"
    fresh.write_csv(path)
    return path


def test_an_analyst_uploads_checks_and_publishes(
    upload_server: str, page: Page, store: Path, tmp_path: Path
) -> None:
    from cxcore.store.layout import current_version

    page.goto(f"{upload_server}/upload")
    settle(page)
    main = page.locator('[data-testid="stMain"]')
    assert page.locator('input[type="file"]').count() == 0
    page.get_by_label("Analyst passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Unlock").click()
    page.get_by_text("Analyst access is unlocked").wait_for(timeout=15_000)

    page.get_by_text("Append (a row whose id").click()
    page.locator('input[type="file"]').set_input_files(str(new_customers(store, tmp_path)))
    page.get_by_role("button", name="Check").wait_for(timeout=15_000)
    page.get_by_role("button", name="Check").click()
    page.get_by_role("button", name="Publish as version 2").wait_for(timeout=30_000)
    settle(page)
    text = main.inner_text()
    assert "No problems found" in text and "Warnings do not block publishing" not in text
    assert "Public sector" in text and "Rows added" in text
    assert page.locator('[data-testid="stException"]').count() == 0
    shot(page, "upload")

    page.get_by_role("button", name="Publish as version 2").click()
    alerts = page.locator('[data-testid="stAlert"]')
    alerts.filter(has_text="Published version 2").wait_for(timeout=30_000)
    settle(page)
    assert current_version(store) == 2
    shot(page, "upload_published")

    page.get_by_role("link", name="Versions").click()
    page.get_by_text("Restore as new version").first.wait_for(timeout=15_000)
    settle(page)
    assert "customers" in main.inner_text()
    shot(page, "versions")
