"""The app's rules without streamlit: view and link state, formatting of numbers and periods."""
