"""Cards as the app draws them: a long value in millions, its exact value in the card's help."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1.element_tree import Column, Subheader

from cxcore.metrics.registry import GROUPS, KPIS
from cxcore.ui.cards import card_rows
from tests.factories import customer, order, write_folder

from .conftest import open_app, served_store


@pytest.fixture
def big_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    seed = write_folder(
        tmp_path / "seed",
        customers=[customer("c1"), customer("c2", segment="Enterprise")],
        orders=[
            order("o0", "c2", "2026-01-01", 500.0),
            order("o1", "c1", "2026-02-10", 1_000.0),
            order("o2", "c1", "2026-05-10", 123_456_789.0),
            order("o3", "c2", "2026-06-30", 45_000_000.0),
        ],
    )
    yield from served_store(seed, tmp_path / "store", monkeypatch)


def test_a_nine_digit_revenue_card_says_millions_and_its_help_the_exact_value(
    big_store: Path,
) -> None:
    at = open_app()
    assert not at.exception, [e.value for e in at.exception]
    cards = {m.label: m for m in at.metric}
    revenue = cards["Revenue"]
    assert revenue.value == "$168.5M"
    assert revenue.proto.help.endswith("Exact value: $168,456,789.")
    orders = cards["Orders"]
    assert orders.value == "2" and "Exact value" not in orders.proto.help


def test_every_card_below_the_headline_is_a_sixth_of_the_page(data_folder: Path) -> None:
    """Seven cards in one row broke their labels mid-word on a laptop: each group's row has
    six slots, whatever the group's size, so every card has the same width."""
    at = open_app()
    assert not at.exception
    groups = next(
        block
        for block in at.main.children.values()
        if any(isinstance(c, Subheader) for c in getattr(block, "children", {}).values())
    )  # the groups' own container, whose key the style's narrow-row rule finds
    blocks = list(groups.children.values())
    rows = {
        heading.value: blocks[i + 1]
        for i, heading in enumerate(blocks)
        if isinstance(heading, Subheader)
    }
    assert set(rows) == set(GROUPS)
    for group, row in rows.items():
        slots = [c for c in row.children.values() if isinstance(c, Column)]
        assert [round(c.weight, 3) for c in slots] == [round(1 / 6, 3)] * 6, group


@pytest.mark.parametrize(("cards", "rows"), [(2, [2]), (6, [6]), (7, [6, 1]), (13, [6, 6, 1])])
def test_cards_fill_rows_of_six(cards: int, rows: list[int]) -> None:
    assert [len(r) for r in card_rows(KPIS[:cards])] == rows
