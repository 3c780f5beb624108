"""Presets, links and drill paths, decided without a browser."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from cxcore.app.links import parse_params, to_params
from cxcore.app.views import (
    Coverage,
    View,
    default_period,
    drill_into,
    matching_preset,
    preset_periods,
    step_back,
    trend_note,
    valid_drill,
)

D = dt.date
COV = Coverage(
    D(2024, 1, 1),
    D(2026, 9, 30),
    {
        "segment": ["Enterprise", "SMB", "Unknown"],
        "region": ["North", "South", "Unknown"],
        "tier": ["Gold", "Silver"],
    },
)


@pytest.mark.parametrize(
    ("last_day", "name", "start", "end"),
    [
        (D(2026, 9, 30), "Last month", D(2026, 9, 1), D(2026, 9, 30)),
        (D(2026, 9, 15), "Last month", D(2026, 8, 1), D(2026, 8, 31)),
        (D(2026, 9, 30), "Last quarter", D(2026, 7, 1), D(2026, 9, 30)),
        (D(2026, 9, 15), "Last quarter", D(2026, 4, 1), D(2026, 6, 30)),
        (D(2026, 9, 15), "Quarter to date", D(2026, 7, 1), D(2026, 9, 15)),
        (D(2026, 9, 15), "Year to date", D(2026, 1, 1), D(2026, 9, 15)),
        (D(2026, 9, 15), "Last 12 months", D(2025, 9, 1), D(2026, 8, 31)),
    ],
)
def test_presets_resolve_against_the_last_day(
    last_day: dt.date, name: str, start: dt.date, end: dt.date
) -> None:
    p = preset_periods(D(2020, 1, 1), last_day)[name]
    assert (p.start, p.end) == (start, end)
    assert matching_preset(start, end, preset_periods(D(2020, 1, 1), last_day)) == name


def test_presets_are_clamped_to_the_first_day_and_default_to_all_data() -> None:
    assert preset_periods(D(2026, 8, 10), D(2026, 9, 30))["Last quarter"].start == D(2026, 8, 10)
    short = default_period(D(2026, 9, 2), D(2026, 9, 20))
    assert (short.start, short.end) == (D(2026, 9, 2), D(2026, 9, 20))


def test_a_link_round_trips_with_its_period_spelled_out() -> None:
    view = View(D(2025, 1, 1), D(2026, 9, 30), "yoy", (("segment", ("SMB",)),))
    params = to_params(view, "NPS", ["segment"])
    assert params == [
        ("kpi", "NPS"),
        ("start", "2025-01-01"),
        ("end", "2026-09-30"),
        ("compare", "Last year"),
        ("segment", "SMB"),
        ("drill", "segment"),
    ]
    grouped: dict[str, list[str]] = {}
    for key, value in params:
        grouped.setdefault(key, []).append(value)
    parsed = parse_params(grouped, COV, ["NPS", "Revenue"])
    assert (parsed.view, parsed.kpi_label, parsed.drill, parsed.problems) == (
        view,
        "NPS",
        ["segment"],
        [],
    )


def test_even_the_default_view_links_its_explicit_period_and_its_version() -> None:
    # The default moves with every publish; a link made today must not.
    assert to_params(COV.default_view, version=7) == [
        ("start", COV.default_view.start.isoformat()),
        ("end", COV.default_view.end.isoformat()),
        ("v", "7"),
    ]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"segment": ["Martians"]}, "not in the data"),
        ({"start": ["2026-09-01"], "end": ["2026-01-01"]}, "before it starts"),
        ({"start": ["yesterday"]}, "not a date"),
        ({"end": ["2031-01-01"]}, "outside the data"),
        ({"compare": ["sideways"]}, "comparison"),
        ({"kpi": ["Happiness"]}, "KPI"),
        ({"drill": ["region"]}, "drill path"),
        ({"utm_source": ["mail"]}, "unknown"),
    ],
)
def test_a_broken_link_falls_back_with_a_problem(params: dict[str, list[str]], words: str) -> None:
    parsed = parse_params(params, COV, ["NPS"])
    assert len(parsed.problems) == 1 and words in parsed.problems[0]
    assert parsed.view == COV.default_view
    assert parsed.drill == [] and parsed.kpi_label is None


def test_hostile_text_never_reaches_a_notice_as_markup() -> None:
    parsed = parse_params({"region": ["<img src=x onerror=alert(1)>"]}, COV)
    assert re.search(r"(?<!\\)[<>\[(]", parsed.problems[0]) is None


def test_valid_members_survive_next_to_broken_ones() -> None:
    parsed = parse_params({"segment": ["SMB", "Nope", "SMB"]}, COV)
    assert parsed.view.members("segment") == ("SMB",)
    assert len(parsed.problems) == 1


def test_many_problems_are_summed_up() -> None:
    parsed = parse_params({f"p{i}": ["x"] for i in range(20)}, COV)
    assert len(parsed.problems) == 9 and parsed.problems[-1].startswith("…and 12 more")


def test_drilling_and_stepping_back() -> None:
    view = COV.default_view.with_filter("tier", ["Gold"])
    view, path = drill_into(view, [], {"segment": "SMB"})
    view, path = drill_into(view, path, {"region": "North"})
    assert path == ["segment", "region"]
    assert view.filter_dict == {"region": ["North"], "segment": ["SMB"], "tier": ["Gold"]}
    back, short = step_back(view, path, 1)
    assert short == ["segment"] and back.filter_dict == {"segment": ["SMB"], "tier": ["Gold"]}
    home, empty = step_back(view, path, 0)
    assert empty == [] and home.filter_dict == {"tier": ["Gold"]}


def test_a_drill_step_holds_only_while_its_filter_is_one_member() -> None:
    view = COV.default_view.with_filter("segment", ["SMB", "Enterprise"]).with_filter(
        "region", ["North"]
    )
    assert valid_drill(["segment", "region", "region"], view) == ["region"]


@pytest.mark.parametrize(
    ("raw", "mode"),
    [
        ("yoy", "yoy"),
        ("Last year", "yoy"),
        ("previous", "previous"),
        ("Previous period", "previous"),
    ],
)
def test_compare_is_read_as_mode_or_label(raw: str, mode: str) -> None:
    parsed = parse_params({"compare": [raw]}, COV)
    assert (parsed.view.compare, parsed.problems) == (mode, [])


@pytest.mark.parametrize(
    ("raw", "name", "label"),
    [("NPS", "nps", "NPS"), ("nps", "nps", "NPS"), ("Revenue", "revenue", "Revenue")],
)
def test_a_kpi_is_read_by_name_or_label(raw: str, name: str, label: str) -> None:
    parsed = parse_params({"kpi": [raw]}, COV, {"nps": "NPS", "revenue": "Revenue"})
    assert (parsed.kpi_name, parsed.kpi_label, parsed.problems) == (name, label, [])


def test_a_kpi_by_label_only_when_only_labels_are_given() -> None:
    assert parse_params({"kpi": ["NPS"]}, COV, ["NPS"]).kpi_label == "NPS"
    assert parse_params({"kpi": ["Nps"]}, COV, {"nps": "NPS"}).problems


def test_the_trend_says_why_it_differs_from_the_card() -> None:
    churn = trend_note("Churn", True, "previous", "Q3 2026")
    assert churn.startswith("Monthly trend: each point is one calendar month's churn")
    assert "against the month before" in churn and "need not agree" in churn
    revenue = trend_note("Revenue", False, "yoy", "Q3 2026")
    assert "the same month a year before" in revenue and "need not agree" not in revenue
    assert "calendar month's NPS;" in trend_note("NPS", False, "previous", "Q3 2026")


def test_a_moving_link_names_its_preset_and_follows_the_data() -> None:
    """Only by choice: the link says `period=Last quarter`, and a later publish moves it."""
    view = View(D(2026, 7, 1), D(2026, 9, 30))
    params = to_params(view, "NPS", moving="Last quarter")
    assert params == [("kpi", "NPS"), ("period", "Last quarter")]
    later = Coverage(D(2024, 1, 1), D(2026, 12, 31), COV.dimensions)
    grouped = {"period": ["Last quarter"]}
    for cov, quarter in (
        (COV, (D(2026, 7, 1), D(2026, 9, 30))),
        (later, (D(2026, 10, 1), D(2026, 12, 31))),
    ):
        parsed = parse_params(grouped, cov, ["NPS"])
        assert ((parsed.view.start, parsed.view.end), parsed.problems) == (quarter, [])


def test_a_moving_link_with_an_unknown_preset_says_so_and_keeps_its_dates() -> None:
    params = {"period": ["Last decade"], "start": ["2025-01-01"], "end": ["2025-03-31"]}
    parsed = parse_params(params, COV, ["NPS"])
    assert (parsed.view.start, parsed.view.end) == (D(2025, 1, 1), D(2025, 3, 31))
    assert len(parsed.problems) == 1 and "Last decade" in parsed.problems[0]


@pytest.mark.parametrize("raw", ["20250101", "2025-W01-3", "2025/01/01", "2025-1-1", "2025-13-01"])
def test_a_link_date_is_only_ever_yyyy_mm_dd(raw: str) -> None:
    parsed = parse_params({"start": [raw]}, COV)
    assert parsed.view == COV.default_view
    assert len(parsed.problems) == 1 and "not a date" in parsed.problems[0]


def test_a_parameter_of_one_value_given_twice_is_reported_and_the_last_used() -> None:
    params = {"start": ["2026-09-15", "2025-01-01"], "end": ["2025-06-30"]}
    parsed = parse_params(params, COV)
    assert (parsed.view.start, parsed.view.end) == (D(2025, 1, 1), D(2025, 6, 30))
    assert len(parsed.problems) == 1 and "start more than once" in parsed.problems[0]
    assert parse_params({"start": ["2025-01-01", "2025-01-01"]}, COV).problems == []


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (" SMB", "“SMB” (with spaces around it) is not in the data; did you mean “SMB”?"),
        ("smb", "“smb” is not in the data; did you mean “SMB”?"),
        ("Enterprize", "did you mean “Enterprise”?"),
        ("Martians", "“Martians” is not in the data."),
    ],
)
def test_an_unknown_member_is_named_with_what_was_probably_meant(raw: str, words: str) -> None:
    parsed = parse_params({"segment": [raw]}, COV)
    assert parsed.view == COV.default_view
    assert len(parsed.problems) == 1 and words in parsed.problems[0]


def test_a_page_choice_given_twice_is_reported() -> None:
    parsed = parse_params({"by_first": ["Tier", "Region"]}, COV)
    assert len(parsed.problems) == 1 and "by_first more than once" in parsed.problems[0]
