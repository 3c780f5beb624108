"""What a value may be for the cockpit to keep it and compute with it safely.

Two bounds, each stated once and worded for the report:

- a date window per table (CX_DATE_WINDOW, CX_DATE_WINDOW_<TABLE>; by
  default 1900-01-01..2099-12-31): a placeholder such as 9999-12-31 or a
  timestamp in year 290000 is refused instead of breaking every page that
  computes a period around it;
- the size of a number: amounts are kept as DECIMAL(38, 10), which holds 28
  digits before the point, and every total the cockpit takes is a sum of a
  table's rows. An amount is refused when its size exceeds 1e(28 - d), d
  being the number of digits of the table's row count: then n rows add up to
  less than 10^d * 1e(28 - d) = 1e28, and no total can overflow.
"""

from __future__ import annotations

from cxcore.data.contract import TABLES
from cxcore.data.names import did_you_mean
from cxcore.settings import WINDOW_ENV, DateWindow, Settings, SettingsError

# DECIMAL(38, 10): 38 digits, 10 of them after the point.
NUMBER_DIGITS = 28
LARGEST_NUMBER = "9" * NUMBER_DIGITS + "." + "9" * 10


def table_window(settings: Settings, table: str) -> DateWindow:
    """The window the table's dates must fall in; a window for an unknown table is refused."""
    for name, _window in settings.table_windows:
        if name not in TABLES:
            raise SettingsError(
                f"{WINDOW_ENV}_{name.upper()} names no table" + did_you_mean(name, TABLES)
            )
    return settings.window_for(table)


def window_words(table: str, window: DateWindow) -> str:
    setting = f"{WINDOW_ENV}_{table.upper()} or {WINDOW_ENV}"
    return f"are outside the date window {window} (rule: {setting} sets it)"


def sum_bound_exponent(rows: int) -> int:
    """k such that each of `rows` amounts may be at most 1ek in size."""
    return NUMBER_DIGITS - len(str(max(rows, 1)))


def sum_bound_words(rows: int) -> str:
    k = sum_bound_exponent(rows)
    return (
        f"are too large to add up safely (rule: at most 1e{k} in size for a table of"
        f" {rows:,} rows, so that every total fits DECIMAL(38, 10))"
    )


TOO_LARGE_WORDS = f"are too large to keep exactly (largest {LARGEST_NUMBER})"
