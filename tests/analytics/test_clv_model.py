"""The CLV models checked against the published formulas, simulation and hand-worked numbers.

Every reference here is computed independently of the code under test: plain per-customer
formulas with the math module, the models' mixture integrals, Monte Carlo runs of the purchase
process and hypergeometric series summed term by term.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from scipy.integrate import dblquad, quad

from cxcore.analytics.clv_model import (
    BgNbd,
    GammaGamma,
    bgnbd_log_likelihood,
    bgnbd_log_likelihood_and_gradient,
    bgnbd_rows,
    gamma_gamma_log_likelihood,
    gamma_gamma_log_likelihood_and_gradient,
    simulate_bgnbd,
    simulate_gamma_gamma,
    spend_rows,
)

CDNOW_LIKE = BgNbd(r=0.24, alpha=4.4, a=0.79, b=2.43)
SPEND = GammaGamma(p=6.25, q=3.74, v=15.44)


# -- plain references ---------------------------------------------------------------------------
def log_beta(p: float, q: float) -> float:
    return math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q)


def plain_bgnbd_likelihood(params: BgNbd, x: int, t_x: float, T: float) -> float:
    """FHL 2005 eq. 6 for one customer, term by term as printed."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    rate_part = math.exp(math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha))
    alive = math.exp(log_beta(a, b + x) - log_beta(a, b)) * rate_part / (alpha + T) ** (r + x)
    dead = 0.0
    if x > 0:
        dead = (
            math.exp(log_beta(a + 1, b + x - 1) - log_beta(a, b))
            * rate_part
            / (alpha + t_x) ** (r + x)
        )
    return alive + dead


def plain_gamma_gamma_density(params: GammaGamma, x: int, m: float) -> float:
    """Fader and Hardie's marginal density of the mean spend m of x purchases, as printed."""
    p, q, v = params.p, params.q, params.v
    log_density = (
        math.lgamma(p * x + q)
        - math.lgamma(p * x)
        - math.lgamma(q)
        + q * math.log(v)
        + (p * x - 1) * math.log(m)
        + p * x * math.log(x)
        - (p * x + q) * math.log(v + m * x)
    )
    return math.exp(log_density)


def gamma_pdf(value: float, shape: float, rate: float) -> float:
    return math.exp(
        shape * math.log(rate) + (shape - 1) * math.log(value) - rate * value - math.lgamma(shape)
    )


def beta_pdf(value: float, a: float, b: float) -> float:
    return math.exp((a - 1) * math.log(value) + (b - 1) * math.log1p(-value) - log_beta(a, b))


# -- 1. likelihoods -------------------------------------------------------------------------------
CUSTOMERS = [  # (x, t_x, T) in days
    (0, 0.0, 38.0),
    (0, 0.0, 250.0),
    (1, 1.0, 2.0),
    (2, 30.4, 38.9),
    (7, 120.0, 300.0),
    (15, 180.5, 181.0),
    (25, 200.0, 365.0),
]
BGNBD_PARAMS = [
    CDNOW_LIKE,
    BgNbd(r=1.5, alpha=20.0, a=2.0, b=5.0),
    BgNbd(r=0.05, alpha=0.5, a=0.3, b=0.6),  # b < 1: b + x - 1 < 1 for x = 1
    BgNbd(r=3.0, alpha=150.0, a=1.0, b=1.0),
]


@pytest.mark.parametrize("params", BGNBD_PARAMS, ids=repr)
def test_bgnbd_log_likelihood_sums_the_published_formula(params: BgNbd) -> None:
    x, t_x, T = (np.array(column) for column in zip(*CUSTOMERS, strict=True))
    expected = sum(math.log(plain_bgnbd_likelihood(params, *row)) for row in CUSTOMERS)
    assert bgnbd_log_likelihood(params, x, t_x, T) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("customer", [(0, 0.0, 30.0), (3, 20.0, 45.0)], ids=str)
def test_published_bgnbd_formula_is_the_mixture_over_rates_and_dropouts(
    customer: tuple[int, float, float],
) -> None:
    """Guards the plain reference itself: FHL's eq. 6 integrates the individual likelihood
    (1-p)^x λ^x e^(-λT) + [x>0] p(1-p)^(x-1) λ^x e^(-λ t_x) over Gamma(r, alpha) and Beta(a, b)."""
    params = BgNbd(r=1.2, alpha=8.0, a=1.5, b=3.0)  # shapes > 1: smooth, finite integrands
    x, t_x, T = customer

    def individual(lam: float, p: float) -> float:
        value = (1 - p) ** x * lam**x * math.exp(-lam * T)
        if x > 0:
            value += p * (1 - p) ** (x - 1) * lam**x * math.exp(-lam * t_x)
        return value * gamma_pdf(lam, params.r, params.alpha) * beta_pdf(p, params.a, params.b)

    mixture, _ = dblquad(individual, 0, 1, 0, 5, epsabs=1e-13, epsrel=1e-10)
    assert plain_bgnbd_likelihood(params, x, t_x, T) == pytest.approx(mixture, rel=1e-6)


SPENDERS = [(1, 12.5), (2, 30.0), (3, 8.25), (6, 55.0), (40, 19.99)]  # (x, m)
SPEND_PARAMS = [SPEND, GammaGamma(p=1.0, q=2.0, v=50.0), GammaGamma(p=0.4, q=12.0, v=300.0)]


@pytest.mark.parametrize("params", SPEND_PARAMS, ids=repr)
def test_gamma_gamma_log_likelihood_sums_the_published_formula(params: GammaGamma) -> None:
    x, m = (np.array(column) for column in zip(*SPENDERS, strict=True))
    expected = sum(math.log(plain_gamma_gamma_density(params, *row)) for row in SPENDERS)
    assert gamma_gamma_log_likelihood(params, x, m) == pytest.approx(expected, rel=1e-12)


def test_gamma_gamma_likelihood_skips_customers_without_repeat_purchases() -> None:
    with_one_timers = gamma_gamma_log_likelihood(SPEND, [0, 2, 0, 3], [0.0, 30.0, 0.0, 8.25])
    assert with_one_timers == pytest.approx(gamma_gamma_log_likelihood(SPEND, [2, 3], [30, 8.25]))


@pytest.mark.parametrize("spender", [(1, 12.5), (4, 30.0)], ids=str)
def test_published_gamma_gamma_density_is_the_mixture_over_spend_rates(
    spender: tuple[int, float],
) -> None:
    """Guards the plain reference: the mean of x Gamma(p, nu) values is Gamma(px, nu·x), and
    nu ~ Gamma(q, v) across customers."""
    x, m = spender
    params = SPEND

    def conditional(nu: float) -> float:
        return gamma_pdf(m, params.p * x, nu * x) * gamma_pdf(nu, params.q, params.v)

    mixture, _ = quad(conditional, 0, np.inf, epsabs=0, epsrel=1e-11)
    assert plain_gamma_gamma_density(params, x, m) == pytest.approx(mixture, rel=1e-8)


def test_weights_count_identical_customers() -> None:
    x, t_x, T = np.array([0, 2, 5]), np.array([0.0, 10.0, 40.0]), np.array([50.0, 60.0, 70.0])
    counts = np.array([3, 1, 2])
    weighted = bgnbd_log_likelihood(CDNOW_LIKE, x, t_x, T, weights=counts)
    repeated = bgnbd_log_likelihood(
        CDNOW_LIKE, np.repeat(x, counts), np.repeat(t_x, counts), np.repeat(T, counts)
    )
    assert weighted == pytest.approx(repeated, rel=1e-13)
    spend = gamma_gamma_log_likelihood(SPEND, [2, 5], [10.0, 4.0], weights=[4, 1])
    assert spend == pytest.approx(
        gamma_gamma_log_likelihood(SPEND, [2] * 4 + [5], [10.0] * 4 + [4])
    )


def numerical_gradient(function: Callable[[np.ndarray], float], at: np.ndarray) -> np.ndarray:
    steps = 1e-6 * at
    return np.array(
        [
            (function(at + step) - function(at - step)) / (2 * step[i])
            for i, step in enumerate(np.diag(steps))
        ]
    )


def test_analytic_gradients_match_finite_differences() -> None:
    """The fit trusts the analytic gradients; a wrong sign or term would move the optimum."""
    rng = np.random.default_rng(3)
    T = rng.integers(10, 300, 400).astype(float)
    x, t_x = simulate_bgnbd(rng, CDNOW_LIKE, T)
    rows = bgnbd_rows(x, t_x, T)
    at = np.array([0.3, 5.0, 0.9, 2.0])
    analytic = bgnbd_log_likelihood_and_gradient(at, rows)[1]
    numeric = numerical_gradient(lambda p: bgnbd_log_likelihood_and_gradient(p, rows)[0], at)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6)

    m = simulate_gamma_gamma(rng, SPEND, x)
    spend = spend_rows(x, m)
    at = np.array([5.0, 3.0, 20.0])
    analytic = gamma_gamma_log_likelihood_and_gradient(at, spend)[1]
    numeric = numerical_gradient(lambda p: gamma_gamma_log_likelihood_and_gradient(p, spend)[0], at)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6)


def test_simulated_histories_are_consistent_and_match_the_model_means() -> None:
    """Two means the model fixes in closed form: without dropout (a tiny, b huge) x is
    Poisson(λT) with mean T·r/alpha; and a purchase is worth p/nu on average, so the mean spend
    of repeat buyers, whatever their x, averages p·v/(q-1). Both within 4 standard errors."""
    rng = np.random.default_rng(11)
    T = np.full(200_000, 100.0)
    no_dropout = BgNbd(r=2.0, alpha=40.0, a=1e-3, b=1e6)
    x, t_x = simulate_bgnbd(rng, no_dropout, T)
    assert np.all((t_x <= T) & ((x == 0) == (t_x == 0)))
    assert abs(x.mean() - 100.0 * no_dropout.r / no_dropout.alpha) < 4 * x.std() / math.sqrt(len(x))

    m = simulate_gamma_gamma(rng, SPEND, x)
    buyers = m[x > 0]
    population_mean = SPEND.p * SPEND.v / (SPEND.q - 1)
    assert abs(buyers.mean() - population_mean) < 4 * buyers.std() / math.sqrt(len(buyers))
    assert np.all(m[x == 0] == 0)
