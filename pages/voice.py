"""Voice of the customer: which journey and driver to fix first, what it is worth, why it moved."""

import streamlit as st

from cxcore.ui import data, layout, options, shell, voice

coverage = data.coverage()
view = shell.page_view()
result = data.view_kpis(view)
header = st.container()  # drawn last, so that its link carries the page's choices
choices = options.Choices()
voice.headline(view)
with layout.stack_when_narrow("sections"):
    left, right = st.columns([1, 1.25], gap="large")  # the journeys' tables take the room
with left:
    voice.drivers_section(view)
with right:
    voice.journeys_section(view)
voice.moved_section(view, list(coverage.dimensions), choices)
with header:
    comparison = result["comparison"]
    layout.page_header("Voice of the customer", view, coverage, comparison, choices=choices.params)
