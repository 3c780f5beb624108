"""Contract rules applied to a raw file: typed columns plus a report of every problem.

All problems of a file are found in one pass and reported together (like a
linter, not a first-error exception), each naming the table, column, rule,
how many rows break it and up to ten example rows, so an analyst can fix the
export in one go.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from sqlglot import exp

from cxcore.data.contract import Column, Kind, Table
from cxcore.data.conversions import (
    Source,
    bind_date_formats,
    family,
    kind_words,
    number_size,
    number_text,
    typed_expression,
)
from cxcore.data.plausible import (
    NUMBER_DIGITS,
    TOO_LARGE_WORDS,
    sum_bound_exponent,
    sum_bound_words,
    window_words,
)
from cxcore.data.reading import ROW_COLUMN, USER_ROWID, RawTable
from cxcore.database import one_row
from cxcore.settings import DEFAULT_WINDOW, DateWindow
from cxcore.sqlkit import alias, column, fragment, render, table

MAX_EXAMPLES = 10
# Ids are grouped by this function of the id first (see `_duplicates`).
ID_HASH = "hash"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Example:
    row: int
    value: str | None


@dataclass(frozen=True)
class Finding:
    table: str
    column: str | None
    rule: str
    count: int
    severity: Severity = Severity.ERROR
    examples: tuple[Example, ...] = ()

    @property
    def message(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        if not self.count:  # a whole-file problem: no rows to count
            return f"{where}: {self.rule}"
        rows, rule = "rows", self.rule
        if self.count == 1:
            rows, rule = "row", rule.replace("are ", "is ", 1).replace("repeat ", "repeats ", 1)
        text = f"{where}: {self.count} {rows} {rule}"
        if self.examples:
            shown = ", ".join(f"row {e.row}: {_show(e.value)}" for e in self.examples)
            text += f" (e.g. {shown})"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "severity": str(self.severity), "message": self.message}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        examples = tuple(Example(int(e["row"]), e["value"]) for e in data.get("examples", ()))
        return cls(
            str(data["table"]),
            data.get("column"),
            str(data["rule"]),
            int(data["count"]),
            Severity(data.get("severity", "error")),
            examples,
        )


def _show(value: str | None) -> str:
    return "empty" if value is None else repr(value if len(value) <= 40 else value[:37] + "...")


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def extend(self, other: Report) -> None:
        self.findings.extend(other.findings)

    def summary(self, fallback: str) -> str:
        """One line for an exception: the first error and how many more there are."""
        errors = self.errors
        head = errors[0].message if errors else fallback
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        return head + more

    def describe(self) -> str:
        return "\n".join(f"{f.severity.upper()}: {f.message}" for f in self.findings)

    def as_dicts(self) -> list[dict[str, Any]]:
        return [f.as_dict() for f in self.findings]


@dataclass(frozen=True)
class TypedColumn:
    name: str
    kind: Kind | None  # None: an extra column kept as it is
    expression: exp.Expr


def contract_columns(spec: Table, raw: RawTable) -> list[Column]:
    """The contract's columns present in the file, plus any `driver_*`-style ones."""
    present = [c for c in spec.columns if c.name in raw.columns]
    for name in raw.columns:
        for prefix, kind in spec.prefixed.items():
            if name.startswith(prefix) and spec.column(name) is None:
                present.append(Column(name, kind, required=False, not_null=False))
    return present


def validate(
    spec: Table, raw: RawTable, con: Any, window: DateWindow = DEFAULT_WINDOW
) -> tuple[Report, list[TypedColumn]]:
    """Every rule of the contract checked at once; the typed columns to build the table from."""
    report = Report([Finding(spec.name, None, note, 0, Severity.WARNING) for note in raw.notes])
    report.findings.extend(
        Finding(spec.name, c.name, missing_words(raw), 0)
        for c in spec.columns
        if c.required and c.name not in raw.columns
    )
    report.findings.extend(
        Finding(spec.name, name, problem, 0)
        for name, problem in bind_date_formats(con, raw).items()
    )
    checked = contract_columns(spec, raw)
    typed = [
        TypedColumn(c.name, c.kind, typed_expression(c.kind, Source.of(raw, c.name)))
        for c in checked
    ]
    rules = [
        rule
        for c, t in zip(checked, typed, strict=True)
        for rule in _rules(spec.name, c, t, raw, window)
    ]
    report.findings.extend(_evaluate(spec.name, raw, rules, con))
    return report, typed


def missing_words(raw: RawTable) -> str:
    """A missing column, with the file's own columns and how to map one of them."""
    names = ["rowid" if name == USER_ROWID else name for name in raw.columns.values()]
    shown = ", ".join(repr(n) for n in names[:20]) + (", ..." if len(names) > 20 else "")
    return (
        f"missing: the required column is absent (the file's columns: {shown}; map one"
        " with --map FILE_COLUMN=COLUMN or the upload page's column mapping)"
    )


@dataclass(frozen=True)
class Rule:
    column: str
    words: str
    condition: exp.Expr
    raw_value: exp.Expr
    # Counted by its own grouped query: a window over every row costs twice as much.
    duplicates_of: exp.Expr | None = None


def _rules(
    table_name: str, col: Column, typed: TypedColumn, raw: RawTable, window: DateWindow
) -> list[Rule]:
    source = column(raw.columns[col.name])
    value = fragment("CAST(:c AS VARCHAR)", c=source)
    unfit = fragment(":r IS NOT NULL AND :t IS NULL", r=source, t=typed.expression)
    too_large = _too_large(col, raw, unfit)
    words = kind_words(col.kind, raw.date_format(col.name), raw.decimal_comma)
    rules = [
        Rule(
            col.name,
            words,
            unfit if too_large is None else exp.and_(unfit, exp.not_(too_large.copy())),
            value,
        )
    ]
    if too_large is not None:
        rules.append(Rule(col.name, TOO_LARGE_WORDS, too_large, value))
        bound = exp.Literal.number(f"1e{sum_bound_exponent(raw.rows)}")
        rules.append(
            Rule(
                col.name,
                sum_bound_words(raw.rows),
                exp.GT(this=exp.Abs(this=typed.expression.copy()), expression=bound),
                value,
            )
        )
    if col.kind is Kind.DATE:
        rules.append(
            Rule(col.name, window_words(table_name, window), _outside(typed, window), value)
        )
    if col.not_null:
        rules.append(
            Rule(col.name, "are empty (rule: not null)", fragment(":r IS NULL", r=source), value)
        )
    if col.unique:
        rules.append(
            Rule(
                col.name,
                "repeat an id used by another row (rule: unique)",
                fragment(
                    ":t IS NOT NULL AND COUNT(*) OVER (PARTITION BY :t) > 1", t=typed.expression
                ),
                value,
                duplicates_of=typed.expression,
            )
        )
    if col.minimum is not None:
        rules.append(
            Rule(
                col.name,
                f"are below {col.minimum:g} (rule: >= {col.minimum:g})",
                exp.LT(this=typed.expression.copy(), expression=exp.Literal.number(col.minimum)),
                value,
            )
        )
    if col.maximum is not None:
        rules.append(
            Rule(
                col.name,
                f"are above {col.maximum:g} (rule: <= {col.maximum:g})",
                exp.GT(this=typed.expression.copy(), expression=exp.Literal.number(col.maximum)),
                value,
            )
        )
    return rules


def _too_large(col: Column, raw: RawTable, unfit: exp.Expr) -> exp.Expr | None:
    """A number that is a finite number but too large for DECIMAL(38, 10): not "not a number"."""
    if col.kind is not Kind.NUMBER:
        return None
    size = number_size(Source.of(raw, col.name))
    if size is None:
        return None
    limit = exp.Literal.number(f"1e{NUMBER_DIGITS - 1}")
    return fragment(
        ":u AND COALESCE(isfinite(:s) AND ABS(:s) >= :l, FALSE)", u=unfit.copy(), s=size, l=limit
    )


def _outside(typed: TypedColumn, window: DateWindow) -> exp.Expr:
    def day(value: str) -> exp.Expr:
        return exp.cast(exp.Literal.string(value), "DATE")

    return fragment(
        ":t < :first OR :t > :last",
        t=typed.expression.copy(),
        first=day(window.first.isoformat()),
        last=day(window.last.isoformat()),
    )


def _evaluate(name: str, raw: RawTable, rules: list[Rule], con: Any) -> list[Finding]:
    if not rules:
        return []
    flagged = exp.select(
        exp.alias_(exp.column(raw.order), "_row"),
        *[alias(r.condition, f"_f{i}") for i, r in enumerate(rules)],
        *[alias(r.raw_value, f"_v{i}") for i, r in enumerate(rules)],
    ).from_(table(raw.sql_name))
    counted = [i for i, r in enumerate(rules) if r.duplicates_of is None]
    counts_sql = exp.select(
        *[
            alias(fragment("COUNT(*) FILTER(WHERE :f)", f=rules[i].condition.copy()), f"n{i}")
            for i in counted
        ]
    ).from_(table(raw.sql_name))
    found = dict(zip(counted, one_row(con, render(counts_sql)), strict=True))
    for i, rule in enumerate(rules):
        if rule.duplicates_of is not None:
            found[i] = _duplicates(con, raw, rule.duplicates_of)
    counts = [found[i] for i in range(len(rules))]
    findings = []
    for i, (rule, count) in enumerate(zip(rules, counts, strict=True)):
        if count:
            findings.append(
                Finding(
                    name, rule.column, rule.words, int(count), examples=_examples(con, flagged, i)
                )
            )
    return findings


def _duplicates(con: Any, raw: RawTable, value: exp.Expr) -> int:
    """Rows whose id another row repeats, counted by grouping rather than a window.

    Ids are grouped by their 64-bit hash first: a fixed-width key the engine
    spills to disk at any size, where grouping 180M text ids ran out of memory
    under a 1 GB limit. No hash repeated means no id repeated, the usual answer;
    otherwise only the rows whose hash repeats (duplicates, or a rare collision)
    are grouped by the id itself, so the count is exact.
    """
    hashed = exp.func(ID_HASH, value.copy())
    if not _any_repeated(con, raw, value, hashed.copy()):
        return 0
    repeated = _repeated_groups(raw, value, hashed.copy()).select(hashed.copy(), append=False)
    among = exp.In(this=hashed.copy(), query=repeated.subquery())
    groups = _repeated_groups(raw, value, value.copy(), among)
    query = exp.select(fragment("COALESCE(SUM(n), 0)")).from_(groups.subquery("g"))
    (count,) = one_row(con, render(query))
    return int(count)


def _repeated_groups(raw: RawTable, value: exp.Expr, key: exp.Expr, *also: exp.Expr) -> exp.Select:
    """The row count of each `key` that more than one row with a `value` shares."""
    present = exp.not_(value.copy().is_(exp.null()))
    return (
        exp.select(alias(exp.Count(this=exp.Star()), "n"))
        .from_(table(raw.sql_name))
        .where(exp.and_(present, *also))
        .group_by(key)
        .having(exp.GT(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(1)))
    )


def _any_repeated(con: Any, raw: RawTable, value: exp.Expr, key: exp.Expr) -> bool:
    query = exp.select(exp.Count(this=exp.Star())).from_(
        _repeated_groups(raw, value, key).subquery("g")
    )
    (count,) = one_row(con, render(query))
    return bool(count)


def _examples(con: Any, flagged: exp.Select, index: int) -> tuple[Example, ...]:
    query = (
        exp.select("_row", f"_v{index}")
        .from_(flagged.subquery("flagged"))
        .where(exp.column(f"_f{index}"))
        .order_by("_row")
        .limit(MAX_EXAMPLES)
    )
    return tuple(
        Example(int(row) + 1, value) for row, value in con.execute(render(query)).fetchall()
    )


def clean_select(raw: RawTable, typed: list[TypedColumn], con: Any) -> exp.Select:
    """The typed table: contract columns converted, extra columns kept (CSV ones typed)."""
    known = {t.name for t in typed}
    parts: list[exp.Expr] = [alias(t.expression, t.name) for t in typed]
    for name, original in raw.columns.items():
        if name not in known:
            parts.append(alias(_extra_expression(raw, name, original, con), name))
    order = exp.column(raw.order)
    parts.append(alias(exp.Add(this=order, expression=exp.Literal.number(1)), ROW_COLUMN))
    return exp.select(*parts).from_(table(raw.sql_name)).order_by(order.copy())


def _extra_expression(raw: RawTable, name: str, original: str, con: Any) -> exp.Expr:
    """Text extras become numbers when every value is one, otherwise stay text."""
    source = column(original)
    if family(raw.types[name]) != "text":
        return source
    number = fragment("TRY_CAST(:n AS DOUBLE)", n=number_text(Source.of(raw, name)))
    probe = exp.select(
        fragment("COUNT(:c) = COUNT(:n) AND COUNT(:c) > 0", c=source, n=number)
    ).from_(table(raw.sql_name))
    (numeric,) = one_row(con, render(probe))
    return number.copy() if numeric else source
