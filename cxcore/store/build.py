"""Data derived from the typed tables, built inside the same atomic publish.

Whatever is derived lives in the version folder next to the tables it comes
from, so it can never be out of step with them: a reader of version n gets
version n's tables and version n's derived data, or neither. Each builder is
an entry of `BUILDERS`, so later speed work adds a file kind in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb
from sqlglot import exp

from cxcore.data.catalog import DAY, FACT_COLUMNS, Catalog, dim_column, fact_table
from cxcore.sqlkit import alias, column, fragment, render, table

Builder = Callable[[Catalog, str], exp.Select]


def by_day(catalog: Catalog, name: str) -> exp.Select:
    """The fact table (dimension members resolved) sorted by day, for row-group pruning."""
    return exp.select("*").from_(table(fact_table(name))).order_by(column(DAY))


def monthly(catalog: Catalog, name: str) -> exp.Select:
    """Rows, sums and true-counts per month and dimension members, plus distinct customers.

    Additive over months and members: `rows`, the sums and the true-counts,
    so a quarter's or a segment's total is the sum of its rows here.

    NOT additive over months: `customers`, COUNT(DISTINCT customer_id) per
    month and members. A customer who orders in three months is counted in
    each, so summing months over-counts; the distinct customers of any period
    longer than one month must come from the fact rows (or `by_day`). Within
    one month the members' counts do add up, only because each customer sits
    under exactly one combination of members (orders take them from the customer).
    """
    dims = [column(c) for c in _dimension_columns(catalog, name)]
    month = alias(fragment("CAST(date_trunc('month', :d) AS DATE)", d=column(DAY)), "month")
    measures: list[exp.Expression] = [alias(exp.Count(this=exp.Star()), "rows")]
    for col, duck_type in FACT_COLUMNS[name]:
        if duck_type == "BOOLEAN":
            measures.append(alias(fragment("COUNT(*) FILTER (WHERE :c)", c=column(col)), col))
        elif duck_type == "VARCHAR" and col == "customer_id":
            measures.append(alias(fragment("COUNT(DISTINCT :c)", c=column(col)), "customers"))
        elif duck_type != "VARCHAR":
            measures.append(alias(exp.Sum(this=column(col)), col))
    keys = [exp.Literal.number(i + 1) for i in range(len(dims) + 1)]
    return (
        exp.select(month, *dims, *measures)
        .from_(table(fact_table(name)))
        .group_by(*keys)
        .order_by(*keys)
    )


def _dimension_columns(catalog: Catalog, name: str) -> list[str]:
    described = catalog.con.execute(render(exp.Describe(this=table(fact_table(name))))).fetchall()
    return [r[0] for r in described if str(r[0]).startswith(dim_column(""))]


BUILDERS: dict[str, Builder] = {"by_day": by_day, "monthly": monthly}


def derived_name(name: str, kind: str) -> str:
    return f"{name}.{kind}.parquet"


def build_derived(
    catalog: Catalog, names: Iterable[str], folder: Path
) -> dict[str, dict[str, str]]:
    """Write every derived file of the given tables; returns table -> kind -> file name."""
    written: dict[str, dict[str, str]] = {}
    for name in names:
        for kind, builder in BUILDERS.items():
            target = folder / derived_name(name, kind)
            write_query(catalog.con, builder(catalog, name), target)
            written.setdefault(name, {})[kind] = target.name
    return written


def write_query(con: duckdb.DuckDBPyConnection, query: exp.Expression, target: Path) -> None:
    cursor = con.cursor()
    try:
        cursor.sql(render(query)).write_parquet(str(target), compression="zstd")
    finally:
        cursor.close()
