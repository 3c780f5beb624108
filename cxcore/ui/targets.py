"""The targets page: analysts edit the KPI targets and publish them as a new data version.

Behind the Upload page's analyst gate. The edited table is checked as a whole
(the file's shape, then the rules: KPI names, members, thresholds on the bad
side) and every problem is listed at once; nothing is published until the
table is sound. Publishing re-checks the role under the store's lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl
import streamlit as st

from cxcore.app.formatting import escape_markdown
from cxcore.data.targets import KEYS, NUMBERS, Target, from_rows
from cxcore.metrics.registry import KPIS
from cxcore.metrics.targets import TargetsError
from cxcore.store.publish import PublishDenied
from cxcore.store.targets import current_targets, publish_targets
from cxcore.ui import access, data
from cxcore.ui.upload import guarded, store_root

EDITOR = "_cx_targets_editor"
DONE = "_cx_targets_done"
ASKED = "_cx_targets_asked"


def page() -> None:
    st.title("Targets", anchor=False)
    st.caption(
        "A target per KPI, optionally for one segment and/or region. Amber and red are where"
        " those statuses begin, on the bad side of the target (the KPI's direction decides)."
        " Saving publishes a new data version whose only change is the targets."
    )
    if not access.gate("change targets"):
        st.session_state.pop(ASKED, None)  # a press must not outlive the access
        return
    with guarded("Saving the targets"):
        root = store_root()
        if root is None:
            return
        if done := st.session_state.pop(DONE, None):
            st.success(done, icon=":material/check_circle:")
        edited = st.data_editor(
            _rows(current_targets(root)),
            key=EDITOR,
            num_rows="dynamic",
            hide_index=True,
            column_config=_columns(),
        )
        st.button("Publish targets", type="primary", key="_cx_targets_publish", on_click=_ask)
        if st.session_state.pop(ASKED, False):  # a press survives the router's reruns
            _publish(root, edited)


def _ask() -> None:
    st.session_state[ASKED] = True


def _rows(targets: Sequence[Target]) -> pl.DataFrame:
    """The targets as typed columns: with none yet, the editor shows its columns and an
    empty row to fill, not a row of 'None' placeholders."""
    schema = {key: pl.Float64 if key in NUMBERS else pl.String for key in KEYS}
    return pl.DataFrame([{key: t.as_dict()[key] for key in KEYS} for t in targets], schema=schema)


def _columns() -> dict[str, Any]:
    dims = data.coverage().dimensions
    return {
        "kpi": st.column_config.SelectboxColumn("KPI", options=[k.name for k in KPIS]),
        "segment": st.column_config.SelectboxColumn("Segment", options=dims.get("segment", [])),
        "region": st.column_config.SelectboxColumn("Region", options=dims.get("region", [])),
        "target": st.column_config.NumberColumn("Target"),
        "amber": st.column_config.NumberColumn("Amber from"),
        "red": st.column_config.NumberColumn("Red from"),
    }


def _publish(root: Any, edited: Any) -> None:
    rows = edited.to_dicts()
    rows = [r for r in rows if any(v is not None and v == v and v != "" for v in r.values())]
    targets, problems = from_rows(rows)
    try:
        if problems:
            raise TargetsError(problems)
        result = publish_targets(
            root, targets, user=access.user_label(), allowed=access.server_check
        )
    except TargetsError as err:
        st.error(
            "Nothing was published; the targets have problems:\n\n"
            + "\n".join(f"- {escape_markdown(p)}" for p in err.problems),
            icon=":material/error:",
        )
        return
    except PublishDenied as err:
        st.error(str(err), icon=":material/lock:")
        return
    data.forget_versions()
    st.session_state[DONE] = f"Published version {result.version} with {len(targets)} targets."
    st.rerun()
