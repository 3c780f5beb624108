"""Key-driver statistics checked against independent computations.

The relative weights are compared with R^2 from numpy's least squares, with a
second implementation written here from the other description of the method
(orthogonalise the predictors with an SVD, Z = U V', regress, square and sum),
with squared correlations where the predictors are uncorrelated, and with a
two-predictor case worked out by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from numpy.typing import ArrayLike

from cxcore.analytics.relative_weights import RelativeWeights, pearson, relative_weights

NAN = math.nan


def correlated_data(seed: int, rows: int, predictors: int) -> tuple[np.ndarray, np.ndarray]:
    """Predictors that share common factors, and an outcome driven by them plus noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, predictors)) @ rng.normal(size=(predictors, predictors))
    x += rng.normal(size=(predictors,)) * 5  # offsets the standardisation must remove
    y = x @ rng.normal(size=predictors) + rng.normal(scale=3.0, size=rows)
    return x, y


def least_squares_r_squared(x: np.ndarray, y: np.ndarray) -> float:
    design = np.column_stack([np.ones(len(y)), x])
    coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
    residuals = y - design @ coefficients
    return 1 - float(residuals @ residuals) / float(((y - y.mean()) ** 2).sum())


def svd_relative_weights(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Johnson's weights the other way round: build Z from the SVD and regress on it."""
    zx = (x - x.mean(axis=0)) / x.std(axis=0) / math.sqrt(len(y))
    zy = (y - y.mean()) / y.std() / math.sqrt(len(y))
    u, _, vt = np.linalg.svd(zx, full_matrices=False)
    z = u @ vt  # orthonormal columns, as close as possible to the predictors
    beta = z.T @ zy  # the outcome regressed on Z
    loadings = z.T @ zx  # each predictor regressed on Z: loadings[k, j]
    return (loadings**2).T @ beta**2


def weights_of(result: RelativeWeights) -> np.ndarray:
    assert all(w is not None for w in result.weights)
    return np.array(result.weights, dtype=float)


DATASETS = [(0, 60, 2), (1, 200, 5), (2, 30, 4), (3, 500, 8), (4, 45, 1)]


@pytest.mark.parametrize(("seed", "rows", "predictors"), DATASETS)
def test_the_weights_add_up_to_the_r_squared_of_least_squares(
    seed: int, rows: int, predictors: int
) -> None:
    x, y = correlated_data(seed, rows, predictors)
    result = relative_weights(x, y)
    expected = least_squares_r_squared(x, y)
    assert result.r_squared == pytest.approx(expected, rel=1e-9)
    assert weights_of(result).sum() == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(("seed", "rows", "predictors"), DATASETS)
def test_the_weights_match_an_implementation_through_the_svd(
    seed: int, rows: int, predictors: int
) -> None:
    x, y = correlated_data(seed, rows, predictors)
    expected = svd_relative_weights(x, y)
    assert weights_of(relative_weights(x, y)) == pytest.approx(expected, rel=1e-9, abs=1e-12)


def data_with_correlations(correlations: np.ndarray, rows: int, seed: int) -> np.ndarray:
    """Columns whose sample correlation matrix is exactly `correlations` (up to rounding)."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(size=(rows, len(correlations)))
    orthonormal, _ = np.linalg.qr(noise - noise.mean(axis=0))  # centred, uncorrelated
    return orthonormal @ np.linalg.cholesky(correlations).T


def test_uncorrelated_predictors_each_get_their_squared_correlation() -> None:
    rng = np.random.default_rng(7)
    x = data_with_correlations(np.eye(4), rows=80, seed=7) * [1, 3, 10, 0.5] + [0, 1, 2, 3]
    y = x @ [2.0, -1.0, 0.1, 4.0] + rng.normal(size=80)
    squared = [np.corrcoef(x[:, j], y)[0, 1] ** 2 for j in range(4)]
    assert weights_of(relative_weights(x, y)) == pytest.approx(squared, rel=1e-9)


def test_two_correlated_predictors_worked_by_hand() -> None:
    # r12 = .5, r1y = .6, r2y = .3. R_xx has eigenvectors (1, 1)/sqrt2 and (1, -1)/sqrt2 with
    # eigenvalues 1.5 and .5, so R_half = [[a, b], [b, a]] with
    a = (math.sqrt(1.5) + math.sqrt(0.5)) / 2  # .965926
    b = (math.sqrt(1.5) - math.sqrt(0.5)) / 2  # .258819
    # R_half^-1 = [[a, -b], [-b, a]] / (a^2 - b^2), a^2 - b^2 = sqrt(1.5 * .5) = .866025
    beta1 = (a * 0.6 - b * 0.3) / math.sqrt(0.75)  # .579557
    beta2 = (a * 0.3 - b * 0.6) / math.sqrt(0.75)  # .155291
    w1 = a**2 * beta1**2 + b**2 * beta2**2  # .933013 * .335886 + .066987 * .024115 = .315
    w2 = b**2 * beta1**2 + a**2 * beta2**2  # .066987 * .335886 + .933013 * .024115 = .045
    # R^2 = (r1y^2 + r2y^2 - 2 r12 r1y r2y) / (1 - r12^2) = (.45 - .18) / .75 = .36
    assert (w1, w2) == pytest.approx((0.315, 0.045), abs=1e-12)
    data = data_with_correlations(
        np.array([[1, 0.5, 0.6], [0.5, 1, 0.3], [0.6, 0.3, 1]]), rows=120, seed=3
    )
    result = relative_weights(data[:, :2], data[:, 2])
    assert weights_of(result) == pytest.approx([w1, w2], rel=1e-9)
    assert result.r_squared == pytest.approx(0.36, rel=1e-9)


def test_a_constant_column_gets_no_weight_and_the_others_explain_without_it() -> None:
    x, y = correlated_data(5, 100, 3)
    with_constant = np.insert(x, 1, 4.0, axis=1)
    result = relative_weights(with_constant, y)
    without = relative_weights(x, y)
    assert result.weights[1] is None
    kept = [result.weights[0], *result.weights[2:]]
    assert kept == pytest.approx(list(without.weights), rel=1e-12)
    assert result.r_squared == pytest.approx(least_squares_r_squared(x, y), rel=1e-9)


def test_a_column_that_varies_only_on_incomplete_rows_counts_as_constant() -> None:
    x, y = correlated_data(6, 60, 2)
    column = np.full(60, 7.0)
    column[:10] = np.arange(10)  # varies here, but the outcome is missing on these rows
    y[:10] = NAN
    result = relative_weights(np.column_stack([x, column]), y)
    assert result.weights[2] is None
    assert result.weights[:2] == pytest.approx(relative_weights(x[10:], y[10:]).weights)


def test_rows_with_any_missing_value_are_dropped_listwise() -> None:
    x, y = correlated_data(8, 90, 3)
    holes = x.astype(object)
    holes[3, 0] = None
    holes[10, 2] = NAN
    holes[11, 1] = math.inf
    outcome = y.astype(object)
    outcome[20] = None
    incomplete = [3, 10, 11, 20]
    complete = np.setdiff1d(np.arange(90), incomplete)
    expected = relative_weights(x[complete], y[complete])
    result = relative_weights(holes.tolist(), outcome.tolist())
    assert result.weights == pytest.approx(expected.weights, rel=1e-12)
    assert result.r_squared == pytest.approx(expected.r_squared, rel=1e-12)
    assert result.r_squared != pytest.approx(relative_weights(x, y).r_squared, rel=1e-9)


@pytest.mark.parametrize(("complete_rows", "answered"), [(29, False), (30, True)])
def test_fewer_than_30_complete_rows_give_nulls(complete_rows: int, answered: bool) -> None:
    x, y = correlated_data(9, complete_rows + 5, 2)
    x[-5:, 0] = NAN  # five more rows, all incomplete
    result = relative_weights(x, y)
    assert (result.r_squared is not None) == answered
    assert all((w is not None) == answered for w in result.weights)


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        ([[1.0, 2.0]] * 40, list(range(40)), RelativeWeights((None, None), 0.0)),
        ([[i, i % 3] for i in range(40)], [5.0] * 40, RelativeWeights((None, None), None)),
        (np.empty((0, 3)), [], RelativeWeights((None, None, None), None)),
    ],
    ids=["constant-predictors", "constant-outcome", "no-rows"],
)
def test_degenerate_data_gives_nulls_not_errors(
    x: ArrayLike, y: ArrayLike, expected: RelativeWeights
) -> None:
    assert relative_weights(x, y) == expected


def test_duplicated_predictors_share_their_credit_evenly() -> None:
    x, y = correlated_data(10, 70, 2)
    result = relative_weights(np.column_stack([x[:, 0], x, x[:, 0]]), y)
    weights = weights_of(result)
    assert weights[0] == pytest.approx(weights[1], rel=1e-9)
    assert weights[0] == pytest.approx(weights[3], rel=1e-9)
    assert weights.sum() == pytest.approx(least_squares_r_squared(x, y), rel=1e-9)


def test_mismatched_shapes_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="shapes"):
        relative_weights([[1.0, 2.0]] * 3, [1.0, 2.0])


@st.composite
def survey_tables(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, str]:
    """Survey-like data: few distinct scores, hence ties, constant or collinear columns; holes."""
    rows = draw(st.integers(0, 100))
    scores = st.lists(st.integers(0, draw(st.integers(1, 4))), min_size=rows * 4, max_size=rows * 4)
    table = np.array(draw(scores), dtype=float).reshape(rows, 4)
    link = draw(st.sampled_from(["none", "duplicate", "sum"]))
    if link == "duplicate":
        table[:, 2] = table[:, 0]
    elif link == "sum":
        table[:, 2] = table[:, 0] + table[:, 1]
    for column in draw(st.sets(st.integers(0, 3), max_size=2)):
        table[:, column] = 1.0
    if rows:
        holes = st.tuples(st.integers(0, rows - 1), st.integers(0, 3))
        for row, column in draw(st.lists(holes, max_size=25)):
            table[row, column] = NAN
    return table[:, :3], table[:, 3], link


@settings(max_examples=300, deadline=None)
@given(survey_tables())
def test_awkward_survey_tables_never_raise_and_stay_consistent(
    table: tuple[np.ndarray, np.ndarray, str],
) -> None:
    x, y, link = table
    result = relative_weights(x, y)
    event("answered" if result.r_squared is not None else "all null")
    event(f"{result.weights.count(None)} null weights")
    event(f"collinear: {link}")
    if result.r_squared is None:
        assert result.weights == (None, None, None)
        return
    given_weights = [w for w in result.weights if w is not None]
    assert all(w >= 0 for w in given_weights)
    assert sum(given_weights) == pytest.approx(result.r_squared, abs=1e-9)
    complete = np.isfinite(x).all(axis=1) & np.isfinite(y)
    used = [j for j, w in enumerate(result.weights) if w is not None]
    expected = least_squares_r_squared(x[complete][:, used], y[complete])
    assert result.r_squared == pytest.approx(expected, abs=1e-9)


# --- pearson ------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_pearson_agrees_with_numpy_on_complete_data(seed: int) -> None:
    x, y = correlated_data(seed, 50, 1)
    assert pearson(x[:, 0], y) == pytest.approx(np.corrcoef(x[:, 0], y)[0, 1], rel=1e-12)


def test_pearson_drops_missing_values_pair_by_pair() -> None:
    x, y = correlated_data(11, 60, 1)
    xs: list[float | None] = list(x[:, 0])
    ys: list[float | None] = list(y)
    xs[2], xs[5], ys[7], ys[8] = None, NAN, None, math.inf
    keep = [i for i in range(60) if i not in (2, 5, 7, 8)]
    # The module takes None as missing; numpy's ArrayLike, pearson's type, has no None in it.
    expected = np.corrcoef(x[keep, 0], y[keep])[0, 1]
    assert pearson(xs, ys) == pytest.approx(expected, rel=1e-12)  # type: ignore[arg-type]


@pytest.mark.parametrize(("pairs", "answered"), [(29, False), (30, True)])
def test_pearson_needs_30_pairs(pairs: int, answered: bool) -> None:
    x = [float(i) for i in range(pairs)] + [None] * 3
    y = [float(i % 7) for i in range(pairs)] + [1.0, 2.0, 3.0]
    assert (pearson(x, y) is not None) == answered  # type: ignore[arg-type]  # None: as above


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        ([3.0] * 40, list(range(40)), None),
        (list(range(40)), [3.0] * 40, None),
        (list(range(40)), [2 * i + 1 for i in range(40)], 1.0),
        (list(range(40)), [-3 * i for i in range(40)], -1.0),
    ],
    ids=["constant-x", "constant-y", "perfect", "perfect-negative"],
)
def test_pearson_corner_cases(x: list[float], y: list[float], expected: float | None) -> None:
    result = pearson(x, y)
    assert result == (None if expected is None else pytest.approx(expected, abs=1e-15))


def test_pearson_refuses_sequences_of_different_length() -> None:
    with pytest.raises(ValueError):
        pearson([1.0, 2.0], [1.0])
