"""Volume, mix and rate effects: worked by hand, then checked to add up exactly on random members.

With Fraction inputs every comparison here is `==`, not approx: the point of
the decomposition is that its parts add up to the change with nothing left
over, and exact arithmetic lets the tests hold it to that.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxcore.analytics.decomposition import (
    Decomposition,
    MemberEffect,
    Period,
    decompose_ratio,
    decompose_total,
    top_movers,
)


def parts_sum(decomposition: Decomposition) -> object:
    return decomposition.volume + sum(effect.change for effect in decomposition.members)


def effects(decomposition: Decomposition) -> dict[str, tuple[object, object, object]]:
    return {e.member: (e.mix, e.rate, e.change) for e in decomposition.members}


# --- worked by hand -------------------------------------------------------------------------

# revenue (value) over active customers (base)
# period 0: A 100 over 10 (r = 10), B 60 over 30 (r = 2); Y0 = 160, B0 = 40, M0 = 4
#           shares A 1/4, B 3/4
# period 1: A 195 over 15 (r = 13), B 105 over 35 (r = 3); Y1 = 300, B1 = 50, M1 = 6
#           shares A 3/10, B 7/10
# volume = dB * (M0 + M1)/2 = 10 * 5 = 50;  midpoint base = 45
# A: mix = 45 * (3/10 - 1/4) * (10 + 13)/2 = 45 * 1/20 * 23/2 = 207/8  (25.875)
#    rate = 45 * (13 - 10) * (1/4 + 3/10)/2 = 45 * 3 * 11/40 = 297/8   (37.125)
# B: mix = 45 * (7/10 - 3/4) * (2 + 3)/2 = 45 * -1/20 * 5/2 = -45/8   (-5.625)
#    rate = 45 * (3 - 2) * (3/4 + 7/10)/2 = 45 * 29/40 = 261/8         (32.625)
# 50 + 207/8 + 297/8 - 45/8 + 261/8 = 50 + 720/8 = 140 = 300 - 160
TWO_MEMBERS_BEFORE: Period = {"A": (100, 10), "B": (60, 30)}
TWO_MEMBERS_AFTER: Period = {"A": (195, 15), "B": (105, 35)}


def test_total_form_two_members_worked_by_hand() -> None:
    result = decompose_total(TWO_MEMBERS_BEFORE, TWO_MEMBERS_AFTER)
    assert result.volume == 50
    assert effects(result) == {
        "A": (F(207, 8), F(297, 8), 63),
        "B": (F(-45, 8), F(261, 8), 27),
    }
    assert result.total_change == 140
    assert parts_sum(result) == 140


# members appearing and disappearing: C leaves, B arrives
# period 0: A 10 over 5 (r = 2), C 6 over 3 (r = 2); Y0 = 16, B0 = 8, M0 = 2
# period 1: A 12 over 6 (r = 2), B 8 over 2 (r = 4); Y1 = 20, B1 = 8, M1 = 5/2
# volume = 0 * ... = 0; midpoint base = 8
# A: mix = 8 * (6/8 - 5/8) * 2 = 2, rate = 0
# C: rate taken as 2 in period 1 too; mix = 8 * (0 - 3/8) * 2 = -6, rate = 0
# B: rate taken as 4 in period 0 too; mix = 8 * (2/8 - 0) * 4 = 8, rate = 0
# 0 + 2 - 6 + 8 = 4 = 20 - 16


def test_members_appearing_or_leaving_contribute_only_mix() -> None:
    result = decompose_total({"A": (10, 5), "C": (6, 3)}, {"A": (12, 6), "B": (8, 2)})
    assert result.volume == 0
    assert effects(result) == {"A": (2, 0, 2), "C": (-6, 0, -6), "B": (8, 0, 8)}
    assert [e.member for e in result.members] == ["A", "C", "B"]  # order of first appearance
    assert result.total_change == parts_sum(result) == 4


# NPS: value = promoters - detractors, base = responses
# period 0: A 20 of 100 (NPS .2), B 10 of 100 (NPS .1); M0 = 30/200 = 3/20; shares 1/2, 1/2
# period 1: A 60 of 150 (NPS .4), B 5 of 50 (NPS .1);   M1 = 65/200 = 13/40; shares 3/4, 1/4
# A: mix = (3/4 - 1/2) * (.2 + .4)/2 = 1/4 * 3/10 = 3/40, rate = (.4 - .2) * (1/2 + 3/4)/2 = 1/8
# B: mix = (1/4 - 1/2) * (.1 + .1)/2 = -1/40,             rate = 0 * ... = 0
# 3/40 + 5/40 - 1/40 = 7/40 = 13/40 - 6/40


def test_ratio_form_worked_by_hand() -> None:
    result = decompose_ratio({"A": (20, 100), "B": (10, 100)}, {"A": (60, 150), "B": (5, 50)})
    assert result.volume == 0
    assert effects(result) == {"A": (F(3, 40), F(1, 8), F(1, 5)), "B": (F(-1, 40), 0, F(-1, 40))}
    assert result.total_change == parts_sum(result) == F(7, 40)


def test_the_total_form_is_the_ratio_form_scaled_by_the_midpoint_base() -> None:
    total = decompose_total(TWO_MEMBERS_BEFORE, TWO_MEMBERS_AFTER)
    ratio = decompose_ratio(TWO_MEMBERS_BEFORE, TWO_MEMBERS_AFTER)
    # M0 = 4, M1 = 6: the ratio moved by 2; the midpoint base is 45
    assert ratio.total_change == 2
    for scaled, unscaled in zip(total.members, ratio.members, strict=True):
        assert (scaled.mix, scaled.rate) == (45 * unscaled.mix, 45 * unscaled.rate)


@pytest.mark.parametrize(
    ("before", "after", "members"),
    [
        ({"A": (10, 5), "Z": (0, 0)}, {"A": (12, 6), "Z": (0, 0)}, ["A"]),
        ({"A": (10, 5), "Z": (0, 0)}, {"A": (12, 6)}, ["A"]),
        ({"A": (10, 5)}, {"A": (12, 6), "Z": (0, 0)}, ["A"]),
        ({"A": (10, 5), "Z": (0, 4)}, {"A": (12, 6), "Z": (0, 0)}, ["A", "Z"]),
    ],
    ids=["zero-both", "zero-then-absent", "absent-then-zero", "zero-base-once-is-kept"],
)
def test_members_with_no_base_in_either_period_are_dropped(
    before: Period, after: Period, members: list[str]
) -> None:
    for decompose in (decompose_total, decompose_ratio):
        result = decompose(before, after)
        assert [e.member for e in result.members] == members
        assert parts_sum(result) == result.total_change


# --- numbers: exact in, exact out -------------------------------------------------------------


def test_decimal_inputs_are_worked_exactly_as_fractions() -> None:
    # 1/3 of a cent per customer would round in Decimal; as Fractions nothing is lost
    before = {"A": (Decimal("10.00"), 3), "B": (Decimal("0.01"), 7)}
    after = {"A": (Decimal("20.00"), 6), "B": (Decimal("0.02"), 3)}
    result = decompose_total(before, after)
    assert isinstance(result.volume, F)
    assert all(isinstance(e.mix, F) and isinstance(e.rate, F) for e in result.members)
    assert result.total_change == F("10.01") == parts_sum(result)


def test_a_float_anywhere_makes_every_part_a_float() -> None:
    result = decompose_total({"A": (10, 5), "C": (6, 3)}, {"A": (12.5, 6), "B": (8, 2)})
    parts = [result.volume, result.total_change]
    parts += [p for e in result.members for p in (e.mix, e.rate, e.change)]
    assert all(type(p) is float for p in parts)
    assert parts_sum(result) == pytest.approx(result.total_change, rel=1e-12)


@pytest.mark.parametrize(
    ("before", "after", "message"),
    [
        ({"A": (5, 0)}, {"A": (1, 1)}, "value of 5 on a zero base"),
        ({"A": (1, 1)}, {"A": (1, -1)}, "negative base"),
        ({"A": (1, 1)}, {"A": (float("nan"), 1)}, "non-finite"),
    ],
)
def test_data_that_cannot_be_split_is_refused(before: Period, after: Period, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        decompose_total(before, after)


@pytest.mark.parametrize(
    ("before", "after"),
    [({}, {"A": (1, 2)}), ({"A": (1, 2)}, {"A": (0, 0)})],
    ids=["nothing-before", "nothing-after"],
)
def test_a_ratio_needs_a_base_in_both_periods(before: Period, after: Period) -> None:
    with pytest.raises(ValueError, match="undefined"):
        decompose_ratio(before, after)


def test_the_total_form_explains_growth_from_nothing_as_volume_and_mix() -> None:
    # B0 = 0, so M0 = 0 and every share is 0; period 1: A 6 over 2, B 4 over 2; Y1 = 10, B1 = 4
    # volume = 4 * (0 + 10/4)/2 = 5; A: mix = 2 * (1/2) * 3 = 3; B: mix = 2 * (1/2) * 2 = 2
    result = decompose_total({}, {"A": (6, 2), "B": (4, 2)})
    assert result.volume == 5
    assert effects(result) == {"A": (3, 0, 3), "B": (2, 0, 2)}
    assert result.total_change == parts_sum(result) == 10


# --- additivity on random members ------------------------------------------------------------

NAMES = ("SMB", "Enterprise", "Consumer", "=cmd", "Zürich")
fractions = st.fractions(min_value=-1000, max_value=1000, max_denominator=50)


@st.composite
def member_totals(draw: st.DrawFn) -> tuple[F | int, int]:
    base = draw(st.one_of(st.just(0), st.integers(1, 40)))  # zero bases often
    value = draw(fractions) if base else 0
    return value, base


periods = st.dictionaries(st.sampled_from(NAMES), member_totals(), max_size=len(NAMES))
# What `periods` draws: a Period whose numbers are exact, so the expected sums below are too.
ExactPeriod = dict[str, tuple[F | int, int]]


@given(periods, periods)
def test_total_form_adds_up_exactly(before: ExactPeriod, after: ExactPeriod) -> None:
    result = decompose_total(before, after)
    expected = sum(v for v, _ in after.values()) - sum(v for v, _ in before.values())
    assert result.total_change == expected
    assert parts_sum(result) == expected
    assert isinstance(result.volume, F) and isinstance(result.total_change, F)
    for effect in result.members:
        assert effect.change == effect.mix + effect.rate


@given(periods, periods)
def test_ratio_form_adds_up_exactly(before: ExactPeriod, after: ExactPeriod) -> None:
    base_before = sum(b for _, b in before.values())
    base_after = sum(b for _, b in after.values())
    if not (base_before and base_after):
        with pytest.raises(ValueError):
            decompose_ratio(before, after)
        return
    result = decompose_ratio(before, after)
    mean_before = F(sum(v for v, _ in before.values())) / base_before
    mean_after = F(sum(v for v, _ in after.values())) / base_after
    assert result.total_change == mean_after - mean_before
    assert result.volume == 0
    assert parts_sum(result) == result.total_change


@given(periods, periods)
def test_swapping_the_periods_negates_every_part(before: ExactPeriod, after: ExactPeriod) -> None:
    forward = decompose_total(before, after)
    backward = {e.member: e for e in decompose_total(after, before).members}
    assert backward.keys() == {e.member for e in forward.members}
    assert decompose_total(after, before).volume == -forward.volume
    for effect in forward.members:
        assert (backward[effect.member].mix, backward[effect.member].rate) == (
            -effect.mix,
            -effect.rate,
        )


@given(periods, periods)
def test_members_present_on_one_side_only_have_no_rate_effect(
    before: ExactPeriod, after: ExactPeriod
) -> None:
    one_sided = {
        name
        for name in {*before, *after}
        if before.get(name, (0, 0))[1] == 0 or after.get(name, (0, 0))[1] == 0
    }
    for effect in decompose_total(before, after).members:
        if effect.member in one_sided:
            assert effect.rate == 0


# --- top movers ---------------------------------------------------------------------------------


def movers(changes: dict[str, int]) -> Decomposition:
    members = tuple(MemberEffect(name, change, 0, change) for name, change in changes.items())
    return Decomposition(members, 0, sum(changes.values()))


@pytest.mark.parametrize(
    ("changes", "limit", "expected"),
    [
        ({"A": 5, "B": -9, "C": 1, "D": 3}, 3, [("B", -9), ("A", 5), ("D", 3)]),
        ({"A": 5, "B": -9, "C": 1, "D": 3}, 1, [("B", -9)]),
        ({"A": 0, "B": 2, "C": 0}, 3, [("B", 2)]),  # members that did not move are not named
        ({"A": -4, "B": 4, "C": 4}, 2, [("A", -4), ("B", 4)]),  # ties keep the members' order
        ({}, 3, []),
    ],
)
def test_top_movers_name_the_largest_changes_with_their_sign(
    changes: dict[str, int], limit: int, expected: list[tuple[str, int]]
) -> None:
    named = top_movers(movers(changes), limit=limit)
    assert [(e.member, e.change) for e in named] == expected


def test_top_movers_of_a_worked_example() -> None:
    result = decompose_total(TWO_MEMBERS_BEFORE, TWO_MEMBERS_AFTER)
    assert [(e.member, e.change) for e in top_movers(result)] == [("A", 63), ("B", 27)]
