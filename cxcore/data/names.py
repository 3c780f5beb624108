"""How names typed by people and found in files are matched: trimmed, case-insensitive,
and a mistyped one answered with the closest known name."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def normalise(name: str) -> str:
    return name.strip().lower()


def column_label(name: str) -> str:
    """How a column's name reads on a page: `acquisition_channel` -> `Acquisition channel`."""
    return name.replace("_", " ").capitalize()


MAX_LISTED = 12  # a hint lists at most this many names


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint for a mistyped name: the closest known one, or the whole list."""
    options = sorted(choices)
    by_folded = {option.casefold(): option for option in options}
    close = difflib.get_close_matches(word.casefold(), list(by_folded), n=1)
    if close:
        return f"; did you mean {by_folded[close[0]]!r}?"
    if len(options) > MAX_LISTED:
        more = len(options) - MAX_LISTED
        return f" (known: {', '.join(options[:MAX_LISTED])} and {more} more)"
    return f" (known: {', '.join(options)})"
