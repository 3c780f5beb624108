"""Replace, append, several files, column mapping, derived data, pinning and the preview."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from cxcore import Cockpit
from cxcore.store.layout import (
    StoreError,
    VersionNotFound,
    current_files,
    current_version,
    is_store,
    list_versions,
    read_version,
    recall_mapping,
    version_dir,
)
from cxcore.store.preview import compare_with_current, latest_whole_quarter
from cxcore.store.publish import PublishDenied, PublishRefused, ensure_store, publish
from tests.factories import csv_rows, d, order, spend, write_table
from tests.store.conftest import (
    ORDERS,
    SEED_REVENUE,
    orders_file,
    published_rows,
    revenue,
    served_revenue,
    snapshot,
)


def test_ensure_store_seeds_version_one_once(store: Path, seed: Path) -> None:
    assert is_store(store)
    assert current_version(store) == 1
    assert ensure_store(store, seed) == 1
    (info,) = list_versions(store)
    assert (info.version, info.table, info.mode, info.tables) == (
        1,
        "all",
        "init",
        {"customers": 4, "orders": 4},
    )
    assert revenue(store) == SEED_REVENUE


def test_replace_publishes_a_new_version(store: Path, tmp_path: Path) -> None:
    path = orders_file(tmp_path / "up", [order("n1", "c1", "2025-06-01", 7)])
    result = publish(store, "orders", [path])
    assert result.version == current_version(store) == 2
    assert (result.info.table, result.info.mode, result.info.rows) == ("orders", "replace", 1)
    assert revenue(store) == Decimal(7)


def test_append_deduplicates_by_id_newer_row_wins(store: Path, tmp_path: Path) -> None:
    rows = [order("o1", "c1", "2025-01-10", 150), order("o5", "c2", "2025-06-01", 50)]
    result = publish(store, "orders", [orders_file(tmp_path / "up", rows)], mode="append")
    assert result.info.rows == 5
    amounts = dict(published_rows(store, "orders", "order_id, amount"))
    assert amounts == {"o1": 150, "o2": 200, "o3": 300, "o4": 400, "o5": 50}


def test_append_without_an_id_column_adds_every_row(store: Path, tmp_path: Path) -> None:
    path = write_table(tmp_path / "a", "marketing_spend", [spend("2025-01-01", 10)])
    publish(store, "marketing_spend", [path])
    publish(store, "marketing_spend", [path], mode="append")
    assert list_versions(store)[0].tables["marketing_spend"] == 2


def test_several_files_are_combined_and_csv_matches_parquet(store: Path, tmp_path: Path) -> None:
    first = orders_file(tmp_path / "a", [order("n1", "c1", "2025-06-01", 1.5)])
    second = write_table(
        tmp_path / "b", "orders", csv_rows([order("n2", "c2", "2025-06-02", 2.25)]), fmt="csv"
    )
    result = publish(store, "orders", [first, second])
    assert result.info.rows == 2
    rows = published_rows(store, "orders", "order_id, order_date")
    assert rows == [("n1", d("2025-06-01")), ("n2", d("2025-06-02"))]
    assert revenue(store) == Decimal("3.75")


def test_duplicates_across_files_are_refused(store: Path, tmp_path: Path) -> None:
    first = orders_file(tmp_path / "a", [order("n1", "c1", "2025-06-01", 1)])
    second = orders_file(tmp_path / "b", [order("n1", "c2", "2025-06-02", 2)])
    with pytest.raises(PublishRefused, match="unique"):
        publish(store, "orders", [first, second])


def test_column_mapping_is_applied_and_remembered(store: Path, tmp_path: Path) -> None:
    rows = [{**order("n1", "c1", "2025-06-01", 9)}]
    rows[0]["Betrag"] = rows[0].pop("amount")
    path = orders_file(tmp_path / "up", rows)
    with pytest.raises(PublishRefused, match=r"orders\.amount"):
        publish(store, "orders", [path])
    publish(store, "orders", [path], column_map={"Betrag": "amount"})
    assert revenue(store) == Decimal(9)
    assert recall_mapping(store, "orders") == {"Betrag": "amount"}
    assert recall_mapping(store, "customers") == {}


def test_a_mapping_onto_an_existing_column_is_refused(store: Path, tmp_path: Path) -> None:
    path = orders_file(tmp_path / "up", [order("n1", "c1", "2025-06-01", 9, channel="web")])
    with pytest.raises(PublishRefused, match="both become 'amount'"):
        publish(store, "orders", [path], column_map={"channel": "amount"})


def test_warnings_do_not_block(store: Path, tmp_path: Path) -> None:
    path = orders_file(tmp_path / "up", [order("n1", "stranger", "2025-06-01", 9)])
    result = publish(store, "orders", [path])
    assert any("customer absent" in w for w in result.warnings)


def test_unchanged_tables_are_hard_linked(store: Path, tmp_path: Path) -> None:
    publish(store, "orders", [orders_file(tmp_path / "up", ORDERS[:2])])
    old, new = current_files(store, 1)[1], current_files(store, 2)[1]
    assert old["customers"].stat().st_ino == new["customers"].stat().st_ino
    assert old["orders"].stat().st_ino != new["orders"].stat().st_ino


def test_facts_and_rollups_are_built_in_the_same_publish(store: Path, tmp_path: Path) -> None:
    publish(store, "orders", [orders_file(tmp_path / "up", ORDERS[:3])])
    info = read_version(store, 2)
    folder = version_dir(store, 2)
    con = duckdb.connect()
    days = [
        r[0]
        for r in con.execute(
            "SELECT __cx_day FROM read_parquet($p)", {"p": str(folder / info.files["orders"])}
        ).fetchall()
    ]
    assert days == sorted(days) and len(days) == 3
    daily = folder / info.relations["daily_orders"]
    row = con.execute("SELECT SUM(revenue) FROM read_parquet($p)", {"p": str(daily)}).fetchone()
    assert row is not None
    (total,) = row
    assert total == Decimal(600)
    windows = folder / info.relations["windows_orders"]
    row = con.execute(
        "SELECT SUM(active) FROM read_parquet($p) WHERE unit = 'year'", {"p": str(windows)}
    ).fetchone()
    assert row is not None
    (active,) = row
    assert active == 3


def test_a_pinned_version_still_reads_its_own_numbers(store: Path, tmp_path: Path) -> None:
    publish(store, "orders", [orders_file(tmp_path / "up", ORDERS[:1])])
    assert revenue(store, 1) == SEED_REVENUE
    with Cockpit.open(store, version=1) as pinned:
        assert served_revenue(pinned) == SEED_REVENUE
    assert revenue(store) == Decimal(100)
    with pytest.raises(VersionNotFound, match="version 7"):
        current_files(store, 7)


def test_a_folder_that_is_not_a_store_is_named(tmp_path: Path, seed: Path) -> None:
    with pytest.raises(StoreError, match="not a CX store"):
        current_files(seed)
    with pytest.raises(StoreError, match="not a CX store and not empty"):
        publish(seed, "orders", [seed / "orders.parquet"])


def test_first_publish_creates_the_store(tmp_path: Path, seed: Path) -> None:
    root = tmp_path / "fresh"
    first = publish(root, "customers", [seed / "customers.parquet"])
    assert [w for w in first.warnings if "required tables" in w] == [
        "customers: published without the required tables orders:"
        " until then every KPI of orders is empty"
    ]
    with Cockpit.open(root) as cockpit:  # what the warning says: it opens, orders empty
        numbers = cockpit.kpis("2025-01-01", "2025-12-31")["kpis"]
        assert numbers["revenue"]["value"] is None
    publish(root, "orders", [seed / "orders.parquet"])
    assert revenue(root) == SEED_REVENUE


def test_orders_published_first_are_served_with_every_customer_unknown(
    tmp_path: Path, seed: Path
) -> None:
    root = tmp_path / "fresh"
    first = publish(root, "orders", [seed / "orders.parquet"])
    assert [w for w in first.warnings if "required tables" in w] == [
        "orders: published without the required tables customers:"
        " until then every customer is in the Unknown member of each dimension"
    ]
    with Cockpit.open(root) as cockpit:
        result = cockpit.kpis("2025-01-01", "2025-12-31", by=["segment"])
    assert [entry["segment"] for entry in result["breakdown"]] == ["Unknown"]
    assert result["breakdown"][0]["kpis"]["revenue"] == result["kpis"]["revenue"]


def test_a_store_made_whole_no_longer_warns_that_it_is_incomplete(
    tmp_path: Path, seed: Path
) -> None:
    """The warning is true of the publish that gave it, not of the customers table: the
    data page of the finished store must not carry it on."""
    root = tmp_path / "fresh"
    publish(root, "customers", [seed / "customers.parquet"])
    second = publish(root, "orders", [seed / "orders.parquet"])
    assert not any("required tables" in w for w in second.warnings)
    with Cockpit.open(root) as cockpit:
        assert [f.message for f in cockpit.dataset.warnings if "required tables" in f.rule] == []


def test_progress_reports_rise_to_one(store: Path, tmp_path: Path) -> None:
    seen: list[float] = []
    path = orders_file(tmp_path / "up", ORDERS)
    publish(store, "orders", [path], mode="append", progress=lambda f, _m: seen.append(f))
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 4


def test_a_failed_role_check_publishes_nothing(store: Path, tmp_path: Path) -> None:
    before = snapshot(store)
    with pytest.raises(PublishDenied):
        publish(store, "orders", [orders_file(tmp_path / "up", ORDERS)], allowed=lambda: False)
    assert snapshot(store) == before


def test_compare_summarises_the_effect(store: Path, tmp_path: Path) -> None:
    rows = [
        order("o1", "c1", "2025-01-10", 100),
        order("o2", "c2", "2025-02-11", 999),
        order("n1", "c3", "2025-06-20", 50, category="Z"),
    ]
    before = snapshot(store)
    summary = compare_with_current(store, "orders", [orders_file(tmp_path / "up", rows)])
    assert snapshot(store, published_only=True) == before
    assert summary.checked is not None and summary.checked.stage is not None
    assert summary.checked.stage.parent == store / "staging"
    summary.checked.discard()
    assert snapshot(store) == before
    assert summary.ok and summary.base_version == 1
    assert (summary.rows_before, summary.rows_after) == (4, 3)
    assert (summary.rows_added, summary.rows_removed, summary.rows_changed) == (1, 2, 1)
    assert summary.dates_before == (d("2025-01-10"), d("2025-05-13"))
    assert summary.dates_after == (d("2025-01-10"), d("2025-06-20"))
    assert summary.new_members == {"product_category": ["Z"]}
    assert summary.quarter == {"start": "2025-01-01", "end": "2025-03-31"}
    assert summary.kpis["revenue"] == {"before": 300.0, "after": 1099.0}
    assert len(summary.preview) == 3


def test_compare_of_a_bad_upload_returns_the_report(store: Path, tmp_path: Path) -> None:
    path = orders_file(tmp_path / "up", [order("n1", "c1", "2025-06-01", 1)] * 2)
    summary = compare_with_current(store, "orders", [path])
    assert not summary.ok and summary.rows_after is None
    assert "orders.order_id" in summary.report.describe()


@pytest.mark.parametrize(
    ("last", "start", "end"),
    [
        ("2025-06-30", "2025-04-01", "2025-06-30"),
        ("2025-06-29", "2025-01-01", "2025-03-31"),
        ("2025-01-15", "2024-10-01", "2024-12-31"),
    ],
)
def test_latest_whole_quarter(last: str, start: str, end: str) -> None:
    quarter = latest_whole_quarter(d(last))
    assert (quarter.start, quarter.end) == (d(start), d(end))
