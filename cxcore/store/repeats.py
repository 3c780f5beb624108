"""Rows an append would count twice: a table without ids cannot tell a row given again
from a new one.

An order given again replaces itself (its id says it is the same order), but
a day's spend on one channel, uploaded a second time, is added to itself and
doubles that day. Appending the same export twice is an easy slip, so an
append that repeats published rows exactly is said before it is published.
It stays a warning: two equal rows can be real (two equal payments on one
day), and only the analyst knows.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
from sqlglot import exp

from cxcore.data.contract import TABLES
from cxcore.data.validation import Finding, Severity
from cxcore.database import one_row
from cxcore.sqlkit import column, describe, render, table

ALREADY_PUBLISHED = (
    "are already published exactly as they are: {label} has no id to tell a row given"
    " again from a new one, so appending them counts them twice (if this file was appended"
    " before, roll back, or publish the whole table in replace mode)"
)


def appended_again(
    con: duckdb.DuckDBPyConnection, table_name: str, parts: Sequence[str], published: str
) -> list[Finding]:
    """A warning counting the uploaded rows equal, in every contract column, to published
    rows (each published row matching at most one uploaded row)."""
    contract = TABLES[table_name]
    if contract.id_column or not parts:
        return []
    shared = set(_columns(con, published))
    for part in parts:
        shared &= set(_columns(con, part))
    names = [c.name for c in contract.columns if c.name in shared]
    if not names:
        return []
    uploaded: exp.Query = _select(names, parts[0])
    for part in parts[1:]:
        uploaded = exp.union(uploaded, _select(names, part), distinct=False)
    repeated = exp.Intersect(this=uploaded, expression=_select(names, published), distinct=False)
    query = exp.select(exp.Count(this=exp.Star())).from_(repeated.subquery("repeated"))
    (count,) = one_row(con, render(query))
    if not count:
        return []
    words = ALREADY_PUBLISHED.format(label=contract.label)
    return [Finding(table_name, None, words, int(count), Severity.WARNING)]


def _columns(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    return [r[0] for r in con.execute(describe(name)).fetchall()]


def _select(names: Sequence[str], source: str) -> exp.Select:
    return exp.select(*(column(n) for n in names)).from_(table(source))
