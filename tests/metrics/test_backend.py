"""Columns read whole give the numbers row-by-row reading gives, on either engine."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pyarrow as pa
import pytest
import sqlglot

from cxcore.metrics.backend import DuckDBExecutor, float_column, plain

# Values whose scaled integer passes 2**53, where dividing it by the scale rounds twice.
AWKWARD = ["0.1", "3931.54", "123456789.0123456789", "900719925.4740993", "-0.0000000001", "1E+15"]


@pytest.mark.parametrize("scale", [2, 9, 10])
def test_decimals_become_the_floats_of_their_exact_values(scale: int) -> None:
    values = [Decimal(text).quantize(Decimal(1).scaleb(-scale)) for text in AWKWARD]
    column = pa.chunked_array([pa.array(values, pa.decimal128(38, scale))])
    assert float_column(column).tolist() == [plain(v) for v in values]


def test_a_value_given_at_two_scales_is_one_float() -> None:
    """DuckDB and Spark may type one sum at different scales; the float must not differ."""
    value = Decimal("987654321.1234567890")
    floats = [
        float_column(pa.chunked_array([pa.array([value], pa.decimal128(38, scale))]))[0]
        for scale in (10, 12)
    ]
    assert floats[0] == floats[1] == float(value)


@pytest.mark.parametrize(
    ("kind", "values"), [("int64", [3, -1, 0]), ("float64", [0.5, 2.25]), ("int32", [7])]
)
def test_whole_and_float_columns_keep_their_values(kind: str, values: list[float]) -> None:
    column = pa.chunked_array([pa.array(values, getattr(pa, kind)())])
    assert float_column(column).tolist() == [float(v) for v in values]


def test_arrow_and_rows_read_the_same_query_alike() -> None:
    executor = DuckDBExecutor(duckdb.connect(), {})
    query = sqlglot.parse_one(
        "SELECT i, CAST(i / 7 AS DECIMAL(38, 10)) AS d, 'm' || (i % 3) AS t"
        " FROM range(1000) r(i) WHERE i >= $low ORDER BY i",
        read="duckdb",
    )
    rows = executor.fetch(query, {"low": 10})
    table = executor.fetch_arrow(query, {"low": 10})
    assert [tuple(r.values()) for r in table.to_pylist()] == rows
    assert float_column(table.column("d")).tolist() == [plain(r[1]) for r in rows]
