"""SQL for one view of the KPIs, built from the registry's measures.

One query per source table returns, per period slot (``p``: P against Q,
``q``: Q against R) and per breakdown member, every measure of that table.
Dates and filter members are bound parameters (a filter is one list
parameter, so no member, nor how many are chosen, changes the SQL text).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from .catalog import DAY, dim_column, fact_table
from .measures import ORDER_CUSTOMER_COLUMNS, measures_of
from .periods import Windows
from .sqlkit import alias, and_all, column, fragment, ident, param, table

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


def window_params(windows: Windows) -> dict[str, Any]:
    return {
        "p_start": windows.current.start,
        "p_end": windows.current.end,
        "q_start": windows.compared.start,
        "q_end": windows.compared.end,
        "r_start": windows.before_compared.start,
        "r_end": windows.before_compared.end,
    }


def _slots() -> exp.Expression:
    """The two slots as a VALUES list of bound dates."""
    rows = [
        exp.Tuple(expressions=[exp.Literal.string(slot), *(param(p) for p in names)])
        for slot, names in (
            ("p", ("p_start", "p_end", "q_start", "q_end")),
            ("q", ("q_start", "q_end", "r_start", "r_end")),
        )
    ]
    values = exp.Values(
        expressions=rows,
        alias=exp.TableAlias(this=ident("slots"), columns=[ident(c) for c in SLOT_COLUMNS]),
    )
    return exp.select("*").from_(values)


def _in_window(bound: str) -> exp.Expression:
    return exp.Between(
        this=column(DAY, "f"), low=column(f"{bound}_start", "s"), high=column(f"{bound}_end", "s")
    )


def block_query(
    name: str, windows: Windows, filters: dict[str, list[str]], by: tuple[str, ...]
) -> BlockQuery:
    """The measures of table `name` for this view (dimensions already checked)."""
    params = window_params(windows)
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
        .join(exp.Subquery(this=_slots(), alias=exp.TableAlias(this=ident("s"))), on=joined)
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
