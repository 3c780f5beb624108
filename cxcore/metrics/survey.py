"""SQL for the voice of the customer: survey answers one by one, counted per journey, and
what the answering customers bought next.

The analyses built on surveys (key drivers, journeys, the value of experience)
need answers as rows or counted per member, and the revenue of the customers
who gave them. This module gathers exactly that. Nothing is computed here but
counts and sums: correlations, tests and weights belong to `cxcore.analytics`.

Answers are chosen like every other row: by day and by the customer dimensions
their fact rows carry, and, for answers only, by their own `journey` and
`touchpoint`. Every value is a bound parameter, so members never change the SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlglot import exp

from cxcore.data.dataset import DAY, fact_relation
from cxcore.metrics.measures import ADDITIVE
from cxcore.metrics.periods import Period
from cxcore.metrics.query import Selection
from cxcore.sqlkit import alias, and_all, column, fragment, param, table

ANSWERS = fact_relation("nps_responses")
ORDERS = fact_relation("orders")
# Columns of an answer (not of its customer) that choose answers beside the dimensions.
ANSWER_ATTRIBUTES = ("journey", "touchpoint")
UNKNOWN_MEMBER = "Unknown"
SHAPES = 256
PROMOTER, PASSIVE, DETRACTOR = "promoter", "passive", "detractor"
CLASSES = (PROMOTER, PASSIVE, DETRACTOR)


@dataclass(frozen=True)
class Query:
    """One query, its bound values, and the key of its SQL text (values never change it)."""

    sql: exp.Expr
    params: dict[str, Any]
    shape: tuple[Any, ...]


@dataclass(frozen=True)
class Scope:
    """Which answers count: the customer dimensions' filters and the answers' own attributes."""

    selection: Selection = field(default_factory=Selection)
    attributes: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def shape(self) -> Scope:
        """The same scope without its members: all the SQL text depends on."""
        return Scope(self.selection.shape, tuple((name, ()) for name, _ in self.attributes))

    def conditions(self, owner: str) -> list[exp.Expr]:
        found, _ = self.selection.conditions(owner)
        for index, (name, _members) in enumerate(self.attributes):
            found.append(
                exp.ArrayContains(
                    this=param(_attribute_param(index)), expression=column(name, owner)
                )
            )
        return found

    def params(self) -> dict[str, Any]:
        values = self.selection.params()
        for index, (_name, members) in enumerate(self.attributes):
            values[_attribute_param(index)] = list(members)
        return values


def _attribute_param(index: int) -> str:
    return f"answer_filter_{index}"


def _between(day: exp.Expr, prefix: str) -> exp.Expr:
    return exp.Between(this=day, low=param(f"{prefix}_start"), high=param(f"{prefix}_end"))


def _period_params(prefix: str, period: Period) -> dict[str, Any]:
    return {f"{prefix}_start": period.start, f"{prefix}_end": period.end}


def answer_class() -> exp.Expr:
    """'promoter', 'passive' or 'detractor', by the same score bands as the NPS measures."""
    bands = {m.name: m.where for m in ADDITIVE if m.table == "nps_responses" and m.where}
    return fragment(
        f"CASE WHEN {bands['promoters']} THEN :p WHEN {bands['detractors']} THEN :d ELSE :n END",
        p=exp.Literal.string(PROMOTER),
        d=exp.Literal.string(DETRACTOR),
        n=exp.Literal.string(PASSIVE),
    )


def _answers_in(prefix: str, scope: Scope) -> list[exp.Expr]:
    return [_between(column(DAY, "f"), prefix), *scope.conditions("f")]


# -- answers one by one: key drivers ------------------------------------------------


def ratings_query(period: Period, scope: Scope, drivers: tuple[str, ...]) -> Query:
    """Each answer of the period: its score, then its rating of every driver (null: not asked)."""
    shape = ("ratings", scope.shape, drivers)
    return Query(
        _ratings_sql(scope.shape, drivers),
        _period_params("p", period) | scope.params(),
        shape,
    )


@lru_cache(maxsize=SHAPES)
def _ratings_sql(scope: Scope, drivers: tuple[str, ...]) -> exp.Expr:
    as_double = [exp.cast(column(c, "f"), "DOUBLE") for c in ("score", *drivers)]
    return (
        exp.select(*as_double)
        .from_(table(ANSWERS).as_("f"))
        .where(and_all(_answers_in("p", scope)))
        .order_by(column("response_id", "f"))  # one order on every path: the same sums
    )


# -- answers counted per member: journeys and touchpoints -----------------------------


def member_counts_query(attribute: str, current: Period, compared: Period, scope: Scope) -> Query:
    """Per member of `attribute`: responses, promoters and detractors in P, then in Q."""
    shape = ("member_counts", attribute, scope.shape)
    params = _period_params("p", current) | _period_params("q", compared) | scope.params()
    params |= {"first_day": min(current.start, compared.start)}
    params |= {"last_day": max(current.end, compared.end)}
    return Query(_member_counts_sql(attribute, scope.shape), params, shape)


@lru_cache(maxsize=SHAPES)
def _member_counts_sql(attribute: str, scope: Scope) -> exp.Expr:
    day = column(DAY, "f")
    member = exp.Coalesce(
        this=column(attribute, "f"), expressions=[exp.Literal.string(UNKNOWN_MEMBER)]
    )
    counts: list[exp.Expr] = []
    for prefix in ("p", "q"):
        inside = _between(day, prefix)
        cls = answer_class()
        counts += [
            alias(fragment("COUNT(*) FILTER(WHERE :w)", w=inside), f"{prefix}_responses"),
            alias(
                fragment(
                    "COUNT(*) FILTER(WHERE :w AND :c = :k)", w=inside, c=cls, k=_lit(PROMOTER)
                ),
                f"{prefix}_promoters",
            ),
            alias(
                fragment(
                    "COUNT(*) FILTER(WHERE :w AND :c = :k)", w=inside, c=cls, k=_lit(DETRACTOR)
                ),
                f"{prefix}_detractors",
            ),
        ]
    conditions = [
        exp.Between(this=day, low=param("first_day"), high=param("last_day")),
        *scope.conditions("f"),
    ]
    return (
        exp.select(alias(member, "member"), *counts)
        .from_(table(ANSWERS).as_("f"))
        .where(and_all(conditions))
        .group_by(exp.Literal.number(1))
    )


def _lit(text: str) -> exp.Literal:
    return exp.Literal.string(text)


# -- the answering customers and what they bought next --------------------------------


def _spent(prefix: str, answered_in: str) -> exp.Select:
    """Order count and revenue in the window `prefix` of each customer who answered in
    `answered_in` and ordered: only those are summed, a few percent of a quarter's orders."""
    answered = (
        exp.select(column("customer_id"))
        .from_(table(ANSWERS))
        .where(_between(column(DAY), answered_in))
    )
    return (
        exp.select(
            column("customer_id"),
            alias(fragment("COUNT(*)"), "orders"),
            alias(fragment("SUM(amount)"), "revenue"),
        )
        .from_(table(ORDERS))
        .where(
            and_all(
                [
                    _between(column(DAY), prefix),
                    exp.In(this=column("customer_id"), query=answered.subquery()),
                ]
            )
        )
        .group_by(column("customer_id"))
    )


def _answered_in_q(scope: Scope, *columns: exp.Expr) -> exp.Select:
    """`columns` of each answer `f` of Q in `scope` whose customer is known.

    Only a known customer can be followed to what they bought in P, so every
    question about buying next starts from these answers, chosen one way.
    """
    return (
        exp.select(*columns)
        .from_(table(ANSWERS).as_("f"))
        .where(and_all([*_answers_in("q", scope), fragment("f.customer_id IS NOT NULL")]))
    )


def _beside_spend_in_p(answered: exp.Select, *columns: exp.Expr) -> exp.Select:
    """`columns` of the answers `a` (from `_answered_in_q`) beside their customer's
    spend `s` in P, left-joined: a customer who did not order has a null `s`."""
    return (
        exp.select(*columns)
        .from_(answered.subquery("a"))
        .join(
            _spent("p", answered_in="q").subquery("s"),
            on=fragment("a.customer_id = s.customer_id"),
            join_type="left",
        )
    )


def outcomes_query(
    compared: Period, current: Period, scope: Scope, attributes: tuple[str, ...]
) -> Query:
    """Each answer of Q with a customer: its `attributes` (those of ANSWER_ATTRIBUTES the
    answers have), its class, and the customer's P.

    One row per answer, in `response_id` order: whether its customer ordered in P, and
    their revenue in P (an exact decimal).
    """
    shape = ("outcomes", scope.shape, attributes)
    params = _period_params("q", compared) | _period_params("p", current) | scope.params()
    return Query(_outcomes_sql(scope.shape, attributes), params, shape)


@lru_cache(maxsize=SHAPES)
def _outcomes_sql(scope: Scope, attributes: tuple[str, ...]) -> exp.Expr:
    unknown = _lit(UNKNOWN_MEMBER)
    answered = _answered_in_q(
        scope,
        column("customer_id", "f"),
        column("response_id", "f"),
        *(alias(exp.Coalesce(this=column(a, "f"), expressions=[unknown]), a) for a in attributes),
        alias(answer_class(), "class"),
    )
    return _beside_spend_in_p(
        answered,
        *(column(a, "a") for a in attributes),
        column("class", "a"),
        alias(fragment("s.customer_id IS NOT NULL"), "bought"),
        alias(fragment("COALESCE(s.revenue, 0)"), "revenue"),
    ).order_by(column("response_id", "a"))  # one order on every path: the same sums


def value_groups_query(compared: Period, current: Period, scope: Scope) -> Query:
    """Customers by the class of their latest answer in Q; how many bought in P, for how much.

    Latest by day, then by `response_id`: as a number when it is a whole number
    (so 10 follows 9), else as text, whole numbers first.
    """
    shape = ("value_groups", scope.shape)
    params = _period_params("q", compared) | _period_params("p", current) | scope.params()
    return Query(_value_groups_sql(scope.shape), params, shape)


@lru_cache(maxsize=SHAPES)
def _value_groups_sql(scope: Scope) -> exp.Expr:
    latest_first = fragment(
        "ROW_NUMBER() OVER (PARTITION BY f.customer_id ORDER BY f.response_date DESC,"
        " CASE WHEN REGEXP_MATCHES(f.response_id, '^[0-9]{1,38}$')"
        " THEN CAST(f.response_id AS DECIMAL(38, 0)) END DESC NULLS LAST,"
        " f.response_id DESC)"
    )
    ranked = _answered_in_q(
        scope,
        column("customer_id", "f"),
        alias(answer_class(), "class"),
        alias(latest_first, "rank"),
    )
    return (
        _beside_spend_in_p(
            ranked,
            column("class", "a"),
            alias(fragment("COUNT(*)"), "customers"),
            alias(fragment("COUNT(s.customer_id)"), "bought"),
            alias(fragment("COALESCE(SUM(s.revenue), 0)"), "revenue"),
        )
        .where(fragment("a.rank = 1"))
        .group_by(column("class", "a"))
    )
