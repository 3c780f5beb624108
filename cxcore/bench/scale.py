"""Scale data for the benchmark: the seeded sample generator, at a real company's proportions.

The sample's customers are simulated in independent chunks (each chunk its
own seeded generator, its ids offset), thinned to the proportions of the
scale the benchmark is asked for, and appended to one Parquet file per table,
so 10 million customers are generated in bounded memory. The same arguments
always give the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

from cxcore.data.sample import BUDGET_CUSTOMERS, customer_tables, spend_table
from cxcore.data.sample_story import build_calendar

START, END = dt.date(2023, 10, 1), dt.date(2026, 9, 30)  # three years
# Rows per customer over the three years, as the company has them
# (1M customers: 20M orders, 20M sessions, 2M contacts, 500k responses) ...
TARGET = {"orders": 20.0, "web_sessions": 20.0, "service_contacts": 2.0, "nps_responses": 0.5}
# ... and as the sample generator makes them over the same years (measured, 20k customers).
SAMPLE = {"orders": 21.08, "web_sessions": 38.29, "service_contacts": 5.04, "nps_responses": 1.91}
CHUNK = 50_000
# Each id column and its prefix, per table: offset chunk by chunk so ids stay unique.
IDS = {
    "customers": (("customer_id", "C"),),
    "orders": (("order_id", "O"), ("customer_id", "C")),
    "nps_responses": (("response_id", "R"), ("customer_id", "C")),
    "service_contacts": (("contact_id", "K"), ("customer_id", "C")),
    "web_sessions": (("session_id", "W"), ("customer_id", "C")),
}


def generate_scaled(folder: Path, customers: int, seed: int = 7) -> dict[str, int]:
    """Write the six tables for `customers` customers into `folder`; rows per table."""
    folder.mkdir(parents=True, exist_ok=True)
    written = dict.fromkeys([*IDS, "marketing_spend"], 0)
    with ExitStack() as stack:
        writers: dict[str, pq.ParquetWriter] = {}
        for index, frames in enumerate(_chunks(customers, seed)):
            for name, frame in frames.items():
                frame = _offset(name, frame, written[name], index * CHUNK)
                table = frame.to_arrow()
                if name not in writers:
                    writers[name] = stack.enter_context(
                        pq.ParquetWriter(folder / f"{name}.parquet", table.schema)
                    )
                writers[name].write_table(table, row_group_size=250_000)
                written[name] += frame.height
        rng = np.random.default_rng([seed, 1 << 20])
        spend = spend_table(rng, build_calendar(START, END), customers / BUDGET_CUSTOMERS)
        spend.write_parquet(folder / "marketing_spend.parquet")
        written["marketing_spend"] = spend.height
    return written


def _chunks(customers: int, seed: int) -> Iterator[dict[str, pl.DataFrame]]:
    calendar = build_calendar(START, END)
    for index, first in enumerate(range(0, customers, CHUNK)):
        size = min(CHUNK, customers - first)
        rng = np.random.default_rng([seed, index])
        frames = customer_tables(rng, size, calendar, START, END)
        yield {name: _thinned(rng, name, frame) for name, frame in frames.items()}


def _thinned(rng: np.random.Generator, name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Keep each row with the chance that brings the sample's rate to the target's."""
    if name not in TARGET:
        return frame
    keep = rng.random(frame.height) < TARGET[name] / SAMPLE[name]
    return frame.filter(pl.Series(keep))


def _offset(
    name: str, frame: pl.DataFrame, rows_before: int, customers_before: int
) -> pl.DataFrame:
    """Ids numbered on from the chunks before: a table's own id by its rows, customers by chunk."""
    updates = []
    for column, prefix in IDS.get(name, ()):
        before = customers_before if column == "customer_id" else rows_before
        if column != "customer_id":  # own ids count rows kept, in order
            number = pl.int_range(1, frame.height + 1, eager=False) + before
        else:
            number = pl.col(column).str.slice(1).cast(pl.Int64) + before
        text = pl.lit(prefix) + number.cast(pl.String).str.zfill(8)
        updates.append(pl.when(pl.col(column).is_not_null()).then(text).alias(column))
    return frame.with_columns(updates) if updates else frame
