"""One verdict on a change, read by cards and charts alike."""

from __future__ import annotations

import pytest

from cxcore.app.tones import Tone, judge
from cxcore.metrics.registry import KPI_BY_NAME
from cxcore.ui.cards import metric_colour
from cxcore.ui.charts import BAD, FLAT, GOOD, tone

CASES = [
    ("revenue", 110.0, 100.0, Tone.BETTER, "normal", GOOD),
    ("revenue", 90.0, 100.0, Tone.WORSE, "normal", BAD),
    ("churn_rate", 0.30, 0.20, Tone.WORSE, "inverse", BAD),
    ("churn_rate", 0.10, 0.20, Tone.BETTER, "inverse", GOOD),
    ("revenue", 100.001, 100.0, Tone.FLAT, "off", FLAT),  # rounds to 0.0% as shown
    ("revenue", 100.0, None, Tone.NONE, "off", FLAT),
    ("nps_margin_of_error", 5.0, 3.0, Tone.NONE, "off", FLAT),  # precision, not news
    ("contacts", 1043.0, 1000.0, Tone.WORSE, "inverse", BAD),  # +4.3% contacts cost more
    ("contacts", 950.0, 1000.0, Tone.BETTER, "inverse", GOOD),
    ("passives_share", 0.300, 0.315, Tone.NONE, "off", FLAT),  # -1.5 pp: a share, no verdict
    ("passives_share", 0.330, 0.315, Tone.NONE, "off", FLAT),
]


@pytest.mark.parametrize(("name", "value", "previous", "verdict", "metric", "bar"), CASES)
def test_cards_and_bars_follow_one_verdict(
    name: str, value: float, previous: float | None, verdict: Tone, metric: str, bar: str
) -> None:
    kpi = KPI_BY_NAME[name]
    assert judge(kpi, value, previous) is verdict
    assert metric_colour(kpi, value, previous) == metric
    assert tone(kpi, value, previous) == bar
