"""Every DuckDB connection the cockpit opens, configured in one place.

Two kinds, for two jobs:

- a *serving* connection reads one published version and nothing else: it
  may open exactly that version's files;
- a *working* connection checks and builds data (validation, publishing, a
  data folder read as it is): it may read the files it was given and write
  only into the folders it was given.

Both install and load no extension, work within a memory limit (spilling to
an absolute temp directory of a bounded size), refuse every other file, and
lock their configuration, so not even a query that slipped past every other
guard could read `/etc/passwd`, write a file elsewhere, attach a database or
change a limit. `self_check` tries exactly that and reports what got through.

DuckDB is thread-safe per cursor, not per connection, so callers take one
cursor per query.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

from cxcore.settings import Settings

# Time zone of a session: text timestamps without an offset are read as stored.
TIME_ZONE = "UTC"


class UnsafeConnection(RuntimeError):
    """A connection allowed something it must not: the cockpit refuses to use it."""


def _config(settings: Settings) -> dict[str, str | bool | int | float | list[str]]:
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


def _connect(settings: Settings, serving: bool) -> duckdb.DuckDBPyConnection:
    config = _config(settings)
    if serving:  # answers need no order; loading and checking keep file order for row numbers
        config["preserve_insertion_order"] = False
    con = duckdb.connect(":memory:", config=config)
    con.execute(f"SET TimeZone = '{TIME_ZONE}'")
    return con


def _confine(
    con: duckdb.DuckDBPyConnection, files: Iterable[Path], folders: Iterable[Path]
) -> None:
    """Exactly these files and folders (and their contents), nothing else, from now on."""
    paths = [str(Path(f).resolve()) for f in files]
    directories = [str(Path(d).resolve()) + "/" for d in folders]
    if paths:
        con.execute("SET allowed_paths = $paths", {"paths": paths})
    if directories:
        con.execute("SET allowed_directories = $dirs", {"dirs": directories})
    con.execute("SET enable_external_access = false")


def working(
    settings: Settings | None = None,
    *,
    reads: Iterable[Path] = (),
    folders: Iterable[Path] = (),
) -> duckdb.DuckDBPyConnection:
    """A locked connection for checking and building: it may read the files in `reads` and
    read and write inside `folders`. Beyond its memory limit it spills to disk."""
    settings = settings or Settings.from_env()
    con = _connect(settings, serving=False)
    _confine(con, reads, folders)
    lock(con)
    return con


def serving(files: Iterable[Path], settings: Settings | None = None) -> duckdb.DuckDBPyConnection:
    """A connection that may read exactly `files`; `lock` it once its views are defined."""
    settings = settings or Settings.from_env()
    con = _connect(settings, serving=True)
    con.execute("SET parquet_metadata_cache = true")  # footers read once, not per query
    _confine(con, files, ())
    return con


SIZE_UNITS = {"bytes": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3, "TiB": 1024**4}


def memory_limit_mb(con: duckdb.DuckDBPyConnection) -> float:
    """The connection's working memory in MB, as DuckDB states it ("976.5 MiB"): a step
    that must fit in it reads it here rather than trusting what the settings asked for."""
    row = con.execute("SELECT current_setting('memory_limit')").fetchone()
    amount, _, unit = str(row[0] if row else "").partition(" ")
    if unit not in SIZE_UNITS:
        raise ValueError(f"unreadable memory limit: {row!r}")
    return float(amount) * SIZE_UNITS[unit] / 1024**2


def lock(con: duckdb.DuckDBPyConnection) -> None:
    """No setting can change after this."""
    con.execute("SET lock_configuration = true")


def _probes(outside: Path) -> dict[str, str]:
    target = str(outside / "written-by-a-query.csv")
    return {
        "read a file outside": "SELECT * FROM read_text('/etc/passwd')",
        "read a CSV outside": "SELECT * FROM read_csv('/etc/hostname')",
        "write a file": f"COPY (SELECT 1) TO '{target}'",
        "attach a database": f"ATTACH '{outside / 'attached.duckdb'}' AS intruder",
        "install an extension": "INSTALL httpfs",
        "load an extension": "LOAD httpfs",
        "raise the memory limit": "SET memory_limit = '100GB'",
        "reopen file access": "SET enable_external_access = true",
        "unlock the configuration": "SET lock_configuration = false",
    }


def self_check(con: duckdb.DuckDBPyConnection) -> list[str]:
    """What a query on this connection could do that it must not (empty: nothing)."""
    allowed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="cx-probe-") as outside:
        for what, sql in _probes(Path(outside)).items():
            cursor = con.cursor()
            try:
                cursor.execute(sql)
                allowed.append(what)
            except duckdb.Error:
                pass
            finally:
                cursor.close()
    return allowed


def require_safe(con: duckdb.DuckDBPyConnection) -> None:
    allowed = self_check(con)
    if allowed:
        raise UnsafeConnection("the engine connection allows: " + ", ".join(allowed))


def one_row(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    """The one row an aggregate query without GROUP BY always gives: its absence would be
    an engine fault, said here rather than hidden behind a default."""
    row = con.execute(sql).fetchone()
    if row is None:
        raise RuntimeError(f"an aggregate query returned no row: {sql}")
    return tuple(row)
