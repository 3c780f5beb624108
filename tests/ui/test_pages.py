"""Every page through AppTest: default views, views seeded from links, broken links."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from cxcore import Cockpit
from cxcore.app.formatting import FORMULA_STARTS, format_card_value, format_value
from cxcore.metrics.registry import KPI_BY_NAME, KPIS
from cxcore.ui import charts, tables

from .conftest import day_shown, open_app


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def notice_text(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning)


def test_overview_shows_every_kpi_for_the_latest_whole_quarter(data_folder: Path) -> None:
    at = open_app()
    assert not at.exception
    labels = {m.label for m in at.metric}
    assert labels == {k.label for k in KPIS}
    expected = Cockpit.open(data_folder).kpis("2026-07-01", "2026-09-30")["kpis"]
    for name in ("revenue", "active_customers", "nps"):
        kpi = KPI_BY_NAME[name]
        assert metric(at, kpi.label) == format_card_value(expected[name]["value"], kpi.unit)[0]
    assert "Q3 2026" in at.markdown[1].value + " ".join(m.value for m in at.markdown)
    assert not at.warning


def test_a_moving_link_opens_on_its_preset_and_offers_itself_again(data_folder: Path) -> None:
    at = open_app({"period": "Last month"})
    assert not at.exception and not at.warning
    assert (str(at.date_input(key="start").value), str(at.date_input(key="end").value)) == (
        "2026-09-01",
        "2026-09-30",
    )
    assert "period" not in at.query_params  # the dates hold the view from here on
    at.toggle(key="share_moving").set_value(True).run()
    link = " ".join(c.value for c in at.code)
    assert "period=Last+month" in link and "start=" not in link and "v=" not in link


def test_a_link_seeds_period_comparison_and_filters(data_folder: Path) -> None:
    params: dict[str, str | list[str]] = {
        "start": "2025-01-01",
        "end": "2025-06-30",
        "compare": "Last year",
        "segment": ["SMB", "Enterprise"],
        "region": "North",
    }
    at = open_app(params)
    assert not at.exception and not at.warning
    filters = {"segment": ["SMB", "Enterprise"], "region": ["North"]}
    expected = Cockpit.open(data_folder).kpis("2025-01-01", "2025-06-30", "yoy", filters)["kpis"]
    assert metric(at, "Revenue") == format_value(
        expected["revenue"]["value"], KPI_BY_NAME["revenue"].unit
    )
    assert at.multiselect(key="segment").value == ["SMB", "Enterprise"]
    assert at.radio(key="compare").value == "yoy"


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"segment": "Martians"}, "not in the data"),
        ({"start": "2026-09-01", "end": "2026-02-01"}, "before it starts"),
        ({"start": "yesterday"}, "not a date"),
        ({"region": "<script>alert(1)</script>"}, "not in the data"),
        ({"compare": "<b>bold</b>"}, "comparison"),
        ({"colour": "blue"}, "unknown"),
    ],
)
def test_a_broken_link_gives_a_notice_and_falls_back(params: dict[str, str], words: str) -> None:
    at = open_app(params)
    assert not at.exception
    assert words in notice_text(at)
    assert "<script>" not in notice_text(at) and "<b>" not in notice_text(at)
    assert metric(at, "Revenue") == open_app().metric[0].value
    assert day_shown(at, "start").isoformat() == "2026-07-01"


@pytest.mark.parametrize(
    ("params", "shown", "words"),
    [
        ({"start": "20250101", "end": "20250630"}, ("2026-07-01", "2026-09-30"), "not a date"),
        ({"start": "2025/01/01", "end": "2025/06/30"}, ("2026-07-01", "2026-09-30"), "not a date"),
        ({"start": "2025-1-5"}, ("2026-07-01", "2026-09-30"), "not a date"),
        ({"start": "2025-06-30", "end": "2025-01-01"}, ("2026-07-01", "2026-09-30"), "before"),
        (
            {"start": ["2026-09-15", "2025-01-01"], "end": "2025-06-30"},
            ("2025-01-01", "2025-06-30"),
            "more than once",
        ),
    ],
)
def test_the_dates_shown_are_the_ones_the_notice_describes(
    params: dict[str, str | list[str]], shown: tuple[str, str], words: str
) -> None:
    """The date widgets read a link more loosely than the app and take a repeated date's
    first value: a link was shown as one period and reported as another, or silently
    replaced by the default; and the address kept the link's dates after a notice
    replaced them."""
    at = open_app(params)
    assert not at.exception
    assert (day_shown(at, "start").isoformat(), day_shown(at, "end").isoformat()) == shown
    assert words in notice_text(at)
    address = (at.query_params.get("start", "2026-07-01"), at.query_params.get("end", "2026-09-30"))
    assert address == shown  # the address, copied, opens the view shown


def test_the_notice_can_be_dismissed() -> None:
    at = open_app({"segment": "Martians"})
    at.button(key="dismiss_notice").click().run()
    assert not at.warning


def test_a_preset_sets_both_dates() -> None:
    at = open_app()
    at.pills(key="_cx_preset").set_value("Year to date").run()
    assert (
        day_shown(at, "start").isoformat(),
        day_shown(at, "end").isoformat(),
    ) == ("2026-01-01", "2026-09-30")


def test_explorer_follows_kpi_and_drill_path_from_the_link() -> None:
    at = open_app({"kpi": "NPS", "segment": "SMB", "drill": "segment"}, page="pages/explorer.py")
    assert not at.exception and not at.warning
    assert at.selectbox(key="kpi").value == "nps"
    crumbs = [b.label for b in at.button if b.key and b.key.startswith("crumb_")]
    assert crumbs == ["All customers", "SMB"]
    at.button(key="crumb_0").click().run()
    assert at.multiselect(key="segment").value == []
    assert [b.key for b in at.button if b.key and b.key.startswith("crumb_")] == ["crumb_0"]


def test_explorer_drops_a_drill_path_that_does_not_match_the_filters() -> None:
    at = open_app({"drill": "segment"}, page="pages/explorer.py")
    assert "drill path" in notice_text(at)


def test_explorer_offers_every_chart_as_csv() -> None:
    at = open_app(page="pages/explorer.py")
    assert not at.exception
    keys = {b.proto.id for b in at.get("download_button")}
    assert len(keys) == 4


def test_data_page_lists_tables_and_coverage() -> None:
    at = open_app(page="pages/data.py")
    assert not at.exception
    tables = at.dataframe[0].value
    assert set(tables["table"]) >= {"customers", "orders", "web_sessions"}
    assert tables.set_index("table").loc["orders", "rows"] > 0
    assert at.success[0].value.startswith("No warnings")  # the generated sample is clean


@pytest.mark.parametrize("spelling", ["yoy", "Last year"])
def test_compare_takes_the_mode_as_well_as_its_label(data_folder: Path, spelling: str) -> None:
    at = open_app({"start": "2025-01-01", "end": "2025-06-30", "compare": spelling})
    assert not at.exception and not at.warning
    assert at.radio(key="compare").value == "yoy"
    assert at.query_params["compare"] == "Last year"  # the address shows what the widget reads
    expected = Cockpit.open(data_folder).kpis("2025-01-01", "2025-06-30", "yoy")["kpis"]
    revenue = KPI_BY_NAME["revenue"]
    assert metric(at, revenue.label) == format_value(expected["revenue"]["value"], revenue.unit)


@pytest.mark.parametrize("spelling", ["previous", "Previous period"])
def test_the_default_comparison_in_either_spelling_is_no_problem(spelling: str) -> None:
    at = open_app({"compare": spelling})
    assert not at.exception and not at.warning
    assert at.radio(key="compare").value == "previous"
    assert "compare" not in at.query_params  # a default is left out of the address


@pytest.mark.parametrize(
    ("spelling", "name"),
    [("nps", "nps"), ("NPS", "nps"), ("net_revenue_retention", "net_revenue_retention")],
)
def test_the_explorer_takes_the_kpi_name_as_well_as_its_label(spelling: str, name: str) -> None:
    at = open_app({"kpi": spelling, "compare": "yoy"}, page="pages/explorer.py")
    assert not at.exception and not at.warning
    assert at.selectbox(key="kpi").value == name
    assert at.radio(key="compare").value == "yoy"
    assert at.query_params["kpi"] == KPI_BY_NAME[name].label
    assert at.metric[0].label == KPI_BY_NAME[name].label


def test_an_unknown_kpi_is_still_reported() -> None:
    at = open_app({"kpi": "happiness"}, page="pages/explorer.py")
    assert "KPI" in notice_text(at) and "happiness" in notice_text(at)
    assert at.selectbox(key="kpi").value == "revenue"


def test_a_bad_pin_on_a_data_folder_is_a_notice_not_an_error() -> None:
    at = open_app({"v": "\u00b2"})
    assert not at.exception
    assert "no versions" in notice_text(at)


FORMULA = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def hostile_folder(data_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The generated data, with members a spreadsheet would run as formulas."""
    folder = tmp_path / "hostile"
    shutil.copytree(data_folder, folder)
    customers = pl.read_parquet(folder / "customers.parquet")
    region = [
        "@SUM(1)" if i == 0 else FORMULA if i == 1 else r for i, r in enumerate(customers["region"])
    ]
    customers.with_columns(pl.Series("region", region)).write_parquet(folder / "customers.parquet")
    monkeypatch.setenv("CX_DATA", str(folder))
    return folder


def test_the_data_page_tables_neutralise_formula_text(hostile_folder: Path) -> None:
    """st.dataframe's own CSV download writes what is shown, so what is shown is safe."""
    at = open_app(page="pages/data.py")
    assert not at.exception
    for frame in at.dataframe:
        for column in frame.value.columns:
            for cell in frame.value[column]:
                assert not (isinstance(cell, str) and cell.startswith(FORMULA_STARTS)), cell
    dims = at.dataframe[-1].value.set_index("dimension")
    assert dims.loc["Region", "values"].startswith(("'=HYPERLINK", "'@SUM"))
    assert "'" + FORMULA in dims.loc["Region", "values"]


def test_safe_frame_leaves_numbers_and_plain_text_alone() -> None:
    frame = pl.DataFrame({"text": ["North", "-5", "+1", None], "n": [1, -2, 3, 4]})
    safe = tables.safe_frame(frame)
    assert safe["text"].to_list() == ["North", "'-5", "'+1", None]
    assert safe["n"].to_list() == [1, -2, 3, 4]


def test_a_breakdown_download_keeps_the_cockpits_own_changes_as_written() -> None:
    """Members come from the data and are neutralised; "-14.9%" is the cockpit's own figure."""
    kpi = KPI_BY_NAME["revenue"]
    result = {
        "breakdown": [
            {"region": "=cmd", "kpis": {"revenue": {"value": 85.1, "previous": 100.0}}},
            {"region": "North", "kpis": {"revenue": {"value": 110.0, "previous": 100.0}}},
        ]
    }
    frame = charts.breakdown_frame(result, kpi, ("region",))
    computed = {c for c, t in frame.schema.items() if t == pl.String} - {"region"}
    assert computed == set(charts.FIGURE_TEXT)
    safe = tables.safe_frame(frame, written_here=charts.FIGURE_TEXT)
    assert safe["region"].to_list() == ["'=cmd", "North"]
    assert safe["change"].to_list() == frame["change"].to_list()
    assert safe["change"][0].startswith("-")


@pytest.fixture
def clashing_folder(data_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The generated data with customer columns named like keys the app owns."""
    folder = tmp_path / "clashing"
    shutil.copytree(data_folder, folder)
    customers = pl.read_parquet(folder / "customers.parquet")
    n = customers.height
    customers.with_columns(
        pl.Series("check", ["yes" if i % 2 else "no" for i in range(n)]),
        pl.Series("start", ["a" if i % 3 else "b" for i in range(n)]),
    ).write_parquet(folder / "customers.parquet")
    monkeypatch.setenv("CX_DATA", str(folder))
    return folder


def test_dimensions_named_like_app_keys_filter_without_clashing(clashing_folder: Path) -> None:
    at = open_app({"Dim:check": "no", "Dim:start": "b"})
    assert not at.exception
    assert at.multiselect(key="Dim:check").value == ["no"]
    assert at.multiselect(key="Dim:start").value == ["b"]
    assert not [w for w in at.warning if "unknown" in w.value]
    assert at.query_params["Dim:check"] in ("no", ["no"])  # the link keeps the filter


MARKUP_NAME = "![px](http://host/pixel.png)"
MARKUP_MEMBER = '<a href="http://evil.example">North</a>'


@pytest.fixture
def markup_folder(data_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A column named like a markdown image and a member written as an HTML link."""
    folder = tmp_path / "markup"
    shutil.copytree(data_folder, folder)
    customers = pl.read_parquet(folder / "customers.parquet")
    region = [MARKUP_MEMBER if r == "North" else r for r in customers["region"]]
    customers.with_columns(
        pl.Series("region", region), pl.Series(MARKUP_NAME, ["a"] * customers.height)
    ).write_parquet(folder / "customers.parquet")
    monkeypatch.setenv("CX_DATA", str(folder))
    return folder


def test_names_and_members_from_the_data_are_shown_as_text(markup_folder: Path) -> None:
    at = open_app({"region": MARKUP_MEMBER}, page="pages/explorer.py")
    assert not at.exception
    labels = [m.label for m in at.multiselect]
    assert "\\!\\[px\\]\\(http\\:" in " ".join(labels), labels
    assert MARKUP_NAME.capitalize() not in labels
    shown = " ".join(m.value for m in at.markdown)
    assert MARKUP_MEMBER not in shown and "[px](" not in shown
    assert '\\<a href="http\\://evil\\.example"\\>North' in shown  # escaped, shown as text
    axes = [
        label
        for chart in at.get("plotly_chart")
        for trace in json.loads(chart.proto.spec)["data"]
        for label in [*trace.get("y", []), *trace.get("x", [])]
        if isinstance(label, str)
    ]
    assert '&lt;a href="http://evil.example"&gt;North&lt;/a&gt;' in axes
    assert MARKUP_MEMBER not in axes


def test_the_explorer_breaks_down_by_any_discovered_dimension(data_folder: Path) -> None:
    at = open_app({"kpi": "Revenue"}, page="pages/explorer.py")
    dims = list(Cockpit.open(data_folder).dimensions)
    assert at.selectbox(key="by_first").options == [d.replace("_", " ").capitalize() for d in dims]
    assert "tier" in dims  # a customer column the sample carries, found at load
    at.selectbox(key="by_first").set_value("tier").run()
    assert not at.exception
    shown = " ".join(m.value for m in at.markdown)
    assert "**By tier**" in shown and "**Tier × region**" in shown  # noqa: RUF001
    assert at.selectbox(key="by_second").value == "region"  # kept from before
    assert len({b.proto.id for b in at.get("download_button")}) == 4


def test_more_filters_are_open_when_a_link_sets_one() -> None:
    """A link filtering on a further dimension opened with its filter folded away: the
    sidebar hid a filter the view applies."""
    at = open_app({"tier": "Gold"})
    more = next(e for e in at.expander if e.label == "More filters")
    assert more.proto.expanded and at.multiselect(key="tier").value == ["Gold"]
    assert not next(e for e in open_app().expander if e.label == "More filters").proto.expanded
