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
import os
import shutil
import socket
import threading
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

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
}
# A session started here: few cores, so a few shuffle partitions, not the 200 meant for a
# cluster, and no progress bars on the terminal (a Connect server refuses to change those).
LOCAL_CONFIG: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.showConsoleProgress": "false",
}
# How long a Spark Connect server or a standalone master may take to accept a connection
# before it is reported unreachable: Spark's own clients retry for minutes (Connect for at
# least 10), which to a reader of the app or the command line is a hang.
REACH_TIMEOUT_S = 10.0
CONNECT_PORT, MASTER_PORT = 15002, 7077  # the ports Spark's URLs leave out
REMOTE_SETTING = "CX_SPARK_REMOTE, or spark_remote under [engine]"
MASTER_SETTING = "CX_SPARK_MASTER, or spark_master under [engine]"
PANDAS_WARNING = "PySpark does not yet fully support pandas"
_views = itertools.count(1)


class SparkUnavailable(RuntimeError):
    """Spark cannot be started here: pyspark is not installed, or there is no Java."""


class SparkFailed(RuntimeError):
    """Spark could not answer (a file it could not read, a query it refused), in one line:
    pyspark's own errors carry the JVM's stack, hundreds of lines."""

    @classmethod
    def of(cls, err: BaseException) -> SparkFailed:
        return cls(f"Spark failed: {first_line(err)}")


def first_line(err: BaseException) -> str:
    """What went wrong, in one line: py4j's first line only names the Java call that failed
    ("An error occurred while calling o47.parquet."); the JVM's reason follows it."""
    lines = [line.strip().removeprefix(": ").strip() for line in str(err).splitlines()]
    lines = [line for line in lines if line]
    told = [line for line in lines if not line.startswith("An error occurred while calling")]
    return (told or lines or [type(err).__name__])[0]


def spark_session(settings: Settings) -> SparkSession:
    """The process's Spark session (started once; about 20 s in local mode).

    `spark_remote` connects to a Spark Connect server; otherwise a session runs
    with `spark_master` (`local[2]` by default, or a cluster manager's URL). Whatever
    stops it (no Java, a server or master that does not answer, a URL Spark refuses) is
    one `SparkUnavailable` line naming the setting, within seconds.
    """
    # pyspark 4.3 warns of pandas 3 as its modules load; the parity suites hold the numbers
    warnings.filterwarnings("ignore", PANDAS_WARNING, FutureWarning)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable(
            'the Spark engine needs pyspark: pip install -e ".[spark]"'
        ) from None
    builder = SparkSession.builder.appName(APP_NAME)
    if settings.spark_remote:
        where = f"the Spark Connect server {settings.spark_remote!r} ({REMOTE_SETTING})"
        reachable(connect_addresses(settings.spark_remote), where)
        builder = builder.remote(settings.spark_remote)
    else:
        where = f"the Spark master {settings.spark_master!r} ({MASTER_SETTING})"
        java_found()
        reachable(master_addresses(settings.spark_master), where)
        builder = builder.master(settings.spark_master)
        for key, value in LOCAL_CONFIG.items():
            builder = builder.config(key, value)
    for key, value in SESSION_CONFIG.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
        for key, value in SESSION_CONFIG.items():  # a session made earlier gets them too
            session.conf.set(key, value)
    except Exception as err:  # py4j and Spark Connect raise their own kinds
        raise SparkUnavailable(
            f"Spark could not be started with {where}: {first_line(err)}"
        ) from None
    return session


def java_found() -> None:
    """Java, where Spark's launcher looks for it (JAVA_HOME, else the PATH), or one line."""
    home = os.environ.get("JAVA_HOME", "").strip()
    if home:
        if not (Path(home) / "bin" / "java").is_file():
            raise SparkUnavailable(
                f"the Spark engine (CX_ENGINE=spark) needs Java, but JAVA_HOME={home!r}"
                " holds no bin/java"
            )
    elif shutil.which("java") is None:
        raise SparkUnavailable(
            "the Spark engine (CX_ENGINE=spark) needs Java 17 or later, and there is no java"
            " on the PATH (install default-jre-headless, or set JAVA_HOME)"
        )


def connect_addresses(remote: str) -> list[tuple[str, int]]:
    """The host and port of a Spark Connect URL (sc://host[:port][/;params]); none for
    anything else (such as "local"), which Spark itself judges."""
    if not remote.lower().startswith("sc://"):
        return []
    try:
        url = urlsplit("http://" + remote[len("sc://") :])
        host, port = url.hostname, url.port or CONNECT_PORT
    except ValueError:  # a port that is no number: Spark names it
        return []
    return [(host, port)] if host else []


def master_addresses(master: str) -> list[tuple[str, int]]:
    """The masters of a standalone cluster's URL (spark://host:port[,host:port]); none for
    a local session, YARN or Kubernetes."""
    if not master.lower().startswith("spark://"):
        return []
    found = []
    for part in master[len("spark://") :].split(","):
        try:
            url = urlsplit("http://" + part.strip())
            if url.hostname:
                found.append((url.hostname, url.port or MASTER_PORT))
        except ValueError:
            continue
    return found


def reachable(addresses: list[tuple[str, int]], where: str) -> None:
    """At least one of the addresses accepts a connection within REACH_TIMEOUT_S, or one
    line naming the setting (no addresses: nothing to try)."""
    why = ""
    for host, port in addresses:
        try:
            with socket.create_connection((host, port), timeout=REACH_TIMEOUT_S):
                return
        except OSError as err:
            reason = "no answer" if isinstance(err, TimeoutError) else err.strerror or str(err)
            why = f"{host}:{port}: {reason}"
    if addresses:
        raise SparkUnavailable(f"Spark could not be started: {where} cannot be reached ({why})")


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
        try:
            for name, path in files.items():
                view = f"{prefix}{name}"
                session.read.parquet(str(path)).createOrReplaceTempView(view)
                self.relations[name] = table(view)
        except Exception as err:  # a file Spark cannot read: its views so far dropped
            self.close()
            raise SparkFailed.of(err) from err
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
        except Exception as err:
            if stopped.is_set():
                raise QueryTimeout.after(self.timeout_s) from None
            raise SparkFailed.of(err) from err
        finally:
            if timer:
                timer.cancel()
            self.session.removeTag(tag)

    def _stop(self, tag: str, stopped: threading.Event) -> None:
        stopped.set()
        self.session.interruptTag(tag)
