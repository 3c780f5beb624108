"""The version history, and restoring any kept version as a new one (analysts only).

Anyone may read the history: it says where the numbers on the other pages
come from. A restore never rewrites history: `rollback` links the old
version's files into a new version, so the restore itself can be undone the
same way.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from cxcore.app.formatting import escape_markdown
from cxcore.store.layout import VersionInfo, current_version, list_versions
from cxcore.store.publish import PublishDenied, rollback
from cxcore.ui.upload import guarded, store_root

from . import access, data, layout

RESTORED = "_cx_restored"
# 'Version', 'marketing_spend' and '18,003,021' unbroken in a row of layout.TABLE_ROW_MIN_PX
WIDTHS = [0.9, 1.6, 1.2, 1.0, 1.6, 0.9, 1.7, 2.2]
HEADERS = ("Version", "Table", "Rows", "Mode", "Published (UTC)", "By", "Note", "")


def page() -> None:
    st.title("Versions", anchor=False)
    st.caption(
        "Every publish is a new data version. Restoring an earlier one publishes it again as"
        " a new version, so nothing is lost and the restore can be undone the same way."
    )
    analyst = access.gate("restore versions")
    with guarded("Reading the version history"):
        root = store_root()
        if root is None:
            return
        _restored_message()
        history(root, analyst)


def history(root: Path, analyst: bool) -> None:
    versions = list_versions(root)
    current = current_version(root)
    if not versions:
        st.info("The store has no published version yet.", icon=":material/history:")
        return
    with layout.scroll_when_narrow("versions"):
        _row_header()
        for info in versions:
            _row(root, info, info.version == current, analyst)


def _row_header() -> None:
    for col, title in zip(st.columns(WIDTHS, vertical_alignment="center"), HEADERS, strict=True):
        col.markdown(f"**{title}**" if title else "")


def _row(root: Path, info: VersionInfo, is_current: bool, analyst: bool) -> None:
    cols = st.columns(WIDTHS, vertical_alignment="center")
    cols[0].markdown(f"**{info.version}**")
    cols[1].markdown(escape_markdown(info.table))
    cols[2].markdown(f"{info.rows:,}")
    cols[3].markdown(_mode(info))
    cols[4].markdown(_when(info.published_at))
    cols[5].markdown(escape_markdown(info.user or "—"))
    cols[6].markdown(escape_markdown(info.note) or "—")
    if is_current:
        cols[7].badge("current", icon=":material/check:", color="green")
    elif analyst:
        cols[7].button(
            "Restore as new version",
            key=f"restore_{info.version}",
            icon=":material/restore:",
            on_click=restore,
            args=(root, info.version),
            width="stretch",
        )


def _mode(info: VersionInfo) -> str:
    if info.mode == "rollback" and info.restored_from is not None:
        return f"restore of {info.restored_from}"
    return info.mode


def _when(stamp: str) -> str:
    try:
        return dt.datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return escape_markdown(stamp)


def restore(root: Path, version: int) -> None:
    """Button callback: the role is decided again on the server, inside `rollback`."""
    state = st.session_state
    try:
        done = rollback(
            root,
            version,
            user=access.user_label(),
            allowed=access.server_check,
            settings=data.app_settings(),
        )
    except PublishDenied:
        state[RESTORED] = ("error", "Only analysts may restore a version; nothing was changed.")
        return
    except Exception as err:  # the message names what is wrong; never a traceback
        state[RESTORED] = ("error", f"Restoring version {version} failed: {err}")
        return
    data.forget_versions()
    state[RESTORED] = (
        "success",
        f"Version {version} restored as the new version {done.version}. Every page now reads it.",
    )


def _restored_message() -> None:
    outcome = st.session_state.pop(RESTORED, None)
    if outcome is None:
        return
    kind, text = outcome
    if kind == "success":
        st.success(text, icon=":material/task_alt:")
    else:
        st.error(escape_markdown(text), icon=":material/error:")
