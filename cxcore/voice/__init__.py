"""The voice of the customer: significance of changes, key drivers, journeys, the value of
experience and why a KPI moved, from the engine's counts and rows and the analytics modules."""
