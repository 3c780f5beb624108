"""Overview: the whole KPI set for the view, grouped as an executive reads it."""

from cxcore.ui import cards, data, layout, shell

coverage = data.coverage()
view = shell.page_view()
result = data.view_kpis(view)
layout.page_header("Customer experience", view, coverage, result["comparison"])
cards.overview(
    result,
    data.sparkline_rows(view),
    view,
    coverage.spans,
    cards.versus_label(result),
)
