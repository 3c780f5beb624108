"""Predictions from fitted BG/NBD and Gamma-Gamma models: future purchases, spend and CLV.

The expected number of purchases (FHL 2005 eq. 10) rests on the Gaussian hypergeometric
function 2F1(r+x, b+x; a+b+x-1; z). scipy's hyp2f1 is accurate where it returns a finite value,
but it overflows for frequent buyers over long horizons, and the formula's 1 - (…)·2F1 divided
by a-1 cancels catastrophically when a is near 1 or the horizon is short. Each value is
therefore checked, and the doubtful ones are recomputed from series without those divisions.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.integrate import quad
from scipy.special import betaln, expit, hyp2f1

from cxcore.analytics.clv_model import (
    BgNbd,
    FloatArray,
    GammaGamma,
    as_column,
    check_customers,
    check_spend,
    compress,
)

DAYS_PER_MONTH = 30
# scipy's value is kept while 1 - F loses fewer than three of its ~15 digits to cancellation.
MAX_CANCELLATION = 1e3
# The series in -s converges like s^n: used up to s = t/(alpha+T) = 1/2.
EULER_SERIES_LIMIT = 0.5
# The series in z = s/(1+s) needs about 40·(1+s) terms: beyond this s, integrate instead.
PFAFF_SERIES_LIMIT = 100.0
SERIES_MAX_TERMS = 20_000
GRID_CELLS = 1_000_000  # histories x horizons valued at once (temporaries of ~8 MB each)


def expected_purchases(
    params: BgNbd, t: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> FloatArray:
    """E[purchases in the next t days | x, t_x, T] (FHL 2005 eq. 10), one value per customer.

    ``t`` is one horizon in days for everyone, or one per customer.
    """
    x, t_x, T = check_customers(x, t_x, T)
    horizon = np.broadcast_to(np.asarray(t, dtype=np.float64), x.shape)
    horizon = as_column(horizon, "t")
    return _conditional_purchases(params, horizon, x, t_x, T)


def expected_spend(params: GammaGamma, x: ArrayLike, m: ArrayLike) -> FloatArray:
    """E[value of a purchase | x, m]: the Gamma-Gamma posterior mean p(v + x·m)/(px + q - 1).

    It shrinks a customer's own mean m towards the population mean p·v/(q - 1), the more the
    fewer purchases it rests on; customers without repeat purchases get the population mean.
    """
    x, m = check_spend(x, m)
    p, q, v = params.p, params.q, params.v
    denominator = p * x + q - 1.0
    if np.any(denominator <= 0):
        raise ValueError(
            "Gamma-Gamma with q <= 1 - p·x has no finite mean spend "
            f"(q = {q:.3g}, p = {p:.3g}); refit or check the data"
        )
    return p * (v + x * m) / denominator


def customer_lifetime_value(
    bg: BgNbd,
    gg: GammaGamma,
    x: ArrayLike,
    t_x: ArrayLike,
    T: ArrayLike,
    m: ArrayLike,
    horizon_months: int,
    discount_monthly: float,
) -> FloatArray:
    """Discounted expected spend over the next ``horizon_months`` 30-day months, per customer.

    Month i's purchases, E[N(30i)] - E[N(30(i-1))], are valued at the expected spend per
    purchase and discounted by (1 + d)^i.
    """
    if isinstance(horizon_months, bool) or int(horizon_months) != horizon_months:
        raise ValueError(f"horizon_months must be a whole number, got {horizon_months!r}")
    if horizon_months < 0:
        raise ValueError(f"horizon_months must not be negative, got {horizon_months}")
    if not (np.isfinite(discount_monthly) and discount_monthly >= 0):
        raise ValueError(f"discount_monthly must be a rate >= 0, got {discount_monthly}")
    x, t_x, T = check_customers(x, t_x, T)
    spend = expected_spend(gg, x, m)
    days = DAYS_PER_MONTH * np.arange(int(horizon_months) + 1, dtype=np.float64)
    months = np.arange(1, int(horizon_months) + 1, dtype=np.float64)
    discount = np.power(1.0 + discount_monthly, -months)
    (fx, ftx, fT), _, row_of_customer = compress([x, t_x, T], np.ones(len(x)))
    per_history = _discounted(bg, days, discount, fx.expanded, ftx.expanded, fT.expanded)
    return per_history[row_of_customer] * spend


def _discounted(
    params: BgNbd,
    days: FloatArray,
    discount: FloatArray,
    x: FloatArray,
    t_x: FloatArray,
    T: FloatArray,
) -> FloatArray:
    """Each distinct history's purchases month by month, discounted and summed, a block of
    histories at a time: every step of the expectation makes a temporary of histories x
    horizons floats, which came to over a gigabyte at a million customers."""
    rows = max(GRID_CELLS // len(days), 1)
    blocks = []
    for i in range(0, len(x), rows):
        block = (a[i : i + rows] for a in (x, t_x, T))
        per_month = np.diff(_purchases_by_horizon(params, days, *block), axis=1)
        blocks.append((per_month * discount).sum(axis=1))  # row by row: the same in any block
    return np.concatenate(blocks) if blocks else np.zeros(0)


def _purchases_by_horizon(
    params: BgNbd, days: FloatArray, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> FloatArray:
    """Expected purchases per customer history (rows) and horizon (columns)."""
    shape = (len(x), len(days))
    return _conditional_purchases(
        params,
        np.broadcast_to(days, shape).ravel(),
        np.repeat(x, len(days)),
        np.repeat(t_x, len(days)),
        np.repeat(T, len(days)),
    ).reshape(shape)


def _conditional_purchases(
    params: BgNbd, t: FloatArray, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> FloatArray:
    """P(alive at T | x, t_x, T) times E[purchases in (T, T+t] | alive]."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    repeat = x > 0
    log_odds_dead = np.full_like(x, -np.inf)
    xr = x[repeat]
    log_odds_dead[repeat] = (
        np.log(a)
        - np.log(b + xr - 1.0)
        + (r + xr) * (np.log(alpha + T[repeat]) - np.log(alpha + t_x[repeat]))
    )
    return expit(-log_odds_dead) * _purchases_if_alive(params, t / (alpha + T), x)


def _purchases_if_alive(params: BgNbd, s: FloatArray, x: FloatArray) -> FloatArray:
    """E[purchases in the next t days | alive, x] with s = t/(alpha+T):

        C/(a-1) · [1 - (1+s)^-A · 2F1(A, B; C; s/(1+s))],  A = r+x, B = b+x, C = a+b+x-1.

    scipy's 2F1 is used where it is finite and positive and the bracket keeps its digits; the
    rest are summed as series (see _purchases_if_alive_by_series).
    """
    r, a, b = params.r, params.a, params.b
    A, B, C = r + x, b + x, a + b + x - 1.0
    z = s / (1.0 + s)
    with np.errstate(all="ignore"):
        f = hyp2f1(A, B, C, z)
        # (1+s)^-A · 2F1 in logs, since (1+s)^A alone overflows; NaN where 2F1 <= 0.
        product = np.exp(-A * np.log1p(s) + np.log(f))
        bracket = 1.0 - product
        value = C * bracket / (a - 1.0)
        trusted = (
            np.isfinite(f) & np.isfinite(value) & (product < MAX_CANCELLATION * np.abs(bracket))
        )
    result = np.where(trusted, value, 0.0)
    doubtful = ~trusted & (s > 0)
    if np.any(doubtful):
        result[doubtful] = _purchases_if_alive_by_series(params, s[doubtful], x[doubtful])
    return result


def _purchases_if_alive_by_series(params: BgNbd, s: FloatArray, x: FloatArray) -> FloatArray:
    """The same expectation as series with the divisions by a-1 and C done analytically;
    the few values no series settles quickly are integrated numerically."""
    r, a, b = params.r, params.a, params.b
    A, C = r + x, a + b + x - 1.0
    result = np.zeros_like(s)
    settled = np.zeros(len(s), dtype=bool)
    near = s <= EULER_SERIES_LIMIT
    result[near], settled[near] = _euler_series(A[near], a, C[near], s[near])
    far = (s > EULER_SERIES_LIMIT) & (s <= PFAFF_SERIES_LIMIT)
    result[far], settled[far] = _pfaff_series(A[far], a, C[far], s[far])
    for i in np.flatnonzero(~settled):
        result[i] = _purchases_if_alive_by_quadrature(params, float(s[i]), float(x[i]))
    return result


def _euler_series(
    A: FloatArray, a: float, C: FloatArray, s: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The Euler transform 2F1(A, a-1; C; -s) turns the expectation into
        Σ_{n≥1} (A)_n (a)_{n-1} / ((C+1)_{n-1} n!) · s^n · (-1)^(n+1),
    alternating and geometric in s: quick and exact for short horizons."""
    return _sum_series(A * s, A, a, C, -s)


def _pfaff_series(
    A: FloatArray, a: float, C: FloatArray, s: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The Pfaff transform 2F1(C-A, a-1; C; z), z = s/(1+s), turns the expectation into
        C·[1 - (1+s)^(1-a)]/(a-1) - (1+s)^(1-a) Σ_{n≥1} (C-A)_n (a)_{n-1}/((C+1)_{n-1} n!) z^n,
    whose terms never overflow and whose first part, -C·expm1(-(a-1)·ln(1+s))/(a-1), stays
    exact as a → 1."""
    z = s / (1.0 + s)
    tail, settled = _sum_series((C - A) * z, C - A, a, C, z)
    log_growth = np.log1p(s)
    # [1 - (1+s)^(1-a)]/(a-1), whose limit at a = 1 is ln(1+s).
    head = log_growth if a == 1.0 else -np.expm1(-(a - 1.0) * log_growth) / (a - 1.0)
    return C * head - np.exp((1.0 - a) * log_growth) * tail, settled


def _sum_series(
    first: FloatArray, shift: FloatArray, a: float, C: FloatArray, ratio: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Σ_{n≥1} term_n with term_1 = first and
    term_{n+1} = term_n · (shift+n)(a+n-1)/((C+n)(n+1)) · ratio, to full double precision.

    Returns the sums and whether each settled; a sum whose terms grew far beyond it lost its
    digits to cancellation and counts as unsettled.
    """
    total = first.copy()
    term = first.copy()
    largest = np.abs(first)
    active = np.flatnonzero(term != 0)
    for n in range(1, SERIES_MAX_TERMS):
        if active.size == 0:
            break
        term[active] *= (
            (shift[active] + n) * (a + n - 1) / ((C[active] + n) * (n + 1)) * ratio[active]
        )
        total[active] += term[active]
        largest[active] = np.maximum(largest[active], np.abs(term[active]))
        active = active[np.abs(term[active]) > 1e-17 * np.abs(total[active])]
    settled = np.ones(len(total), dtype=bool)
    settled[active] = False
    settled &= np.isfinite(total) & (largest <= 1e8 * np.abs(total))
    return total, settled


def _purchases_if_alive_by_quadrature(params: BgNbd, s: float, x: float) -> float:
    """E_p[(1 - (1+p·s)^-(r+x)) / p] over the posterior dropout p ~ Beta(a, b+x), by QUADPACK's
    algebraic-weight rule, which takes the Beta density's endpoint singularities exactly.

    The last resort: slower than the series, but free of both cancellation and overflow.
    """
    r, a, b = params.r, params.a, params.b
    A = r + x

    def bought_if_dropout_is(p: float) -> float:
        return A * s if p == 0 else -np.expm1(-A * np.log1p(p * s)) / p

    integral, _ = quad(
        bought_if_dropout_is, 0.0, 1.0, weight="alg", wvar=(a - 1.0, b + x - 1.0), limit=200
    )
    return float(integral / np.exp(betaln(a, b + x)))
