"""The same overview written the usual ways, to measure the engine against.

pandas: load every export once, merge the customers' attributes into every
table, then per view mask the rows and group. polars lazy: scan the files,
join and filter lazily, collect per view. Both compute the base measures for
the view's two slots from the rows, then the registry's formulas, so their
KPIs can be compared with the engine's (the benchmark checks they agree).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
import polars as pl

from cxcore.metrics.periods import Period, Windows, parse_compare, period
from cxcore.metrics.registry import evaluate

DAYS = {
    "orders": "order_date",
    "customers": "signup_date",
    "nps_responses": "response_date",
    "service_contacts": "contact_date",
    "web_sessions": "session_date",
    "marketing_spend": "spend_date",
}
DIMENSIONS = ("segment", "region")


class Overview(Protocol):
    def kpis(
        self, start: str, end: str, compare: str, filters: Mapping[str, Sequence[str]]
    ) -> dict[str, Any]: ...


def _slots(start: str, end: str, compare: str) -> list[tuple[Period, Period]]:
    w = Windows.of(period(start, end), parse_compare(compare))
    return [(w.current, w.compared), (w.compared, w.before_compared)]


class _TwoSlots(ABC):
    """A view's KPIs from its two slots' base measures and the registry's formulas.

    Both baselines answer the same way and differ only in how they measure a
    slot, so the slots and the formulas are asked once here: what the benchmark
    compares with the engine is then only the measuring.
    """

    def kpis(
        self, start: str, end: str, compare: str, filters: Mapping[str, Sequence[str]]
    ) -> dict[str, Any]:
        values = [
            evaluate(self._measures(cur, prior, filters))
            for cur, prior in _slots(start, end, compare)
        ]
        return {name: {"value": values[0][name], "previous": values[1][name]} for name in values[0]}

    @abstractmethod
    def _measures(
        self, cur: Period, prior: Period, filters: Mapping[str, Sequence[str]]
    ) -> dict[str, Any]:
        """The base measures of one slot: `cur` the window, `prior` the one before it."""


class PandasOverview(_TwoSlots):
    """Every export in memory, customer attributes merged in, masked and grouped per view."""

    def __init__(self, folder: Path) -> None:
        frames = {name: pd.read_parquet(folder / f"{name}.parquet") for name in DAYS}
        people = frames["customers"][["customer_id", *DIMENSIONS]]
        self.frames: dict[str, pd.DataFrame] = {}
        for name, frame in frames.items():
            frame = frame.assign(day=pd.to_datetime(frame[DAYS[name]]).dt.normalize())
            if name in ("orders", "nps_responses", "service_contacts", "web_sessions"):
                own = frame["region"] if name == "web_sessions" else None
                frame = frame.drop(columns=[c for c in DIMENSIONS if c in frame.columns])
                frame = frame.merge(people, on="customer_id", how="left")
                if own is not None:  # an anonymous session keeps its own region
                    frame["region"] = frame["region"].where(frame["customer_id"].notna(), own)
            for dim in DIMENSIONS:
                frame[dim] = frame[dim].fillna("Unknown") if dim in frame else "Unknown"
            self.frames[name] = frame

    def _rows(
        self, name: str, window: Period, filters: Mapping[str, Sequence[str]]
    ) -> pd.DataFrame:
        frame = self.frames[name]
        mask = frame["day"].between(pd.Timestamp(window.start), pd.Timestamp(window.end))
        for dim, members in filters.items():
            mask &= frame[dim].isin(list(members))
        return frame[mask]

    def _measures(
        self, cur: Period, prior: Period, filters: Mapping[str, Sequence[str]]
    ) -> dict[str, Any]:
        now, then = self._rows("orders", cur, filters), self._rows("orders", prior, filters)
        a = now.groupby("customer_id").agg(
            rev=("amount", "sum"), n=("amount", "size"), cats=("product_category", "nunique")
        )
        b = then.groupby("customer_id").agg(rev=("amount", "sum"))
        both = a.join(b.rename(columns={"rev": "rev_prior"}), how="inner")
        placed = now[now["amount"] > 0]
        contacts = self._rows("service_contacts", cur, filters)
        nps = self._rows("nps_responses", cur, filters)["score"]
        web = self._rows("web_sessions", cur, filters)
        return {
            "revenue": now["amount"].sum(),
            "revenue_prior": then["amount"].sum(),
            "active": len(a),
            "prior_active": len(b),
            "retained": len(both),
            "cohort_rev_cur": both["rev"].sum(),
            "expansion": (both["rev"] - both["rev_prior"]).clip(lower=0).sum(),
            "gross_retained": both[["rev", "rev_prior"]].min(axis=1).clip(lower=0).sum(),
            "orders": len(placed),
            "order_value": placed["amount"].sum(),
            "customer_orders": int(placed["customer_id"].notna().sum()),
            "category_sum": a["cats"].sum(),
            "multi_category": int((a["cats"] >= 2).sum()),
            "new_customers": len(self._rows("customers", cur, filters)),
            "spend": self._rows("marketing_spend", cur, filters)["spend"].sum(),
            "spend_rows": len(self._rows("marketing_spend", cur, filters)),
            "contacts": len(contacts),
            "service_cost": contacts["cost"].sum(),
            "fcr_true": int(contacts["resolved_first_contact"].eq(True).sum()),
            "fcr_known": int(contacts["resolved_first_contact"].notna().sum()),
            "sla_true": int(contacts["within_sla"].eq(True).sum()),
            "sla_known": int(contacts["within_sla"].notna().sum()),
            "responses": len(nps),
            "promoters": int((nps >= 9).sum()),
            "passives": int(nps.between(7, 8).sum()),
            "detractors": int((nps <= 6).sum()),
            "sessions": len(web),
            "pageviews": web["pageviews"].sum(),
            "duration_sum": web["duration_s"].sum(),
            "conversions": int(web["converted"].sum()),
            "bounces": int((web["pageviews"] == 1).sum()),
        }


class PolarsLazyOverview(_TwoSlots):
    """The files scanned lazily; each view joins, filters and groups, then collects."""

    def __init__(self, folder: Path) -> None:
        scans = {name: pl.scan_parquet(folder / f"{name}.parquet") for name in DAYS}
        people = scans["customers"].select("customer_id", *DIMENSIONS)
        self.scans: dict[str, pl.LazyFrame] = {}
        for name, scan in scans.items():
            scan = scan.with_columns(pl.col(DAYS[name]).cast(pl.Date).alias("day"))
            if name in ("orders", "nps_responses", "service_contacts", "web_sessions"):
                own = "region" if name == "web_sessions" else None
                if own:
                    scan = scan.rename({"region": "own_region"})
                scan = scan.join(people, on="customer_id", how="left")
                if own:
                    scan = scan.with_columns(
                        pl.when(pl.col("customer_id").is_null())
                        .then(pl.col("own_region"))
                        .otherwise(pl.col("region"))
                        .alias("region")
                    )
            missing = [d for d in DIMENSIONS if d not in scan.collect_schema().names()]
            scan = scan.with_columns(*(pl.lit(None, pl.String).alias(d) for d in missing))
            self.scans[name] = scan.with_columns(pl.col(list(DIMENSIONS)).fill_null("Unknown"))

    def _rows(
        self, name: str, window: Period, filters: Mapping[str, Sequence[str]]
    ) -> pl.LazyFrame:
        mask = pl.col("day").is_between(window.start, window.end)
        for dim, members in filters.items():
            mask &= pl.col(dim).is_in(list(members))
        return self.scans[name].filter(mask)

    def _measures(
        self, cur: Period, prior: Period, filters: Mapping[str, Sequence[str]]
    ) -> dict[str, Any]:
        now = self._rows("orders", cur, filters)
        a = now.group_by("customer_id").agg(
            pl.col("amount").sum().alias("rev"),
            pl.len().alias("n"),
            pl.col("product_category").n_unique().alias("cats"),
        )
        b = (
            self._rows("orders", prior, filters)
            .group_by("customer_id")
            .agg(pl.col("amount").sum().alias("rev_prior"))
        )
        both = a.join(b, on="customer_id", how="inner")
        orders = pl.concat(
            [
                a.select(
                    pl.len().alias("active"),
                    pl.col("cats").sum().alias("category_sum"),
                    (pl.col("cats") >= 2).sum().alias("multi_category"),
                    pl.col("rev").sum().alias("revenue"),
                ),
                b.select(
                    pl.len().alias("prior_active"), pl.col("rev_prior").sum().alias("revenue_prior")
                ),
                both.select(
                    pl.len().alias("retained"),
                    pl.col("rev").sum().alias("cohort_rev_cur"),
                    (pl.col("rev") - pl.col("rev_prior"))
                    .clip(lower_bound=0)
                    .sum()
                    .alias("expansion"),
                    pl.min_horizontal("rev", "rev_prior")
                    .clip(lower_bound=0)
                    .sum()
                    .alias("gross_retained"),
                ),
                now.filter(pl.col("amount") > 0).select(
                    pl.len().alias("orders"),
                    pl.col("amount").sum().alias("order_value"),
                    pl.col("customer_id").count().alias("customer_orders"),
                ),
            ],
            how="horizontal",
        )
        frames = pl.collect_all(
            [
                orders,
                self._rows("customers", cur, filters).select(pl.len().alias("new_customers")),
                self._rows("marketing_spend", cur, filters).select(
                    pl.col("spend").sum().alias("spend"), pl.len().alias("spend_rows")
                ),
                self._rows("service_contacts", cur, filters).select(
                    pl.len().alias("contacts"),
                    pl.col("cost").sum().alias("service_cost"),
                    pl.col("resolved_first_contact").sum().alias("fcr_true"),
                    pl.col("resolved_first_contact").count().alias("fcr_known"),
                    pl.col("within_sla").sum().alias("sla_true"),
                    pl.col("within_sla").count().alias("sla_known"),
                ),
                self._rows("nps_responses", cur, filters).select(
                    pl.len().alias("responses"),
                    (pl.col("score") >= 9).sum().alias("promoters"),
                    pl.col("score").is_between(7, 8).sum().alias("passives"),
                    (pl.col("score") <= 6).sum().alias("detractors"),
                ),
                self._rows("web_sessions", cur, filters).select(
                    pl.len().alias("sessions"),
                    pl.col("pageviews").sum().alias("pageviews"),
                    pl.col("duration_s").sum().alias("duration_sum"),
                    pl.col("converted").sum().alias("conversions"),
                    (pl.col("pageviews") == 1).sum().alias("bounces"),
                ),
            ]
        )
        found: dict[str, Any] = {}
        for frame in frames:
            found.update(frame.row(0, named=True))
        return found


def same_kpis(a: Mapping[str, Any], b: Mapping[str, Any], tolerance: float = 1e-6) -> list[str]:
    """The KPIs on which two answers differ beyond float rounding."""
    differ = []
    for name, got in a.items():
        for part in ("value", "previous"):
            x, y = got[part], b[name][part]
            if (x is None) != (y is None) or (
                x is not None and abs(float(x) - float(y)) > tolerance * max(1.0, abs(float(y)))
            ):
                differ.append(f"{name}.{part}: {x} vs {y}")
    return differ
