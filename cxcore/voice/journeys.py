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
from collections import defaultdict
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from cxcore.analytics.relative_weights import pearson
from cxcore.analytics.significance import MIN_OBSERVATIONS, NpsCounts, nps_change, nps_interval
from cxcore.data.dataset import member_order
from cxcore.metrics.engine import Engine
from cxcore.metrics.periods import Windows
from cxcore.metrics.registry import ratio
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
    present = [a for a in ANSWER_ATTRIBUTES if has_survey(engine) and a in survey_columns(engine)]
    outcomes = fetch(engine, outcomes_query(windows.compared, windows.current, scope))
    for index, attribute in enumerate(ANSWER_ATTRIBUTES):
        if attribute not in present:
            result[attribute] = None
            continue
        counts = _member_counts(engine, attribute, windows, scope)
        answers = [(row[index], row[2], bool(row[3]), Fraction(row[4])) for row in outcomes]
        result[attribute] = _attribute(counts, answers)
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
    responses, promoters, detractors = counts
    share = ratio(promoters - detractors, responses)
    return None if share is None else 100 * share


def _attribute(
    counts: Mapping[str, tuple[Counts, Counts]],
    answers: Sequence[tuple[str, str, bool, Fraction]],
) -> dict[str, Any]:
    by_member: dict[str, list[tuple[str, bool, Fraction]]] = defaultdict(list)
    for member, cls, bought, revenue in answers:
        by_member[member].append((cls, bought, revenue))
    members = sorted(set(counts) | set(by_member), key=member_order)
    listed = [
        _member(name, *counts.get(name, ((0, 0, 0), (0, 0, 0))), by_member.get(name, []))
        for name in members
    ]
    before = {name: nps_of(counts[name][1]) if name in counts else None for name in members}
    known = [(before[m], bought, revenue) for m, _c, bought, revenue in answers]
    x = np.array([np.nan if b is None else b for b, _, _ in known], dtype=float)
    retained = np.array([float(bought) for _, bought, _ in known])
    revenue = np.array([float(r) for _, _, r in known], dtype=float)
    return {
        "members": listed,
        "prediction": {
            "answers": len(known),
            "retention": pearson(x, retained) if known else None,
            "revenue": pearson(x, revenue) if known else None,
        },
    }


def _member(
    name: str, now: Counts, before: Counts, answers: Sequence[tuple[str, bool, Fraction]]
) -> dict[str, Any]:
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


def next_period(answers: Sequence[tuple[str, bool, Fraction]]) -> dict[str, Any]:
    """What the customers behind Q's answers did in P, per answer."""

    def retention(rows: Sequence[tuple[str, bool, Fraction]]) -> float | None:
        return ratio(sum(1 for _, bought, _ in rows if bought), len(rows))

    promoters = [a for a in answers if a[0] == PROMOTER]
    detractors = [a for a in answers if a[0] == DETRACTOR]
    promoter, detractor = retention(promoters), retention(detractors)
    return {
        "answers": len(answers),
        "retention_rate": retention(answers),
        "revenue_per_customer": _mean(sum((r for _, _, r in answers), Fraction(0)), len(answers)),
        "promoter_retention": promoter,
        "detractor_retention": detractor,
        "retention_spread": None if promoter is None or detractor is None else promoter - detractor,
    }


def fix_first(members: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The member with the lowest NPS in P among those with enough answers to judge."""
    judged = [m for m in members if m["nps"] is not None and m["responses"] >= MIN_OBSERVATIONS]
    return min(judged, key=lambda m: m["nps"]) if judged else None


def _mean(total: Fraction, count: int) -> float | None:
    """An exact sum over a count, as a float: the same on every path and in any order."""
    return float(total / count) if count else None
