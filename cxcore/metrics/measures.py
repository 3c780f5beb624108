"""Base measures: the sums and counts SQL computes, per table and period slot.

Each is a fixed SQL fragment over a block's rows (`in_cur`, `in_prior` say
whether a row falls in the slot's current or prior window). KPIs in the
registry are formulas over these, so SQL only ever sums and counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

Number = float | int | None
Measures = Mapping[str, Number]


@dataclass(frozen=True)
class Measure:
    """One aggregate in SQL; ``sql`` is a fixed fragment over the block's columns."""

    name: str
    table: str
    sql: str

    @property
    def zero(self) -> int | float:
        """The value over no rows: counts are whole numbers, sums are amounts."""
        return 0 if self.sql.startswith("COUNT") else 0.0


# Per-customer columns of the orders block, in slot terms; measures below read them.
ORDER_CUSTOMER_COLUMNS: dict[str, str] = {
    "rev_cur": "SUM(amount) FILTER(WHERE in_cur)",
    "rev_prior": "SUM(amount) FILTER(WHERE in_prior)",
    "n_cur": "COUNT(*) FILTER(WHERE in_cur)",
    "n_prior": "COUNT(*) FILTER(WHERE in_prior)",
    "cats_cur": "COUNT(DISTINCT product_category) FILTER(WHERE in_cur)",
}

MEASURES: tuple[Measure, ...] = (
    # orders, aggregated over per-customer rows
    Measure("revenue", "orders", "COALESCE(SUM(rev_cur), 0)"),
    Measure("revenue_prior", "orders", "COALESCE(SUM(rev_prior), 0)"),
    Measure("active", "orders", "COUNT(*) FILTER(WHERE n_cur > 0)"),
    Measure("prior_active", "orders", "COUNT(*) FILTER(WHERE n_prior > 0)"),
    Measure("retained", "orders", "COUNT(*) FILTER(WHERE n_prior > 0 AND n_cur > 0)"),
    Measure(
        "cohort_rev_cur",
        "orders",
        "COALESCE(SUM(COALESCE(rev_cur, 0)) FILTER(WHERE n_prior > 0), 0)",
    ),
    Measure("cohort_rev_prior", "orders", "COALESCE(SUM(rev_prior) FILTER(WHERE n_prior > 0), 0)"),
    Measure(
        "expansion",
        "orders",
        "COALESCE(SUM(GREATEST(0, rev_cur - rev_prior))"
        " FILTER(WHERE n_prior > 0 AND n_cur > 0), 0)",
    ),
    Measure("category_sum", "orders", "COALESCE(SUM(cats_cur) FILTER(WHERE n_cur > 0), 0)"),
    Measure("multi_category", "orders", "COUNT(*) FILTER(WHERE cats_cur >= 2)"),
    # customers
    Measure("new_customers", "customers", "COUNT(*) FILTER(WHERE in_cur)"),
    # marketing_spend
    Measure("spend", "marketing_spend", "COALESCE(SUM(spend) FILTER(WHERE in_cur), 0)"),
    Measure("spend_rows", "marketing_spend", "COUNT(*) FILTER(WHERE in_cur)"),
    # service_contacts
    Measure("contacts", "service_contacts", "COUNT(*) FILTER(WHERE in_cur)"),
    Measure("service_cost", "service_contacts", "COALESCE(SUM(cost) FILTER(WHERE in_cur), 0)"),
    Measure(
        "fcr_true", "service_contacts", "COUNT(*) FILTER(WHERE in_cur AND resolved_first_contact)"
    ),
    Measure("fcr_known", "service_contacts", "COUNT(resolved_first_contact) FILTER(WHERE in_cur)"),
    Measure("sla_true", "service_contacts", "COUNT(*) FILTER(WHERE in_cur AND within_sla)"),
    Measure("sla_known", "service_contacts", "COUNT(within_sla) FILTER(WHERE in_cur)"),
    # nps_responses
    Measure("responses", "nps_responses", "COUNT(*) FILTER(WHERE in_cur)"),
    Measure("promoters", "nps_responses", "COUNT(*) FILTER(WHERE in_cur AND score >= 9)"),
    Measure("passives", "nps_responses", "COUNT(*) FILTER(WHERE in_cur AND score BETWEEN 7 AND 8)"),
    Measure("detractors", "nps_responses", "COUNT(*) FILTER(WHERE in_cur AND score <= 6)"),
    # web_sessions
    Measure("sessions", "web_sessions", "COUNT(*) FILTER(WHERE in_cur)"),
    Measure("pageviews", "web_sessions", "COALESCE(SUM(pageviews) FILTER(WHERE in_cur), 0)"),
    Measure("duration_sum", "web_sessions", "COALESCE(SUM(duration_s) FILTER(WHERE in_cur), 0)"),
    Measure("conversions", "web_sessions", "COUNT(*) FILTER(WHERE in_cur AND converted)"),
    Measure("bounces", "web_sessions", "COUNT(*) FILTER(WHERE in_cur AND pageviews = 1)"),
)

# Which measure says "this member has a row in the current window" per table.
PRESENCE: dict[str, str] = {
    "orders": "active",
    "customers": "new_customers",
    "marketing_spend": "spend_rows",
    "service_contacts": "contacts",
    "nps_responses": "responses",
    "web_sessions": "sessions",
}

MEASURE_BY_NAME: dict[str, Measure] = {m.name: m for m in MEASURES}


def measures_of(table: str) -> tuple[Measure, ...]:
    return tuple(m for m in MEASURES if m.table == table)
