"""The Python contract: `Cockpit.open(path).kpis(...)`, over a data folder or a managed store.

The facade sits above both the engine and the store, so neither has to know
about the other: the store says where a version's data lies, the engine
answers questions about whatever data it is given.
"""

from __future__ import annotations

from pathlib import Path

from cxcore.data.catalog import Catalog
from cxcore.metrics.engine import ArgumentError, Engine
from cxcore.store import layout


class Cockpit(Engine):
    """An opened data folder or store version; reuse one per process."""

    @classmethod
    def open(cls, path: str | Path, version: int | None = None) -> Cockpit:
        """A data folder, or a managed store at its latest (or a pinned) version."""
        if layout.is_store(path):
            chosen, catalog = layout.open_catalog(path, version)
            return cls(catalog, Path(path), chosen)
        if version is not None:
            raise ArgumentError(f"{str(path)!r} is a data folder, not a store: it has no versions")
        return cls(Catalog.from_folder(path), Path(path))
