"""DuckDB and Spark give the same numbers, to the last digit, for every KPI the cockpit shows.

The same published versions are opened on both engines and asked the same
views: every KPI's value and previous, both comparison modes, filters, one
and two dimension breakdowns, `kpis_many` over whole months (answered from the
rollups), clipped periods and single days (answered from the fact rows), over
the seeded sample and over odd data (refunds, an empty month, unicode
members, 29 February, amounts with ten decimals). Equality is exact and typed:
every query's raw rows must match (decimals as decimals, exactly, counts as
integers), and so must the KPI results (ratios bit for bit: they are
computed once, in Python, from those rows).

Spark starts once per test session (about 20 s). Without pyspark or Java
these tests skip with the reason, unless CX_REQUIRE_SPARK=1 (CI sets it):
then they fail.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlglot import exp

from cxcore import Cockpit
from cxcore.cli.main import main
from cxcore.metrics.engine import Engine
from cxcore.metrics.query import view_slots
from cxcore.metrics.trend import month_periods
from tests.spark_parity import assert_same_rows, forget_queries, typed

Periods = list[tuple[dt.date, dt.date]]
SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"


def _months(year: int) -> Periods:
    return [(m.start, m.end) for m in month_periods(dt.date(year, 1, 1), dt.date(year, 12, 31))]


def _days(*pairs: tuple[str, str]) -> Periods:
    return [(dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in pairs]


# Whole months and quarters (rollups), clipped spans and single days (fact rows), empty ones.
PERIODS: dict[str, Periods] = {
    "sample": [
        *_months(2025),
        *_days(
            ("2025-04-01", "2025-06-30"), ("2025-02-03", "2025-03-09"), ("2024-02-29", "2024-02-29")
        ),
    ],
    "odd": [
        *_months(2024),
        *_days(
            ("2024-01-01", "2024-03-31"),
            ("2024-02-29", "2024-02-29"),
            ("2024-02-03", "2024-03-02"),
            ("2025-02-28", "2025-03-01"),
            ("2030-01-01", "2030-01-31"),
        ),
    ],
}
# Filters and breakdowns per data set: (start, end, compare, filters, by).
VIEWS: dict[str, list[tuple[str, str, str, dict[str, list[str]], list[str]]]] = {
    "sample": [
        ("2025-04-01", "2025-06-30", "previous", {}, ["segment", "region"]),
        ("2025-02-03", "2025-03-09", "yoy", {"region": ["North", "South"]}, ["segment"]),
    ],
    "odd": [
        ("2024-01-01", "2024-03-31", "previous", {}, ["segment", "tier"]),
        ("2024-02-03", "2024-03-02", "yoy", {"segment": ["Ünïcode — 企業"]}, ["region"]),
        ("2024-02-01", "2024-02-29", "previous", {"tier": ["Gold ★", "Silber"]}, ["tier"]),
    ],
}


@pytest.fixture(autouse=True)
def _queries_of_this_test_only(engines: dict[str, tuple[Cockpit, Cockpit]]) -> None:
    forget_queries(engines)


@pytest.mark.parametrize("data", ["sample", "odd"])
@pytest.mark.parametrize("compare", ["previous", "yoy"])
def test_kpis_many_are_identical(
    engines: dict[str, tuple[Cockpit, Cockpit]], data: str, compare: str
) -> None:
    duck, sparked = engines[data]
    expected = duck.kpis_many(PERIODS[data], compare)
    got = sparked.kpis_many(PERIODS[data], compare)
    assert typed(got) == typed(expected)
    assert_same_rows(duck, sparked)
    assert any(e["kpis"]["revenue"]["value"] for e in expected)  # the data is really there


@pytest.mark.parametrize("data", ["sample", "odd"])
def test_views_with_filters_and_breakdowns_are_identical(
    engines: dict[str, tuple[Cockpit, Cockpit]], data: str
) -> None:
    duck, sparked = engines[data]
    for start, end, compare, filters, by in VIEWS[data]:
        expected = duck.kpis(start, end, compare, filters, by)
        got = sparked.kpis(start, end, compare, filters, by)
        assert typed(got) == typed(expected), (start, end, compare, filters, by)
        assert expected["breakdown"], "a breakdown with no members proves nothing"
    assert_same_rows(duck, sparked)


def test_the_fact_rows_path_is_identical(engines: dict[str, tuple[Cockpit, Cockpit]]) -> None:
    """The same views asked without rollups: every customer measure from the fact rows."""
    duck, sparked = engines["odd"]
    rows_duck = Engine(duck.dataset, duck.executor, use_rollups=False)
    rows_spark = Engine(sparked.dataset, sparked.executor, use_rollups=False)
    periods = _days(("2024-01-01", "2024-03-31"), ("2024-02-29", "2024-02-29"))
    assert typed(rows_spark.kpis_many(periods)) == typed(rows_duck.kpis_many(periods))
    start, end, compare, filters, by = VIEWS["odd"][0]
    got = rows_spark.kpis(start, end, compare, filters, by)
    assert typed(got) == typed(rows_duck.kpis(start, end, compare, filters, by))
    assert_same_rows(duck, sparked)


def test_odd_amounts_keep_all_ten_decimals(engines: dict[str, tuple[Cockpit, Cockpit]]) -> None:
    """Worked by hand: Q1 2024 revenue = 12.3456789012 + 100.9876543211 - 15.5
    + 40.0000000001 + 0.0000000001 + 999999.5 + 5.5 = 1000142.8333332225. (The factory
    writes amounts as float64; each of these casts to exactly its ten decimals.)"""
    _duck, sparked = engines["odd"]
    quarter = sparked.kpis("2024-01-01", "2024-03-31")["kpis"]
    assert quarter["revenue"]["value"] == float("1000142.8333332225")
    rows = sparked.executor.fetch(  # the decimal itself, as Spark returns it
        exp.select(exp.func("SUM", exp.column("amount")))
        .from_("fact_orders")
        .where(
            exp.column("__cx_day").between(exp.Placeholder(this="a"), exp.Placeholder(this="b"))
        ),
        {"a": dt.date(2024, 1, 1), "b": dt.date(2024, 3, 31)},
    )
    assert rows[0][0] == Decimal("1000142.8333332225")


def test_expansion_keeps_all_ten_decimals_on_spark(
    engines: dict[str, tuple[Cockpit, Cockpit]],
) -> None:
    """From the fact rows, February 2024 against January: c1 grew by
    100.9876543211 - 12.3456789012 = 88.6419754199; c2 shrank (counts 0); c3, c4 and
    the unknown c9 were not active in both. Spark's own decimal rule would round the
    difference to nine decimals (88.6419754200)."""
    _duck, sparked = engines["odd"]
    rows_spark = Engine(sparked.dataset, sparked.executor, use_rollups=False)
    windows = rows_spark.windows("2024-02-01", "2024-02-29", "previous")
    measured = rows_spark.measures(view_slots(windows), {}, ())[()]["p"]
    assert measured["expansion"] == float("88.6419754199")


def test_the_readme_example_prints_the_same_json_on_spark(
    spark: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """`cx-cockpit kpis --engine spark` over the shipped sample data folder (validated and
    written by DuckDB, then read by Spark) prints exactly the default engine's JSON."""
    example = ["kpis", "--data", str(SAMPLE_DATA), "--start", "2026-07-01", "--end", "2026-09-30"]
    example += ["--compare", "yoy", "--segment", "SMB", "--by", "region"]
    outputs = []
    for engine in ("duckdb", "spark"):
        assert main([*example, "--engine", engine]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[1] == outputs[0]
    assert json.loads(outputs[0])["breakdown"]
