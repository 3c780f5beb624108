"""Cockpit.clv: inputs from order rows, parameters recovered from simulated customers.

Customers are simulated from BG/NBD and Gamma-Gamma with known parameters,
turned into order rows (with refunds, same-day orders and orders after the
calibration end mixed in, none of which may change the inputs) and passed
through the cockpit. The inputs are checked against a plain-Python reading of
the rows, the parameters against the known ones and against a direct fit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cxcore import ArgumentError, Cockpit
from cxcore.analytics import clv_report
from cxcore.analytics.clv_fit import fit_bgnbd, fit_gamma_gamma
from cxcore.analytics.clv_model import BgNbd, GammaGamma, simulate_bgnbd, simulate_gamma_gamma
from cxcore.analytics.clv_value import customer_lifetime_value, expected_purchases
from tests.factories import customer, order, write_folder
from tests.metrics.test_rollups_vs_base import three_ways

CALIBRATION_END = dt.date(2025, 6, 30)
HOLDOUT_END = dt.date(2025, 9, 30)
TRUE_BG = BgNbd(r=0.9, alpha=45.0, a=0.7, b=2.8)
TRUE_GG = GammaGamma(p=4.0, q=5.0, v=120.0)
SEGMENTS = ("SMB", "Enterprise")


def simulated_rows(customers: int, seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Customers and order rows whose calibration histories follow the two models."""
    rng = np.random.default_rng(seed)
    T = rng.integers(120, 540, size=customers).astype(np.float64)
    x, t_x = simulate_bgnbd(rng, TRUE_BG, T)
    t_x = np.floor(t_x)
    x = np.minimum(x, np.maximum(t_x, 0)).astype(int)  # one purchase per day at most
    m = simulate_gamma_gamma(rng, TRUE_GG, x)
    people, rows = [], []
    for i in range(customers):
        cid = f"c{i:05d}"
        people.append(customer(cid, SEGMENTS[i % 2], "North"))
        first = CALIBRATION_END - dt.timedelta(days=int(T[i]))
        days = [0]
        if x[i] > 0:
            last = int(t_x[i])
            days += sorted(rng.choice(np.arange(1, last), size=x[i] - 1, replace=False).tolist())
            days.append(last)
        for k, offset in enumerate(days):
            day = (first + dt.timedelta(days=offset)).isoformat()
            value = round(float(m[i]), 2) if k else 75.0
            if k and i % 5 == 0:  # two orders on one day: one purchase, worth their sum
                rows.append(order(f"o{i}-{k}a", cid, day, round(value / 2, 2)))
                rows.append(order(f"o{i}-{k}b", cid, day, round(value - round(value / 2, 2), 2)))
            else:
                rows.append(order(f"o{i}-{k}", cid, day, value))
        if i % 7 == 0:  # a refund on a day of its own is no purchase
            rows.append(order(f"r{i}", cid, (first + dt.timedelta(days=1)).isoformat(), -20.0))
        if i % 3 == 0:  # after the calibration end: the holdout, not the inputs
            rows.append(order(f"h{i}", cid, "2025-07-15", 30.0))
            rows.append(order(f"h{i}b", cid, "2025-10-15", 30.0))  # after the holdout too
    return people, rows


def plain_inputs(rows: list[dict[str, Any]], end: dt.date) -> dict[str, tuple[float, ...]]:
    """customer -> (x, t_x, T, m, holdout purchase days), straight from the rows."""
    by_day: dict[str, dict[dt.date, float]] = defaultdict(lambda: defaultdict(float))
    later: dict[str, set[dt.date]] = defaultdict(set)
    for row in rows:
        if row["amount"] <= 0 or row["customer_id"] is None:
            continue
        if row["order_date"] <= end:
            by_day[row["customer_id"]][row["order_date"]] += row["amount"]
        elif row["order_date"] <= HOLDOUT_END:
            later[row["customer_id"]].add(row["order_date"])
    found: dict[str, tuple[float, ...]] = {}
    for cid, values in by_day.items():
        days = sorted(values)
        repeat = [values[d] for d in days[1:]]
        found[cid] = (
            len(repeat),
            (days[-1] - days[0]).days,
            (end - days[0]).days,
            sum(repeat) / len(repeat) if repeat else 0.0,
            len(later[cid]),
        )
    return found


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Any:
    people, rows = simulated_rows(2500, seed=3)
    folder = write_folder(tmp_path_factory.mktemp("clv"), customers=people, orders=rows)
    return folder, rows


def test_inputs_equal_a_plain_reading_of_the_rows(simulated: tuple[Path, list[Any]]) -> None:
    folder, rows = simulated
    expected = plain_inputs(rows, CALIBRATION_END)
    with Cockpit.open(folder) as cockpit:
        fitted = cockpit.clv_fit(CALIBRATION_END, holdout_end=HOLDOUT_END)
    inputs = fitted.inputs
    ids = inputs.customer_ids.to_pylist()
    assert sorted(ids) == sorted(expected)
    got = {
        cid: (inputs.x[i], inputs.t_x[i], inputs.T[i], inputs.m[i], inputs.holdout_purchases[i])
        for i, cid in enumerate(ids)
    }
    for cid, values in expected.items():
        assert list(got[cid]) == pytest.approx(list(values), abs=1e-9), cid


def test_parameters_are_recovered_and_are_the_maximum_likelihood_fit(
    simulated: tuple[Path, list[Any]],
) -> None:
    folder, rows = simulated
    with Cockpit.open(folder) as cockpit:
        result = cockpit.clv(CALIBRATION_END, horizon_months=12, discount_monthly=0.01)
    model = result["model"]
    # Within sampling error of the truth (2,500 customers: a few tens of percent at most).
    for name, true in {**vars(TRUE_BG), **vars(TRUE_GG)}.items():
        assert model[name] == pytest.approx(true, rel=0.35), name
    # And exactly the likelihoods' maximum over the plainly computed inputs.
    table = np.array(list(plain_inputs(rows, CALIBRATION_END).values()))
    x, t_x, T, m = table[:, 0], table[:, 1], table[:, 2], table[:, 3]
    bg, gg = fit_bgnbd(x, t_x, T), fit_gamma_gamma(x, m)
    direct = {**vars(bg), **vars(gg)}
    assert model == pytest.approx(direct, rel=1e-6)
    values = customer_lifetime_value(bg, gg, x, t_x, T, m, 12, 0.01)
    assert result["customers"] == len(x)
    assert result["mean_clv"] == pytest.approx(values.mean(), rel=1e-6)
    assert result["median_clv"] == pytest.approx(np.median(values), rel=1e-6)


def test_a_breakdown_splits_one_models_values(simulated: tuple[Path, list[Any]]) -> None:
    folder, _ = simulated
    with Cockpit.open(folder) as cockpit:
        whole = cockpit.clv(CALIBRATION_END, by="Segment")
        smb = cockpit.clv(CALIBRATION_END, filters={"segment": ["SMB"]})
    entries = {e["segment"]: e for e in whole["by"]}
    assert set(entries) == set(SEGMENTS)
    assert sum(e["customers"] for e in entries.values()) == whole["customers"]
    weighted = sum(e["mean_clv"] * e["customers"] for e in entries.values())
    assert weighted / whole["customers"] == pytest.approx(whole["mean_clv"])
    # A filter fits its own model on its own customers.
    assert smb["customers"] == entries["SMB"]["customers"]
    assert smb["model"] != whole["model"]


def test_a_kept_fit_values_its_customers_once_per_horizon_and_rate(
    simulated: tuple[Path, list[Any]],
) -> None:
    """The app keeps a fit and asks it for several breakdowns: each asks for the same values,
    which are computed once, read-only, and equal to a fresh computation."""
    folder, _ = simulated
    with Cockpit.open(folder) as cockpit:
        fitted = cockpit.clv_fit(CALIBRATION_END)
    first = clv_report.lifetime_values(fitted, 12, 0.01)
    assert clv_report.lifetime_values(fitted, 12, 0.01) is first
    assert not first.flags.writeable
    other = clv_report.lifetime_values(fitted, 6, 0.01)
    assert other is not first and (other < first).all()
    inputs = fitted.inputs
    fresh = customer_lifetime_value(
        fitted.purchases, fitted.spend, inputs.x, inputs.t_x, inputs.T, inputs.m, 12, 0.01
    )
    assert np.array_equal(first, fresh)
    by_segment = clv_report.summary(fitted, 12, 0.01, "segment")
    assert by_segment["mean_clv"] == clv_report.summary(fitted, 12, 0.01, "region")["mean_clv"]


def test_the_holdout_compares_the_models_expectation_with_what_happened(
    simulated: tuple[Path, list[Any]],
) -> None:
    folder, rows = simulated
    with Cockpit.open(folder) as cockpit:
        fitted = cockpit.clv_fit(CALIBRATION_END, holdout_end=HOLDOUT_END)
    check = clv_report.holdout(fitted, HOLDOUT_END)
    plain = plain_inputs(rows, CALIBRATION_END)
    assert check["days"] == 92  # July 1 to September 30
    assert check["actual"] == sum(v[4] for v in plain.values())
    i = fitted.inputs
    expected = expected_purchases(fitted.purchases, 92, i.x, i.t_x, i.T)
    assert check["expected"] == pytest.approx(expected.sum())
    groups = {g["frequency"]: g for g in check["by_frequency"]}
    ones = [v for v in plain.values() if v[0] == 1]
    assert groups["1"]["customers"] == len(ones)
    assert groups["1"]["actual"] == pytest.approx(sum(v[4] for v in ones) / len(ones))
    assert sum(g["customers"] for g in groups.values()) == len(plain)


def test_the_store_and_the_folder_agree(simulated: tuple[Path, list[Any]]) -> None:
    folder, _ = simulated
    with three_ways(folder) as ways:
        answers = [w.clv(CALIBRATION_END, by="segment") for w in ways]
    assert answers[0] == answers[1] == answers[2]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"calibration_end": "June"}, "calibration_end 'June' is not a date"),
        ({"horizon_months": 0}, "horizon_months must be 1 to 120"),
        ({"discount_monthly": -0.1}, "discount_monthly must be a rate"),
        ({"by": "segmnt"}, "unknown dimension 'segmnt'"),
        ({"filters": {"tier": ["Gold"]}}, "unknown dimension 'tier'"),
    ],
)
def test_bad_arguments_are_named(
    simulated: tuple[Path, list[Any]], options: dict[str, Any], message: str
) -> None:
    folder, _ = simulated
    asked = {"calibration_end": CALIBRATION_END, **options}
    with Cockpit.open(folder) as cockpit, pytest.raises(ArgumentError, match=message):
        cockpit.clv(**asked)


def test_too_few_customers_is_a_data_problem(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path, customers=[customer("c1")], orders=[order("o1", "c1", "2025-01-01", 10)]
    )
    with Cockpit.open(folder) as cockpit, pytest.raises(clv_report.ModelError, match="too few"):
        cockpit.clv("2025-06-30")
