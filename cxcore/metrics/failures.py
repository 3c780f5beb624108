"""What a failure of the machine or the engine says to a reader: one line naming what ran
out and the setting or step that helps, on the command line and on a page alike.

Only failures a reader can act on are worded here (a full disk, the engine's memory or
time limit, a number past exact arithmetic, a file Spark cannot read); anything else is
left as it is, so an unforeseen error is never disguised as a known one.
"""

from __future__ import annotations

import errno

import duckdb

from cxcore.metrics.backend import QueryTimeout
from cxcore.metrics.spark_backend import SparkFailed


def describe_failure(err: BaseException) -> str | None:
    """One line for a failure of the machine or the engine (not of the arguments or the
    data's contract), naming what ran out and what to do; None for anything unforeseen."""
    if isinstance(err, QueryTimeout | SparkFailed):
        return str(err)
    if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
        where = f" writing {err.filename}" if err.filename else ""
        return f"the disk is full{where}: free some space and run the command again"
    if isinstance(err, duckdb.OutOfMemoryException):
        return (
            "the engine ran out of memory (CX_MEMORY_LIMIT_MB sets its limit;"
            " CX_TEMP_DIR and CX_MAX_TEMP_MB where it may spill)"
        )
    if isinstance(err, duckdb.OutOfRangeException):
        return f"a number is out of range for exact arithmetic: {_first_line(err)}"
    if isinstance(err, duckdb.IOException) and "No space left" in str(err):
        return "the disk is full: free some space and run the command again"
    if isinstance(err, OSError):
        return f"{err.strerror or 'cannot use the file'}: {err.filename or ''}".rstrip(": ")
    if isinstance(err, duckdb.Error):
        return f"the engine failed: {_first_line(err)}"
    return None


def _first_line(err: BaseException) -> str:
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return lines[0] if lines else type(err).__name__
