"""One rendering per unit, as the cards, charts and downloads show it."""

from __future__ import annotations

import datetime as dt

import pytest

from cxcore.app.formatting import (
    format_card_value,
    format_change,
    format_period,
    format_value,
    in_sentence,
    is_flat,
    quote_untrusted,
)
from cxcore.metrics.kpi import Unit

D = dt.date


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (5145273.54, Unit.CURRENCY, "$5,145,274"),
        (4.357, Unit.CURRENCY, "$4.36"),
        (-1250.0, Unit.CURRENCY, "-$1,250"),
        (0.0, Unit.CURRENCY, "$0"),
        (1544, Unit.COUNT, "1,544"),
        (0.81691, Unit.RATIO, "81.7%"),
        (31.24, Unit.SCORE, "31.2"),
        (149.6, Unit.SECONDS, "2m 30s"),
        (42.0, Unit.SECONDS, "42s"),
        (1.6139, Unit.NUMBER, "1.61"),
        (None, Unit.CURRENCY, "—"),
    ],
)
def test_values_by_unit(value: float | None, unit: Unit, text: str) -> None:
    assert format_value(value, unit) == text


@pytest.mark.parametrize(
    ("value", "previous", "unit", "text"),
    [
        (110.0, 100.0, Unit.CURRENCY, "+10.0%"),
        (90.0, 100.0, Unit.COUNT, "-10.0%"),
        (0.50, 0.45, Unit.RATIO, "+5.0 pp"),
        (30.0, 32.5, Unit.SCORE, "-2.5 pts"),
        (100.0, 100.0, Unit.CURRENCY, "0.0%"),
        (5.0, 0.0, Unit.CURRENCY, None),
        (None, 1.0, Unit.RATIO, None),
        (1.0, None, Unit.RATIO, None),
    ],
)
def test_changes_by_unit(
    value: float | None, previous: float | None, unit: Unit, text: str | None
) -> None:
    assert format_change(value, previous, unit) == text


def test_a_change_that_rounds_to_zero_is_flat() -> None:
    assert is_flat(format_change(100.001, 100.0, Unit.CURRENCY))
    assert not is_flat(format_change(101.0, 100.0, Unit.CURRENCY))


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (D(2026, 7, 1), D(2026, 9, 30), "Q3 2026"),
        (D(2026, 2, 1), D(2026, 2, 28), "Feb 2026"),
        (D(2025, 1, 1), D(2025, 12, 31), "2025"),
        (D(2026, 1, 1), D(2026, 3, 15), "1 Jan – 15 Mar 2026"),  # noqa: RUF001
        (D(2025, 10, 1), D(2026, 9, 30), "1 Oct 2025 – 30 Sep 2026"),  # noqa: RUF001
    ],
)
def test_periods_read_as_an_executive_says_them(start: dt.date, end: dt.date, text: str) -> None:
    assert format_period(start, end) == text


@pytest.mark.parametrize(
    "hostile", ["<script>alert(1)</script>", "[click](javascript:alert(1))", "**bold** `code`"]
)
def test_url_text_is_made_inert(hostile: str) -> None:
    quoted = quote_untrusted(hostile)
    for char in "<[*`(":
        assert char not in quoted.replace("\\" + char, "")


def test_long_url_text_is_shortened() -> None:
    assert len(quote_untrusted("x" * 500)) < 50


@pytest.mark.parametrize(
    ("value", "unit", "shown", "exact"),
    [
        (9_999_999.0, Unit.CURRENCY, "$9,999,999", None),  # ten characters: exact
        (168_453_289.0, Unit.CURRENCY, "$168.5M", "$168,453,289"),
        (-12_345_678.0, Unit.CURRENCY, "-$12.3M", "-$12,345,678"),
        (2_345_678_901.0, Unit.CURRENCY, "$2.35B", "$2,345,678,901"),
        (16_805_190.0, Unit.COUNT, "16,805,190", None),
        (168_051_900.0, Unit.COUNT, "168.1M", "168,051,900"),
        (48_130.511, Unit.RATIO, "4813051.1%", None),  # only currency and counts round
        (None, Unit.CURRENCY, "—", None),
    ],
)
def test_a_card_shows_long_values_in_millions_and_keeps_the_exact_one(
    value: float | None, unit: Unit, shown: str, exact: str | None
) -> None:
    assert format_card_value(value, unit) == (shown, exact)


@pytest.mark.parametrize(
    ("label", "said"),
    [
        ("Revenue per customer", "revenue per customer"),
        ("Churn", "churn"),
        ("NPS", "NPS"),  # an acronym keeps its capitals
        ("NPS responses", "NPS responses"),
        ("CAC", "CAC"),
        ("SLA compliance", "SLA compliance"),
        ("First-contact resolution", "first-contact resolution"),
        ("A", "a"),
    ],
)
def test_a_label_inside_a_sentence(label: str, said: str) -> None:
    assert in_sentence(label) == said
