"""The upload page's steps between choosing files and checking them: the column mapping
and how the files are read.

Required columns are compared with the files' headers as soon as the files
are chosen, so a missing one is said before anything is checked, with the
file column guessed from its name (or remembered from the last upload)
already picked.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import streamlit as st

from cxcore.app.formatting import escape_markdown
from cxcore.data.contract import TABLES, Kind
from cxcore.data.formats import BINARY_SUFFIXES, DECIMALS, DELIMITERS, ReadOptions
from cxcore.store import mapping as mapping_mod
from cxcore.store.layout import recall_mapping

NOT_MAPPED = "(not in the file)"
FOUND = "(found from the file)"


def mapping_step(
    root: Path, table: str, paths: Sequence[str], options: ReadOptions
) -> dict[str, str] | None:
    """A selectbox per contract column the files lack; None when the mapping clashes or a
    required column is still unmapped."""
    plan = mapping_mod.plan(table, paths, options)
    offer = [c for c in plan.missing if plan.candidates]
    required = [c.name for c in plan.missing if c.required]
    if not offer:
        if required:
            _missing(required, plan.candidates)
        return {}
    st.subheader("Column mapping", anchor=False)
    st.caption(
        "These contract columns are not in the file under their own name. Pick the file"
        " column that holds each (guessed from the names where they allow); the choice is"
        " remembered for the next upload of this table."
    )
    saved = recall_mapping(root, table)
    choices = [NOT_MAPPED, *plan.candidates]
    chosen: dict[str, str] = {}
    cols = st.columns(min(len(offer), 3))
    for i, col in enumerate(offer):
        guess = mapping_mod.prefill(saved, col, plan.candidates, table)
        key = f"_cx_map_{table}_{col.name}"
        if st.session_state.get(key) not in choices:  # first time, or other files now
            st.session_state[key] = guess or NOT_MAPPED
        label = col.name if col.required else f"{col.name} (optional)"
        picked = cols[i % len(cols)].selectbox(label, choices, key=key)
        if picked and picked != NOT_MAPPED:
            chosen[col.name] = picked
    problems = mapping_mod.clashes(chosen)
    for problem in problems:
        st.error(f"Column mapping: {escape_markdown(problem)}.", icon=":material/call_split:")
    unmapped = [name for name in required if name not in chosen]
    if unmapped:
        _missing(unmapped, plan.candidates)
    return None if problems or unmapped else {file_col: name for name, file_col in chosen.items()}


def _missing(names: Sequence[str], candidates: Sequence[str]) -> None:
    listed = ", ".join(f"`{n}`" for n in names)
    others = ", ".join(f"`{escape_markdown(c)}`" for c in candidates) or "none"
    st.warning(
        f"Required columns missing from the files: {listed} (the files' other columns:"
        f" {others}). Map them above, or export them under these names.",
        icon=":material/view_column:",
    )


def options_step(table: str, paths: Sequence[str]) -> ReadOptions:
    """How the files are read where the bytes should not decide: found from the file unless
    the analyst says otherwise."""
    dates = [c.name for c in TABLES[table].columns if c.kind is Kind.DATE]
    text = any(Path(p).suffix.lower() not in BINARY_SUFFIXES for p in paths)
    book = any(Path(p).suffix.lower() == ".xlsx" for p in paths)
    with st.expander("Reading options", icon=":material/tune:"):
        st.caption(
            "Dates are read as YYYY-MM-DD, YYYYMMDD or timestamps; give a format (strptime"
            " style, e.g. %d/%m/%Y) for a column written otherwise."
        )
        formats = {
            name: st.text_input(f"{name} format", key=f"_cx_up_datefmt_{table}_{name}").strip()
            for name in dates
        }
        left, mid, right = st.columns(3)
        delimiter = left.selectbox(
            "Delimiter", [FOUND, *DELIMITERS], key="_cx_up_delim", disabled=not text
        )
        decimal = mid.selectbox("Decimal mark", [FOUND, *DECIMALS], key="_cx_up_decimal")
        sheet = right.text_input("Sheet (XLSX)", key="_cx_up_sheet", disabled=not book).strip()
    return ReadOptions.of(
        None if delimiter == FOUND else delimiter,
        None if decimal == FOUND else decimal,
        sheet or None,
        formats,
    )
