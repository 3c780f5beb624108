"""Hypothesis strategies for small, awkward CX datasets and the KPI queries over them.

The differential test needs data small enough to reason about when it fails,
yet full of the corners the spec singles out: unknown and anonymous
customers, refunds, null booleans, leap days, late-evening timestamps and
member names that break naive quoting. Rows are drawn mostly inside the
periods the query looks at, because rows nobody counts test nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from hypothesis import strategies as st

from tests.reference_kpis import Period, comparison_period

SEGMENTS = ("SMB", "Enterprise", 'O\'Brien "Ltd"', "=cmd")
REGIONS = ("North", "Zürich", "=cmd", "@home")
CHANNELS = ("ads", "referral", 'O\'Brien "Ltd"')
TIERS = ("gold", "Zürich", "+plus")
CATEGORIES = ("A", "B", "C")
CONTACT_CHANNELS = ("phone", "chat", "email")
SPEND_CHANNELS = ("search", "social")
MEMBERS = {
    "segment": SEGMENTS,
    "region": REGIONS,
    "acquisition_channel": CHANNELS,
    "tier": TIERS,
}

DATA_START = dt.date(2023, 6, 1)
DATA_END = dt.date(2025, 6, 30)
SPECIAL_DAYS = tuple(
    dt.date.fromisoformat(text)
    for text in (
        "2023-12-31",
        "2024-01-01",
        "2024-02-28",
        "2024-02-29",
        "2024-03-01",
        "2024-06-30",
        "2024-07-01",
        "2024-12-31",
        "2025-01-01",
        "2025-02-28",
        "2025-03-01",
    )
)
TIMES = (dt.time(0, 0), dt.time(12, 30), dt.time(23, 59, 59))


@dataclass(frozen=True)
class Dataset:
    """Rows per table plus the column types to write them with.

    `dimensions` lists the customer dimensions a query may use: the extra
    ones only when some customer has a member, since only then can a reader
    of plain rows tell that the column is a string column.
    """

    tables: dict[str, list[dict[str, Any]]]
    schemas: dict[str, dict[str, pl.DataType]]
    dimensions: tuple[str, ...]


@dataclass(frozen=True)
class Query:
    start: dt.date
    end: dt.date
    compare: str
    filters: dict[str, list[str]] = field(default_factory=dict)
    by: list[str] | None = None


@dataclass(frozen=True)
class Case:
    dataset: Dataset
    query: Query


def _quarter_months() -> list[tuple[int, int]]:
    return [(y, m) for y in (2023, 2024, 2025) for m in (1, 4, 7, 10)]


def _last_day(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


@st.composite
def periods(draw: st.DrawFn) -> Period:
    """Whole months, quarters and years (which compare differently) and arbitrary ranges."""
    kind = draw(st.sampled_from(("month", "quarter", "year", "range", "range")))
    if kind == "month":
        year, month = draw(
            st.sampled_from([(y, m) for y in (2023, 2024, 2025) for m in range(1, 13)])
        )
        return Period(dt.date(year, month, 1), _last_day(year, month))
    if kind == "quarter":
        year, month = draw(st.sampled_from(_quarter_months()))
        return Period(dt.date(year, month, 1), _last_day(year, month + 2))
    if kind == "year":
        year = draw(st.sampled_from((2023, 2024, 2025)))
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31))
    start = draw(st.one_of(st.sampled_from(SPECIAL_DAYS), st.dates(DATA_START, DATA_END)))
    length = draw(
        st.one_of(
            st.integers(1, 45),
            st.sampled_from((28, 29, 30, 31, 59, 90, 91, 92, 365, 366)),
            st.integers(1, 400),
        )
    )
    return Period(start, start + dt.timedelta(days=length - 1))


def _often() -> st.SearchStrategy[bool]:
    """True three times in four: optional tables and columns are worth exercising."""
    return st.integers(0, 3).map(lambda n: n > 0)


def _days(windows: list[Period]) -> st.SearchStrategy[dt.date]:
    return st.one_of(
        st.sampled_from(SPECIAL_DAYS),
        st.dates(DATA_START, DATA_END),
        *[st.dates(w.start, w.end) for w in windows],
    )


def _stamp(draw: st.DrawFn, days: st.SearchStrategy[dt.date], timed: bool) -> dt.date:
    day = draw(days)
    return dt.datetime.combine(day, draw(st.sampled_from(TIMES))) if timed else day


def _quarters(low: int, high: int) -> st.SearchStrategy[float]:
    """Multiples of 0.25: exact in binary, so sums do not depend on their order."""
    return st.integers(low * 4, high * 4).map(lambda n: n / 4)


@st.composite
def datasets(draw: st.DrawFn, days: st.SearchStrategy[dt.date]) -> Dataset:
    """A data folder's worth of rows; optional tables and columns come and go."""
    string_ids = draw(st.booleans())
    id_type: pl.DataType = pl.String() if string_ids else pl.Int64()

    def cid(n: int) -> Any:
        return f"c{n}" if string_ids else n

    n_customers = draw(st.integers(0, 8))
    known = [cid(n) for n in range(1, n_customers + 1)]
    stranger = cid(99)
    some_customer = st.sampled_from([*known, stranger])
    maybe_customer = st.one_of(st.none(), some_customer)

    def day_type() -> tuple[bool, pl.DataType]:
        timed = draw(st.booleans())
        return timed, (pl.Datetime("us") if timed else pl.Date())

    tables: dict[str, list[dict[str, Any]]] = {}
    schemas: dict[str, dict[str, pl.DataType]] = {}

    timed, day_dtype = day_type()
    extra = [c for c in ("acquisition_channel", "tier") if draw(_often())]
    schemas["customers"] = {
        "customer_id": id_type,
        "segment": pl.String(),
        "region": pl.String(),
        "signup_date": day_dtype,
        **dict.fromkeys(extra, pl.String()),
    }
    tables["customers"] = [
        {
            "customer_id": c,
            "segment": draw(st.sampled_from(SEGMENTS)),
            "region": draw(st.sampled_from(REGIONS)),
            "signup_date": _stamp(draw, days, timed),
            **{e: draw(st.one_of(st.none(), st.sampled_from(MEMBERS[e]))) for e in extra},
        }
        for c in known
    ]
    usable = [e for e in extra if any(row[e] is not None for row in tables["customers"])]

    timed, day_dtype = day_type()
    schemas["orders"] = {
        "order_id": pl.Int64(),
        "customer_id": id_type,
        "order_date": day_dtype,
        "product_category": pl.String(),
        "amount": pl.Float64(),
    }
    tables["orders"] = [
        {
            "order_id": i,
            "customer_id": draw(some_customer),
            "order_date": _stamp(draw, days, timed),
            "product_category": draw(st.sampled_from(CATEGORIES)),
            "amount": draw(_quarters(-200, 1000)),
        }
        for i in range(draw(st.integers(0, 20)))
    ]

    if draw(_often()):
        timed, day_dtype = day_type()
        schemas["nps_responses"] = {
            "response_id": pl.Int64(),
            "customer_id": id_type,
            "response_date": day_dtype,
            "score": pl.Int64(),
        }
        tables["nps_responses"] = [
            {
                "response_id": i,
                "customer_id": draw(maybe_customer),
                "response_date": _stamp(draw, days, timed),
                "score": draw(st.integers(0, 10)),
            }
            for i in range(draw(st.integers(0, 12)))
        ]

    if draw(_often()):
        timed, day_dtype = day_type()
        flags = [c for c in ("resolved_first_contact", "within_sla") if draw(_often())]
        schemas["service_contacts"] = {
            "contact_id": pl.Int64(),
            "customer_id": id_type,
            "contact_date": day_dtype,
            "channel": pl.String(),
            "cost": pl.Float64(),
            **dict.fromkeys(flags, pl.Boolean()),
        }
        tables["service_contacts"] = [
            {
                "contact_id": i,
                "customer_id": draw(maybe_customer),
                "contact_date": _stamp(draw, days, timed),
                "channel": draw(st.sampled_from(CONTACT_CHANNELS)),
                "cost": draw(_quarters(0, 100)),
                **{f: draw(st.one_of(st.none(), st.booleans())) for f in flags},
            }
            for i in range(draw(st.integers(0, 10)))
        ]

    if draw(_often()):
        timed, day_dtype = day_type()
        with_region = draw(_often())
        schemas["web_sessions"] = {
            "session_id": pl.Int64(),
            "customer_id": id_type,
            "session_date": day_dtype,
            "pageviews": pl.Int64(),
            "duration_s": pl.Float64(),
            "converted": pl.Boolean(),
            **({"region": pl.String()} if with_region else {}),
        }
        tables["web_sessions"] = [
            {
                "session_id": i,
                "customer_id": draw(maybe_customer),
                "session_date": _stamp(draw, days, timed),
                "pageviews": draw(st.one_of(st.just(1), st.integers(1, 6))),
                "duration_s": draw(_quarters(0, 900)),
                "converted": draw(st.booleans()),
                **(
                    {"region": draw(st.one_of(st.none(), st.sampled_from(REGIONS)))}
                    if with_region
                    else {}
                ),
            }
            for i in range(draw(st.integers(0, 10)))
        ]

    if draw(_often()):
        timed, day_dtype = day_type()
        own = [c for c in ("segment", "region") if draw(_often())]
        schemas["marketing_spend"] = {
            "spend_date": day_dtype,
            "channel": pl.String(),
            "spend": pl.Float64(),
            **dict.fromkeys(own, pl.String()),
        }
        tables["marketing_spend"] = [
            {
                "spend_date": _stamp(draw, days, timed),
                "channel": draw(st.sampled_from(SPEND_CHANNELS)),
                "spend": draw(_quarters(0, 500)),
                **{c: draw(st.one_of(st.none(), st.sampled_from(MEMBERS[c]))) for c in own},
            }
            for _ in range(draw(st.integers(0, 6)))
        ]

    return Dataset(tables, schemas, ("segment", "region", *usable))


@st.composite
def queries(draw: st.DrawFn, dims: tuple[str, ...], period: Period, compare: str) -> Query:
    """Filters (sometimes selecting `Unknown`, sometimes empty lists) and a breakdown."""
    filters: dict[str, list[str]] = {}
    for dim in dims:
        if draw(st.integers(0, 3)) == 0:
            choices = st.sampled_from((*MEMBERS[dim], "Unknown"))
            filters[dim] = draw(st.lists(choices, max_size=2, unique=True))
    by = draw(
        st.one_of(
            st.none(),
            st.lists(st.sampled_from(dims), min_size=1, max_size=1),
            st.lists(st.sampled_from(dims), min_size=2, max_size=2, unique=True),
        )
    )
    return Query(period.start, period.end, compare, filters, by)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """A query first, then data concentrated in the windows that query reads."""
    period = draw(periods())
    compare = draw(st.sampled_from(("previous", "yoy")))
    q = comparison_period(period, compare)
    r = comparison_period(q, compare)
    dataset = draw(datasets(_days([period, period, q, q, r])))
    return Case(dataset, draw(queries(dataset.dimensions, period, compare)))
