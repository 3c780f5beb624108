"""A page's own choices (breakdown, split, cohort and lifetime-value options) travel in its
share link: the link opened elsewhere shows the same choices, and a value it cannot follow is
reported. Before, only the sidebar's filters did: the rest opened at their defaults."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from streamlit.testing.v1 import AppTest

from .conftest import open_app


def shared(at: AppTest) -> dict[str, str | list[str]]:
    """The page's share link as the parameters a colleague's browser opens it with."""
    link = next(c.value for c in at.code if "start=" in c.value)
    query = parse_qs(urlparse(link).query)
    return {k: v if len(v) > 1 else v[0] for k, v in query.items()}


def test_the_explorers_breakdown_travels_in_its_link() -> None:
    at = open_app({"kpi": "NPS", "segment": "SMB"}, page="pages/explorer.py")
    at.selectbox(key="by_first").set_value("tier").run()
    at.selectbox(key="by_second").set_value("acquisition_channel").run()
    params = shared(at)
    assert (params["by_first"], params["by_second"]) == ("Tier", "Acquisition channel")
    opened = open_app(params, page="pages/explorer.py")
    assert not opened.exception and not opened.warning
    assert opened.selectbox(key="by_first").value == "tier"
    assert opened.selectbox(key="by_second").value == "acquisition_channel"
    titles = [m.value for m in opened.markdown if m.value.startswith("**")]
    assert titles == [m.value for m in at.markdown if m.value.startswith("**")]


def test_the_voice_pages_split_travels_in_its_link() -> None:
    at = open_app(page="pages/voice.py")
    at.selectbox(key="moved_kpi").set_value("nps")
    at.selectbox(key="moved_by").set_value("region")
    at.run()
    opened = open_app(shared(at), page="pages/voice.py")
    assert not opened.exception and not opened.warning
    assert (opened.selectbox(key="moved_kpi").value, opened.selectbox(key="moved_by").value) == (
        "nps",
        "region",
    )


def test_the_cohort_and_lifetime_value_options_travel_in_the_link() -> None:
    at = open_app({"start": "2026-04-01", "end": "2026-06-30"}, page="pages/economics.py")
    at.radio(key="cohort_start").set_value("signup").run()
    at.radio(key="cohort_show").set_value("revenue_per_customer").run()
    at.toggle(key="cohort_year").set_value(False).run()
    at.select_slider(key="clv_horizon").set_value(24).run()
    opened = open_app(shared(at), page="pages/economics.py")
    assert not opened.exception and not opened.warning
    assert opened.radio(key="cohort_start").value == "signup"
    assert opened.radio(key="cohort_show").value == "revenue_per_customer"
    assert opened.toggle(key="cohort_year").value is False
    assert opened.select_slider(key="clv_horizon").value == 24


@pytest.mark.parametrize(
    ("page", "params", "words"),
    [
        ("pages/explorer.py", {"by_first": "Colour"}, "by_first “Colour” is not one of"),
        ("pages/voice.py", {"moved_by": "planet"}, "showing “segment” instead"),
        ("pages/economics.py", {"clv_horizon": "13"}, "clv_horizon “13”"),
        ("pages/economics.py", {"cohort_year": "maybe"}, "cohort_year “maybe”"),
    ],
)
def test_a_choice_the_link_gets_wrong_is_reported(
    page: str, params: dict[str, str], words: str
) -> None:
    at = open_app(params, page=page)
    assert not at.exception
    assert words in " ".join(w.value for w in at.warning)
