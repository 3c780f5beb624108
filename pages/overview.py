"""Overview: the whole KPI set for the view, grouped as an executive reads it."""

from cxcore.ui import cards, data, layout, shell, voice

coverage = data.coverage()
view = shell.page_view()
result = data.view_kpis(view)
layout.page_header("Customer experience", view, coverage, result["comparison"])
cards.overview(
    result,
    data.sparkline_rows(view),
    list(data.cockpit().tables),
    cards.versus_label(result),
    voice.card_notes(view, result),
)
