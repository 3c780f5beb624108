"""Is this change real? Each KPI's change tested against chance, from the counts behind it.

The registry says which counts back which KPI (`Kpi.evidence`); the tests are
`cxcore.analytics.significance`. Here the two meet: slot p's counts (P) are
set against slot q's (Q), as the card's value is set against its previous.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

from cxcore.analytics.significance import (
    NpsCounts,
    RateCounts,
    Verdict,
    nps_change,
    nps_interval,
    rate_change,
)
from cxcore.metrics.engine import Engine
from cxcore.metrics.evidence import EvidenceKind
from cxcore.metrics.kpi import Kpi
from cxcore.metrics.measures import Measures
from cxcore.metrics.query import view_slots
from cxcore.metrics.registry import KPIS


def verdict(kpi: Kpi, current: Measures, previous: Measures) -> Verdict | None:
    """The KPI's change from `previous` to `current`, judged; None when it has no counts."""
    evidence = kpi.evidence
    if evidence is None:
        return None
    now, before = evidence.counts(current), evidence.counts(previous)
    if now is None or before is None:
        return None
    try:
        if evidence.kind is EvidenceKind.NPS:
            return nps_change(NpsCounts(*now), NpsCounts(*before))
        return rate_change(RateCounts(*now), RateCounts(*before))
    except ValueError:  # counts that cannot be a sample (more promoters than answers)
        return None


def verdict_dict(judged: Verdict) -> dict[str, Any]:
    """A verdict as plain JSON: an infinite z (a change no chance could make) becomes null."""
    z = judged.z if judged.z is not None and math.isfinite(judged.z) else None
    return {
        "verdict": str(judged.kind),
        "significant": judged.is_significant,
        "words": judged.words,
        "z": z,
        "p_value": judged.p_value,
    }


def view_changes(
    engine: Engine,
    start: str | dt.date,
    end: str | dt.date,
    compare: str = "previous",
    filters: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Every KPI with counts behind it: its change's verdict for the view, and for NPS the
    adjusted-Wald margin of error of P's value (`margin`, in points)."""
    windows = engine.windows(start, end, compare)
    chosen = engine.check_filters(filters or {})
    slots = engine.measures(view_slots(windows), chosen, ()).get((), {})
    found: dict[str, dict[str, Any]] = {}
    for kpi in KPIS:
        judged = verdict(kpi, slots["p"], slots["q"]) if slots else None
        if judged is None:
            continue
        found[kpi.name] = verdict_dict(judged)
        if kpi.evidence is not None and kpi.evidence.kind is EvidenceKind.NPS:
            found[kpi.name]["margin"] = nps_margin(slots["p"])
    return found


def nps_margin(measures: Measures) -> float | None:
    """The adjusted-Wald 95% margin of an NPS, in points (sound for a handful of answers)."""
    counts = [measures.get(n) for n in ("promoters", "detractors", "responses")]
    if any(c is None for c in counts):
        return None
    return nps_interval(NpsCounts(*(int(c) for c in counts))).margin  # type: ignore[arg-type]
