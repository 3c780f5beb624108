"""Journeys and touchpoints: NPS and its change per member, and what it says about next period.

For each journey (and, side by side, each touchpoint): responses and NPS in P
and Q, the change and whether it is more than chance. Then, for the answers of
Q with a customer, what those customers did in P: retention (ordered in P),
revenue in P, and the spread between promoters' and detractors' retention.
`prediction` is how well the member's NPS in Q foretells its answering
customers' P: the Pearson correlation, over those answers, of the NPS of the
answer's member with the customer's retention (and revenue). Whether journeys
foretell more than touchpoints is then plain to read: compare the two.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import MAX_PREC, Decimal, localcontext
from fractions import Fraction
from functools import cached_property
from itertools import compress
from typing import Any

import numpy as np
import numpy.typing as npt

from cxcore.analytics.relative_weights import pearson
from cxcore.analytics.significance import MIN_OBSERVATIONS, NpsCounts, nps_change, nps_interval
from cxcore.data.dataset import member_order
from cxcore.metrics.engine import Engine
from cxcore.metrics.kpi import ratio
from cxcore.metrics.periods import Windows
from cxcore.metrics.registry import KPI_BY_NAME
from cxcore.metrics.survey import (
    ANSWER_ATTRIBUTES,
    DETRACTOR,
    PROMOTER,
    Scope,
    member_counts_query,
    outcomes_query,
)
from cxcore.voice.changes import verdict_dict
from cxcore.voice.scope import fetch, has_survey, survey_columns, survey_scope

Counts = tuple[int, int, int]  # responses, promoters, detractors
# Text columns are object arrays: numpy's fixed-width strings would drop trailing NULs.
Texts = npt.NDArray[np.object_]


@dataclass(frozen=True)
class Outcomes:
    """Q's answers with a customer, column by column, and what each customer did in P.

    Columns rather than one object per answer: a quarter at a large company has
    tens of thousands of answers, and per-answer objects cost more than the query.
    """

    classes: Texts
    bought: npt.NDArray[np.bool_]
    revenue: tuple[Decimal, ...]  # exact, as the engine summed it

    @classmethod
    def from_columns(
        cls, classes: Sequence[str], bought: Sequence[Any], revenue: Sequence[Any]
    ) -> Outcomes:
        return cls(
            np.array(classes, dtype=object),
            np.array(bought, dtype=np.bool_),
            tuple(v if isinstance(v, Decimal) else Decimal(v) for v in revenue),
        )

    def __len__(self) -> int:
        return len(self.bought)

    def where(self, chosen: npt.NDArray[np.bool_]) -> Outcomes:
        return Outcomes(
            self.classes[chosen], self.bought[chosen], tuple(compress(self.revenue, chosen))
        )

    @cached_property
    def revenue_as_float(self) -> npt.NDArray[np.float64]:
        """Converted once per set of answers, however many attributes correlate with it."""
        return np.array(self.revenue, dtype=np.float64)


def journeys(
    engine: Engine,
    start: str | dt.date,
    end: str | dt.date,
    compare: str = "previous",
    filters: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """Per journey and per touchpoint: NPS now and before, and next-period outcomes."""
    windows = engine.windows(start, end, compare)
    scope = survey_scope(engine, filters)
    result: dict[str, Any] = {
        "period": windows.current.as_dict(),
        "comparison": {"mode": str(windows.mode), **windows.compared.as_dict()},
    }
    present = tuple(
        a for a in ANSWER_ATTRIBUTES if has_survey(engine) and a in survey_columns(engine)
    )
    result |= dict.fromkeys(ANSWER_ATTRIBUTES)  # None: the answers have no such column
    if not present:
        return result
    rows = fetch(engine, outcomes_query(windows.compared, windows.current, scope, present))
    columns = list(zip(*rows, strict=True)) or [()] * (len(present) + 3)
    answers = Outcomes.from_columns(*columns[len(present) :])
    for index, attribute in enumerate(present):
        counts = _member_counts(engine, attribute, windows, scope)
        result[attribute] = _attribute(counts, columns[index], answers)
    return result


def _member_counts(
    engine: Engine, attribute: str, windows: Windows, scope: Scope
) -> dict[str, tuple[Counts, Counts]]:
    query = member_counts_query(attribute, windows.current, windows.compared, scope)
    return {
        row[0]: ((int(row[1]), int(row[2]), int(row[3])), (int(row[4]), int(row[5]), int(row[6])))
        for row in fetch(engine, query)
    }


def nps_of(counts: Counts) -> float | None:
    """A group's NPS by the registry's one definition."""
    responses, promoters, detractors = counts
    measures = {"responses": responses, "promoters": promoters, "detractors": detractors}
    value = KPI_BY_NAME["nps"].formula(measures)
    return None if value is None else float(value)


def _attribute(
    counts: Mapping[str, tuple[Counts, Counts]],
    members_of_answers: Sequence[str],
    answers: Outcomes,
) -> dict[str, Any]:
    members = sorted(set(counts) | set(members_of_answers), key=member_order)
    place = {name: index for index, name in enumerate(members)}
    # Each answer's member as its place in `members`: integer comparisons, not text.
    codes = np.fromiter(
        (place[m] for m in members_of_answers), dtype=np.intp, count=len(members_of_answers)
    )
    listed = [
        _member(name, *counts.get(name, ((0, 0, 0), (0, 0, 0))), answers.where(codes == index))
        for index, name in enumerate(members)
    ]
    before = np.array(
        [_or_nan(nps_of(counts[name][1]) if name in counts else None) for name in members],
        dtype=np.float64,
    )
    x = before[codes]  # each answer's member NPS before
    return {
        "members": listed,
        "prediction": {
            "answers": len(answers),
            "retention": pearson(x, answers.bought.astype(float)) if len(answers) else None,
            "revenue": pearson(x, answers.revenue_as_float) if len(answers) else None,
        },
    }


def _or_nan(value: float | None) -> float:
    return np.nan if value is None else value


def _member(name: str, now: Counts, before: Counts, answers: Outcomes) -> dict[str, Any]:
    verdict = None
    if min(now[0], before[0]) >= 0 and now[0] and before[0]:
        judged = nps_change(_nps_counts(now), _nps_counts(before))
        verdict = verdict_dict(judged)
    current, previous = nps_of(now), nps_of(before)
    return {
        "member": name,
        "responses": now[0],
        "nps": current,
        "margin": nps_interval(_nps_counts(now)).margin if now[0] else None,
        "previous_responses": before[0],
        "previous_nps": previous,
        "change": None if current is None or previous is None else current - previous,
        "significance": verdict,
        "next_period": next_period(answers),
    }


def _nps_counts(counts: Counts) -> NpsCounts:
    responses, promoters, detractors = counts
    return NpsCounts(promoters, detractors, responses)


def next_period(answers: Outcomes) -> dict[str, Any]:
    """What the customers behind Q's answers did in P, per answer."""

    def retention(chosen: npt.NDArray[np.bool_]) -> float | None:
        return ratio(int(np.count_nonzero(answers.bought & chosen)), int(np.count_nonzero(chosen)))

    everyone = np.ones(len(answers), dtype=np.bool_)
    promoter = retention(answers.classes == PROMOTER)
    detractor = retention(answers.classes == DETRACTOR)
    return {
        "answers": len(answers),
        "retention_rate": retention(everyone),
        "revenue_per_customer": _mean(_exact_sum(answers.revenue), len(answers)),
        "promoter_retention": promoter,
        "detractor_retention": detractor,
        "retention_spread": None if promoter is None or detractor is None else promoter - detractor,
    }


def _exact_sum(values: Iterable[Decimal]) -> Decimal:
    """Decimals added with room for every digit: no rounding, and far cheaper than Fractions."""
    with localcontext(prec=MAX_PREC):
        return sum(values, Decimal(0))


def fix_first(members: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The member with the lowest NPS in P among those with enough answers to judge."""
    judged = [m for m in members if m["nps"] is not None and m["responses"] >= MIN_OBSERVATIONS]
    return min(judged, key=lambda m: m["nps"]) if judged else None


def _mean(total: Decimal, count: int) -> float | None:
    """An exact sum over a count, as a float: the same on every path and in any order."""
    return float(Fraction(total) / count) if count else None
