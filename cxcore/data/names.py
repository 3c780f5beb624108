"""How names typed by people and found in files are matched: trimmed, case-insensitive,
and a mistyped one answered with the closest known name."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def normalise(name: str) -> str:
    return name.strip().lower()


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint for a mistyped name: the closest known one, or the whole list."""
    options = sorted(choices)
    close = difflib.get_close_matches(word, options, n=1)
    return f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(options)})"
