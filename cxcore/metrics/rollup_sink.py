"""Where the building connection writes a rollup, and reads a relation from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from sqlglot import exp

from cxcore.data.dataset import Place, Relation
from cxcore.sqlkit import alias, column, copy_to_parquet, render, table


@dataclass
class ParquetSink:
    """Results as Parquet files in `folder`, named after the relation."""

    con: duckdb.DuckDBPyConnection
    folder: Path

    def write(self, name: str, query: exp.Expr) -> Relation:
        target = self.folder / f"{name}.parquet"
        wide_as_bigint = integers_as_bigint(query, described_columns(self.con, query))
        self.con.execute(copy_to_parquet(wide_as_bigint, target))
        return Relation(Place.PARQUET, str(target))


def described_columns(con: duckdb.DuckDBPyConnection, query: exp.Expr) -> list[Any]:
    """(name, type, ...) of each column the query returns, planned but not run."""
    return con.execute(render(exp.Describe(this=query.copy()))).fetchall()


def integers_as_bigint(query: exp.Expr, described: list[Any]) -> exp.Expr:
    """Sums of whole numbers come out as 128-bit integers, which Parquet can only hold as
    doubles: they are written as 64-bit integers, so a count reads back as a count."""
    wide = [name for name, duck_type, *_ in described if duck_type in ("HUGEINT", "UHUGEINT")]
    if not wide:
        return query
    parts = [
        alias(exp.cast(column(name), "BIGINT"), name) if name in wide else column(name)
        for name, *_ in described
    ]
    inner = exp.Subquery(this=query.copy(), alias=exp.TableAlias(this=exp.to_identifier("q")))
    outer = exp.select(*parts).from_(inner)
    order = query.args.get("order")
    return outer.order_by(*(o.copy() for o in order.expressions)) if order else outer


def source(relation: Relation) -> exp.Expr:
    """Where a relation's rows are read from, for a query on the building connection."""
    if relation.place is Place.TABLE:
        return table(relation.target)
    return exp.func("read_parquet", exp.Literal.string(relation.target))
