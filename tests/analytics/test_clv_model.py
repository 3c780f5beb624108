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
from scipy.optimize import minimize

from cxcore.analytics import clv_value
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
from cxcore.analytics.clv_value import (
    customer_lifetime_value,
    expected_purchases,
    expected_spend,
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


def test_fits_agree_with_an_independent_optimiser() -> None:
    """Another maximiser of the same published likelihoods (derivative-free Nelder-Mead from
    another start) lands on the same estimates to 5 significant digits: the reported numbers
    are the maximum itself, not an optimiser's stopping point."""
    x, t_x, T, m = simulated_customers(12, 3_000)

    def independent_fit(log_likelihood: Callable[[np.ndarray], float], size: int) -> np.ndarray:
        result = minimize(
            lambda theta: -log_likelihood(np.exp(theta)),
            np.full(size, 0.5),
            method="Nelder-Mead",
            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20_000, "maxfev": 20_000},
        )
        return np.exp(result.x)

    rows, spenders = bgnbd_rows(x, t_x, T), spend_rows(x, m)  # the likelihoods of test 1
    fitted = fit_bgnbd(x, t_x, T)
    reference = independent_fit(lambda p: bgnbd_log_likelihood_and_gradient(p, rows)[0], 4)
    np.testing.assert_allclose([fitted.r, fitted.alpha, fitted.a, fitted.b], reference, rtol=1e-5)
    spend = fit_gamma_gamma(x, m)
    reference = independent_fit(
        lambda p: gamma_gamma_log_likelihood_and_gradient(p, spenders)[0], 3
    )
    np.testing.assert_allclose([spend.p, spend.q, spend.v], reference, rtol=1e-5)


def test_fit_does_not_depend_on_where_identical_customers_sit() -> None:
    """Compression must merge duplicates only: shuffling the rows gives the same estimates."""
    x, t_x, T, m = simulated_customers(7, 2_000)
    order = np.random.default_rng(0).permutation(len(x))
    assert fit_bgnbd(x[order], t_x[order], T[order]) == pytest.approx(fit_bgnbd(x, t_x, T))
    assert fit_gamma_gamma(x[order], m[order]) == pytest.approx(fit_gamma_gamma(x, m))


# -- 4. conditional expectations -----------------------------------------------------------------
def plain_alive_probability(params: BgNbd, x: int, t_x: float, T: float) -> float:
    """The share of eq. 6 that comes from the customer still being alive at T, in logs so that
    frequent buyers do not overflow."""
    if x == 0:
        return 1.0
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    log_dead_over_alive = (
        log_beta(a + 1, b + x - 1)
        - log_beta(a, b + x)
        + (r + x) * (math.log(alpha + T) - math.log(alpha + t_x))
    )
    return 1 / (1 + math.exp(log_dead_over_alive))


def series_expectation(params: BgNbd, t: float, x: int, t_x: float, T: float) -> float:
    """FHL 2005 eq. 10 as printed, 2F1 summed term by term; for moderate z and a far from 1."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    A, B, C, z = r + x, b + x, a + b + x - 1, t / (alpha + T + t)
    terms, term, n = [1.0], 1.0, 0
    while abs(term) > 1e-18:
        term *= (A + n) * (B + n) / ((C + n) * (n + 1)) * z
        terms.append(term)
        n += 1
    hypergeometric = math.fsum(terms)
    growth = C / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** A * hypergeometric)
    if x == 0:
        return growth
    return growth / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** A)


def integral_expectation(params: BgNbd, t: float, x: int, t_x: float, T: float) -> float:
    """P(alive) · E[(1 - (1 + p·t/(alpha+T))^-(r+x)) / p] over the posterior p ~ Beta(a, b+x).

    An alive customer's rate is Gamma(r+x, alpha+T) and dropout Beta(a, b+x) a posteriori; one
    with rate λ and dropout p buys (1 - e^(-λpt))/p times in t days on average, and averaging
    e^(-λpt) over the rate gives the power. Numerically integrated after substitutions
    (p = u^(1/a) near 0, 1-p = w^(1/B) near 1) that remove the Beta density's endpoint
    singularities: no hypergeometric function anywhere.
    """
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    A, B, s = r + x, b + x, t / (alpha + T)

    def bought(p: float) -> float:
        return A * s if p == 0 else -math.expm1(-A * math.log1p(p * s)) / p

    def near_zero(u: float) -> float:
        p = u ** (1 / a)
        return bought(p) * (1 - p) ** (B - 1) / a

    def near_one(w: float) -> float:
        p = 1 - w ** (1 / B)
        return bought(p) * p ** (a - 1) / B

    options = {"epsabs": 0.0, "epsrel": 1e-12, "limit": 500}
    feature = min(1 / s, 0.5) ** a / 10  # where the integrand turns, in u
    low = quad(near_zero, 0, 0.5**a, points=[feature], **options)[0]
    high = quad(near_one, 0, 0.5**B, **options)[0]
    beta = math.exp(log_beta(a, B))
    return plain_alive_probability(params, x, t_x, T) * (low + high) / beta


EXPECTATION_CASES = {  # name: (params, t, x, t_x, T)
    "typical repeat buyer": (CDNOW_LIKE, 90.0, 4, 100.0, 200.0),
    "one-timer": (CDNOW_LIKE, 365.0, 0, 0.0, 120.0),
    "lapsed buyer": (CDNOW_LIKE, 180.0, 6, 20.0, 300.0),
    "a > 1, b < 1": (BgNbd(r=2.0, alpha=30.0, a=3.5, b=0.4), 60.0, 3, 50.0, 80.0),
}
HARD_EXPECTATION_CASES = {
    # scipy's hyp2f1 overflows: (1+s)^(r+x) is far beyond the float range
    "daily buyer, ten years": (CDNOW_LIKE, 3650.0, 1500, 1999.0, 2000.0),
    "a = 1 exactly": (BgNbd(r=0.24, alpha=4.4, a=1.0, b=2.43), 365.0, 2, 40.0, 60.0),
    "a = 1 + 1e-9": (BgNbd(r=0.24, alpha=4.4, a=1 + 1e-9, b=2.43), 365.0, 0, 0.0, 10.0),
    "a = 1 - 1e-7": (BgNbd(r=0.24, alpha=4.4, a=1 - 1e-7, b=2.43), 30.0, 3, 25.0, 90.0),
    "horizon of 1e-4 days": (CDNOW_LIKE, 1e-4, 3, 50.0, 100.0),
    "a + b < 1": (BgNbd(r=0.5, alpha=2.0, a=0.3, b=0.4), 200.0, 0, 0.0, 15.0),
    "a + b = 1": (BgNbd(r=0.5, alpha=2.0, a=0.5, b=0.5), 200.0, 0, 0.0, 15.0),
    "first purchase today, ten years": (CDNOW_LIKE, 3650.0, 0, 0.0, 0.0),
    # no series settles in reasonable time: the last resort integrates
    "a = 1 + 1e-9, first purchase today": (
        BgNbd(r=0.24, alpha=4.4, a=1 + 1e-9, b=2.43),
        3650.0,
        0,
        0.0,
        0.0,
    ),
}


@pytest.mark.parametrize("case", list(EXPECTATION_CASES.values()), ids=list(EXPECTATION_CASES))
def test_expected_purchases_match_the_hypergeometric_series(case: tuple) -> None:
    params, t, x, t_x, T = case
    got = expected_purchases(params, t, [x], [t_x], [T])[0]
    assert got == pytest.approx(series_expectation(params, t, x, t_x, T), rel=1e-10)


ALL_EXPECTATION_CASES = {**EXPECTATION_CASES, **HARD_EXPECTATION_CASES}


@pytest.mark.parametrize(
    "case", list(ALL_EXPECTATION_CASES.values()), ids=list(ALL_EXPECTATION_CASES)
)
def test_expected_purchases_match_the_posterior_integral(case: tuple) -> None:
    params, t, x, t_x, T = case
    got = expected_purchases(params, t, [x], [t_x], [T])[0]
    assert got == pytest.approx(integral_expectation(params, t, x, t_x, T), rel=1e-8)


@pytest.mark.parametrize("T", [0.0, 60.0, 300.0])
def test_expected_purchases_of_one_timers_match_a_simulation_of_the_process(T: float) -> None:
    """Customers with no repeat purchase in (0, T] are exactly those with no Poisson event
    there (dropout only follows a purchase), so conditioning a simulation on x = 0 is exact.
    Afterwards each buys min(G, K) times in t days: K ~ Poisson(λt) chances, and G ~
    Geometric(p) the purchase after which they leave. The mean lies within 4 standard errors.
    """
    rng = np.random.default_rng(int(T) + 1)
    t, size = 120.0, 400_000
    rate = rng.gamma(CDNOW_LIKE.r, 1 / CDNOW_LIKE.alpha, size)
    dropout = rng.beta(CDNOW_LIKE.a, CDNOW_LIKE.b, size)
    one_timers = rng.poisson(rate * T) == 0
    future = np.minimum(rng.geometric(dropout[one_timers]), rng.poisson(rate[one_timers] * t))
    standard_error = future.std() / math.sqrt(len(future))
    got = expected_purchases(CDNOW_LIKE, t, [0], [0.0], [T])[0]
    assert abs(got - future.mean()) < 4 * standard_error


def test_expected_purchases_start_at_zero_and_grow_with_the_horizon() -> None:
    x, t_x, T = [0, 3, 12], [0.0, 40.0, 170.0], [90.0, 90.0, 180.0]
    horizons = [0.0, 1.0, 30.0, 90.0, 365.0, 3650.0]
    values = np.array([expected_purchases(CDNOW_LIKE, t, x, t_x, T) for t in horizons])
    assert np.all(values[0] == 0)
    assert np.all(np.diff(values, axis=0) > 0)


def test_expected_purchases_take_one_horizon_per_customer() -> None:
    x, t_x, T = [0, 3], [0.0, 40.0], [90.0, 90.0]
    both = expected_purchases(CDNOW_LIKE, [30.0, 365.0], x, t_x, T)
    assert both[0] == expected_purchases(CDNOW_LIKE, 30.0, x, t_x, T)[0]
    assert both[1] == expected_purchases(CDNOW_LIKE, 365.0, x, t_x, T)[1]


SPEND_CASES = [  # (x, m, expected by hand for p = 6.25, q = 3.74, v = 15.44)
    (0, 0.0, 6.25 * 15.44 / 2.74),  # the population mean
    (1, 20.0, 6.25 * (15.44 + 20.0) / (6.25 + 2.74)),
    (2, 30.0, 6.25 * (15.44 + 60.0) / (12.5 + 2.74)),
    (50, 12.0, 6.25 * (15.44 + 600.0) / (312.5 + 2.74)),  # many purchases: close to m
]


@pytest.mark.parametrize(("x", "m", "expected"), SPEND_CASES, ids=str)
def test_expected_spend_is_the_gamma_gamma_posterior_mean(
    x: int, m: float, expected: float
) -> None:
    assert expected_spend(SPEND, [x], [m])[0] == pytest.approx(expected, rel=1e-14)


# -- 5. lifetime value ----------------------------------------------------------------------------
def test_lifetime_value_over_two_months_by_hand() -> None:
    """Month 1 brings E(30) purchases, month 2 E(60) - E(30), each at the expected spend and
    discounted by 1.01 and 1.01²; duplicates and order must not mix customers up."""
    customers = [(4, 100.0, 200.0, 25.0), (0, 0.0, 50.0, 0.0), (4, 100.0, 200.0, 25.0)]
    customers += [(1, 3.0, 5.0, 80.0)]
    x, t_x, T, m = (np.array(column) for column in zip(*customers, strict=True))
    got = customer_lifetime_value(CDNOW_LIKE, SPEND, x, t_x, T, m, 2, 0.01)
    for i, (xi, txi, Ti, mi) in enumerate(customers):
        first = series_expectation(CDNOW_LIKE, 30.0, xi, txi, Ti)
        both = series_expectation(CDNOW_LIKE, 60.0, xi, txi, Ti)
        spend = SPEND.p * (SPEND.v + xi * mi) / (SPEND.p * xi + SPEND.q - 1)
        expected = first * spend / 1.01 + (both - first) * spend / 1.01**2
        assert got[i] == pytest.approx(expected, rel=1e-10), customers[i]


def test_lifetime_value_over_one_month_is_a_month_of_spend_discounted_once() -> None:
    got = customer_lifetime_value(CDNOW_LIKE, SPEND, [2], [30.0], [38.0], [22.35], 1, 0.02)[0]
    spend = 6.25 * (15.44 + 2 * 22.35) / (6.25 * 2 + 3.74 - 1)
    assert got == pytest.approx(series_expectation(CDNOW_LIKE, 30.0, 2, 30.0, 38.0) * spend / 1.02)


def test_lifetime_value_without_discount_is_all_purchases_in_the_horizon() -> None:
    x, t_x, T, m = [3, 0], [60.0, 0.0], [90.0, 20.0], [40.0, 0.0]
    got = customer_lifetime_value(CDNOW_LIKE, SPEND, x, t_x, T, m, 12, 0.0)
    expected = expected_purchases(CDNOW_LIKE, 360.0, x, t_x, T) * expected_spend(SPEND, x, m)
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_lifetime_value_falls_with_the_discount_rate_and_grows_with_the_horizon() -> None:
    x, t_x, T, m = simulated_customers(9, 50)
    by_rate = [
        customer_lifetime_value(CDNOW_LIKE, SPEND, x, t_x, T, m, 24, d) for d in (0, 0.01, 0.1, 1)
    ]
    assert np.all(np.diff(by_rate, axis=0) < 0)
    by_horizon = [
        customer_lifetime_value(CDNOW_LIKE, SPEND, x, t_x, T, m, h, 0.01) for h in (1, 6, 24)
    ]
    assert np.all(np.diff(by_horizon, axis=0) > 0)


def test_lifetime_value_over_no_months_is_zero() -> None:
    x, t_x, T, m = simulated_customers(10, 30)
    assert np.all(customer_lifetime_value(CDNOW_LIKE, SPEND, x, t_x, T, m, 0, 0.01) == 0)


@pytest.mark.parametrize("cells", [1, 13, 50, 1_000_000])
def test_lifetime_value_valued_in_blocks_is_the_same(
    cells: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Histories are valued a block at a time to bound memory (one history per block, a
    block ending mid-way, all in one): each customer's value is unchanged, to the bit."""
    x, t_x, T, m = simulated_customers(11, 200)
    whole = customer_lifetime_value(CDNOW_LIKE, SPEND, x, t_x, T, m, 12, 0.01)
    monkeypatch.setattr(clv_value, "GRID_CELLS", cells)
    blocked = customer_lifetime_value(CDNOW_LIKE, SPEND, x, t_x, T, m, 12, 0.01)
    assert np.array_equal(blocked, whole)
    by_hand = np.array(
        [
            sum(
                (
                    series_expectation(CDNOW_LIKE, 30.0 * k, *h)
                    - series_expectation(CDNOW_LIKE, 30.0 * (k - 1), *h)
                )
                / 1.01**k
                for k in range(1, 13)
            )
            for h in zip(x, t_x, T, strict=True)
        ]
    ) * expected_spend(SPEND, x, m)
    np.testing.assert_allclose(blocked, by_hand, rtol=1e-9)


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


@pytest.mark.parametrize(
    ("horizon", "discount", "message"),
    [
        (-1, 0.01, "horizon_months must not be negative"),
        (1.5, 0.01, "horizon_months must be a whole number"),
        (True, 0.01, "horizon_months must be a whole number"),
        (12, -0.01, "discount_monthly must be a rate >= 0"),
        (12, float("nan"), "discount_monthly must be a rate >= 0"),
    ],
)
def test_lifetime_value_refuses_meaningless_horizons_and_rates(
    horizon: int, discount: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        customer_lifetime_value(CDNOW_LIKE, SPEND, [1], [5.0], [10.0], [20.0], horizon, discount)


def test_predictions_refuse_bad_inputs() -> None:
    with pytest.raises(ValueError, match="t has negative values"):
        expected_purchases(CDNOW_LIKE, -30.0, [1], [5.0], [10.0])
    with pytest.raises(ValueError, match="recency t_x exceeds T"):
        expected_purchases(CDNOW_LIKE, 30.0, [1], [15.0], [10.0])
    with pytest.raises(ValueError, match="no finite mean spend"):
        expected_spend(GammaGamma(p=2.0, q=0.9, v=10.0), [0, 3], [0.0, 25.0])
    with pytest.raises(ValueError, match="m has negative values"):
        customer_lifetime_value(CDNOW_LIKE, SPEND, [1], [5.0], [10.0], [-20.0], 12, 0.01)
