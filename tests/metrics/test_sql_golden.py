"""Golden snapshots of the SQL each query shape produces.

A change to the generated SQL shows up as a readable diff here. To accept an
intended change, run the tests with UPDATE_GOLDEN=1 and review the files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cxcore.metrics.periods import Compare, Windows, period
from cxcore.metrics.query import block_query, view_slots
from cxcore.sqlkit import render

GOLDEN = Path(__file__).parent / "golden"
WINDOWS = Windows.of(period("2025-07-01", "2025-09-30"), Compare.PREVIOUS)

SHAPES = [
    ("orders_total", "orders", {}, ()),
    ("orders_by_segment_filtered", "orders", {"region": ["North"]}, ("segment",)),
    ("nps_by_segment_region", "nps_responses", {}, ("segment", "region")),
    ("spend_filtered", "marketing_spend", {"segment": ["SMB"], "region": ["East"]}, ()),
    ("sessions_by_tier", "web_sessions", {"tier": ["Gold"]}, ("tier",)),
]


@pytest.mark.parametrize(("name", "table", "filters", "by"), SHAPES, ids=[s[0] for s in SHAPES])
def test_sql_matches_golden(name: str, table: str, filters: dict, by: tuple[str, ...]) -> None:
    sql = render(block_query(table, view_slots(WINDOWS), filters, by).sql) + "\n"
    path = GOLDEN / f"{name}.sql"
    if os.environ.get("UPDATE_GOLDEN") or not path.exists():
        path.write_text(sql, encoding="utf-8")
    assert sql == path.read_text(encoding="utf-8")
