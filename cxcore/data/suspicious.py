"""Rows that keep the contract but look wrong: accepted, and reported as warnings with counts.

An order whose customer is not in `customers` is counted under `Unknown`; a
row dated after today is kept as it is; a segment or region written `Unknown`
is kept as `Unknown (as exported)`, apart from the cockpit's own `Unknown`.
None stops a publish, but an analyst should know before the numbers move.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping

import duckdb
from sqlglot import exp

from cxcore.data.contract import BASE_DIMENSIONS, TABLES, UNKNOWN, UNKNOWN_AS_EXPORTED
from cxcore.data.reading import ROW_COLUMN
from cxcore.data.validation import MAX_EXAMPLES, Example, Finding, Severity
from cxcore.database import one_row
from cxcore.sqlkit import alias, aliased, column, describe_query, fragment, render

UNKNOWN_CUSTOMER = "name a customer absent from customers (counted as Unknown)"
WRITTEN_UNKNOWN = (
    f"are written {UNKNOWN!r}, the cockpit's member for rows whose customer is unknown:"
    f" kept as {UNKNOWN_AS_EXPORTED!r}"
)


def suspicious_rows(
    con: duckdb.DuckDBPyConnection,
    tables: Mapping[str, exp.Expr],
    customers: exp.Expr | None = None,
    today: dt.date | None = None,
) -> Iterator[Finding]:
    """Warnings for every table given; `customers` defaults to the `customers` given."""
    today = today or dt.date.today()
    known = customers if customers is not None else tables.get("customers")
    for name, rows in tables.items():
        spec = TABLES[name]
        columns = {r[0] for r in con.execute(describe_query(rows)).fetchall()}
        if "customer_id" in columns and name != "customers" and known is not None:
            ids = exp.select(column("customer_id")).from_(known.copy())
            yield from _warn(
                con,
                rows,
                name,
                "customer_id",
                UNKNOWN_CUSTOMER,
                fragment(
                    "t.customer_id IS NOT NULL AND t.customer_id NOT IN (:ids)",
                    ids=ids,
                ),
                column("customer_id", "t"),
            )
        for dimension in (d for d in BASE_DIMENSIONS if d in columns):
            value = column(dimension, "t")
            written = exp.EQ(this=value.copy(), expression=exp.Literal.string(UNKNOWN))
            yield from _warn(con, rows, name, dimension, WRITTEN_UNKNOWN, written, value)
        day = column(spec.date_column or "", "t")
        later = exp.GT(this=day, expression=exp.cast(exp.Literal.string(today.isoformat()), "DATE"))
        yield from _warn(
            con, rows, name, spec.date_column, f"are dated after today ({today})", later, day
        )


def _warn(
    con: duckdb.DuckDBPyConnection,
    rows: exp.Expr,
    name: str,
    col: str | None,
    words: str,
    condition: exp.Expr,
    value: exp.Expr,
) -> Iterator[Finding]:
    base = (
        exp.select(alias(column(ROW_COLUMN), "_row"), alias(exp.cast(value, "VARCHAR"), "_v"))
        .from_(aliased(rows, "t"))
        .where(condition)
    )
    (count,) = one_row(
        con, render(exp.select(exp.Count(this=exp.Star())).from_(base.subquery("w")))
    )
    if count:
        found = con.execute(render(base.order_by("_row").limit(MAX_EXAMPLES))).fetchall()
        examples = tuple(Example(int(r), v) for r, v in found)
        yield Finding(name, col, words, int(count), Severity.WARNING, examples)
