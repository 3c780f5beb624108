"""Every bad input of the issue is refused with a message naming it; the store is untouched."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cxcore.cli import main as cli
from cxcore.settings import Settings
from cxcore.store.publish import PublishRefused, publish
from tests.factories import contact, customer, nps, order, session, spend, write_table
from tests.store.conftest import snapshot

Maker = Callable[[Path], tuple[str, Path]]


def _csv(folder: Path, name: str, text: str, suffix: str = ".csv", encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}{suffix}"
    path.write_bytes(text.encode(encoding))
    return path


def _good_orders(folder: Path) -> Path:
    return write_table(folder, "orders", [order("o9", "c1", "2025-03-01", 50)])


def missing_column(folder: Path) -> tuple[str, Path]:
    rows = [{k: v for k, v in order("o9", "c1", "2025-03-01", 5).items() if k != "amount"}]
    return "orders", write_table(folder, "orders", rows)


def wrong_type(folder: Path) -> tuple[str, Path]:
    text = "order_id,customer_id,order_date,product_category,amount\no9,c1,2025-03-01,A,abc\n"
    return "orders", _csv(folder, "orders", text)


def duplicate_id(folder: Path) -> tuple[str, Path]:
    rows = [order("o9", "c1", "2025-03-01", 5), order("o9", "c2", "2025-03-02", 6)]
    return "orders", write_table(folder, "orders", rows)


def bad_date(folder: Path) -> tuple[str, Path]:
    text = "order_id,customer_id,order_date,product_category,amount\no9,c1,2025-13-45,A,5\n"
    return "orders", _csv(folder, "orders", text)


def nps_eleven(folder: Path) -> tuple[str, Path]:
    return "nps_responses", write_table(
        folder, "nps_responses", [nps("r1", "c1", "2025-03-01", 11)]
    )


def zero_pageviews(folder: Path) -> tuple[str, Path]:
    rows = [session("s1", "c1", "2025-03-01", 0, 30.0, False)]
    return "web_sessions", write_table(folder, "web_sessions", rows)


def negative_cost(folder: Path) -> tuple[str, Path]:
    rows = [contact("k1", "c1", "2025-03-01", -5.0)]
    return "service_contacts", write_table(folder, "service_contacts", rows)


def null_segment(folder: Path) -> tuple[str, Path]:
    rows = [customer("c1"), {**customer("c2"), "segment": None}]
    return "customers", write_table(folder, "customers", rows)


def empty_file(folder: Path) -> tuple[str, Path]:
    return "orders", _csv(folder, "orders", "", suffix=".parquet")


def truncated_parquet(folder: Path) -> tuple[str, Path]:
    path = _good_orders(folder)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return "orders", path


def corrupt_parquet(folder: Path) -> tuple[str, Path]:
    path = _good_orders(folder)
    data = bytearray(path.read_bytes())
    data[8 : len(data) - 8] = b"\x00" * (len(data) - 16)
    path.write_bytes(bytes(data))
    return "orders", path


def csv_named_parquet(folder: Path) -> tuple[str, Path]:
    text = "order_id,customer_id,order_date,product_category,amount\no9,c1,2025-03-01,A,5\n"
    return "orders", _csv(folder, "orders", text, suffix=".parquet")


def not_utf8(folder: Path) -> tuple[str, Path]:
    text = "customer_id,segment,region,signup_date\nc1,Überseekunden,North,2024-01-01\n"
    return "customers", _csv(folder, "customers", text, encoding="latin-1")


def too_large(folder: Path) -> tuple[str, Path]:
    path = folder / "orders.csv"
    folder.mkdir(parents=True, exist_ok=True)
    header = "order_id,customer_id,order_date,product_category,amount\n"
    path.write_text(header + "o9,c1,2025-03-01,A,5\n" * 40_000, encoding="utf-8")
    return "orders", path


def folder_as_file(folder: Path) -> tuple[str, Path]:
    """A folder given where a file belongs was reported as "no such file"."""
    _good_orders(folder)
    return "orders", folder


def amount_twice(folder: Path) -> tuple[str, Path]:
    """A CSV's second `amount` was kept as an extra column `amount_1`, and the first one
    published unseen."""
    text = (
        "order_id,customer_id,order_date,product_category,amount,AMOUNT \no9,c1,2025-03-01,A,5,7\n"
    )
    return "orders", _csv(folder, "orders", text)


# (maker, words every message must hold: table/column, then the rule)
CASES: dict[str, tuple[Maker, tuple[str, ...]]] = {
    "missing required column": (missing_column, ("orders.amount", "missing")),
    "wrong type": (wrong_type, ("orders.amount", "1 row", "not numbers", "'abc'")),
    "duplicate id": (duplicate_id, ("orders.order_id", "2 rows", "unique")),
    "unparseable date": (bad_date, ("orders.order_date", "not dates", "'2025-13-45'")),
    "nps score 11": (nps_eleven, ("nps_responses.score", "above 10", "row 1")),
    "zero pageviews": (zero_pageviews, ("web_sessions.pageviews", "below 1")),
    "negative cost": (negative_cost, ("service_contacts.cost", "below 0")),
    "null segment": (null_segment, ("customers.segment", "1 row", "empty", "not null", "row 2")),
    "empty file": (empty_file, ("orders", "orders.parquet", "empty")),
    "truncated parquet": (truncated_parquet, ("orders", "truncated or corrupt")),
    "corrupt parquet": (corrupt_parquet, ("orders", "orders.parquet cannot be read")),
    "csv named parquet": (csv_named_parquet, ("orders", "not a Parquet file", "CSV")),
    "csv not utf-8": (not_utf8, ("customers", "not UTF-8")),
    "a column named twice": (amount_twice, ("orders", "'amount' and 'AMOUNT '", "same name")),
    "folder as a file": (folder_as_file, ("orders", "upload cannot be read", "a folder, not")),
    "file over the size limit": (
        too_large,
        ("orders", "orders.csv is too large", "limit of 0.5 MB"),
    ),
}
SMALL_LIMIT = Settings(max_upload_mb=0.5)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_publish_refuses_bad_input(case: str, store: Path, tmp_path: Path) -> None:
    maker, words = CASES[case]
    table, path = maker(tmp_path / "upload")
    before = snapshot(store)
    with pytest.raises(PublishRefused) as refused:
        publish(store, table, [path], settings=SMALL_LIMIT)
    text = refused.value.report.describe()
    for word in words:
        assert word in text, f"{case}: {word!r} not in {text!r}"
    assert snapshot(store) == before


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cli_refuses_bad_input_with_the_report(
    case: str,
    store: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CX_MAX_INGEST_MB", "0.5")  # the command line's own, far larger limit
    maker, words = CASES[case]
    table, path = maker(tmp_path / "upload")
    before = snapshot(store)
    status = cli.main(["ingest", "--store", str(store), "--table", table, str(path)])
    out, err = capsys.readouterr()
    assert status == 1
    assert out == ""
    assert "Traceback" not in err
    assert all(word in err for word in words), err
    assert all(line.startswith(("cx-cockpit:", "ERROR:", "WARNING:")) for line in err.splitlines())
    assert snapshot(store) == before


def test_one_bad_file_among_several_is_named_and_blocks_all(store: Path, tmp_path: Path) -> None:
    good = _good_orders(tmp_path / "a")
    _table, bad = wrong_type(tmp_path / "b")
    before = snapshot(store)
    with pytest.raises(PublishRefused) as refused:
        publish(store, "orders", [good, bad], mode="append")
    assert "in orders.csv" in refused.value.report.describe()
    assert snapshot(store) == before


def test_a_file_given_twice_is_refused_by_name(store: Path, tmp_path: Path) -> None:
    """Spend has no id to catch the repeat: read twice, its every row counted twice."""
    path = write_table(tmp_path / "up", "marketing_spend", [spend("2025-03-01", 100)])
    again = tmp_path / "up" / ".." / "up" / path.name
    before = snapshot(store)
    with pytest.raises(PublishRefused) as refused:
        publish(store, "marketing_spend", [path, again])
    assert refused.value.report.describe() == (
        f"ERROR: marketing_spend: {path.name} is given more than once: give each file once"
    )
    assert snapshot(store) == before


def test_every_problem_of_a_file_is_reported_at_once(store: Path, tmp_path: Path) -> None:
    text = (
        "order_id,customer_id,order_date,product_category,amount\n"
        "o9,c1,2025-13-45,A,abc\no9,c1,2025-03-01,A,5\n"
    )
    path = _csv(tmp_path, "orders", text)
    with pytest.raises(PublishRefused) as refused:
        publish(store, "orders", [path])
    columns = {f.column for f in refused.value.report.errors}
    assert columns == {"order_id", "order_date", "amount"}


def test_a_refused_first_publish_leaves_no_store(tmp_path: Path) -> None:
    _table, bad = duplicate_id(tmp_path / "upload")
    root = tmp_path / "new-store"
    with pytest.raises(PublishRefused):
        publish(root, "orders", [bad])
    assert not root.exists()
