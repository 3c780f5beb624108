"""Building the tables keyed by customer in passes, one share of the customers each.

Grouping every order by customer and month at once did not fit DuckDB's memory
at 180M orders in 1 GB (nor 20M in 100 MB): the grouping with the categories'
mask did not spill far enough. A customer's rows all hash to one share, so a
table built share by share holds the same rows, and sums over shares are the
sums over all customers. The tables in between are Parquet files (`Scratch`).
How many rows one pass of the engine's memory takes is decided here only
(`passes_for`); the fact files follow the same rule (store/build.py).
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from sqlglot import exp

from cxcore.database import memory_limit_mb, one_row
from cxcore.metrics.rollup_sink import described_columns, integers_as_bigint
from cxcore.sqlkit import alias, column, copy_to_parquet, create_table, fragment, render, table

ORDER_ROWS_PER_MB = 20_000  # order rows one pass groups per MB of working memory


def temp(con: duckdb.DuckDBPyConnection, name: str, query: exp.Expr) -> None:
    con.execute(create_table(name, query, temporary=True))


@dataclass(frozen=True)
class Share:
    """The customers whose id hashes to `index` out of `passes`: one pass's customers."""

    index: int
    passes: int

    def condition(self) -> exp.Expr:
        key = column("customer_id")
        passes, index = exp.Literal.number(self.passes), exp.Literal.number(self.index)
        return fragment("hash(:k) % :passes = :index", k=key, passes=passes, index=index)


def only(query: exp.Select, share: Share | None) -> exp.Select:
    """The query's rows of the share's customers (all of them without a share)."""
    return query.where(share.condition()) if share is not None else query


def customer_passes(con: duckdb.DuckDBPyConnection, orders_fact: exp.Expr) -> int:
    """How many passes, each over its own share of the customers, group the orders by
    customer and month within the connection's memory.

    DuckDB did not spill that grouping (its category mask) far enough: 180M orders ran
    out of 1 GB, 20M out of 100 MB, while 20M passed in 1 GB and 2.5M in 100 MB.
    """
    return passes_for(con, count_rows(con, orders_fact))


def passes_for(con: duckdb.DuckDBPyConnection, rows: int) -> int:
    """How many passes of at most ORDER_ROWS_PER_MB rows per MB of the engine's memory."""
    per_pass = max(memory_limit_mb(con) * ORDER_ROWS_PER_MB, 1.0)
    return max(1, math.ceil(rows / per_pass))


def count_rows(con: duckdb.DuckDBPyConnection, rows: exp.Expr) -> int:
    (counted,) = one_row(con, render(exp.select("COUNT(*)").from_(rows.copy())))
    return int(counted)


@dataclass
class Scratch:
    """Tables of a build kept as Parquet files in `folder`, one file per share.

    Held as temporary tables of the connection, 180M orders' customer units ran out of
    1 GB once some 14 GB of them had spilled, while each grouping fit: a file written
    and read back keeps nothing in memory. A share's later tables read only that
    share's file (Parquet states its row count, so joins are planned on true sizes),
    and a view over all the files reads the whole table. Both cast every column back to
    its type: Parquet holds a bit string as text and a 128-bit sum as a double.
    """

    con: duckdb.DuckDBPyConnection
    folder: Path
    types: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def write(self, name: str, index: int, query: exp.Expr) -> None:
        """`query`'s rows as share `index` of the table `name`."""
        described = described_columns(self.con, query)
        target = self._file(name, str(index))
        target.parent.mkdir(parents=True, exist_ok=True)
        self.con.execute(copy_to_parquet(integers_as_bigint(query, described), target))
        if name in self.types:
            return  # the view reads every share's file, whenever it is read
        self.types[name] = [(column_name, str(kind)) for column_name, kind, *_ in described]
        view = exp.Create(
            this=table(name),
            kind="VIEW",
            expression=self._typed(name, "*"),
            replace=True,
            properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
        )
        self.con.execute(render(view))

    def part(self, name: str, index: int) -> exp.Expr:
        """Share `index` of the table `name`, for a FROM or JOIN."""
        return self._typed(name, str(index)).subquery()

    def drop(self) -> None:
        for name in self.types:
            self.con.execute(render(exp.Drop(tables=[table(name)], kind="VIEW", exists=True)))
        self.types.clear()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _file(self, name: str, index: str) -> Path:
        return self.folder / name / f"share-{index}.parquet"

    def _typed(self, name: str, index: str) -> exp.Select:
        files = exp.func("read_parquet", exp.Literal.string(str(self._file(name, index))))
        typed = [alias(exp.cast(column(c), kind), c) for c, kind in self.types[name]]
        return exp.select(*typed).from_(files)
