"""SQL for the measures of a view, read from fact rows or from daily rollups.

One query per source table returns, per period slot (``p``: P against Q,
``q``: Q against R) and per breakdown member, every measure of that table.
Dates and filter members are bound parameters (a filter is one list
parameter, so no member, nor how many are chosen, changes the SQL text), and
relations are named logically (`fact_orders`): the executor puts them in
place. Only dialect-neutral nodes are used, so every engine runs the same
query.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlglot import exp

from cxcore.data.dataset import DAY, daily_relation, fact_relation
from cxcore.data.facts import FACT_COLUMNS
from cxcore.metrics.measures import (
    CUSTOMER,
    PER_CUSTOMER_COLUMNS,
    Additive,
    CustomerMeasure,
    additive_of,
    daily_columns,
)
from cxcore.metrics.periods import Period, Windows
from cxcore.sqlkit import alias, and_all, column, fragment, fresh, ident, param, table

SLOT_COLUMNS = ("slot", "cur_start", "cur_end", "prior_start", "prior_end")
SHAPES = 512  # query shapes kept built; a view's values never change its shape
FIRST_DAY, LAST_DAY = "first_day", "last_day"


@dataclass(frozen=True)
class BlockQuery:
    """One query; each row is a slot, `width` breakdown members, then the `measures`.

    `shape` names everything the SQL text depends on (never a value: those are
    `params`), so an executor renders each shape once and reuses the text.
    """

    sql: exp.Expr
    params: dict[str, Any]
    width: int
    measures: tuple[str, ...]
    shape: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Selection:
    """Filters and breakdown as the rows carry them: dimension columns and chosen members."""

    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    by: tuple[str, ...] = ()

    def conditions(self, owner: str) -> tuple[list[exp.Expr], dict[str, Any]]:
        """One `ARRAY_CONTAINS($filter_i, dim)` per filtered dimension; members bound."""
        conditions: list[exp.Expr] = []
        params: dict[str, Any] = {}
        for index, (dim, members) in enumerate(self.filters):
            name = filter_param(index)
            conditions.append(exp.ArrayContains(this=param(name), expression=column(dim, owner)))
            params[name] = list(members)
        return conditions, params

    def groups(self, owner: str) -> list[exp.Expr]:
        return [alias(column(dim, owner), group_alias(i)) for i, dim in enumerate(self.by)]

    def keys(self) -> list[exp.Expr]:
        return [column("slot"), *(column(group_alias(i)) for i in range(len(self.by)))]

    @property
    def shape(self) -> Selection:
        """The same filters without their members: all the SQL text depends on."""
        return Selection(tuple((dim, ()) for dim, _ in self.filters), self.by)

    def params(self) -> dict[str, Any]:
        return {filter_param(i): list(members) for i, (_, members) in enumerate(self.filters)}


def group_alias(index: int) -> str:
    return f"member_{index}"


def filter_param(index: int) -> str:
    return f"filter_{index}"


@dataclass(frozen=True)
class Slot:
    """One evaluation of the measures: a current window and the prior one it is set against."""

    name: str
    current: Period
    prior: Period

    def params(self) -> dict[str, Any]:
        return {
            f"{self.name}_cur_start": self.current.start,
            f"{self.name}_cur_end": self.current.end,
            f"{self.name}_prior_start": self.prior.start,
            f"{self.name}_prior_end": self.prior.end,
        }


def view_slots(windows: Windows) -> tuple[Slot, Slot]:
    """Slot p (P against Q) gives each KPI's value; slot q (Q against R) its previous."""
    return (
        Slot("p", windows.current, windows.compared),
        Slot("q", windows.compared, windows.before_compared),
    )


def shared_slots(views: Sequence[Windows]) -> dict[tuple[Period, Period], Slot]:
    """One slot per distinct (current, prior) pair the views need, in first-use order.

    Each view needs its period against its comparison and the comparison against
    its own: in a trend, month i's comparison is month i-1's period (or i-12's a
    year before), so most pairs repeat. Asking each once nearly halves the rows
    a trend's queries join.
    """
    slots: dict[tuple[Period, Period], Slot] = {}
    for view in views:
        for pair in ((view.current, view.compared), (view.compared, view.before_compared)):
            if pair not in slots:
                slots[pair] = Slot(f"s{len(slots)}", *pair)
    return slots


def slot_values(
    slots: Sequence[str], columns: Sequence[str], values: Sequence[Sequence[str]]
) -> exp.Expr:
    """The slots as a VALUES list of bound parameters (only their number shapes the SQL)."""
    rows = [
        exp.Tuple(expressions=[exp.Literal.string(slot), *(param(v) for v in names)])
        for slot, names in zip(slots, values, strict=True)
    ]
    values_list = exp.Values(
        expressions=rows,
        alias=exp.TableAlias(this=ident("slots"), columns=[ident(c) for c in columns]),
    )
    return exp.Subquery(
        this=exp.select("*").from_(values_list), alias=exp.TableAlias(this=ident("s"))
    )


def _slot_days(slots: Sequence[str], prior: bool) -> exp.Expr:
    """Every day of every slot's windows, flagged `in_cur` / `in_prior`.

    Rows then meet their slots by an equality join on the day, which engines
    hash, instead of a range join on window bounds, which they cannot.
    """
    names = [[f"{slot}_{c}" for c in SLOT_COLUMNS[1:]] for slot in slots]
    windows = slot_values(slots, SLOT_COLUMNS, names)
    sides = [("cur", "cur_start", "cur_end")]
    if prior:
        sides.append(("prior", "prior_start", "prior_end"))
    days: exp.Query | None = None
    for side, start, end in sides:
        one = exp.select(
            column("slot"),
            alias(exp.Literal.string(side), "side"),
            alias(
                fragment(
                    "UNNEST(GENERATE_SERIES(CAST(:a AS DATE), CAST(:b AS DATE), INTERVAL 1 DAY))",
                    a=column(start),
                    b=column(end),
                ),
                "day",
            ),
        ).from_(windows.copy(), copy=False)
        days = one if days is None else exp.union(days, one, distinct=False, copy=False)
    assert days is not None
    flags = [
        alias(fragment("BOOL_OR(side = :s)", s=exp.Literal.string(side)), f"in_{side}")
        for side in ("cur", "prior")
    ]
    return exp.Subquery(
        this=exp.select(
            column("slot"), alias(fragment("CAST(day AS DATE)"), DAY), *flags, copy=False
        )
        .from_(days.subquery("days", copy=False), copy=False)
        .group_by(column("slot"), fragment("CAST(day AS DATE)"), copy=False),
        alias=exp.TableAlias(this=ident("s")),
    )


def _flagged_params(slots: Sequence[Slot], selection: Selection, prior: bool) -> dict[str, Any]:
    """The values a flagged-rows query binds: windows, outer day bounds, filter members."""
    params: dict[str, Any] = {k: v for slot in slots for k, v in slot.params().items()}
    windows = [
        w for slot in slots for w in ((slot.current, slot.prior) if prior else (slot.current,))
    ]
    params[FIRST_DAY] = min(w.start for w in windows)
    params[LAST_DAY] = max(w.end for w in windows)
    return params | selection.params()


def _flagged_rows(
    relation: str,
    columns: Sequence[str],
    slots: Sequence[str],
    selection: Selection,
    prior: bool,
) -> exp.Select:
    """Each row once per slot it falls in, flagged `in_cur` / `in_prior`, members named.

    The outer day bounds repeat what the join decides; they let an engine skip
    whole row groups of day-sorted files before joining.
    """
    conditions, _ = selection.conditions("f")
    conditions.append(
        exp.Between(this=column(DAY, "f"), low=param(FIRST_DAY), high=param(LAST_DAY))
    )
    rows = (
        exp.select(
            column("slot", "s"),
            *selection.groups("f"),
            *(column(c, "f") for c in columns),
            column("in_cur", "s"),
            column("in_prior", "s"),
            copy=False,
        )
        .from_(table(relation).as_("f", copy=False), copy=False)
        .join(
            _slot_days(slots, prior),
            on=exp.EQ(this=column(DAY, "f"), expression=column(DAY, "s")),
            copy=False,
        )
        .where(and_all(conditions), copy=False)
    )
    return rows


def additive_query(
    name: str, slots: Sequence[Slot], selection: Selection, rolled: bool
) -> BlockQuery:
    """The additive measures of table `name`, from its fact rows or its daily rollup."""
    measures = additive_of(name)
    reads_prior = any(m.window != "cur" for m in measures)
    shape = ("additive", name, tuple(s.name for s in slots), selection.shape, rolled)
    return BlockQuery(
        _additive_sql(*shape[1:]),
        _flagged_params(slots, selection, reads_prior),
        len(selection.by),
        tuple(m.name for m in measures),
        shape,
    )


@lru_cache(maxsize=SHAPES)
def _additive_sql(
    name: str, slots: tuple[str, ...], selection: Selection, rolled: bool
) -> exp.Expr:
    measures = additive_of(name)
    relation = daily_relation(name) if rolled else fact_relation(name)
    columns = list(daily_columns(name)) if rolled else [c for c, _t in FACT_COLUMNS[name]]
    reads_prior = any(m.window != "cur" for m in measures)
    rows = _flagged_rows(relation, columns, slots, selection, reads_prior)
    keys = selection.keys()
    return (
        exp.select(*keys, *(alias(_measure_sql(m, rolled), m.name) for m in measures), copy=False)
        .from_(rows.subquery("rows", copy=False), copy=False)
        .group_by(*fresh(keys), copy=False)
    )


def _measure_sql(measure: Additive, rolled: bool) -> exp.Expr:
    return fragment(measure.over_rollup() if rolled else measure.over_rows())


def customer_query(
    slots: Sequence[Slot],
    selection: Selection,
    measures: Sequence[CustomerMeasure] = CUSTOMER,
    with_additive: bool = True,
) -> BlockQuery:
    """Orders' customer measures from the fact rows: per customer, then over customers.

    With `with_additive`, orders' additive measures ride along as per-customer
    partial sums (every order has a customer, so they add up to the same total).
    """
    additive = additive_of("orders") if with_additive else ()
    names = (*(m.name for m in additive), *(m.name for m in measures))
    shape = (
        "customer",
        tuple(s.name for s in slots),
        selection.shape,
        tuple(measures),
        with_additive,
    )
    return BlockQuery(
        _customer_sql(*shape[1:]),
        _flagged_params(slots, selection, prior=True),
        len(selection.by),
        names,
        shape,
    )


@lru_cache(maxsize=SHAPES)
def _customer_sql(
    slots: tuple[str, ...],
    selection: Selection,
    measures: tuple[CustomerMeasure, ...],
    with_additive: bool,
) -> exp.Expr:
    columns = [c for c, _t in FACT_COLUMNS["orders"]]
    rows = _flagged_rows(fact_relation("orders"), columns, slots, selection, prior=True)
    keys = selection.keys()
    additive = additive_of("orders") if with_additive else ()
    per_customer = (
        exp.select(
            *keys,
            column("customer_id"),
            *(alias(fragment(sql), col) for col, sql in PER_CUSTOMER_COLUMNS.items()),
            *(alias(fragment(m.over_rows()), f"part_{m.name}") for m in additive),
            copy=False,
        )
        .from_(rows.subquery("rows", copy=False), copy=False)
        .group_by(*fresh(keys), column("customer_id"), copy=False)
    )
    totals = [alias(fragment("COALESCE(SUM(:c), 0)", c=f"part_{m.name}"), m.name) for m in additive]
    return (
        exp.select(
            *fresh(keys), *totals, *(alias(fragment(m.sql), m.name) for m in measures), copy=False
        )
        .from_(per_customer.subquery("per_customer", copy=False), copy=False)
        .group_by(*fresh(keys), copy=False)
    )


def read_rows(
    rows: Sequence[Sequence[Any]], block: BlockQuery
) -> dict[tuple[Any, ...], Mapping[str, Any]]:
    """(slot, *members) -> measure -> value, from a block query's result rows."""
    out: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for row in rows:
        key = tuple(row[: 1 + block.width])
        out[key] = dict(zip(block.measures, row[1 + block.width :], strict=True))
    return out
