"""What the Spark parity suites share: a recording executor, typed exact values, odd data.

The same published versions are opened on DuckDB and on Spark and asked the
same questions; every query's raw rows are recorded so the suites can require
them equal query by query (decimals as decimals, counts as integers), and
results are compared with every number tagged by its type (floats bit for bit).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlglot import exp

from cxcore import Cockpit
from cxcore.metrics.backend import Rows
from tests.factories import contact, customer, nps, order, session, spend, write_folder


class Recording:
    """An executor that keeps every query's rows, to compare engines query by query."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.dialect = inner.dialect
        self.rows: dict[str, list[tuple[tuple[str, str], ...]]] = {}
        self._lock = threading.Lock()

    def fetch(self, query: exp.Expr, params: Mapping[str, Any], shape: Any = ()) -> Rows:
        rows = self.inner.fetch(query, params, shape)
        self._record(shape, params, rows)
        return rows

    def fetch_arrow(self, query: exp.Expr, params: Mapping[str, Any], shape: Any = ()) -> pa.Table:
        found = self.inner.fetch_arrow(query, params, shape)
        self._record(shape, params, [tuple(row.values()) for row in found.to_pylist()])
        return found

    def _record(self, shape: Any, params: Mapping[str, Any], rows: Rows) -> None:
        key = repr(shape) + repr(sorted(params.items()))
        typed = sorted(tuple(_exact(v) for v in row) for row in rows)
        with self._lock:
            self.rows[key] = typed

    def close(self) -> None:
        self.inner.close()


def _exact(value: Any) -> tuple[str, str]:
    """A value by its type and exact digits. Decimals are compared by value: Spark's Python
    client carries them in engineering notation (1E-10 arrives as 100E-12), so the
    exponent's spelling says nothing about the column's scale."""
    if isinstance(value, Decimal):
        return ("Decimal", str(value.normalize()))
    return (type(value).__name__, str(value))


def odd_folder(folder: Path) -> None:
    """Refunds, an empty April, unicode members, 29 February, ten-decimal amounts, a leap
    day a year on, an order of a customer nobody knows (Unknown)."""
    customers = [
        customer("c1", "Ünïcode — 企業", "Région Nord", tier="Gold ★"),
        customer("c2", "SMB", "Süd", tier="Silber"),
        customer("c3", "Ünïcode — 企業", "Süd", tier="Gold ★"),
        customer("c4", "Enterprise", "Région Nord", tier="Silber"),
    ]
    orders = [
        order("o1", "c1", "2024-01-15", 12.3456789012, "A"),
        order("o2", "c1", "2024-02-29", 100.9876543211, "B"),
        order("o3", "c2", "2024-02-29", -15.5, "A"),  # a refund
        order("o4", "c2", "2024-01-31", 40.0000000001, "A"),
        order("o5", "c3", "2024-03-01", 0.0000000001, "C"),
        order("o6", "c3", "2024-05-02", 7.25, "A"),  # April has no rows at all
        order("o7", "c4", "2024-03-31", 999999.5, "B"),
        order("o8", "c4", "2024-05-31", -999999.5, "B"),  # refunded whole
        order("o9", "c1", "2025-02-28", 33.3333333333, "C"),
        order("o10", "c9", "2024-02-29", 5.5, "A"),  # not a known customer: Unknown
        order("o11", "c2", "2025-03-01", 1.1, "B"),
    ]
    write_folder(
        folder,
        customers=customers,
        orders=orders,
        nps_responses=[
            nps("n1", "c1", "2024-02-29", 10),
            nps("n2", "c2", "2024-02-29", 0),
            nps("n3", "c3", "2024-03-15", 8),
            nps("n4", "c9", "2025-02-28", 9),
        ],
        service_contacts=[
            contact("k1", "c1", "2024-02-29", 3.3333333333, resolved=True, sla=False),
            contact("k2", "c2", "2024-03-02", 0.1, resolved=False, sla=True),
            contact("k3", "c3", "2024-05-05", 2.5),  # neither answer known
        ],
        web_sessions=[
            session("s1", "c1", "2024-02-29", 1, 12.5, False),
            session("s2", None, "2024-03-01", 4, 0.0000000001, True, region="Région Nord"),
            session("s3", "c4", "2025-02-28", 2, 60.0, True),
        ],
        marketing_spend=[
            spend("2024-02-29", 1000.0000000001, segment="Ünïcode — 企業", region="Süd"),
            spend("2024-05-01", 0.3),
        ],
    )


def typed(value: Any) -> Any:
    """The value with every number tagged by its type, so 1 and 1.0 differ."""
    if isinstance(value, Mapping):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [typed(v) for v in value]
    if isinstance(value, float):
        return ("float", value.hex())  # bit for bit
    return (type(value).__name__, value)


def recording(cockpit: Cockpit) -> Recording:
    """The cockpit's executor, which the parity fixtures replaced by a Recording."""
    executor = cockpit.executor
    assert isinstance(executor, Recording), executor
    return executor


def forget_queries(engines: Mapping[str, tuple[Cockpit, Cockpit]]) -> None:
    """Start a test with no recorded queries: the cockpits live for the whole test run, and
    a query one test asked of one engine only must not count against the next test."""
    for pair in engines.values():
        for cockpit in pair:
            recording(cockpit).rows.clear()


def assert_same_rows(duck: Cockpit, sparked: Cockpit) -> None:
    ran_duck, ran_spark = recording(duck).rows, recording(sparked).rows
    assert ran_duck.keys() == ran_spark.keys(), (
        sorted(ran_duck.keys() - ran_spark.keys())[:3],
        sorted(ran_spark.keys() - ran_duck.keys())[:3],
    )
    for key, rows in ran_duck.items():
        assert ran_spark[key] == rows, key
