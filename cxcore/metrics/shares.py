"""Building a table keyed by customer in passes, one share of the customers each.

Grouping every order by customer and month at once did not fit DuckDB's memory
at 180M orders in 1 GB (nor 20M in 100 MB): the grouping with the categories'
mask did not spill far enough. A customer's rows all hash to one share, so a
table built share by share holds the same rows, and sums over shares are the
sums over all customers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
from sqlglot import exp

from cxcore.database import memory_limit_mb
from cxcore.sqlkit import column, create_table, fragment, insert_into, render, table

ORDER_ROWS_PER_MB = 20_000  # order rows one pass groups per MB of working memory
SHARE_ROWS = "_cx_share_rows"  # one share's rows, copied for `temp_per_share`


def temp(con: duckdb.DuckDBPyConnection, name: str, query: exp.Expression) -> None:
    con.execute(create_table(name, query, temporary=True))


@dataclass(frozen=True)
class Share:
    """The customers whose id hashes to `index` out of `passes`: one pass's customers."""

    index: int
    passes: int

    def condition(self) -> exp.Expression:
        key = column("customer_id")
        return fragment(f"hash(:k) % {self.passes} = {self.index}", k=key)


def only(query: exp.Select, share: Share | None) -> exp.Select:
    """The query's rows of the share's customers (all of them without a share)."""
    return query.where(share.condition()) if share is not None else query


def customer_passes(con: duckdb.DuckDBPyConnection, orders_fact: exp.Expression) -> int:
    """How many passes, each over its own share of the customers, group the orders by
    customer and month within the connection's memory.

    DuckDB did not spill that grouping (its category mask) far enough: 180M orders ran
    out of 1 GB, 20M out of 100 MB, while 20M passed in 1 GB and 2.5M in 100 MB.
    """
    counted = con.execute(render(exp.select("COUNT(*)").from_(orders_fact.copy()))).fetchone()
    rows = int(counted[0]) if counted else 0
    per_pass = max(memory_limit_mb(con) * ORDER_ROWS_PER_MB, 1.0)
    return max(1, math.ceil(rows / per_pass))


def temp_in_passes(
    con: duckdb.DuckDBPyConnection,
    name: str,
    build: Callable[[Share | None], exp.Expression],
    passes: int,
) -> None:
    """A temporary table built in `passes` passes, one per `Share` of the customers: a
    customer's rows all fall in one pass, so its groups come out whole."""
    if passes == 1:
        temp(con, name, build(None))
        return
    for index in range(passes):
        query = build(Share(index, passes))
        con.execute(create_table(name, query, True) if index == 0 else insert_into(name, query))


def temp_per_share(
    con: duckdb.DuckDBPyConnection,
    name: str,
    rows: str,
    build: Callable[[str], exp.Expression],
    passes: int,
) -> None:
    """A temporary table built by `build` over each `Share` of the customers in the table
    `rows`, one at a time. Each share's rows are copied to a table first: filtered in the
    query itself, their estimate fell to a few rows and DuckDB joined a pair of units on
    the customer alone, every unit of a customer with every other."""
    if passes == 1:
        temp(con, name, build(rows))
        return
    for index in range(passes):
        temp(con, SHARE_ROWS, only(exp.select("*").from_(table(rows)), Share(index, passes)))
        query = build(SHARE_ROWS)
        con.execute(create_table(name, query, True) if index == 0 else insert_into(name, query))
