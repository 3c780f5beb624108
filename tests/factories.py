"""Small factories that write data folders for tests.

Tests describe the rows they care about as plain dicts; these helpers turn
them into the Parquet or CSV exports the cockpit reads, so each test stays a
readable table of inputs and expectations.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

# The KPI names as the spec lists them are kept once, in the reference implementation.
from tests.reference_kpis import KPI_NAMES as KPI_NAMES

Rows = Sequence[Mapping[str, Any]]


def d(text: str) -> dt.date:
    """A date from ISO text, to keep fixture rows short."""
    return dt.date.fromisoformat(text)


def customer(
    cid: Any, segment: str = "SMB", region: str = "North", signup: str = "2023-01-01", **extra: Any
) -> dict[str, Any]:
    return {
        "customer_id": cid,
        "segment": segment,
        "region": region,
        "signup_date": d(signup),
        **extra,
    }


def order(
    oid: Any, cid: Any, day: str, amount: float, category: str = "A", **extra: Any
) -> dict[str, Any]:
    return {
        "order_id": oid,
        "customer_id": cid,
        "order_date": d(day),
        "product_category": category,
        "amount": float(amount),
        **extra,
    }


def write_table(
    folder: Path,
    name: str,
    rows: Rows,
    fmt: str = "parquet",
    schema: Mapping[str, pl.DataType | type[pl.DataType]] | None = None,
) -> Path:
    """Write one table as `<name>.<fmt>`; `schema` pins column types when rows are ambiguous."""
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        path = folder / f"{name}.csv"
        columns = list(schema) if schema else _columns(rows)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows:
                writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
        return path
    path = folder / f"{name}.parquet"
    frame = pl.DataFrame(
        list(rows), schema=dict(schema) if schema else None, infer_schema_length=None
    )
    frame.write_parquet(path)
    return path


def write_folder(folder: Path, fmt: str = "parquet", **tables: Rows) -> Path:
    """Write a data folder holding each given table; returns the folder.

    A caller unpacking a dict of tables names `fmt` as well, so no table is taken for it.
    """
    for name, rows in tables.items():
        write_table(folder, name, rows, fmt=fmt)
    return folder


def _columns(rows: Rows) -> list[str]:
    columns: list[str] = []
    for row in rows:
        columns.extend(c for c in row if c not in columns)
    return columns


# --- rows of the optional tables -------------------------------------------------
# Optional columns are left out of a row when None, so a column that no row sets
# is absent rather than written as an all-null column of no type.


def _present(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def nps(rid: Any, cid: Any, day: str, score: int, **extra: Any) -> dict[str, Any]:
    return {
        "response_id": rid,
        "customer_id": cid,
        "response_date": d(day),
        "score": score,
        **extra,
    }


def contact(
    kid: Any,
    cid: Any,
    day: str,
    cost: float,
    resolved: bool | None = None,
    sla: bool | None = None,
    channel: str = "phone",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "contact_id": kid,
        "customer_id": cid,
        "contact_date": d(day),
        "channel": channel,
        "cost": float(cost),
        **_present(resolved_first_contact=resolved, within_sla=sla),
        **extra,
    }


def session(
    sid: Any,
    cid: Any,
    day: str,
    pageviews: int,
    duration_s: float,
    converted: bool,
    region: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "session_id": sid,
        "customer_id": cid,
        "session_date": d(day),
        "pageviews": pageviews,
        "duration_s": float(duration_s),
        "converted": converted,
        **_present(region=region),
        **extra,
    }


def spend(
    day: str,
    amount: float,
    segment: str | None = None,
    region: str | None = None,
    channel: str = "search",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "spend_date": d(day),
        "channel": channel,
        "spend": float(amount),
        **_present(segment=segment, region=region),
        **extra,
    }


def csv_rows(rows: Rows) -> list[dict[str, Any]]:
    """Booleans as the lower-case words the contract names, not Python's `True`."""
    return [
        {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in row.items()} for row in rows
    ]


# --- running the engine and reading its answer -----------------------------------


def kpis(folder: Path, start: Any, end: Any, **options: Any) -> dict[str, Any]:
    """The engine's answer; imported late so a missing engine fails tests, not collection."""
    import cxcore

    return cxcore.Cockpit.open(str(folder)).kpis(start=start, end=end, **options)


def close(actual: Any, expected: float | None) -> bool:
    """Equality for KPI values: None must stay None, numbers may differ by rounding noise."""
    if expected is None:
        return actual is None
    return actual is not None and math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9)


def check(
    result_kpis: Mapping[str, Any], name: str, value: float | None, previous: float | None
) -> None:
    got = result_kpis[name]
    assert close(got["value"], value), f"{name}.value: got {got['value']!r}, want {value!r}"
    assert close(got["previous"], previous), (
        f"{name}.previous: got {got['previous']!r}, want {previous!r}"
    )


def entries(result: Mapping[str, Any], dims: Sequence[str]) -> dict[tuple[str, ...], Any]:
    """Breakdown entries keyed by their member tuple, so tests need not rely on their order."""
    return {tuple(entry[dim] for dim in dims): entry["kpis"] for entry in result["breakdown"]}


def active_filters(result: Mapping[str, Any]) -> dict[str, list[str]]:
    """The filters echo without the dimensions left unfiltered (echoed as empty lists)."""
    return {dim: list(members) for dim, members in result["filters"].items() if members}
