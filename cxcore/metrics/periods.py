"""Periods and their comparison periods, exactly as the KPI definitions say.

Kept apart from SQL so the calendar rules (whole months, quarters and years,
29 February) can be tested on their own and reused by the app's presets.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Compare(StrEnum):
    PREVIOUS = "previous"
    YOY = "yoy"


class PeriodError(ValueError):
    """A period the user asked for cannot exist (bad date, start after end)."""


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise PeriodError(f"start {self.start} is after end {self.end}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def parse_date(value: str | dt.date, what: str = "date") -> dt.date:
    """ISO `YYYY-MM-DD` (or a date) to a date, with a message naming the bad input."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        if not ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PeriodError(f"{what} {value!r} is not a date (expected YYYY-MM-DD)") from None


def period(start: str | dt.date, end: str | dt.date) -> Period:
    return Period(parse_date(start, "start"), parse_date(end, "end"))


def parse_compare(value: str | Compare) -> Compare:
    try:
        return Compare(str(value))
    except ValueError:
        raise PeriodError(f"compare {value!r} is not one of: previous, yoy") from None


def comparison(p: Period, mode: Compare) -> Period:
    """The period P is compared with."""
    if mode is Compare.YOY:
        return Period(minus_years(p.start, 1), minus_years(p.end, 1))
    whole = _whole_span_months(p)
    if whole:
        start = add_months(p.start, -whole)
        return Period(start, p.start - dt.timedelta(days=1))
    return Period(p.start - dt.timedelta(days=p.days), p.start - dt.timedelta(days=1))


class CalendarUnit(StrEnum):
    """The whole calendar spans the comparison rule and the rollups know."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.value]


def whole_unit(p: Period) -> CalendarUnit | None:
    """The calendar year, quarter or month P is exactly; None for any other span."""
    if p.start.day != 1 or (p.end + dt.timedelta(days=1)).day != 1:
        return None
    months = month_index(p.end + dt.timedelta(days=1)) - month_index(p.start)
    for unit in (CalendarUnit.YEAR, CalendarUnit.QUARTER, CalendarUnit.MONTH):
        if months == unit.months and (month_index(p.start) % unit.months) == 0:
            return unit
    return None


def leap_february_28(p: Period) -> bool:
    """P is 1-28 February of a leap year: what "a year before" makes of the February after
    it, since 29 February has no day a year later."""
    return (
        p.start.month == 2
        and p.start.day == 1
        and p.end == p.start.replace(day=28)
        and calendar.isleap(p.start.year)
    )


def _whole_span_months(p: Period) -> int:
    """12, 3 or 1 when P is exactly one calendar year, quarter or month; else 0."""
    unit = whole_unit(p)
    return unit.months if unit else 0


def month_index(day: dt.date) -> int:
    """Months since year 0: the one way months are counted, so spans are differences."""
    return day.year * 12 + day.month - 1


def unit_start(day: dt.date, unit: CalendarUnit) -> dt.date:
    """The first day of the month, quarter or year holding `day`."""
    index = month_index(day)
    index -= index % unit.months
    return dt.date(index // 12, index % 12 + 1, 1)


def unit_period(start: dt.date, unit: CalendarUnit) -> Period:
    return Period(start, add_months(start, unit.months) - dt.timedelta(days=1))


def minus_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier; 29 February maps to 28 February."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    """First-of-month arithmetic (only used on first days of months)."""
    index = month_index(day) + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Windows:
    """P, its comparison Q, and R (Q's own comparison) for retention-type KPIs."""

    current: Period
    compared: Period
    before_compared: Period
    mode: Compare

    @classmethod
    def of(cls, p: Period, mode: Compare) -> Windows:
        try:
            q = comparison(p, mode)
            return cls(p, q, comparison(q, mode), mode)
        except (ValueError, OverflowError):  # before year 1 there is nothing to compare with
            raise PeriodError(f"{p.start} is too early to have a comparison period") from None


def latest_whole(last_day: dt.date, unit: CalendarUnit) -> Period:
    """The last whole month, quarter or year that ends on or before `last_day`."""
    start = unit_start(last_day, unit)
    whole = unit_period(start, unit)
    if whole.end > last_day:
        whole = unit_period(add_months(start, -unit.months), unit)
    return whole
