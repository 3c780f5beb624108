"""SQL for one view of the KPIs, built from the registry's measures.

One query per source table returns, per period slot (``p``: P against Q,
``q``: Q against R) and per breakdown member, every measure of that table.
Dates and filter members are bound parameters (a filter is one list
parameter, so no member, nor how many are chosen, changes the SQL text).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from cxcore.data.catalog import DAY, dim_column, fact_table
from cxcore.metrics.measures import ORDER_CUSTOMER_COLUMNS, measures_of
from cxcore.metrics.periods import Period, Windows
from cxcore.sqlkit import alias, and_all, column, fragment, ident, param, table

SLOT_COLUMNS = ("slot", "cur_start", "cur_end", "prior_start", "prior_end")
# Tables whose measures compare each customer with the prior window.
USES_PRIOR = frozenset({"orders"})


@dataclass(frozen=True)
class BlockQuery:
    """One table's query; `group_by` names the breakdown dimensions of its rows."""

    table: str
    sql: exp.Expression
    params: dict[str, Any]
    group_by: tuple[str, ...]
    measures: tuple[str, ...]


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


def _slots(slots: Sequence[Slot]) -> exp.Expression:
    """The slots as a VALUES list of bound dates (only their number shapes the SQL)."""
    rows = [
        exp.Tuple(expressions=[exp.Literal.string(slot.name), *(param(p) for p in slot.params())])
        for slot in slots
    ]
    values = exp.Values(
        expressions=rows,
        alias=exp.TableAlias(this=ident("slots"), columns=[ident(c) for c in SLOT_COLUMNS]),
    )
    return exp.select("*").from_(values)


def _in_window(bound: str) -> exp.Expression:
    return exp.Between(
        this=column(DAY, "f"),
        low=column(f"{bound}_start", "s"),
        high=column(f"{bound}_end", "s"),
    )


def block_query(
    name: str, slots: Sequence[Slot], filters: dict[str, list[str]], by: tuple[str, ...]
) -> BlockQuery:
    """The measures of table `name` in every slot (dimensions already checked)."""
    params: dict[str, Any] = {k: v for slot in slots for k, v in slot.params().items()}
    conditions: list[exp.Expression] = []
    for index, (dimension, members) in enumerate(sorted(filters.items())):
        conditions.append(
            exp.func(
                "list_contains", param(filter_param(index)), column(dim_column(dimension), "f")
            )
        )
        params[filter_param(index)] = list(members)
    joined = _in_window("cur")
    if name in USES_PRIOR:
        joined = exp.or_(joined, _in_window("prior"))
    groups = [alias(column(dim_column(d), "f"), group_alias(i)) for i, d in enumerate(by)]
    rows = (
        exp.select(
            column("slot", "s"),
            *groups,
            exp.Column(this=exp.Star(), table=ident("f")),
            alias(_in_window("cur"), "in_cur"),
            alias(_in_window("prior"), "in_prior"),
        )
        .from_(table(fact_table(name)).as_("f"))
        .join(exp.Subquery(this=_slots(slots), alias=exp.TableAlias(this=ident("s"))), on=joined)
        .where(and_all(conditions))
    )
    keys = [column("slot"), *(column(group_alias(i)) for i in range(len(by)))]
    measures = measures_of(name)
    source: exp.Expression = rows.subquery("rows")
    if name == "orders":
        per_customer = (
            exp.select(
                *keys,
                column("customer_id"),
                *(alias(fragment(sql), col) for col, sql in ORDER_CUSTOMER_COLUMNS.items()),
            )
            .from_(source)
            .group_by(*keys, column("customer_id"))
        )
        source = per_customer.subquery("per_customer")
    query = (
        exp.select(*keys, *(alias(fragment(m.sql), m.name) for m in measures))
        .from_(source)
        .group_by(*keys)
    )
    return BlockQuery(name, query, params, by, tuple(m.name for m in measures))
