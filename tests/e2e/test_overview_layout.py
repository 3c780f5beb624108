"""The overview as an executive sees it: nothing cut, colours that follow meaning."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cxcore import Cockpit
from cxcore.app.formatting import CARD_VALUE_CHARS
from cxcore.app.tones import Tone, judge
from cxcore.metrics.registry import KPIS
from tests.factories import customer, order, write_folder

from .conftest import broken_words, drawn_box, running_app, settle, shot

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# Every card label, value and change whose text is wider than its box (cut or ellipsised).
CLIPPED = """() => [...document.querySelectorAll(
    '[data-testid="stMetricLabel"] p, [data-testid="stMetricValue"] p,'
    + ' [data-testid="stMetricDelta"] p')]
  .filter(e => e.scrollWidth > e.clientWidth + 1
            || e.closest('[data-testid="stMetric"]').scrollWidth
               > e.closest('[data-testid="stMetric"]').clientWidth + 1)
  .map(e => e.innerText)"""
SPARK_COLOURS = """() => [...new Set([...document.querySelectorAll(
    '[data-testid="stMetricChart"] path[aria-roledescription="line mark"]')]
  .map(e => getComputedStyle(e).stroke))]"""
CARD_TEXT = '[data-testid="stMetricLabel"] p, [data-testid="stMetricValue"] p'
NEUTRAL = "rgb(138, 148, 166)"  # layout.SPARK, #8a94a6
# Each card value as it is drawn: its text and how many lines it takes.
VALUE_LINES = """() => [...document.querySelectorAll('[data-testid="stMetricValue"] p')]
  .map(e => { const range = document.createRange(); range.selectNodeContents(e);
              const tops = [...range.getClientRects()].map(r => Math.round(r.top));
              return [e.innerText, new Set(tops).size]; })"""


def open_overview(page: Page, server: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(server)
    settle(page)
    page.wait_for_selector('[data-testid="stMetricChart"] path[aria-roledescription="line mark"]')


@pytest.mark.parametrize("width", [1280, 1440, 1920])
def test_no_card_label_or_value_is_cut(server: str, page: Page, width: int) -> None:
    open_overview(page, server, width)
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    assert len(labels) == len(KPIS)
    assert page.evaluate(CLIPPED) == []
    if width == 1440:
        shot(page, "overview_1440")


@pytest.mark.parametrize("width", [1024, 1280])
def test_no_card_breaks_a_word_on_a_laptop_with_the_sidebar_open(
    server: str, page: Page, width: int
) -> None:
    """At 1024 pixels six cards a row left about 80 pixels a card: 'Revenu e', '$4,378,3 89'.
    A narrow row now puts three cards to a line, each wide enough for its words."""
    open_overview(page, server, width)
    assert (
        page.locator('[data-testid="stSidebar"]').evaluate("e => e.getBoundingClientRect().width")
        > 200
    )  # the sidebar is open and takes its room
    assert broken_words(page, CARD_TEXT) == []
    boxes = [drawn_box(m) for m in page.locator('[data-testid="stMetric"]').all()]
    assert len(boxes) == len(KPIS)
    assert min(b["width"] for b in boxes) >= 120, sorted(b["width"] for b in boxes)[:3]
    if width == 1024:
        shot(page, "overview_1024")


def test_sparklines_are_neutral_and_the_delta_carries_the_verdict(
    server: str, page: Page, data_folder: Path
) -> None:
    open_overview(page, server, 1440)
    assert page.evaluate(SPARK_COLOURS) == [NEUTRAL]
    numbers = Cockpit.open(data_folder).kpis("2026-07-01", "2026-09-30")["kpis"]
    verdicts = {
        k.label: judge(k, numbers[k.name]["value"], numbers[k.name]["previous"]) for k in KPIS
    }
    assert verdicts["Contacts"] in (Tone.BETTER, Tone.WORSE)  # the data must test the rule
    colours = {}
    for card in page.locator('[data-testid="stMetric"]').all():
        label = card.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        delta = card.locator('[data-testid="stMetricDelta"]')
        colours[label] = delta.evaluate("e => getComputedStyle(e).color")
    # The page's delta colours split the cards exactly as the verdicts do: grey for no
    # verdict (Passives, a share) and flat changes, one colour for better, one for worse.
    grey = {Tone.FLAT: "grey", Tone.NONE: "grey"}
    by_tone: dict[str, set[str]] = {}
    for label, verdict in verdicts.items():
        by_tone.setdefault(grey.get(verdict, str(verdict)), set()).add(colours[label])
    assert all(len(c) == 1 for c in by_tone.values()), by_tone
    assert len({next(iter(c)) for c in by_tone.values()}) == len(by_tone)
    assert verdicts["Passives"] is Tone.NONE


def test_a_phone_gets_the_headline_first_two_cards_a_row_and_no_sidebar(
    server: str, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    try:
        phone.goto(server)
        settle(phone)
        right = phone.locator('[data-testid="stSidebar"]').evaluate(
            "e => e.getBoundingClientRect().right"
        )
        assert right <= 1  # closed: nothing of it over the content
        boxes = [drawn_box(m) for m in phone.locator('[data-testid="stMetric"]').all()]
        assert len(boxes) == len(KPIS)
        labels = phone.locator('[data-testid="stMetricLabel"]').all_inner_texts()
        assert [t.strip() for t in labels[:5]] == [
            "Revenue", "Active customers", "Net revenue retention", "NPS", "Cost to serve"
        ]  # fmt: skip
        # Two cards a row: the first two side by side, each about half the screen.
        assert abs(boxes[0]["y"] - boxes[1]["y"]) < 2 and boxes[1]["x"] > boxes[0]["x"]
        assert all(b["width"] < 390 / 2 for b in boxes)
        rows = len({round(b["y"]) for b in boxes})
        # 29 cards today: 17 rows in groups two a row (3 + 2 + 2 + 1 + 3 + 3 + 3), against
        # 29 rows stacked one a row.
        assert rows <= len(KPIS) * 0.6
        assert phone.evaluate(CLIPPED) == []
        shot(phone, "overview_phone")
    finally:
        context.close()


@pytest.fixture(scope="module")
def big_company(tmp_path_factory: pytest.TempPathFactory, browser: object) -> Iterator[str]:
    """Nine-digit revenue: a customer who grows from $1,000 to $123,456,789 a quarter."""
    folder = write_folder(
        tmp_path_factory.mktemp("big"),
        customers=[customer("c1"), customer("c2", segment="Enterprise")],
        orders=[
            order("o0", "c2", "2026-01-01", 500.0, category="B"),
            order("o1", "c1", "2026-02-10", 1_000.0),
            order("o2", "c1", "2026-05-10", 123_456_789.0),
            order("o3", "c2", "2026-03-01", 2_000.0, category="B"),
            order("o4", "c2", "2026-06-30", 45_000_000.0, category="B"),
        ],
    )
    with running_app({**os.environ, "CX_DATA": str(Path(folder))}) as base:
        yield base


@pytest.mark.parametrize("width", [1280, 1440])
def test_a_nine_digit_value_is_shown_in_millions_on_one_line(
    big_company: str, page: Page, width: int
) -> None:
    """Expansion revenue of $168,453,289 in a narrow card once broke between its digits."""
    open_overview(page, big_company, width)
    drawn = dict(page.evaluate(VALUE_LINES))
    assert drawn["$168.5M"] == 1, drawn  # revenue and expansion revenue, both rounded
    assert max(drawn.values()) == 1, drawn
    assert not [text for text in drawn if len(text) >= CARD_VALUE_CHARS], drawn
    assert page.evaluate(CLIPPED) == []
