"""Opening a published version for serving: read its manifest, query its files where they lie.

Nothing is validated, copied or loaded again: the version was checked when it
was published, and its manifest says what the engine needs (tables and their
coverage, dimensions and members, where the facts and rollups are). Opening
costs a manifest read and a few view definitions, whatever the data's size.

The serving connection may read exactly this version's files and nothing
else, and its configuration is locked before the first query. The version
is held against pruning for as long as it is served.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow.parquet as pq
from sqlglot import exp

from cxcore import database
from cxcore.data.catalog import Catalog
from cxcore.data.dataset import Dataset, Place, Relation, TableInfo, fact_relation
from cxcore.data.validation import Finding
from cxcore.metrics.backend import DuckDBExecutor, Executor, duckdb_relations
from cxcore.metrics.rollup_build import expected_columns
from cxcore.metrics.spark_backend import SparkExecutor
from cxcore.settings import Settings
from cxcore.sqlkit import describe, render, table
from cxcore.store.build import kept_warnings
from cxcore.store.layout import (
    StoreError,
    VersionInfo,
    hold_current,
    hold_version,
    is_store,
    version_dir,
)


@dataclass
class OpenedVersion:
    version: int
    dataset: Dataset
    executor: Executor
    hold: BinaryIO | None = field(default=None, repr=False)  # keeps the version from pruning

    def close(self) -> None:
        self.executor.close()
        if self.hold is not None:
            self.hold.close()
            self.hold = None


def open_version(
    root: Path | str, version: int | None = None, settings: Settings | None = None
) -> OpenedVersion:
    """The current (or a pinned) version, ready to serve.

    A publish may prune the current version between reading the pointer and
    taking hold of it; the new current version is then opened instead. A
    pinned version that is gone is named as such.
    """
    root = Path(root)
    if not is_store(root):
        raise StoreError(f"{root.name or root} is not a CX store")
    settings = settings or Settings.from_env()
    if version is None:
        held = hold_current(root)
        if held is None:
            raise StoreError("the store has no published version yet")
        chosen, info, hold = held
    elif version == 0:
        raise StoreError("the store has no published version yet")
    else:
        chosen = version
        info, hold = hold_version(root, chosen)
    try:
        return _serve(version_dir(root, chosen), chosen, info, hold, settings)
    except BaseException:
        hold.close()
        raise


def open_folder(folder: Path, info: VersionInfo, settings: Settings) -> OpenedVersion:
    """A version folder not (yet) published, e.g. a checked upload waiting in staging."""
    return _serve(folder, info.version, info, None, settings)


def _serve(
    folder: Path, version: int, info: VersionInfo, hold: BinaryIO | None, settings: Settings
) -> OpenedVersion:
    if settings.engine == "spark":
        if not info.relations:
            raise StoreError(
                f"version {version} predates the fact files Spark reads; publish it again"
                " (cx-cockpit ingest) to serve it with Spark"
            )
        described = dataset_of(folder, info)
        dataset = with_current_rollups(described, lambda name: parquet_columns(described, name))
        return OpenedVersion(version, dataset, spark_executor(dataset, settings), hold)
    if not info.relations:  # a version of the first layout: read its tables as files
        catalog = Catalog.from_files({t: folder / rel for t, rel in info.files.items()})
        relations = duckdb_relations(catalog.loaded.relations)
        executor = DuckDBExecutor(catalog.con, relations, settings.query_timeout_s)
        return OpenedVersion(version, catalog.loaded, executor, hold)
    dataset = dataset_of(folder, info)
    executor = serving_executor(dataset, settings)
    current = with_current_rollups(dataset, lambda name: relation_columns(executor, name))
    return OpenedVersion(version, current, executor, hold)


def dataset_of(folder: Path, info: VersionInfo) -> Dataset:
    """The manifest's description of a version, its relations at their absolute paths."""
    described: Mapping[str, Any] = info.dataset
    tables = {name: TableInfo.from_dict(name, data) for name, data in described["tables"].items()}
    return Dataset(
        tables=tables,
        dimensions={d: tuple(m) for d, m in described["dimensions"].items()},
        relations={
            name: Relation(Place.PARQUET, str((folder / rel).resolve()))
            for name, rel in info.relations.items()
        },
        warnings=kept_warnings(Finding.from_dict(f) for f in described.get("warnings", ())),
        files={name: folder / rel for name, rel in info.files.items()},
    )


def with_current_rollups(dataset: Dataset, columns: Callable[[str], set[str]]) -> Dataset:
    """The dataset without its rollups when one lacks a column today's measures read.

    Versions stay as they were published; one published before a measure was
    added is answered from its fact rows (exact, only slower) until the next
    publish rebuilds its rollups, on either engine.
    """
    for name, needed in expected_columns(list(dataset.tables)).items():
        if name not in dataset.relations:
            continue
        if not needed <= columns(name):
            facts = {fact_relation(t) for t in dataset.tables}
            kept = {n: r for n, r in dataset.relations.items() if n in facts}
            return replace(dataset, relations=kept)
    return dataset


def relation_columns(executor: DuckDBExecutor, name: str) -> set[str]:
    """A relation's columns, as the serving connection sees it."""
    return {row[0] for row in executor.con.execute(describe(name)).fetchall()}


def parquet_columns(dataset: Dataset, name: str) -> set[str]:
    """A relation's columns, from its Parquet file's footer (Spark reads the same file)."""
    return set(pq.read_schema(dataset.relations[name].target).names)


def spark_executor(dataset: Dataset, settings: Settings) -> SparkExecutor:
    """The version's fact and rollup files, read by Spark where they lie."""
    files = {name: Path(r.target) for name, r in dataset.relations.items()}
    return SparkExecutor.over_files(files, settings)


def serving_executor(dataset: Dataset, settings: Settings) -> DuckDBExecutor:
    """A locked connection with one view per relation, reading only the dataset's files."""
    files = [Path(r.target) for r in dataset.relations.values() if r.place is Place.PARQUET]
    con = database.serving(files, settings)
    for name, relation in dataset.relations.items():
        reader = exp.func("read_parquet", exp.Literal.string(relation.target))
        view = exp.Create(this=table(name), kind="VIEW", expression=exp.select("*").from_(reader))
        con.execute(render(view))
    database.lock(con)
    database.require_safe(con)
    return DuckDBExecutor(con, duckdb_relations(dataset.relations), settings.query_timeout_s)
