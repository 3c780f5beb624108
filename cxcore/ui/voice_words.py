"""The voice of the customer in sentences: what the page and the cards say, from the contracts.

Plain functions over the dictionaries the cockpit returns (no Streamlit), so
every sentence is tested against hand-worked numbers. Figures come from the
modules that own them (`cxcore.voice`); this module only chooses the words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cxcore.analytics.significance import MIN_OBSERVATIONS
from cxcore.app.formatting import NO_VALUE, escape_markdown, format_pp, format_pts, format_value
from cxcore.metrics.kpi import Kpi, Unit
from cxcore.metrics.targets import Status, applicable, status
from cxcore.voice.drivers import driver_label
from cxcore.voice.value import Worth

# Coloured dots in Streamlit markdown: every font has the dot, not every one the emoji.
STATUS_MARKS = {Status.ON_TARGET: ":green[●]", Status.AMBER: ":orange[●]", Status.RED: ":red[●]"}
RESEARCH_RATIO = 2  # what the research cites: a bad experience weighs about twice a good one


def money(value: float) -> str:
    return format_value(value, Unit.CURRENCY)


def card_note(kpi: Kpi, status: Mapping[str, Any] | None, change: Mapping[str, Any] | None) -> str:
    """A card's status and significance in words: `🔴 red against target 30.0 · no significant
    change`; empty when the KPI has neither a target nor counts behind it."""
    parts = []
    if status is not None and status.get("status") is not None:
        judged = Status(status["status"])
        aim = format_value(status["target"], kpi.unit)
        parts.append(f"{STATUS_MARKS[judged]} {judged} (target {aim})")
    if change is not None:
        parts.append(str(change["words"]))
    return " · ".join(parts)


def value_sentence(worth: Worth) -> str | None:
    """The value of experience in one breath, or None when a group is empty."""
    if worth.detractor_cost is None or worth.shift_value is None:
        return None
    sentence = f"Over a year, a detractor brings {_less_or_more(worth.detractor_cost)} a promoter;"
    customers = f"about {worth.shifted_customers:,.0f} customers"
    shifted = f"moving 10% of detractors ({customers}) to passive"
    if worth.shift_value > 0:
        sentence += f" {shifted} is worth **{money(worth.shift_value)} a year**."
    else:  # passives brought no more than detractors in this view
        sentence += f" {shifted} would not add revenue here."
    if worth.asymmetry is not None:
        sentence += (
            f" Here a bad experience weighs **{worth.asymmetry:.1f}×** a good one"  # noqa: RUF001
            f" (a detractor retains {_points(worth.loss)} less than a passive, a promoter"
            f" {_points(worth.gain)} more; the research cites about {RESEARCH_RATIO}×)."  # noqa: RUF001
        )
    return sentence


def _less_or_more(gap: float) -> str:
    """A promoter's revenue lead over a detractor, read from the detractor's side."""
    if gap >= 0:
        return f"**{money(gap)} less** than"
    return f"**{money(-gap)} more** than"


def _points(share: float | None) -> str:
    return NO_VALUE if share is None else format_pp(share, signed=False)


def journey_sentence(member: Mapping[str, Any] | None) -> str:
    """The journey to fix first: its NPS, its change and whether the change is real, then
    how its promoters and detractors went on (a gap either way reads as more or less)."""
    if member is None:
        return f"No journey has {MIN_OBSERVATIONS} answers or more in this view."
    text = f"**{escape_markdown(member['member'])}** has the lowest NPS, {member['nps']:.1f}"
    if member["change"] is not None and member["significance"] is not None:
        text += f", a move of {format_pts(member['change'])}: {member['significance']['words']}"
    spread = member["next_period"]["retention_spread"]
    if spread is not None:
        more = "more" if spread >= 0 else "less"
        text += (
            f". Its promoters from the period before retained"
            f" {format_pp(abs(spread), signed=False)} {more} than its detractors"
        )
    return text + "."


def driver_sentence(drivers: Sequence[Mapping[str, Any]], fix_first: str | None) -> str:
    """The driver to fix first: why (importance, weight) and how it does (performance)."""
    if fix_first is None:
        return "No driver sits in the fix-first corner (or too few ratings to tell)."
    found = next(d for d in drivers if d["driver"] == fix_first)
    weight = found["relative_weight"]
    share = "" if weight is None else f", {weight * 100:.0f}% of the score's variance"
    return (
        f"**{escape_markdown(driver_label(fix_first))}** matters most among the weak spots"
        f" (r = {found['importance']:.2f}{share}) and is rated {found['performance']:.1f}"
        f" on average over {found['responses']:,} ratings."
    )


def movers_sentence(
    kpi: Kpi, by: str, decomposition: Mapping[str, Any] | None, reason: str | None = None
) -> str:
    """Who moved the KPI most, in the KPI's unit (NPS in points)."""
    if decomposition is None or not decomposition["members"]:
        why = f": {escape_markdown(reason)}" if reason else ""
        return f"There is nothing to split by {by} in this view{why}."
    by_name = {m["member"]: m for m in decomposition["members"]}
    named = [
        f"{escape_markdown(member)} ({_amount(kpi, by_name[member]['change'])})"
        for member in decomposition["movers"][:2]
    ]
    total = _amount(kpi, decomposition["total_change"])
    return f"{kpi.label} moved {total}; by {by}, most of it came from {' and '.join(named)}."


def _amount(kpi: Kpi, change: float) -> str:
    if kpi.unit is Unit.SCORE:
        return format_pts(change)
    sign = "+" if change >= 0 else "-"
    return sign + format_value(abs(change), kpi.unit)


def member_statuses(
    targets: Sequence[Any],
    kpi: Kpi,
    view_filters: Mapping[str, Sequence[str]],
    by: str,
    breakdown: Sequence[Mapping[str, Any]],
) -> str:
    """Each member's status against the target that applies to it (the view narrowed to it)."""
    said = []
    for entry in breakdown:
        member = entry[by]
        narrowed = {**view_filters, by: [member]}
        target = applicable(targets, kpi.name, narrowed)
        judged = None if target is None else status(kpi, entry["kpis"][kpi.name]["value"], target)
        if judged is not None:
            said.append(f"{STATUS_MARKS[judged]} {escape_markdown(member)} {judged}")
    return ("Status per member: " + ", ".join(said) + ".") if said else ""
