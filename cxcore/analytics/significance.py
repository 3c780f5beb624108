"""Is this change real? Significance of a KPI's change between two periods.

A card showing "+4 points" invites a decision, so it should also say whether
chance alone could easily have produced those four points. The tests here
answer only rise, fall or no significant change at 95% (two-sided); whether a
rise is good news is the KPI registry's call, not ours.

Shares are worked out from the integer counts as Fractions and turned into
floats only for the square root, so "no change at all" (identical shares,
zero variance) is recognised exactly instead of as a float that happens to be
1e-17, and the zero-variance corner never divides by zero.

Below `MIN_OBSERVATIONS` on either side no test is run: the normal
approximation behind both tests is poor there, and a "significant" badge on a
dozen answers does more harm than no badge.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, fields
from enum import StrEnum
from fractions import Fraction
from statistics import NormalDist

MIN_OBSERVATIONS = 30
CONFIDENCE = 0.95
# The two-sided critical value, 1.959963984540054...; also the interval's multiplier, so the
# badge and the margin of error mean the same "95%".
Z_95 = NormalDist().inv_cdf(1 - (1 - CONFIDENCE) / 2)
# Sauro & Lewis's adjusted-Wald interval adds this many pseudo-responses: 3/4 promoter,
# 3/4 detractor and (implicitly) 3/2 passive.
_ADJUSTED_RESPONSES = 3
_ADJUSTED_EACH_END = Fraction(3, 4)


class VerdictKind(StrEnum):
    RISE = "rise"
    FALL = "fall"
    NO_CHANGE = "no significant change"
    TOO_FEW = "too few"


@dataclass(frozen=True)
class Verdict:
    """What a card may say about a change: `words` is the short phrase to show.

    `z` and `p_value` are None when there were too few observations to test.
    """

    kind: VerdictKind
    z: float | None
    p_value: float | None
    words: str

    @property
    def is_significant(self) -> bool:
        return self.kind in (VerdictKind.RISE, VerdictKind.FALL)


def _as_counts(instance: NpsCounts | RateCounts) -> None:
    """Store every field as a plain int, refusing floats such as 12.0 that hide a bad query."""
    for field in fields(instance):
        value = operator.index(getattr(instance, field.name))
        if value < 0:
            raise ValueError(f"{field.name} must not be negative, got {value}")
        object.__setattr__(instance, field.name, value)


@dataclass(frozen=True)
class NpsCounts:
    """The answers behind one period's NPS; passives are the responses that are neither."""

    promoters: int
    detractors: int
    responses: int

    def __post_init__(self) -> None:
        _as_counts(self)
        if self.promoters + self.detractors > self.responses:
            raise ValueError(
                f"{self.promoters} promoters and {self.detractors} detractors "
                f"exceed {self.responses} responses"
            )


@dataclass(frozen=True)
class RateCounts:
    """A rate as its two counts, e.g. churned customers out of customers at the start."""

    numerator: int
    denominator: int

    def __post_init__(self) -> None:
        _as_counts(self)
        if self.numerator > self.denominator:
            raise ValueError(f"numerator {self.numerator} exceeds denominator {self.denominator}")


@dataclass(frozen=True)
class NpsInterval:
    """An adjusted-Wald 95% interval on the NPS scale (-100..100).

    `centre` is the adjusted NPS the interval is built around, not the observed
    NPS; `low` and `high` are clipped to the scale, `margin` is not.
    """

    centre: float
    low: float
    high: float
    margin: float


def nps_change(current: NpsCounts, previous: NpsCounts) -> Verdict:
    """Whether NPS moved from `previous` to `current` by more than chance would.

    Each answer scores +1, 0 or -1, so the NPS (as a fraction) is a mean whose
    per-answer variance is p + d - (p - d)^2; the two periods are compared
    with a two-sample z-test on those means.
    """
    too_few = _too_few("responses", current.responses, previous.responses)
    if too_few:
        return too_few
    difference = _nps(current) - _nps(previous)
    variance = _nps_variance(current) / current.responses
    variance += _nps_variance(previous) / previous.responses
    return _judge(difference, variance)


def rate_change(current: RateCounts, previous: RateCounts) -> Verdict:
    """Whether a rate moved by more than chance would: the pooled two-proportion z-test.

    Pooling is right under the null hypothesis being tested (one common rate),
    and it keeps the test defined when one period's rate is 0 or 1.
    """
    too_few = _too_few("observations", current.denominator, previous.denominator)
    if too_few:
        return too_few
    difference = _rate(current) - _rate(previous)
    pooled = Fraction(
        current.numerator + previous.numerator, current.denominator + previous.denominator
    )
    variance = (
        pooled
        * (1 - pooled)
        * (Fraction(1, current.denominator) + Fraction(1, previous.denominator))
    )
    return _judge(difference, variance)


def nps_interval(counts: NpsCounts) -> NpsInterval:
    """The margin of error to show beside an NPS, sound even for a handful of answers.

    The plain Wald interval collapses to zero width when every answer agrees;
    adding 3 pseudo-responses (3/4 promoter, 3/4 detractor) keeps it honest
    (Sauro & Lewis, "Quantifying the User Experience").
    """
    responses = counts.responses + _ADJUSTED_RESPONSES
    promoters = (counts.promoters + _ADJUSTED_EACH_END) / responses
    detractors = (counts.detractors + _ADJUSTED_EACH_END) / responses
    centre = promoters - detractors
    variance = promoters + detractors - centre**2
    margin = 100 * Z_95 * math.sqrt(variance / responses)
    centre_points = 100 * float(centre)
    return NpsInterval(
        centre=centre_points,
        low=max(-100.0, centre_points - margin),
        high=min(100.0, centre_points + margin),
        margin=margin,
    )


def _nps(counts: NpsCounts) -> Fraction:
    return Fraction(counts.promoters - counts.detractors, counts.responses)


def _rate(counts: RateCounts) -> Fraction:
    return Fraction(counts.numerator, counts.denominator)


def _nps_variance(counts: NpsCounts) -> Fraction:
    """The variance of one answer's score (+1, 0, -1): E[score^2] - E[score]^2."""
    promoters = Fraction(counts.promoters, counts.responses)
    detractors = Fraction(counts.detractors, counts.responses)
    return promoters + detractors - (promoters - detractors) ** 2


def _too_few(noun: str, current: int, previous: int) -> Verdict | None:
    smaller = min(current, previous)
    if smaller >= MIN_OBSERVATIONS:
        return None
    return Verdict(VerdictKind.TOO_FEW, None, None, f"too few {noun} (n = {smaller})")


def _judge(difference: Fraction, variance: Fraction) -> Verdict:
    """The verdict on a difference whose sampling variance is `variance`."""
    if variance == 0:
        if difference == 0:
            return Verdict(VerdictKind.NO_CHANGE, 0.0, 1.0, "no change")
        # Every answer alike on both sides, yet the sides differ: no chance could do that.
        z = math.copysign(math.inf, difference)
    else:
        z = float(difference) / math.sqrt(variance)
    p_value = math.erfc(abs(z) / math.sqrt(2))
    if abs(z) <= Z_95:
        return Verdict(VerdictKind.NO_CHANGE, z, p_value, "no significant change")
    kind = VerdictKind.RISE if z > 0 else VerdictKind.FALL
    return Verdict(kind, z, p_value, f"significant {kind} ({CONFIDENCE:.0%})")
