"""How a raw column becomes its contract type, as SQL: NULL wherever a value does not fit.

One table of conversions, by the contract kind and the raw column's family
(text from a CSV or a workbook, Parquet's integers, floats, dates,
timestamps). Text is read as it is written: numbers with a decimal point,
or with a decimal comma when the file uses one; dates as ISO 8601 in its
extended (1997-01-01) or basic (19970101) form, a timestamp, or the
column's own strptime-style format when one is given. Every cast that
could fail is a TRY_CAST, so a value out of range is reported, never raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
from sqlglot import exp

from cxcore.data.contract import FALSE_WORDS, TRUE_WORDS, Kind
from cxcore.data.reading import RawTable
from cxcore.sqlkit import column, fragment, render

INTEGER_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
)
FLOAT_TYPES = ("FLOAT", "DOUBLE", "DECIMAL")
# Amounts are summed as exact decimals so a total never depends on thread scheduling.
NUMBER_TYPE = "DECIMAL(38, 10)"
# ISO 8601's basic form, read when the extended form and timestamps did not read.
BASIC_DATES = "['%Y%m%d', '%Y%m%dT%H%M%S', '%Y%m%dT%H%M%SZ', '%Y%m%dT%H%M']"
# 1.234,56 or 12,5 or 7: a number written with a decimal comma.
COMMA_NUMBER = r"'[+-]?([0-9]{1,3}([.][0-9]{3})+|[0-9]+)(,[0-9]+)?'"
_VARIABLE = re.compile(r"[^a-z0-9_]")


@dataclass(frozen=True)
class Source:
    """One raw column and how its text is written."""

    name: str  # the name in the raw table
    family: str  # text, int, float, date, ts, tstz, bool or other
    decimal_comma: bool = False
    date_variable: str | None = None  # the session variable holding its date format

    @classmethod
    def of(cls, raw: RawTable, key: str) -> Source:
        variable = date_variable(raw, key) if raw.date_format(key) else None
        return cls(raw.columns[key], family(raw.types[key]), raw.decimal_comma, variable)


def family(duck_type: str) -> str:
    base = duck_type.split("(")[0].strip().upper()
    if base in INTEGER_TYPES:
        return "int"
    if base in FLOAT_TYPES:
        return "float"
    if base.startswith("TIMESTAMP WITH TIME ZONE") or base == "TIMESTAMPTZ":
        return "tstz"
    if base.startswith("TIMESTAMP"):
        return "ts"
    return {"VARCHAR": "text", "DATE": "date", "BOOLEAN": "bool"}.get(base, "other")


def date_variable(raw: RawTable, key: str) -> str:
    return "cx_date_format_" + _VARIABLE.sub("_", f"{raw.sql_name}_{key}".lower())


def bind_date_formats(con: duckdb.DuckDBPyConnection, raw: RawTable) -> dict[str, str]:
    """Each given date format as a session variable: the format stays a bound parameter.

    Returns {column: why its format is unusable}; such a column is left unbound, so its
    every value reads as not a date in that format.
    """
    problems: dict[str, str] = {}
    for key, date_format in raw.date_formats:
        if key not in raw.columns:
            continue
        try:
            con.execute("SELECT TRY_STRPTIME('', $format)", {"format": date_format})
        except duckdb.Error as err:
            reason = str(err).strip().splitlines()[0].split("Error: ", 1)[-1]
            if reason.startswith("Failed to parse format specifier"):
                reason = reason.split(": ", 1)[-1]
            problems[key] = f"the date format {date_format!r} cannot be used: {reason}"
            continue
        statement = fragment("SET VARIABLE v = $format")
        statement.find(exp.Column).replace(column(date_variable(raw, key)))  # type: ignore[union-attr]
        con.execute(render(statement), {"format": date_format})
    return problems


def number_text(source: Source) -> exp.Expr:
    """The text of a number with a decimal point; NULL when a decimal comma is malformed."""
    value = fragment("TRIM(:c)", c=column(source.name))
    if not source.decimal_comma:
        return value
    return fragment(
        f"CASE WHEN regexp_full_match(:v, {COMMA_NUMBER})"
        " THEN REPLACE(REPLACE(:v, '.', ''), ',', '.') END",
        v=value,
    )


def number_size(source: Source) -> exp.Expr | None:
    """The value as a DOUBLE, to tell a number too large to keep from no number at all."""
    if source.family == "text":
        return fragment("TRY_CAST(:n AS DOUBLE)", n=number_text(source))
    if source.family in ("int", "float"):
        return fragment("TRY_CAST(:c AS DOUBLE)", c=column(source.name))
    return None


def typed_expression(kind: Kind, source: Source) -> exp.Expr:
    """The contract-typed value of the raw column, NULL where it does not fit."""
    c = column(source.name)
    if kind is Kind.DATE and source.date_variable and source.family in ("text", "int"):
        text = fragment("TRIM(CAST(:c AS VARCHAR))", c=c)
        variable = exp.Literal.string(source.date_variable)
        return fragment("CAST(TRY_STRPTIME(:t, getvariable(:v)) AS DATE)", t=text, v=variable)
    if kind in (Kind.NUMBER, Kind.INTEGER) and source.family == "text":
        template = _TEXT_NUMBERS[kind]
        return fragment(template, n=number_text(source))
    conversion = _CONVERSIONS.get((kind, source.family))
    return fragment(conversion, c=c) if conversion else exp.Null()


_TRUE = "(" + ", ".join(f"'{word}'" for word in TRUE_WORDS) + ")"
_FALSE = "(" + ", ".join(f"'{word}'" for word in FALSE_WORDS) + ")"
_TEXT_NUMBERS: dict[Kind, str] = {
    Kind.NUMBER: f"COALESCE(TRY_CAST(:n AS {NUMBER_TYPE}), CASE WHEN isfinite(TRY_CAST(:n AS"
    f" DOUBLE)) THEN TRY_CAST(TRY_CAST(:n AS DOUBLE) AS {NUMBER_TYPE}) END)",
    Kind.INTEGER: "CASE WHEN TRY_CAST(:n AS DOUBLE) = TRUNC(TRY_CAST(:n AS DOUBLE))"
    " THEN TRY_CAST(TRY_CAST(:n AS DOUBLE) AS BIGINT) END",
}
_CONVERSIONS: dict[tuple[Kind, str], str] = {
    (Kind.ID, "int"): "CAST(:c AS VARCHAR)",
    (Kind.ID, "text"): "NULLIF(TRIM(:c), '')",
    (Kind.ID, "float"): "CASE WHEN :c = TRUNC(:c) THEN CAST(TRY_CAST(:c AS BIGINT) AS VARCHAR) END",
    **{
        (Kind.STRING, f): "CAST(:c AS VARCHAR)"
        for f in ("int", "float", "date", "ts", "tstz", "bool", "text")
    },
    (Kind.DATE, "date"): ":c",
    (Kind.DATE, "ts"): "CAST(:c AS DATE)",
    (Kind.DATE, "tstz"): "CAST(timezone('UTC', :c) AS DATE)",
    (
        Kind.DATE,
        "text",
    ): "COALESCE(CAST(timezone('UTC', TRY_CAST(TRIM(:c) AS TIMESTAMPTZ)) AS DATE),"
    f" CAST(TRY_STRPTIME(TRIM(:c), {BASIC_DATES}) AS DATE))",
    (Kind.DATE, "int"): "CAST(TRY_STRPTIME(CAST(:c AS VARCHAR), '%Y%m%d') AS DATE)",
    (Kind.NUMBER, "int"): f"TRY_CAST(:c AS {NUMBER_TYPE})",
    (Kind.NUMBER, "float"): f"CASE WHEN isfinite(:c) THEN TRY_CAST(:c AS {NUMBER_TYPE}) END",
    (Kind.INTEGER, "int"): "TRY_CAST(:c AS BIGINT)",
    (Kind.INTEGER, "float"): "CASE WHEN :c = TRUNC(:c) THEN TRY_CAST(:c AS BIGINT) END",
    (Kind.BOOL, "bool"): ":c",
    (Kind.BOOL, "int"): "CASE WHEN :c = 1 THEN TRUE WHEN :c = 0 THEN FALSE END",
    (Kind.BOOL, "text"): f"CASE WHEN LOWER(TRIM(:c)) IN {_TRUE} THEN TRUE"
    f" WHEN LOWER(TRIM(:c)) IN {_FALSE} THEN FALSE END",
}

KIND_WORDS = {
    Kind.ID: "are not ids (text or whole numbers)",
    Kind.STRING: "are not text",
    Kind.DATE: "are not dates (expected YYYY-MM-DD, YYYYMMDD or a timestamp; a date format"
    " for the column reads others)",
    Kind.NUMBER: "are not numbers",
    Kind.INTEGER: "are not whole numbers",
    Kind.BOOL: "are not true/false (also accepted: "
    + ", ".join(f"{t}/{f}" for t, f in zip(TRUE_WORDS[1:], FALSE_WORDS[1:], strict=True))
    + ")",
}


def kind_words(kind: Kind, date_format: str | None = None, decimal_comma: bool = False) -> str:
    if kind is Kind.DATE and date_format:
        return f"are not dates in the format {date_format!r}"
    if kind is Kind.NUMBER and decimal_comma:
        return "are not numbers (read with a decimal comma: 1.234,5)"
    return KIND_WORDS[kind]
