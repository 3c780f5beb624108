"""What an append does to rows already published, said before it is published.

An order given again replaces itself (its id says it is the same order): a
correction, but one that changes figures already seen, so the rows replaced
with other values are counted. A table without ids cannot tell a row given again from a new one:
a day's spend on one channel, uploaded a second time, is added to itself and
doubles that day. Appending the same export twice is an easy slip, so an
append that repeats published rows exactly is counted too. Both stay
warnings: a correction is routine, two equal rows can be real (two equal
payments on one day), and only the analyst knows.
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
    if contract.id_column:
        return []
    names = _shared_contract_columns(con, table_name, parts, published)
    if not names:
        return []
    uploaded = _uploaded(names, parts)
    repeated = exp.Intersect(this=uploaded, expression=_select(names, published), distinct=False)
    query = exp.select(exp.Count(this=exp.Star())).from_(repeated.subquery("repeated"))
    (count,) = one_row(con, render(query))
    if not count:
        return []
    words = ALREADY_PUBLISHED.format(label=contract.label)
    return [Finding(table_name, None, words, int(count), Severity.WARNING)]


REPLACED = (
    "are uploaded under {a_key} already published, with other values: each replaces the"
    " published row (the newer row wins), so figures already published change"
)


def replaced_by_id(
    con: duckdb.DuckDBPyConnection, table_name: str, parts: Sequence[str], published: str
) -> list[Finding]:
    """A warning counting the published rows an append replaces by id with other values
    (a row uploaded again exactly as published changes nothing, and is not counted)."""
    key = TABLES[table_name].id_column
    if not key:
        return []
    names = _shared_contract_columns(con, table_name, parts, published)
    if key not in names:
        return []
    uploaded = _uploaded(names, parts)
    ids = exp.select(column(key)).from_(uploaded.subquery("uploaded"))
    replaced = _select(names, published).where(column(key).isin(query=ids))
    changed = exp.Except(this=replaced, expression=uploaded, distinct=False)
    query = exp.select(exp.Count(this=exp.Star())).from_(changed.subquery("changed"))
    (count,) = one_row(con, render(query))
    if not count:
        return []
    a_key = f"{'an' if key[0] in 'aeiou' else 'a'} {key}"
    return [Finding(table_name, None, REPLACED.format(a_key=a_key), int(count), Severity.WARNING)]


def _shared_contract_columns(
    con: duckdb.DuckDBPyConnection, table_name: str, parts: Sequence[str], published: str
) -> list[str]:
    """The contract's columns every uploaded part and the published table have."""
    if not parts:
        return []
    shared = set(_columns(con, published))
    for part in parts:
        shared &= set(_columns(con, part))
    return [c.name for c in TABLES[table_name].columns if c.name in shared]


def _uploaded(names: Sequence[str], parts: Sequence[str]) -> exp.Select:
    """Every uploaded row, as one select: a bare UNION beside INTERSECT or EXCEPT would bind
    to its last file only (they bind tighter), counting the other files' rows wrongly."""
    uploaded: exp.Query = _select(names, parts[0])
    for part in parts[1:]:
        uploaded = exp.union(uploaded, _select(names, part), distinct=False)
    return exp.select(exp.Star()).from_(uploaded.subquery("uploaded"))


def _columns(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    return [r[0] for r in con.execute(describe(name)).fetchall()]


def _select(names: Sequence[str], source: str) -> exp.Select:
    return exp.select(*(column(n) for n in names)).from_(table(source))
