"""Every path the engine can take gives the base definition's numbers, to the last digit.

A published version is answered from rollups where it can be (daily sums for
any period; windows and pairs for whole months, quarters and years against
the previous one or the same one a year before) and from the fact rows
otherwise. Here the same views are asked three ways: of the published
version with its rollups, of the same version from its fact rows only, and
of the data folder as it was validated and loaded in memory. The answers
must be identical, and equal to the plain-Python reference.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from cxcore import Cockpit
from cxcore.data.sample import generate
from cxcore.metrics.trend import month_periods
from cxcore.store.publish import ensure_store
from tests.factories import customer, order, write_folder
from tests.metrics.test_engine_vs_reference import _assert_same_result, _write
from tests.reference_kpis import compute
from tests.strategies import Case, cases


@contextmanager
def three_ways(folder: Path) -> Iterator[tuple[Cockpit, Cockpit, Cockpit]]:
    """(rollups, fact rows, data folder) cockpits over the same data."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        ensure_store(store, folder)
        with (
            Cockpit.open(store) as rolled,
            Cockpit.open(store, use_rollups=False) as rows,
            Cockpit.open(folder) as loaded,
        ):
            assert rolled.use_rollups and not rows.use_rollups
            yield rolled, rows, loaded


def _view(case: Case) -> dict[str, Any]:
    query = case.query
    view: dict[str, Any] = {
        "start": query.start.isoformat(),
        "end": query.end.isoformat(),
        "compare": query.compare,
        "filters": query.filters,
    }
    if query.by:
        view["by"] = query.by
    return view


def _trend(case: Case) -> list[tuple[dt.date, dt.date]]:
    """The months of the view's year: whole ones, rolled up, and the first clipped by a day."""
    year = case.query.start.year
    months = [(m.start, m.end) for m in month_periods(dt.date(year, 1, 1), dt.date(year, 12, 31))]
    months[0] = (months[0][0] + dt.timedelta(days=1), months[0][1])
    return months


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
)
@given(case=cases())
def test_rollups_fact_rows_and_the_loaded_folder_agree(case: Case) -> None:
    query = case.query
    expected = compute(
        case.dataset.tables, query.start, query.end, query.compare, query.filters, query.by
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        _write(case.dataset, folder, dict.fromkeys(case.dataset.tables, "parquet"), ("1", "0"))
        with three_ways(folder) as (rolled, rows, loaded):
            view = _view(case)
            answer = rolled.kpis(**view)
            assert answer == rows.kpis(**view) == loaded.kpis(**view)
            _assert_same_result(answer, expected, query.by)
            trend = _trend(case)
            many = rolled.kpis_many(trend, query.compare, query.filters)
            assert many == rows.kpis_many(trend, query.compare, query.filters)
            assert many == loaded.kpis_many(trend, query.compare, query.filters)


@pytest.fixture(scope="module")
def sample_ways(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cockpit, ...]]:
    folder = tmp_path_factory.mktemp("sample")
    generate(folder, customers=800, seed=11)
    with three_ways(folder) as ways:
        yield ways


def _sample_views() -> list[dict[str, Any]]:
    views: list[dict[str, Any]] = []
    spans = [
        ("2026-07-01", "2026-09-30"),
        ("2025-01-01", "2025-12-31"),
        ("2026-02-01", "2026-02-28"),
        ("2025-02-01", "2025-02-28"),
        ("2024-03-01", "2024-03-31"),
        ("2026-01-01", "2026-09-30"),
        ("2025-10-01", "2026-09-30"),
        ("2026-02-03", "2026-05-17"),
    ]
    selections: list[tuple[dict[str, list[str]], list[str] | None]] = [
        ({}, None),
        ({"segment": ["SMB"]}, ["region"]),
        ({"region": ["East", "Unknown"]}, ["segment", "tier"]),
        ({"acquisition_channel": ["Referral"]}, ["acquisition_channel"]),
    ]
    for (start, end), compare in zip(spans * 2, ["previous"] * 8 + ["yoy"] * 8, strict=True):
        for filters, by in selections:
            views.append(
                {"start": start, "end": end, "compare": compare, "filters": filters, "by": by}
            )
    return views


@pytest.mark.parametrize("view", _sample_views(), ids=lambda v: f"{v['start']}..{v['end']}")
def test_the_sample_agrees_every_way(
    sample_ways: tuple[Cockpit, ...], view: dict[str, Any]
) -> None:
    rolled, rows, loaded = sample_ways
    assert rolled.kpis(**view) == rows.kpis(**view) == loaded.kpis(**view)


@pytest.mark.parametrize("compare", ["previous", "yoy"])
def test_the_sample_trend_agrees_every_way(sample_ways: tuple[Cockpit, ...], compare: str) -> None:
    rolled, rows, loaded = sample_ways
    months = [(m.start, m.end) for m in month_periods(dt.date(2024, 1, 1), dt.date(2026, 9, 30))]
    trend = rolled.kpis_many(months, compare, {"segment": ["Enterprise"]})
    assert trend == rows.kpis_many(months, compare, {"segment": ["Enterprise"]})
    assert trend == loaded.kpis_many(months, compare, {"segment": ["Enterprise"]})


ODD = {
    "one customer, one day": (
        [customer("c1", signup="2025-03-01")],
        [order("o1", "c1", "2025-03-15", 10)],
    ),
    "a refund only": (
        [customer("c1"), customer("c2")],
        [order("o1", "c1", "2025-02-10", -30), order("o2", "c2", "2025-03-10", 5)],
    ),
    "a month with no orders between two": (
        [customer("c1"), customer("c2")],
        [order("o1", "c1", "2025-01-31", 10), order("o2", "c1", "2025-03-01", 7)],
    ),
    "a customer shrinking below zero": (
        [customer("c1")],
        [
            order("o1", "c1", "2025-01-05", 50),
            order("o2", "c1", "2025-02-05", 20),
            order("o3", "c1", "2025-02-06", -40),
        ],
    ),
    "no orders in any window asked": ([customer("c1")], [order("o1", "c1", "2022-06-01", 9)]),
    "leap Februaries": (
        [customer("c1"), customer("c2", segment="Enterprise"), customer("c3")],
        [
            order("o1", "c1", "2023-02-15", 10),
            order("o2", "c1", "2024-02-10", 20),
            order("o3", "c2", "2024-02-29", 30),  # the leap day: outside 1-28 February
            order("o4", "c2", "2025-02-20", 40),
            order("o5", "c1", "2025-02-28", 15),
            order("o6", "c3", "2024-02-28", -5),
            order("o7", "c3", "2023-02-01", 8),
            order("o8", "c3", "2025-02-01", 9),
        ],
    ),
}


@pytest.mark.parametrize("name", ODD)
def test_odd_data_agrees_every_way(name: str, tmp_path: Path) -> None:
    people, orders = ODD[name]
    folder = write_folder(tmp_path / "data", customers=people, orders=orders)
    views = [
        (s, e, c)
        for s, e in (
            ("2025-02-01", "2025-02-28"),
            ("2025-01-01", "2025-03-31"),
            ("2025-01-01", "2025-12-31"),
            ("2025-02-10", "2025-03-12"),
            ("2024-02-01", "2024-02-29"),
            ("2024-02-01", "2024-02-28"),
        )
        for c in ("previous", "yoy")
    ]
    with three_ways(folder) as (rolled, rows, loaded):
        for view in views:
            assert rolled.kpis(*view) == rows.kpis(*view) == loaded.kpis(*view), view


def test_a_february_against_the_leap_february_before_it_is_rolled() -> None:
    """1-28 February of a leap year is the only non-whole window a year-before comparison
    of whole units gives; the rollups hold it, so no trend falls back to the fact rows."""
    from cxcore.metrics.periods import Compare, Windows, period
    from cxcore.metrics.query import Slot
    from cxcore.metrics.rollups import LEAP_FEBRUARY, rolled

    windows = Windows.of(period("2025-02-01", "2025-02-28"), Compare.YOY)
    current = rolled(Slot("p", windows.current, windows.compared))
    before = rolled(Slot("q", windows.compared, windows.before_compared))
    assert current is not None and (current.unit, current.prior_unit) == ("month", LEAP_FEBRUARY)
    assert before is not None and (before.unit, before.prior_unit) == (LEAP_FEBRUARY, "month")
    assert (current.lag, before.lag) == (12, 12)
    asked = Windows.of(period("2024-02-01", "2024-02-28"), Compare.YOY)  # asked for directly
    assert rolled(Slot("a", asked.current, asked.compared)) is not None
    for start, end in (("2024-02-01", "2024-02-27"), ("2023-02-01", "2023-02-27")):
        other = Windows.of(period(start, end), Compare.YOY)
        assert rolled(Slot("x", other.current, other.compared)) is None
