"""Shared streamlit helpers for the pages: the only part of cxcore that imports streamlit."""
