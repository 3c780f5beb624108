"""Key drivers: how much each survey item matters to the overall score.

Survey items are correlated with each other (a customer happy with delivery
tends to be happy with support), so regression coefficients share credit
arbitrarily and can even flip sign. Johnson's (2000) relative weights instead
split the R^2 of the full regression among the predictors: regress the
outcome on the closest orthogonal counterparts of the predictors, then give
each predictor the part of every counterpart's contribution it accounts for.
The weights are non-negative and add up to R^2, which is what a driver chart
needs.

A value that is None, NaN or infinite counts as missing. Too little or
degenerate data gives nulls rather than errors, because the engine will feed
these with whatever a filter leaves: a segment of 12 customers, or an item
every respondent scored 10.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxcore.analytics.significance import MIN_OBSERVATIONS

# Below MIN_OBSERVATIONS pairs (or complete rows) a correlation is mostly noise: the same
# floor the significance tests use.

FloatArray = NDArray[np.float64]


class RelativeWeights(NamedTuple):
    """One weight per predictor (None where it could not be given) and the R^2 they share."""

    weights: tuple[float | None, ...]
    r_squared: float | None


def pearson(x: ArrayLike, y: ArrayLike) -> float | None:
    """The correlation of x and y over the pairs where both are known.

    None when fewer than `MIN_OBSERVATIONS` pairs remain or either side is
    constant over them: a correlation from a handful of pairs, or of a
    constant, would be noise or undefined rather than a finding.
    """
    pairs = _complete_rows(_columns(x, y))
    if len(pairs) < MIN_OBSERVATIONS or _constant(pairs).any():
        return None
    standardised = _standardise(pairs)
    correlation = float(standardised[:, 0] @ standardised[:, 1]) / len(pairs)
    return min(1.0, max(-1.0, correlation))


def relative_weights(predictors: ArrayLike, outcome: ArrayLike) -> RelativeWeights:
    """Johnson's relative weights of each column of `predictors` in explaining `outcome`.

    Only rows with every value known are used (a regression needs them all).
    Columns constant over those rows explain nothing and would make the
    correlation matrix singular, so they get a None weight and are left out;
    the other weights then add up to the R^2 without them. Fewer than
    `MIN_OBSERVATIONS` complete rows, or a constant outcome (nothing to
    explain), give all None.
    """
    table = _predictors_with_outcome(predictors, outcome)
    width = table.shape[1] - 1
    rows = _complete_rows(table)
    nothing = RelativeWeights((None,) * width, None)
    if len(rows) < MIN_OBSERVATIONS:
        return nothing
    constant = _constant(rows)
    if constant[-1]:
        return nothing
    varying = np.flatnonzero(~constant[:-1])
    if len(varying) == 0:
        return RelativeWeights((None,) * width, 0.0)
    weights = _johnson_weights(rows[:, varying], rows[:, -1])
    by_column: list[float | None] = [None] * width
    for column, weight in zip(varying, weights, strict=True):
        by_column[column] = float(weight)
    return RelativeWeights(tuple(by_column), float(weights.sum()))


def _johnson_weights(predictors: FloatArray, outcome: FloatArray) -> FloatArray:
    """Raw relative weights of non-constant predictors over complete rows.

    With R_xx = V L V', the orthogonal counterparts are Z = X V L^(-1/2) V';
    the predictors are Z @ R_half with R_half = V L^(1/2) V', and the outcome's
    regression on Z has coefficients beta = R_half^(-1) r_xy. Each predictor j
    gets sum_k R_half[j, k]^2 beta_k^2, and because every column of R_half has
    unit length the weights add up to |beta|^2 = r_xy' R_xx^(-1) r_xy = R^2.
    Exactly collinear predictors (zero eigenvalues) use the pseudo-inverse,
    which splits their shared credit evenly instead of failing.
    """
    count = len(outcome)
    x = _standardise(predictors)
    y = _standardise(outcome[:, np.newaxis])[:, 0]
    correlations = x.T @ x / count
    validities = x.T @ y / count
    eigenvalues, eigenvectors = np.linalg.eigh(correlations)
    eigenvalues = np.clip(eigenvalues, 0.0, None)
    tolerance = eigenvalues.max() * len(eigenvalues) * np.finfo(float).eps
    roots = np.sqrt(eigenvalues)
    inverse_roots = np.divide(1.0, roots, out=np.zeros_like(roots), where=eigenvalues > tolerance)
    half = (eigenvectors * roots) @ eigenvectors.T
    beta = (eigenvectors * inverse_roots) @ eigenvectors.T @ validities
    return (half**2) @ (beta**2)


def _columns(*vectors: ArrayLike) -> FloatArray:
    """Equal-length vectors side by side as float columns, None becoming NaN."""
    arrays = [np.asarray(vector, dtype=float) for vector in vectors]
    if any(array.ndim != 1 for array in arrays) or len({len(a) for a in arrays}) > 1:
        raise ValueError("expected one-dimensional sequences of equal length")
    return np.column_stack(arrays)


def _predictors_with_outcome(predictors: ArrayLike, outcome: ArrayLike) -> FloatArray:
    x = np.asarray(predictors, dtype=float)
    y = np.asarray(outcome, dtype=float)
    if x.ndim != 2 or y.ndim != 1 or len(x) != len(y):
        raise ValueError(
            f"expected a rows x predictors table and one outcome per row, "
            f"got shapes {x.shape} and {y.shape}"
        )
    return np.column_stack([x, y])


def _complete_rows(table: FloatArray) -> FloatArray:
    return table[np.isfinite(table).all(axis=1)]


def _constant(table: FloatArray) -> NDArray[np.bool_]:
    """Which columns hold one value only; exact, since a tiny spread is still a spread."""
    return (table == table[:1]).all(axis=0)


def _standardise(table: FloatArray) -> FloatArray:
    centred = table - table.mean(axis=0)
    return centred / np.sqrt((centred**2).mean(axis=0))
