"""A data folder loaded into DuckDB: typed tables, discovered dimensions, fact tables.

Loading validates every table against the contract and materialises one
*fact* table per export with each row's dimension members already resolved
(`Unknown` for rows whose customer is unknown). Every KPI query then reads
these, so attribution is decided once, here, and not re-derived per query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from sqlglot import exp

from cxcore.data.contract import BASE_DIMENSIONS, MAX_DIMENSION_MEMBERS, TABLES, UNKNOWN
from cxcore.data.reading import ROW_COLUMN, ReadError, find_table_files, load_raw
from cxcore.data.validation import Example, Finding, Report, Severity, clean_select, validate
from cxcore.sqlkit import alias, column, create_table, drop_table, fragment, render, table

# The columns each fact table carries besides its day and dimensions.
FACT_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "orders": (
        ("customer_id", "VARCHAR"),
        ("product_category", "VARCHAR"),
        ("amount", "DECIMAL(38, 10)"),
    ),
    "customers": (),
    "nps_responses": (("score", "BIGINT"),),
    "service_contacts": (
        ("cost", "DECIMAL(38, 10)"),
        ("resolved_first_contact", "BOOLEAN"),
        ("within_sla", "BOOLEAN"),
    ),
    "web_sessions": (
        ("pageviews", "BIGINT"),
        ("duration_s", "DECIMAL(38, 10)"),
        ("converted", "BOOLEAN"),
    ),
    "marketing_spend": (("spend", "DECIMAL(38, 10)"),),
}
DAY = "day"
SPEND_DIMENSIONS = ("segment", "region")


class DataContractError(ValueError):
    """The data breaks the contract; carries the full report of every problem."""

    def __init__(self, report: Report) -> None:
        super().__init__(report.summary("the data breaks the contract"))
        self.report = report


def fact_table(name: str) -> str:
    return f"fact:{name}"


def dim_column(dimension: str) -> str:
    return f"dim:{dimension}"


@dataclass(frozen=True)
class TableInfo:
    name: str
    path: Path
    rows: int
    first_day: dt.date | None
    last_day: dt.date | None
    columns: tuple[str, ...]


@dataclass
class Catalog:
    con: duckdb.DuckDBPyConnection
    tables: dict[str, TableInfo] = field(default_factory=dict)
    dimensions: dict[str, list[str]] = field(default_factory=dict)
    report: Report = field(default_factory=Report)

    @classmethod
    def from_folder(cls, folder: Path | str) -> Catalog:
        folder = Path(folder)
        if not folder.is_dir():
            raise FileNotFoundError(f"data folder {str(folder)!r} does not exist")
        return cls.from_files(find_table_files(folder))

    @classmethod
    def from_files(cls, files: Mapping[str, Path]) -> Catalog:
        """Load the given table files; raises DataContractError listing every problem."""
        con = duckdb.connect(":memory:")
        # Text timestamps without an offset are read as stored: pin the session zone.
        con.execute("SET TimeZone = 'UTC'")
        catalog = cls(con)
        catalog._load(files)
        return catalog

    def has(self, name: str) -> bool:
        return name in self.tables

    @property
    def first_day(self) -> dt.date | None:
        days = [t.first_day for t in self.tables.values() if t.first_day and t.name != "customers"]
        return min(days) if days else None

    @property
    def last_day(self) -> dt.date | None:
        days = [t.last_day for t in self.tables.values() if t.last_day and t.name != "customers"]
        return max(days) if days else None

    def _load(self, files: Mapping[str, Path]) -> None:
        for name, spec in TABLES.items():
            if name in files:
                self._load_table(name, Path(files[name]))
            elif spec.required:
                self.report.findings.append(
                    Finding(name, None, "missing: the required table has no file", 0)
                )
        if self.report.ok:
            self._discover_dimensions()
            self._warn_suspicious_rows()
            for name in self.tables:
                self._build_fact(name)
            self._collect_members()
        if not self.report.ok:
            raise DataContractError(self.report)

    def _load_table(self, name: str, path: Path) -> None:
        try:
            raw = load_raw(self.con, name, path, f"raw:{name}")
        except ReadError as err:
            self.report.findings.append(
                Finding(name, None, f"{path.name} cannot be read: {err.reason}", 0)
            )
            return
        report, typed = validate(TABLES[name], raw, self.con)
        self.report.extend(report)
        if report.ok:
            self.con.execute(create_table(name, clean_select(raw, typed, self.con)))
            self.tables[name] = self._describe(name, path)
        self.con.execute(drop_table(raw.sql_name))

    def _describe(self, name: str, path: Path) -> TableInfo:
        day = column(TABLES[name].date_column or "")
        query = exp.select(exp.Count(this=exp.Star()), exp.Min(this=day), exp.Max(this=day)).from_(
            table(name)
        )
        rows, first, last = self.con.execute(render(query)).fetchone()  # type: ignore[misc]
        described = self.con.execute(render(exp.Describe(this=table(name)))).fetchall()
        columns = tuple(r[0] for r in described if r[0] != ROW_COLUMN)
        return TableInfo(name, path, int(rows), first, last, columns)

    def _discover_dimensions(self) -> None:
        """segment, region, then every other low-cardinality text column of customers."""
        found: dict[str, list[str]] = {key: [] for key in BASE_DIMENSIONS}
        described = self.con.execute(render(exp.Describe(this=table("customers")))).fetchall()
        for name, duck_type, *_ in described:
            if name in found or name == "customer_id" or duck_type != "VARCHAR":
                continue
            query = exp.select(fragment("COUNT(DISTINCT :c)", c=name)).from_(table("customers"))
            (distinct,) = self.con.execute(render(query)).fetchone()  # type: ignore[misc]
            if distinct <= MAX_DIMENSION_MEMBERS:
                found[name] = []
        self.dimensions = found

    def _build_fact(self, name: str) -> None:
        source = TABLES[name]
        parts: list[exp.Expression] = [alias(column(source.date_column or "", "f"), DAY)]
        present = self.tables[name].columns
        for col, duck_type in FACT_COLUMNS[name]:
            value = column(col, "f") if col in present else exp.cast(exp.Null(), duck_type)
            parts.append(alias(value, col))
        parts.extend(
            alias(self._member(name, d, present), dim_column(d)) for d in self._dimensions_of(name)
        )
        query = exp.select(*parts).from_(table(name).as_("f"))
        if name not in ("customers", "marketing_spend"):
            query = query.join(
                table("customers").as_("c"),
                join_type="left",
                on=fragment("f.customer_id = c.customer_id"),
            )
        self.con.execute(create_table(fact_table(name), query))

    def _dimensions_of(self, name: str) -> list[str]:
        if name == "marketing_spend":
            return list(SPEND_DIMENSIONS)
        return list(self.dimensions)

    def _member(self, name: str, dimension: str, present: tuple[str, ...]) -> exp.Expression:
        unknown = exp.Literal.string(UNKNOWN)
        if name == "marketing_spend":
            own = column(dimension, "f") if dimension in present else exp.Null()
            return exp.Coalesce(this=own, expressions=[unknown])
        owner = "f" if name == "customers" else "c"
        member = exp.Coalesce(this=column(dimension, owner), expressions=[unknown])
        if name == "web_sessions" and dimension == "region" and "region" in present:
            # An anonymous session carries its own region; a known customer's region wins.
            return fragment(
                "CASE WHEN f.customer_id IS NULL THEN COALESCE(f.region, :u) ELSE :m END",
                u=unknown,
                m=member,
            )
        return member

    def _collect_members(self) -> None:
        for dimension in self.dimensions:
            members: set[str] = set()
            for name in self.tables:
                if dimension in self._dimensions_of(name):
                    query = (
                        exp.select(column(dim_column(dimension)))
                        .distinct()
                        .from_(table(fact_table(name)))
                    )
                    members.update(r[0] for r in self.con.execute(render(query)).fetchall())
            self.dimensions[dimension] = sorted(members, key=_member_order)

    def _warn_suspicious_rows(self) -> None:
        today = dt.date.today()
        for name, info in self.tables.items():
            spec = TABLES[name]
            if "customer_id" in info.columns and name != "customers":
                self._warn(
                    name,
                    "customer_id",
                    "name a customer absent from customers (counted as Unknown)",
                    fragment(
                        "t.customer_id IS NOT NULL AND t.customer_id NOT IN"
                        " (SELECT customer_id FROM customers)"
                    ),
                    column("customer_id", "t"),
                )
            day = column(spec.date_column or "", "t")
            self._warn(
                name,
                spec.date_column,
                f"are dated after today ({today.isoformat()})",
                exp.GT(
                    this=day, expression=exp.cast(exp.Literal.string(today.isoformat()), "DATE")
                ),
                day,
            )

    def _warn(
        self,
        name: str,
        col: str | None,
        words: str,
        condition: exp.Expression,
        value: exp.Expression,
    ) -> None:
        base = (
            exp.select(alias(column(ROW_COLUMN), "_row"), alias(exp.cast(value, "VARCHAR"), "_v"))
            .from_(table(name).as_("t"))
            .where(condition)
        )
        (count,) = self.con.execute(
            render(exp.select(exp.Count(this=exp.Star())).from_(base.subquery("w")))
        ).fetchone()  # type: ignore[misc]
        if count:
            rows = self.con.execute(render(base.order_by("_row").limit(10))).fetchall()
            examples = tuple(Example(int(r), v) for r, v in rows)
            self.report.findings.append(
                Finding(name, col, words, int(count), Severity.WARNING, examples)
            )


def _member_order(member: str) -> tuple[bool, str]:
    """Alphabetical, with Unknown last, as a reader expects in a legend or filter."""
    return (member == UNKNOWN, member.casefold())
