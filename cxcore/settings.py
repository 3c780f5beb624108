"""Settings of the store and the engine, read from environment variables with safe defaults.

A plain dataclass rather than a settings framework: a handful of values do not
need a dependency. Each setting is declared once below with its environment
variable and its key in a section of the app's secrets (`[store]`, or
`[engine]` for which engine serves the KPIs); every bad value is refused with
the variable's name, so a typo in a deployment shows up at start, not as a
surprise later.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

MB = 1024 * 1024


class SettingsError(ValueError):
    """A setting holds a value the store cannot work with."""


@dataclass(frozen=True)
class DateWindow:
    """The days a table's dates may fall on, both ends included."""

    first: dt.date
    last: dt.date

    def __str__(self) -> str:
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.first <= day <= self.last


# A configured window must stay inside these days: every later step (a comparison a year
# back, a trend, a chart axis) then has centuries of room before a calendar runs out.
WINDOW_LIMITS = DateWindow(dt.date(1800, 1, 1), dt.date(2999, 12, 31))
DEFAULT_WINDOW = DateWindow(dt.date(1900, 1, 1), dt.date(2099, 12, 31))
WINDOW_ENV = "CX_DATE_WINDOW"
WINDOW_KEY = "date_window"


def parse_window(text: str, name: str = WINDOW_ENV) -> DateWindow:
    """`FIRST..LAST` (ISO days); refused with the setting's name when malformed or too wide."""
    first, sep, last = str(text).strip().partition("..")
    try:
        window = DateWindow(dt.date.fromisoformat(first.strip()), dt.date.fromisoformat(last))
    except ValueError:
        window = None
    if not sep or window is None:
        raise SettingsError(f"{name} must be FIRST..LAST in YYYY-MM-DD, got {text!r}")
    if window.first > window.last:
        raise SettingsError(f"{name} starts after it ends: {text!r}")
    if window.first not in WINDOW_LIMITS or window.last not in WINDOW_LIMITS:
        raise SettingsError(f"{name} must lie within {WINDOW_LIMITS}, got {text!r}")
    return window


@dataclass(frozen=True)
class Setting:
    field: str
    env: str
    key: str  # the name in the app's `[store]` setting
    parse: Callable[[str], Any]
    minimum: float | None = None
    section: str = "store"  # the section of the app's secrets that holds it


ENGINES = ("duckdb", "spark")


def _path(text: str) -> Path:
    return Path(text)


def _optional_path(text: str) -> Path | None:
    return Path(text) if text.strip() else None


def _engine(text: str) -> str:
    name = text.strip().lower()
    if name not in ENGINES:
        raise SettingsError(f"CX_ENGINE must be one of: {', '.join(ENGINES)}, got {text!r}")
    return name


def _text(text: str) -> str:
    return text.strip()


SETTINGS: tuple[Setting, ...] = (
    Setting("data", "CX_DATA", "data", _optional_path),
    Setting("store", "CX_STORE", "path", _path),
    Setting("keep_versions", "CX_KEEP_VERSIONS", "keep_versions", int, 1),
    Setting("max_upload_mb", "CX_MAX_UPLOAD_MB", "max_upload_mb", float, 0.001),
    Setting("max_ingest_mb", "CX_MAX_INGEST_MB", "max_ingest_mb", float, 0.001),
    Setting("max_unpacked_mb", "CX_MAX_UNPACKED_MB", "max_unpacked_mb", float, 0.001),
    Setting("max_columns", "CX_MAX_COLUMNS", "max_columns", int, 1),
    Setting("memory_limit_mb", "CX_MEMORY_LIMIT_MB", "memory_limit_mb", int, 64),
    Setting("threads", "CX_THREADS", "threads", int, 1),
    Setting("temp_dir", "CX_TEMP_DIR", "temp_dir", _path),
    Setting("max_temp_mb", "CX_MAX_TEMP_MB", "max_temp_mb", int, 1),
    Setting("query_timeout_s", "CX_QUERY_TIMEOUT_S", "query_timeout_s", float, 0.1),
    Setting("date_window", WINDOW_ENV, WINDOW_KEY, parse_window),
    Setting("engine", "CX_ENGINE", "name", _engine, section="engine"),
    Setting("spark_master", "CX_SPARK_MASTER", "spark_master", _text, section="engine"),
    Setting("spark_remote", "CX_SPARK_REMOTE", "spark_remote", _text, section="engine"),
)
BY_FIELD = {s.field: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    store: Path = Path("cx_store")
    keep_versions: int = 20
    # The browser's upload limit; keep equal to the app's `server.maxUploadSize`.
    max_upload_mb: float = 200.0
    # The command line's limit for a local file: far larger, it streams.
    max_ingest_mb: float = 100 * 1024.0
    # An uploaded Parquet file or workbook, once unpacked (a small file can unpack into a
    # "bomb"); local files on the command line are bounded by max_ingest_mb instead.
    max_unpacked_mb: float = 2048.0
    # Columns a file may have, counted from its header before a row is read.
    max_columns: int = 1000
    # The engine's working memory, spilled to `temp_dir` beyond it.
    memory_limit_mb: int = 1024
    threads: int = max(os.cpu_count() or 1, 1)
    temp_dir: Path = Path(tempfile.gettempdir()) / "cx-cockpit-spill"
    max_temp_mb: int = 20 * 1024
    query_timeout_s: float = 60.0
    # Rows dated outside the window are refused; one table may have its own window.
    date_window: DateWindow = DEFAULT_WINDOW
    table_windows: tuple[tuple[str, DateWindow], ...] = ()
    # Which engine answers KPI queries: DuckDB (embedded) or Spark (see docs/scaling.md).
    engine: str = "duckdb"
    spark_master: str = "local[2]"  # where a Spark session runs, unless spark_remote is set
    spark_remote: str = ""  # a Spark Connect URL (sc://host:15002); empty: start a session
    # What the app serves instead of the managed store: a data folder or another store.
    data: Path | None = None

    def __post_init__(self) -> None:
        for setting in SETTINGS:
            value = getattr(self, setting.field)
            if setting.minimum is not None and value < setting.minimum:
                raise SettingsError(
                    f"{setting.env} must be at least {setting.minimum:g}, got {value}"
                )
        _engine(self.engine)

    def window_for(self, table: str) -> DateWindow:
        """The table's own window (CX_DATE_WINDOW_<TABLE>), else the common one."""
        return dict(self.table_windows).get(table, self.date_window)

    @property
    def spill_dir(self) -> Path:
        """The temp directory as an absolute path: a relative one would follow the cwd."""
        return self.temp_dir.expanduser().resolve()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Environment first, then explicit overrides (e.g. from the app's own settings)."""
        env = os.environ if env is None else env
        found: dict[str, Any] = {
            s.field: _parsed(s, text) for s in SETTINGS if (text := str(env.get(s.env, "")).strip())
        }
        given = {k: v for k, v in overrides.items() if v is not None}
        for name, value in list(given.items()):
            if name == "table_windows":
                continue
            if isinstance(value, str):
                given[name] = _parsed(BY_FIELD[name], value)
            elif BY_FIELD[name].parse in (_path, _optional_path):
                given[name] = Path(value)
        windows = dict(given.pop("table_windows", ()))
        windows.update(_table_windows(env))
        if windows:
            found["table_windows"] = tuple(sorted(windows.items()))
        return replace(cls(**found), **given)


def _parsed(setting: Setting, text: str) -> Any:
    try:
        return setting.parse(text)
    except SettingsError:
        raise
    except ValueError:
        raise SettingsError(f"{setting.env} must be a number, got {text!r}") from None


def _table_windows(env: Mapping[str, str]) -> dict[str, DateWindow]:
    """CX_DATE_WINDOW_<TABLE> variables: table name (lower case) -> its window.

    The table names are checked against the contract where windows are used
    (this module sits below the contract and does not know its tables).
    """
    prefix = WINDOW_ENV + "_"
    return {
        name[len(prefix) :].lower(): parse_window(text, name)
        for name, text in env.items()
        if name.startswith(prefix) and str(text).strip()
    }


def layered(
    setting: Mapping[str, Any],
    env: Mapping[str, str] | None = None,
    engine: Mapping[str, Any] | None = None,
) -> Settings:
    """The app's `[store]` (and `[engine]`) settings, where the environment variable for a
    value is unset; a deployment can pin a value without editing files."""
    env = os.environ if env is None else env
    given = {"store": setting, "engine": engine or {}}
    overrides: dict[str, Any] = {
        s.field: given[s.section][s.key]
        for s in SETTINGS
        if s.key in given[s.section] and not str(env.get(s.env, "")).strip()
    }
    prefix = WINDOW_KEY + "_"
    overrides["table_windows"] = tuple(
        (key[len(prefix) :].lower(), parse_window(str(value), key))
        for key, value in setting.items()
        if key.startswith(prefix)
    )
    return Settings.from_env(env, **overrides)
