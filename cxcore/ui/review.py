"""What the analyst reviews before Publish: the validation report and the comparison.

Kept apart from the flow (upload.py) so the same report table is drawn for a
check and for a publish the server refused, and so tests can read plain rows.
Report text comes from files (column names, values), so it goes into tables,
never into markdown. On screen a table cell is plain text, so it is shown as it
is; the spreadsheet guard (a leading apostrophe) belongs to downloads alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl
import streamlit as st

from cxcore.app.coverage import observed_span, publish_gap
from cxcore.app.formatting import (
    escape_markdown,
    format_change,
    format_period,
    format_value,
    is_flat,
)
from cxcore.data.validation import Example, Finding, Report, Severity
from cxcore.metrics.registry import KPI_BY_NAME, KPIS
from cxcore.store.preview import Comparison
from cxcore.ui import data

MOVED = "_moved"
SEVERITY_LABELS = {Severity.ERROR: "⛔ error", Severity.WARNING: "⚠️ warning"}


def example_text(example: Example) -> str:
    value = example.value
    if value is None:
        return f"row {example.row}: empty"
    shown = repr(value if len(value) <= 40 else value[:37] + "...")
    return f"row {example.row}: {shown}"


def finding_row(finding: Finding) -> dict[str, Any]:
    """One row of the report table: everything an analyst needs to fix the export."""
    return {
        "severity": SEVERITY_LABELS[finding.severity],
        "column": f"{finding.table}.{finding.column}" if finding.column else finding.table,
        "rule": finding.rule,
        "rows": f"{finding.count:,}" if finding.count else "—",
        "examples": ", ".join(example_text(e) for e in finding.examples),
    }


def report(rep: Report) -> None:
    """Headline (blocked, warnings only, or clean) and one table row per finding."""
    errors, warnings = len(rep.errors), len(rep.warnings)
    if errors:
        st.error(
            f"**{_plural(errors, 'problem')} {'blocks' if errors == 1 else 'block'} publishing.**"
            " Fix the export and upload it"
            " again; nothing has been published.",
            icon=":material/block:",
        )
    elif warnings:
        st.warning(
            f"**No errors; {_plural(warnings, 'warning')}.** Warnings do not block publishing.",
            icon=":material/warning:",
        )
    else:
        st.success(
            "**No problems found.** Every row follows the data contract.",
            icon=":material/check_circle:",
        )
    if not rep.findings:
        return
    ordered = rep.errors + rep.warnings
    st.dataframe(
        pl.DataFrame([finding_row(f) for f in ordered], infer_schema_length=None),
        hide_index=True,
        width="stretch",
        column_config={
            "severity": st.column_config.TextColumn("severity", width="small"),
            "column": st.column_config.TextColumn("table.column", width="medium"),
            # sized to the text: a rule carries the fix it suggests, which must not be cut
            "rule": st.column_config.TextColumn("rule"),
            "rows": st.column_config.TextColumn("rows", width="small"),
            "examples": st.column_config.TextColumn("example rows (up to ten)"),
        },
    )


def comparison(result: Comparison) -> None:
    """Rows, dates, new members and the latest quarter's KPIs, before and after."""
    _row_metrics(result)
    _dates(result)
    _coverage_gap(result)
    _members(result)
    _kpi_table(result)
    _preview(result)


def _row_metrics(result: Comparison) -> None:
    before, after = result.rows_before, result.rows_after
    delta = None if before is None or after is None else f"{after - before:+,}"
    was = "new table" if not before else f"was {before:,}"
    cols = st.columns(4)
    cols[0].metric("Rows after publish", _count(after), delta=delta, help=was, border=True)
    cols[1].metric("Rows added", _count(result.rows_added), border=True)
    cols[2].metric("Rows removed", _count(result.rows_removed), border=True)
    cols[3].metric(
        "Rows changed",
        _count(result.rows_changed),
        help="Same id, different values. Only for tables with an id column.",
        border=True,
    )


def _count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _dates(result: Comparison) -> None:
    after, before = _span(result.dates_after), _span(result.dates_before)
    if after is None:
        return
    text = f"**Dates:** {after}"
    if before is not None and before != after:
        text += f" (was {before})"
    elif before is not None:
        text += " (unchanged)"
    st.markdown(text)


def _coverage_gap(result: Comparison) -> None:
    """Warn before publishing when exports would end on different days, naming the KPIs."""
    if result.dates_after is None:
        return
    first, last = result.dates_after
    after = observed_span(first, last, result.rows_after or 1)
    words = publish_gap(result.table, after, data.coverage().spans, KPIS)
    if words:
        st.warning(words, icon=":material/date_range:")


def _span(days: tuple[dt.date, dt.date] | None) -> str | None:
    return None if days is None else f"{days[0]:%Y-%m-%d} to {days[1]:%Y-%m-%d}"


def _members(result: Comparison) -> None:
    if not result.new_members:
        st.markdown("**New members:** none; every text value is already in the published data.")
        return
    st.markdown("**New members** (values the published data does not have yet):")
    for col, values in result.new_members.items():
        shown = ", ".join(f"`{v}`" if "`" not in v else escape_markdown(v) for v in values)
        st.markdown(f"- {escape_markdown(col)}: {shown}")


def kpi_rows(result: Comparison) -> list[dict[str, Any]]:
    """The latest whole quarter's KPIs before and after, changed ones first.

    A KPI changes when its figure as shown changes: a difference in the tenth
    decimal place reads "0.0 pp" and is no change to anyone reviewing.
    """
    rows = []
    for name, pair in result.kpis.items():
        kpi = KPI_BY_NAME.get(name)
        if kpi is None:
            continue
        before, after = pair.get("before"), pair.get("after")
        shown = (format_value(before, kpi.unit), format_value(after, kpi.unit))
        change = format_change(after, before, kpi.unit)
        rows.append(
            {
                "KPI": kpi.label,
                "before": shown[0],
                "after": shown[1],
                "change": change if change and not is_flat(change) else "—",
                MOVED: shown[0] != shown[1] or bool(change and not is_flat(change)),
            }
        )
    rows.sort(key=lambda r: not r[MOVED])
    return rows


def _kpi_table(result: Comparison) -> None:
    rows = kpi_rows(result)
    if not rows or result.quarter is None:
        return
    moved = sum(r[MOVED] for r in rows)
    st.markdown(
        f"**Overview KPIs of {_quarter_label(result.quarter)}**, the latest whole quarter:"
        f" {moved} of {len(rows)} would change (listed first)."
    )
    shown = [{k: v for k, v in r.items() if k != MOVED} for r in rows]
    st.dataframe(pl.DataFrame(shown), hide_index=True, width="stretch")


def _preview(result: Comparison) -> None:
    if not result.preview:
        return
    st.markdown(f"**Preview:** the first {len(result.preview)} rows as they will be stored.")
    frame = pl.DataFrame(
        [{k: _plain(v) for k, v in row.items()} for row in result.preview],
        infer_schema_length=None,
    )
    dates = {
        name: st.column_config.DateColumn(name, format="YYYY-MM-DD")
        for name in frame.columns
        if frame.schema[name] == pl.Date
    }
    st.dataframe(frame, hide_index=True, width="stretch", column_config=dates)


def _plain(value: Any) -> Any:
    """Decimals as floats: a preview reads better than exact 38-digit decimals."""
    return float(value) if isinstance(value, Decimal) else value


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _quarter_label(quarter: dict[str, str]) -> str:
    return format_period(
        dt.date.fromisoformat(quarter["start"]), dt.date.fromisoformat(quarter["end"])
    )
