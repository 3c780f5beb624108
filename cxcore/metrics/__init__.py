"""The metrics layer: periods, measures, the KPI registry, SQL building and the query engine."""
