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

from cxcore.analytics.clv_fit import fit_bgnbd, fit_gamma_gamma
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


# -- 2, 3. fits -----------------------------------------------------------------------------------
def observed_information(
    log_likelihood: Callable[[np.ndarray], float], at: np.ndarray
) -> np.ndarray:
    """Minus the Hessian of the log-likelihood, by central differences with relative steps."""
    steps = 1e-4 * at
    size = len(at)
    hessian = np.empty((size, size))
    for i in range(size):
        for j in range(size):
            ei, ej = np.eye(size)[i] * steps[i], np.eye(size)[j] * steps[j]
            hessian[i, j] = (
                log_likelihood(at + ei + ej)
                - log_likelihood(at + ei - ej)
                - log_likelihood(at - ei + ej)
                + log_likelihood(at - ei - ej)
            ) / (4 * steps[i] * steps[j])
    return -(hessian + hessian.T) / 2


def standard_errors(log_likelihood: Callable[[np.ndarray], float], at: np.ndarray) -> np.ndarray:
    return np.sqrt(np.diag(np.linalg.inv(observed_information(log_likelihood, at))))


def simulated_customers(seed: int, size: int) -> tuple[np.ndarray, ...]:
    """Customers whose first purchase falls 30 to 400 days before the end of calibration."""
    rng = np.random.default_rng(seed)
    T = rng.integers(30, 401, size).astype(float)
    x, t_x = simulate_bgnbd(rng, CDNOW_LIKE, T)
    return x, t_x, T, simulate_gamma_gamma(rng, SPEND, x)


RECOVERY_CASES = [(1, 3_000), (2, 3_000), (3, 30_000), (4, 30_000)]  # (seed, customers)


@pytest.mark.parametrize(("seed", "size"), RECOVERY_CASES, ids=str)
def test_bgnbd_fit_recovers_the_simulated_parameters(seed: int, size: int) -> None:
    """Each estimate lies within 4 standard errors of the truth.

    Maximum-likelihood estimates are asymptotically normal around the truth with covariance the
    inverse observed information (minus the inverse Hessian of the log-likelihood at the
    optimum). A 4-sigma band holds with probability 0.99994 per parameter, so with fixed seeds
    this cannot flake by bad luck, while a biased estimator or a wrong likelihood shifts the
    estimates by many standard errors at 30,000 customers (the SEs shrink as 1/sqrt(n)).
    """
    x, t_x, T, _ = simulated_customers(seed, size)
    fitted = fit_bgnbd(x, t_x, T)
    estimate = np.array([fitted.r, fitted.alpha, fitted.a, fitted.b])
    truth = np.array([CDNOW_LIKE.r, CDNOW_LIKE.alpha, CDNOW_LIKE.a, CDNOW_LIKE.b])
    errors = standard_errors(lambda p: bgnbd_log_likelihood(BgNbd(*p), x, t_x, T), estimate)
    assert np.all(np.abs(estimate - truth) < 4 * errors), (estimate, truth, errors)


@pytest.mark.parametrize(("seed", "size"), RECOVERY_CASES, ids=str)
def test_gamma_gamma_fit_recovers_the_simulated_parameters(seed: int, size: int) -> None:
    """Each estimate within 4 standard errors of the truth; the reasoning of the BG/NBD test."""
    x, _, _, m = simulated_customers(seed, size)
    fitted = fit_gamma_gamma(x, m)
    estimate = np.array([fitted.p, fitted.q, fitted.v])
    truth = np.array([SPEND.p, SPEND.q, SPEND.v])
    errors = standard_errors(lambda p: gamma_gamma_log_likelihood(GammaGamma(*p), x, m), estimate)
    assert np.all(np.abs(estimate - truth) < 4 * errors), (estimate, truth, errors)


def perturbations(size: int) -> list[np.ndarray]:
    """Each parameter moved by 0.1 % up and down, one at a time."""
    return [sign * 1e-3 * np.eye(size)[i] for i in range(size) for sign in (1, -1)]


def test_bgnbd_fit_is_a_maximum_of_the_likelihood() -> None:
    x, t_x, T, _ = simulated_customers(5, 5_000)
    fitted = fit_bgnbd(x, t_x, T)
    best = np.array([fitted.r, fitted.alpha, fitted.a, fitted.b])
    at_optimum = bgnbd_log_likelihood(fitted, x, t_x, T)
    for shift in perturbations(4):
        moved = BgNbd(*(best * (1 + shift)))
        assert bgnbd_log_likelihood(moved, x, t_x, T) < at_optimum, shift
    assert bgnbd_log_likelihood(CDNOW_LIKE, x, t_x, T) < at_optimum


def test_gamma_gamma_fit_is_a_maximum_of_the_likelihood() -> None:
    x, _, _, m = simulated_customers(6, 5_000)
    fitted = fit_gamma_gamma(x, m)
    best = np.array([fitted.p, fitted.q, fitted.v])
    at_optimum = gamma_gamma_log_likelihood(fitted, x, m)
    for shift in perturbations(3):
        moved = GammaGamma(*(best * (1 + shift)))
        assert gamma_gamma_log_likelihood(moved, x, m) < at_optimum, shift
    assert gamma_gamma_log_likelihood(SPEND, x, m) < at_optimum


def test_fit_does_not_depend_on_where_identical_customers_sit() -> None:
    """Compression must merge duplicates only: shuffling the rows gives the same estimates."""
    x, t_x, T, m = simulated_customers(7, 2_000)
    order = np.random.default_rng(0).permutation(len(x))
    assert fit_bgnbd(x[order], t_x[order], T[order]) == pytest.approx(fit_bgnbd(x, t_x, T))
    assert fit_gamma_gamma(x[order], m[order]) == pytest.approx(fit_gamma_gamma(x, m))


# -- 6. refusals --------------------------------------------------------------------------------
BAD_HISTORIES = [  # (x, t_x, T, message)
    ([1, -1], [5.0, 0.0], [10.0, 10.0], "x has negative values"),
    ([1, 0], [5.0, 0.0], [10.0, -3.0], "T has negative values"),
    ([1, 2], [15.0, 4.0], [10.0, 10.0], "recency t_x exceeds T"),
    ([0, 2], [3.0, 4.0], [10.0, 10.0], "t_x must be 0"),
    ([2, 2], [0.0, 4.0], [10.0, 10.0], "t_x must be positive"),
    ([1.5, 2], [3.0, 4.0], [10.0, 10.0], "whole numbers"),
    ([1, np.nan], [3.0, 4.0], [10.0, 10.0], "missing or infinite"),
    ([1, 2], [3.0, 4.0], [10.0], "differ in length"),
]


@pytest.mark.parametrize(("x", "t_x", "T", "message"), BAD_HISTORIES, ids=lambda v: str(v))
def test_impossible_histories_are_refused(
    x: list[float], t_x: list[float], T: list[float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        bgnbd_log_likelihood(CDNOW_LIKE, x, t_x, T)
    with pytest.raises(ValueError, match=message):
        fit_bgnbd(x * 20, t_x * 20, T * 20)


BAD_SPEND = [  # (x, m, message)
    ([1, 2], [10.0, -5.0], "m has negative values"),
    ([1, 2], [10.0, 0.0], "m must be positive for customers with repeat purchases"),
    ([1, 2], [10.0, np.inf], "missing or infinite"),
    ([1, 2], [10.0], "differ in length"),
]


@pytest.mark.parametrize(("x", "m", "message"), BAD_SPEND, ids=lambda v: str(v))
def test_impossible_spend_is_refused(x: list[float], m: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        gamma_gamma_log_likelihood(SPEND, x, m)
    with pytest.raises(ValueError, match=message):
        fit_gamma_gamma(x * 20, m * 20)


def test_fits_refuse_too_few_customers() -> None:
    x, t_x, T, m = simulated_customers(8, 200)
    with pytest.raises(ValueError, match="too few customers to fit BG/NBD: 19"):
        fit_bgnbd(x[:19], t_x[:19], T[:19])
    buyers = np.flatnonzero(x > 0)[:9]
    with pytest.raises(ValueError, match="too few repeat buyers to fit Gamma-Gamma: 9"):
        fit_gamma_gamma(x[buyers], m[buyers])


def test_fits_refuse_data_without_repeat_buyers() -> None:
    one_timers = np.zeros(100)
    with pytest.raises(ValueError, match="no repeat buyers"):
        fit_bgnbd(one_timers, one_timers, np.full(100, 60.0))
    with pytest.raises(ValueError, match="no repeat buyers"):
        fit_gamma_gamma(one_timers, one_timers)


def test_fits_refuse_data_without_a_maximum() -> None:
    """Everyone buying on the last day shows no dropout at all, and identical spend shows no
    spread between customers: the likelihood then grows without bound towards an edge."""
    T = np.arange(50.0, 100.0)
    with pytest.raises(ValueError, match="BG/NBD fit did not converge"):
        fit_bgnbd(np.full(50, 5), T, T)
    with pytest.raises(ValueError, match="Gamma-Gamma fit did not converge"):
        fit_gamma_gamma(np.arange(40) % 5 + 1, np.full(40, 20.0))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: BgNbd(r=-0.1, alpha=1, a=1, b=1), "BgNbd.r must be positive"),
        (lambda: BgNbd(r=1, alpha=0, a=1, b=1), "BgNbd.alpha must be positive"),
        (lambda: BgNbd(r=1, alpha=1, a=np.nan, b=1), "BgNbd.a must be positive"),
        (lambda: GammaGamma(p=1, q=np.inf, v=1), "GammaGamma.q must be positive"),
    ],
)
def test_parameters_must_be_positive(make: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()
