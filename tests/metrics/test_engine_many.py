"""`kpis_many` (one query per table for a whole trend) equals `kpis` period by period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from cxcore import ArgumentError, Cockpit
from cxcore.data.sample import generate
from cxcore.metrics.engine import Key, SlotMeasures
from cxcore.metrics.periods import Windows, parse_compare, period
from cxcore.metrics.query import Slot, shared_slots
from cxcore.metrics.trend import month_periods


@pytest.fixture(scope="module")
def cockpit(tmp_path_factory: pytest.TempPathFactory) -> Cockpit:
    folder = Path(tmp_path_factory.mktemp("sample"))
    generate(folder, customers=300, seed=11)
    return Cockpit.open(folder)


MONTHS = month_periods(dt.date(2025, 1, 15), dt.date(2026, 3, 10))  # clipped ends included
CASES = [
    ("previous", {}),
    ("yoy", {}),
    ("previous", {"segment": ["SMB", "Consumer"]}),
    ("yoy", {"region": ["East"], "tier": ["Gold"]}),
]


@pytest.mark.parametrize(("compare", "filters"), CASES)
def test_many_periods_match_one_call_each(
    cockpit: Cockpit, compare: str, filters: dict[str, list[str]]
) -> None:
    periods = [(m.start, m.end) for m in MONTHS]
    many = cockpit.kpis_many(periods, compare=compare, filters=filters)
    assert len(many) == len(periods)
    for (start, end), entry in zip(periods, many, strict=True):
        single = cockpit.kpis(start, end, compare=compare, filters=filters)
        assert entry["period"] == single["period"]
        assert entry["comparison"] == single["comparison"]
        assert entry["kpis"] == single["kpis"], f"{start}..{end}"


def test_many_refuses_a_bad_period(cockpit: Cockpit) -> None:
    with pytest.raises(ArgumentError, match="after end"):
        cockpit.kpis_many([("2025-02-01", "2025-01-01")])


def test_the_same_period_twice_gives_the_same_entry_twice(cockpit: Cockpit) -> None:
    once, twice = cockpit.kpis_many([("2025-03-01", "2025-03-31")] * 2, compare="yoy")
    assert once == twice
    assert once["kpis"] == cockpit.kpis("2025-03-01", "2025-03-31", compare="yoy")["kpis"]


def _trailing(months: int, compare: str) -> list[Windows]:
    spans = month_periods(dt.date(2023, 1, 1), dt.date(2025, 12, 31))[-months:]
    return [Windows.of(period(m.start, m.end), parse_compare(compare)) for m in spans]


SHARED = [
    # views, slots asked: each distinct (current, prior) pair once
    ("12 months, previous: month i's comparison is month i-1", _trailing(12, "previous"), 13),
    # 33 + 12, plus one: February 2025 a year before is 1-28 February 2024, not the
    # whole leap month that is a period of its own
    ("33 months, a year before: month i's comparison is month i-12", _trailing(33, "yoy"), 46),
    ("one period", _trailing(1, "previous"), 2),
    ("the same period twice", _trailing(1, "yoy") * 2, 2),
    ("two months far apart share nothing", _trailing(12, "previous")[::11], 4),
]


@pytest.mark.parametrize(("views", "expected"), [c[1:] for c in SHARED], ids=[c[0] for c in SHARED])
def test_a_trend_asks_each_window_pair_once(views: list[Windows], expected: int) -> None:
    slots = shared_slots(views)
    needed = {
        pair for w in views for pair in ((w.current, w.compared), (w.compared, w.before_compared))
    }
    assert set(slots) == needed
    assert len(slots) == expected
    assert len({s.name for s in slots.values()}) == expected
    assert all((s.current, s.prior) == pair for pair, s in slots.items())


def test_a_trend_of_twelve_whole_months_asks_thirteen_slots(
    cockpit: Cockpit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine asks the shared slots, not two per period."""
    asked: list[int] = []
    real = cockpit.measures

    def counted(
        slots: Sequence[Slot], filters: Mapping[str, Sequence[str]], by: tuple[str, ...]
    ) -> dict[Key, SlotMeasures]:
        asked.append(len(slots))
        return real(slots, filters, by)

    monkeypatch.setattr(cockpit, "measures", counted)
    whole = month_periods(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    cockpit.kpis_many([(m.start, m.end) for m in whole], compare="previous")
    assert asked == [13]
