"""Bad exports are refused with a report naming table, column, rule, count and rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from cxcore import Cockpit, DataContractError
from tests.factories import customer, d, order, write_folder, write_table

CUSTOMERS = [customer("c1"), customer("c2", segment="Ent")]
ORDERS = [order("o1", "c1", "2025-01-05", 10.0), order("o2", "c2", "2025-01-06", 20.0)]


def folder_with(tmp_path: Path, **tables: list[dict]) -> Path:
    return write_folder(
        tmp_path, fmt="parquet", **{"customers": CUSTOMERS, "orders": ORDERS, **tables}
    )


def _write_text(name: str, text: str | bytes) -> Callable[[Path], None]:
    def write(folder: Path) -> None:
        data = text.encode("utf-8") if isinstance(text, str) else text
        (folder / name).write_bytes(data)

    return write


def _truncated_parquet(folder: Path) -> None:
    path = write_table(folder, "orders", ORDERS)
    path.write_bytes(path.read_bytes()[:-40])


def _nps(score: int) -> Callable[[Path], object]:
    row = {
        "response_id": "r1",
        "customer_id": "c1",
        "response_date": d("2025-01-01"),
        "score": score,
    }
    return lambda folder: write_table(folder, "nps_responses", [row])


def _sessions(pageviews: int) -> Callable[[Path], object]:
    row = {
        "session_id": "s1",
        "customer_id": None,
        "session_date": d("2025-01-01"),
        "pageviews": pageviews,
        "duration_s": 3.0,
        "converted": False,
    }
    return lambda folder: write_table(
        folder,
        "web_sessions",
        [row],
        schema={
            "session_id": pl.String,
            "customer_id": pl.String,
            "session_date": pl.Date,
            "pageviews": pl.Int64,
            "duration_s": pl.Float64,
            "converted": pl.Boolean,
        },
    )


def _contacts(cost: float) -> Callable[[Path], object]:
    row = {
        "contact_id": "k1",
        "customer_id": "c1",
        "contact_date": d("2025-01-01"),
        "channel": "phone",
        "cost": cost,
    }
    return lambda folder: write_table(folder, "service_contacts", [row])


ORDERS_CSV_HEAD = "order_id,customer_id,order_date,product_category,amount\n"
CASES = [
    (
        "missing column",
        _write_text("orders.csv", "order_id,customer_id,order_date,amount\no1,c1,2025-01-01,3\n"),
        ["orders.product_category", "missing"],
    ),
    (
        "wrong type",
        _write_text(
            "orders.csv", ORDERS_CSV_HEAD + "o1,c1,2025-01-01,A,12\no2,c1,2025-01-02,A,twelve\n"
        ),
        ["orders.amount", "1 row", "not numbers", "row 2: 'twelve'"],
    ),
    (
        "duplicate id",
        _write_text(
            "orders.csv",
            ORDERS_CSV_HEAD + "o1,c1,2025-01-01,A,1\no2,c1,2025-01-01,A,1\no1,c2,2025-01-01,A,1\n",
        ),
        ["orders.order_id", "2 rows", "unique", "row 1", "row 3"],
    ),
    (
        "unparseable date",
        _write_text("orders.csv", ORDERS_CSV_HEAD + "o1,c1,31/01/2025,A,1\n"),
        ["orders.order_date", "not dates", "row 1: '31/01/2025'"],
    ),
    ("nps score 11", _nps(11), ["nps_responses.score", "above 10"]),
    ("zero pageviews", _sessions(0), ["web_sessions.pageviews", "below 1"]),
    ("negative cost", _contacts(-5.0), ["service_contacts.cost", "below 0"]),
    (
        "null segment",
        _write_text(
            "customers.csv",
            "customer_id,segment,region,signup_date\n"
            "c1,,North,2024-01-01\nc2,SMB,North,2024-01-01\n",
        ),
        ["customers.segment", "not null", "row 1"],
    ),
    ("empty file", _write_text("orders.csv", b""), ["orders", "empty"]),
    ("truncated parquet", _truncated_parquet, ["orders", "truncated or corrupt"]),
    (
        "csv named parquet",
        _write_text("orders.parquet", ORDERS_CSV_HEAD + "o1,c1,2025-01-01,A,1\n"),
        ["orders.parquet cannot be read", "not a Parquet file", "CSV"],
    ),
    (
        "csv not utf-8",
        _write_text(
            "orders.csv", (ORDERS_CSV_HEAD + "o1,c1,2025-01-01,Caf\xe9,1\n").encode("latin-1")
        ),
        ["orders", "not UTF-8", "0xe9"],
    ),
]


@pytest.mark.parametrize(("case", "breaker", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_with_a_clear_message(
    tmp_path: Path, case: str, breaker: Callable[[Path], object], expected: list[str]
) -> None:
    folder = folder_with(tmp_path)
    for stale in folder.glob("orders.*"):
        if case in (
            "wrong type",
            "duplicate id",
            "unparseable date",
            "missing column",
            "empty file",
            "csv not utf-8",
            "truncated parquet",
            "csv named parquet",
        ):
            stale.unlink()
    if case == "null segment":
        (folder / "customers.parquet").unlink()
    breaker(folder)
    with pytest.raises(DataContractError) as caught:
        Cockpit.open(folder)
    text = caught.value.report.describe()
    for fragment in expected:
        assert fragment in text, f"{fragment!r} not in {text!r}"


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    write_folder(tmp_path, customers=CUSTOMERS)
    (tmp_path / "orders.csv").write_text(
        ORDERS_CSV_HEAD + "o1,c1,2025-01-01,A,x\no1,c1,someday,A,1\n", encoding="utf-8"
    )
    with pytest.raises(DataContractError) as caught:
        Cockpit.open(tmp_path)
    rules = {(f.column, f.rule.split(" (")[0]) for f in caught.value.report.errors}
    assert ("amount", "are not numbers") in rules
    assert ("order_date", "are not dates") in rules
    assert ("order_id", "repeat an id used by another row") in rules


def test_examples_stop_at_ten_but_the_count_is_exact(tmp_path: Path) -> None:
    write_folder(tmp_path, customers=CUSTOMERS)
    rows = "".join(f"o{i},c1,2025-01-01,A,bad{i}\n" for i in range(25))
    (tmp_path / "orders.csv").write_text(ORDERS_CSV_HEAD + rows, encoding="utf-8")
    with pytest.raises(DataContractError) as caught:
        Cockpit.open(tmp_path)
    (finding,) = caught.value.report.errors
    assert finding.count == 25
    assert [e.row for e in finding.examples] == list(range(1, 11))


def test_missing_required_table_is_named(tmp_path: Path) -> None:
    write_folder(tmp_path, customers=CUSTOMERS)
    with pytest.raises(DataContractError, match="orders"):
        Cockpit.open(tmp_path)


def test_suspicious_rows_are_warnings_not_errors(tmp_path: Path) -> None:
    orders = [*ORDERS, order("o3", "ghost", "2025-01-07", 5.0), order("o4", "c1", "2099-01-01", 1)]
    cockpit = Cockpit.open(folder_with(tmp_path, orders=orders))
    messages = [w.message for w in cockpit.warnings]
    assert any("1 row name a customer absent" in m and "'ghost'" in m for m in messages)
    assert any("dated after today" in m and "row 4" in m for m in messages)


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        Cockpit.open(tmp_path / "nowhere")


def test_parquet_booleans_stored_as_zero_or_one_are_read(tmp_path: Path) -> None:
    rows = [
        {
            "contact_id": "k1",
            "customer_id": "c1",
            "contact_date": d("2025-01-02"),
            "channel": "phone",
            "cost": 2.0,
            "resolved_first_contact": 1,
            "within_sla": 0,
        },
        {
            "contact_id": "k2",
            "customer_id": "c1",
            "contact_date": d("2025-01-03"),
            "channel": "chat",
            "cost": 1.0,
            "resolved_first_contact": 0,
            "within_sla": 1,
        },
        {
            "contact_id": "k3",
            "customer_id": "c1",
            "contact_date": d("2025-01-04"),
            "channel": "chat",
            "cost": 1.0,
            "resolved_first_contact": 1,
            "within_sla": None,
        },
    ]
    folder = folder_with(tmp_path, service_contacts=rows)
    kpis = Cockpit.open(folder).kpis("2025-01-01", "2025-01-31")["kpis"]
    assert kpis["first_contact_resolution"]["value"] == pytest.approx(2 / 3)
    assert kpis["sla_compliance"]["value"] == pytest.approx(1 / 2)


def test_integer_booleans_other_than_zero_or_one_are_refused(tmp_path: Path) -> None:
    row = {
        "contact_id": "k1",
        "customer_id": "c1",
        "contact_date": d("2025-01-02"),
        "channel": "phone",
        "cost": 2.0,
        "resolved_first_contact": 2,
    }
    with pytest.raises(DataContractError, match="resolved_first_contact: 1 row is not true"):
        Cockpit.open(folder_with(tmp_path, service_contacts=[row]))


def test_an_export_with_its_own_rowid_column_is_read_and_numbered(tmp_path: Path) -> None:
    (tmp_path / "customers.csv").write_text(
        "customer_id,segment,region,signup_date,ROWID\n"
        "c1,SMB,North,2024-01-01,x\nc2,,North,2024-01-01,y\n",
        encoding="utf-8",
    )
    write_table(tmp_path, "orders", ORDERS)
    with pytest.raises(DataContractError, match=r"customers\.segment: 1 row is empty .*row 2"):
        Cockpit.open(tmp_path)
    (tmp_path / "customers.csv").write_text(
        "customer_id,segment,region,signup_date,ROWID\n"
        "c1,SMB,North,2024-01-01,x\nc2,Ent,North,2024-01-01,y\n",
        encoding="utf-8",
    )
    cockpit = Cockpit.open(tmp_path)
    assert cockpit.dimensions["rowid"] == ["x", "y"]
    assert "rowid" in cockpit.tables["customers"].columns
    assert "__cx_row" not in cockpit.tables["customers"].columns


@pytest.mark.parametrize("grouped_first_by", ["hash", "length"])  # length: ids collide
@pytest.mark.parametrize(
    ("ids", "repeated_rows"),
    [
        (["o1", "o2", "o3", "o4"], 0),
        (["o1", "o2", "o1", "o3"], 2),
        (["o1", "o1", "o1", "o22", "o22", "o3"], 5),
        ([" o1", "o1 ", "o2"], 2),  # the same id once trimmed
    ],
)
def test_repeated_ids_are_counted_exactly_whatever_their_hashes_share(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    grouped_first_by: str,
    ids: list[str],
    repeated_rows: int,
) -> None:
    """Ids are grouped by a hash first; with a function that makes every id of one length
    collide, only true repeats may still be counted."""
    import cxcore.data.validation as validation

    monkeypatch.setattr(validation, "ID_HASH", grouped_first_by)
    rows = [order(i, "c1", "2025-01-05", 1.0) for i in ids]
    folder = folder_with(tmp_path, orders=rows)
    if not repeated_rows:
        assert Cockpit.open(folder).kpis("2025-01-01", "2025-01-31")["kpis"]["orders"]["value"]
        return
    with pytest.raises(DataContractError) as caught:
        Cockpit.open(folder)
    (finding,) = [f for f in caught.value.report.errors if f.column == "order_id"]
    assert finding.count == repeated_rows
