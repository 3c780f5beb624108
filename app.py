"""CX Cockpit: the router. Filters are drawn here so they follow the reader across pages.

`streamlit run app.py` serves `app` below: Streamlit's ASGI app with the
cockpit's own guards around it (security headers; uploads only for analysts).
"""

import streamlit as st

from cxcore.ui import data, filters, layout, server, shell

app = st.App(__file__, middleware=server.MIDDLEWARE)

if __name__ == "__main__":  # a script run of the app (not the server importing it)
    st.set_page_config(
        page_title="CX Cockpit",
        page_icon=":material/monitoring:",
        layout="wide",
        initial_sidebar_state="auto",  # open on a desktop, closed on a phone
    )
    PAGES = [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/explorer.py", title="KPI explorer", icon=":material/query_stats:"),
        st.Page("pages/economics.py", title="Customer economics", icon=":material/savings:"),
        st.Page(
            "pages/voice.py", title="Voice of the customer", icon=":material/record_voice_over:"
        ),
        st.Page("pages/data.py", title="Data", icon=":material/database:"),
        st.Page("pages/upload.py", title="Upload", icon=":material/upload:"),
        st.Page("pages/versions.py", title="Versions", icon=":material/history:"),
        st.Page("pages/targets.py", title="Targets", icon=":material/flag:"),
    ]
    page = st.navigation(PAGES, position="sidebar")
    layout.style()
    try:
        data.begin_run()  # one data version for every number, link and note of this run
        coverage = data.coverage()
        st.session_state[shell.VIEW_KEY] = filters.sidebar(coverage)
        filters.notice()
        data.pin_note()
        with shell.calm_failures():
            page.run()
    finally:
        data.end_run()  # the run's data is no longer held against pruning
