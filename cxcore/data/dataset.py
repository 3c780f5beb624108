"""What the engine needs to know about a loaded data set, wherever its rows lie.

A data folder is validated and loaded into DuckDB tables; a published store
version is already validated and lies in Parquet files. Both are described
the same way, so the engine answers questions about either without knowing
which: the tables and their coverage, the dimensions and their members, and
the *relations* (fact tables and rollups) by logical name, each pointing at
a table in a connection or a file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from cxcore.data.contract import UNKNOWN
from cxcore.data.validation import Finding

# Columns the cockpit adds to facts and rollups: names no export may use (`__cx_`).
DAY = "__cx_day"
# The combination of members a customer sits under, as one number: 0 for an unknown customer.
COMBO = "__cx_combo"
SPEND_DIMENSIONS = ("segment", "region")


class Place(StrEnum):
    TABLE = "table"  # a table (or view) in the connection that loaded the data
    PARQUET = "parquet"  # a Parquet file, read where it lies


@dataclass(frozen=True)
class Relation:
    place: Place
    target: str  # the table name, or the file's absolute path


def fact_relation(table: str) -> str:
    """A table's rows with each row's day and dimension members resolved."""
    return f"fact_{table}"


def daily_relation(table: str) -> str:
    """Additive measures per day and combination of members."""
    return f"daily_{table}"


WINDOWS_RELATION = "windows_orders"  # customer measures per whole month, quarter, year
PAIRS_RELATION = "pairs_orders"  # customer measures of a window against an earlier one
CUSTOMER_MONTHS_RELATION = "customer_months"  # each customer's orders per month
COHORTS_RELATION = "cohorts_orders"  # customers and revenue per cohort and month


def dim_column(index: int) -> str:
    """A dimension's column in facts and rollups, by position: file column names stay plain
    whatever a customer column is called."""
    return f"__cx_dim_{index}"


@dataclass(frozen=True)
class TableInfo:
    name: str
    rows: int
    first_day: dt.date | None
    last_day: dt.date | None
    columns: tuple[str, ...]
    file: str = ""  # the file it came from, as an analyst named it
    changed_at: dt.datetime | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "last_day": self.last_day.isoformat() if self.last_day else None,
            "columns": list(self.columns),
            "file": self.file,
            "changed_at": self.changed_at.isoformat() if self.changed_at else None,
        }

    @classmethod
    def from_dict(cls, name: str, data: Mapping[str, object]) -> TableInfo:
        def day(key: str) -> dt.date | None:
            value = data.get(key)
            return dt.date.fromisoformat(str(value)) if value else None

        changed = data.get("changed_at")
        return cls(
            name,
            int(data.get("rows") or 0),  # type: ignore[call-overload]
            day("first_day"),
            day("last_day"),
            tuple(str(c) for c in data.get("columns") or ()),  # type: ignore[attr-defined]
            str(data.get("file") or ""),
            dt.datetime.fromisoformat(str(changed)) if changed else None,
        )


@dataclass(frozen=True)
class Dataset:
    tables: Mapping[str, TableInfo]
    dimensions: Mapping[str, tuple[str, ...]]  # dimension -> members, Unknown last
    relations: Mapping[str, Relation]
    warnings: tuple[Finding, ...] = ()
    files: Mapping[str, Path] = field(default_factory=dict)  # table -> its typed file, if any

    def has(self, table: str) -> bool:
        return table in self.tables

    def has_rollups(self) -> bool:
        return WINDOWS_RELATION in self.relations

    def dimension_index(self, dimension: str) -> int:
        return list(self.dimensions).index(dimension)

    def dimensions_of(self, table: str) -> list[str]:
        """Spend carries only its own segment and region; every other table all dimensions."""
        if table == "marketing_spend":
            return [d for d in SPEND_DIMENSIONS if d in self.dimensions]
        return list(self.dimensions)

    @property
    def first_day(self) -> dt.date | None:
        days = [t.first_day for t in self._dated() if t.first_day]
        return min(days) if days else None

    @property
    def last_day(self) -> dt.date | None:
        days = [t.last_day for t in self._dated() if t.last_day]
        return max(days) if days else None

    def _dated(self) -> list[TableInfo]:
        return [t for name, t in self.tables.items() if name != "customers"]


def member_order(member: str) -> tuple[bool, str]:
    """Alphabetical, with Unknown last, as a reader expects in a legend or filter."""
    return (member == UNKNOWN, member.casefold())
