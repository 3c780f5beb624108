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
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlglot import exp

from cxcore import Cockpit
from cxcore.cli.main import main
from cxcore.data.sample import generate
from cxcore.metrics.backend import Rows
from cxcore.metrics.engine import Engine
from cxcore.metrics.query import view_slots
from cxcore.metrics.trend import month_periods
from cxcore.settings import Settings
from cxcore.store.publish import ensure_store
from tests.factories import contact, customer, nps, order, session, spend, write_folder

Periods = list[tuple[dt.date, dt.date]]
SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"


def _unavailable(reason: str) -> None:
    if os.environ.get("CX_REQUIRE_SPARK") == "1":
        pytest.fail(f"CX_REQUIRE_SPARK=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """The test session's one Spark session; every Spark cockpit below reuses it."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        _unavailable('pyspark is not installed (pip install -e ".[spark]")')
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        _unavailable("no Java on this machine (Spark needs Java 17 or later)")
    from cxcore.metrics.spark_backend import spark_session

    yield spark_session(Settings())


class Recording:
    """An executor that keeps every query's rows, to compare engines query by query."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.dialect = inner.dialect
        self.rows: dict[str, list[tuple[tuple[str, str], ...]]] = {}
        self._lock = threading.Lock()

    def fetch(self, query: exp.Expression, params: Mapping[str, Any], shape: Any = ()) -> Rows:
        rows = self.inner.fetch(query, params, shape)
        key = repr(shape) + repr(sorted(params.items()))
        typed = sorted(tuple(_exact(v) for v in row) for row in rows)
        with self._lock:
            self.rows[key] = typed
        return rows

    def close(self) -> None:
        self.inner.close()


def _exact(value: Any) -> tuple[str, str]:
    """A value by its type and exact digits. Decimals are compared by value: Spark's Python
    client carries them in engineering notation (1E-10 arrives as 100E-12), so the
    exponent's spelling says nothing about the column's scale."""
    if isinstance(value, Decimal):
        return ("Decimal", str(value.normalize()))
    return (type(value).__name__, str(value))


@pytest.fixture(scope="module")
def stores() -> Iterator[dict[str, Path]]:
    """The sample (small) and the odd data, each published once as a store."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root / "sample", customers=300, seed=7)
        _odd_folder(root / "odd")
        found = {}
        for name in ("sample", "odd"):
            ensure_store(root / f"{name}_store", root / name)
            found[name] = root / f"{name}_store"
        yield found


@pytest.fixture(scope="module")
def engines(spark: Any, stores: dict[str, Path]) -> Iterator[dict[str, tuple[Cockpit, Cockpit]]]:
    """Per data set: (DuckDB, Spark) cockpits over the same store, their queries recorded."""
    opened: dict[str, tuple[Cockpit, Cockpit]] = {}
    try:
        for name, store in stores.items():
            duck = Cockpit.open(store, engine="duckdb")
            sparked = Cockpit.open(store, engine="spark")
            assert sparked.executor.dialect == "spark" and duck.executor.dialect == "duckdb"
            duck.executor = Recording(duck.executor)
            sparked.executor = Recording(sparked.executor)
            opened[name] = (duck, sparked)
        yield opened
    finally:
        for pair in opened.values():
            for cockpit in pair:
                cockpit.close()


def _odd_folder(folder: Path) -> None:
    """Refunds, an empty April, unicode members, 29 February, ten-decimal amounts, a leap
    day a year on, an order of a customer nobody knows (Unknown)."""
    customers = [
        customer("c1", "Ünïcode — 企業", "Région Nord", tier="Gold ★"),
        customer("c2", "SMB", "Süd", tier="Silber"),
        customer("c3", "Ünïcode — 企業", "Süd", tier="Gold ★"),
        customer("c4", "Enterprise", "Région Nord", tier="Silber"),
    ]
    orders = [
        order("o1", "c1", "2024-01-15", 12.3456789012, "A"),
        order("o2", "c1", "2024-02-29", 100.9876543211, "B"),
        order("o3", "c2", "2024-02-29", -15.5, "A"),  # a refund
        order("o4", "c2", "2024-01-31", 40.0000000001, "A"),
        order("o5", "c3", "2024-03-01", 0.0000000001, "C"),
        order("o6", "c3", "2024-05-02", 7.25, "A"),  # April has no rows at all
        order("o7", "c4", "2024-03-31", 999999.5, "B"),
        order("o8", "c4", "2024-05-31", -999999.5, "B"),  # refunded whole
        order("o9", "c1", "2025-02-28", 33.3333333333, "C"),
        order("o10", "c9", "2024-02-29", 5.5, "A"),  # not a known customer: Unknown
        order("o11", "c2", "2025-03-01", 1.1, "B"),
    ]
    write_folder(
        folder,
        customers=customers,
        orders=orders,
        nps_responses=[
            nps("n1", "c1", "2024-02-29", 10),
            nps("n2", "c2", "2024-02-29", 0),
            nps("n3", "c3", "2024-03-15", 8),
            nps("n4", "c9", "2025-02-28", 9),
        ],
        service_contacts=[
            contact("k1", "c1", "2024-02-29", 3.3333333333, resolved=True, sla=False),
            contact("k2", "c2", "2024-03-02", 0.1, resolved=False, sla=True),
            contact("k3", "c3", "2024-05-05", 2.5),  # neither answer known
        ],
        web_sessions=[
            session("s1", "c1", "2024-02-29", 1, 12.5, False),
            session("s2", None, "2024-03-01", 4, 0.0000000001, True, region="Région Nord"),
            session("s3", "c4", "2025-02-28", 2, 60.0, True),
        ],
        marketing_spend=[
            spend("2024-02-29", 1000.0000000001, segment="Ünïcode — 企業", region="Süd"),
            spend("2024-05-01", 0.3),
        ],
    )


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


def typed(value: Any) -> Any:
    """The value with every number tagged by its type, so 1 and 1.0 differ."""
    if isinstance(value, Mapping):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [typed(v) for v in value]
    if isinstance(value, float):
        return ("float", value.hex())  # bit for bit
    return (type(value).__name__, value)


def _assert_same_rows(duck: Cockpit, sparked: Cockpit) -> None:
    ran_duck, ran_spark = duck.executor.rows, sparked.executor.rows  # type: ignore[attr-defined]
    assert ran_duck.keys() == ran_spark.keys()
    for key, rows in ran_duck.items():
        assert ran_spark[key] == rows, key


@pytest.mark.parametrize("data", ["sample", "odd"])
@pytest.mark.parametrize("compare", ["previous", "yoy"])
def test_kpis_many_are_identical(
    engines: dict[str, tuple[Cockpit, Cockpit]], data: str, compare: str
) -> None:
    duck, sparked = engines[data]
    expected = duck.kpis_many(PERIODS[data], compare)
    got = sparked.kpis_many(PERIODS[data], compare)
    assert typed(got) == typed(expected)
    _assert_same_rows(duck, sparked)
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
    _assert_same_rows(duck, sparked)


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
    _assert_same_rows(duck, sparked)


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
