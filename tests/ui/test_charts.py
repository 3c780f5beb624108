"""Which breakdown members get a bar."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cxcore.app.coverage import Span
from cxcore.metrics.registry import KPI_BY_NAME
from cxcore.ui.charts import (
    INCOMPLETE,
    breakdown_frame,
    has_data,
    heat_scale,
    heatmap_figure,
    mark_coverage,
    points_frame,
    trend_figure,
)

CASES = [
    ("revenue", 0.0, 0.0, False),  # a sum that is zero in both periods: no bar
    ("revenue", 0.0, 12.5, True),
    ("revenue", None, None, False),
    ("churn_rate", 0.0, 0.0, True),  # a rate of 0 is news
    ("nps", None, 12.0, True),
    ("contacts", 0, 0, False),
]


@pytest.mark.parametrize(("name", "value", "previous", "expected"), CASES)
def test_has_data(name: str, value: float | None, previous: float | None, expected: bool) -> None:
    assert has_data(KPI_BY_NAME[name], value, previous) is expected


def test_breakdown_frame_leaves_out_empty_members() -> None:
    result = {
        "breakdown": [
            {"region": "North", "kpis": {"revenue": {"value": 10.0, "previous": 8.0}}},
            {"region": "Unknown", "kpis": {"revenue": {"value": 0.0, "previous": 0.0}}},
        ]
    }
    frame = breakdown_frame(result, KPI_BY_NAME["revenue"], ("region",))
    assert frame["region"].to_list() == ["North"]


def _nps_entry(segment: str, region: str, nps: float, responses: int) -> dict[str, Any]:
    return {
        "segment": segment,
        "region": region,
        "kpis": {
            "nps": {"value": nps, "previous": None},
            "nps_responses": {"value": responses, "previous": None},
        },
    }


def test_nps_cells_carry_their_response_counts() -> None:
    entries = [_nps_entry("SMB", "North", 31.25, 1234), _nps_entry("SMB", "East", -5, 12)]
    result = {"breakdown": entries}
    kpi = KPI_BY_NAME["nps"]
    frame = breakdown_frame(result, kpi, ("segment", "region"))
    fig = heatmap_figure(frame, "segment", "region", kpi, ["SMB"], ["East", "North"])
    assert [list(row) for row in fig.data[0].text] == [["-5.0<br>n=12", "31.2<br>n=1,234"]]
    revenue = breakdown_frame(
        {"breakdown": [{"segment": "SMB", "kpis": {"revenue": {"value": 5.0, "previous": 1.0}}}]},
        KPI_BY_NAME["revenue"],
        ("segment",),
    )
    assert "responses" not in revenue.columns


def test_a_one_row_heatmap_leaves_its_legend_room() -> None:
    """The legend's title runs along the colour bar; one row's height cut it short."""
    kpi = KPI_BY_NAME["nps"]
    one = [_nps_entry("SMB", "North", 31.25, 1234)]
    two = [*one, _nps_entry("Enterprise", "North", 12.5, 80)]
    heights = [
        heatmap_figure(
            breakdown_frame({"breakdown": rows}, kpi, ("segment", "region")),
            "segment",
            "region",
            kpi,
            ["SMB", "Enterprise"],
            ["North"],
        ).layout.height
        for rows in (one, two)
    ]
    assert heights[0] == heights[1] >= 160


@pytest.mark.parametrize(
    ("name", "worst_is_highest"),
    [
        ("churn_rate", True),  # a rise is bad: the highest churn is the strongest red
        ("contacts", True),
        ("nps", False),  # a rise is good: the lowest NPS is the strongest red
        ("revenue", False),
    ],
)
def test_the_heatmaps_strongest_colour_is_the_worst_cell(name: str, worst_is_highest: bool) -> None:
    kpi = KPI_BY_NAME[name]
    scale, legend = heat_scale(kpi)
    # Plotly's Reds runs from white (lowest z) to dark red (highest z); Reds_r the reverse.
    assert (scale == "Reds") == worst_is_highest and scale in ("Reds", "Reds_r")
    assert legend == "darker = worse"
    assert heat_scale(KPI_BY_NAME["passives_share"]) == ("Greys", "darker = higher")


def test_the_trend_rings_a_partial_month_and_drops_one_the_export_never_reached() -> None:
    d = dt.date
    points = [
        {"month": d(2026, 9, 1), "value": 100.0, "previous": 90.0},
        {"month": d(2026, 10, 1), "value": 40.0, "previous": 100.0},  # 1-14 Oct only
        {"month": d(2026, 11, 1), "value": 0.0, "previous": 40.0},  # no orders at all
    ]
    marked = mark_coverage(points, Span(d(2024, 1, 1), d(2026, 10, 14)), d(2026, 11, 30))
    assert [(p["value"], p["complete"]) for p in marked] == [
        (100.0, True),
        (40.0, False),
        (None, False),
    ]
    fig = trend_figure(marked, KPI_BY_NAME["revenue"], d(2026, 7, 1), d(2026, 9, 30), "Previous")
    ringed = [t for t in fig.data if t.name == INCOMPLETE]
    assert len(ringed) == 1 and list(ringed[0].y) == [40.0]
    assert points_frame(marked)["complete"].to_list() == [True, False, False]
