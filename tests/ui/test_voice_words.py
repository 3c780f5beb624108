"""The voice of the customer's sentences and figures, from hand-worked contract dictionaries."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cxcore.data.targets import Target
from cxcore.metrics.registry import KPI_BY_NAME
from cxcore.ui import voice_charts, voice_words
from cxcore.ui.charts import BAD, FLAT, GOOD
from cxcore.voice.drivers import quadrant
from cxcore.voice.value import worth

GROUPS = [  # promoters bring 3,000, passives 2,500, detractors 1,500 in a 73-day period
    {"group": "promoter", "customers": 40, "retention_rate": 0.9, "revenue_per_customer": 3000.0},
    {"group": "passive", "customers": 30, "retention_rate": 0.8, "revenue_per_customer": 2500.0},
    {"group": "detractor", "customers": 50, "retention_rate": 0.6, "revenue_per_customer": 1500.0},
]


def test_the_value_sentence_in_hand_worked_money() -> None:
    said = voice_words.value_sentence(worth(GROUPS, 73))
    assert said is not None
    # a year is 365 / 73 = 5 periods: (3000 - 1500) * 5 = 7,500 a year
    assert "a detractor brings **$7,500 less** than a promoter" in said
    # 10% of 50 detractors = 5 customers, each (2500 - 1500) * 5 = 5,000 a year: 25,000
    assert "about 5 customers" in said and "worth **$25,000 a year**" in said
    # loss 0.8 - 0.6 = 20 pp against gain 0.9 - 0.8 = 10 pp: twice
    assert "weighs **2.0×** a good one" in said  # noqa: RUF001
    assert "retains 20.0 pp less than a passive, a promoter 10.0 pp more" in said


def test_no_value_sentence_for_an_empty_group() -> None:
    empty = [*GROUPS[:2], {**GROUPS[2], "customers": 0, "retention_rate": None}]
    empty[2]["revenue_per_customer"] = None
    assert voice_words.value_sentence(worth(empty, 73)) is None


@pytest.mark.parametrize(
    ("name", "status", "change", "expected"),
    [
        ("nps", {"status": "red", "target": 30.0}, {"words": "no significant change"},
         ":red[●] red (target 30.0) · no significant change"),
        ("churn_rate", {"status": "on target", "target": 0.05}, None,
         ":green[●] on target (target 5.0%)"),
        ("revenue", None, None, ""),
        ("retention_rate", None, {"words": "too few responses (n = 12)"},
         "too few responses (n = 12)"),
    ],
)  # fmt: skip
def test_card_notes(name: str, status: dict | None, change: dict | None, expected: str) -> None:
    assert voice_words.card_note(KPI_BY_NAME[name], status, change) == expected


def test_member_statuses_use_the_most_specific_target() -> None:
    targets = [Target("nps", 30, 20, 10), Target("nps", 50, 45, 40, region="East")]
    rows = [
        {"region": "East", "kpis": {"nps": {"value": 42.0}}},  # East's own: amber (45 > 42 > 40)
        {"region": "West", "kpis": {"nps": {"value": 42.0}}},  # overall: on target (42 >= 20)
        {"region": "North", "kpis": {"nps": {"value": 5.0}}},  # overall: red (5 <= 10)
    ]
    said = voice_words.member_statuses(targets, KPI_BY_NAME["nps"], {}, "region", rows)
    assert said == (
        "Status per member: :orange[●] East amber, :green[●] West on target, :red[●] North red."
    )


def journey(change: float | None, spread: float | None) -> dict[str, Any]:
    kind = "fall" if (change or 0) < 0 else "rise"
    verdict = {"words": f"significant {kind} (95%)"} if change is not None else None
    return {
        "member": "billing",
        "nps": -42.04,
        "change": change,
        "significance": verdict,
        "next_period": {"retention_spread": spread},
    }


@pytest.mark.parametrize(
    ("member", "said"),
    [
        (
            journey(-20.7, 0.241),
            "**billing** has the lowest NPS, -42.0, a move of -20.7 pts: significant fall"
            " (95%). Its promoters from the period before retained 24.1 pp more than its"
            " detractors.",
        ),
        (
            journey(None, -0.019),  # no comparison; promoters did worse than detractors
            "**billing** has the lowest NPS, -42.0. Its promoters from the period before"
            " retained 1.9 pp less than its detractors.",
        ),
        (
            journey(3.0, None),
            "**billing** has the lowest NPS, -42.0, a move of +3.0 pts: significant rise (95%).",
        ),
        (None, "No journey has 30 answers or more in this view."),
    ],
)
def test_the_journey_sentence(member: dict[str, Any] | None, said: str) -> None:
    assert voice_words.journey_sentence(member) == said


SPLIT = {  # revenue 1,000 -> 1,300: volume 100, A mix 50 rate 100, B mix -30 rate 80
    "total_change": 300.0,
    "volume": 100.0,
    "members": [
        {"member": "A", "mix": 50.0, "rate": 100.0, "change": 150.0},
        {"member": "B", "mix": -30.0, "rate": 80.0, "change": 50.0},
    ],
    "movers": ["A", "B"],
}


def test_the_waterfall_steps_add_up_to_the_total() -> None:
    bars = voice_charts.waterfall_figure(KPI_BY_NAME["revenue"], SPLIT).data[0]
    assert list(bars.x) == ["Volume", "A mix", "A rate", "B mix", "B rate", "Total change"]
    assert sum(bars.y[:-1]) == bars.y[-1] == 300.0


def test_money_falls_are_labelled_minus_dollars() -> None:
    """A prefix is written before plotly's sign ($-20M); d3's currency symbol after it."""
    axis = voice_charts.waterfall_figure(KPI_BY_NAME["revenue"], SPLIT).layout.yaxis
    assert axis.tickprefix is None and axis.tickformat == "$~s"


@pytest.mark.parametrize(
    ("name", "rise", "fall"),
    [
        ("revenue", GOOD, BAD),
        ("churn_rate", BAD, GOOD),  # a rise of churn is bad news
        ("passives_share", FLAT, FLAT),  # a neutral share: no verdict either way
    ],
)
def test_the_waterfall_colours_steps_by_the_kpis_direction(name: str, rise: str, fall: str) -> None:
    bars = voice_charts.waterfall_figure(KPI_BY_NAME[name], SPLIT).data[0]
    assert (bars.increasing.marker.color, bars.decreasing.marker.color) == (rise, fall)


def test_the_movers_sentence_names_the_largest_first() -> None:
    said = voice_words.movers_sentence(KPI_BY_NAME["revenue"], "segment", SPLIT)
    # currency as the cards write it: cents below $100
    assert said == (
        "Revenue moved +$300; by segment, most of it came from A (+$150) and B (+$50.00)."
    )


def test_the_quadrant_shades_and_names_the_fix_first_corner() -> None:
    drivers: dict[str, Any] = {
        "r_squared": 0.5,
        "drivers": [  # mean importance 0.4, mean performance 7.0
            {"driver": "driver_wait", "importance": 0.7, "performance": 6.0, "responses": 90,
             "relative_weight": 0.3},
            {"driver": "driver_price", "importance": 0.3, "performance": 6.5, "responses": 90,
             "relative_weight": 0.1},
            {"driver": "driver_app", "importance": 0.2, "performance": 8.5, "responses": 90,
             "relative_weight": 0.1},
        ],
    }  # fmt: skip
    split = quadrant(drivers)
    assert split.fix_first == "driver_wait"
    fig = voice_charts.quadrant_figure(drivers, split)
    shade = fig.layout.shapes[0]
    assert (shade.x0, shade.y1) == (pytest.approx(0.4), pytest.approx(7.0))
    assert "Fix first" in json.dumps(fig.layout.annotations[0].to_plotly_json())
    assert "Wait" in voice_words.driver_sentence(drivers["drivers"], split.fix_first)
    # each label leans toward the middle, so none is cut at the chart's edge
    assert list(fig.data[0].textposition) == ["top left", "top right", "top right"]


def test_the_value_sentence_when_passives_bring_less_than_detractors() -> None:
    upside_down = [
        {**GROUPS[0], "revenue_per_customer": 1000.0},  # promoters 1,000
        {**GROUPS[1], "revenue_per_customer": 1200.0},  # passives 1,200
        {**GROUPS[2], "revenue_per_customer": 1400.0},  # detractors 1,400
    ]
    said = voice_words.value_sentence(worth(upside_down, 73))
    assert said is not None
    # (1000 - 1400) * 5 = -2,000: the detractor brings more, and the shift adds nothing
    assert "a detractor brings **$2,000 more** than a promoter" in said
    assert "to passive would not add revenue here." in said


def test_members_from_the_data_are_said_as_text_not_markup() -> None:
    from cxcore.metrics.registry import KPI_BY_NAME
    from cxcore.ui.voice_words import movers_sentence

    hostile = "![px](http://host/p.png)"
    split = {
        "members": [{"member": hostile, "change": 5.0}, {"member": "North", "change": 1.0}],
        "movers": [hostile, "North"],
        "total_change": 6.0,
    }
    said = movers_sentence(KPI_BY_NAME["revenue"], "region", split)
    assert hostile not in said and "\\!\\[px\\]" in said


def test_the_movers_sentence_says_why_there_is_nothing_to_split() -> None:
    said = voice_words.movers_sentence(
        KPI_BY_NAME["nps"], "region", None, "no responses in one of the periods"
    )
    assert said == (
        "There is nothing to split by region in this view: no responses in one of the periods."
    )
    assert voice_words.movers_sentence(KPI_BY_NAME["nps"], "region", None) == (
        "There is nothing to split by region in this view."
    )
