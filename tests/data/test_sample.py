"""The sample data must be reproducible, honour the data contract and tell its story.

The story checks use plain polars on a small generated folder, so a change to
the generator that breaks what an executive is meant to find fails here.
"""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from pathlib import Path

import polars as pl
import pytest

from cxcore.data.sample import generate
from cxcore.data.sample_story import DRIVER_WEIGHT, DRIVERS

START = dt.date(2024, 1, 1)
END = dt.date(2026, 9, 30)
TABLES = (
    "customers",
    "orders",
    "nps_responses",
    "service_contacts",
    "web_sessions",
    "marketing_spend",
)
CONTRACT = {
    "customers": {"customer_id", "segment", "region", "signup_date", "acquisition_channel"},
    "orders": {"order_id", "customer_id", "order_date", "product_category", "amount", "channel"},
    "nps_responses": {
        "response_id",
        "customer_id",
        "response_date",
        "score",
        "journey",
        "touchpoint",
        "comment",
    },
    "service_contacts": {
        "contact_id",
        "customer_id",
        "contact_date",
        "channel",
        "cost",
        "handle_time_s",
        "resolved_first_contact",
        "within_sla",
    },
    "web_sessions": {
        "session_id",
        "customer_id",
        "session_date",
        "pageviews",
        "duration_s",
        "converted",
        "device",
        "region",
    },
    "marketing_spend": {"spend_date", "channel", "spend", "segment", "region"},
}
EXTRA = {"customers": {"tier"}, "nps_responses": {f"driver_{d}" for d in DRIVERS}}
IDS = {
    "customers": "customer_id",
    "orders": "order_id",
    "nps_responses": "response_id",
    "service_contacts": "contact_id",
    "web_sessions": "session_id",
}
DATES = {
    "orders": "order_date",
    "nps_responses": "response_date",
    "service_contacts": "contact_date",
    "web_sessions": "session_date",
    "marketing_spend": "spend_date",
}
NOT_NULL = {
    "customers": ["customer_id", "segment", "region", "signup_date"],
    "orders": ["order_id", "customer_id", "order_date", "product_category", "amount"],
    "nps_responses": ["response_id", "response_date", "score"],
    "service_contacts": ["contact_id", "contact_date", "channel", "cost"],
    "web_sessions": ["session_id", "session_date", "pageviews", "duration_s", "converted"],
    "marketing_spend": ["spend_date", "channel", "spend"],
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    generate(out, customers=1500)
    return out


@pytest.fixture(scope="module")
def data(folder: Path) -> dict[str, pl.DataFrame]:
    return {name: pl.read_parquet(folder / f"{name}.parquet") for name in TABLES}


def quarter(column: str) -> pl.Expr:
    return (pl.col(column).dt.year() * 10 + pl.col(column).dt.quarter()).alias("quarter")


def mean(series: pl.Series) -> float:
    """A series' mean; polars types it as any Python value or None, a share is a float."""
    value = series.mean()
    assert isinstance(value, float), value
    return value


def day(value: object) -> dt.date:
    """A date column's min or max; polars types it as any Python value or None."""
    assert isinstance(value, dt.date), value
    return value


def nps(frame: pl.DataFrame) -> float:
    promoters = mean(frame["score"] >= 9)
    detractors = mean(frame["score"] <= 6)
    return 100.0 * (promoters - detractors)


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", customers=400, seed=11)
    generate(tmp_path / "b", customers=400, seed=11)
    generate(tmp_path / "c", customers=400, seed=12)
    assert set(first) == set(TABLES)
    for name in TABLES:
        a = (tmp_path / "a" / f"{name}.parquet").read_bytes()
        assert a == (tmp_path / "b" / f"{name}.parquet").read_bytes(), name
    assert (tmp_path / "a" / "orders.parquet").read_bytes() != (
        tmp_path / "c" / "orders.parquet"
    ).read_bytes()


def test_returned_counts_match_files(tmp_path: Path) -> None:
    counts = generate(tmp_path, customers=200, seed=3)
    for name, rows in counts.items():
        assert pl.read_parquet(tmp_path / f"{name}.parquet").height == rows
    assert counts["customers"] == 200


@pytest.mark.parametrize("name", TABLES)
def test_tables_have_exactly_the_contract_columns(data: dict[str, pl.DataFrame], name: str) -> None:
    assert set(data[name].columns) == CONTRACT[name] | EXTRA.get(name, set())


@pytest.mark.parametrize("name", TABLES)
def test_required_columns_are_never_null(data: dict[str, pl.DataFrame], name: str) -> None:
    nulls = data[name].select(pl.col(NOT_NULL[name]).null_count()).row(0, named=True)
    assert all(count == 0 for count in nulls.values()), nulls


@pytest.mark.parametrize("name", sorted(IDS))
def test_ids_are_unique_strings(data: dict[str, pl.DataFrame], name: str) -> None:
    ids = data[name][IDS[name]]
    assert ids.dtype == pl.String
    assert ids.n_unique() == len(ids)


def test_types_follow_the_contract(data: dict[str, pl.DataFrame]) -> None:
    for name, column in DATES.items():
        assert data[name][column].dtype == pl.Date
    assert data["customers"]["signup_date"].dtype == pl.Date
    assert data["customers"]["customer_id"].str.contains(r"^C\d{6}$").all()
    for column in ("resolved_first_contact", "within_sla"):
        assert data["service_contacts"][column].dtype == pl.Boolean
    assert data["web_sessions"]["converted"].dtype == pl.Boolean
    for driver in DRIVERS:
        assert data["nps_responses"][f"driver_{driver}"].dtype == pl.Float64


def test_value_rules_hold(data: dict[str, pl.DataFrame]) -> None:
    nps_rows = data["nps_responses"]
    assert nps_rows["score"].is_between(0, 10).all()
    for driver in DRIVERS:
        ratings = nps_rows[f"driver_{driver}"].drop_nulls()
        assert ratings.is_between(1, 10).all()
        assert 0 < nps_rows[f"driver_{driver}"].null_count() < nps_rows.height
    assert (data["web_sessions"]["pageviews"] >= 1).all()
    assert (data["web_sessions"]["duration_s"] >= 0).all()
    assert (data["service_contacts"]["cost"] >= 0).all()
    assert (data["service_contacts"]["handle_time_s"].drop_nulls() >= 0).all()
    assert (data["marketing_spend"]["spend"] >= 0).all()


def test_every_known_customer_exists(data: dict[str, pl.DataFrame]) -> None:
    known = set(data["customers"]["customer_id"])
    for name in ("orders", "nps_responses", "service_contacts", "web_sessions"):
        assert set(data[name]["customer_id"].drop_nulls()) <= known, name


def test_dates_cover_the_whole_range(data: dict[str, pl.DataFrame]) -> None:
    for name, column in DATES.items():
        dates = data[name][column]
        assert day(dates.min()) >= START and day(dates.max()) <= END, name
    for name in ("orders", "web_sessions", "marketing_spend"):
        dates = data[name][DATES[name]]
        assert (dates.min(), dates.max()) == (START, END), name
    signups = data["customers"]["signup_date"]
    assert day(signups.min()) < START < day(signups.max()) <= END


def test_optional_parts_are_partly_missing(data: dict[str, pl.DataFrame]) -> None:
    web = data["web_sessions"]
    anonymous = web.filter(pl.col("customer_id").is_null())
    assert 0.25 < anonymous.height / web.height < 0.35
    assert 0.8 < mean(anonymous["region"].is_not_null()) < 1.0
    assert 0.35 <= mean(web["pageviews"] == 1) <= 0.45
    spend = data["marketing_spend"]
    assert 0 < spend["segment"].null_count() < 0.05 * spend.height
    assert 0 < spend["region"].null_count() < 0.05 * spend.height
    refunds = mean(data["orders"]["amount"] < 0)
    assert 0.01 < refunds < 0.06


def test_revenue_grows_and_peaks_in_q4(data: dict[str, pl.DataFrame]) -> None:
    orders = data["orders"].with_columns(quarter("order_date"), year=pl.col("order_date").dt.year())
    yearly = dict(orders.group_by("year").agg(pl.col("amount").sum()).iter_rows())
    assert yearly[2025] > yearly[2024]
    by_quarter = dict(orders.group_by("quarter").agg(pl.col("amount").sum()).iter_rows())
    for year in (2024, 2025):
        assert by_quarter[year * 10 + 4] > max(by_quarter[year * 10 + q] for q in (1, 2, 3))
        assert by_quarter[year * 10 + 3] < by_quarter[year * 10 + 2]


def test_smb_has_the_lowest_nps(data: dict[str, pl.DataFrame]) -> None:
    answers = data["nps_responses"].join(data["customers"], on="customer_id")
    by_segment = {
        segment[0]: nps(group)
        for segment, group in answers.group_by("segment", maintain_order=True)
    }
    smb = by_segment.pop("SMB")
    assert all(smb < other for other in by_segment.values()), (smb, by_segment)
    overall = nps(data["nps_responses"])
    assert 10 <= overall <= 45


def test_detractors_churn_more_than_promoters(data: dict[str, pl.DataFrame]) -> None:
    """A customer's 2025 answer predicts whether they still buy in 2026."""
    last_answer = (
        data["nps_responses"]
        .filter(pl.col("customer_id").is_not_null(), pl.col("response_date").dt.year() == 2025)
        .sort("response_date")
        .group_by("customer_id")
        .agg(pl.col("score").last())
    )
    buyers_2026 = (
        data["orders"].filter(pl.col("order_date").dt.year() == 2026).select("customer_id").unique()
    )
    churn = last_answer.join(
        buyers_2026.with_columns(stayed=pl.lit(True)), on="customer_id", how="left"
    ).with_columns(churned=pl.col("stayed").is_null())
    detractors = mean(churn.filter(pl.col("score") <= 6)["churned"])
    promoters = mean(churn.filter(pl.col("score") >= 9)["churned"])
    assert detractors > promoters + 0.05, (detractors, promoters)


def quarterly_churn(orders: pl.DataFrame, customers: pl.DataFrame, region: str) -> dict[int, float]:
    """1 - retention: share of last quarter's buyers who buy nothing this quarter."""
    active = (
        orders.join(customers.filter(pl.col("region") == region), on="customer_id")
        .select("customer_id", quarter("order_date"))
        .unique()
    )
    quarters = sorted(active["quarter"].unique())
    churn: dict[int, float] = {}
    for before, now in pairwise(quarters):
        previous = set(active.filter(pl.col("quarter") == before)["customer_id"])
        current = set(active.filter(pl.col("quarter") == now)["customer_id"])
        churn[now] = 1.0 - len(previous & current) / len(previous)
    return churn


def test_east_churn_rises_in_2026_q2_and_q3(data: dict[str, pl.DataFrame]) -> None:
    churn = quarterly_churn(data["orders"], data["customers"], "East")
    baseline = sum(churn[20250 + q] for q in (1, 2, 3, 4)) / 4
    assert churn[20262] > baseline + 0.03, (churn, baseline)
    assert churn[20263] > baseline + 0.03, (churn, baseline)
    assert all(0.05 < churn[20250 + q] < 0.3 for q in (1, 2, 3, 4)), churn


def test_east_service_slows_down(data: dict[str, pl.DataFrame]) -> None:
    east = data["service_contacts"].join(
        data["customers"].filter(pl.col("region") == "East"), on="customer_id"
    )
    before = mean(east.filter(pl.col("contact_date").dt.year() == 2025)["within_sla"])
    late = mean(east.filter(pl.col("contact_date") >= dt.date(2026, 4, 1))["within_sla"])
    assert late < before - 0.15, (before, late)


def test_heaviest_driver_matters_more_than_lightest(data: dict[str, pl.DataFrame]) -> None:
    heaviest = f"driver_{DRIVERS[int(DRIVER_WEIGHT.argmax())]}"
    lightest = f"driver_{DRIVERS[int(DRIVER_WEIGHT.argmin())]}"
    answers = data["nps_responses"]

    def correlation(driver: str) -> float:
        asked = answers.drop_nulls(driver)
        return asked.select(pl.corr(driver, "score")).item()

    assert correlation(heaviest) > correlation(lightest) + 0.15


def six_month_retention(orders: pl.DataFrame, customers: pl.DataFrame) -> dict[str, float]:
    """Per acquisition channel: the share of first-order cohorts (Feb 2024 to Mar 2026, so
    customers already buying when the data begins are left out) with an order 6 months on."""
    months = orders.select(
        "customer_id",
        (pl.col("order_date").dt.year() * 12 + pl.col("order_date").dt.month() - 1).alias("month"),
    ).unique()
    first = months.group_by("customer_id").agg(pl.col("month").min().alias("cohort"))
    first = first.filter(pl.col("cohort").is_between(2024 * 12 + 1, 2026 * 12 + 2))
    later = months.join(first, on="customer_id").filter(pl.col("month") == pl.col("cohort") + 6)
    kept = first.join(customers, on="customer_id").with_columns(
        pl.col("customer_id").is_in(later["customer_id"].implode()).alias("kept")
    )
    shares = kept.group_by("acquisition_channel").agg(pl.col("kept").mean())
    return dict(zip(shares["acquisition_channel"], shares["kept"], strict=True))


def test_paid_search_cohorts_retain_worst(data: dict[str, pl.DataFrame]) -> None:
    shares = six_month_retention(data["orders"], data["customers"])
    others = [share for channel, share in shares.items() if channel != "Paid search"]
    assert shares["Paid search"] < min(others) - 0.05, shares


def test_the_shipped_sample_is_the_generators_output(tmp_path: Path) -> None:
    """sample_data/ is `cx-cockpit sample --out sample_data` byte for byte, so the app shows
    the story the generator tells (regenerate and commit it after changing the story)."""
    shipped = Path(__file__).resolve().parents[2] / "sample_data"
    generate(tmp_path)
    for name in TABLES:
        made = (tmp_path / f"{name}.parquet").read_bytes()
        assert made == (shipped / f"{name}.parquet").read_bytes(), name
