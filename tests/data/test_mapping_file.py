"""A data folder read as it is (`kpis --data DIR`) renames columns by its mapping file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxcore.cli import main as cli
from cxcore.data.catalog import Catalog, DataContractError
from tests.factories import customer, write_folder

OWN_NAMES = "Client,Order Number,Day,Category,Amount (USD)\nc1,o1,2025-01-05,A,10\n"
MAPPING = {
    "orders": {
        "Client": "customer_id",
        "Order Number": "order_id",
        "Day": "order_date",
        "Category": "product_category",
        "Amount (USD)": "amount",
    }
}
TOML = """[orders]
Client = "customer_id"
"Order Number" = "order_id"
Day = "order_date"
Category = "product_category"
"Amount (USD)" = "amount"
"""


def _folder(tmp_path: Path) -> Path:
    folder = write_folder(tmp_path, customers=[customer("c1")])
    (folder / "orders.csv").write_text(OWN_NAMES)
    return folder


@pytest.mark.parametrize(
    ("name", "text"), [("mapping.json", json.dumps(MAPPING)), ("mapping.toml", TOML)]
)
def test_the_mapping_file_renames_the_exports_columns(tmp_path: Path, name: str, text: str) -> None:
    folder = _folder(tmp_path)
    (folder / name).write_text(text)
    catalog = Catalog.from_folder(folder)
    rows = catalog.con.execute("SELECT order_id, customer_id, amount FROM orders").fetchall()
    assert [(o, c, float(a)) for o, c, a in rows] == [("o1", "c1", 10.0)]


@pytest.mark.parametrize(
    ("mapping", "words"),
    [
        (
            {"orders": {"Client": "custommer_id"}},
            "'custommer_id' is not a column of orders; did you mean 'customer_id'?",
        ),
        ({"ordres": {"Client": "customer_id"}}, "'ordres' is not a table; did you mean 'orders'?"),
        (
            {**MAPPING, "orders": {**MAPPING["orders"], "Clent": "customer_id"}},
            "'Clent' is not a column of the file; did you mean 'client'?",
        ),
    ],
)
def test_a_mistyped_mapping_file_is_named(
    tmp_path: Path, mapping: dict[str, dict[str, str]], words: str
) -> None:
    folder = _folder(tmp_path)
    (folder / "mapping.json").write_text(json.dumps(mapping))
    with pytest.raises(DataContractError) as refused:
        Catalog.from_folder(folder)
    assert words in str(refused.value)


def test_kpis_on_a_folder_with_a_bad_mapping_is_one_line_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path)
    (folder / "mapping.json").write_text("{not json")
    status = cli.main(
        ["kpis", "--data", str(folder), "--start", "2025-01-01", "--end", "2025-01-31"]
    )
    err = capsys.readouterr().err
    assert status == 1
    assert "mapping.json cannot be read" in err
    assert "Traceback" not in err
