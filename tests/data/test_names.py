"""Names people type: one measure of "alike" for every hint and every guessed column."""

from __future__ import annotations

import pytest

from cxcore.data.names import MAX_LISTED, closest, column_label, did_you_mean

REGIONS = ("East", "North", "South", "West")


@pytest.mark.parametrize(
    ("word", "choices", "cutoff", "expected"),
    [
        ("Eastt", REGIONS, 0.6, "East"),
        ("EAST", REGIONS, 0.6, "East"),  # case aside, and the known spelling comes back
        ("nrth", REGIONS, 0.6, "North"),
        ("Atlantis", REGIONS, 0.6, None),
        ("custmer_id", ("customer_id", "order_id"), 0.8, "customer_id"),
        ("cust_id", ("customer_id", "order_id"), 0.8, None),  # alike, not alike enough
        ("anything", (), 0.6, None),
    ],
)
def test_closest(word: str, choices: tuple[str, ...], cutoff: float, expected: str | None) -> None:
    assert closest(word, choices, cutoff) == expected


def test_did_you_mean_names_the_closest_one() -> None:
    assert did_you_mean("Wset", REGIONS) == "; did you mean 'West'?"


def test_did_you_mean_lists_what_is_known_when_nothing_is_close() -> None:
    assert did_you_mean("Atlantis", REGIONS) == " (known: East, North, South, West)"


def test_did_you_mean_shortens_a_long_list() -> None:
    many = [f"member {i:02d}" for i in range(MAX_LISTED + 3)]
    hint = did_you_mean("zzz", many)
    assert hint.endswith(" and 3 more)") and f"member {MAX_LISTED - 1:02d}" in hint
    assert f"member {MAX_LISTED:02d}" not in hint


@pytest.mark.parametrize(
    ("name", "label"),
    [("acquisition_channel", "Acquisition channel"), ("region", "Region"), ("nps", "Nps")],
)
def test_column_label(name: str, label: str) -> None:
    assert column_label(name) == label
