"""The Data page's tables: loaded exports, contract warnings, dimensions.

st.dataframe's toolbar offers its own CSV download (and copying cells), which
this module cannot make formula-safe, so the text cells themselves are
neutralised before they are shown (`safe_frame`): a member named `=HYPERLINK(…)`
is shown, downloaded and copied as `'=HYPERLINK(…)`, as the explorer's CSV
buttons write it. A leading apostrophe on such rare text is the whole cost.
"""

from __future__ import annotations

from collections.abc import Collection

import polars as pl
import streamlit as st

from cxcore import Cockpit
from cxcore.app.formatting import FORMULA_PATTERN
from cxcore.data.contract import TABLES
from cxcore.data.names import column_label
from cxcore.metrics.registry import KPIS


def safe_frame(frame: pl.DataFrame, written_here: Collection[str] = ()) -> pl.DataFrame:
    """Every text cell a spreadsheet would run as a formula gets a leading apostrophe,
    except in the columns `written_here` (the cockpit's own figures, such as "-14.9%",
    which must reach the spreadsheet as they are).

    A vectorised expression, never a Python function per cell: polars runs those
    in its own thread pool, where they wait on the interpreter lock that the
    app's script threads hold while they wait on polars.
    """
    text = pl.col(pl.String).exclude(*written_here) if written_here else pl.col(pl.String)
    plain = ~text.str.contains(FORMULA_PATTERN).fill_null(False)
    return frame.with_columns(pl.when(plain).then(text).otherwise(pl.lit("'") + text))


def table_rows(cockpit: Cockpit) -> pl.DataFrame:
    """One row per table of the contract, loaded or not, so a gap is visible."""
    rows = []
    for name in TABLES:
        info = cockpit.tables.get(name)
        kpis = ", ".join(k.label for k in KPIS if k.source == name)
        if info is None:
            rows.append(
                {
                    "table": name,
                    "loaded": False,
                    "rows": None,
                    "first day": None,
                    "last day": None,
                    "last change": None,
                    "file": None,
                    "feeds": kpis,
                }
            )
            continue
        rows.append(
            {
                "table": name,
                "loaded": True,
                "rows": info.rows,
                "first day": info.first_day,
                "last day": info.last_day,
                "last change": info.changed_at,
                "file": info.file,
                "feeds": kpis,
            }
        )
    return pl.DataFrame(rows, infer_schema_length=None)


def loaded_tables(cockpit: Cockpit) -> None:
    frame = table_rows(cockpit)
    st.subheader("Loaded exports", anchor=False)
    st.caption(
        f"Data from {cockpit.first_day} to {cockpit.last_day}. "
        "A table that is not loaded leaves its KPIs empty, never zero."
    )
    st.dataframe(
        safe_frame(frame),
        hide_index=True,
        width="stretch",
        column_config={
            "loaded": st.column_config.CheckboxColumn("loaded"),
            "rows": st.column_config.NumberColumn("rows", format="localized"),
            "first day": st.column_config.DateColumn("first day", format="YYYY-MM-DD"),
            "last day": st.column_config.DateColumn("last day", format="YYYY-MM-DD"),
            "last change": st.column_config.DatetimeColumn(
                "last change", format="YYYY-MM-DD HH:mm"
            ),
        },
    )


def contract_warnings(cockpit: Cockpit) -> None:
    st.subheader("Contract warnings", anchor=False)
    if not cockpit.warnings:
        st.success(
            "No warnings: every loaded row follows the data contract.",
            icon=":material/check_circle:",
        )
        return
    frame = pl.DataFrame(
        [
            {"table": w.table, "column": w.column, "rows": w.count, "finding": w.message}
            for w in cockpit.warnings
        ]
    )
    st.dataframe(safe_frame(frame), hide_index=True, width="stretch")


def dimensions(cockpit: Cockpit) -> None:
    st.subheader("Customer dimensions", anchor=False)
    frame = pl.DataFrame(
        [
            {"dimension": column_label(d), "members": len(m), "values": ", ".join(m)}
            for d, m in cockpit.dimensions.items()
        ]
    )
    st.dataframe(safe_frame(frame), hide_index=True, width="stretch")
