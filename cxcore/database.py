"""Every DuckDB connection the cockpit opens, configured in one place.

Two kinds, for two jobs:

- a *serving* connection reads one published version and nothing else: it
  may open exactly that version's files, installs and loads no extension,
  works within a memory limit (spilling to an absolute temp directory of a
  bounded size), and then locks its configuration, so not even a query that
  slipped past every other guard could read `/etc/passwd`, write a file,
  attach a database or change a limit;
- a *working* connection checks and builds data (validation, publishing,
  a data folder read as it is): the same limits, but file access stays on,
  since reading uploads and writing versions is its job.

DuckDB is thread-safe per cursor, not per connection, so callers take one
cursor per query.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb

from cxcore.settings import Settings

# Time zone of a session: text timestamps without an offset are read as stored.
TIME_ZONE = "UTC"


def _config(settings: Settings) -> dict[str, object]:
    spill = settings.spill_dir
    spill.mkdir(parents=True, exist_ok=True)
    return {
        "memory_limit": f"{settings.memory_limit_mb}MB",
        "threads": settings.threads,
        "temp_directory": str(spill),
        "max_temp_directory_size": f"{settings.max_temp_mb}MB",
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }


def working(
    settings: Settings | None = None, path: Path | None = None
) -> duckdb.DuckDBPyConnection:
    """A connection for checking and building data; on disk at `path` when given, so a
    table larger than memory is buffered there rather than failing."""
    settings = settings or Settings.from_env()
    con = duckdb.connect(str(path) if path else ":memory:", config=_config(settings))
    con.execute(f"SET TimeZone = '{TIME_ZONE}'")
    return con


def serving(files: Iterable[Path], settings: Settings | None = None) -> duckdb.DuckDBPyConnection:
    """A locked connection that may read exactly `files` (absolute paths) and nothing else."""
    settings = settings or Settings.from_env()
    con = duckdb.connect(
        ":memory:", config={**_config(settings), "preserve_insertion_order": False}
    )
    con.execute(f"SET TimeZone = '{TIME_ZONE}'")
    con.execute("SET parquet_metadata_cache = true")  # footers read once, not per query
    allowed = [str(Path(f).resolve()) for f in files]
    con.execute("SET allowed_paths = $paths", {"paths": allowed})
    con.execute("SET enable_external_access = false")
    return con


def lock(con: duckdb.DuckDBPyConnection) -> None:
    """No setting can change after this: call once the connection's views are defined."""
    con.execute("SET lock_configuration = true")
