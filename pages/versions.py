"""Versions: the publish history, and restoring an earlier version as a new one."""

from cxcore.ui import shell, versions

shell.page_view()  # hands a stray pages-directory run back to the router
versions.page()
