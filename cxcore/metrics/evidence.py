"""Which counts back a KPI: what a significance test of its change reads.

A KPI that is a share (retention, conversion) or an NPS is an estimate from a
sample of customers, sessions or answers; whether its change is more than
chance depends on the counts behind it. Each such KPI declares them here, in
the registry's terms (measure names), next to its formula; the test itself
lives in `cxcore.analytics.significance`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cxcore.metrics.measures import Measures


class EvidenceKind(StrEnum):
    NPS = "nps"  # counts: promoters, detractors, responses
    RATE = "rate"  # counts: numerator, denominator


@dataclass(frozen=True)
class Evidence:
    """The counts behind a KPI's value, so a change between two slots can be tested for chance.

    Declared beside the KPI's formula, from the same measures, so "which counts back
    which KPI" is said once. `complement` marks a KPI that is 1 - numerator/denominator
    (churn): the counts are then the denominator minus the numerator, and the denominator.
    """

    kind: EvidenceKind
    measures: tuple[str, ...]
    complement: bool = False

    def counts(self, m: Measures) -> tuple[int, ...] | None:
        """The whole-number counts of one slot; None when a measure is missing or not whole."""
        values = [m.get(name) for name in self.measures]
        if any(v is None or float(v) != int(v) or v < 0 for v in values):
            return None
        counts = [int(v) for v in values]  # type: ignore[arg-type]
        if self.complement:
            counts[0] = counts[1] - counts[0]
        return tuple(counts)


def nps_evidence() -> Evidence:
    return Evidence(EvidenceKind.NPS, ("promoters", "detractors", "responses"))


def rate_evidence(numerator: str, denominator: str, complement: bool = False) -> Evidence:
    return Evidence(EvidenceKind.RATE, (numerator, denominator), complement)
