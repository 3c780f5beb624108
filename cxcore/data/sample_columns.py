"""How the sample writes a column, the way exports do: padded text ids, labels with
gaps, dates, fields some rows lack, and Parquet written with fixed settings so the
same frame always gives the same bytes (the shipped sample can be rebuilt and
checked)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl


def ids(name: str, prefix: str, numbers: np.ndarray, width: int) -> pl.Series:
    """Zero-padded string ids; a number below 1 means no id (null)."""
    series = pl.Series(name, numbers, dtype=pl.Int64)
    text = pl.lit(prefix) + series.cast(pl.String).str.zfill(width)
    return pl.select(pl.when(series > 0).then(text).alias(name)).to_series()


def names(name: str, labels: tuple[str, ...], index: np.ndarray) -> pl.Series:
    """Category labels by index; index -1 means unknown (null)."""
    mapping = dict(enumerate(labels))
    series = pl.Series(name, index, dtype=pl.Int64)
    return series.replace_strict(mapping, default=None, return_dtype=pl.String)


def dates(name: str, days: np.ndarray) -> pl.Series:
    return pl.Series(name, days, dtype=pl.Int32).cast(pl.Date)


def nullable(name: str, values: np.ndarray, missing: np.ndarray) -> pl.Series:
    """Exports often lack a field on some rows; `missing` marks those."""
    frame = pl.DataFrame({name: values, "missing": missing})
    return frame.select(pl.when(~pl.col("missing")).then(pl.col(name)).alias(name)).to_series()


def write(frame: pl.DataFrame, path: Path) -> None:
    """Fixed settings so the same frame always gives the same bytes."""
    frame.write_parquet(
        path, compression="zstd", compression_level=9, statistics=True, row_group_size=250_000
    )
