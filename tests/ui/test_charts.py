"""Which breakdown members get a bar."""

from __future__ import annotations

import pytest

from cxcore.metrics.registry import KPI_BY_NAME
from cxcore.ui.charts import breakdown_frame, has_data

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
