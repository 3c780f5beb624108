"""The voice of the customer as methods of an opened cockpit (the Python contract).

A mixin over the engine, so `Cockpit` gains these calls without the facade
growing: each method checks its arguments the engine's way and hands over to
the module that owns the analysis.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cxcore.data.targets import Target
from cxcore.metrics import targets as target_rules
from cxcore.metrics.engine import Engine
from cxcore.voice import changes, drivers, journeys, moved, value

Day = str | dt.date
Filters = Mapping[str, Sequence[str]] | None


class VoiceOfCustomer(Engine):
    """Significance, key drivers, journeys, the value of experience, why a KPI moved, targets."""

    targets_file: Path | None = None  # the data's targets file, if it has one

    @property
    def targets(self) -> list[Target]:
        """The data's targets, checked against the KPIs and members (TargetsError if unsound)."""
        if self.targets_file is None or not self.targets_file.is_file():
            return []
        text = self.targets_file.read_text(encoding="utf-8")
        return target_rules.check_text(text, self.dimensions)

    def statuses(
        self, start: Day, end: Day, compare: str = "previous", filters: Filters = None
    ) -> dict[str, dict[str, Any]]:
        """Each KPI with a target for the view: that target and its status for the view's value."""
        result = self.kpis(start, end, compare, filters)
        return target_rules.statuses(self.targets, result["kpis"], result["filters"])

    def drivers(self, start: Day, end: Day, filters: Filters = None) -> dict[str, Any]:
        """Key drivers of `score` over the answers of [start, end]; `filters` may also name
        `journey` and `touchpoint` members."""
        return drivers.key_drivers(self, start, end, filters)

    def nps_value(
        self, start: Day, end: Day, compare: str = "previous", filters: Filters = None
    ) -> dict[str, Any]:
        """Promoters, passives and detractors of Q: their retention and revenue in P."""
        return value.nps_value(self, start, end, compare, filters)

    def journeys(
        self, start: Day, end: Day, compare: str = "previous", filters: Filters = None
    ) -> dict[str, Any]:
        """NPS per journey and per touchpoint, its change, and next-period outcomes."""
        return journeys.journeys(self, start, end, compare, filters)

    def changes(
        self, start: Day, end: Day, compare: str = "previous", filters: Filters = None
    ) -> dict[str, dict[str, Any]]:
        """Whether each KPI with counts behind it changed by more than chance, at 95%."""
        return changes.view_changes(self, start, end, compare, filters)

    def why_it_moved(
        self,
        kpi: str,
        start: Day,
        end: Day,
        compare: str = "previous",
        filters: Filters = None,
        by: str = "segment",
    ) -> dict[str, Any]:
        """`kpi` (revenue, active_customers or nps) from Q to P: volume, mix and rate."""
        return moved.why_it_moved(self, kpi, start, end, compare, filters, by)
