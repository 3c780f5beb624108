"""`kpis_many` (one query per table for a whole trend) equals `kpis` period by period."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cxcore import ArgumentError, Cockpit
from cxcore.data.sample import generate
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
