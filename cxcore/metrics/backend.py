"""The seam between the metrics layer and an engine that runs its SQL.

Queries are built once, as sqlglot expressions over *logical* relation names
(`fact_orders`, `daily_orders`, ...). An executor knows where those lie for
the data it serves, puts them in place, renders the query in its own dialect
and runs it with the values bound as parameters. DuckDB is the embedded
default; another engine implements the same members (rows as tuples, or as Arrow
columns for a caller that reads a million rows whole).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Protocol, TypeVar

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from cxcore.data.dataset import Place, Relation
from cxcore.metrics.measures import Number
from cxcore.sqlkit import render, table

Rows = list[tuple[Any, ...]]
Result = TypeVar("Result")
MAX_TEXTS = 2048  # rendered query texts kept per executor


class QueryTimeout(RuntimeError):
    """A query ran past the configured limit and was stopped."""

    @classmethod
    def after(cls, seconds: float | None) -> QueryTimeout:
        return cls(
            f"the query ran longer than {seconds or 0:g} s and was stopped"
            " (CX_QUERY_TIMEOUT_S sets the limit)"
        )


class Executor(Protocol):
    dialect: str

    def fetch(
        self, query: exp.Expr, params: Mapping[str, Any], shape: tuple[Any, ...] = ()
    ) -> Rows: ...

    def fetch_arrow(
        self, query: exp.Expr, params: Mapping[str, Any], shape: tuple[Any, ...] = ()
    ) -> pa.Table:
        """The same rows as columns: a million rows as Python tuples cost seconds and
        hundreds of megabytes that a caller reading whole columns does not need."""
        ...

    def close(self) -> None: ...


def resolve(query: exp.Expr, relations: Mapping[str, exp.Expr]) -> exp.Expr:
    """The query with each logical relation replaced by where it lies (its alias kept)."""

    def swap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Table) and not node.db and node.name in relations:
            placed = relations[node.name].copy()
            alias = node.args.get("alias")
            if isinstance(placed, exp.Table):
                placed.set("alias", alias.copy() if alias else None)
                return placed
            return exp.Subquery(this=exp.select("*").from_(placed), alias=alias)
        return node

    return query.transform(swap)


class QueryTexts:
    """Each query shape rendered once per executor: a view asks the same shapes again and
    again with other values, and rendering is the slow part of a small query."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self._texts: dict[tuple[Any, ...], str] = {}

    def text(
        self,
        query: exp.Expr,
        relations: Mapping[str, exp.Expr],
        shape: tuple[Any, ...] = (),
    ) -> str:
        sql = self._texts.get(shape) if shape else None
        if sql is None:
            sql = render(resolve(query, relations), self.dialect)
            if shape and len(self._texts) < MAX_TEXTS:
                self._texts[shape] = sql
        return sql


class DuckDBExecutor:
    """Runs queries on one DuckDB connection, a cursor per query, within a time limit."""

    dialect = "duckdb"

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        relations: Mapping[str, exp.Expr],
        timeout_s: float | None = None,
    ) -> None:
        self.con = con
        self.relations = dict(relations)
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._texts = QueryTexts(self.dialect)

    def close(self) -> None:
        self.con.close()

    def fetch(
        self, query: exp.Expr, params: Mapping[str, Any], shape: tuple[Any, ...] = ()
    ) -> Rows:
        """Rows of the query; a query of a known `shape` reuses its rendered text."""
        sql = self._texts.text(query, self.relations, shape)
        return self._within_limit(lambda cursor: cursor.execute(sql, dict(params)).fetchall())

    def fetch_arrow(
        self, query: exp.Expr, params: Mapping[str, Any], shape: tuple[Any, ...] = ()
    ) -> pa.Table:
        sql = self._texts.text(query, self.relations, shape)
        return self._within_limit(
            lambda cursor: cursor.sql(sql, params=dict(params)).to_arrow_table()
        )

    def _within_limit(self, run: Callable[[duckdb.DuckDBPyConnection], Result]) -> Result:
        """`run` on a cursor of its own, interrupted when it takes longer than the limit."""
        with self._lock:
            cursor = self.con.cursor()
        timer = threading.Timer(self.timeout_s, cursor.interrupt) if self.timeout_s else None
        try:
            if timer:
                timer.start()
            return run(cursor)
        except duckdb.InterruptException:
            raise QueryTimeout.after(self.timeout_s) from None
        finally:
            if timer:
                timer.cancel()
            cursor.close()


def duckdb_relations(relations: Mapping[str, Relation]) -> dict[str, exp.Expr]:
    """Tables of the loading connection as they are; Parquet files read where they lie."""
    placed: dict[str, exp.Expr] = {}
    for name, relation in relations.items():
        if relation.place is Place.TABLE:
            placed[name] = table(relation.target)
        else:
            placed[name] = table(name)  # a view of that name, defined when the data is opened
    return placed


def plain(value: Any) -> Number:
    """Engine decimals to floats, so results serialise as plain JSON numbers."""
    if isinstance(value, Decimal):
        return float(value)
    return value


def float_column(column: pa.ChunkedArray) -> np.ndarray:
    """A column of numbers as floats, each equal to `plain` of its value. Decimals go
    through their exact text, whose parsing rounds correctly: dividing the scaled integer
    rounds twice past 2**53, and two engines giving one value different scales would
    then disagree in the last bit."""
    if pa.types.is_decimal(column.type):
        column = pc.cast(pc.cast(column, pa.string()), pa.float64())
    return np.asarray(column.to_numpy(), dtype=np.float64)
