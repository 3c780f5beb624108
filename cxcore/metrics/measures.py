"""Base measures: the sums and counts SQL computes, declared once for every query path.

KPIs in the registry are formulas over these, so SQL only ever sums and counts.
There are two kinds, because they roll up differently:

- An *additive* measure sums or counts rows (revenue, contacts, promoters).
  Its value over any set of days and members is the sum of its values over
  the parts, so a daily rollup answers any period exactly.
- A *customer* measure counts or sums customers by what they did in a
  window, or in the current window against the prior one (active customers,
  retained customers, expansion). Customers are not additive over days (a
  customer who orders in two months is one customer in the quarter), but
  they are additive over members: each customer sits under exactly one
  combination of dimension members. So for whole months, quarters and years
  the publish step computes them once per combination of members
  (`WINDOW_COLUMNS`, `PAIR_COLUMNS`) and a view sums a small table; any other
  period is computed from the rows (`sql`).

Each customer measure states its exact SQL over per-customer columns and the
rollup column that answers it; the equality of the two is a property test.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

Number = float | int | None
Measures = Mapping[str, Number]

# What each customer did in the slot's windows; the per-customer step computes these.
PER_CUSTOMER_COLUMNS: dict[str, str] = {
    "rev_cur": "SUM(amount) FILTER(WHERE in_cur)",
    "rev_prior": "SUM(amount) FILTER(WHERE in_prior)",
    "n_cur": "COUNT(*) FILTER(WHERE in_cur)",
    "n_prior": "COUNT(*) FILTER(WHERE in_prior)",
    "cats_cur": "COUNT(DISTINCT product_category) FILTER(WHERE in_cur)",
}


class Window(StrEnum):
    """Which window of a slot a measure looks at: P for `p` slots, Q for `q` slots, and so on."""

    CURRENT = "cur"
    PRIOR = "prior"


@dataclass(frozen=True)
class Additive:
    """A count of rows, or a sum of a column over rows, where an optional condition holds.

    `column` names the rollup column that holds it per day; measures that read
    the same rows in the other window (revenue_prior) share their column.
    """

    name: str
    table: str
    value: str | None = None  # the column summed; None: rows are counted
    where: str | None = None  # which rows count, a condition over the fact columns
    window: Window = Window.CURRENT
    column: str | None = None

    @property
    def rollup_column(self) -> str:
        return self.column or self.name

    @property
    def zero(self) -> int | float:
        """The value over no rows: counts are whole numbers, sums are amounts."""
        return 0 if self.value is None else 0.0

    def over_rows(self) -> str:
        """The SQL over fact rows flagged `in_cur` / `in_prior`."""
        condition = " AND ".join(filter(None, [f"in_{self.window}", self.where]))
        if self.value is None:
            return f"COUNT(*) FILTER(WHERE {condition})"
        return f"COALESCE(SUM({self.value}) FILTER(WHERE {condition}), 0)"

    def rolled_up(self) -> str:
        """The rollup column's SQL over the rows of one day and combination of members."""
        if self.value is None:
            return f"COUNT(*) FILTER(WHERE {self.where})" if self.where else "COUNT(*)"
        if self.where:
            return f"COALESCE(SUM({self.value}) FILTER(WHERE {self.where}), 0)"
        return f"COALESCE(SUM({self.value}), 0)"

    def over_rollup(self) -> str:
        """The SQL over rollup rows flagged `in_cur` / `in_prior`."""
        return f"COALESCE(SUM({self.rollup_column}) FILTER(WHERE in_{self.window}), 0)"


@dataclass(frozen=True)
class CustomerMeasure:
    """A measure over customers; `sql` reads the per-customer columns above.

    `rollup` says where the publish-time rollups keep it: a column of the
    windows table read at the slot's current or prior window, or a column of
    the pairs table (customers active in both windows).
    """

    name: str
    sql: str
    rollup: tuple[str, str]  # ("window", Window) or ("pair", "")
    column: str

    @property
    def zero(self) -> int | float:
        return 0 if self.sql.startswith("COUNT") else 0.0


ADDITIVE: tuple[Additive, ...] = (
    # orders
    Additive("revenue", "orders", value="amount"),
    Additive("revenue_prior", "orders", value="amount", window=Window.PRIOR, column="revenue"),
    # Refunds and credit notes (amount <= 0) are not orders.
    Additive("orders", "orders", where="amount > 0"),
    Additive("order_value", "orders", value="amount", where="amount > 0"),
    # The contract makes every order's customer known; the definition asks for it all the same.
    Additive("customer_orders", "orders", where="amount > 0 AND customer_id IS NOT NULL"),
    # customers
    Additive("new_customers", "customers"),
    # marketing_spend
    Additive("spend", "marketing_spend", value="spend"),
    Additive("spend_rows", "marketing_spend"),
    # service_contacts
    Additive("contacts", "service_contacts"),
    Additive("service_cost", "service_contacts", value="cost"),
    Additive("fcr_true", "service_contacts", where="resolved_first_contact"),
    Additive("fcr_known", "service_contacts", where="resolved_first_contact IS NOT NULL"),
    Additive("sla_true", "service_contacts", where="within_sla"),
    Additive("sla_known", "service_contacts", where="within_sla IS NOT NULL"),
    # nps_responses
    Additive("responses", "nps_responses"),
    Additive("promoters", "nps_responses", where="score >= 9"),
    Additive("passives", "nps_responses", where="score BETWEEN 7 AND 8"),
    Additive("detractors", "nps_responses", where="score <= 6"),
    # web_sessions
    Additive("sessions", "web_sessions"),
    Additive("pageviews", "web_sessions", value="pageviews"),
    Additive("duration_sum", "web_sessions", value="duration_s"),
    Additive("conversions", "web_sessions", where="converted"),
    Additive("bounces", "web_sessions", where="pageviews = 1"),
)

# A customer's revenue growth, at the amounts' scale of 10 decimals on every engine: DuckDB
# keeps DECIMAL(38, 10); Spark does too because its session keeps decimal scale
# (spark.sql.decimalOperations.allowPrecisionLoss = false, in metrics/spark_backend.py).
# No narrower cast: the largest accepted amounts sum to 28 integer digits.
AMOUNT_GROWTH = "rev_cur - rev_prior"

CURRENT, PRIOR = ("window", Window.CURRENT), ("window", Window.PRIOR)
PAIR = ("pair", "")

# Orders' customer measures. A(X): customers with an order (of any amount) in X.
CUSTOMER: tuple[CustomerMeasure, ...] = (
    CustomerMeasure("active", "COUNT(*) FILTER(WHERE n_cur > 0)", CURRENT, "active"),
    CustomerMeasure("prior_active", "COUNT(*) FILTER(WHERE n_prior > 0)", PRIOR, "active"),
    CustomerMeasure(
        "category_sum", "COALESCE(SUM(cats_cur) FILTER(WHERE n_cur > 0), 0)", CURRENT, "categories"
    ),
    CustomerMeasure(
        "multi_category", "COUNT(*) FILTER(WHERE cats_cur >= 2)", CURRENT, "multi_category"
    ),
    CustomerMeasure(
        "retained", "COUNT(*) FILTER(WHERE n_prior > 0 AND n_cur > 0)", PAIR, "retained"
    ),
    # Σ_{c∈A(Q)} rev_c(P): a customer absent from P adds 0, so only returning ones count.
    CustomerMeasure(
        "cohort_rev_cur",
        "COALESCE(SUM(rev_cur) FILTER(WHERE n_prior > 0 AND n_cur > 0), 0)",
        PAIR,
        "cohort_revenue",
    ),
    CustomerMeasure(
        "expansion",
        f"COALESCE(SUM(GREATEST(0, {AMOUNT_GROWTH})) FILTER(WHERE n_prior > 0 AND n_cur > 0), 0)",
        PAIR,
        "expansion",
    ),
    # Σ_{c∈A(Q)} max(0, min(rev_c(P), rev_c(Q))): a customer absent from P keeps min(0, ·) <= 0,
    # so only returning ones count.
    CustomerMeasure(
        "gross_retained",
        "COALESCE(SUM(GREATEST(0, LEAST(rev_cur, rev_prior)))"
        " FILTER(WHERE n_prior > 0 AND n_cur > 0), 0)",
        PAIR,
        "gross_retained",
    ),
)

# The windows rollup: per whole month, quarter or year and combination of members,
# over each customer's orders in that window (`rev`, `n`, `cats`).
WINDOW_COLUMNS: dict[str, str] = {
    "active": "COUNT(*)",
    "categories": "SUM(cats)",
    "multi_category": "COUNT(*) FILTER(WHERE cats >= 2)",
}
# The pairs rollup: per window and lag, over customers with orders in both the
# window (`rev_cur`) and the one `lag` units before it (`rev_prior`).
PAIR_COLUMNS: dict[str, str] = {
    "retained": "COUNT(*)",
    "cohort_revenue": "SUM(rev_cur)",
    "expansion": f"SUM(GREATEST(0, {AMOUNT_GROWTH}))",
    "gross_retained": "SUM(GREATEST(0, LEAST(rev_cur, rev_prior)))",
}

# Which measure says "this member has a row in the current window" per table.
PRESENCE: dict[str, str] = {
    "orders": "active",
    "customers": "new_customers",
    "marketing_spend": "spend_rows",
    "service_contacts": "contacts",
    "nps_responses": "responses",
    "web_sessions": "sessions",
}

ALL_MEASURES: tuple[Additive | CustomerMeasure, ...] = (*ADDITIVE, *CUSTOMER)
ALL_NAMES: tuple[str, ...] = tuple(m.name for m in ALL_MEASURES)


def additive_of(table: str) -> tuple[Additive, ...]:
    return tuple(m for m in ADDITIVE if m.table == table)


def daily_columns(table: str) -> dict[str, str]:
    """The daily rollup's measure columns for a table: one per column its measures read."""
    return {m.rollup_column: m.rolled_up() for m in additive_of(table) if m.column is None}


def table_of(name: str) -> str:
    """The table a measure comes from (customer measures: orders)."""
    for measure in ADDITIVE:
        if measure.name == name:
            return measure.table
    return "orders"


def zero_of(name: str) -> int | float:
    return next(m.zero for m in ALL_MEASURES if m.name == name)
