"""Maximum-likelihood fits of the BG/NBD and Gamma-Gamma models.

The optimiser works on log-parameters, so every trial point is a valid model and the scales of
r (≈ 0.1-10) and alpha (days, ≈ 1-1000) do not fight each other. L-BFGS-B with the analytic
gradient gets close; a few Newton steps on a numerical Hessian of that gradient then pin the
optimum down to many digits, so the reported estimates are the likelihood's maximum itself,
comparable with any other MLE implementation, and not wherever a tolerance happened to stop.
A fit that cannot reach a proper interior maximum raises ValueError instead of returning
numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize

from cxcore.analytics.clv_model import (
    BgNbd,
    BgNbdRows,
    FloatArray,
    GammaGamma,
    SpendRows,
    bgnbd_log_likelihood_and_gradient,
    bgnbd_rows,
    gamma_gamma_log_likelihood_and_gradient,
    spend_rows,
)

# Four (three) parameters need many more customers than that to mean anything; below these
# counts a fit is refused rather than reported.
MIN_CUSTOMERS = 20
MIN_REPEAT_BUYERS = 10
# Log-parameters stay within ±LOG_BOUND; an optimum near the bound means a parameter ran off.
LOG_BOUND = 25.0
# Newton polishing ends with a step smaller than this in every log-parameter.
NEWTON_FINAL_STEP = 1e-6
NEWTON_MAX_STEPS = 50


@dataclass(frozen=True)
class _Problem:
    """A negative mean log-likelihood over log-parameters, named for error messages."""

    model: str
    names: tuple[str, ...]
    log_likelihood: Callable[[FloatArray], tuple[float, FloatArray]]
    customers: float

    def objective(self, log_params: FloatArray) -> tuple[float, FloatArray]:
        """Mean negative log-likelihood: per-customer scale keeps tolerances size-independent."""
        params = np.exp(log_params)
        value, gradient = self.log_likelihood(params)
        if not np.isfinite(value):
            return np.inf, np.zeros_like(log_params)
        return -value / self.customers, -gradient * params / self.customers


def fit_bgnbd(x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> BgNbd:
    """Maximum-likelihood BG/NBD parameters for customers (x, t_x, T), days as the unit."""
    rows = bgnbd_rows(x, t_x, T)
    if rows.customers < MIN_CUSTOMERS:
        raise ValueError(
            f"too few customers to fit BG/NBD: {rows.customers:.0f}, need {MIN_CUSTOMERS}"
        )
    if not np.any(rows.x.values > 0):
        raise ValueError("no repeat buyers: BG/NBD cannot tell purchase rates from dropout")
    problem = _Problem(
        "BG/NBD",
        ("r", "alpha", "a", "b"),
        lambda params: bgnbd_log_likelihood_and_gradient(params, rows),
        rows.customers,
    )
    return BgNbd(*(float(v) for v in np.exp(_maximise(problem, _bgnbd_start(rows)))))


def fit_gamma_gamma(x: ArrayLike, m: ArrayLike) -> GammaGamma:
    """Maximum-likelihood Gamma-Gamma parameters from the repeat buyers' (x, m)."""
    rows = spend_rows(x, m)
    if rows.customers == 0:
        raise ValueError("no repeat buyers (x > 0): Gamma-Gamma has no spend to fit")
    if rows.customers < MIN_REPEAT_BUYERS:
        raise ValueError(
            f"too few repeat buyers to fit Gamma-Gamma: {rows.customers:.0f}, "
            f"need {MIN_REPEAT_BUYERS}"
        )
    problem = _Problem(
        "Gamma-Gamma",
        ("p", "q", "v"),
        lambda params: gamma_gamma_log_likelihood_and_gradient(params, rows),
        rows.customers,
    )
    return GammaGamma(*(float(v) for v in np.exp(_maximise(problem, _gamma_gamma_start(rows)))))


def _bgnbd_start(rows: BgNbdRows) -> FloatArray:
    """r = 1 and alpha matching the observed daily purchase rate; a = 1, b = 1 (uniform dropout).

    Only the rate needs the data's scale: the rest are shapes of order one.
    """
    purchases = rows.weights @ rows.x.expanded
    exposure = rows.weights @ rows.T.expanded
    rate = purchases / exposure if exposure > 0 else 1.0
    return np.log(np.array([1.0, 1.0 / max(rate, 1e-6), 1.0, 1.0]))


def _gamma_gamma_start(rows: SpendRows) -> FloatArray:
    """p = 1, q = 2 and v making the population mean p·v/(q-1) the observed mean spend."""
    mean_spend = rows.weights @ rows.m.expanded / rows.customers
    return np.log(np.array([1.0, 2.0, mean_spend]))


def _maximise(problem: _Problem, start: FloatArray) -> FloatArray:
    """The log-parameters of the likelihood's interior maximum, or a ValueError saying why not."""
    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(start)
    result = minimize(
        problem.objective,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-10},
    )
    if not np.all(np.isfinite(result.x)) or not np.isfinite(result.fun):
        raise ValueError(f"{problem.model} fit did not converge: {result.message}")
    _refuse_runaway(problem, result.x)
    return _newton_polish(problem, result.x)


def _refuse_runaway(problem: _Problem, log_params: FloatArray) -> None:
    """An optimum on the box edge is no maximum: the data do not pin that parameter down."""
    for name, value in zip(problem.names, log_params, strict=True):
        if abs(value) > LOG_BOUND - 1.0:
            raise ValueError(
                f"{problem.model} fit did not converge: {name} ran off to {np.exp(value):.3g}; "
                "the data do not identify the model"
            )


def _numerical_hessian(problem: _Problem, log_params: FloatArray) -> FloatArray:
    """Central differences of the analytic gradient, symmetrised."""
    size = len(log_params)
    hessian = np.empty((size, size))
    step = 1e-5
    for i in range(size):
        shift = np.zeros(size)
        shift[i] = step
        upper = problem.objective(log_params + shift)[1]
        lower = problem.objective(log_params - shift)[1]
        hessian[i] = (upper - lower) / (2 * step)
    return (hessian + hessian.T) / 2


def _newton_step(problem: _Problem, log_params: FloatArray, gradient: FloatArray) -> FloatArray:
    """The Newton step; refused where the Hessian is not positive definite, because that point
    is a saddle or a flat ridge, not a maximum."""
    try:
        factor = np.linalg.cholesky(_numerical_hessian(problem, log_params))
    except np.linalg.LinAlgError:
        raise ValueError(
            f"{problem.model} fit did not converge: the likelihood is flat or curved the wrong "
            "way where the optimiser stopped, so that point is no maximum"
        ) from None
    return -np.linalg.solve(factor.T, np.linalg.solve(factor, gradient))


def _newton_polish(problem: _Problem, log_params: FloatArray) -> FloatArray:
    """Newton steps from near the optimum, halved while they would lower the likelihood.

    Once a step is below NEWTON_FINAL_STEP the likelihood is too flat for its value to judge
    the step (the change is below rounding), while the quadratic model is then exact to far
    more digits than any estimate needs: that last step is taken whole.
    """
    value, gradient = problem.objective(log_params)
    for _ in range(NEWTON_MAX_STEPS):
        step = _newton_step(problem, log_params, gradient)
        if np.max(np.abs(step)) < NEWTON_FINAL_STEP:
            return log_params + step
        for _ in range(30):
            trial_value, trial_gradient = problem.objective(log_params + step)
            if trial_value <= value:
                break
            step = step / 2
        else:
            break
        log_params, value, gradient = log_params + step, trial_value, trial_gradient
    raise ValueError(
        f"{problem.model} fit did not converge: Newton steps did not settle "
        f"(largest gradient {np.max(np.abs(gradient)):.2g})"
    )
