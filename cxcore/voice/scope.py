"""Which survey answers an analysis reads: the view's period and filters, checked once.

Customer dimensions filter answers as they filter every row (by the members
their customer carries). An answer's own `journey` and `touchpoint` filter
answers too, where an analysis of answers allows it, unless the data has a
customer dimension of that name, which then wins as it does everywhere else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlglot import exp

from cxcore.data.dataset import fact_relation
from cxcore.data.names import did_you_mean, normalise
from cxcore.metrics.engine import ArgumentError, Engine
from cxcore.metrics.survey import ANSWER_ATTRIBUTES, Query, Scope
from cxcore.sqlkit import column, table

SURVEY = "nps_responses"


def has_survey(engine: Engine) -> bool:
    return engine.dataset.has(SURVEY)


def survey_columns(engine: Engine) -> tuple[str, ...]:
    info = engine.dataset.tables.get(SURVEY)
    return info.columns if info else ()


def survey_scope(
    engine: Engine, filters: Mapping[str, Sequence[str]] | None, answers: bool = False
) -> Scope:
    """The filters as a scope; with `answers`, `journey` and `touchpoint` choose answers too."""
    given = dict(filters or {})
    own: dict[str, list[str]] = {}
    if answers:
        for name in list(given):
            key = normalise(name)
            if key in ANSWER_ATTRIBUTES and key not in engine.dataset.dimensions:
                members = given.pop(name)
                own.setdefault(key, []).extend([members] if isinstance(members, str) else members)
    for key, members in own.items():
        if members and key not in survey_columns(engine):
            raise ArgumentError(f"the survey answers have no {key} column to filter on")
    chosen = engine.check_filters(given)
    attributes = tuple((k, tuple(str(m) for m in v)) for k, v in sorted(own.items()) if v)
    return Scope(engine.selection(chosen, ()), attributes)


def fetch(engine: Engine, query: Query) -> list[tuple[Any, ...]]:
    return engine.executor.fetch(query.sql, query.params, query.shape)


def answer_members(engine: Engine, attribute: str) -> list[str]:
    """The journeys (or touchpoints) the answers name, for checking a filter against."""
    query = (
        exp.select(column(attribute))
        .distinct()
        .from_(table(fact_relation(SURVEY)))
        .where(exp.Not(this=exp.Is(this=column(attribute), expression=exp.Null())))
    )
    rows = engine.executor.fetch(query, {}, ("answer members", attribute))
    return sorted(str(value) for (value,) in rows)


def check_answer_members(engine: Engine, chosen: Mapping[str, Sequence[str]]) -> None:
    """A journey or touchpoint no answer names is a typo, not a view of nothing: said, with
    the nearest one, as an unknown segment is."""
    for attribute, members in chosen.items():
        if not members or attribute not in survey_columns(engine):
            continue  # no column: survey_scope says so
        known = answer_members(engine, attribute)
        for member in members:
            if member not in known:
                raise ArgumentError(
                    f"the answers have no {attribute} {member!r}" + did_you_mean(member, known)
                )
