"""The KPI registry: every KPI and every base measure, declared once.

SQL computes *measures* (sums and counts per table, per period slot); each KPI
is a small formula over measures. The cards, breakdowns, command line, docs
and tests all read these declarations, so a KPI's meaning lives in one place.

A measure is evaluated twice per view: in slot ``p`` (current window P, prior
window Q) and in slot ``q`` (current window Q, prior window R, the period
before Q). A KPI's ``value`` is its formula over slot ``p``; its ``previous``
is the same formula over slot ``q``.
"""

from __future__ import annotations

from cxcore.metrics.evidence import nps_evidence, rate_evidence
from cxcore.metrics.kpi import Direction, Kpi, Unit, difference, one_minus, ratio
from cxcore.metrics.measures import Measures, Number


def _nps(m: Measures) -> float | None:
    share = ratio(difference(m["promoters"], m["detractors"]), m["responses"])
    return None if share is None else 100 * share


def _nps_margin(m: Measures) -> float | None:
    n = m["responses"]
    if n is None or n < 2:
        return None
    p, d = m["promoters"] / n, m["detractors"] / n  # type: ignore[operator]
    return 100 * 1.96 * max(p + d - (p - d) ** 2, 0.0) ** 0.5 / n**0.5


G, L, X, S, V, D = (
    "Growth",
    "Loyalty",
    "Cross-sell",
    "Service",
    "Voice of the customer",
    "Digital",
)
UP, DOWN, NEUTRAL = Direction.UP_IS_GOOD, Direction.DOWN_IS_GOOD, Direction.NEUTRAL

KPIS: tuple[Kpi, ...] = (
    Kpi(
        "revenue",
        "Revenue",
        "Sum of order amounts in the period; refunds count negative.",
        Unit.CURRENCY,
        UP,
        "orders",
        G,
        lambda m: m["revenue"],
    ),
    Kpi(
        "revenue_growth",
        "Revenue growth",
        "Change in revenue against the comparison period, as a fraction of it.",
        Unit.RATIO,
        UP,
        "orders",
        G,
        lambda m: ratio(difference(m["revenue"], m["revenue_prior"]), m["revenue_prior"]),
    ),
    Kpi(
        "active_customers",
        "Active customers",
        "Customers with at least one order (of any amount) in the period.",
        Unit.COUNT,
        UP,
        "orders",
        G,
        lambda m: m["active"],
    ),
    Kpi(
        "revenue_per_customer",
        "Revenue per customer",
        "Revenue divided by active customers.",
        Unit.CURRENCY,
        UP,
        "orders",
        G,
        lambda m: ratio(m["revenue"], m["active"]),
    ),
    Kpi(
        "orders",
        "Orders",
        "Orders with a positive amount in the period; refunds and credit notes are not orders.",
        Unit.COUNT,
        UP,
        "orders",
        G,
        lambda m: m["orders"],
    ),
    Kpi(
        "average_order_value",
        "Average order value",
        "Amount of the period's orders (refunds left out) divided by their number.",
        Unit.CURRENCY,
        UP,
        "orders",
        G,
        lambda m: ratio(m["order_value"], m["orders"]),
    ),
    Kpi(
        "retention_rate",
        "Retention",
        "Share of the comparison period's active customers who ordered again in this period.",
        Unit.RATIO,
        UP,
        "orders",
        L,
        lambda m: ratio(m["retained"], m["prior_active"]),
        rate_evidence("retained", "prior_active"),
    ),
    Kpi(
        "churn_rate",
        "Churn",
        "Share of the comparison period's active customers who did not order in this period.",
        Unit.RATIO,
        DOWN,
        "orders",
        L,
        lambda m: one_minus(ratio(m["retained"], m["prior_active"])),
        rate_evidence("retained", "prior_active", complement=True),
    ),
    Kpi(
        "net_revenue_retention",
        "Net revenue retention",
        "This period's revenue from the comparison period's customers, over what they spent then.",
        Unit.RATIO,
        UP,
        "orders",
        L,
        # Σ_{c∈A(Q)} rev_c(Q) is all of revenue(Q): every order has a customer.
        lambda m: ratio(m["cohort_rev_cur"], m["revenue_prior"]),
    ),
    Kpi(
        "gross_revenue_retention",
        "Gross revenue retention",
        "Revenue the comparison period's customers kept, each capped at what they spent then.",
        Unit.RATIO,
        UP,
        "orders",
        L,
        lambda m: ratio(m["gross_retained"], m["revenue_prior"]),
    ),
    Kpi(
        "purchase_frequency",
        "Purchase frequency",
        "Orders per active customer.",
        Unit.NUMBER,
        UP,
        "orders",
        L,
        lambda m: ratio(m["customer_orders"], m["active"]),
    ),
    Kpi(
        "expansion_revenue",
        "Expansion revenue",
        "Revenue growth from returning customers who spent more than in the comparison period.",
        Unit.CURRENCY,
        UP,
        "orders",
        L,
        lambda m: m["expansion"],
    ),
    Kpi(
        "cross_sell_ratio",
        "Cross-sell ratio",
        "Mean number of distinct product categories per active customer.",
        Unit.NUMBER,
        UP,
        "orders",
        X,
        lambda m: ratio(m["category_sum"], m["active"]),
    ),
    Kpi(
        "multi_category_share",
        "Multi-category share",
        "Share of active customers who bought from two or more categories.",
        Unit.RATIO,
        UP,
        "orders",
        X,
        lambda m: ratio(m["multi_category"], m["active"]),
        rate_evidence("multi_category", "active"),
    ),
    Kpi(
        "new_customers",
        "New customers",
        "Customers whose signup date is in the period.",
        Unit.COUNT,
        UP,
        "customers",
        G,
        lambda m: m["new_customers"],
    ),
    Kpi(
        "cac",
        "CAC",
        "Customer acquisition cost: marketing spend per new customer.",
        Unit.CURRENCY,
        DOWN,
        "marketing_spend",
        G,
        lambda m: ratio(m["spend"], m["new_customers"]),
    ),
    Kpi(
        "service_cost",
        "Service cost",
        "Total cost of service contacts in the period.",
        Unit.CURRENCY,
        DOWN,
        "service_contacts",
        S,
        lambda m: m["service_cost"],
    ),
    Kpi(
        "contacts",
        "Contacts",
        "Number of service contacts in the period.",
        Unit.COUNT,
        DOWN,  # every contact costs money: more of them is bad news
        "service_contacts",
        S,
        lambda m: m["contacts"],
    ),
    Kpi(
        "cost_per_contact",
        "Cost per contact",
        "Service cost divided by contacts.",
        Unit.CURRENCY,
        DOWN,
        "service_contacts",
        S,
        lambda m: ratio(m["service_cost"], m["contacts"]),
    ),
    Kpi(
        "cost_to_serve",
        "Cost to serve",
        "Service cost per active customer.",
        Unit.CURRENCY,
        DOWN,
        "service_contacts",
        S,
        lambda m: ratio(m["service_cost"], m["active"]),
    ),
    Kpi(
        "first_contact_resolution",
        "First-contact resolution",
        "Share of contacts resolved at the first contact, where that is recorded.",
        Unit.RATIO,
        UP,
        "service_contacts",
        S,
        lambda m: ratio(m["fcr_true"], m["fcr_known"]),
        rate_evidence("fcr_true", "fcr_known"),
    ),
    Kpi(
        "sla_compliance",
        "SLA compliance",
        "Share of contacts handled within the service level, where that is recorded.",
        Unit.RATIO,
        UP,
        "service_contacts",
        S,
        lambda m: ratio(m["sla_true"], m["sla_known"]),
        rate_evidence("sla_true", "sla_known"),
    ),
    Kpi(
        "nps",
        "NPS",
        "Net Promoter Score: % promoters (9-10) minus % detractors (0-6).",
        Unit.SCORE,
        UP,
        "nps_responses",
        V,
        _nps,
        nps_evidence(),
    ),
    Kpi(
        "nps_responses",
        "NPS responses",
        "Survey responses in the period.",
        Unit.COUNT,
        UP,
        "nps_responses",
        V,
        lambda m: m["responses"],
    ),
    Kpi(
        "promoters_share",
        "Promoters",
        "Share of responses scoring 9 or 10.",
        Unit.RATIO,
        UP,
        "nps_responses",
        V,
        lambda m: ratio(m["promoters"], m["responses"]),
        rate_evidence("promoters", "responses"),
    ),
    Kpi(
        "passives_share",
        "Passives",
        "Share of responses scoring 7 or 8.",
        Unit.RATIO,
        NEUTRAL,  # passives move with promoters and detractors, which carry the news
        "nps_responses",
        V,
        lambda m: ratio(m["passives"], m["responses"]),
        rate_evidence("passives", "responses"),
    ),
    # The spec calls a rise good for every KPI but six; a rising detractor share is
    # plainly bad news to an executive, so its card colours that way.
    Kpi(
        "detractors_share",
        "Detractors",
        "Share of responses scoring 0 to 6.",
        Unit.RATIO,
        DOWN,
        "nps_responses",
        V,
        lambda m: ratio(m["detractors"], m["responses"]),
        rate_evidence("detractors", "responses"),
    ),
    Kpi(
        "nps_margin_of_error",
        "NPS margin of error",
        "95% margin of error of the NPS, in points; null under two responses.",
        Unit.SCORE,
        UP,
        "nps_responses",
        V,
        _nps_margin,
        precision=True,
    ),
    Kpi(
        "sessions",
        "Sessions",
        "Web and app sessions in the period.",
        Unit.COUNT,
        UP,
        "web_sessions",
        D,
        lambda m: m["sessions"],
    ),
    Kpi(
        "pages_per_session",
        "Pages per session",
        "Pageviews divided by sessions.",
        Unit.NUMBER,
        UP,
        "web_sessions",
        D,
        lambda m: ratio(m["pageviews"], m["sessions"]),
    ),
    Kpi(
        "avg_time_on_site_s",
        "Time on site",
        "Mean session duration, in seconds.",
        Unit.SECONDS,
        UP,
        "web_sessions",
        D,
        lambda m: ratio(m["duration_sum"], m["sessions"]),
    ),
    Kpi(
        "conversion_rate",
        "Conversion",
        "Share of sessions that converted.",
        Unit.RATIO,
        UP,
        "web_sessions",
        D,
        lambda m: ratio(m["conversions"], m["sessions"]),
        rate_evidence("conversions", "sessions"),
    ),
    Kpi(
        "bounce_rate",
        "Bounce rate",
        "Share of sessions with exactly one pageview.",
        Unit.RATIO,
        DOWN,
        "web_sessions",
        D,
        lambda m: ratio(m["bounces"], m["sessions"]),
        rate_evidence("bounces", "sessions"),
    ),
)

KPI_BY_NAME: dict[str, Kpi] = {k.name: k for k in KPIS}
GROUPS: tuple[str, ...] = (G, L, X, S, V, D)


def evaluate(measures: Measures) -> dict[str, Number]:
    """Every KPI's value from one slot's measures (missing tables give null measures)."""
    return {kpi.name: kpi.formula(measures) for kpi in KPIS}
