"""The most extreme values the contract accepts reach every page without breaking it.

Dates at both ends of the default window (1900-01-01, 2099-12-31) and amounts
at the bound that keeps every total inside DECIMAL(38, 10): for a table of 4
rows, 1e27 each (4 * 1e27 < 1e28).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cxcore import Cockpit
from tests.factories import customer, nps, order, write_folder

from .conftest import open_app, served_store

BOUND = 10**27


@pytest.fixture
def extreme_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    seed = write_folder(
        tmp_path / "seed",
        customers=[customer("c1", signup="1900-01-01"), customer("c2", signup="2099-12-31")],
        orders=[
            order("o1", "c1", "1900-01-01", BOUND),
            order("o2", "c1", "1900-01-02", -BOUND),
            order("o3", "c2", "2099-12-31", BOUND),
            order("o4", "c2", "2099-12-30", BOUND),
        ],
        nps_responses=[nps("r1", "c1", "1900-01-01", 10), nps("r2", "c2", "2099-12-31", 0)],
    )
    yield from served_store(seed, tmp_path / "store", monkeypatch)


def test_the_cockpit_answers_at_the_ends_of_the_window(extreme_store: Path) -> None:
    cockpit = Cockpit.open(extreme_store)
    orders = cockpit.dataset.tables["orders"]
    assert orders.first_day is not None and orders.last_day is not None
    assert orders.first_day.isoformat() == "1900-01-01"
    assert orders.last_day.isoformat() == "2099-12-31"
    for compare in ("previous", "yoy"):
        result = cockpit.kpis("1900-01-01", "2099-12-31", compare=compare, by=["segment"])
        # o1 + o2 + o3 + o4 = 1e27 - 1e27 + 1e27 + 1e27 = 2e27
        assert result["kpis"]["revenue"]["value"] == pytest.approx(2e27)
    late = cockpit.kpis("2099-12-01", "2099-12-31", compare="yoy")
    assert late["kpis"]["revenue"]["value"] == pytest.approx(2e27)  # o3 + o4


# The explorer is left out: its trend has a point for every month of the data, and data
# spanning 1900..2099 (2,400 months) takes minutes to draw (it does finish, without error).
@pytest.mark.parametrize("page", ["pages/overview.py", "pages/data.py", "pages/versions.py"])
def test_every_page_opens_on_extreme_data(extreme_store: Path, page: str) -> None:
    at = open_app(page=page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
