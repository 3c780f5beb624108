"""Customer lifetime value as the Python contract answers it, and the holdout check behind it.

BG/NBD (purchases) and Gamma-Gamma (spend per purchase) are fitted once by
maximum likelihood on the customers the filters keep; a breakdown only splits
those customers' values by member, it never fits a model per member (small
members would get unstable parameters, and the totals of the members would no
longer come from one model). A fit is the slow part, so `fit` returns it for
callers to keep (the app keeps one per data version, calibration end and
filters) and `summary` turns it into the answer: milliseconds for thousands of customers,
seconds for a million, once per horizon and rate (the fit keeps the values).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cxcore.analytics.clv_fit import fit_bgnbd, fit_gamma_gamma
from cxcore.analytics.clv_inputs import CustomerInputs, customer_inputs
from cxcore.analytics.clv_model import BgNbd, FloatArray, GammaGamma
from cxcore.analytics.clv_value import customer_lifetime_value, expected_purchases
from cxcore.metrics.engine import ArgumentError, Engine
from cxcore.metrics.periods import PeriodError, parse_date

MAX_HORIZON_MONTHS = 120
DEFAULT_HORIZON_MONTHS = 12
DEFAULT_DISCOUNT_MONTHLY = 0.01  # the rate the app shows and the command line defaults to
HORIZONS_SHOWN = (3, 6, 12, 24, 36)  # the app's choices of horizon, in months
# Fits an app keeps at once (each a few tens of MB at a million customers): the economics
# page's bound, and the figure the benchmark multiplies a fit's size by.
FITS_KEPT = 16
# Calibration frequencies shown one by one in the holdout check; the rest are pooled.
FREQUENCY_GROUPS = 7


class ModelError(ValueError):
    """The data cannot support a fit (too few customers or repeat buyers): a data problem."""


@dataclass(frozen=True)
class FittedClv:
    """Both models fitted on one calibration period, with the inputs they were fitted on."""

    calibration_end: dt.date
    filters: Mapping[str, list[str]]
    inputs: CustomerInputs
    purchases: BgNbd
    spend: GammaGamma
    # Lifetime values per (horizon, discount): seconds for a million customers, so a fit
    # kept by the app values its customers once for every breakdown asked of it.
    valued: dict[tuple[int, float], FloatArray] = field(
        default_factory=dict, compare=False, repr=False
    )

    def parameters(self) -> dict[str, float]:
        bg, gg = self.purchases, self.spend
        return {"r": bg.r, "alpha": bg.alpha, "a": bg.a, "b": bg.b, "p": gg.p, "q": gg.q, "v": gg.v}


def fit(
    engine: Engine,
    calibration_end: str | dt.date,
    filters: Mapping[str, Sequence[str]] | None = None,
    holdout_end: str | dt.date | None = None,
) -> FittedClv:
    """Both models, fitted on the orders up to `calibration_end` of the filtered customers."""
    end = _day(calibration_end, "calibration_end")
    until = None if holdout_end is None else _day(holdout_end, "holdout_end")
    if until is not None and until <= end:
        raise ArgumentError(f"holdout_end {until} must come after calibration_end {end}")
    chosen = engine.check_filters(filters or {})
    inputs = customer_inputs(engine, end, chosen, until)
    try:
        purchases = fit_bgnbd(inputs.x, inputs.t_x, inputs.T)
        spend = fit_gamma_gamma(inputs.x, inputs.m)
    except ValueError as err:
        raise ModelError(f"no lifetime value up to {end}: {err}") from None
    return FittedClv(end, chosen, inputs, purchases, spend)


def summary(
    fitted: FittedClv,
    horizon_months: int = DEFAULT_HORIZON_MONTHS,
    discount_monthly: float = DEFAULT_DISCOUNT_MONTHLY,
    by: str | None = None,
) -> dict[str, Any]:
    """The contract's dictionary: parameters, customers, mean and median CLV, and a breakdown."""
    values = lifetime_values(fitted, horizon_months, discount_monthly)
    entries = []
    if by is not None:
        members = fitted.inputs.members[by]
        for member in sorted(members.labels):
            entries.append({by: member, **_spread(values[members.of(member)])})
    return {
        "calibration_end": fitted.calibration_end.isoformat(),
        "horizon_months": horizon_months,
        "discount_monthly": discount_monthly,
        "filters": {"segment": [], "region": [], **dict(fitted.filters)},
        "model": fitted.parameters(),
        **_spread(values),
        "by": entries,
    }


def lifetime_values(fitted: FittedClv, horizon_months: int, discount_monthly: float) -> FloatArray:
    """Each customer's discounted expected spend over the horizon (see clv_value)."""
    if isinstance(horizon_months, bool) or not isinstance(horizon_months, int):
        raise ArgumentError(f"horizon_months must be a whole number, got {horizon_months!r}")
    if not 1 <= horizon_months <= MAX_HORIZON_MONTHS:
        raise ArgumentError(
            f"horizon_months must be 1 to {MAX_HORIZON_MONTHS}, got {horizon_months}"
        )
    if not (isinstance(discount_monthly, int | float) and 0 <= discount_monthly < 1):
        raise ArgumentError(
            f"discount_monthly must be a rate from 0 to 1, got {discount_monthly!r}"
        )
    key = (horizon_months, float(discount_monthly))
    if key not in fitted.valued:
        values = _values(fitted, horizon_months, float(discount_monthly))
        values.flags.writeable = False  # shared by every caller of this fit
        fitted.valued[key] = values
    return fitted.valued[key]


def _values(fitted: FittedClv, horizon_months: int, discount_monthly: float) -> FloatArray:
    inputs = fitted.inputs
    try:  # q <= 1: spend so heterogeneous that one-time buyers have no finite expected spend
        return customer_lifetime_value(
            fitted.purchases,
            fitted.spend,
            inputs.x,
            inputs.t_x,
            inputs.T,
            inputs.m,
            horizon_months,
            discount_monthly,
        )
    except ValueError as err:
        raise ModelError(f"no lifetime value for these customers: {err}") from None


def holdout(fitted: FittedClv, holdout_end: str | dt.date) -> dict[str, Any]:
    """Expected against actual purchase days after the calibration end, for the same customers.

    `fitted` must have been fitted with this `holdout_end` (its inputs count the
    purchase days up to it). Customers are grouped by their calibration
    frequency, as Fader, Hardie and Lee check their model: a model to trust
    follows the actual means in every group, not just in total.
    """
    end = _day(holdout_end, "holdout_end")
    inputs = fitted.inputs
    days = (end - fitted.calibration_end).days
    expected = expected_purchases(fitted.purchases, days, inputs.x, inputs.t_x, inputs.T)
    actual = inputs.holdout_purchases
    groups = np.minimum(inputs.x, FREQUENCY_GROUPS)
    rows = []
    for group in range(FREQUENCY_GROUPS + 1):
        chosen = groups == group
        if chosen.any():
            rows.append(
                {
                    "frequency": f"{group}+" if group == FREQUENCY_GROUPS else str(group),
                    "customers": int(chosen.sum()),
                    "expected": float(expected[chosen].mean()),
                    "actual": float(actual[chosen].mean()),
                }
            )
    return {
        "calibration_end": fitted.calibration_end.isoformat(),
        "holdout_end": end.isoformat(),
        "days": days,
        "customers": len(inputs),
        "expected": float(expected.sum()),
        "actual": float(actual.sum()),
        "by_frequency": rows,
    }


def _spread(values: FloatArray) -> dict[str, Any]:
    if len(values) == 0:
        return {"customers": 0, "mean_clv": None, "median_clv": None}
    return {
        "customers": len(values),
        "mean_clv": float(np.mean(values)),
        "median_clv": float(np.median(values)),
    }


def _day(value: str | dt.date, what: str) -> dt.date:
    try:
        return parse_date(value, what)
    except PeriodError as err:
        raise ArgumentError(str(err)) from None
