"""The BG/NBD and Gamma-Gamma models behind customer lifetime value: parameters, likelihoods and
simulation.

BG/NBD (Fader, Hardie and Lee 2005, "Counting your customers the easy way") says how many
repeat purchases a customer makes before silently dropping out; Gamma-Gamma (Fader and Hardie's
note) says how much each purchase is worth. Both are fitted by maximum likelihood on
per-customer summaries, and days are the unit of time, so the rates and ``alpha`` are per day.

Per customer: ``x`` repeat purchase days (distinct days with an order after the first one),
``t_x`` days from the first to the last order day, ``T`` days from the first order day to the
end of calibration, and ``m`` the mean daily order value over the repeat days.

The likelihoods here are the published ones, summed over customers, so the fitted parameters
are comparable with any other maximum-likelihood implementation (lifetimes, BTYD). They are
evaluated on compressed rows (identical customers counted once, with a weight) and on the
distinct values of each column, because day counts repeat a lot: that is what makes a fit over
a million customers take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import betaln, digamma, gammaln

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def _require_positive_finite(params: BgNbd | GammaGamma) -> None:
    """Parameters of both models are shapes and scales of Gamma and Beta laws: all must be > 0."""
    for field in fields(params):
        value = getattr(params, field.name)
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{type(params).__name__}.{field.name} must be positive, got {value}")


@dataclass(frozen=True)
class BgNbd:
    """BG/NBD: purchase rates ~ Gamma(shape r, rate alpha) per day; after each repeat purchase a
    customer drops out with a probability ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float

    def __post_init__(self) -> None:
        _require_positive_finite(self)


@dataclass(frozen=True)
class GammaGamma:
    """Gamma-Gamma: purchase values ~ Gamma(shape p, rate nu), with nu ~ Gamma(shape q, rate v)
    across customers."""

    p: float
    q: float
    v: float

    def __post_init__(self) -> None:
        _require_positive_finite(self)


# -- input checks -----------------------------------------------------------------------------
def as_column(values: ArrayLike, name: str) -> FloatArray:
    """One finite, non-negative value per customer, as a float array the formulas can share."""
    column = np.asarray(values, dtype=np.float64)
    if column.ndim != 1:
        raise ValueError(f"{name} must be one value per customer (1-D), got shape {column.shape}")
    if not np.all(np.isfinite(column)):
        raise ValueError(f"{name} has missing or infinite values")
    if np.any(column < 0):
        raise ValueError(f"{name} has negative values (first at index {np.argmax(column < 0)})")
    return column


def check_customers(
    x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The BG/NBD summaries, refused when they cannot describe a purchase history.

    Inconsistent rows would not crash the formulas, they would quietly bias the fit, so every
    impossible combination is an error that says which one it is.
    """
    x, t_x, T = as_column(x, "x"), as_column(t_x, "t_x"), as_column(T, "T")
    if not len(x) == len(t_x) == len(T):
        raise ValueError(f"x, t_x and T differ in length: {len(x)}, {len(t_x)}, {len(T)}")
    if np.any(x != np.round(x)):
        raise ValueError("x counts repeat purchase days, so it must hold whole numbers")
    if np.any(t_x > T):
        raise ValueError(f"recency t_x exceeds T (first at index {np.argmax(t_x > T)})")
    if np.any((x == 0) & (t_x != 0)):
        raise ValueError("t_x must be 0 for customers without repeat purchases (x = 0)")
    if np.any((x > 0) & (t_x == 0)):
        raise ValueError("t_x must be positive for customers with repeat purchases (x > 0)")
    return x, t_x, T


def check_spend(x: ArrayLike, m: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Repeat counts with mean spend; a repeat buyer must have spent something."""
    x, m = as_column(x, "x"), as_column(m, "m")
    if len(x) != len(m):
        raise ValueError(f"x and m differ in length: {len(x)}, {len(m)}")
    if np.any(x != np.round(x)):
        raise ValueError("x counts repeat purchase days, so it must hold whole numbers")
    if np.any((x > 0) & (m == 0)):
        raise ValueError("m must be positive for customers with repeat purchases (x > 0)")
    return x, m


def check_weights(weights: ArrayLike | None, size: int) -> FloatArray:
    """Weights count identical customers, so they are non-negative, one per customer."""
    if weights is None:
        return np.ones(size)
    column = as_column(weights, "weights")
    if len(column) != size:
        raise ValueError(f"weights has {len(column)} values for {size} customers")
    return column


# -- compression ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Factor:
    """A column as its distinct values and, per row, the index of its value: transcendental
    functions of the column are then computed once per distinct value."""

    values: FloatArray
    index: IntArray

    @property
    def expanded(self) -> FloatArray:
        return self.values[self.index]


def factorise(column: FloatArray) -> Factor:
    values, index = np.unique(column, return_inverse=True)
    return Factor(values, index.astype(np.int64))


def compress(
    columns: list[FloatArray], weights: FloatArray
) -> tuple[list[Factor], FloatArray, IntArray]:
    """Identical rows merged into one row carrying their summed weight.

    Returns the compressed columns, their weights and, per input row, its compressed row.
    Rows are keyed by the combined codes of their factorised columns, a single integer sort
    that is much faster than sorting rows of floats.
    """
    factors = [factorise(column) for column in columns]
    sizes = [len(f.values) for f in factors]
    if np.prod(np.array(sizes, dtype=np.float64)) >= 2.0**62:  # codes would overflow int64
        rows, inverse = np.unique(np.column_stack(columns), axis=0, return_inverse=True)
        inverse = inverse.ravel().astype(np.int64)
        merged = np.bincount(inverse, weights=weights, minlength=len(rows)).astype(
            np.float64, copy=False
        )
        return [factorise(rows[:, i]) for i in range(len(columns))], merged, inverse
    key = np.zeros(len(weights), dtype=np.int64)
    for factor, size in zip(factors, sizes, strict=True):
        key = key * size + factor.index
    keys, inverse = np.unique(key, return_inverse=True)
    merged = np.bincount(inverse, weights=weights, minlength=len(keys)).astype(
        np.float64, copy=False
    )
    codes: list[IntArray] = []
    for size in reversed(sizes):
        codes.append(keys % size)
        keys = keys // size
    compressed = [Factor(f.values, code) for f, code in zip(factors, reversed(codes), strict=True)]
    return compressed, merged, inverse.astype(np.int64)


@dataclass(frozen=True)
class BgNbdRows:
    """Customers as distinct (x, t_x, T) rows with how many customers each stands for."""

    x: Factor
    t_x: Factor
    T: Factor
    weights: FloatArray

    @property
    def customers(self) -> float:
        return float(self.weights.sum())


@dataclass(frozen=True)
class SpendRows:
    """Repeat buyers as distinct (x, m) rows with how many customers each stands for."""

    x: Factor
    m: Factor
    weights: FloatArray

    @property
    def customers(self) -> float:
        return float(self.weights.sum())


def bgnbd_rows(
    x: ArrayLike, t_x: ArrayLike, T: ArrayLike, weights: ArrayLike | None = None
) -> BgNbdRows:
    x, t_x, T = check_customers(x, t_x, T)
    (fx, ftx, fT), merged, _ = compress([x, t_x, T], check_weights(weights, len(x)))
    return BgNbdRows(fx, ftx, fT, merged)


def spend_rows(x: ArrayLike, m: ArrayLike, weights: ArrayLike | None = None) -> SpendRows:
    """Only repeat buyers carry information on spend: Gamma-Gamma conditions on x > 0."""
    x, m = check_spend(x, m)
    weights = check_weights(weights, len(x))
    repeat = x > 0
    (fx, fm), merged, _ = compress([x[repeat], m[repeat]], weights[repeat])
    return SpendRows(fx, fm, merged)


# -- likelihoods ------------------------------------------------------------------------------
def bgnbd_log_likelihood_and_gradient(
    params: FloatArray, rows: BgNbdRows
) -> tuple[float, FloatArray]:
    """Summed BG/NBD log-likelihood (FHL 2005 eq. 6) and its gradient in (r, alpha, a, b).

    Per customer, with A = lnΓ(r+x) - lnΓ(r) + r ln alpha + ln B(a, b+x) - ln B(a, b):
        ln L = A + ln[(alpha+T)^-(r+x) + δ(x>0) · a/(b+x-1) · (alpha+t_x)^-(r+x)],
    the bracket taken with logaddexp because both powers underflow for frequent buyers.
    The gradient is analytic so the optimiser needs no finite differences.
    """
    r, alpha, a, b = (float(v) for v in params)
    xs, x_idx = rows.x.values, rows.x.index
    repeat_x = xs > 0
    # Functions of x alone, once per distinct x.
    base = gammaln(r + xs) - gammaln(r) + r * np.log(alpha) + betaln(a, b + xs) - betaln(a, b)
    inv_bx1 = np.zeros_like(xs)
    inv_bx1[repeat_x] = 1.0 / (b + xs[repeat_x] - 1.0)
    log_drop = np.full_like(xs, -np.inf)
    log_drop[repeat_x] = np.log(a * inv_bx1[repeat_x])
    log_alpha_T = np.log(alpha + rows.T.values)
    log_alpha_tx = np.log(alpha + rows.t_x.values)

    rx = r + rows.x.expanded
    alive_term = -rx * log_alpha_T[rows.T.index]
    dead_term = log_drop[x_idx] - rx * log_alpha_tx[rows.t_x.index]
    bracket = np.logaddexp(alive_term, dead_term)
    share_dead = np.exp(dead_term - bracket)  # weight of the "dropped out after t_x" path
    share_alive = 1.0 - share_dead

    w = rows.weights
    log_likelihood = float(w @ (base[x_idx] + bracket))
    d_r = digamma(r + xs) - digamma(r) + np.log(alpha)
    d_a = digamma(a + b) - digamma(a + b + xs)
    d_b = digamma(b + xs) - digamma(a + b + xs) - digamma(b) + digamma(a + b)
    inv_alpha_T = 1.0 / (alpha + rows.T.values)
    inv_alpha_tx = 1.0 / (alpha + rows.t_x.values)
    gradient = np.array(
        [
            w @ (d_r[x_idx] - share_alive * log_alpha_T[rows.T.index])
            - w @ (share_dead * log_alpha_tx[rows.t_x.index]),
            rows.customers * r / alpha
            - w
            @ (
                rx
                * (
                    share_alive * inv_alpha_T[rows.T.index]
                    + share_dead * inv_alpha_tx[rows.t_x.index]
                )
            ),
            w @ (d_a[x_idx] + share_dead / a),
            w @ (d_b[x_idx] - share_dead * inv_bx1[x_idx]),
        ]
    )
    return log_likelihood, gradient


def bgnbd_log_likelihood(
    params: BgNbd,
    x: ArrayLike,
    t_x: ArrayLike,
    T: ArrayLike,
    weights: ArrayLike | None = None,
) -> float:
    """Summed BG/NBD log-likelihood of the customers (weighted: a weight counts customers)."""
    values = np.array([params.r, params.alpha, params.a, params.b])
    return bgnbd_log_likelihood_and_gradient(values, bgnbd_rows(x, t_x, T, weights))[0]


def gamma_gamma_log_likelihood_and_gradient(
    params: FloatArray, rows: SpendRows
) -> tuple[float, FloatArray]:
    """Summed Gamma-Gamma log-likelihood of mean spends and its gradient in (p, q, v).

    The mean m of x purchase values given nu is Gamma(px, nu·x); integrating nu over
    Gamma(q, v) gives, per repeat buyer (Fader and Hardie's note),
        ln f(m | x) = lnΓ(px+q) - lnΓ(px) - lnΓ(q) + q ln v + (px-1) ln m + px ln x
                      - (px+q) ln(v + x·m).
    """
    p, q, v = (float(value) for value in params)
    xs, x_idx = rows.x.values, rows.x.index
    x = rows.x.expanded
    log_m = np.log(rows.m.values)[rows.m.index]
    log_x = np.log(xs)[x_idx]
    log_vxm = np.log(v + x * rows.m.expanded)
    px = p * x
    per_x = gammaln(p * xs + q) - gammaln(p * xs)
    w = rows.weights
    log_likelihood = float(
        w @ (per_x[x_idx] + (px - 1.0) * log_m + px * log_x - (px + q) * log_vxm)
        + rows.customers * (q * np.log(v) - gammaln(q))
    )
    psi_pxq = digamma(p * xs + q)[x_idx]
    gradient = np.array(
        [
            w @ (x * (psi_pxq - digamma(p * xs)[x_idx] + log_m + log_x - log_vxm)),
            w @ (psi_pxq - log_vxm) + rows.customers * (np.log(v) - digamma(q)),
            rows.customers * q / v - w @ ((px + q) / np.exp(log_vxm)),
        ]
    )
    return log_likelihood, gradient


def gamma_gamma_log_likelihood(
    params: GammaGamma, x: ArrayLike, m: ArrayLike, weights: ArrayLike | None = None
) -> float:
    """Summed Gamma-Gamma log-likelihood over the repeat buyers (x = 0 rows carry no spend)."""
    values = np.array([params.p, params.q, params.v])
    return gamma_gamma_log_likelihood_and_gradient(values, spend_rows(x, m, weights))[0]


# -- simulation -------------------------------------------------------------------------------
def simulate_bgnbd(
    rng: np.random.Generator, params: BgNbd, T: ArrayLike
) -> tuple[IntArray, FloatArray]:
    """Draw (x, t_x) for customers observed T days after their first purchase.

    Follows the model's story exactly (continuous time): a rate and a dropout probability per
    customer, Poisson purchases, a coin after each repeat purchase. Given n purchases in (0, T],
    the k-th purchase time is T times the k-th of n uniform order statistics, Beta(k, n-k+1).
    Tests use it to recover known parameters; floor t_x to whole days for day-grained samples.
    """
    T = as_column(T, "T")
    rate = rng.gamma(params.r, 1.0 / params.alpha, size=len(T))
    # A Beta draw can underflow to 0 for small a; a dropout chance of 1e-300 is the same story.
    dropout = np.maximum(rng.beta(params.a, params.b, size=len(T)), 1e-300)
    purchases_until_dropout = rng.geometric(dropout)  # the repeat purchase after which they leave
    in_window = rng.poisson(rate * T)
    x = np.minimum(purchases_until_dropout, in_window).astype(np.int64)
    t_x = np.zeros(len(T))
    buyers = x > 0
    last = rng.beta(x[buyers], in_window[buyers] - x[buyers] + 1)
    t_x[buyers] = T[buyers] * last
    return x, t_x


def simulate_gamma_gamma(rng: np.random.Generator, params: GammaGamma, x: ArrayLike) -> FloatArray:
    """Draw the mean spend m of customers with x repeat purchases (0 where x = 0).

    The mean of x Gamma(p, nu) values is Gamma(px, nu·x), so one draw per customer suffices.
    """
    x = as_column(x, "x")
    nu = rng.gamma(params.q, 1.0 / params.v, size=len(x))
    m = np.zeros(len(x))
    buyers = x > 0
    m[buyers] = rng.gamma(params.p * x[buyers], 1.0 / (nu[buyers] * x[buyers]))
    return m
