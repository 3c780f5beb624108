"""Upload: analysts check a new export against the contract and publish it as a new version."""

from cxcore.ui import shell, upload

shell.page_view()  # hands a stray pages-directory run back to the router
upload.page()
