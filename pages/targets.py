"""Targets: analysts set what each KPI should reach, per segment and region."""

from cxcore.ui import shell, targets

shell.page_view()  # hands a stray pages-directory run back to the router
targets.page()
