"""Period and comparison logic, observed only through what the engine returns.

The comparison window is checked twice: as echoed in "comparison", and through
revenue from orders placed exactly on, and just outside, each boundary, so an
off-by-one day or a time-of-day or time-zone slip shows up in the numbers.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from tests.factories import check, customer, d, kpis, order, session, write_folder, write_table

ROOT = Path(__file__).resolve().parents[2]

# (start, end, compare) -> expected comparison (start, end), worked out on a calendar
COMPARISONS: list[tuple[str, str, str, str, str]] = [
    # whole month -> whole previous month, whatever the lengths
    ("2025-03-01", "2025-03-31", "previous", "2025-02-01", "2025-02-28"),
    ("2025-02-01", "2025-02-28", "previous", "2025-01-01", "2025-01-31"),
    ("2024-03-01", "2024-03-31", "previous", "2024-02-01", "2024-02-29"),
    ("2024-02-01", "2024-02-29", "previous", "2024-01-01", "2024-01-31"),
    ("2025-01-01", "2025-01-31", "previous", "2024-12-01", "2024-12-31"),
    # whole quarter -> previous quarter (Q3 -> Q2, Q1 -> Q4 of the year before)
    ("2025-07-01", "2025-09-30", "previous", "2025-04-01", "2025-06-30"),
    ("2025-01-01", "2025-03-31", "previous", "2024-10-01", "2024-12-31"),
    ("2024-10-01", "2024-12-31", "previous", "2024-07-01", "2024-09-30"),
    # whole year -> previous year
    ("2024-01-01", "2024-12-31", "previous", "2023-01-01", "2023-12-31"),
    ("2025-01-01", "2025-12-31", "previous", "2024-01-01", "2024-12-31"),
    # anything else -> the same number of days, ending the day before start
    ("2025-03-05", "2025-03-14", "previous", "2025-02-23", "2025-03-04"),  # 10 days
    ("2025-01-15", "2025-02-14", "previous", "2024-12-15", "2025-01-14"),  # 17 + 14 = 31 days
    ("2025-05-10", "2025-05-10", "previous", "2025-05-09", "2025-05-09"),  # one day
    ("2024-02-01", "2024-02-28", "previous", "2024-01-04", "2024-01-31"),  # Feb 2024 has 29
    ("2025-03-02", "2025-03-31", "previous", "2025-01-31", "2025-03-01"),  # 30 days
    # two months and a half year are not one whole month, quarter or year
    ("2025-01-01", "2025-02-28", "previous", "2024-11-03", "2024-12-31"),  # 31 + 28 = 59 days
    ("2025-01-01", "2025-06-30", "previous", "2024-07-04", "2024-12-31"),  # 181 days
    # yoy: both ends a year back, 29 February -> 28 February
    ("2024-02-01", "2024-02-29", "yoy", "2023-02-01", "2023-02-28"),
    ("2024-02-29", "2024-03-10", "yoy", "2023-02-28", "2023-03-10"),
    ("2025-02-01", "2025-02-28", "yoy", "2024-02-01", "2024-02-28"),
    ("2025-07-01", "2025-09-30", "yoy", "2024-07-01", "2024-09-30"),
    ("2025-03-05", "2025-03-14", "yoy", "2024-03-05", "2024-03-14"),
]


def _shift(day: str, days: int) -> str:
    return (d(day) + dt.timedelta(days=days)).isoformat()


def boundary_orders(start: str, end: str, q_start: str, q_end: str) -> list[dict[str, Any]]:
    """Orders on each boundary (amounts 1, 2, 4, 8 count) and just outside (16 and up don't).

    Powers of two make a wrong total name the day that was mishandled.
    """
    rows = [
        order("q_start", "c1", q_start, 1),
        order("q_end", "c1", q_end, 2),
        order("p_start", "c1", start, 4),
        order("p_end", "c1", end, 8),
        order("before_q", "c1", _shift(q_start, -1), 16),
        order("after_p", "c1", _shift(end, 1), 32),
    ]
    if _shift(q_end, 1) < start:  # yoy leaves a gap between Q and P
        rows.append(order("after_q", "c1", _shift(q_end, 1), 64))
        rows.append(order("before_p", "c1", _shift(start, -1), 128))
    return rows


@pytest.mark.parametrize(("start", "end", "compare", "q_start", "q_end"), COMPARISONS)
def test_comparison_window(
    tmp_path: Path, start: str, end: str, compare: str, q_start: str, q_end: str
) -> None:
    folder = write_folder(
        tmp_path / "data",
        customers=[customer("c1")],
        orders=boundary_orders(start, end, q_start, q_end),
    )
    result = kpis(folder, start, end, compare=compare)
    assert result["period"] == {"start": start, "end": end}
    assert result["comparison"] == {"mode": compare, "start": q_start, "end": q_end}
    # P: p_start 4 + p_end 8; Q: q_start 1 + q_end 2 (on a one-day period both rows of a
    # pair fall on the same day and both count)
    check(result["kpis"], "revenue", 12.0, 3.0)


def test_previous_is_the_default_mode(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "data", customers=[customer("c1")], orders=[order("o1", "c1", "2025-03-05", 1)]
    )
    result = kpis(folder, "2025-07-01", "2025-09-30")
    assert result["comparison"] == {"mode": "previous", "start": "2025-04-01", "end": "2025-06-30"}


def test_dates_accepted_as_date_objects(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "data",
        customers=[customer("c1")],
        orders=[order("o1", "c1", "2025-03-31", 5), order("o2", "c1", "2025-02-01", 3)],
    )
    as_text = kpis(folder, "2025-03-01", "2025-03-31")
    as_dates = kpis(folder, d("2025-03-01"), d("2025-03-31"))
    assert as_dates == as_text
    assert as_dates["period"] == {"start": "2025-03-01", "end": "2025-03-31"}
    check(as_dates["kpis"], "revenue", 5.0, 3.0)


def test_start_after_end_is_refused(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "data", customers=[customer("c1")], orders=[order("o1", "c1", "2025-03-05", 1)]
    )
    with pytest.raises(Exception) as caught:  # any error type will do
        kpis(folder, "2025-03-10", "2025-03-01")
    assert "2025-03-10" in str(caught.value)
    assert "2025-03-01" in str(caught.value)


def _at(oid: str, moment: dt.datetime, amount: float) -> dict[str, Any]:
    return {**order(oid, "c1", "2025-01-01", amount), "order_date": moment}


# P = March 2025, Q = February 2025
NAIVE_ORDERS = [
    _at("t1", dt.datetime(2025, 3, 31, 23, 59, 59), 1),  # last second of P
    _at("t2", dt.datetime(2025, 4, 1, 0, 0, 0), 2),  # after P
    _at("t3", dt.datetime(2025, 2, 28, 23, 59, 59), 4),  # last second of Q
    _at("t4", dt.datetime(2025, 3, 1, 0, 0, 0), 8),  # first second of P
    _at("t5", dt.datetime(2025, 1, 31, 23, 59, 59), 16),  # before Q
]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_timestamps_count_on_their_calendar_day(tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / "data"
    write_table(folder, "customers", [customer("c1")], fmt=fmt)
    write_table(folder, "orders", NAIVE_ORDERS, fmt=fmt)
    sessions = [
        {**session(sid, "c1", "2025-01-01", 1, 5, False), "session_date": moment}
        for sid, moment in [
            ("s1", dt.datetime(2025, 3, 31, 23, 59, 59)),  # P
            ("s2", dt.datetime(2025, 4, 1, 0, 0, 1)),  # after P
        ]
    ]
    write_table(folder, "web_sessions", sessions, fmt=fmt)
    result = kpis(folder, "2025-03-01", "2025-03-31")["kpis"]
    check(result, "revenue", 1 + 8, 4)
    check(result, "sessions", 1, 0)


# Instants in UTC for P = 2025-02-01..2025-02-10, Q = 2025-01-22..2025-01-31.
UTC_INSTANTS = [
    ("a", dt.datetime(2025, 1, 31, 23, 30), 1),  # Q (already Feb 1 in Tokyo)
    ("b", dt.datetime(2025, 2, 1, 0, 30), 2),  # P (still Jan 31 in New York)
    ("c", dt.datetime(2025, 2, 10, 23, 59, 59), 4),  # P (already Feb 11 in Tokyo)
    ("e", dt.datetime(2025, 2, 11, 0, 0, 0), 8),  # after P (still Feb 10 in New York)
    ("f", dt.datetime(2025, 1, 22, 0, 0, 0), 16),  # Q (still Jan 21 in New York)
    ("g", dt.datetime(2025, 1, 21, 23, 59, 59), 32),  # before Q (already Jan 22 in Tokyo)
]


def write_zoned_folder(folder: Path, zone: str) -> Path:
    """Orders whose order_date is time-zone aware, stored as the given zone."""
    write_table(folder, "customers", [customer("c1")])
    frame = pl.DataFrame(
        {
            "order_id": [oid for oid, _, _ in UTC_INSTANTS],
            "customer_id": ["c1"] * len(UTC_INSTANTS),
            "order_date": [moment for _, moment, _ in UTC_INSTANTS],
            "product_category": ["A"] * len(UTC_INSTANTS),
            "amount": [float(amount) for _, _, amount in UTC_INSTANTS],
        }
    ).with_columns(pl.col("order_date").dt.replace_time_zone("UTC").dt.convert_time_zone(zone))
    frame.write_parquet(folder / "orders.parquet")
    return folder


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Tokyo"])
def test_zoned_timestamps_count_on_their_utc_date(tmp_path: Path, zone: str) -> None:
    folder = write_zoned_folder(tmp_path / "data", zone)
    result = kpis(folder, "2025-02-01", "2025-02-10")
    assert result["comparison"]["start"] == "2025-01-22"
    check(result["kpis"], "revenue", 2 + 4, 1 + 16)


@pytest.mark.parametrize("local_zone", ["Asia/Tokyo", "America/Los_Angeles"])
def test_process_time_zone_does_not_move_days(tmp_path: Path, local_zone: str) -> None:
    """The machine's own zone must not leak into which day a stored instant counts on."""
    folder = write_zoned_folder(tmp_path / "data", "UTC")
    env = {**os.environ, "TZ": local_zone}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    args = ["kpis", "--data", str(folder), "--start", "2025-02-01", "--end", "2025-02-10"]
    done = subprocess.run(
        [sys.executable, "-m", "cxcore", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    check(json.loads(done.stdout)["kpis"], "revenue", 2 + 4, 1 + 16)
