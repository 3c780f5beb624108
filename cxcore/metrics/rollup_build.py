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

The tables keyed by customer are built one share of the customers at a time
when the orders are many for the engine's memory (`shares`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
from sqlglot import exp

from cxcore.data.dataset import (
    COHORTS_RELATION,
    COMBO,
    CUSTOMER_MONTHS_RELATION,
    DAY,
    PAIRS_RELATION,
    WINDOWS_RELATION,
    Relation,
    daily_relation,
    dim_column,
)
from cxcore.data.facts import combo_members
from cxcore.database import one_row
from cxcore.metrics.cohorts import COHORT_COLUMNS, Basis, cohort_members
from cxcore.metrics.measures import PAIR_COLUMNS, WINDOW_COLUMNS, daily_columns
from cxcore.metrics.periods import CalendarUnit
from cxcore.metrics.rollup_sink import ParquetSink, source
from cxcore.metrics.rollups import LAGS, LEAP_FEBRUARY, LEAP_PAIRS
from cxcore.metrics.shares import Scratch, Share, customer_passes, only, temp
from cxcore.sqlkit import alias, aliased, column, count_rows, drop_table, fragment, table

CATEGORIES, COMBOS, MONTHS, UNITS = "_cx_categories", "_cx_combos", "_cx_months", "_cx_units"
LEAP_FEBRUARIES = "_cx_leap_februaries"
PAIR_PARTS, COHORT_PARTS = "_cx_pair_parts", "_cx_cohort_parts"
PAIR_KEYS = ("unit", "start", "lag", "prior_unit")  # a pairs row's window pair
COHORT_KEYS = ("basis", "cohort", "start")
UNIT_KEY_SPAN = 1_000_000  # more months than any calendar holds
UNIT_CODES = {**{str(u): i for i, u in enumerate(CalendarUnit)}, LEAP_FEBRUARY: len(CalendarUnit)}
LEAP_FEBRUARY_DAYS = "month(:d) = 2 AND day(:d) <= 28 AND day(last_day(:d)) = 29"


def daily(name: str, fact: exp.Expr, dimensions: Sequence[int]) -> exp.Select:
    """Additive measure columns per day and combination of members, sorted by day."""
    keys = [column(DAY), *(column(dim_column(i)) for i in dimensions)]
    measures = [alias(fragment(sql), col) for col, sql in daily_columns(name).items()]
    return exp.select(*keys, *measures).from_(fact.copy()).group_by(*keys).order_by(column(DAY))


def build_orders_rollups(
    con: duckdb.DuckDBPyConnection,
    orders_fact: exp.Expr,
    customers_fact: exp.Expr | None,
    dimensions: int,
    sink: ParquetSink,
    scratch: Scratch,
) -> dict[str, Relation]:
    """customer_months, windows, pairs and cohorts of the orders fact; the tables in
    between are dropped after."""
    temp(con, CATEGORIES, _categories(orders_fact))
    (count,) = one_row(con, count_rows(CATEGORIES))
    temp(con, COMBOS, combo_members(customers_fact, dimensions))
    passes = customer_passes(con, orders_fact)
    categories = max(int(count), 1)
    try:
        for index in range(passes):
            share = Share(index, passes) if passes > 1 else None
            _build_share(scratch, index, share, orders_fact, customers_fact, categories)
        return _write_orders_rollups(sink, dimensions)
    finally:
        scratch.drop()
        for name in (COMBOS, CATEGORIES):
            con.execute(drop_table(name))


def _mask(categories: int) -> exp.Expr:
    """The categories a customer bought in a month, one bit each."""
    return fragment("bitstring_agg(c.idx, 0, :last)", last=exp.Literal.number(categories - 1))


def _build_share(
    scratch: Scratch,
    index: int,
    share: Share | None,
    orders_fact: exp.Expr,
    customers_fact: exp.Expr | None,
    categories: int,
) -> None:
    """One share's customer months, units, pairs and cohorts, each from the share's own
    rows of the one before."""
    scratch.write(MONTHS, index, _customer_months(orders_fact, categories, share))
    leap_days = fragment(LEAP_FEBRUARY_DAYS, d=column(DAY))
    leap = _customer_months(orders_fact, categories, share, leap_days)
    scratch.write(LEAP_FEBRUARIES, index, leap)
    units = _customer_units(scratch.part(MONTHS, index), scratch.part(LEAP_FEBRUARIES, index))
    scratch.write(UNITS, index, units)
    scratch.write(PAIR_PARTS, index, _pair_parts(scratch.part(UNITS, index)))
    cohorts = _cohort_parts(customers_fact, scratch.part(MONTHS, index))
    scratch.write(COHORT_PARTS, index, cohorts)


def _write_orders_rollups(sink: ParquetSink, dimensions: int) -> dict[str, Relation]:
    return {
        CUSTOMER_MONTHS_RELATION: sink.write(CUSTOMER_MONTHS_RELATION, _months_file()),
        WINDOWS_RELATION: sink.write(WINDOWS_RELATION, _windows(dimensions)),
        PAIRS_RELATION: sink.write(
            PAIRS_RELATION, _summed(PAIR_PARTS, PAIR_KEYS, PAIR_COLUMNS, dimensions)
        ),
        COHORTS_RELATION: sink.write(
            COHORTS_RELATION, _summed(COHORT_PARTS, COHORT_KEYS, COHORT_COLUMNS, dimensions)
        ),
    }


def _categories(fact: exp.Expr) -> exp.Select:
    distinct = exp.select(column("product_category")).distinct().from_(fact.copy())
    rank = fragment("CAST(DENSE_RANK() OVER (ORDER BY product_category) - 1 AS INT)")
    return exp.select(column("product_category"), alias(rank, "idx")).from_(distinct.subquery("c"))


def _customer_months(
    fact: exp.Expr,
    categories: int,
    share: Share | None,
    days: exp.Expr | None = None,
) -> exp.Select:
    """Each customer's orders per month (of the `share` and `days` only, when given)."""
    month = fragment("CAST(date_trunc('month', :d) AS DATE)", d=column(DAY))
    query = (
        exp.select(
            column("customer_id"),
            alias(month, "start"),
            alias(fragment("CAST(year(:d) * 12 + month(:d) - 1 AS INT)", d=column(DAY)), "midx"),
            alias(fragment("any_value(:c)", c=column(COMBO)), COMBO),
            alias(fragment("SUM(amount)"), "rev"),
            alias(fragment("COUNT(*)"), "n"),
            alias(_mask(categories), "mask"),
        )
        .from_(aliased(fact, "f"))
        .join(table(CATEGORIES).as_("c"), using=["product_category"])
        .group_by(column("customer_id"), month, fragment("midx"))
    )
    query = only(query, share)
    return query.where(days.copy()) if days is not None else query


def _unit_key(unit: str, first_month: exp.Expr) -> exp.Expr:
    """The unit and its first month as one integer: joining on it is several times faster
    than joining on the unit's name and the month."""
    code = UNIT_CODES[unit]
    return exp.Add(this=first_month, expression=exp.Literal.number(code * UNIT_KEY_SPAN))


def _as_units(unit: str, months: exp.Expr) -> exp.Select:
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
    ).from_(months.copy())


def _customer_units(months: exp.Expr, leap_februaries: exp.Expr) -> exp.Expr:
    """The months as they are, quarters and years as unions of their months, and 1-28
    February of each leap year."""
    parts: list[exp.Expr] = [
        _as_units(str(CalendarUnit.MONTH), months),
        _as_units(LEAP_FEBRUARY, leap_februaries),
    ]
    for unit in (CalendarUnit.QUARTER, CalendarUnit.YEAR):
        first = fragment("midx - midx % :months", months=exp.Literal.number(unit.months))
        per_unit = (
            exp.select(
                alias(exp.Literal.string(str(unit)), "unit"),
                alias(
                    fragment(
                        "CAST(date_trunc(:unit, MIN(start)) AS DATE)",
                        unit=exp.Literal.string(str(unit)),
                    ),
                    "start",
                ),
                alias(first, "midx"),
                alias(_unit_key(str(unit), first.copy()), "ukey"),
                column("customer_id"),
                alias(fragment("any_value(:c)", c=column(COMBO)), COMBO),
                alias(fragment("SUM(rev)"), "rev"),
                alias(fragment("SUM(n)"), "n"),
                alias(fragment("bit_or(mask)"), "mask"),
            )
            .from_(months.copy())
            .group_by(column("customer_id"), first.copy())
        )
        parts.append(per_unit)
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


def _summed(parts: str, keys: Sequence[str], measures: Iterable[str], dims: int) -> exp.Select:
    """The measures of every share's part summed per key and members: each customer is in
    one share, so the sums are those of all customers at once."""
    return _by_members(exp.select("*").from_(table(parts)), keys, list(measures), dims)


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


def _pair_parts(units: exp.Expr) -> exp.Select:
    """The pairs' measures of the customers in `units`, per window pair and combination."""
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
        .from_(aliased(units, "c"))
        .join(_lags(), on=fragment("c.unit = l.unit"))
        .join(
            aliased(units, "p"),
            on=fragment("p.customer_id = c.customer_id AND p.ukey = c.ukey - l.months"),
        )
    )
    return (
        exp.select(
            *PAIR_KEYS,
            COMBO,
            *(alias(fragment(sql), name) for name, sql in PAIR_COLUMNS.items()),
        )
        .from_(both.subquery("b"))
        .group_by(*PAIR_KEYS, COMBO)
    )


def _cohort_parts(customers_fact: exp.Expr | None, months: exp.Expr) -> exp.Select:
    """The months of the customers in `months` under the cohort of each basis
    (`cohorts.COHORT_OF`)."""
    members = {
        basis: cohort_members(basis, months, customers_fact)
        for basis in Basis
        if basis is Basis.FIRST_ORDER or customers_fact is not None
    }
    inner: exp.Query | None = None
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
            .from_(aliased(months, "m"))
            .join(cohort.subquery("c"), using=["customer_id"])
            .where(fragment("m.start >= c.cohort"))
            .group_by(column("cohort", "c"), column("start", "m"), column(COMBO, "m"))
        )
        inner = part if inner is None else exp.union(inner, part, distinct=False)
    assert inner is not None
    return exp.select("*").from_(inner.subquery("u"))


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
        expected[COHORTS_RELATION] = {*COHORT_KEYS, *COHORT_COLUMNS}
    return expected


def build_rollups(
    con: duckdb.DuckDBPyConnection,
    facts: dict[str, Relation],
    dimensions: Sequence[str],
    sink: ParquetSink,
    scratch: Path,
    tables: Sequence[str] | None = None,
) -> dict[str, Relation]:
    """Every rollup of the given tables (default: all of `facts`), from their fact relations;
    the tables in between are written in `scratch`, removed after."""
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
            Scratch(con, scratch),
        )
    return built
