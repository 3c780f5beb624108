"""Cohorts: customers grouped by the month they started, then followed month by month.

A customer's cohort is the calendar month of their first order ever (basis
`first_order`) or of their `signup_date` (basis `signup`). An order here is
any orders row, whatever its amount, exactly as A(X) counts a customer
active: a customer whose first row is a refund starts in that month, and a
month holding only a refund counts as a month with an order. Revenue is the
sum of amounts, refunds negative, as rev_c(X) is.

For each cohort starting in the months of [start, end] the answer holds its
size and, for every month k = 0, 1, 2, ... up to the last month of the orders
data, the share of the cohort with an order in month k and the cohort's
revenue in month k divided by its size. Months before a customer's cohort
(orders placed before signing up) are not followed.

A published version answers from its `cohorts_orders` rollup (per basis,
cohort, month and members, built by `rollup_build` with `cohort_members`
below); a data folder from its fact rows, through the same definition.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from sqlglot import exp

from cxcore.data.dataset import COHORTS_RELATION, DAY, fact_relation
from cxcore.metrics.backend import plain
from cxcore.metrics.engine import ArgumentError, Engine
from cxcore.metrics.periods import PeriodError, add_months, month_index, period
from cxcore.metrics.query import SHAPES, Selection
from cxcore.sqlkit import alias, aliased, and_all, column, fragment, param, table

COHORT_COLUMNS = ("customers", "revenue")
MONTHS = "customer_months_in_view"
UNITS = ("month",)


class Basis(StrEnum):
    FIRST_ORDER = "first_order"
    SIGNUP = "signup"


def month_of(day: exp.Expr) -> exp.Expr:
    """The first day of the day's calendar month."""
    return fragment("CAST(date_trunc('month', :d) AS DATE)", d=day)


def cohort_members(basis: Basis, months: exp.Expr, customers: exp.Expr | None) -> exp.Select:
    """(customer_id, cohort) for every customer the basis places in a cohort.

    `months` holds each customer's months with orders (`customer_id`, `start`);
    `customers` the customers' fact rows, their day being the signup date. The
    publish step and the fact-row path both place customers through this.
    """
    if basis is Basis.FIRST_ORDER:
        return (
            exp.select(column("customer_id"), alias(fragment("MIN(start)"), "cohort"))
            .from_(aliased(months, "m"))
            .group_by(column("customer_id"))
        )
    if customers is None:
        raise ValueError("the signup basis needs the customers table")
    return exp.select(column("customer_id"), alias(month_of(column(DAY)), "cohort")).from_(
        aliased(customers, "c")
    )


# -- queries -----------------------------------------------------------------------------------
@lru_cache(maxsize=SHAPES)
def cells_sql(basis: Basis, selection: Selection, rolled: bool) -> exp.Expr:
    """(cohort, month, customers with an order, revenue) for cohorts in [$first, $last]."""
    if rolled:
        conditions, _ = selection.conditions("w")
        conditions += [
            fragment("w.basis = :b", b=param("basis")),
            _between(column("cohort", "w"), "first", "last"),
        ]
        return (
            exp.select(
                column("cohort"),
                column("start"),
                *(alias(fragment(f"COALESCE(SUM({c}), 0)"), c) for c in COHORT_COLUMNS),
            )
            .from_(table(COHORTS_RELATION).as_("w"))
            .where(and_all(conditions))
            .group_by(column("cohort"), column("start"))
        )
    customers = _filtered(fact_relation("customers"), selection).subquery("c")
    members = cohort_members(basis, table(MONTHS), customers)
    return (
        exp.select(
            column("cohort", "c"),
            column("start", "m"),
            alias(fragment("COUNT(*)"), "customers"),
            alias(fragment("SUM(m.rev)"), "revenue"),
        )
        .with_(MONTHS, as_=_fact_months(selection))
        .from_(table(MONTHS).as_("m"))
        .join(members.subquery("c"), using=["customer_id"])
        .where(
            exp.and_(
                fragment("m.start >= c.cohort"), _between(column("cohort", "c"), "first", "last")
            )
        )
        .group_by(column("cohort", "c"), column("start", "m"))
    )


@lru_cache(maxsize=SHAPES)
def signup_sizes_sql(selection: Selection) -> exp.Expr:
    """(cohort, customers) by signup month, for months in [$first, $last]."""
    conditions, _ = selection.conditions("f")
    conditions.append(_between(column(DAY, "f"), "first", "last_day"))
    cohort = month_of(column(DAY, "f"))
    return (
        exp.select(alias(cohort, "cohort"), alias(fragment("COUNT(*)"), "customers"))
        .from_(table(fact_relation("customers")).as_("f"))
        .where(and_all(conditions))
        .group_by(cohort.copy())
    )


def _between(value: exp.Expr, low: str, high: str) -> exp.Expr:
    return exp.Between(this=value, low=param(low), high=param(high))


def _filtered(relation: str, selection: Selection) -> exp.Select:
    conditions, _ = selection.conditions("f")
    return exp.select("*").from_(table(relation).as_("f")).where(and_all(conditions))


def _fact_months(selection: Selection) -> exp.Select:
    """Each customer's revenue per month with orders, from the fact rows in the view."""
    start = month_of(column(DAY))
    return (
        exp.select(
            column("customer_id"), alias(start, "start"), alias(fragment("SUM(amount)"), "rev")
        )
        .from_(_filtered(fact_relation("orders"), selection).subquery("o"))
        .group_by(column("customer_id"), start.copy())
    )


# -- the answer ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    active: int
    revenue: float


def cohorts(
    engine: Engine,
    start: str | dt.date,
    end: str | dt.date,
    filters: Mapping[str, Sequence[str]] | None = None,
    basis: str = "first_order",
    unit: str = "month",
) -> dict[str, Any]:
    """The cohort matrix of the Python contract (see the module's docstring)."""
    try:
        span = period(start, end)
    except PeriodError as err:
        raise ArgumentError(str(err)) from None
    chosen_basis = parse_basis(basis)
    if unit not in UNITS:
        raise ArgumentError(f"unit {unit!r} is not one of: {', '.join(UNITS)}")
    chosen = engine.check_filters(filters or {})
    selection = engine.selection(chosen, ())
    first, last = span.start.replace(day=1), span.end.replace(day=1)
    rolled = engine.use_rollups and COHORTS_RELATION in engine.dataset.relations
    params = {"first": first, "last": last, **selection.params()}
    if rolled:
        params["basis"] = str(chosen_basis)
    shape = ("cohorts", str(chosen_basis), selection.shape, rolled)
    rows = engine.executor.fetch(cells_sql(chosen_basis, selection.shape, rolled), params, shape)
    cells = {(c, m): Cell(int(n), float(plain(r) or 0.0)) for c, m, n, r in rows}
    if chosen_basis is Basis.SIGNUP:
        bounds = {"first": first, "last_day": add_months(last, 1) - dt.timedelta(days=1)}
        found = engine.executor.fetch(
            signup_sizes_sql(selection.shape),
            bounds | selection.params(),
            ("cohort sizes", selection.shape),
        )
        sizes = {c: int(n) for c, n in found}
    else:  # every customer of a first-order cohort ordered in its month 0
        sizes = {c: cell.active for (c, m), cell in cells.items() if c == m}
    orders = engine.dataset.tables.get("orders")
    last_month = orders.last_day.replace(day=1) if orders and orders.last_day else None
    entries = [_cohort(c, sizes[c], cells, last_month) for c in sorted(sizes) if sizes[c]]
    return {
        "period": span.as_dict(),
        "basis": str(chosen_basis),
        "unit": unit,
        "filters": {"segment": [], "region": [], **{k: list(v) for k, v in chosen.items()}},
        "last_month": last_month.isoformat() if last_month else None,
        "cohorts": entries,
        "average": average_curve(entries),
    }


def parse_basis(value: str) -> Basis:
    try:
        return Basis(value)
    except ValueError:
        choices = ", ".join(str(b) for b in Basis)
        raise ArgumentError(f"basis {value!r} is not one of: {choices}") from None


def _cohort(
    cohort: dt.date, size: int, cells: Mapping[tuple[dt.date, dt.date], Cell], last: dt.date | None
) -> dict[str, Any]:
    """One row of the triangle: month k of the cohort for k = 0 up to the last month of data."""
    span = -1 if last is None else month_index(last) - month_index(cohort)
    months = []
    for k in range(span + 1):
        month = add_months(cohort, k)
        cell = cells.get((cohort, month), Cell(0, 0.0))
        months.append(
            {
                "k": k,
                "month": month.isoformat(),
                "active": cell.active,
                "retention": cell.active / size,
                "revenue": cell.revenue,
                "revenue_per_customer": cell.revenue / size,
            }
        )
    return {"cohort": cohort.isoformat(), "size": size, "months": months}


def average_curve(entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Month k pooled over the cohorts that have reached it: their customers with an order in
    month k (and revenue) over all their customers, so larger cohorts weigh more."""
    curve: list[dict[str, Any]] = []
    for k in range(max((len(e["months"]) for e in entries), default=0)):
        reached = [e for e in entries if len(e["months"]) > k]
        size = sum(e["size"] for e in reached)
        active = sum(e["months"][k]["active"] for e in reached)
        revenue = sum(e["months"][k]["revenue"] for e in reached)
        curve.append(
            {
                "k": k,
                "cohorts": len(reached),
                "size": size,
                "active": active,
                "retention": active / size,
                "revenue_per_customer": revenue / size,
            }
        )
    return curve
