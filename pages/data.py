"""Data: which exports are loaded, how much they hold, how fresh they are, what looked odd."""

import streamlit as st

from cxcore.ui import data, layout, shell, tables

coverage = data.coverage()
view = shell.page_view()
layout.page_header("Data", view, coverage)
opened = data.cockpit()
if opened.version is not None:
    st.markdown(f"**Data version {opened.version}** of the store.")
tables.loaded_tables(opened)
tables.contract_warnings(opened)
tables.dimensions(opened)
