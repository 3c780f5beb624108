"""How an upload's columns meet the table it joins: the published one, or its other files.

In append mode an extra column the published table already has keeps its
published type, so a CSV's text `1` stays the text `1` and a number is kept
only when it converts without loss; values that cannot are named. When files
cannot be combined into one column, the columns whose types disagree are
named with the file each type came from.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
from sqlglot import exp
from sqlglot.errors import ParseError

from cxcore.data.reading import ROW_COLUMN, RawTable
from cxcore.data.validation import Example, Finding, TypedColumn
from cxcore.sqlkit import alias, column, describe, fragment, render, table

MAX_EXAMPLES = 10


def as_published(
    con: duckdb.DuckDBPyConnection,
    name: str,
    raw: RawTable,
    typed: list[TypedColumn],
    published: Mapping[str, str],
    query: exp.Select,
) -> list[Finding]:
    """Give the upload's extra columns their published type; values that do not fit are named.

    Edits `query` (the file's typed select) in place: each extra column the
    published table has is cast from the file's own value, so text stays text
    and a number is kept only when it converts without loss.
    """
    contract = {t.name for t in typed}
    rows = {e.alias_or_name: e for e in query.expressions}
    row_number = rows[ROW_COLUMN].this  # the file's row number, as the typed table has it
    findings: list[Finding] = []
    for key, node in rows.items():
        if key in contract or key == ROW_COLUMN or key not in published or key not in raw.columns:
            continue
        try:
            target = exp.DataType.build(published[key], dialect="duckdb")
            own = exp.DataType.build(raw.types[key], dialect="duckdb")
        except (ParseError, ValueError):  # a type sqlglot cannot spell: the combine step checks
            continue
        source = column(raw.columns[key])
        converted = exp.TryCast(this=source.copy(), to=target.copy())
        lost: exp.Expr = converted.is_(exp.null())
        if raw.types[key].upper() != "VARCHAR":  # a typed value must survive the trip
            back = exp.TryCast(this=converted.copy(), to=own)
            lost = exp.or_(lost, exp.NullSafeNEQ(this=back, expression=source.copy()))
        bad = exp.and_(exp.not_(source.copy().is_(exp.null())), lost)
        flagged = (
            exp.select(
                alias(row_number.copy(), "_row"),
                alias(exp.cast(source.copy(), "VARCHAR"), "_v"),
                alias(fragment("COUNT(*) OVER ()"), "_n"),
            )
            .from_(table(raw.sql_name))
            .where(bad)
            .order_by("_row")
            .limit(MAX_EXAMPLES)
        )
        examples = con.execute(render(flagged)).fetchall()
        if examples:
            findings.append(
                Finding(
                    name,
                    key,
                    f"cannot be stored as {published[key]}, the column's type in the"
                    " published table (rule: an appended column keeps its type)",
                    int(examples[0][2]),
                    examples=tuple(Example(int(r), v) for r, v, _n in examples),
                )
            )
        else:
            node.set("this", exp.Cast(this=source, to=target))
    return findings


def clashes(
    con: duckdb.DuckDBPyConnection, name: str, sources: Mapping[str, str], err: duckdb.Error
) -> list[Finding]:
    """The columns whose types disagree between the files (and the published table).

    `sources`: table -> what to call it (a file name, or the published table).
    """
    types: dict[str, dict[str, str]] = {}
    for source, label in sources.items():
        for column_name, duck_type, *_ in con.execute(describe(source)).fetchall():
            if column_name != ROW_COLUMN:
                types.setdefault(column_name, {}).setdefault(duck_type, label)
    findings = [
        Finding(
            name,
            column_name,
            "has types that cannot be combined into one column: "
            + ", ".join(f"{t} in {label}" for t, label in seen.items()),
            0,
        )
        for column_name, seen in types.items()
        if len(seen) > 1
    ]
    if findings:
        return findings
    first = (str(err).strip().splitlines() or [type(err).__name__])[0]
    return [Finding(name, None, f"the files cannot be combined into one table: {first}", 0)]
