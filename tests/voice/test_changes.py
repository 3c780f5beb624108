"""Is this change real: each card's verdict checked against z values worked out by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from cxcore import Cockpit
from cxcore.analytics.significance import NpsCounts, RateCounts, nps_change, rate_change
from cxcore.metrics.kpi import Kpi
from cxcore.metrics.registry import KPI_BY_NAME, KPIS
from cxcore.voice.changes import verdict
from tests.factories import customer, nps, order, session, write_folder

# P = March 2025, Q = February 2025, R = January 2025 (whole months, compared with the previous).
P, Q, R = "2025-03-10", "2025-02-10", "2025-01-10"


def _answers(prefix: str, day: str, promoters: int, detractors: int, total: int) -> list[dict]:
    scores = [10] * promoters + [0] * detractors + [7] * (total - promoters - detractors)
    return [nps(f"{prefix}{i}", "c0", day, s) for i, s in enumerate(scores)]


def _sessions(prefix: str, day: str, converted: int, total: int) -> list[dict]:
    return [session(f"{prefix}{i}", "c0", day, 2, 30, i < converted) for i in range(total)]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    customers = [customer(f"c{i}") for i in range(40)]
    orders = []
    for i in range(40):  # all 40 buy in R and Q; 30 of them buy again in P
        orders += [order(f"r{i}", f"c{i}", R, 10), order(f"q{i}", f"c{i}", Q, 10)]
        if i < 30:
            orders.append(order(f"p{i}", f"c{i}", P, 10))
    return write_folder(
        tmp_path_factory.mktemp("changes"),
        customers=customers,
        orders=orders,
        nps_responses=_answers("a", P, 20, 10, 40) + _answers("b", Q, 10, 20, 40),
        web_sessions=_sessions("s", P, 20, 40) + _sessions("t", Q, 10, 40),
    )


@pytest.fixture(scope="module")
def changes(folder: Path) -> dict:
    with Cockpit.open(folder) as cockpit:
        return cockpit.changes("2025-03-01", "2025-03-31")


def test_nps_change_against_a_hand_worked_z(changes: dict) -> None:
    # P: 20 promoters, 10 detractors of 40: NPS 0.25, per-answer variance
    #    p + d - (p - d)^2 = 0.5 + 0.25 - 0.0625 = 0.6875.
    # Q: 10 promoters, 20 detractors of 40: NPS -0.25, variance 0.25 + 0.5 - 0.0625 = 0.6875.
    # z = 0.5 / sqrt(0.6875/40 + 0.6875/40) = 0.5 / sqrt(0.034375) = 2.6968...
    assert changes["nps"]["z"] == pytest.approx(0.5 / math.sqrt(0.034375))
    assert changes["nps"]["z"] == pytest.approx(2.6968, abs=1e-4)
    assert changes["nps"]["words"] == "significant rise (95%)"
    assert changes["nps"]["significant"] is True


def test_conversion_change_against_a_hand_worked_z(changes: dict) -> None:
    # P: 20 of 40 sessions converted, Q: 10 of 40. Pooled rate 30/80 = 0.375;
    # variance 0.375 * 0.625 * (1/40 + 1/40) = 0.01171875; z = 0.25 / sqrt(0.01171875) = 2.3094
    assert changes["conversion_rate"]["z"] == pytest.approx(0.25 / math.sqrt(0.01171875))
    assert changes["conversion_rate"]["z"] == pytest.approx(2.3094, abs=1e-4)
    assert changes["conversion_rate"]["words"] == "significant rise (95%)"


def test_retention_and_churn_are_the_same_test_with_opposite_signs(changes: dict) -> None:
    # Slot p: 30 of Q's 40 customers bought in P (0.75); slot q: all 40 of R's bought in Q (1.0).
    # Pooled 70/80 = 0.875; variance 0.875 * 0.125 * (2/40) = 0.00546875;
    # z = (0.75 - 1.0) / sqrt(0.00546875) = -3.3806; churn 0.25 against 0: +3.3806.
    z = -0.25 / math.sqrt(0.00546875)
    assert changes["retention_rate"]["z"] == pytest.approx(z)
    assert changes["churn_rate"]["z"] == pytest.approx(-z)
    assert changes["retention_rate"]["words"] == "significant fall (95%)"
    assert changes["churn_rate"]["words"] == "significant rise (95%)"


def test_only_kpis_with_counts_get_a_verdict(changes: dict) -> None:
    assert "revenue" not in changes and "active_customers" not in changes
    assert {"nps", "conversion_rate", "bounce_rate", "multi_category_share"} <= set(changes)
    # No contacts table: first-contact resolution has no counts, so no verdict at all.
    assert "first_contact_resolution" not in changes


def test_the_nps_card_carries_the_adjusted_wald_margin(changes: dict) -> None:
    # 20 + 3/4 promoters and 10 + 3/4 detractors of 43: p = 0.48256, d = 0.25; NPS' = 0.23256;
    # variance p + d - NPS'^2 = 0.67848; margin 100 * 1.96 * sqrt(0.67848 / 43) = 24.620
    p, d = 20.75 / 43, 10.75 / 43
    margin = 100 * 1.959963984540054 * math.sqrt((p + d - (p - d) ** 2) / 43)
    assert changes["nps"]["margin"] == pytest.approx(margin)
    assert changes["nps"]["margin"] == pytest.approx(24.62, abs=0.01)


def test_fewer_than_thirty_answers_is_said_in_words(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path,
        customers=[customer("c0")],
        orders=[order("o1", "c0", P, 10)],
        nps_responses=_answers("a", P, 6, 2, 12) + _answers("b", Q, 10, 20, 40),
    )
    with Cockpit.open(folder) as cockpit:
        found = cockpit.changes("2025-03-01", "2025-03-31")
    assert found["nps"]["words"] == "too few responses (n = 12)"
    assert found["nps"]["significant"] is False and found["nps"]["z"] is None


@pytest.mark.parametrize("kpi", [k for k in KPIS if k.evidence], ids=lambda k: k.name)
def test_every_declared_kpi_reads_counts_that_give_its_own_value(kpi: Kpi) -> None:
    """The counts a KPI declares reproduce the KPI's formula: the test tests that very KPI."""
    measures = {
        "promoters": 13, "detractors": 7, "passives": 20, "responses": 40,
        "retained": 31, "prior_active": 45, "multi_category": 12, "active": 50,
        "fcr_true": 33, "fcr_known": 44, "sla_true": 21, "sla_known": 35,
        "conversions": 9, "sessions": 60, "bounces": 24,
    }  # fmt: skip
    assert kpi.evidence is not None
    counts = kpi.evidence.counts(measures)
    assert counts is not None
    value = kpi.formula(measures)
    if kpi.name == "nps":
        promoters, detractors, responses = counts
        assert value == pytest.approx(100 * (promoters - detractors) / responses)
    else:
        assert value == pytest.approx(counts[0] / counts[1])


def test_a_verdict_is_the_analytics_modules_own() -> None:
    now = {"promoters": 50, "detractors": 10, "responses": 100}
    before = {"promoters": 40, "detractors": 20, "responses": 90}
    expected = nps_change(NpsCounts(50, 10, 100), NpsCounts(40, 20, 90))
    assert verdict(KPI_BY_NAME["nps"], now, before) == expected
    rate = {"conversions": 5, "sessions": 50}
    assert verdict(KPI_BY_NAME["conversion_rate"], rate, {"conversions": 9, "sessions": 45}) == (
        rate_change(RateCounts(5, 50), RateCounts(9, 45))
    )
    assert verdict(KPI_BY_NAME["revenue"], now, before) is None
    assert verdict(KPI_BY_NAME["nps"], {**now, "responses": None}, before) is None
