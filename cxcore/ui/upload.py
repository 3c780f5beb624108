"""The upload flow: table and files, column mapping, check, review, publish.

Uploaded files are first written to a private folder (`upload_files`), so
every later step works on plain file paths: the same `publish` and
`compare_with_current` the command line uses. A check is remembered with the
exact request it answered (table, files, mode, mapping, base version); change
any of them and Publish waits for a new check, so what is published is always what was reviewed.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st

from cxcore.app.formatting import escape_markdown
from cxcore.data.contract import TABLES
from cxcore.data.formats import SUFFIXES, ReadOptions
from cxcore.settings import Settings
from cxcore.store.layout import current_version, is_store
from cxcore.store.preview import Comparison, compare_with_current
from cxcore.store.publish import PublishDenied, PublishRefused, StoreMoved, publish_checked

from . import access, data, layout, review
from .upload_files import MAX_NAME_BYTES, Staged, discard, stage_files
from .upload_mapping import mapping_step, options_step

STAGED = "_cx_up_staged"
RESULT = "_cx_up_result"
DONE = "_cx_up_done"
ROUND = "_cx_up_round"  # bumped after a publish, so the uploader starts empty
TABLE, MODE, NOTE = "_cx_up_table", "_cx_up_mode", "_cx_up_note"
CHECK_ASKED, PUBLISH_ASKED = "_cx_up_check_asked", "_cx_up_publish_asked"
MODES = {
    "replace": "Replace the table",
    "append": "Append (a row whose id is already published replaces it)",
}


@dataclass(frozen=True)
class Request:
    """Exactly what a check answered and a publish would send."""

    table: str
    paths: tuple[str, ...]
    mode: str
    column_map: tuple[tuple[str, str], ...]
    base_version: int
    options: ReadOptions = field(default_factory=ReadOptions)

    @property
    def mapping(self) -> dict[str, str]:
        return dict(self.column_map)


# -- pure steps, callable with paths -------------------------------------------------


def run_check(root: Path, request: Request, settings: Settings, progress: Any = None) -> Comparison:
    return compare_with_current(
        root,
        request.table,
        list(request.paths),
        request.mode,
        request.mapping or None,
        progress,
        settings,
        request.options,
    )


# -- the page ------------------------------------------------------------------------


def store_root() -> Path | None:
    """The store uploads go to; None (and a message) when the app reads a plain data folder."""
    source = Path(data.data_source())
    if is_store(source):
        return source
    st.info(
        f"This cockpit reads the data folder **{escape_markdown(source.name)}** directly,"
        " so there is nothing to publish to. Uploads need a managed store: leave CX_DATA"
        " unset (the app then uses its store) or point it at a store folder.",
        icon=":material/folder_off:",
    )
    return None


def page() -> None:
    st.title("Upload", anchor=False)
    st.caption(
        "Publish a new export as a new data version. Every file is checked against the data"
        " contract first; nothing changes for readers until you press Publish."
    )
    if not access.gate("upload"):
        for flag in (CHECK_ASKED, PUBLISH_ASKED):  # a press must not outlive the access
            st.session_state.pop(flag, None)
        return
    with guarded("Opening the store"):
        root = store_root()
        if root is None:
            return
        settings = data.app_settings()
        _done_message()
        flow(root, settings)


def flow(root: Path, settings: Settings) -> None:
    st.subheader("Table and files", anchor=False)
    with layout.stack_when_narrow("table_and_mode"):
        left, right = st.columns([1, 2], gap="large")
    table = left.selectbox(
        "Table",
        list(TABLES),
        key=TABLE,
        format_func=lambda t: f"{t} (required)" if TABLES[t].required else t,
    )
    left.caption(TABLES[table].description)
    mode = right.radio("Mode", list(MODES), key=MODE, format_func=MODES.__getitem__)
    if mode == "append" and TABLES[table].id_column is None:
        right.caption(f"{table} has no id column: appended rows are added as they are.")
    staged = _uploader(settings)
    if staged is None:
        st.caption(
            "Parquet, XLSX, or CSV and other delimited text (header row). Several files are"
            " combined into one table."
        )
        return
    for sent, stored in staged.renamed:
        st.info(
            f"The file name {escape_markdown(repr(sent[:80]))} cannot be kept as it is (a path,"
            f" a control character or over {MAX_NAME_BYTES} bytes); it is checked as"
            f" `{stored}`.",
            icon=":material/drive_file_rename_outline:",
        )
    options = options_step(table, staged.paths)
    column_map = mapping_step(root, table, staged.paths, options)
    if column_map is None:
        return
    request = Request(
        table,
        staged.paths,
        mode,
        tuple(sorted(column_map.items())),
        current_version(root),
        options,
    )
    check_step(root, request, settings)


def _uploader(settings: Settings) -> Staged | None:
    """The uploader's files, written to disk once per distinct set of files."""
    state = st.session_state
    uploaded = st.file_uploader(
        "Export files",
        type=[suffix.lstrip(".") for suffix in SUFFIXES],
        accept_multiple_files=True,
        key=f"_cx_up_files_{state.get(ROUND, 0)}",
        max_upload_size=max(1, math.ceil(settings.max_upload_mb)),
        help=f"Up to {settings.max_upload_mb:g} MB per file.",
    )
    staged: Staged | None = state.get(STAGED)
    files = list(uploaded or [])
    if not files:
        if staged is not None and staged.ids is not None:  # the files were removed
            discard(staged)
            state.pop(STAGED, None)
            forget_check()
            return None
        return staged
    ids = tuple(f.file_id for f in files)
    if staged is None or staged.ids != ids:
        discard(staged)
        forget_check()
        with st.spinner("Receiving the files…"):
            staged = stage_files(files, ids)
        state[STAGED] = staged
    return staged


def check_step(root: Path, request: Request, settings: Settings) -> None:
    st.subheader("Check and compare", anchor=False)
    state = st.session_state
    done: tuple[Request, Comparison] | None = state.get(RESULT)
    fresh = done is not None and done[0] == request
    slot = st.container()  # the button goes above the progress bar, labelled after the check
    if state.pop(CHECK_ASKED, False):
        forget_check()
        with guarded("The check"):
            bar = st.progress(0.0, text="Starting the check…")
            result = run_check(root, request, settings, progress_feeder(bar))
            bar.empty()
            state[RESULT] = done = (request, result)
            fresh = True
    slot.button(
        "Check again" if fresh else "Check",
        key="check",
        icon=":material/rule:",
        type="secondary" if fresh else "primary",
        on_click=_ask,
        args=(CHECK_ASKED,),
    )
    if not fresh or done is None:
        st.caption("Validates every row and compares the upload with the published data.")
        return
    result = done[1]
    review.report(result.report)
    if result.ok:
        review.comparison(result)
    publish_step(request, result, settings)


def forget_check() -> None:
    """A check no longer wanted (new files, a new check): its staged version goes."""
    done: tuple[Request, Comparison] | None = st.session_state.pop(RESULT, None)
    if done is not None and done[1].checked is not None:
        done[1].checked.discard()


def publish_step(request: Request, result: Comparison, settings: Settings) -> None:
    st.subheader("Publish", anchor=False)
    blocked = None
    if not result.ok:
        blocked = "Publish is disabled until the errors above are fixed."
    st.text_input(
        "Note (optional)", key=NOTE, placeholder="e.g. weekly CRM export, week 38", max_chars=200
    )
    st.button(
        f"Publish as version {request.base_version + 1}",
        key="publish",
        type="primary",
        icon=":material/publish:",
        disabled=blocked is not None,
        on_click=_ask,
        args=(PUBLISH_ASKED,),
    )
    if blocked:
        st.caption(blocked)
    if st.session_state.pop(PUBLISH_ASKED, False) and not blocked:
        with guarded("Publishing"):
            do_publish(request, result, settings)


def do_publish(request: Request, result: Comparison, settings: Settings) -> None:
    """Publish the version that was reviewed; the server decides the role again first."""
    bar = st.progress(0.0, text="Publishing…")
    if result.checked is None:
        bar.empty()
        st.warning("The check has expired; press **Check** again.", icon=":material/update:")
        return
    try:
        published = publish_checked(
            result.checked,
            note=str(st.session_state.get(NOTE) or ""),
            user=access.user_label(),
            allowed=access.server_check,
            settings=settings,
        )
    except StoreMoved as err:
        bar.empty()
        st.warning(
            f"Version {err.current} was published since you checked against version"
            f" {err.expected}, so nothing was published. Press **Check** to compare the"
            " upload with the new version.",
            icon=":material/update:",
        )
        return
    except PublishRefused as err:
        bar.empty()
        st.error("The store refused the upload; nothing was published.", icon=":material/block:")
        review.report(err.report)
        return
    except PublishDenied:
        bar.empty()
        st.error(
            "Only analysts may publish, and your analyst access could not be confirmed on the"
            " server (signed out, or the passphrase or access settings changed). Nothing was"
            " published.",
            icon=":material/gpp_bad:",
        )
        return
    bar.empty()
    state = st.session_state
    state[DONE] = {
        "version": published.version,
        "table": request.table,
        "rows": published.info.rows,
        "mode": request.mode,
        "warnings": len(published.report.warnings),
    }
    discard(state.pop(STAGED, None))
    forget_check()
    state.pop(NOTE, None)
    state[ROUND] = state.get(ROUND, 0) + 1
    data.forget_versions()
    st.rerun()


def _done_message() -> None:
    done = st.session_state.pop(DONE, None)
    if not done:
        return
    warned = f", with {done['warnings']} warning(s)" if done["warnings"] else ""
    st.success(
        f"**Published version {done['version']}**: {done['table']} ({done['mode']}),"
        f" {done['rows']:,} rows{warned}. Every page now reads it.",
        icon=":material/task_alt:",
    )


def _ask(flag: str) -> None:
    """A button's press kept in session state: it survives the router's first-run rerun."""
    st.session_state[flag] = True


def progress_feeder(bar: Any) -> Any:
    """The core's progress callback, drawn on a Streamlit progress bar."""

    def feed(fraction: float, message: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=message.capitalize())

    return feed


@contextmanager
def guarded(action: str) -> Iterator[None]:
    """No traceback reaches the page: an error is said in one line naming what went wrong.

    Streamlit's own control flow (st.rerun, st.stop) derives from BaseException
    and passes through untouched.
    """
    try:
        yield
    except Exception as err:
        what = str(err).strip() or type(err).__name__
        st.error(
            f"{action} failed: {escape_markdown(what)}. Nothing was published.",
            icon=":material/error:",
        )
