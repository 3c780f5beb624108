"""The sample's voice-of-the-customer story, and the shipped sample folder being the generator's.

The story: journeys differ, the billing journey breaks from April 2026 (its NPS
falls and its answering customers then leave more), and the shipped targets
are met overall but missed in East.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from cxcore import Cockpit
from cxcore.data.sample import generate
from cxcore.metrics.targets import Status

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "sample_data"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample_default")
    generate(out)  # the defaults `cx-cockpit sample` uses
    return out


def test_the_shipped_sample_is_the_generators_output_byte_for_byte(fresh: Path) -> None:
    names = sorted(p.name for p in fresh.iterdir())
    assert names == sorted(p.name for p in SHIPPED.iterdir())
    assert "targets.toml" in names
    for name in names:
        assert (fresh / name).read_bytes() == (SHIPPED / name).read_bytes(), name


def billing_nps(answers: pl.DataFrame, start: str, end: str) -> float:
    """NPS of billing answers in [start, end], straight from the rows."""
    rows = answers.filter(
        (pl.col("journey") == "billing")
        & pl.col("response_date").is_between(pl.lit(start).str.to_date(), pl.lit(end).str.to_date())
    )["score"].to_list()
    promoters = sum(1 for s in rows if s >= 9)
    detractors = sum(1 for s in rows if s <= 6)
    return 100 * (promoters - detractors) / len(rows)


def test_the_billing_journey_falls_quarter_after_quarter() -> None:
    answers = pl.read_parquet(SHIPPED / "nps_responses.parquet")
    q1 = billing_nps(answers, "2026-01-01", "2026-03-31")
    q2 = billing_nps(answers, "2026-04-01", "2026-06-30")
    q3 = billing_nps(answers, "2026-07-01", "2026-09-30")
    assert q1 > q2 + 15 > q3 + 30


def test_journeys_differ_and_billing_is_the_one_to_fix() -> None:
    with Cockpit.open(SHIPPED) as cockpit:
        members = cockpit.journeys("2026-07-01", "2026-09-30")["journey"]["members"]
    nps = {m["member"]: m["nps"] for m in members}
    assert max(nps.values()) - min(nps.values()) > 40
    assert min(nps, key=nps.__getitem__) == "billing"
    billing = next(m for m in members if m["member"] == "billing")
    assert billing["significance"]["significant"]


def test_billing_answerers_then_retain_less_than_the_rest() -> None:
    """Customers who answered about billing in Q2 2026 ordered less often in Q3."""
    with Cockpit.open(SHIPPED) as cockpit:
        members = cockpit.journeys("2026-07-01", "2026-09-30")["journey"]["members"]
    retention = {m["member"]: m["next_period"]["retention_rate"] for m in members}
    others = [r for name, r in retention.items() if name not in ("billing", "onboarding")]
    assert retention["billing"] < min(others)


def test_the_shipped_targets_are_met_overall_and_missed_in_east() -> None:
    with Cockpit.open(SHIPPED) as cockpit:
        overall = cockpit.statuses("2026-07-01", "2026-09-30")
        east = cockpit.statuses("2026-07-01", "2026-09-30", filters={"region": ["East"]})
        west = cockpit.statuses("2026-07-01", "2026-09-30", filters={"region": ["West"]})
    assert overall["nps"]["status"] == Status.ON_TARGET
    assert east["nps"]["region"] == "East" and east["nps"]["status"] == Status.RED
    assert east["churn_rate"]["status"] == Status.RED
    assert west["nps"]["status"] == west["churn_rate"]["status"] == Status.ON_TARGET
