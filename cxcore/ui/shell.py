"""What every page needs from the router: the view the sidebar describes, and a page that
fails for a reason the reader can act on said in one line.

Streamlit treats a `pages/` folder next to the main script as its legacy
multipage layout until some session runs `st.navigation`: on a server's
first request for a page (and on every AppTest run) it may execute the page
without app.py, so the filters were never drawn. A page that finds itself
run that way hands control back to app.py by doing what `st.navigation`
does to that flag, then rerunning.

Streamlit offers no supported switch for this (its docs suggest naming the
folder something other than `pages/`, which this product's layout keeps).
The public alternative, a `st.switch_page` detour through app.py, fails once
widgets are bound to the link: switching pages clears the query parameters,
and Streamlit refuses to clear bound ones. So the one private name the app
touches is this flag, here and nowhere else; the page tests fail if
Streamlit changes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from cxcore.app.views import View
from cxcore.metrics.failures import describe_failure

VIEW_KEY = "_cx_view"


def page_view() -> View:
    """The view the router's sidebar holds for this run."""
    # The flag may already be off while this session's run began in the legacy layout
    # (another session's router turned it off meanwhile): no view yet means the same.
    if PagesManager.uses_pages_directory or VIEW_KEY not in st.session_state:
        PagesManager.uses_pages_directory = False  # what st.navigation in app.py does
        st.rerun()
    view: View = st.session_state[VIEW_KEY]
    return view


@contextmanager
def calm_failures() -> Iterator[None]:
    """A failure of the machine or the engine while a page is drawn (the query time limit,
    memory, a file Spark cannot read) is one line naming the setting that helps: the app
    shows no error details to readers, so it would otherwise be a bare "An error occurred".
    Anything unforeseen still raises."""
    try:
        yield
    except Exception as err:
        message = describe_failure(err)
        if message is None:
            raise
        st.error(f"This page could not be finished: {message}", icon=":material/error:")
