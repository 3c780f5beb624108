"""The overview's top band: headline KPIs, what moved most, how fresh the data is."""

from __future__ import annotations

import datetime as dt

import pytest

from cxcore.app.coverage import FULL, Covered, Reach
from cxcore.app.headline import HEADLINE, freshness, headline_kpis, what_moved
from cxcore.metrics.registry import KPI_BY_NAME, KPIS

D = dt.date


def test_the_default_headline_is_the_five_an_executive_asks_for() -> None:
    assert [k.label for k in headline_kpis()] == [
        "Revenue",
        "Active customers",
        "Net revenue retention",
        "NPS",
        "Cost to serve",
    ]
    assert set(HEADLINE) <= {k.name for k in KPIS}


NUMBERS = {
    # revenue 100 -> 88: -12.0%, worse, size 0.12
    "revenue": {"value": 88.0, "previous": 100.0},
    # net revenue retention 1.0 -> 0.8: -20.0 pp, worse, size 0.2
    "net_revenue_retention": {"value": 0.8, "previous": 1.0},
    # contacts 100 -> 95: -5.0%, better (fewer contacts), size 0.05
    "contacts": {"value": 95.0, "previous": 100.0},
    # churn 0.20 -> 0.30: +10.0 pp, worse, size 0.5: the biggest, but its comparison
    # is not covered in the test below, so it is left out there
    "churn_rate": {"value": 0.30, "previous": 0.20},
    # passives: neutral, never news
    "passives_share": {"value": 0.5, "previous": 0.2},
    # active customers: flat
    "active_customers": {"value": 100.0, "previous": 100.0},
}
KPIS_SHOWN = [KPI_BY_NAME[n] for n in NUMBERS]


def test_what_moved_names_the_biggest_moves_each_way() -> None:
    line = what_moved(NUMBERS, KPIS_SHOWN, lambda k: FULL)
    assert line == (
        "Worse: Churn +10.0 pp, Net revenue retention -20.0 pp · Better: Contacts -5.0%"
    )


def test_what_moved_leaves_out_changes_the_data_does_not_cover() -> None:
    gap = Covered(Reach.NO_CHANGE, "no data for Q2 2026 to compare")
    line = what_moved(NUMBERS, KPIS_SHOWN, lambda k: gap if k.name == "churn_rate" else FULL)
    assert line == (
        "Worse: Net revenue retention -20.0 pp, Revenue -12.0% · Better: Contacts -5.0%"
    )
    assert what_moved(NUMBERS, KPIS_SHOWN, lambda k: gap) is None


@pytest.mark.parametrize(
    ("last_days", "version", "text"),
    [
        (
            {"orders": D(2026, 9, 30), "nps_responses": D(2026, 9, 30)},
            3,
            "Data version 3 · every export to 30 Sep 2026",
        ),
        (
            {
                "orders": D(2026, 10, 14),
                "nps_responses": D(2026, 9, 30),
                "web_sessions": D(2026, 9, 30),
                "customers": D(2026, 9, 26),
            },
            2,
            "Data version 2 · orders to 14 Oct 2026, customers to 26 Sep 2026, "
            "the rest to 30 Sep 2026",
        ),
        (
            {"orders": D(2026, 10, 14), "nps_responses": D(2026, 9, 30)},
            None,
            "Data folder · orders to 14 Oct 2026, survey responses to 30 Sep 2026",
        ),
    ],
)
def test_freshness_names_each_exports_last_day(
    last_days: dict[str, dt.date], version: int | None, text: str
) -> None:
    assert freshness(last_days, version) == text
