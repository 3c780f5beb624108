"""The upload review's tables: real changes counted, plain text on screen, no 'None'."""

from __future__ import annotations

from cxcore.data.validation import Finding, Report
from cxcore.store.preview import Comparison
from cxcore.ui.review import MOVED, finding_row, kpi_rows


def comparison(kpis: dict[str, dict[str, float | None]]) -> Comparison:
    return Comparison(
        "orders", "append", Report(), 1, quarter={"start": "2026-07-01", "end": "2026-09-30"},
        kpis=kpis,
    )  # fmt: skip


def test_only_changes_that_show_are_counted_and_listed_first() -> None:
    rows = kpi_rows(
        comparison(
            {
                # 0.45012 -> 0.45041: both "45.0%", change "0.0 pp": no change to a reader
                "churn_rate": {"before": 0.45012, "after": 0.45041},
                # 0.2000 -> 0.2000: identical
                "retention_rate": {"before": 0.2, "after": 0.2},
                # 1000 -> 881: "-11.9%", a real change
                "revenue": {"before": 1000.0, "after": 881.0},
            }
        )
    )
    assert [(r["KPI"], r[MOVED]) for r in rows] == [
        ("Revenue", True),
        ("Churn", False),
        ("Retention", False),
    ]
    assert rows[0]["change"] == "-11.9%"  # as on every card: no spreadsheet apostrophe
    assert rows[1]["change"] == "—"


def test_a_whole_file_problem_has_a_dash_for_its_rows_not_none() -> None:
    row = finding_row(Finding("orders", None, "the file has no header row", 0))
    assert row["rows"] == "—" and row["column"] == "orders"
    assert finding_row(Finding("orders", "amount", "not a number", 1234))["rows"] == "1,234"
