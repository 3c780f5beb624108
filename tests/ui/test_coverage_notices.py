"""Exports covering different days: the default view and what cards say instead of zeros."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from streamlit.testing.v1 import AppTest

from cxcore import Cockpit
from cxcore.app.formatting import NO_VALUE, format_card_value
from cxcore.metrics.registry import KPI_BY_NAME
from cxcore.store.publish import publish

from .conftest import open_app


def orders_into_october(store: Path, seed: Path, tmp_path: Path) -> None:
    """Version 2: a routine orders-only publish. 1-14 Sep's orders again, a month later
    (1 Sep + 30 days = 1 Oct, 14 Sep + 30 = 14 Oct), with new ids; nothing else moves."""
    orders = pl.read_parquet(seed / "orders.parquet")
    october = orders.filter(
        pl.col("order_date").is_between(dt.date(2026, 9, 1), dt.date(2026, 9, 14))
    ).with_columns(
        (pl.col("order_date") + pl.duration(days=30)).alias("order_date"),
        ("X" + pl.col("order_id")).alias("order_id"),
    )
    path = tmp_path / "october.parquet"
    october.write_parquet(path)
    assert publish(store, "orders", [path], mode="append").version == 2


def cards(at: AppTest) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def test_an_orders_only_publish_keeps_the_default_on_a_quarter_every_export_covers(
    store: Path, store_seed: Path, tmp_path: Path
) -> None:
    orders_into_october(store, store_seed, tmp_path)
    at = open_app()
    assert not at.exception
    assert at.date_input(key="start").value == dt.date(2026, 7, 1)
    assert at.date_input(key="end").value == dt.date(2026, 9, 30)
    shown = cards(at)
    expected = Cockpit.open(store).kpis("2026-07-01", "2026-09-30")["kpis"]
    for name in ("revenue", "service_cost", "nps"):
        kpi = KPI_BY_NAME[name]
        assert shown[kpi.label][0] == format_card_value(expected[name]["value"], kpi.unit)[0]


def test_october_shows_no_invented_zeros(store: Path, store_seed: Path, tmp_path: Path) -> None:
    orders_into_october(store, store_seed, tmp_path)
    at = open_app({"start": "2026-10-01", "end": "2026-10-14"})
    assert not at.exception and not at.warning
    shown = cards(at)
    revenue = Cockpit.open(store).kpis("2026-10-01", "2026-10-14")["kpis"]["revenue"]["value"]
    assert revenue > 0
    assert shown["Revenue"][0] == format_card_value(revenue, KPI_BY_NAME["revenue"].unit)[0]
    for label in ("Service cost", "Contacts", "Sessions", "NPS responses", "New customers"):
        assert shown[label] == (NO_VALUE, "no data for this period"), label


def test_a_period_an_export_covers_in_part_says_which_part(
    store: Path, store_seed: Path, tmp_path: Path
) -> None:
    orders_into_october(store, store_seed, tmp_path)
    at = open_app({"start": "2026-09-01", "end": "2026-10-14"})
    assert not at.exception
    shown = cards(at)
    assert shown["Contacts"] == (NO_VALUE, "covers Sep 2026 only")
    assert shown["Revenue"][0] != NO_VALUE
    # Churn reads the comparison period (18 Jul - 31 Aug), covered: a number and a change.
    assert shown["Churn"][0] != NO_VALUE and shown["Churn"][1] is not None


def test_the_first_quarter_of_the_data_has_no_coloured_change(store: Path) -> None:
    at = open_app({"start": "2024-01-01", "end": "2024-03-31"})
    assert not at.exception
    shown = cards(at)
    assert shown["Revenue"][0] != NO_VALUE
    assert shown["Revenue"][1] == "no data for Q4 2023 to compare"
    revenue = next(m for m in at.metric if m.label == "Revenue")
    assert revenue.proto.color == revenue.proto.MetricColor.GRAY  # grey, not green or red
    assert shown["Churn"] == (NO_VALUE, "no data for Q4 2023, which it needs")
