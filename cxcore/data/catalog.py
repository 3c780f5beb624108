"""A data folder loaded into DuckDB: every table validated, typed, and turned into facts.

This is the path for exports as they are (`--data DIR`, tests, a store's
first seed): every file is read and checked against the contract, then one
fact table per export is built in memory. A published store version skips
all of this: it was checked once, when it was published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from sqlglot import exp

from cxcore import database
from cxcore.data.contract import TABLES
from cxcore.data.dataset import DAY, Dataset, Place, Relation, TableInfo, fact_relation
from cxcore.data.facts import discover_dimensions, fact_select, members
from cxcore.data.plausible import table_window
from cxcore.data.reading import ROW_COLUMN, ReadError, find_table_files, load_raw
from cxcore.data.renames import (
    MappingError,
    apply_mapping,
    mapping_problems,
    normalised,
    read_mapping_file,
)
from cxcore.data.suspicious import suspicious_rows
from cxcore.data.validation import Finding, Report, clean_select, validate
from cxcore.database import one_row
from cxcore.settings import Settings
from cxcore.sqlkit import column, create_table, describe, drop_table, render, table


class DataContractError(ValueError):
    """The data breaks the contract; carries the full report of every problem."""

    def __init__(self, report: Report) -> None:
        super().__init__(report.summary("the data breaks the contract"))
        self.report = report


@dataclass
class Catalog:
    """The loaded tables of one data folder, in one DuckDB connection."""

    con: duckdb.DuckDBPyConnection
    paths: dict[str, Path] = field(default_factory=dict)
    report: Report = field(default_factory=Report)
    dataset: Dataset | None = None
    settings: Settings = field(default_factory=Settings.from_env)
    mappings: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def from_folder(
        cls, folder: Path | str, writes: Iterable[Path] = (), settings: Settings | None = None
    ) -> Catalog:
        """The folder's exports, renamed by its mapping file (mapping.json or mapping.toml)."""
        folder = Path(folder)
        if not folder.is_dir():
            raise FileNotFoundError(f"data folder {str(folder)!r} does not exist")
        try:
            mappings = read_mapping_file(folder)
        except MappingError as err:
            raise DataContractError(Report([Finding("mapping", None, str(err), 0)])) from None
        return cls.from_files(find_table_files(folder), writes, settings, mappings)

    @classmethod
    def from_files(
        cls,
        files: Mapping[str, Path],
        writes: Iterable[Path] = (),
        settings: Settings | None = None,
        mappings: Mapping[str, Mapping[str, str]] | None = None,
    ) -> Catalog:
        """Load the given table files; raises DataContractError listing every problem.

        The connection may read these files and, if given, write into `writes`.
        """
        settings = settings or Settings.from_env()
        con = database.working(settings, reads=[Path(p) for p in files.values()], folders=writes)
        catalog = cls(con, settings=settings)
        catalog.mappings = {t: dict(m) for t, m in (mappings or {}).items()}
        catalog._load(files)
        return catalog

    @property
    def loaded(self) -> Dataset:
        assert self.dataset is not None, "a catalog that failed to load has no dataset"
        return self.dataset

    def _load(self, files: Mapping[str, Path]) -> None:
        for name, spec in TABLES.items():
            if name in files:
                self._load_table(name, Path(files[name]))
            elif spec.required:
                self.report.findings.append(
                    Finding(name, None, "missing: the required table has no file", 0)
                )
        if self.report.ok:
            self.dataset = self._build()
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
        mapping = self.mappings.get(name, {})
        problems = mapping_problems(name, mapping, raw.columns)
        raw, clashes = apply_mapping(raw, normalised(mapping))
        if problems or clashes:
            self.report.findings.extend(
                Finding(name, None, f"the column mapping for {path.name}: {problem}", 0)
                for problem in problems + clashes
            )
            self.con.execute(drop_table(raw.sql_name))
            return
        window = table_window(self.settings, name)
        report, typed = validate(TABLES[name], raw, self.con, window)
        self.report.extend(report)
        if report.ok:
            self.con.execute(create_table(name, clean_select(raw, typed, self.con)))
            self.paths[name] = path
        self.con.execute(drop_table(raw.sql_name))

    def _build(self) -> Dataset:
        names = list(self.paths)
        dimensions = discover_dimensions(self.con, table("customers"))
        for finding in suspicious_rows(self.con, {n: table(n) for n in names}):
            self.report.findings.append(finding)
        facts: dict[str, exp.Expr] = {}
        customers = table(fact_relation("customers"))
        for name in sorted(names, key=lambda n: n != "customers"):  # customers first
            present = self._columns(name)
            query = fact_select(name, table(name), customers, present, dimensions)
            self.con.execute(create_table(fact_relation(name), query.order_by(column(DAY))))
            facts[name] = table(fact_relation(name))
        return Dataset(
            tables={name: self._describe(name) for name in names},
            dimensions=members(self.con, facts, dimensions),
            relations={fact_relation(n): Relation(Place.TABLE, fact_relation(n)) for n in names},
            warnings=tuple(self.report.warnings),
        )

    def _columns(self, name: str) -> tuple[str, ...]:
        described = self.con.execute(describe(name)).fetchall()
        return tuple(r[0] for r in described if r[0] != ROW_COLUMN)

    def _describe(self, name: str) -> TableInfo:
        day = column(TABLES[name].date_column or "")
        query = exp.select(exp.Count(this=exp.Star()), exp.Min(this=day), exp.Max(this=day)).from_(
            table(name)
        )
        rows, first, last = one_row(self.con, render(query))
        path = self.paths[name]
        changed = dt.datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0)
        return TableInfo(name, int(rows), first, last, self._columns(name), path.name, changed)
