"""Why it moved: a KPI's change split into volume, mix and rate effects that add up exactly.

A KPI summed over members (segments, regions, channels) is Y = sum_i value_i
with a base B = sum_i base_i, so Y = B * M where M = sum_i s_i * r_i, s_i being
the member's share of the base and r_i its rate (value per unit of base).
Between two periods Y can move because the base grew (volume), because the
members' shares shifted (mix) or because their rates changed (rate). Weighting
each difference by the midpoint of the other factors leaves no interaction
residue, so the parts add up to the change exactly, and swapping the periods
just negates every part.

Numbers stay exact: int, Fraction and Decimal inputs are worked as Fractions
(Decimal division would round), so the parts come out as Fractions that add
up to the change with no rounding at all; any float input makes every result a
float, exact up to rounding.

Members are taken as they come:

* a member missing from a period, or with a zero base in it, has a share of 0
  there, and its rate there is taken equal to its rate in the other period,
  so its rate effect is 0 and its whole contribution is mix;
* a member with a zero base in both periods is dropped;
* a value on a zero base, or a negative base, cannot be split this way and is
  refused with a ValueError: the engine should not produce one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from numbers import Rational

Number = int | float | Fraction | Decimal
Value = Fraction | float
# member -> (value, base) in one period, e.g. "SMB" -> (revenue, active customers)
Period = Mapping[str, tuple[Number, Number]]

_ZERO = Fraction(0)


@dataclass(frozen=True)
class MemberEffect:
    """One member's part of the change: `change` = `mix` + `rate`."""

    member: str
    mix: Value
    rate: Value
    change: Value


@dataclass(frozen=True)
class Decomposition:
    """The parts of a change: volume + sum of every member's `change` = `total_change`.

    `volume` is 0 for the ratio form, where the base's size does not enter.
    """

    members: tuple[MemberEffect, ...]
    volume: Value
    total_change: Value


@dataclass(frozen=True)
class _Member:
    """A member's shares and rates in both periods, missing rates already filled in."""

    name: str
    share_before: Value
    share_after: Value
    rate_before: Value
    rate_after: Value


def decompose_total(before: Period, after: Period) -> Decomposition:
    """Split the change of a summed KPI (revenue, orders, tickets) into volume, mix and rate.

    volume = dB * (M0 + M1) / 2 says how much the base's growth alone moved Y;
    each member's mix and rate are scaled by the midpoint base (B0 + B1) / 2
    so that they are in the KPI's own unit and add up with volume to Y1 - Y0.
    """
    value_before, base_before = _totals(before)
    value_after, base_after = _totals(after)
    average_before = _ratio_or_zero(value_before, base_before)
    average_after = _ratio_or_zero(value_after, base_after)
    midpoint_base = (base_before + base_after) / 2
    volume = (base_after - base_before) * (average_before + average_after) / 2
    effects = tuple(
        _scaled(effect, midpoint_base)
        for effect in _mix_and_rate(_members(before, after, base_before, base_after))
    )
    return _one_number_type(Decomposition(effects, volume, value_after - value_before))


def decompose_ratio(before: Period, after: Period) -> Decomposition:
    """Split the change of a ratio KPI (NPS, revenue per customer) into mix and rate.

    The KPI is M = Y / B itself, e.g. NPS with value = promoters - detractors
    and base = responses, so r_i is a member's NPS and s_i its share of the
    responses; the base's size does not enter, so there is no volume part.
    A period with no base at all has no ratio to explain: ValueError.
    """
    value_before, base_before = _totals(before)
    value_after, base_after = _totals(after)
    if base_before == 0 or base_after == 0:
        raise ValueError("a ratio KPI is undefined in a period whose total base is zero")
    effects = _mix_and_rate(_members(before, after, base_before, base_after))
    total_change = value_after / base_after - value_before / base_before
    return _one_number_type(Decomposition(effects, _ZERO, total_change))


def top_movers(decomposition: Decomposition, limit: int = 3) -> tuple[MemberEffect, ...]:
    """The members whose mix + rate moved the KPI most, largest |change| first, sign kept.

    Members that did not move it at all are left out, so the list can be
    shorter than `limit`; ties keep the members' order.
    """
    moved = [effect for effect in decomposition.members if effect.change != 0]
    return tuple(sorted(moved, key=_size_of_change, reverse=True)[:limit])


def _size_of_change(effect: MemberEffect) -> Value:
    return -effect.change if effect.change < 0 else effect.change


def _one_number_type(decomposition: Decomposition) -> Decomposition:
    """All floats if any part is one, so a caller never gets a mix of Fractions and floats."""
    effects = decomposition.members
    parts = [decomposition.volume, decomposition.total_change]
    parts += [part for e in effects for part in (e.mix, e.rate, e.change)]
    if not any(isinstance(part, float) for part in parts):
        return decomposition
    return Decomposition(
        members=tuple(
            MemberEffect(e.member, float(e.mix), float(e.rate), float(e.change)) for e in effects
        ),
        volume=float(decomposition.volume),
        total_change=float(decomposition.total_change),
    )


def _mix_and_rate(members: list[_Member]) -> tuple[MemberEffect, ...]:
    """Each member's mix and rate effect on M = sum_i s_i * r_i, with midpoint weights."""
    effects = []
    for member in members:
        mix = (member.share_after - member.share_before) * (
            (member.rate_before + member.rate_after) / 2
        )
        rate = (member.rate_after - member.rate_before) * (
            (member.share_before + member.share_after) / 2
        )
        effects.append(MemberEffect(member.name, mix, rate, mix + rate))
    return tuple(effects)


def _scaled(effect: MemberEffect, factor: Value) -> MemberEffect:
    mix, rate = effect.mix * factor, effect.rate * factor
    return MemberEffect(effect.member, mix, rate, mix + rate)


def _members(before: Period, after: Period, base_before: Value, base_after: Value) -> list[_Member]:
    """Members of either period in order of first appearance, with shares and filled-in rates."""
    members = []
    for name in dict.fromkeys([*before, *after]):
        value_0, base_0 = _checked(name, before.get(name, (0, 0)))
        value_1, base_1 = _checked(name, after.get(name, (0, 0)))
        if base_0 == 0 and base_1 == 0:
            continue
        rate_0 = value_0 / base_0 if base_0 != 0 else value_1 / base_1
        rate_1 = value_1 / base_1 if base_1 != 0 else rate_0
        members.append(
            _Member(
                name=name,
                share_before=_ratio_or_zero(base_0, base_before),
                share_after=_ratio_or_zero(base_1, base_after),
                rate_before=rate_0,
                rate_after=rate_1,
            )
        )
    return members


def _totals(period: Period) -> tuple[Value, Value]:
    """Y and B of one period (checked, so a bad member fails even if it is later dropped)."""
    value_total: Value = _ZERO
    base_total: Value = _ZERO
    for name, pair in period.items():
        value, base = _checked(name, pair)
        value_total += value
        base_total += base
    return value_total, base_total


def _checked(name: str, pair: tuple[Number, Number]) -> tuple[Value, Value]:
    value, base = _exact(pair[0]), _exact(pair[1])
    if base < 0:
        raise ValueError(f"member {name!r} has a negative base {base}")
    if base == 0 and value != 0:
        raise ValueError(f"member {name!r} has a value of {value} on a zero base")
    return value, base


def _exact(number: Number) -> Value:
    """The number as a Fraction when it is exact (int, Fraction, Decimal), else as a float."""
    if isinstance(number, Rational | Decimal):
        return Fraction(number)
    converted = float(number)
    if not math.isfinite(converted):
        raise ValueError(f"cannot decompose the non-finite number {number}")
    return converted


def _ratio_or_zero(numerator: Value, denominator: Value) -> Value:
    """A share or average, 0 for an empty period (so 0 * anything stays consistent)."""
    return numerator / denominator if denominator != 0 else _ZERO
