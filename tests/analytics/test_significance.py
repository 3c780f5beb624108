"""Significance verdicts, pinned to arithmetic anyone can redo with a calculator.

Each worked example writes out its sums; the property tests then check the
same formulas against independent computations (scored answer arrays in
numpy, scipy's chi-square test of a 2x2 table) on many random counts.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from cxcore.analytics.significance import (
    MIN_OBSERVATIONS,
    Z_95,
    NpsCounts,
    RateCounts,
    Verdict,
    VerdictKind,
    nps_change,
    nps_interval,
    rate_change,
)


def test_the_critical_value_is_the_two_sided_95_percent_normal_quantile() -> None:
    assert abs(Z_95 - 1.959963984540054) < 1e-15


# --- NPS: worked examples -------------------------------------------------------------------

# current 50 P / 20 D of 100: p = .5, d = .2, NPS = .3, var = .7 - .3^2 = .61
# previous 48 P / 36 D of 120: p = .4, d = .3, NPS = .1, var = .7 - .1^2 = .69
# SE^2 = .61/100 + .69/120 = .0061 + .00575 = .01185; z = .2 / sqrt(.01185)
Z_SMALL_RISE = 0.2 / math.sqrt(0.01185)  # 1.8373 < 1.96
# 100 P / 30 D of 200: NPS = .35, var = .65 - .1225 = .5275
# 70 P / 50 D of 200: NPS = .10, var = .60 - .01 = .59
# SE^2 = (.5275 + .59) / 200 = .0055875; z = .25 / sqrt(.0055875)
Z_BIG_RISE = 0.25 / math.sqrt(0.0055875)  # 3.3445 > 1.96

NPS_EXAMPLES = [
    pytest.param(
        NpsCounts(50, 20, 100),
        NpsCounts(48, 36, 120),
        VerdictKind.NO_CHANGE,
        Z_SMALL_RISE,
        "no significant change",
        id="rise-within-chance",
    ),
    pytest.param(
        NpsCounts(100, 30, 200),
        NpsCounts(70, 50, 200),
        VerdictKind.RISE,
        Z_BIG_RISE,
        "significant rise (95%)",
        id="significant-rise",
    ),
    pytest.param(
        NpsCounts(70, 50, 200),
        NpsCounts(100, 30, 200),
        VerdictKind.FALL,
        -Z_BIG_RISE,
        "significant fall (95%)",
        id="significant-fall",
    ),
    # all promoters (var 0) against 30 P / 10 D of 50: p = .6, d = .2, NPS = .4,
    # var = .8 - .16 = .64; SE^2 = 0 + .64/50 = .0128; z = (1 - .4) / sqrt(.0128)
    pytest.param(
        NpsCounts(40, 0, 40),
        NpsCounts(30, 10, 50),
        VerdictKind.RISE,
        0.6 / math.sqrt(0.0128),
        "significant rise (95%)",
        id="all-promoters-against-mixed",
    ),
    # identical shares, nonzero variance: z = 0 / SE = 0
    pytest.param(
        NpsCounts(15, 5, 50),
        NpsCounts(30, 10, 100),
        VerdictKind.NO_CHANGE,
        0.0,
        "no significant change",
        id="identical-shares",
    ),
]


@pytest.mark.parametrize(("current", "previous", "kind", "z", "words"), NPS_EXAMPLES)
def test_nps_change_worked_examples(
    current: NpsCounts, previous: NpsCounts, kind: VerdictKind, z: float, words: str
) -> None:
    verdict = nps_change(current, previous)
    assert verdict.kind is kind
    assert verdict.z == pytest.approx(z, rel=1e-12, abs=1e-15)
    assert verdict.p_value == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), rel=1e-12)
    assert verdict.words == words
    assert verdict.is_significant == (kind in (VerdictKind.RISE, VerdictKind.FALL))


@pytest.mark.parametrize(
    ("current", "previous"),
    [
        (NpsCounts(30, 0, 30), NpsCounts(45, 0, 45)),  # all promoters, both sides
        (NpsCounts(0, 30, 30), NpsCounts(0, 31, 31)),  # all detractors
        (NpsCounts(0, 0, 30), NpsCounts(0, 0, 300)),  # all passives
    ],
)
def test_unanimous_and_equal_periods_are_no_change_not_a_division_error(
    current: NpsCounts, previous: NpsCounts
) -> None:
    assert nps_change(current, previous) == Verdict(VerdictKind.NO_CHANGE, 0.0, 1.0, "no change")


@pytest.mark.parametrize(
    ("current", "previous", "kind"),
    [
        (NpsCounts(30, 0, 30), NpsCounts(0, 0, 30), VerdictKind.RISE),
        (NpsCounts(0, 30, 30), NpsCounts(30, 0, 30), VerdictKind.FALL),
    ],
)
def test_unanimous_but_different_periods_are_certain_changes(
    current: NpsCounts, previous: NpsCounts, kind: VerdictKind
) -> None:
    verdict = nps_change(current, previous)
    assert verdict.kind is kind
    assert verdict.z is not None and math.isinf(verdict.z)
    assert verdict.p_value == 0.0


# --- the 30-observation threshold -------------------------------------------------------------


def _nps_of(n: int) -> NpsCounts:
    """n responses, all promoters: against the opposite, any testable n is a certain change."""
    return NpsCounts(n, 0, n)


@pytest.mark.parametrize(
    ("n_current", "n_previous", "words"),
    [
        (29, 30, "too few responses (n = 29)"),
        (30, 29, "too few responses (n = 29)"),
        (12, 500, "too few responses (n = 12)"),
        (0, 0, "too few responses (n = 0)"),
        (30, 30, "significant rise (95%)"),
    ],
)
def test_nps_needs_30_responses_on_each_side(n_current: int, n_previous: int, words: str) -> None:
    verdict = nps_change(_nps_of(n_current), NpsCounts(0, n_previous, n_previous))
    assert verdict.words == words
    if n_current < MIN_OBSERVATIONS or n_previous < MIN_OBSERVATIONS:
        assert verdict == Verdict(VerdictKind.TOO_FEW, None, None, words)


@pytest.mark.parametrize(
    ("n_current", "n_previous", "words"),
    [
        (29, 30, "too few observations (n = 29)"),
        (30, 29, "too few observations (n = 29)"),
        (30, 30, "significant rise (95%)"),
    ],
)
def test_rates_need_30_observations_on_each_side(
    n_current: int, n_previous: int, words: str
) -> None:
    verdict = rate_change(RateCounts(n_current, n_current), RateCounts(0, n_previous))
    assert verdict.words == words


# --- NPS: independent check -----------------------------------------------------------------


@st.composite
def nps_counts(draw: st.DrawFn) -> NpsCounts:
    responses = draw(st.integers(MIN_OBSERVATIONS, 400))
    promoters = draw(st.integers(0, responses))
    detractors = draw(st.integers(0, responses - promoters))
    return NpsCounts(promoters, detractors, responses)


def _scores(counts: NpsCounts) -> np.ndarray:
    passives = counts.responses - counts.promoters - counts.detractors
    return np.repeat([1.0, 0.0, -1.0], [counts.promoters, passives, counts.detractors])


@given(nps_counts(), nps_counts())
def test_nps_z_is_the_two_sample_z_of_the_scored_answers(
    current: NpsCounts, previous: NpsCounts
) -> None:
    a, b = _scores(current), _scores(previous)
    standard_error = math.sqrt(a.var() / a.size + b.var() / b.size)
    verdict = nps_change(current, previous)
    assert verdict.z is not None and verdict.p_value is not None
    if standard_error > 1e-12:
        assert verdict.z == pytest.approx((a.mean() - b.mean()) / standard_error, rel=1e-9)
    assert verdict.is_significant == (verdict.p_value < 0.05)


# --- the adjusted-Wald interval ---------------------------------------------------------------

# 10 P / 4 D of 20 -> add 3 responses, 3/4 promoter, 3/4 detractor:
# p' = 10.75/23, d' = 4.75/23, NPS' = 6/23 = .260870
# var = 15.5/23 - (6/23)^2 = .673913 - .068053 = .605860
# margin = 1.959964 * sqrt(.605860 / 23) = .318105 -> 31.81 points
WORKED_CENTRE = 100 * 6 / 23
WORKED_MARGIN = 100 * Z_95 * math.sqrt((15.5 / 23 - (6 / 23) ** 2) / 23)


def test_the_adjusted_wald_interval_worked_by_hand() -> None:
    interval = nps_interval(NpsCounts(10, 4, 20))
    assert round(WORKED_MARGIN, 2) == 31.81
    assert interval.centre == pytest.approx(WORKED_CENTRE, rel=1e-12)
    assert interval.margin == pytest.approx(WORKED_MARGIN, rel=1e-12)
    assert interval.low == pytest.approx(WORKED_CENTRE - WORKED_MARGIN, rel=1e-12)
    assert interval.high == pytest.approx(WORKED_CENTRE + WORKED_MARGIN, rel=1e-12)


# 30 of 30 promoters: p' = 30.75/33, d' = .75/33, NPS' = 30/33 = 90.909
# var = 31.5/33 - (30/33)^2 = .954545 - .826446 = .128099
# margin = 1.959964 * sqrt(.128099 / 33) = .122114 -> the top end 103.1 is clipped to 100
ALL_PROMOTERS_MARGIN = 100 * Z_95 * math.sqrt((31.5 / 33 - (30 / 33) ** 2) / 33)


@pytest.mark.parametrize(
    ("counts", "centre", "low", "high"),
    [
        (NpsCounts(30, 0, 30), 100 * 30 / 33, 100 * 30 / 33 - ALL_PROMOTERS_MARGIN, 100.0),
        (NpsCounts(0, 30, 30), -100 * 30 / 33, -100.0, -100 * 30 / 33 + ALL_PROMOTERS_MARGIN),
    ],
)
def test_unanimous_answers_still_get_a_margin_and_the_interval_stays_on_the_scale(
    counts: NpsCounts, centre: float, low: float, high: float
) -> None:
    interval = nps_interval(counts)
    assert interval.margin == pytest.approx(ALL_PROMOTERS_MARGIN, rel=1e-12)
    assert (interval.centre, interval.low, interval.high) == pytest.approx((centre, low, high))


def test_no_responses_give_the_widest_honest_interval_not_an_error() -> None:
    # p' = d' = .75/3 = .25, NPS' = 0, var = .5; margin = 1.959964 * sqrt(.5/3) = .80015
    interval = nps_interval(NpsCounts(0, 0, 0))
    assert interval.centre == 0.0
    assert interval.margin == pytest.approx(100 * Z_95 * math.sqrt(0.5 / 3), rel=1e-12)


@given(nps_counts())
def test_the_interval_shrinks_as_answers_accumulate(counts: NpsCounts) -> None:
    tenfold = NpsCounts(10 * counts.promoters, 10 * counts.detractors, 10 * counts.responses)
    assert nps_interval(tenfold).margin < nps_interval(counts).margin


# --- rates: the pooled two-proportion z-test ----------------------------------------------------

# 60 of 200 against 45 of 200: pooled = 105/400 = .2625
# SE = sqrt(.2625 * .7375 * (1/200 + 1/200)) = sqrt(.00193594) = .0439993
# z = (.300 - .225) / .0439993 = 1.70457
Z_RATE = 0.075 / math.sqrt(0.2625 * 0.7375 * (1 / 200 + 1 / 200))

RATE_EXAMPLES = [
    (RateCounts(60, 200), RateCounts(45, 200), VerdictKind.NO_CHANGE, Z_RATE),
    (RateCounts(45, 200), RateCounts(60, 200), VerdictKind.NO_CHANGE, -Z_RATE),
    # 90 of 300 against 45 of 300: pooled = .225; SE = sqrt(.225 * .775 * 2/300) = .0341565
    # z = .15 / .0341565 = 4.3915
    (
        RateCounts(90, 300),
        RateCounts(45, 300),
        VerdictKind.RISE,
        0.15 / math.sqrt(0.225 * 0.775 * 2 / 300),
    ),
    (RateCounts(0, 30), RateCounts(0, 80), VerdictKind.NO_CHANGE, 0.0),  # nobody, twice
    (RateCounts(30, 30), RateCounts(80, 80), VerdictKind.NO_CHANGE, 0.0),  # everybody, twice
]


@pytest.mark.parametrize(("current", "previous", "kind", "z"), RATE_EXAMPLES)
def test_rate_change_worked_examples(
    current: RateCounts, previous: RateCounts, kind: VerdictKind, z: float
) -> None:
    verdict = rate_change(current, previous)
    assert verdict.kind is kind
    assert verdict.z == pytest.approx(z, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(
    ("current", "previous", "words"),
    [
        (RateCounts(0, 30), RateCounts(0, 80), "no change"),
        (RateCounts(40, 100), RateCounts(80, 200), "no significant change"),
    ],
)
def test_equal_rates_say_no_change_exactly_when_nothing_varies(
    current: RateCounts, previous: RateCounts, words: str
) -> None:
    assert rate_change(current, previous).words == words


@st.composite
def rate_counts(draw: st.DrawFn) -> RateCounts:
    denominator = draw(st.integers(MIN_OBSERVATIONS, 5000))
    return RateCounts(draw(st.integers(0, denominator)), denominator)


@given(rate_counts(), rate_counts())
def test_rate_change_agrees_with_scipys_chi_square_on_the_2x2_table(
    current: RateCounts, previous: RateCounts
) -> None:
    table = [
        [current.numerator, current.denominator - current.numerator],
        [previous.numerator, previous.denominator - previous.numerator],
    ]
    verdict = rate_change(current, previous)
    assert verdict.z is not None and verdict.p_value is not None
    if current.numerator + previous.numerator in (0, current.denominator + previous.denominator):
        assert verdict.words == "no change"  # a column of zeros: scipy refuses the table
        return
    chi_square, p_value, _, _ = stats.chi2_contingency(table, correction=False)
    assert verdict.z**2 == pytest.approx(chi_square, rel=1e-9, abs=1e-12)
    assert verdict.p_value == pytest.approx(p_value, rel=1e-6, abs=1e-300)
    assert verdict.p_value == pytest.approx(2 * stats.norm.sf(abs(verdict.z)), rel=1e-9)


# --- counts that cannot be ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: NpsCounts(-1, 0, 10), ValueError),
        (lambda: NpsCounts(6, 5, 10), ValueError),
        # Float counts, wrong on purpose: the checker refuses them, and so must the run time.
        (lambda: NpsCounts(1.0, 0, 10), TypeError),  # type: ignore[arg-type]
        (lambda: RateCounts(11, 10), ValueError),
        (lambda: RateCounts(0, -1), ValueError),
        (lambda: RateCounts(3, 10.0), TypeError),  # type: ignore[arg-type]
    ],
)
def test_impossible_counts_are_refused(make: Callable[[], object], error: type[Exception]) -> None:
    with pytest.raises(error):
        make()


def test_numpy_integers_are_accepted_as_counts() -> None:
    # The fields say int; any integer with __index__ is taken and stored as an int.
    counts = NpsCounts(np.int64(10), np.int64(4), np.int64(20))  # type: ignore[arg-type]
    assert type(counts.responses) is int
    assert nps_interval(counts) == nps_interval(NpsCounts(10, 4, 20))
