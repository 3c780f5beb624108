"""Analytics beyond the KPI set: statistics, drivers, decomposition and customer lifetime value."""
