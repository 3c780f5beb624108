"""Key drivers against an independent computation: Pearson by its formula, Johnson's weights
by least squares on the orthogonalised predictors (an SVD, not the module's eigen-route)."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cxcore import ArgumentError, Cockpit
from cxcore.voice.drivers import quadrant
from tests.factories import customer, nps, order, write_folder

DAY, LATER = "2025-03-10", "2025-05-10"


def johnson(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Johnson (2000): with X scaled to unit-length columns, X = U S V' and Z = U V' is the
    closest orthonormal set; regress y and X on Z by least squares; weight_j =
    sum_k lambda_kj^2 beta_k^2. Also the OLS R^2 of y on X, with an intercept."""
    zx = (x - x.mean(axis=0)) / np.linalg.norm(x - x.mean(axis=0), axis=0)
    zy = (y - y.mean()) / np.linalg.norm(y - y.mean())
    u, _s, vt = np.linalg.svd(zx, full_matrices=False)
    z = u @ vt
    beta = np.linalg.lstsq(z, zy, rcond=None)[0]
    lam = np.linalg.lstsq(z, zx, rcond=None)[0]
    design = np.column_stack([np.ones(len(y)), x])
    fitted = design @ np.linalg.lstsq(design, y, rcond=None)[0]
    r_squared = 1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    return (lam**2).T @ (beta**2), float(r_squared)


def _ratings(count: int, seed: int = 5) -> list[dict[str, Any]]:
    """Answers with three varying drivers (a matters most, c least) and a constant one (d)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(count):
        a, b, c = (int(v) for v in rng.integers(1, 11, size=3))
        score = int(np.clip(round(0.6 * a + 0.3 * b + 0.05 * c + rng.normal(0, 1.2)), 0, 10))
        row = nps(f"r{i:03d}", f"c{i % 7}", DAY, score, driver_a=float(a), driver_b=float(b))
        row |= {"driver_c": float(c), "driver_d": 5.0, "journey": "billing" if i % 2 else "support"}
        if i % 9 == 0:
            row["driver_a"] = None  # not asked: left out of a's figures and of complete rows
        if i % 11 == 3:
            row["driver_b"] = None
        rows.append(row)
    return rows


def _folder(path: Path, answers: list[dict[str, Any]]) -> Path:
    customers = [customer(f"c{i}", segment="SMB" if i < 4 else "Enterprise") for i in range(7)]
    later = [nps("late", "c0", LATER, 0, driver_a=1.0, driver_b=1.0, driver_c=1.0, driver_d=5.0)]
    orders = [order("o1", "c0", DAY, 10)]
    return write_folder(path, customers=customers, orders=orders, nps_responses=answers + later)


@pytest.fixture(scope="module")
def answers() -> list[dict[str, Any]]:
    return _ratings(90)


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory, answers: list[dict[str, Any]]) -> dict:
    folder = _folder(tmp_path_factory.mktemp("drivers"), answers)
    with Cockpit.open(folder) as cockpit:
        return cockpit.drivers("2025-03-01", "2025-03-31")


def _by_name(result: dict) -> dict[str, dict]:
    return {d["driver"]: d for d in result["drivers"]}


def test_the_contract_keys_and_the_export_order(result: dict) -> None:
    assert set(result) == {"r_squared", "drivers"}
    assert [d["driver"] for d in result["drivers"]] == [f"driver_{x}" for x in "abcd"]
    for entry in result["drivers"]:
        assert set(entry) == {"driver", "importance", "performance", "responses", "relative_weight"}


def test_importance_performance_and_count_over_the_answers_that_rated_the_driver(
    result: dict, answers: list[dict[str, Any]]
) -> None:
    found = _by_name(result)
    for name in ("driver_a", "driver_b", "driver_c"):
        rated = [(r[name], r["score"]) for r in answers if r[name] is not None]
        ratings, scores = [a for a, _ in rated], [float(s) for _, s in rated]
        assert found[name]["responses"] == len(rated)
        assert found[name]["performance"] == pytest.approx(statistics.fmean(ratings))
        assert found[name]["importance"] == pytest.approx(statistics.correlation(ratings, scores))
    assert found["driver_a"]["responses"] == 90 - 10  # every 9th of 90 answers was not asked a


def test_a_constant_driver_has_null_importance_and_weight_but_a_performance(result: dict) -> None:
    constant = _by_name(result)["driver_d"]
    assert constant["importance"] is None and constant["relative_weight"] is None
    assert constant["performance"] == 5.0 and constant["responses"] == 90


def test_relative_weights_match_an_independent_regression(
    result: dict, answers: list[dict[str, Any]]
) -> None:
    names = ("driver_a", "driver_b", "driver_c")
    complete = [r for r in answers if all(r[n] is not None for n in names)]
    x = np.array([[r[n] for n in names] for r in complete], dtype=float)
    y = np.array([r["score"] for r in complete], dtype=float)
    weights, r_squared = johnson(x, y)
    found = _by_name(result)
    assert [found[n]["relative_weight"] for n in names] == pytest.approx(list(weights))
    assert result["r_squared"] == pytest.approx(r_squared)
    assert sum(found[n]["relative_weight"] for n in names) == pytest.approx(result["r_squared"])
    assert found["driver_a"]["relative_weight"] > found["driver_b"]["relative_weight"]
    assert found["driver_b"]["relative_weight"] > found["driver_c"]["relative_weight"]


def test_a_rarely_rated_driver_nulls_its_importance_and_every_weight(tmp_path: Path) -> None:
    answers = _ratings(60)
    for i, row in enumerate(answers):
        row["driver_e"] = float(i % 10 + 1) if i < 29 else None  # 29 ratings: one short of 30
    with Cockpit.open(_folder(tmp_path, answers)) as cockpit:
        result = cockpit.drivers("2025-03-01", "2025-03-31")
    found = _by_name(result)
    assert found["driver_e"]["responses"] == 29 and found["driver_e"]["importance"] is None
    assert found["driver_e"]["performance"] is not None
    # Fewer than 30 answers rated every driver: no regression, so no weights and no R^2.
    assert result["r_squared"] is None
    assert all(d["relative_weight"] is None for d in result["drivers"])
    assert found["driver_a"]["importance"] is not None


def test_filters_choose_answers_by_customer_and_by_journey(
    tmp_path: Path, answers: list[dict[str, Any]]
) -> None:
    with Cockpit.open(_folder(tmp_path, answers)) as cockpit:
        smb = cockpit.drivers("2025-03-01", "2025-03-31", {"segment": ["SMB"]})
        billing = cockpit.drivers("2025-03-01", "2025-03-31", {"journey": ["billing"]})
        with pytest.raises(ArgumentError, match="segmnt"):
            cockpit.drivers("2025-03-01", "2025-03-31", {"segmnt": ["SMB"]})
    smb_rows = [r for r in answers if int(r["customer_id"][1:]) < 4 and r["driver_c"] is not None]
    billing_rows = [r for r in answers if r["journey"] == "billing"]
    assert _by_name(smb)["driver_c"]["responses"] == len(smb_rows)
    assert _by_name(billing)["driver_c"]["responses"] == len(billing_rows)


def test_no_survey_or_no_answer_is_not_an_error(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, customers=[customer("c0")], orders=[order("o1", "c0", DAY, 1)])
    with Cockpit.open(folder) as cockpit:
        assert cockpit.drivers("2025-03-01", "2025-03-31") == {"r_squared": None, "drivers": []}


def test_the_fix_first_corner_is_high_importance_and_low_performance() -> None:
    drivers = [
        {"driver": "a", "importance": 0.7, "performance": 6.0, "relative_weight": 0.30},
        {"driver": "b", "importance": 0.6, "performance": 5.5, "relative_weight": 0.20},
        {"driver": "c", "importance": 0.2, "performance": 5.0, "relative_weight": 0.05},
        {"driver": "d", "importance": 0.5, "performance": 8.0, "relative_weight": 0.10},
        {"driver": "e", "importance": None, "performance": 3.0, "relative_weight": None},
    ]
    # Means over a-d: importance 0.5, performance 6.125. a and b are in the corner; a weighs more.
    found = quadrant({"drivers": drivers})
    assert found.importance_split == pytest.approx(0.5)
    assert found.performance_split == pytest.approx(6.125)
    assert found.corner == ("a", "b") and found.fix_first == "a"


def test_on_the_sample_the_drivers_the_story_weighs_most_come_out_on_top() -> None:
    from cxcore.data.sample_story import DRIVER_WEIGHT, DRIVERS

    with Cockpit.open("sample_data") as cockpit:
        result = cockpit.drivers("2024-01-01", "2026-09-30")
    ranked = sorted(result["drivers"], key=lambda d: d["relative_weight"], reverse=True)
    heaviest = [f"driver_{DRIVERS[i]}" for i in np.argsort(DRIVER_WEIGHT)[::-1][:2]]
    assert {d["driver"] for d in ranked[:2]} == set(heaviest)
    assert ranked[-1]["driver"] == f"driver_{DRIVERS[int(np.argmin(DRIVER_WEIGHT))]}"
