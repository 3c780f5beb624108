"""The value of experience: what promoters, passives and detractors are worth next period.

Customers (with an id) who answered in the comparison period Q are grouped by
their latest answer there (latest by day, then by `response_id`); for each
group, `retention_rate` is the share who ordered in the current period P and
`revenue_per_customer` their mean revenue in P (0 for those who did not
order). An empty group has null rates. `worth` turns the groups into the
money an executive asks about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from cxcore.metrics.engine import Engine
from cxcore.metrics.kpi import difference
from cxcore.metrics.survey import CLASSES, DETRACTOR, PASSIVE, PROMOTER, value_groups_query
from cxcore.voice.scope import fetch, has_survey, survey_scope

DAYS_PER_YEAR = 365
SHIFTED_SHARE = Fraction(1, 10)  # "what moving 10% of detractors to passive is worth"


def nps_value(
    engine: Engine,
    start: str | dt.date,
    end: str | dt.date,
    compare: str = "previous",
    filters: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """`{"groups": [{"group", "customers", "retention_rate", "revenue_per_customer"}, ...]}`,
    promoters, passives and detractors in that order."""
    windows = engine.windows(start, end, compare)
    scope = survey_scope(engine, filters)
    found: dict[str, tuple[int, int, Any]] = {}
    if has_survey(engine):
        query = value_groups_query(windows.compared, windows.current, scope)
        found = {row[0]: (int(row[1]), int(row[2]), row[3]) for row in fetch(engine, query)}
    return {"groups": [_group(name, *found.get(name, (0, 0, 0))) for name in CLASSES]}


def _group(name: str, customers: int, bought: int, revenue: Any) -> dict[str, Any]:
    if customers == 0:
        return {
            "group": name,
            "customers": 0,
            "retention_rate": None,
            "revenue_per_customer": None,
        }
    return {
        "group": name,
        "customers": customers,
        "retention_rate": bought / customers,
        "revenue_per_customer": float(_exact(revenue) / customers),
    }


def _exact(value: Any) -> Fraction:
    return Fraction(Decimal(value)) if not isinstance(value, Fraction) else value


@dataclass(frozen=True)
class Worth:
    """The groups in money and in weight, over a year.

    `detractor_cost`: what a detractor brings in a year less than a promoter
    (revenue per customer in P, scaled from P's days to a year); `shift_value`:
    a year's revenue gained if 10% of the detractors brought what a passive
    brings; `asymmetry`: how many times more retention a detractor loses against
    a passive than a promoter gains against one (passive - detractor over
    promoter - passive); None where a group is empty or the gain is not positive.
    """

    detractor_cost: float | None
    shift_value: float | None
    shifted_customers: float | None
    asymmetry: float | None
    loss: float | None  # retention points a detractor loses against a passive
    gain: float | None  # retention points a promoter gains against a passive


def worth(groups: Sequence[Mapping[str, Any]], period_days: int) -> Worth:
    by = {g["group"]: g for g in groups}
    revenue = {name: by[name]["revenue_per_customer"] for name in CLASSES}
    retention = {name: by[name]["retention_rate"] for name in CLASSES}
    year = DAYS_PER_YEAR / period_days
    cost = difference(revenue[PROMOTER], revenue[DETRACTOR])
    shifted = float(SHIFTED_SHARE * by[DETRACTOR]["customers"])
    step = difference(revenue[PASSIVE], revenue[DETRACTOR])
    loss = difference(retention[PASSIVE], retention[DETRACTOR])
    gain = difference(retention[PROMOTER], retention[PASSIVE])
    return Worth(
        detractor_cost=None if cost is None else cost * year,
        shift_value=None if step is None else shifted * step * year,
        shifted_customers=shifted,
        asymmetry=loss / gain if loss is not None and gain is not None and gain > 0 else None,
        loss=loss,
        gain=gain,
    )
