"""The Python contract: `Cockpit.open(path).kpis(...)`, over a data folder or a managed store.

The facade sits above both the engine and the store, so neither has to know
about the other: the store says where a version's data lies, the engine
answers questions about whatever data it is given.
"""

from __future__ import annotations

from pathlib import Path

from cxcore.data.catalog import Catalog
from cxcore.data.dataset import Dataset
from cxcore.data.targets import TARGETS_FILE
from cxcore.metrics.backend import DuckDBExecutor, Executor, duckdb_relations
from cxcore.metrics.engine import ArgumentError
from cxcore.settings import Settings
from cxcore.store import layout, reader
from cxcore.store import targets as store_targets
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
    ) -> None:
        super().__init__(dataset, executor, use_rollups=use_rollups)
        self.source = source
        self.version = version  # the store version read; None for a plain data folder
        self._opened = opened  # holds a store version against pruning while it is served
        self.targets_file = targets_file

    def close(self) -> None:
        """Release the data: its connection, and the hold on a store version."""
        if self._opened is not None:
            self._opened.close()
            self._opened = None
        else:
            self.executor.close()

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
    ) -> Cockpit:
        """A data folder, or a managed store at its latest (or a pinned) version."""
        settings = settings or Settings.from_env()
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
        catalog = Catalog.from_folder(path)
        executor = DuckDBExecutor(
            catalog.con, duckdb_relations(catalog.loaded.relations), settings.query_timeout_s
        )
        return cls(catalog.loaded, executor, Path(path), targets_file=Path(path) / TARGETS_FILE)
