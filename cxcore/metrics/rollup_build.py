"""Building the rollups the engine reads, from fact relations, on DuckDB.

The rollups are derived from the measure declarations in `measures`:

- `daily_<table>`: each additive measure's column per day and members;
- `customer_months`: each customer's revenue and orders per month;
- `windows_orders`: per whole month, quarter and year and members, the
  customer measures of one window (`WINDOW_COLUMNS`);
- `pairs_orders`: per window, lag and members, the measures of customers
  active both in the window and `lag` units before it (`PAIR_COLUMNS`);
- `cohorts_orders`: per cohort basis, cohort month, calendar month and
  members, the cohort's customers with an order in that month and their
  revenue (`cxcore.metrics.cohorts` reads it).

Customers are grouped by the number of their member combination (`combo`)
while the big per-customer tables are built, and the combination is turned
back into member names only in the small results. Which distinct product
categories a customer bought is kept as a bit string, so a quarter's or a
year's distinct categories are the union of its months'.

A `Sink` decides where a result goes: a table of the connection (a data
folder read in memory) or a Parquet file (a version being published).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import duckdb
from sqlglot import exp

from cxcore.data.dataset import (
    COHORTS_RELATION,
    COMBO,
    CUSTOMER_MONTHS_RELATION,
    DAY,
    PAIRS_RELATION,
    WINDOWS_RELATION,
    Place,
    Relation,
    daily_relation,
    dim_column,
)
from cxcore.data.facts import combo_members
from cxcore.metrics.cohorts import COHORT_COLUMNS, Basis, cohort_members
from cxcore.metrics.measures import PAIR_COLUMNS, WINDOW_COLUMNS, daily_columns
from cxcore.metrics.periods import CalendarUnit
from cxcore.metrics.rollups import LAGS, LEAP_FEBRUARY, LEAP_PAIRS
from cxcore.sqlkit import alias, aliased, column, create_table, fragment, render, table

CATEGORIES, COMBOS, MONTHS, UNITS = "_cx_categories", "_cx_combos", "_cx_months", "_cx_units"
LEAP_FEBRUARIES = "_cx_leap_februaries"
PAIR_KEYS = ("unit", "start", "lag", "prior_unit")  # a pairs row's window pair
UNIT_KEY_SPAN = 1_000_000  # more months than any calendar holds
UNIT_CODES = {**{str(u): i for i, u in enumerate(CalendarUnit)}, LEAP_FEBRUARY: len(CalendarUnit)}
LEAP_FEBRUARY_DAYS = "month(:d) = 2 AND day(:d) <= 28 AND day(last_day(:d)) = 29"


class Sink(Protocol):
    def write(self, name: str, query: exp.Expression) -> Relation: ...


@dataclass
class TableSink:
    """Results as tables of the connection."""

    con: duckdb.DuckDBPyConnection

    def write(self, name: str, query: exp.Expression) -> Relation:
        self.con.execute(create_table(name, query))
        return Relation(Place.TABLE, name)


@dataclass
class ParquetSink:
    """Results as Parquet files in `folder`, named after the relation."""

    con: duckdb.DuckDBPyConnection
    folder: Path
    written: list[Path] = field(default_factory=list)

    def write(self, name: str, query: exp.Expression) -> Relation:
        target = self.folder / f"{name}.parquet"
        copy = exp.Copy(
            this=exp.Subquery(this=integers_as_bigint(self.con, query)),
            files=[exp.Literal.string(str(target))],
            params=[exp.CopyParameter(this=exp.var("FORMAT"), expression=exp.var("parquet"))],
        )
        self.con.execute(render(copy))
        self.written.append(target)
        return Relation(Place.PARQUET, str(target))


def integers_as_bigint(con: duckdb.DuckDBPyConnection, query: exp.Expression) -> exp.Expression:
    """Sums of whole numbers come out as 128-bit integers, which Parquet can only hold as
    doubles: they are written as 64-bit integers, so a count reads back as a count."""
    described = con.execute(render(exp.Describe(this=query.copy()))).fetchall()
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


def source(relation: Relation) -> exp.Expression:
    """Where a relation's rows are read from, for a query on the building connection."""
    if relation.place is Place.TABLE:
        return table(relation.target)
    return exp.func("read_parquet", exp.Literal.string(relation.target))


def daily(name: str, fact: exp.Expression, dimensions: Sequence[int]) -> exp.Select:
    """Additive measure columns per day and combination of members, sorted by day."""
    keys = [column(DAY), *(column(dim_column(i)) for i in dimensions)]
    measures = [alias(fragment(sql), col) for col, sql in daily_columns(name).items()]
    return exp.select(*keys, *measures).from_(fact.copy()).group_by(*keys).order_by(column(DAY))


def build_orders_rollups(
    con: duckdb.DuckDBPyConnection,
    orders_fact: exp.Expression,
    customers_fact: exp.Expression | None,
    dimensions: int,
    sink: Sink,
) -> dict[str, Relation]:
    """customer_months, windows and pairs of the orders fact; temp tables are dropped after."""
    _temp(con, CATEGORIES, _categories(orders_fact))
    (count,) = con.execute(f"SELECT COUNT(*) FROM {CATEGORIES}").fetchone() or (0,)
    _temp(con, COMBOS, combo_members(customers_fact, dimensions))
    _temp(con, MONTHS, _customer_months(orders_fact, max(int(count), 1)))
    leap_days = fragment(LEAP_FEBRUARY_DAYS, d=column(DAY))
    _temp(con, LEAP_FEBRUARIES, _customer_months(orders_fact, max(int(count), 1), leap_days))
    _temp(con, UNITS, _customer_units())
    built = {
        CUSTOMER_MONTHS_RELATION: sink.write(CUSTOMER_MONTHS_RELATION, _months_file()),
        WINDOWS_RELATION: sink.write(WINDOWS_RELATION, _windows(dimensions)),
        PAIRS_RELATION: sink.write(PAIRS_RELATION, _pairs(dimensions)),
        COHORTS_RELATION: sink.write(COHORTS_RELATION, _cohorts(customers_fact, dimensions)),
    }
    for name in (UNITS, LEAP_FEBRUARIES, MONTHS, COMBOS, CATEGORIES):
        con.execute(f"DROP TABLE IF EXISTS {name}")
    return built


def _temp(con: duckdb.DuckDBPyConnection, name: str, query: exp.Expression) -> None:
    con.execute(create_table(name, query, temporary=True))


def _categories(fact: exp.Expression) -> exp.Select:
    distinct = exp.select(column("product_category")).distinct().from_(fact.copy())
    rank = fragment("CAST(DENSE_RANK() OVER (ORDER BY product_category) - 1 AS INT)")
    return exp.select(column("product_category"), alias(rank, "idx")).from_(distinct.subquery("c"))


def _customer_months(
    fact: exp.Expression, categories: int, days: exp.Expression | None = None
) -> exp.Select:
    """Each customer's orders per month (of the `days` only, when given)."""
    month = fragment("CAST(date_trunc('month', :d) AS DATE)", d=column(DAY))
    query = (
        exp.select(
            column("customer_id"),
            alias(month, "start"),
            alias(fragment("CAST(year(:d) * 12 + month(:d) - 1 AS INT)", d=column(DAY)), "midx"),
            alias(fragment("any_value(:c)", c=column(COMBO)), COMBO),
            alias(fragment("SUM(amount)"), "rev"),
            alias(fragment("COUNT(*)"), "n"),
            alias(fragment(f"bitstring_agg(c.idx, 0, {categories - 1})"), "mask"),
        )
        .from_(aliased(fact, "f"))
        .join(table(CATEGORIES).as_("c"), using=["product_category"])
        .group_by(column("customer_id"), month, fragment("midx"))
    )
    return query.where(days) if days is not None else query


def _unit_key(unit: str, first_month: exp.Expression) -> exp.Expression:
    """The unit and its first month as one integer: joining on it is several times faster
    than joining on the unit's name and the month."""
    code = UNIT_CODES[unit]
    return exp.Add(this=first_month, expression=exp.Literal.number(code * UNIT_KEY_SPAN))


def _as_units(unit: str, months: str) -> exp.Select:
    return exp.select(
        alias(exp.Literal.string(unit), "unit"),
        "start",
        "midx",
        alias(_unit_key(unit, column("midx")), "ukey"),
        "customer_id",
        COMBO,
        "rev",
        "n",
        "mask",
    ).from_(table(months))


def _customer_units() -> exp.Expression:
    """The months as they are, quarters and years as unions of their months, and 1-28
    February of each leap year."""
    parts: list[exp.Expression] = [
        _as_units(str(CalendarUnit.MONTH), MONTHS),
        _as_units(LEAP_FEBRUARY, LEAP_FEBRUARIES),
    ]
    for unit in (CalendarUnit.QUARTER, CalendarUnit.YEAR):
        first = fragment(f"midx - midx % {unit.months}")
        parts.append(
            exp.select(
                alias(exp.Literal.string(str(unit)), "unit"),
                alias(fragment(f"CAST(date_trunc('{unit}', MIN(start)) AS DATE)"), "start"),
                alias(first, "midx"),
                alias(_unit_key(str(unit), first.copy()), "ukey"),
                column("customer_id"),
                alias(fragment("any_value(:c)", c=column(COMBO)), COMBO),
                alias(fragment("SUM(rev)"), "rev"),
                alias(fragment("SUM(n)"), "n"),
                alias(fragment("bit_or(mask)"), "mask"),
            )
            .from_(table(MONTHS))
            .group_by(column("customer_id"), first.copy())
        )
    union = parts[0]
    for part in parts[1:]:
        union = exp.union(union, part, distinct=False)
    return union


def _months_file() -> exp.Select:
    return exp.select("customer_id", "start", COMBO, "rev", "n").from_(table(MONTHS))


def _by_members(
    inner: exp.Select, keys: Sequence[str], measures: Sequence[str], dims: int
) -> exp.Select:
    """Combination numbers back to members, summing combinations that name the same ones."""
    dim_names = [column(dim_column(i), "k") for i in range(dims)]
    group = [*(column(k, "r") for k in keys), *dim_names]
    return (
        exp.select(
            *(column(k, "r") for k in keys),
            *(alias(d, d.name) for d in dim_names),
            *(alias(fragment(f"SUM(r.{m})"), m) for m in measures),
        )
        .from_(inner.subquery("r"))
        .join(
            table(COMBOS).as_("k"),
            on=exp.EQ(this=column(COMBO, "r"), expression=column(COMBO, "k")),
        )
        .group_by(*group)
    )


def _windows(dims: int) -> exp.Select:
    per_customer = exp.select(
        "unit", "start", COMBO, alias(fragment("bit_count(mask)"), "cats")
    ).from_(table(UNITS))
    inner = (
        exp.select(
            "unit",
            "start",
            COMBO,
            *(alias(fragment(sql), name) for name, sql in WINDOW_COLUMNS.items()),
        )
        .from_(per_customer.subquery("u"))
        .group_by("unit", "start", COMBO)
    )
    return _by_members(inner, ("unit", "start"), list(WINDOW_COLUMNS), dims)


def _lags() -> exp.Values:
    """Each pair of windows the pairs table holds, with the distance between their unit
    keys: the previous unit and a year before, and a leap February's pairs."""
    pairs = [(str(u), lag, lag * u.months, str(u)) for u, lags in LAGS.items() for lag in lags]
    for current, prior in LEAP_PAIRS:
        shift = (UNIT_CODES[current] - UNIT_CODES[prior]) * UNIT_KEY_SPAN
        pairs.append((current, 12, 12 + shift, prior))
    return exp.Values(
        expressions=[
            exp.Tuple(
                expressions=[
                    exp.Literal.string(unit),
                    exp.Literal.number(lag),
                    exp.Literal.number(distance),
                    exp.Literal.string(prior),
                ]
            )
            for unit, lag, distance, prior in pairs
        ],
        alias=exp.TableAlias(
            this=exp.to_identifier("l"),
            columns=[exp.to_identifier(c) for c in ("unit", "lag", "months", "prior_unit")],
        ),
    )


def _pairs(dims: int) -> exp.Select:
    both = (
        exp.select(
            column("unit", "c"),
            column("start", "c"),
            column("lag", "l"),
            column("prior_unit", "l"),
            column(COMBO, "c"),
            alias(column("rev", "c"), "rev_cur"),
            alias(column("rev", "p"), "rev_prior"),
        )
        .from_(table(UNITS).as_("c"))
        .join(_lags(), on=fragment("c.unit = l.unit"))
        .join(
            table(UNITS).as_("p"),
            on=fragment("p.customer_id = c.customer_id AND p.ukey = c.ukey - l.months"),
        )
    )
    keys = PAIR_KEYS
    inner = (
        exp.select(
            *keys,
            COMBO,
            *(alias(fragment(sql), name) for name, sql in PAIR_COLUMNS.items()),
        )
        .from_(both.subquery("b"))
        .group_by(*keys, COMBO)
    )
    return _by_members(inner, keys, list(PAIR_COLUMNS), dims)


def _cohorts(customers_fact: exp.Expression | None, dims: int) -> exp.Select:
    """Each customer's months under the cohort of each basis (`cohorts.COHORT_OF`)."""
    members = {
        basis: cohort_members(basis, table(MONTHS), customers_fact)
        for basis in Basis
        if basis is Basis.FIRST_ORDER or customers_fact is not None
    }
    inner: exp.Expression | None = None
    for basis, cohort in members.items():
        part = (
            exp.select(
                alias(exp.Literal.string(str(basis)), "basis"),
                column("cohort", "c"),
                column("start", "m"),
                column(COMBO, "m"),
                alias(fragment("COUNT(*)"), "customers"),
                alias(fragment("SUM(m.rev)"), "revenue"),
            )
            .from_(table(MONTHS).as_("m"))
            .join(cohort.subquery("c"), using=["customer_id"])
            .where(fragment("m.start >= c.cohort"))
            .group_by(column("cohort", "c"), column("start", "m"), column(COMBO, "m"))
        )
        inner = part if inner is None else exp.union(inner, part, distinct=False)
    assert inner is not None
    rows = exp.select("*").from_(inner.subquery("u"))
    return _by_members(rows, ("basis", "cohort", "start"), COHORT_COLUMNS, dims)


def expected_columns(tables: Sequence[str]) -> dict[str, set[str]]:
    """The measure columns each rollup of these tables must hold for today's queries.

    A version published before a measure existed lacks its column; the reader
    serves such a version from its fact rows instead.
    """
    expected = {daily_relation(name): set(daily_columns(name)) for name in tables}
    if "orders" in tables:
        expected[CUSTOMER_MONTHS_RELATION] = {"customer_id", "start", COMBO, "rev", "n"}
        expected[WINDOWS_RELATION] = set(WINDOW_COLUMNS)
        expected[PAIRS_RELATION] = {*PAIR_KEYS, *PAIR_COLUMNS}
        expected[COHORTS_RELATION] = {"basis", "cohort", "start", *COHORT_COLUMNS}
    return expected


def build_rollups(
    con: duckdb.DuckDBPyConnection,
    facts: dict[str, Relation],
    dimensions: Sequence[str],
    sink: Sink,
    tables: Sequence[str] | None = None,
) -> dict[str, Relation]:
    """Every rollup of the given tables (default: all of `facts`), from their fact relations."""
    chosen = list(facts) if tables is None else list(tables)
    built: dict[str, Relation] = {}
    for name in chosen:
        carried = [i for i, d in enumerate(dimensions) if name != "marketing_spend" or i < 2]
        built[daily_relation(name)] = sink.write(
            daily_relation(name), daily(name, source(facts[name]), carried)
        )
    if "orders" in chosen:
        built |= build_orders_rollups(
            con,
            source(facts["orders"]),
            source(facts["customers"]) if "customers" in facts else None,
            len(dimensions),
            sink,
        )
    return built
