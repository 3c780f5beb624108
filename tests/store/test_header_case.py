"""A single-file upload whose headers differ from the contract's names only by case.

Column names are matched case-insensitively after trimming (data-contract.md), so
`Segment` and ` Region ` are the contract's `segment` and `region`. DuckDB's DESCRIBE of
the upload's view kept the file's spelling for a column only cast to its own type; the
version then stored `Segment` beside no `segment`, and every customer fell under Unknown.
"""

from __future__ import annotations

from pathlib import Path

from cxcore import Cockpit
from cxcore.store.publish import publish
from tests.store.conftest import published_rows


def _csv(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_mixed_case_headers_keep_segment_and_region(store: Path, tmp_path: Path) -> None:
    customers = _csv(
        tmp_path / "up" / "customers.csv",
        "Customer_ID,Segment, Region ,SIGNUP_DATE,Tier\n"
        "c1,SMB,North,2024-01-05,Gold\n"
        "c2,Enterprise,South,2024-02-10,Silver\n",
    )
    orders = _csv(
        tmp_path / "up" / "orders.csv",
        "Order_ID,Customer_ID,Order_Date,Product_Category,Amount\n"
        "o1,c1,2025-07-01,A,10\n"
        "o2,c2,2025-07-02,B,20\n",
    )
    publish(store, "customers", [customers])
    publish(store, "orders", [orders])

    (row,) = published_rows(store, "customers", "segment, region, tier", None)[:1]
    assert row == ("Enterprise", "South", "Silver")
    with Cockpit.open(store) as cockpit:
        assert cockpit.dimensions["segment"] == ["Enterprise", "SMB"]
        assert cockpit.dimensions["region"] == ["North", "South"]
        assert "Segment" not in cockpit.dimensions and "Tier" not in cockpit.dimensions
        result = cockpit.kpis("2025-07-01", "2025-07-31", by=["segment"])
    revenue = {entry["segment"]: entry["kpis"]["revenue"]["value"] for entry in result["breakdown"]}
    assert revenue == {"Enterprise": 20.0, "SMB": 10.0}
