"""Rows of side-by-side sections on a laptop with the sidebar open: one section to a line.

At 1024 pixels the voice page's three answers were a few words wide, and the lifetime-value
tables and the breakdown charts beside each other cut their last columns and labels; the
version history broke its headings mid-word, and now scrolls sideways instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cxcore.ui.layout import SCROLLS, STACKS

from .conftest import broken_words, drawn_box, running_app, settle, shot

if TYPE_CHECKING:
    from playwright.sync_api import FloatRect, Page

# (page, row, sections, the server that shows it: uploads need a store)
ROWS = [
    ("voice", "answers", 3, "server"),
    ("voice", "sections", 2, "server"),
    ("economics", "clv", 2, "server"),
    ("explorer", "breakdowns", 2, "server"),
    ("upload", "table_and_mode", 2, "store_server"),
]


def section_boxes(page: Page, server: str, path: str, name: str, width: int) -> list[FloatRect]:
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(f"{server}/{path}")
    settle(page)
    row = page.locator(f".st-key-{STACKS}{name}")
    row.wait_for()
    columns = row.locator('[data-testid="stHorizontalBlock"] > [data-testid="stColumn"]')
    return [drawn_box(c) for c in columns.all()]


@pytest.mark.parametrize(("path", "name", "count", "served_by"), ROWS)
def test_sections_stack_on_a_narrow_screen_and_sit_side_by_side_on_a_wide_one(
    request: pytest.FixtureRequest, page: Page, path: str, name: str, count: int, served_by: str
) -> None:
    server: str = request.getfixturevalue(served_by)
    wide = section_boxes(page, server, path, name, 1440)
    assert len(wide) == count
    assert len({round(b["y"]) for b in wide}) == 1  # one line
    narrow = section_boxes(page, server, path, name, 1024)
    assert len({round(b["x"]) for b in narrow}) == 1  # one above the other
    assert [b["y"] for b in narrow] == sorted(b["y"] for b in narrow)
    assert min(b["width"] for b in narrow) > 500  # the whole row, beside the open sidebar
    if (path, name) == ("voice", "answers"):
        shot(page, "voice_1024")


@pytest.fixture(scope="module")
def store_server(
    tmp_path_factory: pytest.TempPathFactory, data_folder: Path, browser: object
) -> Iterator[str]:
    """The sample published into a store: the version history is a store's."""
    from cxcore.store.publish import ensure_store

    root = tmp_path_factory.mktemp("narrow") / "store"
    ensure_store(root, data_folder)
    with running_app({**os.environ, "CX_DATA": str(root)}) as base:
        yield base


@pytest.mark.parametrize("width", [1024, 1280])
def test_the_version_history_scrolls_sideways_rather_than_breaking_words(
    store_server: str, page: Page, width: int
) -> None:
    """At 1024 pixels its headings read 'Ver sio n' and 'Mod e'."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{store_server}/versions")
    settle(page)
    table = page.locator(f".st-key-{SCROLLS}versions")
    table.wait_for()
    assert table.locator("p").first.inner_text() == "Version"
    assert broken_words(page, f".st-key-{SCROLLS}versions p") == []
    overflowing = table.evaluate("e => e.scrollWidth > e.clientWidth + 1")
    assert overflowing is (width == 1024)  # it scrolls only where the row cannot fit
