"""Overview: the headline band first, then the whole KPI set grouped as an executive reads it."""

import streamlit as st

from cxcore.app.headline import freshness
from cxcore.ui import cards, data, layout, shell, voice

coverage = data.coverage()
view = shell.page_view()
result = data.view_kpis(view)
layout.page_header("Customer experience", view, coverage, result["comparison"])
last_days = {n: t.last_day for n, t in data.cockpit().tables.items() if t.last_day}
st.caption(freshness(last_days, data.data_version()))
months = data.sparkline_rows(view)
versus = cards.versus_label(result)
notes = voice.card_notes(view, result)
cards.band(result, months, view, coverage.spans, versus, notes)
cards.overview(result, months, view, coverage.spans, versus, notes)
