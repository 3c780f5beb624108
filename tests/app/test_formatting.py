"""One rendering per unit, as the cards, charts and downloads show it."""

from __future__ import annotations

import datetime as dt

import pytest

from cxcore.app.formatting import (
    format_change,
    format_period,
    format_value,
    is_flat,
    quote_untrusted,
)
from cxcore.metrics.registry import Unit

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
def test_values_by_unit(value, unit, text) -> None:  # type: ignore[no-untyped-def]
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
def test_changes_by_unit(value, previous, unit, text) -> None:  # type: ignore[no-untyped-def]
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
def test_periods_read_as_an_executive_says_them(start, end, text) -> None:  # type: ignore[no-untyped-def]
    assert format_period(start, end) == text


@pytest.mark.parametrize(
    "hostile", ["<script>alert(1)</script>", "[click](javascript:alert(1))", "**bold** `code`"]
)
def test_url_text_is_made_inert(hostile) -> None:  # type: ignore[no-untyped-def]
    quoted = quote_untrusted(hostile)
    for char in "<[*`(":
        assert char not in quoted.replace("\\" + char, "")


def test_long_url_text_is_shortened() -> None:
    assert len(quote_untrusted("x" * 500)) < 50
