"""Numbers and periods as an executive reads them, decided once for every page.

Formatting lives here, free of streamlit, so the cards, charts, downloads and
tests agree on one rendering per unit: currency with thousands separators,
ratios as percentages, NPS as points, durations as minutes and seconds.
"""

from __future__ import annotations

import datetime as dt
import html
import re

from cxcore.metrics.kpi import Unit
from cxcore.metrics.periods import CalendarUnit, Period, whole_unit

CURRENCY_SYMBOL = "$"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
NO_VALUE = "—"
# A card value this many characters long is shown in millions or billions (see
# `format_card_value`); only currency and counts grow that long.
CARD_VALUE_CHARS = 11
COMPACT_UNITS = (Unit.CURRENCY, Unit.COUNT)
# What a spreadsheet runs as a formula when a text cell starts with it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_IN_CLASS = {"-": "\\-", "\t": "\\t", "\r": "\\r", "]": "\\]", "\\": "\\\\", "^": "\\^"}
# The same starts as a regular expression, for vectorised use on whole columns.
FORMULA_PATTERN = "^[" + "".join(_IN_CLASS.get(c, c) for c in FORMULA_STARTS) + "]"


def format_value(value: float | None, unit: Unit) -> str:
    """A KPI value for a card or a table cell; a long dash when it is undefined."""
    if value is None:
        return NO_VALUE
    if unit is Unit.CURRENCY:
        return _currency(value)
    if unit is Unit.COUNT:
        return f"{value:,.0f}"
    if unit is Unit.RATIO:
        return f"{value * 100:.1f}%"
    if unit is Unit.SCORE:
        return f"{value:.1f}"
    if unit is Unit.SECONDS:
        return format_duration(value)
    return f"{value:,.2f}"


def format_card_value(value: float | None, unit: Unit) -> tuple[str, str | None]:
    """A card's value, and the exact one when the card shows it in millions or billions.

    A narrow card cannot hold "$168,453,289" on one line, and breaking it between
    digits misleads; as dashboards do, the card says "$168.5M" and its help gives
    the exact figure. Tables and downloads always show the exact value.
    """
    exact = format_value(value, unit)
    if value is None or len(exact) < CARD_VALUE_CHARS or unit not in COMPACT_UNITS:
        return exact, None
    size, suffix, digits = (1e9, "B", 2) if abs(value) >= 1e9 else (1e6, "M", 1)
    symbol = CURRENCY_SYMBOL if unit is Unit.CURRENCY else ""
    return _signed(value, symbol, f"{abs(value) / size:,.{digits}f}{suffix}"), exact


def _currency(value: float) -> str:
    digits = 2 if 0 < abs(value) < 100 else 0
    return _signed(value, CURRENCY_SYMBOL, f"{abs(value):,.{digits}f}")


def _signed(value: float, symbol: str, magnitude: str) -> str:
    """The sign goes before the currency symbol: "-$1,200", never "$-1,200"."""
    return f"{'-' if value < 0 else ''}{symbol}{magnitude}"


def format_duration(seconds: float) -> str:
    """Minutes and seconds read faster than '149.6 s' on a card."""
    whole = round(seconds)
    minutes, rest = divmod(whole, 60)
    return f"{minutes}m {rest:02d}s" if minutes else f"{rest}s"


def change(value: float | None, previous: float | None, unit: Unit) -> float | None:
    """The change a card shows: points for ratios and scores, relative otherwise."""
    if value is None or previous is None:
        return None
    if unit in (Unit.RATIO, Unit.SCORE):
        return value - previous
    if previous == 0:
        return None
    return (value - previous) / abs(previous)


def format_change(value: float | None, previous: float | None, unit: Unit) -> str | None:
    """Signed change text ('+4.1%', '-1.2 pp', '+3.0 pts'); None with nothing to compare."""
    delta = change(value, previous, unit)
    if delta is None:
        return None
    if unit is Unit.RATIO:
        text = format_pp(delta)
    elif unit is Unit.SCORE:
        text = format_pts(delta)
    else:
        text = f"{delta * 100:+.1f}%"
    return text.replace("+0.0", "0.0").replace("-0.0", "0.0")


def format_pp(share_gap: float, signed: bool = True) -> str:
    """A gap between two shares in percentage points: '+1.2 pp' ('1.2 pp' unsigned)."""
    return f"{share_gap * 100:{'+' if signed else ''}.1f} pp"


def format_pts(score_change: float) -> str:
    """A change of a score (NPS) in points: '+3.0 pts'."""
    return f"{score_change:+.1f} pts"


def is_flat(text: str | None) -> bool:
    """A change that rounds to zero should read grey, not as a rise."""
    return text is not None and text.startswith("0.0")


def in_sentence(label: str) -> str:
    """A label inside a sentence: 'Revenue per customer' -> 'revenue per customer', while
    an acronym keeps its capitals ('NPS responses', 'CAC')."""
    first, _, rest = label.partition(" ")
    if first.isupper() and len(first) > 1:
        return label
    return f"{first.lower()} {rest}" if rest else first.lower()


def format_period(start: dt.date, end: dt.date) -> str:
    """'Q3 2026', 'Jul 2026', '2026', or an explicit range when the span is irregular."""
    unit = whole_unit(Period(start, end)) if start <= end else None
    if unit is CalendarUnit.MONTH:
        return f"{MONTHS[start.month - 1]} {start.year}"
    if unit is CalendarUnit.QUARTER:
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    if unit is CalendarUnit.YEAR:
        return str(start.year)
    return f"{_day(start, start.year != end.year)} – {_day(end, True)}"  # noqa: RUF001


def _day(day: dt.date, with_year: bool) -> str:
    text = f"{day.day} {MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if with_year else text


def format_day(day: dt.date) -> str:
    """'5 Jan 2026': every single day a page names reads this way."""
    return _day(day, True)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&])")


def quote_untrusted(text: str, limit: int = 40) -> str:
    """Text from a URL, made inert for a markdown notice: shortened, escaped, quoted.

    Streamlit renders notices as markdown; escaping every markdown and HTML
    character means a hostile link can neither inject markup nor a link.
    """
    flat = " ".join(str(text).split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return "“" + escape_markdown(flat) + "”"


def escape_markdown(text: str) -> str:
    """Data or link text shown literally where streamlit would render markdown."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def escape_plot_text(text: str) -> str:
    """Data text shown literally in a chart: plotly renders a subset of HTML in axis labels
    and hover text, so a member named `<a href=...>` would become a link."""
    return html.escape(str(text), quote=False)


def safe_cell(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
