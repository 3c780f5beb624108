"""Each customer's purchase history as the lifetime-value models read it, from one SQL aggregate.

Only orders with a positive amount and a known customer count, up to the
calibration end; a customer's purchases are the distinct days with such an
order (two orders on one day are one purchase, worth their sum):

- frequency x: the number of purchase days after the first one;
- recency t_x: days from the first purchase day to the last one;
- T: days from the first purchase day to the calibration end;
- monetary m: the mean value of the repeat purchase days (0 without repeats).

The same aggregate can count each customer's purchase days in a holdout that
follows the calibration end, so a model's predictions can be checked against
what the customers then did.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sqlglot import exp

from cxcore.analytics.clv_model import FloatArray
from cxcore.data.dataset import DAY, dim_column, fact_relation
from cxcore.metrics.engine import Engine
from cxcore.metrics.query import SHAPES, Selection
from cxcore.sqlkit import alias, and_all, column, fragment, param, table

DAYS = "purchase_days"
MEMBER = "member_{}"


@dataclass(frozen=True)
class CustomerInputs:
    """One entry per customer with a purchase day up to the calibration end."""

    customer_ids: list[str]
    x: FloatArray
    t_x: FloatArray
    T: FloatArray
    m: FloatArray
    holdout_purchases: FloatArray  # purchase days in the holdout (0 when none was asked)
    members: Mapping[str, list[str]]  # dimension -> each customer's member

    def __len__(self) -> int:
        return len(self.customer_ids)


@lru_cache(maxsize=SHAPES)
def inputs_sql(selection: Selection, dimensions: int) -> exp.Expression:
    """Per customer: x, t_x, T, m over [.., $calibration_end] and purchase days after it."""
    conditions, _ = selection.conditions("f")
    conditions += [
        fragment("f.amount > 0"),
        fragment("f.customer_id IS NOT NULL"),
        exp.LTE(this=column(DAY, "f"), expression=param("until")),
    ]
    members = [column(dim_column(i), "f") for i in range(dimensions)]
    days = (
        exp.select(
            column("customer_id", "f"),
            alias(column(DAY, "f"), "day"),
            # A customer's members are the same on every row: MIN picks them without making
            # them grouping keys (grouping by them too costs twice the time).
            *(alias(exp.Min(this=m), MEMBER.format(i)) for i, m in enumerate(members)),
            alias(fragment("SUM(f.amount)"), "value"),
        )
        .from_(table(fact_relation("orders")).as_("f"))
        .where(and_all(conditions))
        .group_by(column("customer_id", "f"), column(DAY, "f"))
    )
    calibration = "day <= :cal"
    cal = param("calibration_end")
    return (
        exp.select(
            column("customer_id"),
            *(
                alias(fragment(f"MIN({MEMBER.format(i)})"), MEMBER.format(i))
                for i in range(dimensions)
            ),
            alias(fragment(f"COUNT(*) FILTER (WHERE {calibration}) - 1", cal=cal), "x"),
            alias(
                fragment(
                    f"DATE_DIFF('day', MIN(day), MAX(day) FILTER (WHERE {calibration}))", cal=cal
                ),
                "t_x",
            ),
            alias(fragment("DATE_DIFF('day', MIN(day), :cal)", cal=cal), "t"),
            alias(
                fragment(f"SUM(value) FILTER (WHERE {calibration}) - ARG_MIN(value, day)", cal=cal),
                "repeat_value",
            ),
            alias(fragment(f"COUNT(*) FILTER (WHERE NOT ({calibration}))", cal=cal), "later"),
        )
        .with_(DAYS, as_=days)
        .from_(table(DAYS))
        .group_by(column("customer_id"))
        .having(fragment("MIN(day) <= :cal", cal=cal))
        .order_by(column("customer_id"))  # one order, so means add up identically every way
    )


def customer_inputs(
    engine: Engine,
    calibration_end: dt.date,
    filters: Mapping[str, Sequence[str]],
    holdout_end: dt.date | None = None,
) -> CustomerInputs:
    """The models' inputs of the customers in the filters (already checked by the engine)."""
    selection = engine.selection(filters, ())
    dimensions = list(engine.dataset.dimensions)
    params = {
        "calibration_end": calibration_end,
        "until": holdout_end or calibration_end,
        **selection.params(),
    }
    shape = ("clv inputs", selection.shape, len(dimensions))
    rows = engine.executor.fetch(inputs_sql(selection.shape, len(dimensions)), params, shape)
    width = len(dimensions)
    x = np.array([r[1 + width] for r in rows], dtype=np.float64)
    repeat_value = np.array([float(r[4 + width]) for r in rows], dtype=np.float64)
    return CustomerInputs(
        customer_ids=[r[0] for r in rows],
        x=x,
        t_x=np.array([r[2 + width] for r in rows], dtype=np.float64),
        T=np.array([r[3 + width] for r in rows], dtype=np.float64),
        m=np.divide(repeat_value, x, out=np.zeros_like(x), where=x > 0),
        holdout_purchases=np.array([r[5 + width] for r in rows], dtype=np.float64),
        members={name: [r[1 + i] for r in rows] for i, name in enumerate(dimensions)},
    )
