"""A page's own choices, bound to link parameters so a shared link reproduces them too.

The sidebar's filters were the only part of a view in its link: the explorer's
breakdown, the voice page's split and the cohort and lifetime-value options
opened at their defaults, a different view without a word. Each such choice is
now a bound widget under a parameter `cxcore.app.views.PAGE_PARAMS` declares,
and the page's share link spells out every one of them. Streamlit drops a
bound value it cannot read without a word; a link deserves better, so the
link's value is checked first and one that cannot be followed joins the
link's notice, with what is shown instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from cxcore.app.formatting import quote_untrusted
from cxcore.app.views import PAGE_PARAMS

from . import filters

REPORTED = "_cx_options_reported"  # (parameter, value) pairs already in the notice


class Choices:
    """The page's choices drawn so far, in the form its share link writes them."""

    def __init__(self) -> None:
        self.params: list[tuple[str, str]] = []

    def one_of(
        self,
        widget: Callable[..., Any],
        label: str,
        options: Sequence[Any],
        key: str,
        index: int = 0,
        format_func: Callable[[Any], str] = str,
        **kwargs: Any,
    ) -> Any:
        """A selectbox or radio whose link value is its option's label."""
        shown = [format_func(o) for o in options]
        _check(key, shown, shown[index])
        value = widget(
            label,
            options,
            index=index,
            key=key,
            format_func=format_func,
            bind="query-params",
            **kwargs,
        )
        self.params.append((key, format_func(value)))
        return value

    def slider(self, label: str, options: Sequence[Any], value: Any, key: str) -> Any:
        """A select_slider whose link value is its option as text."""
        _check(key, [str(o) for o in options], str(value))
        chosen = st.select_slider(label, options, value=value, key=key, bind="query-params")
        self.params.append((key, str(chosen)))
        return chosen

    def switch(self, label: str, value: bool, key: str, **kwargs: Any) -> bool:
        """A toggle whose link value is `true` or `false`."""
        _check(key, ["true", "false"], str(value).lower(), fold=True)
        on = bool(st.toggle(label, value, key=key, bind="query-params", **kwargs))
        self.params.append((key, str(on).lower()))
        return on


def _check(key: str, allowed: Sequence[str], default: str, fold: bool = False) -> None:
    """A link value the widget cannot take joins the link's notice (once), before the
    widget drops it."""
    assert key in PAGE_PARAMS, f"{key} is not declared in PAGE_PARAMS"
    values = st.query_params.get_all(key)
    if not values:
        return
    raw = values[-1]
    if (raw.lower() if fold else raw) in allowed:
        return
    reported: set[tuple[str, str]] = st.session_state.setdefault(REPORTED, set())
    if (key, raw) in reported:
        return
    reported.add((key, raw))
    choices = ", ".join(allowed)
    filters.report(
        f"The link's {key} {quote_untrusted(raw)} is not one of: {quote_untrusted(choices, 120)};"
        f" showing {quote_untrusted(default)} instead."
    )
