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


def closest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The known name most like `word`, case aside, if any is alike enough: the one
    measure of "alike" behind every hint and every guessed column."""
    by_folded = {option.casefold(): option for option in sorted(choices)}
    close = difflib.get_close_matches(word.casefold(), list(by_folded), n=1, cutoff=cutoff)
    return by_folded[close[0]] if close else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint for a mistyped name: the closest known one, or the whole list."""
    options = sorted(choices)
    close = closest(word, options)
    if close is not None:
        return f"; did you mean {close!r}?"
    if len(options) > MAX_LISTED:
        more = len(options) - MAX_LISTED
        return f" (known: {', '.join(options[:MAX_LISTED])} and {more} more)"
    return f" (known: {', '.join(options)})"
