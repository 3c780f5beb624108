"""A deliberately naive second implementation of every KPI in the KPI spec.

The engine computes KPIs in SQL for speed; this module recomputes them with
plain loops over lists of dicts so that a differential test can catch the
engine drifting from the written definitions. Clarity beats speed here: each
KPI should read like its line in the spec, so a reviewer can check it by eye.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

UNKNOWN = "Unknown"
BASE_DIMENSIONS = ("segment", "region")
MAX_DIMENSION_MEMBERS = 200
COMPARE_MODES = ("previous", "yoy")

ORDER_KPIS = (
    "revenue",
    "revenue_growth",
    "active_customers",
    "revenue_per_customer",
    "retention_rate",
    "churn_rate",
    "net_revenue_retention",
    "expansion_revenue",
    "cross_sell_ratio",
    "multi_category_share",
    # the second release
    "orders",
    "average_order_value",
    "purchase_frequency",
    "gross_revenue_retention",
)
CUSTOMER_KPIS = ("new_customers", "cac")
SERVICE_KPIS = (
    "service_cost",
    "contacts",
    "cost_per_contact",
    "cost_to_serve",
    "first_contact_resolution",
    "sla_compliance",
)
NPS_KPIS = (
    "nps",
    "nps_responses",
    "promoters_share",
    "passives_share",
    "detractors_share",
    "nps_margin_of_error",
)
WEB_KPIS = (
    "sessions",
    "pages_per_session",
    "avg_time_on_site_s",
    "conversion_rate",
    "bounce_rate",
)
KPI_NAMES: tuple[str, ...] = ORDER_KPIS + CUSTOMER_KPIS + SERVICE_KPIS + NPS_KPIS + WEB_KPIS

# The column that decides in which period a row counts, per table.
DATE_COLUMNS = {
    "customers": "signup_date",
    "orders": "order_date",
    "nps_responses": "response_date",
    "service_contacts": "contact_date",
    "web_sessions": "session_date",
    "marketing_spend": "spend_date",
}

Row = Mapping[str, Any]
Value = float | int | None


@dataclass(frozen=True)
class Period:
    """A range of calendar days with both ends included, as the spec defines it."""

    start: dt.date
    end: dt.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    def as_json(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True)
class Fact:
    """One row with its counting day and its members.

    A dimension absent from `members` cannot be attributed for this row (only
    marketing spend has such rows), which is different from member `Unknown`.
    """

    day: dt.date
    members: Mapping[str, str]
    row: Row


def calendar_day(value: Any) -> dt.date:
    """Timestamps count on their calendar date, whatever the time of day."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def whole_unit(period: Period) -> str | None:
    """Which whole calendar unit the period is, since `previous` compares whole units."""
    start, end = period.start, period.end
    if start.day != 1:
        return None
    if end == _month_end(start.year, start.month):
        return "month"
    if start.month in (1, 4, 7, 10) and end == _month_end(start.year, start.month + 2):
        return "quarter"
    if start.month == 1 and end == dt.date(start.year, 12, 31):
        return "year"
    return None


def _minus_one_year(day: dt.date) -> dt.date:
    if (day.month, day.day) == (2, 29):
        return dt.date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def comparison_period(period: Period, mode: str) -> Period:
    """The period the spec compares `period` with, in comparison mode `mode`."""
    if mode == "yoy":
        return Period(_minus_one_year(period.start), _minus_one_year(period.end))
    if mode != "previous":
        raise ValueError(f"unknown comparison mode {mode!r}")
    day_before = period.start - dt.timedelta(days=1)
    unit = whole_unit(period)
    if unit == "month":
        return Period(day_before.replace(day=1), day_before)
    if unit == "quarter":
        return Period(dt.date(day_before.year, day_before.month - 2, 1), day_before)
    if unit == "year":
        return Period(dt.date(day_before.year, 1, 1), day_before)
    length = period.end - period.start + dt.timedelta(days=1)
    return Period(period.start - length, day_before)


def dimensions(customers: Sequence[Row]) -> list[str]:
    """Segment, region, then every other string column of customers that is small enough.

    Only columns with at least one non-null value can be recognised as string
    columns here, because plain dicts carry no column types.
    """
    columns: list[str] = []
    for row in customers:
        columns.extend(c for c in row if c not in columns)
    found = list(BASE_DIMENSIONS)
    for column in columns:
        if column in ("customer_id", "signup_date", *BASE_DIMENSIONS):
            continue
        values = [row.get(column) for row in customers if row.get(column) is not None]
        if (
            values
            and all(isinstance(v, str) for v in values)
            and len(set(values)) <= MAX_DIMENSION_MEMBERS
        ):
            found.append(column)
    return found


def _member(value: Any) -> str:
    """A member as the cockpit shows it: a written "Unknown" is kept apart from its own."""
    if value is None:
        return UNKNOWN
    return "Unknown (as exported)" if str(value) == UNKNOWN else str(value)


def attribute(tables: Mapping[str, Sequence[Row] | None]) -> dict[str, list[Fact] | None]:
    """Give every row its counting day and members; an absent table stays None."""
    customers = list(tables.get("customers") or [])
    dims = dimensions(customers)
    by_customer = {row["customer_id"]: {d: _member(row.get(d)) for d in dims} for row in customers}
    nobody = dict.fromkeys(dims, UNKNOWN)
    facts: dict[str, list[Fact] | None] = {}
    for name, date_column in DATE_COLUMNS.items():
        rows = tables.get(name)
        if rows is None:
            facts[name] = None
            continue
        table_facts = []
        for row in rows:
            if name == "marketing_spend":
                members = {d: _member(row.get(d)) for d in BASE_DIMENSIONS}
            else:
                cid = row.get("customer_id")
                members = by_customer.get(cid, nobody) if cid is not None else nobody
                if name == "web_sessions" and cid is None and row.get("region") is not None:
                    members = {**nobody, "region": str(row["region"])}
            table_facts.append(Fact(calendar_day(row[date_column]), members, row))
        facts[name] = table_facts
    return facts


def _in_scope(fact: Fact, scope: Mapping[str, frozenset[str]]) -> bool:
    return all(fact.members.get(dim) in allowed for dim, allowed in scope.items())


def _scoped(
    facts: Mapping[str, list[Fact] | None], scope: Mapping[str, frozenset[str]]
) -> dict[str, list[Fact] | None]:
    """Keep the rows of the view.

    Spend rows carry only segment and region, so once any other dimension is
    in play spend cannot be attributed and the table counts as unavailable.
    """
    spend_unattributable = any(d not in BASE_DIMENSIONS for d in scope)
    view: dict[str, list[Fact] | None] = {}
    for name, table_facts in facts.items():
        unavailable = name == "marketing_spend" and spend_unattributable
        if table_facts is None or unavailable:
            view[name] = None
        else:
            view[name] = [f for f in table_facts if _in_scope(f, scope)]
    return view


def _ratio(numerator: float | None, denominator: float) -> float | None:
    if numerator is None or denominator == 0:
        return None
    return numerator / denominator


def _rows_in(facts: Sequence[Fact], window: Period) -> list[Row]:
    return [f.row for f in facts if f.day in window]


def _revenue_by_customer(orders: Sequence[Fact], window: Period) -> dict[Any, float]:
    totals: dict[Any, float] = {}
    for row in _rows_in(orders, window):
        cid = row["customer_id"]
        totals[cid] = totals.get(cid, 0.0) + float(row["amount"])
    return totals


def _order_kpis(orders: Sequence[Fact], x: Period, y: Period) -> dict[str, Value]:
    """Order KPIs of window x, with y the window x is compared with (retention and friends)."""
    revenue_x = sum((float(r["amount"]) for r in _rows_in(orders, x)), 0.0)
    revenue_y = sum((float(r["amount"]) for r in _rows_in(orders, y)), 0.0)
    rev_x = _revenue_by_customer(orders, x)
    rev_y = _revenue_by_customer(orders, y)
    active_x, active_y = set(rev_x), set(rev_y)
    kept = active_x & active_y
    categories: dict[Any, set[Any]] = {}
    for row in _rows_in(orders, x):
        categories.setdefault(row["customer_id"], set()).add(row["product_category"])
    retention = _ratio(len(kept), len(active_y))
    # Orders are rows with a positive amount; refunds and credit notes are not orders.
    placed = [r for r in _rows_in(orders, x) if float(r["amount"]) > 0]
    with_customer = [r for r in placed if r["customer_id"] is not None]
    return {
        "revenue": revenue_x,
        "revenue_growth": _ratio(revenue_x - revenue_y, revenue_y),
        "active_customers": len(active_x),
        "revenue_per_customer": _ratio(revenue_x, len(active_x)),
        "retention_rate": retention,
        "churn_rate": None if retention is None else 1 - retention,
        "net_revenue_retention": _ratio(
            sum((rev_x.get(c, 0.0) for c in active_y), 0.0),
            sum((rev_y[c] for c in active_y), 0.0),
        ),
        "expansion_revenue": sum((max(0.0, rev_x[c] - rev_y[c]) for c in kept), 0.0),
        "cross_sell_ratio": _ratio(sum(len(s) for s in categories.values()), len(active_x)),
        "multi_category_share": _ratio(
            sum(1 for s in categories.values() if len(s) >= 2), len(active_x)
        ),
        "orders": len(placed),
        "average_order_value": _ratio(sum((float(r["amount"]) for r in placed), 0.0), len(placed)),
        "purchase_frequency": _ratio(len(with_customer), len(active_x)),
        "gross_revenue_retention": _ratio(
            sum((max(0.0, min(rev_x.get(c, 0.0), rev_y[c])) for c in active_y), 0.0),
            sum((rev_y[c] for c in active_y), 0.0),
        ),
    }


def _share_true(rows: Sequence[Row], column: str) -> float | None:
    known = [row[column] for row in rows if row.get(column) is not None]
    return _ratio(sum(1 for v in known if v), len(known))


def _service_kpis(
    contacts: Sequence[Fact] | None, x: Period, active_customers: int
) -> dict[str, Value]:
    if contacts is None:
        return dict.fromkeys(SERVICE_KPIS)
    rows = _rows_in(contacts, x)
    cost = sum((float(r["cost"]) for r in rows), 0.0)
    return {
        "service_cost": cost,
        "contacts": len(rows),
        "cost_per_contact": _ratio(cost, len(rows)),
        "cost_to_serve": _ratio(cost, active_customers),
        "first_contact_resolution": _share_true(rows, "resolved_first_contact"),
        "sla_compliance": _share_true(rows, "within_sla"),
    }


def _nps_kpis(responses: Sequence[Fact] | None, x: Period) -> dict[str, Value]:
    if responses is None:
        return dict.fromkeys(NPS_KPIS)
    scores = [int(r["score"]) for r in _rows_in(responses, x)]
    n = len(scores)
    promoters = sum(1 for s in scores if s >= 9)
    passives = sum(1 for s in scores if 7 <= s <= 8)
    detractors = sum(1 for s in scores if s <= 6)
    margin = None
    if n >= 2:
        p, d = promoters / n, detractors / n
        margin = 100 * 1.96 * math.sqrt(max(0.0, p + d - (p - d) ** 2) / n)
    return {
        "nps": None if n == 0 else 100 * (promoters - detractors) / n,
        "nps_responses": n,
        "promoters_share": _ratio(promoters, n),
        "passives_share": _ratio(passives, n),
        "detractors_share": _ratio(detractors, n),
        "nps_margin_of_error": margin,
    }


def _web_kpis(sessions: Sequence[Fact] | None, x: Period) -> dict[str, Value]:
    if sessions is None:
        return dict.fromkeys(WEB_KPIS)
    rows = _rows_in(sessions, x)
    n = len(rows)
    return {
        "sessions": n,
        "pages_per_session": _ratio(sum(int(r["pageviews"]) for r in rows), n),
        "avg_time_on_site_s": _ratio(sum((float(r["duration_s"]) for r in rows), 0.0), n),
        "conversion_rate": _ratio(sum(1 for r in rows if r["converted"]), n),
        "bounce_rate": _ratio(sum(1 for r in rows if int(r["pageviews"]) == 1), n),
    }


def window_kpis(view: Mapping[str, list[Fact] | None], x: Period, y: Period) -> dict[str, Value]:
    """Every KPI of window x; y is only used by the KPIs that compare two windows."""
    values = _order_kpis(view["orders"] or [], x, y)
    new_customers = len(_rows_in(view["customers"] or [], x))
    spend = view["marketing_spend"]
    values["new_customers"] = new_customers
    values["cac"] = (
        None
        if spend is None
        else _ratio(sum((float(r["spend"]) for r in _rows_in(spend, x)), 0.0), new_customers)
    )
    active = values["active_customers"]
    assert isinstance(active, int)
    values.update(_service_kpis(view["service_contacts"], x, active))
    values.update(_nps_kpis(view["nps_responses"], x))
    values.update(_web_kpis(view["web_sessions"], x))
    return {name: values[name] for name in KPI_NAMES}


def _kpis(
    facts: Mapping[str, list[Fact] | None],
    scope: Mapping[str, frozenset[str]],
    periods: tuple[Period, Period, Period],
) -> dict[str, dict[str, Value]]:
    p, q, r = periods
    view = _scoped(facts, scope)
    current, previous = window_kpis(view, p, q), window_kpis(view, q, r)
    return {name: {"value": current[name], "previous": previous[name]} for name in KPI_NAMES}


def _breakdown_keys(
    view: Mapping[str, list[Fact] | None], by: Sequence[str], p: Period, q: Period
) -> list[tuple[str, ...]]:
    """Members (or member tuples) with any row of the filtered view in P or Q."""
    keys: set[tuple[str, ...]] = set()
    for table_facts in view.values():
        for fact in table_facts or []:
            if (fact.day in p or fact.day in q) and all(d in fact.members for d in by):
                keys.add(tuple(fact.members[d] for d in by))
    return sorted(keys)


def compute(
    tables: Mapping[str, Sequence[Row] | None],
    start: dt.date,
    end: dt.date,
    compare: str,
    filters: Mapping[str, Sequence[str]],
    by: Sequence[str] | None,
) -> dict[str, Any]:
    """The result dictionary of the Python contract, computed from plain rows.

    `tables` maps table names to rows; an optional table that is absent (or
    None) makes its KPIs null.
    """
    p = Period(start, end)
    q = comparison_period(p, compare)
    r = comparison_period(q, compare)
    facts = attribute(tables)
    scope = {dim: frozenset(members) for dim, members in filters.items() if members}
    echoed = {"segment": [], "region": [], **{k: list(v) for k, v in filters.items()}}
    result: dict[str, Any] = {
        "period": p.as_json(),
        "comparison": {"mode": compare, **q.as_json()},
        "filters": echoed,
        "kpis": _kpis(facts, scope, (p, q, r)),
    }
    if by:
        entries = []
        for key in _breakdown_keys(_scoped(facts, scope), by, p, q):
            narrowed = {**scope, **{d: frozenset({m}) for d, m in zip(by, key, strict=True)}}
            entry: dict[str, Any] = dict(zip(by, key, strict=True))
            entry["kpis"] = _kpis(facts, narrowed, (p, q, r))
            entries.append(entry)
        result["breakdown"] = entries
    return result
