"""The upload page's column mapping: headers read cheaply, gaps and candidates found."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from cxcore.data.contract import TABLES
from cxcore.store.mapping import clashes, file_columns, plan, prefill


def test_headers_are_read_from_csv_and_parquet_normalised(tmp_path: Path) -> None:
    csv = tmp_path / "orders.csv"
    csv.write_text("\ufeff Order_ID ,Customer_ID,order_date\nA,1,2026-01-01\n", encoding="utf-8")
    parquet = tmp_path / "orders.parquet"
    pl.DataFrame({"Order_ID": ["A"], "Amount": [1.0]}).write_parquet(parquet)
    assert file_columns("orders", csv) == ["order_id", "customer_id", "order_date"]
    assert file_columns("orders", parquet) == ["order_id", "amount"]


def test_the_plan_offers_unknown_file_columns_for_missing_contract_columns(
    tmp_path: Path,
) -> None:
    path = tmp_path / "nps.csv"
    path.write_text("response_id,customer_id,response_date,Rating,driver_wait_time\n")
    found = plan("nps_responses", [path])
    assert [c.name for c in found.missing] == ["score", "journey", "touchpoint", "comment"]
    assert found.candidates == ("rating",)  # driver_* columns belong to the contract
    assert not found.unreadable


def test_an_unreadable_file_is_named_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "orders.parquet"
    path.write_text("order_id\n1\n")
    assert "not a Parquet file" in plan("orders", [path]).unreadable["orders.parquet"]


@pytest.mark.parametrize(
    ("saved", "candidates", "expected"),
    [
        ({"Rating": "score"}, ("rating",), "rating"),
        ({"stars": "score"}, ("colour",), None),  # not back, and no name to guess from
        ({"stars": "score"}, ("rating",), "rating"),  # not back, but "rating" is guessed
        ({}, ("colour",), None),
    ],
)
def test_a_remembered_mapping_prefills_when_the_column_is_back(
    saved: dict[str, str], candidates: tuple[str, ...], expected: str | None
) -> None:
    score = TABLES["nps_responses"].column("score")
    assert score is not None
    assert prefill(saved, score, candidates, "nps_responses") == expected


def test_one_file_column_cannot_feed_two_contract_columns() -> None:
    assert clashes({"segment": "seg", "region": "seg"})
    assert not clashes({"segment": "seg", "region": "reg"})
