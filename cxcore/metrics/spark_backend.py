"""Apache Spark as an engine: the same queries, rendered in Spark's dialect, over Parquet files.

A company whose data outgrows one machine points the cockpit at Spark and
keeps everything else: the KPI registry, the query builders and the rollups
written at publish are the same; only where the SQL runs changes. Spark reads
a published version's Parquet files where they lie (a path every executor of
the cluster can read), one temporary view per logical relation.

`pyspark` is an optional dependency (`pip install -e ".[spark]"`): it is
imported here only, and only when a Spark executor is made, so nothing else
of the cockpit pays its import time or needs Java.

Values travel as named parameters (`:name`), which Spark binds: dates, whole
numbers, texts and the lists of filter members alike. The differences between
DuckDB and Spark that would change a number are settled where the queries
are built (docs/scaling.md lists them); this module only renders and runs.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from sqlglot import exp

from cxcore.metrics.backend import QueryTexts, QueryTimeout, Result, Rows
from cxcore.settings import Settings
from cxcore.sqlkit import table

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

APP_NAME = "cx-cockpit"
# Session settings the numbers depend on: days are calendar days in UTC, and
# ANSI mode (Spark 4's default) raises on overflow instead of returning a wrong value.
SESSION_CONFIG: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
    # a difference of DECIMAL(38, 10) values stays DECIMAL(38, 10), as on DuckDB, instead of
    # giving up a decimal (an overflow raises under ANSI mode rather than losing digits)
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    "spark.ui.showConsoleProgress": "false",
}
# A local session has few cores: a few shuffle partitions, not the 200 meant for a cluster.
LOCAL_CONFIG: dict[str, str] = {"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "4"}
_views = itertools.count(1)


class SparkUnavailable(RuntimeError):
    """Spark cannot be started here: pyspark is not installed, or there is no Java."""


def spark_session(settings: Settings) -> SparkSession:
    """The process's Spark session (started once; about 20 s in local mode).

    `spark_remote` connects to a Spark Connect server; otherwise a session runs
    with `spark_master` (`local[2]` by default, or a cluster manager's URL).
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable(
            'the Spark engine needs pyspark: pip install -e ".[spark]"'
        ) from None
    builder = SparkSession.builder.appName(APP_NAME)
    if settings.spark_remote:
        builder = builder.remote(settings.spark_remote)
    else:
        builder = builder.master(settings.spark_master)
        for key, value in LOCAL_CONFIG.items():
            builder = builder.config(key, value)
    for key, value in SESSION_CONFIG.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as err:  # py4j and Spark Connect raise their own kinds
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise SparkUnavailable(f"Spark could not be started: {first}") from None
    for key, value in SESSION_CONFIG.items():  # a session made earlier gets them too
        if key != "spark.ui.showConsoleProgress":
            session.conf.set(key, value)
    return session


class SparkExecutor:
    """Runs queries on a Spark session over Parquet files, one temporary view per relation.

    Views carry a prefix of their own, so several executors (versions, tests)
    can share the process's one session without seeing each other's data.
    """

    dialect = "spark"

    def __init__(
        self, session: SparkSession, files: Mapping[str, Path], timeout_s: float | None = None
    ) -> None:
        self.session = session
        self.timeout_s = timeout_s
        prefix = f"cx{next(_views)}_"
        self.relations: dict[str, exp.Expr] = {}
        for name, path in files.items():
            view = f"{prefix}{name}"
            session.read.parquet(str(path)).createOrReplaceTempView(view)
            self.relations[name] = table(view)
        self._texts = QueryTexts(self.dialect)
        self._tags = itertools.count(1)
        self._prefix = prefix

    @classmethod
    def over_files(cls, files: Mapping[str, Path], settings: Settings) -> SparkExecutor:
        return cls(spark_session(settings), files, settings.query_timeout_s)

    def close(self) -> None:
        """Drop this executor's views; the session stays for the rest of the process."""
        for placed in self.relations.values():
            assert isinstance(placed, exp.Table)
            self.session.catalog.dropTempView(placed.name)
        self.relations = {}

    def fetch(
        self, query: exp.Expr, params: Mapping[str, Any], shape: tuple[Any, ...] = ()
    ) -> Rows:
        """Rows of the query as tuples, the values Spark returns (Decimal, int, date, str)."""
        sql = self._texts.text(query, self.relations, shape)
        rows = self._within_limit(lambda: self.session.sql(sql, args=dict(params)).collect())
        return [tuple(row) for row in rows]

    def fetch_arrow(
        self, query: exp.Expr, params: Mapping[str, Any], shape: tuple[Any, ...] = ()
    ) -> pa.Table:
        sql = self._texts.text(query, self.relations, shape)
        return self._within_limit(lambda: self.session.sql(sql, args=dict(params)).toArrow())

    def _within_limit(self, run: Callable[[], Result]) -> Result:
        """`run` under a tag of its own, which the timer interrupts past the limit."""
        tag = f"{self._prefix}q{next(self._tags)}"
        self.session.addTag(tag)
        stopped = threading.Event()
        timer = None
        if self.timeout_s:
            timer = threading.Timer(self.timeout_s, self._stop, (tag, stopped))
        try:
            if timer:
                timer.start()
            return run()
        except Exception:
            if stopped.is_set():
                raise QueryTimeout.after(self.timeout_s) from None
            raise
        finally:
            if timer:
                timer.cancel()
            self.session.removeTag(tag)

    def _stop(self, tag: str, stopped: threading.Event) -> None:
        stopped.set()
        self.session.interruptTag(tag)
