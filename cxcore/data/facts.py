"""Fact tables: every export row, typed, with its day and dimension members resolved once.

Attribution is decided here and nowhere else: a row's members come from its
customer; a row whose customer is null or unknown belongs to `Unknown`; an
anonymous web session keeps its own region; spend carries its own segment and
region. A member an export writes as `Unknown` itself becomes
`Unknown (as exported)`, so the cockpit's `Unknown` stays the unknown
customers. Every KPI query, rollup and analysis then reads facts, so no query
can attribute a row differently from another. The same SQL builds the facts
of a data folder (in memory) and of a published version (into Parquet).
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
from sqlglot import exp

from cxcore.data.contract import (
    BASE_DIMENSIONS,
    MAX_DIMENSION_MEMBERS,
    TABLES,
    UNKNOWN,
    UNKNOWN_AS_EXPORTED,
)
from cxcore.data.dataset import COMBO, DAY, SPEND_DIMENSIONS, dim_column, member_order
from cxcore.database import one_row
from cxcore.sqlkit import alias, aliased, column, fragment, render, table_alias

# The columns queries read from each fact table besides its day and dimensions: when an
# optional one is absent from an export, the fact carries it as nulls of its type.
FACT_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "orders": (
        ("customer_id", "VARCHAR"),
        ("product_category", "VARCHAR"),
        ("amount", "DECIMAL(38, 10)"),
    ),
    "customers": (("customer_id", "VARCHAR"),),
    "nps_responses": (("customer_id", "VARCHAR"), ("score", "BIGINT")),
    "service_contacts": (
        ("customer_id", "VARCHAR"),
        ("cost", "DECIMAL(38, 10)"),
        ("resolved_first_contact", "BOOLEAN"),
        ("within_sla", "BOOLEAN"),
    ),
    "web_sessions": (
        ("customer_id", "VARCHAR"),
        ("pageviews", "BIGINT"),
        ("duration_s", "DECIMAL(38, 10)"),
        ("converted", "BOOLEAN"),
    ),
    "marketing_spend": (("spend", "DECIMAL(38, 10)"),),
}


def discover_dimensions(con: duckdb.DuckDBPyConnection, customers: exp.Expr) -> list[str]:
    """segment, region, then every other low-cardinality text column of customers."""
    found = list(BASE_DIMENSIONS)
    described = con.execute(render(exp.Describe(this=_select_all(customers)))).fetchall()
    text_columns = [
        name
        for name, duck_type, *_ in described
        if name not in found and name != "customer_id" and duck_type == "VARCHAR"
    ]
    if text_columns:
        counts = exp.select(
            *(fragment("COUNT(DISTINCT :c)", c=name) for name in text_columns)
        ).from_(customers.copy())
        distinct = one_row(con, render(counts))
        found += [
            n for n, d in zip(text_columns, distinct, strict=True) if d <= MAX_DIMENSION_MEMBERS
        ]
    return found


def _select_all(source: exp.Expr) -> exp.Select:
    return exp.select("*").from_(source.copy())


def fact_select(
    name: str,
    rows: exp.Expr,
    customers_fact: exp.Expr | None,
    present: Sequence[str],
    dimensions: Sequence[str],
) -> exp.Select:
    """The fact rows of table `name` from its typed `rows`.

    Customers' own fact is built first, from the customers table; every other
    table takes its members (and the member combination `combo`) from it, by
    customer, so attribution is written once.
    """
    source = TABLES[name]
    parts: list[exp.Expr] = [alias(column(col, "f"), col) for col in present]
    parts += [
        alias(exp.cast(exp.Null(), duck_type), col)
        for col, duck_type in FACT_COLUMNS[name]
        if col not in present
    ]
    parts.append(alias(column(source.date_column or "", "f"), DAY))
    carried = [(i, d) for i, d in enumerate(dimensions) if _carries(name, d)]
    for index, dimension in carried:
        member = _member(name, index, dimension, present, customers_fact is not None)
        parts.append(alias(member, dim_column(index)))
    if name == "customers":
        tuple_order = [column(dim_column(i)) for i, _ in carried]
        combo = exp.Window(this=exp.func("DENSE_RANK"), order=exp.Order(expressions=tuple_order))
        return exp.select("*", alias(combo, COMBO)).from_(
            exp.select(*parts).from_(aliased(rows, "f")).subquery("m")
        )
    if name == "marketing_spend" or customers_fact is None:
        if name == "orders":
            parts.append(alias(exp.Literal.number(0), COMBO))
        return exp.select(*parts).from_(aliased(rows, "f"))
    if name == "orders":  # customer rollups group customers by their members' combination
        parts.append(alias(column(COMBO, "k"), COMBO))
    return (
        exp.select(*parts)
        .from_(aliased(rows, "f"))
        .join(
            exp.Subquery(this=_combo_by_customer(customers_fact), alias=table_alias("c")),
            join_type="left",
            on=fragment("f.customer_id = c.customer_id"),
        )
        .join(
            exp.Subquery(
                this=combo_members(customers_fact, len(dimensions)), alias=table_alias("k")
            ),
            on=exp.EQ(
                this=column(COMBO, "k"),
                expression=fragment("COALESCE(:c, 0)", c=column(COMBO, "c")),
            ),
        )
    )


def _combo_by_customer(customers_fact: exp.Expr) -> exp.Select:
    """Each customer's member combination number, and nothing else.

    The join of a large table to its customers keeps this side in memory:
    one id and one integer per customer rather than every member's text
    (20M web sessions' facts in 250 MB took 33 s this way, 46 s with the
    text). The members come from the small table of combinations.
    """
    return exp.select(column("customer_id"), column(COMBO)).from_(customers_fact.copy())


def _carries(name: str, dimension: str) -> bool:
    return name != "marketing_spend" or dimension in SPEND_DIMENSIONS


def _member(name: str, index: int, dimension: str, present: Sequence[str], known: bool) -> exp.Expr:
    unknown = exp.Literal.string(UNKNOWN)
    if name in ("customers", "marketing_spend"):
        own = _as_exported(column(dimension, "f")) if dimension in present else exp.Null()
        return exp.Coalesce(this=own, expressions=[unknown])
    member: exp.Expr = unknown
    if known:  # no customers table yet: every customer is unknown
        member = column(dim_column(index), "k")  # combination 0 is the unknown customer's
    if name == "web_sessions" and dimension == "region" and "region" in present:
        # An anonymous session carries its own region; a known customer's region wins.
        return fragment(
            "CASE WHEN f.customer_id IS NULL THEN COALESCE(:r, :u) ELSE :m END",
            r=_as_exported(column("region", "f")),
            u=unknown,
            m=member,
        )
    return member


def _as_exported(own: exp.Expr) -> exp.Expr:
    """The export's own value, with a written `Unknown` told apart from the cockpit's."""
    return fragment(
        "CASE WHEN :v = :u THEN :x ELSE :v END",
        v=own,
        u=exp.Literal.string(UNKNOWN),
        x=exp.Literal.string(UNKNOWN_AS_EXPORTED),
    )


def members(
    con: duckdb.DuckDBPyConnection, facts: dict[str, exp.Expr], dimensions: Sequence[str]
) -> dict[str, tuple[str, ...]]:
    """Every dimension's members over all facts that carry it, in reading order."""
    found: dict[str, set[str]] = {d: set() for d in dimensions}
    for name, fact in facts.items():
        carried = [(i, d) for i, d in enumerate(dimensions) if _carries(name, d)]
        for index, dimension in carried:
            query = exp.select(column(dim_column(index))).distinct().from_(fact.copy())
            found[dimension].update(r[0] for r in con.execute(render(query)).fetchall())
    return {d: tuple(sorted(found[d], key=member_order)) for d in dimensions}


def combo_members(customers_fact: exp.Expr | None, dimensions: int) -> exp.Select:
    """Each member combination number with its members; 0 is the unknown customer's.

    The orders fact carries only the number: rollups and per-customer answers group
    by one integer and look the members up here.
    """
    dims = [column(dim_column(i)) for i in range(dimensions)]
    unknown = exp.select(
        alias(exp.Literal.number(0), COMBO),
        *(alias(exp.Literal.string(UNKNOWN), dim_column(i)) for i in range(dimensions)),
    )
    if customers_fact is None:
        return unknown
    known = exp.select(column(COMBO), *dims).distinct().from_(customers_fact.copy())
    return exp.union(known, unknown, distinct=False)  # type: ignore[return-value]
