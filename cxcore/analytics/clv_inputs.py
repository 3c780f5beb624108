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
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from cxcore.analytics.clv_model import FloatArray
from cxcore.data.dataset import COMBO, DAY, dim_column, fact_relation
from cxcore.data.facts import combo_members
from cxcore.metrics.backend import float_column
from cxcore.metrics.engine import Engine
from cxcore.metrics.query import SHAPES, Selection
from cxcore.sqlkit import alias, and_all, column, fragment, param, table

DAYS = "purchase_days"
MEMBER = "member_{}"


@dataclass(frozen=True)
class MemberColumn:
    """Each customer's member of one dimension as a number into `labels`: the app keeps
    fits of a million customers, where a text per customer and dimension cost ~50 MB."""

    labels: tuple[str, ...]
    codes: np.ndarray

    def of(self, label: str) -> np.ndarray:
        """A mask of the customers in member `label`."""
        return self.codes == self.labels.index(label)

    def each(self) -> list[str]:
        """Each customer's member as text, in the customers' order."""
        return [self.labels[code] for code in self.codes.tolist()]


@dataclass(frozen=True)
class CustomerInputs:
    """One entry per customer with a purchase day up to the calibration end."""

    customer_ids: pa.Array
    x: FloatArray
    t_x: FloatArray
    T: FloatArray
    m: FloatArray
    holdout_purchases: FloatArray  # purchase days in the holdout (0 when none was asked)
    members: Mapping[str, MemberColumn]  # dimension -> each customer's member

    def __len__(self) -> int:
        return len(self.customer_ids)


@lru_cache(maxsize=SHAPES)
def inputs_sql(selection: Selection, dimensions: int, with_customers: bool) -> exp.Expr:
    """Per customer: x, t_x, T, m over [.., $calibration_end] and purchase days after it.

    Purchase days are grouped by customer and day carrying only the member
    combination's number; the members are looked up once per customer at the
    end (carrying them as text through millions of groups cost over twice the time).
    """
    conditions, _ = selection.conditions("f")
    conditions += [
        fragment("f.amount > 0"),
        fragment("f.customer_id IS NOT NULL"),
        exp.LTE(this=column(DAY, "f"), expression=param("until")),
    ]
    days = (
        exp.select(
            column("customer_id", "f"),
            alias(column(DAY, "f"), "day"),
            # A customer's combination is the same on every row: MIN picks it without
            # making it a grouping key.
            alias(exp.Min(this=column(COMBO, "f")), COMBO),
            alias(fragment("SUM(f.amount)"), "value"),
        )
        .from_(table(fact_relation("orders")).as_("f"))
        .where(and_all(conditions))
        .group_by(column("customer_id", "f"), column(DAY, "f"))
    )
    calibration = "day <= :cal"
    cal = param("calibration_end")
    per_customer = (
        exp.select(
            column("customer_id"),
            alias(exp.Min(this=column(COMBO)), COMBO),
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
        .from_(table(DAYS))
        .group_by(column("customer_id"))
        .having(fragment("MIN(day) <= :cal", cal=cal))
    )
    customers = table(fact_relation("customers")) if with_customers else None
    return (
        exp.select(
            column("customer_id", "p"),
            *(alias(column(dim_column(i), "k"), MEMBER.format(i)) for i in range(dimensions)),
            *(column(name, "p") for name in ("x", "t_x", "t", "repeat_value", "later")),
        )
        .with_(DAYS, as_=days)
        .from_(per_customer.subquery("p"))
        .join(
            combo_members(customers, dimensions).subquery("k"),
            on=fragment(f"p.{COMBO} = k.{COMBO}"),
        )
        .order_by(column("customer_id", "p"))  # one order, so means add up identically
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
    with_customers = engine.dataset.has("customers")
    shape = ("clv inputs", selection.shape, len(dimensions), with_customers)
    query = inputs_sql(selection.shape, len(dimensions), with_customers)
    found = engine.executor.fetch_arrow(query, params, shape)
    x, t_x, big_t, repeat_value, later = (
        float_column(found.column(name)) for name in ("x", "t_x", "t", "repeat_value", "later")
    )
    return CustomerInputs(
        customer_ids=found.column("customer_id").combine_chunks(),
        x=x,
        t_x=t_x,
        T=big_t,
        m=np.divide(repeat_value, x, out=np.zeros_like(x), where=x > 0),
        holdout_purchases=later,
        members={
            name: _member_column(found.column(MEMBER.format(i)))
            for i, name in enumerate(dimensions)
        },
    )


def _member_column(column: pa.ChunkedArray) -> MemberColumn:
    encoded = pc.dictionary_encode(column).combine_chunks()
    return MemberColumn(
        labels=tuple(encoded.dictionary.to_pylist()),
        codes=encoded.indices.to_numpy(zero_copy_only=False),
    )
