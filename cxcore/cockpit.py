"""The Python contract: `Cockpit.open(path).kpis(...)`, over a data folder or a managed store.

The facade sits above both the engine and the store, so neither has to know
about the other: the store says where a version's data lies, the engine
answers questions about whatever data it is given.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cxcore.analytics import clv_report
from cxcore.data.catalog import Catalog
from cxcore.data.dataset import Dataset
from cxcore.data.targets import TARGETS_FILE
from cxcore.metrics import cohorts as cohorts_mod
from cxcore.metrics.backend import DuckDBExecutor, Executor, duckdb_relations
from cxcore.metrics.engine import ArgumentError
from cxcore.settings import Settings, SettingsError
from cxcore.store import layout, reader
from cxcore.store import targets as store_targets
from cxcore.store.publish import ensure_store
from cxcore.voice.facade import VoiceOfCustomer


class Cockpit(VoiceOfCustomer):
    """An opened data folder or store version; reuse one per process."""

    def __init__(
        self,
        dataset: Dataset,
        executor: Executor,
        source: Path,
        version: int | None = None,
        *,
        use_rollups: bool = True,
        opened: reader.OpenedVersion | None = None,
        targets_file: Path | None = None,
        scratch: tempfile.TemporaryDirectory[str] | None = None,
    ) -> None:
        super().__init__(dataset, executor, use_rollups=use_rollups)
        self.source = source
        self.version = version  # the store version read; None for a plain data folder
        self._opened = opened  # holds a store version against pruning while it is served
        self.targets_file = targets_file
        self._scratch = scratch  # a data folder's files written for Spark, removed on close

    def close(self) -> None:
        """Release the data: its connection, and the hold on a store version."""
        if self._opened is not None:
            self._opened.close()
            self._opened = None
        else:
            self.executor.close()
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    def __enter__(self) -> Cockpit:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @classmethod
    def open(
        cls,
        path: str | Path,
        version: int | None = None,
        *,
        settings: Settings | None = None,
        use_rollups: bool = True,
        engine: str | None = None,
    ) -> Cockpit:
        """A data folder, or a managed store at its latest (or a pinned) version.

        `engine` ("duckdb" or "spark") overrides the setting (`CX_ENGINE`).
        """
        settings = settings or Settings.from_env()
        if engine is not None:
            try:
                settings = dataclasses.replace(settings, engine=engine)
            except SettingsError as err:
                raise ArgumentError(f"unknown engine {engine!r}: {err}") from None
        if layout.is_store(path):
            opened = reader.open_version(path, version, settings)
            try:
                targets = store_targets.targets_file(path, opened.version)
            except BaseException:
                opened.close()
                raise
            return cls(
                opened.dataset,
                opened.executor,
                Path(path),
                opened.version,
                use_rollups=use_rollups,
                opened=opened,
                targets_file=targets,
            )
        if version is not None:
            raise ArgumentError(f"{str(path)!r} is a data folder, not a store: it has no versions")
        if settings.engine == "spark":
            return cls._folder_on_spark(Path(path), settings, use_rollups)
        catalog = Catalog.from_folder(path)
        executor = DuckDBExecutor(
            catalog.con, duckdb_relations(catalog.loaded.relations), settings.query_timeout_s
        )
        return cls(catalog.loaded, executor, Path(path), targets_file=Path(path) / TARGETS_FILE)

    def cohorts(
        self,
        start: str | dt.date,
        end: str | dt.date,
        filters: Mapping[str, Sequence[str]] | None = None,
        basis: str = "first_order",
        unit: str = "month",
    ) -> dict[str, Any]:
        """Cohorts starting in the months of [start, end], followed month by month."""
        return cohorts_mod.cohorts(self, start, end, filters, basis, unit)

    def clv(
        self,
        calibration_end: str | dt.date,
        horizon_months: int = 12,
        discount_monthly: float = 0.01,
        filters: Mapping[str, Sequence[str]] | None = None,
        by: str | None = None,
    ) -> dict[str, Any]:
        """Lifetime value of the customers up to `calibration_end` (see analytics.clv_report)."""
        dimension = None if by is None else self.check_dimension(by)
        fitted = self.clv_fit(calibration_end, filters)
        return clv_report.summary(fitted, horizon_months, discount_monthly, dimension)

    def clv_fit(
        self,
        calibration_end: str | dt.date,
        filters: Mapping[str, Sequence[str]] | None = None,
        holdout_end: str | dt.date | None = None,
    ) -> clv_report.FittedClv:
        """The fitted models behind `clv`, for callers that keep them (the slow part)."""
        return clv_report.fit(self, calibration_end, filters, holdout_end)

    @classmethod
    def _folder_on_spark(cls, folder: Path, settings: Settings, use_rollups: bool) -> Cockpit:
        """A data folder validated and written as a version by DuckDB, as publishing would,
        into a scratch store; Spark then reads those files. Validation stays in one place."""
        scratch = tempfile.TemporaryDirectory(prefix="cx-spark-")
        try:
            store = Path(scratch.name) / "store"
            ensure_store(store, folder, settings)
            opened = reader.open_version(store, None, settings)
        except BaseException:
            scratch.cleanup()
            raise
        return cls(
            opened.dataset,
            opened.executor,
            folder,
            None,
            use_rollups=use_rollups,
            opened=opened,
            targets_file=folder / TARGETS_FILE,
            scratch=scratch,
        )
