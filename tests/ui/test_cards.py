"""Cards as the app draws them: a long value in millions, its exact value in the card's help."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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
