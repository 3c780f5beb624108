"""Awkward members, ids, column names and CSV spellings that real exports contain.

Each case is small on purpose: the numbers are trivial, so a failure points at
reading or matching the data, not at KPI arithmetic.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from tests.factories import (
    KPI_NAMES,
    active_filters,
    check,
    contact,
    csv_rows,
    customer,
    entries,
    kpis,
    nps,
    order,
    session,
    spend,
    write_folder,
    write_table,
)

# P = February 2025, Q = January 2025
START, END = "2025-02-01", "2025-02-28"
ODD_SEGMENT = 'O\'Brien "Ltd"'
FORMATS = ["parquet", "csv"]


@pytest.fixture(params=FORMATS)
def odd(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return write_folder(
        tmp_path / "odd",
        fmt=request.param,
        customers=[
            customer("c1", ODD_SEGMENT, "Zürich", tier="=SUM(A1)"),
            customer("c2", "SMB", "North", tier="Gold"),
        ],
        orders=[
            order("o1", "c1", "2025-02-03", 100),
            order("o2", "c2", "2025-02-04", 7),
            order("o3", "c1", "2025-01-10", 40),  # Q
        ],
    )


@pytest.mark.parametrize(
    ("filters", "revenue"),
    [
        ({"segment": [ODD_SEGMENT]}, (100.0, 40.0)),
        ({"region": ["Zürich"]}, (100.0, 40.0)),
        ({"tier": ["=SUM(A1)"]}, (100.0, 40.0)),
        ({"segment": [ODD_SEGMENT, "SMB"]}, (107.0, 40.0)),
        ({"segment": ["SMB"]}, (7.0, 0.0)),
    ],
    ids=str,
)
def test_odd_members_filter(
    odd: Path, filters: dict[str, list[str]], revenue: tuple[float, float]
) -> None:
    result = kpis(odd, START, END, filters=filters)
    assert active_filters(result) == filters  # echoed verbatim, no escaping in the dict
    check(result["kpis"], "revenue", *revenue)


@pytest.mark.parametrize(
    ("by", "odd_member", "plain_member"),
    [
        (["segment"], (ODD_SEGMENT,), ("SMB",)),
        (["region"], ("Zürich",), ("North",)),
        (["tier"], ("=SUM(A1)",), ("Gold",)),
        (["segment", "tier"], (ODD_SEGMENT, "=SUM(A1)"), ("SMB", "Gold")),
    ],
    ids=str,
)
def test_odd_members_breakdown(
    odd: Path, by: list[str], odd_member: tuple[str, ...], plain_member: tuple[str, ...]
) -> None:
    found = entries(kpis(odd, START, END, by=by), by)
    assert set(found) == {odd_member, plain_member}
    check(found[odd_member], "revenue", 100.0, 40.0)
    check(found[plain_member], "revenue", 7.0, 0.0)


@pytest.mark.parametrize("fmt", FORMATS)
def test_leading_zero_ids_stay_strings(tmp_path: Path, fmt: str) -> None:
    """'001' and '1' are two customers; reading ids as numbers would merge them."""
    folder = tmp_path / "ids"
    text = {"customer_id": pl.String, "segment": pl.String, "region": pl.String}
    write_table(
        folder,
        "customers",
        [customer("001", "SMB"), customer("1", "Ent")],
        fmt=fmt,
        schema={**text, "signup_date": pl.Date},
    )
    write_table(
        folder,
        "orders",
        [
            order("o1", "001", "2025-02-03", 100),
            order("o2", "001", "2025-02-09", 20),
            order("o3", "1", "2025-02-10", 7),
        ],
        fmt=fmt,
    )
    write_table(folder, "nps_responses", [nps("r1", "001", "2025-02-05", 10)], fmt=fmt)
    whole = kpis(folder, START, END)["kpis"]
    check(whole, "revenue", 127.0, 0.0)
    check(whole, "active_customers", 2, 0)  # '001' and '1'
    smb = kpis(folder, START, END, filters={"segment": ["SMB"]})["kpis"]
    check(smb, "revenue", 120.0, 0.0)  # both orders of '001' join customer '001'
    check(smb, "active_customers", 1, 0)
    check(smb, "nps_responses", 1, 0)
    ent = kpis(folder, START, END, filters={"segment": ["Ent"]})["kpis"]
    check(ent, "revenue", 7.0, 0.0)
    check(ent, "nps_responses", 0, 0)


@pytest.mark.parametrize("fmt", FORMATS)
def test_integer_ids(tmp_path: Path, fmt: str) -> None:
    folder = write_folder(
        tmp_path / "ints",
        fmt=fmt,
        customers=[customer(1, "SMB"), customer(2, "Ent")],
        orders=[order(10, 1, "2025-02-03", 30), order(11, 2, "2025-02-04", 12)],
        nps_responses=[nps(100, 1, "2025-02-05", 10), nps(101, None, "2025-02-06", 0)],
    )
    smb = kpis(folder, START, END, filters={"segment": ["SMB"]})["kpis"]
    check(smb, "revenue", 30.0, 0.0)
    check(smb, "nps_responses", 1, 0)
    unknown = kpis(folder, START, END, filters={"segment": ["Unknown"]})["kpis"]
    check(unknown, "nps_responses", 1, 0)  # the anonymous response
    check(unknown, "revenue", 0.0, 0.0)


def mixed_tables() -> dict[str, list[dict[str, Any]]]:
    return {
        "customers": [
            customer("c1", "SMB", "North", signup="2025-02-10", tier="Gold"),
            customer("c2", "Ent", "South", tier="Silver"),
        ],
        "orders": [
            order("o1", "c1", "2025-02-03", 100, "A"),
            order("o2", "c1", "2025-02-04", 20, "B"),
            order("o3", "c2", "2025-02-05", -5, "A"),
            order("o4", "c2", "2025-01-05", 50, "A"),  # Q
        ],
        "nps_responses": [nps("r1", "c1", "2025-02-06", 9), nps("r2", None, "2025-02-07", 3)],
        "service_contacts": [
            contact("k1", "c1", "2025-02-08", 4.5, resolved=True),
            contact("k2", None, "2025-02-09", 2, resolved=False, sla=True),
        ],
        "web_sessions": [
            session("s1", "c1", "2025-02-10", 3, 12.5, True),
            session("s2", None, "2025-02-11", 1, 0, False, region="South"),
        ],
        "marketing_spend": [spend("2025-02-12", 30, "SMB", "North")],
    }


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(_same, left, right))
    if isinstance(left, float | int) and isinstance(right, float | int):
        return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-9)
    return left == right


@pytest.mark.parametrize("by", [None, ["segment"], ["region", "tier"]], ids=str)
def test_csv_and_parquet_agree(tmp_path: Path, by: list[str] | None) -> None:
    tables = mixed_tables()
    parquet = write_folder(tmp_path / "pq", fmt="parquet", **tables)
    csv = write_folder(tmp_path / "csv", fmt="csv", **{k: csv_rows(v) for k, v in tables.items()})
    options: dict[str, Any] = {"by": by} if by else {}
    from_parquet = kpis(parquet, START, END, **options)
    from_csv = kpis(csv, START, END, **options)
    if by:  # entry order is not part of the contract
        for result in (from_parquet, from_csv):
            result["breakdown"].sort(key=lambda e: tuple(e[dim] for dim in by))
    assert _same(from_csv, from_parquet)
    got = from_csv["kpis"]
    check(got, "revenue", 115.0, 50.0)  # 100 + 20 - 5 ; 50
    check(got, "nps", 0.0, None)  # one 9, one 3 of 2 responses
    check(got, "service_cost", 6.5, 0.0)
    check(got, "first_contact_resolution", 0.5, None)
    check(got, "sla_compliance", 1.0, None)  # k1 not asked, k2 true
    check(got, "conversion_rate", 0.5, None)
    check(got, "cac", 30.0, None)  # 30 / c1 ; nobody new in Q


RENAMED = {
    "customers": {"customer_id": " Customer_ID ", "segment": "SEGMENT", "region": "Region "},
    "orders": {"customer_id": " CUSTOMER_ID", "order_date": "Order_Date ", "amount": " Amount"},
    "nps_responses": {"response_date": "RESPONSE_DATE", "score": " Score "},
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_column_names_trimmed_and_case_insensitive(tmp_path: Path, fmt: str) -> None:
    tables = {
        "customers": [customer("c1", "SMB"), customer("c2", "Ent")],
        "orders": [order("o1", "c1", "2025-02-03", 10), order("o2", "c2", "2025-02-04", 5)],
        "nps_responses": [nps("r1", "c1", "2025-02-05", 10)],
    }
    for name, rows in tables.items():
        renamed = [{RENAMED[name].get(k, k): v for k, v in row.items()} for row in rows]
        write_table(tmp_path / "names", name, renamed, fmt=fmt)
    check(kpis(tmp_path / "names", START, END)["kpis"], "revenue", 15.0, 0.0)
    smb = kpis(tmp_path / "names", START, END, filters={"segment": ["SMB"]})["kpis"]
    check(smb, "revenue", 10.0, 0.0)
    check(smb, "nps_responses", 1, 0)
    check(smb, "nps", 100.0, None)


def write_bool_folder(folder: Path, true: str, false: str) -> Path:
    """Contacts and sessions whose bool cells use the given CSV spelling."""
    flags = [  # (resolved_first_contact, within_sla, converted); "" is a null cell
        (true, true, true),
        (false, true, false),
        (false, true, false),
        ("", false, false),
    ]
    write_folder(
        folder,
        fmt="csv",
        customers=[customer("c1")],
        orders=[order("o1", "c1", "2025-02-03", 1)],
    )
    contacts = [
        {**contact(f"k{i}", "c1", "2025-02-05", 1), "resolved_first_contact": r, "within_sla": s}
        for i, (r, s, _) in enumerate(flags)
    ]
    sessions = [
        {**session(f"s{i}", "c1", "2025-02-05", 2, 10, False), "converted": c}
        for i, (_, _, c) in enumerate(flags)
    ]
    write_table(folder, "service_contacts", contacts, fmt="csv")
    write_table(folder, "web_sessions", sessions, fmt="csv")
    return folder


def _check_bools(folder: Path) -> None:
    result = kpis(folder, START, END)["kpis"]
    check(result, "first_contact_resolution", 1 / 3, None)  # 1 true of 3 non-null
    check(result, "sla_compliance", 3 / 4, None)
    check(result, "conversion_rate", 1 / 4, None)


@pytest.mark.parametrize(
    ("true", "false"), [("1", "0"), ("yes", "no"), ("y", "n"), ("t", "f"), ("true", "false")]
)
def test_csv_booleans(tmp_path: Path, true: str, false: str) -> None:
    _check_bools(write_bool_folder(tmp_path / "bools", true, false))


@pytest.mark.parametrize(("true", "false"), [("TRUE", "FALSE"), ("Yes", "No")])
def test_csv_booleans_in_capitals(tmp_path: Path, true: str, false: str) -> None:
    """Spreadsheets write TRUE/FALSE; reading the listed words case-insensitively is our
    reading of the contract, which lists them in lower case."""
    _check_bools(write_bool_folder(tmp_path / "bools", true, false))


def test_every_kpi_present_for_odd_data(odd: Path) -> None:
    assert set(kpis(odd, START, END)["kpis"]) == set(KPI_NAMES)
