"""A region written "Unknown" in the export is kept apart from the cockpit's own Unknown.

Hand-worked: c1 is in region "Unknown" as exported, c2 in North; order o1 (10) is
c1's, o2 (20) is c2's and o3 (40) names a customer absent from customers, so it
belongs to the cockpit's Unknown. Revenue by region, January 2025:
Unknown (as exported) = 10, North = 20, Unknown = 40.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cxcore import Cockpit
from cxcore.data.catalog import Catalog
from cxcore.data.contract import UNKNOWN, UNKNOWN_AS_EXPORTED
from cxcore.store.publish import ensure_store
from tests.factories import customer, entries, order, session, write_folder

CUSTOMERS = [customer("c1", region="Unknown"), customer("c2", region="North")]
ORDERS = [
    order("o1", "c1", "2025-01-05", 10),
    order("o2", "c2", "2025-01-06", 20),
    order("o3", "c9", "2025-01-07", 40),
]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "data", customers=CUSTOMERS, orders=ORDERS)


def _revenue_by_region(source: Path) -> dict[str, float]:
    result = Cockpit.open(source).kpis("2025-01-01", "2025-01-31", by=["region"])
    return {key[0]: kpis["revenue"]["value"] for key, kpis in entries(result, ["region"]).items()}


def test_the_two_unknowns_are_separate_members(folder: Path, tmp_path: Path) -> None:
    expected = {UNKNOWN_AS_EXPORTED: 10.0, "North": 20.0, UNKNOWN: 40.0}
    assert _revenue_by_region(folder) == expected
    root = tmp_path / "store"
    ensure_store(root, folder)
    assert _revenue_by_region(root) == expected  # published facts attribute alike
    members = Cockpit.open(root).dataset.dimensions["region"]
    assert members == ("North", UNKNOWN_AS_EXPORTED, UNKNOWN)  # the cockpit's Unknown last


def test_a_written_unknown_is_a_warning_naming_the_rule(folder: Path) -> None:
    warnings = [f.message for f in Catalog.from_folder(folder).report.warnings]
    assert (
        "customers.region: 1 row is written 'Unknown', the cockpit's member for rows whose"
        " customer is unknown: kept as 'Unknown (as exported)' (e.g. row 1: 'Unknown')"
    ) in warnings


def test_an_anonymous_session_written_unknown_is_kept_apart(tmp_path: Path) -> None:
    sessions = [session("s1", None, "2025-01-05", 3, 60, False, region="Unknown")]
    data = write_folder(tmp_path, customers=CUSTOMERS, orders=ORDERS, web_sessions=sessions)
    catalog = Catalog.from_folder(data)
    assert UNKNOWN_AS_EXPORTED in catalog.loaded.dimensions["region"]
