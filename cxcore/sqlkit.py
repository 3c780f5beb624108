"""The one place SQL text is made.

SQL is built as sqlglot expressions: fixed fragments written in the code are
parsed once; every identifier goes through `ident` (quoted, escaped); every
value a user can influence is a `$name` parameter bound at execution. Column
names read from uploaded files are untrusted text, and so are filter members:
neither can ever change the shape of a query, only its parameters.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import sqlglot
from sqlglot import exp

DIALECT = "duckdb"


def ident(name: str) -> exp.Identifier:
    """A quoted identifier; the only way a name enters SQL."""
    return exp.to_identifier(name, quoted=True)


def column(name: str, table: str | None = None) -> exp.Column:
    return exp.Column(this=ident(name), table=ident(table) if table else None)


def param(name: str) -> exp.Placeholder:
    """A bound parameter `$name`; its value travels beside the SQL, never inside it."""
    return exp.Placeholder(this=name)


@cache
def _parsed(fragment: str) -> exp.Expr:
    return sqlglot.parse_one(fragment, dialect=DIALECT)


def fragment(text: str, **parts: exp.Expr | str) -> exp.Expr:
    """A fixed SQL fragment with `:name` holes filled by expressions (str = a column name)."""
    tree = _parsed(text).copy()
    filled = {k: column(v) if isinstance(v, str) else v for k, v in parts.items()}
    return exp.replace_placeholders(tree, **filled) if filled else tree


def render(expression: exp.Expr, dialect: str = DIALECT) -> str:
    return expression.sql(dialect=dialect, pretty=True)


def alias(expression: exp.Expr, name: str) -> exp.Expr:
    return exp.alias_(expression, ident(name))


def fresh(expressions: list[exp.Expr]) -> list[exp.Expr]:
    """Copies of expressions a query uses twice (its keys, selected and grouped by).

    Queries are built with `copy=False` from parts made for them: sqlglot's
    builders otherwise copy the whole tree at every step, which made building
    a 33-month trend's SQL cost more than running it. A part used twice must
    then be copied by hand, since a node has one parent.
    """
    return [e.copy() for e in expressions]


def and_all(conditions: list[exp.Expr]) -> exp.Expr:
    return exp.and_(*conditions) if conditions else exp.true()


def table(name: str) -> exp.Table:
    return exp.Table(this=ident(name))


def create_table(name: str, query: exp.Expr, temporary: bool = False) -> str:
    """`CREATE OR REPLACE [TEMPORARY] TABLE name AS query`, rendered."""
    properties = exp.Properties(expressions=[exp.TemporaryProperty()]) if temporary else None
    statement = exp.Create(
        this=table(name), kind="TABLE", expression=query, replace=True, properties=properties
    )
    return render(statement)


def copy_to_parquet(query: exp.Expr, target: Path) -> str:
    """`COPY (query) TO 'target' (FORMAT parquet)`, rendered."""
    copy = exp.Copy(
        this=exp.Subquery(this=query),
        files=[exp.Literal.string(str(target))],
        params=[exp.CopyParameter(this=exp.var("FORMAT"), expression=exp.var("parquet"))],
    )
    return render(copy)


def select_all(source: exp.Expr | str) -> exp.Select:
    """`SELECT * FROM source` (a str is a table name)."""
    return exp.select("*").from_(table(source) if isinstance(source, str) else source)


def count_rows(name: str) -> str:
    return render(exp.select(exp.Count(this=exp.Star())).from_(table(name)))


def describe(name: str) -> str:
    return render(exp.Describe(this=table(name)))


def describe_query(source: exp.Expr) -> str:
    """`DESCRIBE SELECT * FROM source`: the columns of a table, file or subquery."""
    return render(exp.Describe(this=exp.select("*").from_(source.copy())))


def drop_table(name: str) -> str:
    return render(exp.Drop(tables=[table(name)], kind="TABLE", exists=True))


def rename_column(table_name: str, old: str, new: str) -> str:
    statement = exp.Alter(
        this=table(table_name),
        kind="TABLE",
        actions=[exp.RenameColumn(this=column(old), to=column(new))],
    )
    return render(statement)


def table_alias(name: str) -> exp.TableAlias:
    return exp.TableAlias(this=ident(name))


def aliased(source: exp.Expr, name: str) -> exp.Expr:
    """`source AS name` for a FROM or JOIN: a table keeps its name, anything else is wrapped."""
    if isinstance(source, exp.Table):
        named = source.copy()
        named.set("alias", exp.TableAlias(this=ident(name)))
        return named
    return exp.Subquery(
        this=exp.select("*").from_(source.copy()), alias=exp.TableAlias(this=ident(name))
    )
