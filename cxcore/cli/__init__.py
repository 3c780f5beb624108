"""The command line: `cx-cockpit kpis|sample|ingest|versions|rollback|bench`."""
