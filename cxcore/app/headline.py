"""What an executive reads first: the headline KPIs, what moved most, and how fresh the data is.

Decided here, without streamlit, so the overview's top band and its one-line
summaries are tested as plain text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cxcore.app.coverage import Covered
from cxcore.app.formatting import format_change, format_day
from cxcore.app.tones import Tone, judge
from cxcore.data.contract import table_label
from cxcore.metrics.kpi import Kpi
from cxcore.metrics.registry import KPI_BY_NAME

HEADLINE: tuple[str, ...] = (
    "revenue",
    "active_customers",
    "net_revenue_retention",
    "nps",
    "cost_to_serve",
)


def headline_kpis(names: Sequence[str] = HEADLINE) -> list[Kpi]:
    return [KPI_BY_NAME[n] for n in names]


def _size(value: float, previous: float) -> float:
    """How far a KPI moved, comparable across units: relative to where it was."""
    return abs(value - previous) / abs(previous) if previous else 0.0


def what_moved(
    numbers: Mapping[str, Mapping[str, Any]],
    kpis: Sequence[Kpi],
    covered: Callable[[Kpi], Covered],
) -> str | None:
    """'Worse: Net revenue retention -20.8 pp, Revenue -11.9% · Better: New customers +9.0%'.

    The two biggest moves each way (relative to where each KPI was), among
    changes the data covers and that are news (no flat, neutral or precision).
    """
    moves: dict[Tone, list[tuple[float, str]]] = {Tone.WORSE: [], Tone.BETTER: []}
    for kpi in kpis:
        value, previous = numbers[kpi.name]["value"], numbers[kpi.name]["previous"]
        verdict = judge(kpi, value, previous)
        if verdict not in moves or not covered(kpi).shows_change:
            continue
        text = f"{kpi.label} {format_change(value, previous, kpi.unit)}"
        moves[verdict].append((_size(value, previous), text))
    parts = []
    for verdict, word in ((Tone.WORSE, "Worse"), (Tone.BETTER, "Better")):
        top = [text for _, text in sorted(moves[verdict], key=lambda m: -m[0])[:2]]
        if top:
            parts.append(f"{word}: {', '.join(top)}")
    return " · ".join(parts) or None


def freshness(last_days: Mapping[str, dt.date], version: int | None) -> str:
    """'Data version 3 · orders to 14 Oct 2026, the rest to 30 Sep 2026'.

    The date most exports reach is said once; exports that stop elsewhere are named.
    """
    prefix = f"Data version {version}" if version is not None else "Data folder"
    if not last_days:
        return prefix
    counts: dict[dt.date, int] = {}
    for day in last_days.values():
        counts[day] = counts.get(day, 0) + 1
    common = max(counts, key=lambda d: (counts[d], d))
    if counts[common] == len(last_days):
        return f"{prefix} · every export to {format_day(common)}"
    shared = counts[common] > 1
    named = sorted((d, t) for t, d in last_days.items() if d != common or not shared)
    parts = [f"{table_label(t)} to {format_day(d)}" for d, t in reversed(named)]
    if shared:
        parts.append(f"the rest to {format_day(common)}")
    return f"{prefix} · " + ", ".join(parts)
