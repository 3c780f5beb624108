"""The customer economics page: cohorts, lifetime value next to CAC, the holdout check."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl

from cxcore import Cockpit
from cxcore.app.formatting import escape_markdown
from cxcore.ui import economics
from tests.ui.conftest import open_app

PAGE = "pages/economics.py"
LINK = {"start": "2026-04-01", "end": "2026-06-30", "segment": "SMB"}


def test_the_page_draws_every_section_without_a_problem() -> None:
    at = open_app(LINK, page=PAGE)
    assert not at.exception and not at.warning
    assert [s.value for s in at.subheader] == ["Cohorts", "Customer lifetime value"]
    assert len(at.get("plotly_chart")) == 2  # triangle, average curve
    assert len(at.table) == 2  # by segment, by region
    assert at.radio(key="cohort_start").value == "first_order"
    assert not [r for r in at.radio if r.key == "_cx_holdout"]  # closed: nothing fitted
    at.session_state[economics.HOLDOUT_OPEN] = True  # the reader opens the holdout check
    at.run()
    assert not at.exception and not at.warning
    assert len(at.get("plotly_chart")) == 3  # and its chart is drawn


def test_the_triangle_holds_the_cockpits_cohorts_for_the_view(data_folder: Path) -> None:
    at = open_app(LINK, page=PAGE)
    figures = [json.loads(p.proto.spec) for p in at.get("plotly_chart")]
    heatmap = next(f["data"][0] for f in figures if f["data"][0]["type"] == "heatmap")
    with Cockpit.open(data_folder) as cockpit:
        # The twelve months up to the view's end: July 2025 to June 2026.
        expected = cockpit.cohorts("2025-07-01", "2026-06-30", filters={"segment": ["SMB"]})
    assert len(heatmap["y"]) == len(expected["cohorts"]) >= 10  # a month may have no SMB newcomer
    first = [m["retention"] for m in expected["cohorts"][0]["months"]]
    assert heatmap["z"][0][: len(first)] == first


def test_the_signup_basis_and_the_view_period_change_the_cohorts() -> None:
    at = open_app(LINK, page=PAGE)
    at.radio(key="cohort_start").set_value("signup").run()
    at.toggle(key="cohort_year").set_value(False).run()
    assert not at.exception
    figures = [json.loads(p.proto.spec) for p in at.get("plotly_chart")]
    heatmap = next(f["data"][0] for f in figures if f["data"][0]["type"] == "heatmap")
    assert [y[:7] for y in heatmap["y"]] == ["2026-04", "2026-05", "2026-06"]


def test_clv_sits_next_to_cac_for_each_segment(data_folder: Path) -> None:
    at = open_app({"start": "2026-01-01", "end": "2026-06-30"}, page=PAGE)
    table = at.table[0].value.reset_index()
    with Cockpit.open(data_folder) as cockpit:
        clv = cockpit.clv(dt.date(2026, 6, 30), by="segment")
        cac = cockpit.kpis("2026-01-01", "2026-06-30", by=["segment"])
    frame = economics.clv_table(clv, cac, "segment")
    # st.table renders markdown: members are written escaped, and read as themselves
    assert list(table["Segment"]) == [escape_markdown(s) for s in sorted(frame["segment"])]
    row = frame.filter(pl.col("segment") == "SMB").row(0, named=True)
    cac_smb = next(e for e in cac["breakdown"] if e["segment"] == "SMB")["kpis"]["cac"]["value"]
    # CLV / CAC is the segment's mean CLV over its CAC for the view's period.
    assert (
        row["clv_to_cac"]
        == clv["by"][[e["segment"] for e in clv["by"]].index("SMB")]["mean_clv"] / cac_smb
    )


def test_the_holdout_compares_expected_and_actual_purchases(data_folder: Path) -> None:
    at = open_app(page=PAGE)
    at.session_state[economics.HOLDOUT_OPEN] = True
    at.run()
    at.radio(key="_cx_holdout").set_value(3).run()
    assert not at.exception
    with Cockpit.open(data_folder) as cockpit:
        last = cockpit.last_day
        assert last is not None
        end = last - dt.timedelta(days=90)
        fitted = cockpit.clv_fit(end, holdout_end=last)
    actual = int(fitted.inputs.holdout_purchases.sum())
    assert any(f"they made {actual:,}" in c.value for c in at.caption)


def test_the_page_reads_a_store_version_from_its_rollups(store: Path) -> None:
    at = open_app(LINK, page=PAGE)
    assert not at.exception and not at.warning
    figures = [json.loads(p.proto.spec) for p in at.get("plotly_chart")]
    heatmap = next(f["data"][0] for f in figures if f["data"][0]["type"] == "heatmap")
    with Cockpit.open(store) as cockpit:
        assert cockpit.use_rollups
        expected = cockpit.cohorts("2025-07-01", "2026-06-30", filters={"segment": ["SMB"]})
    assert len(heatmap["y"]) == len(expected["cohorts"])
    first = [m["retention"] for m in expected["cohorts"][0]["months"]]
    assert heatmap["z"][0][: len(first)] == first
