"""What every page needs from the router: the view the sidebar describes.

Streamlit treats a `pages/` folder next to the main script as its legacy
multipage layout and, on a process's first run (and on every AppTest run),
may execute a page without app.py. The router then never drew the filters.
A page that finds itself run that way hands control back to app.py.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from cxcore.app.views import View

VIEW_KEY = "_cx_view"


def page_view() -> View:
    """The view the router's sidebar holds for this run."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False  # what st.navigation in app.py does
        st.rerun()
    view: View = st.session_state[VIEW_KEY]
    return view
