"""Exports made without the project's generator, to check the cockpit on data it did not shape.

Nothing here comes from `cxcore.data.sample`: its own seeded numpy draws, its
own members and its own conventions, the kind a real company's exports have.
Customer ids are integers (and some orders name customers the customer
table lacks); order dates are timestamps with a time of day; rows are in no
particular order; amounts are floats with refunds; anonymous web sessions
carry a region; customers have a `loyalty` column the cockpit should find as
a dimension and an `email` column it should not; one region has no orders
at all in February 2025. Written chunk by chunk, so a million customers fit
in bounded memory:

    python -m tests.bench.independent OUT --customers 1000000
    cx-cockpit bench --data OUT --work bench-independent
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

FIRST, LAST = dt.date(2023, 7, 1), dt.date(2026, 6, 30)
DAYS = (LAST - FIRST).days + 1
SEGMENTS = ("Retail", "Small business", "Mid-market", "Enterprise", "Public sector")
REGIONS = ("Nordics", "DACH", "Benelux", "Iberia", "UK & Ireland", "CEE")
LOYALTY = ("none", "silver", "gold")
CATEGORIES = ("Hardware", "Software", "Support plan", "Training", "Accessories", "Cloud")
CHANNELS = ("web", "store", "partner", "phone")
QUIET = ("CEE", dt.date(2025, 2, 1), dt.date(2025, 2, 28))  # no orders in this month
CHUNK = 100_000
ID_BASE = 10_000_000


def _text(prefix: str, numbers: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(numbers), pa.string()), "")


def _days(offsets: np.ndarray) -> pa.Array:
    return pa.array(np.datetime64(FIRST, "D") + offsets.astype("timedelta64[D]"))


def _pick(
    rng: np.random.Generator, members: Sequence[str], n: int, weights: Sequence[float]
) -> pa.Array:
    chosen = rng.choice(len(members), size=n, p=np.asarray(weights) / sum(weights))
    return pa.array(np.asarray(members, dtype=object)[chosen], pa.string())


class Chunk:
    """One block of customers and everything they did, drawn from its own seed."""

    def __init__(self, index: int, customers: int, seed: int) -> None:
        self.rng = np.random.default_rng([seed, index])
        self.index, self.n = index, customers
        rng = self.rng
        self.ids = ID_BASE + 3 * (index * CHUNK + np.arange(customers, dtype=np.int64))
        self.signup = rng.integers(0, DAYS - 30, customers)
        stay = rng.exponential(700, customers).astype(np.int64) + 30
        self.leave = np.minimum(self.signup + stay, DAYS - 1)
        self.segment = rng.choice(len(SEGMENTS), customers, p=[0.4, 0.3, 0.15, 0.1, 0.05])
        self.region = rng.choice(len(REGIONS), customers)

    def customers(self) -> pa.Table:
        rng, n = self.rng, self.n
        return pa.table(
            {
                "customer_id": pa.array(self.ids),
                "segment": pa.array(np.asarray(SEGMENTS, dtype=object)[self.segment], pa.string()),
                "region": pa.array(np.asarray(REGIONS, dtype=object)[self.region], pa.string()),
                "signup_date": _days(self.signup),
                "loyalty": _pick(rng, LOYALTY, n, [0.6, 0.3, 0.1]),
                "email": _text("person", self.ids),
            }
        )

    def _events(self, per_customer: float) -> tuple[np.ndarray, np.ndarray]:
        """Whose event each is and its day, inside each customer's active days."""
        rate = self.rng.gamma(2.0, per_customer / 2.0, self.n)
        counts = self.rng.poisson(rate)
        who = np.repeat(np.arange(self.n), counts)
        span = self.leave[who] - self.signup[who] + 1
        return who, self.signup[who] + (self.rng.random(len(who)) * span).astype(np.int64)

    def orders(self, first_id: int) -> pa.Table:
        rng = self.rng
        who, day = self._events(20.0)
        quiet = (np.asarray(REGIONS)[self.region[who]] == QUIET[0]) & (
            (day >= (QUIET[1] - FIRST).days) & (day <= (QUIET[2] - FIRST).days)
        )
        who, day = who[~quiet], day[~quiet]
        n = len(who)
        customer = self.ids[who].copy()
        strangers = rng.random(n) < 0.03  # customers the customer export does not have
        customer[strangers] += 1
        amount = np.round(rng.lognormal(4.0, 1.0, n), 2)
        amount[rng.random(n) < 0.04] *= -1  # refunds
        seconds = rng.integers(0, 86_400, n).astype("timedelta64[s]")
        stamp = np.datetime64(FIRST, "s") + day.astype("timedelta64[D]") + seconds
        order = rng.permutation(n)  # exports are in no particular order
        table = pa.table(
            {
                "order_id": _text("ORD-", first_id + np.arange(n)),
                "customer_id": pa.array(customer),
                "order_date": pa.array(stamp),
                "product_category": _pick(rng, CATEGORIES, n, [5, 3, 2, 1, 4, 2]),
                "amount": pa.array(amount),
                "channel": _pick(rng, CHANNELS, n, [5, 2, 1, 1]),
            }
        )
        return table.take(pa.array(order))

    def sessions(self, first_id: int) -> pa.Table:
        rng = self.rng
        who, day = self._events(12.0)
        anonymous = int(len(who) * 0.4)
        n = len(who) + anonymous
        customer = pa.array(
            np.concatenate([self.ids[who], np.zeros(anonymous, np.int64)]),
            mask=np.arange(n) >= len(who),
        )
        days = np.concatenate([day, rng.integers(0, DAYS, anonymous)])
        own_region = np.concatenate([self.region[who], rng.integers(0, len(REGIONS), anonymous)])
        pageviews = rng.geometric(0.35, n)
        return pa.table(
            {
                "session_id": pa.array(first_id + np.arange(n, dtype=np.int64)),
                "customer_id": customer,
                "session_date": _days(days),
                "pageviews": pa.array(pageviews),
                "duration_s": pa.array(np.round(pageviews * rng.exponential(40.0, n), 1)),
                "converted": pa.array(rng.random(n) < 0.03 * np.minimum(pageviews, 5)),
                "region": pa.array(np.asarray(REGIONS, dtype=object)[own_region], pa.string()),
            }
        )

    def contacts(self, first_id: int) -> pa.Table:
        rng = self.rng
        who, day = self._events(2.0)
        n = len(who)
        resolved = rng.random(n) < 0.7
        return pa.table(
            {
                "contact_id": _text("CASE/", first_id + np.arange(n)),
                "customer_id": pa.array(self.ids[who]),
                "contact_date": _days(day),
                "channel": _pick(rng, ("phone", "chat", "email"), n, [3, 2, 1]),
                "cost": pa.array(np.round(rng.gamma(2.0, 4.5, n), 2)),
                "resolved_first_contact": pa.array(resolved, mask=rng.random(n) < 0.05),
                "within_sla": pa.array(rng.random(n) < 0.85),
            }
        )

    def responses(self, first_id: int) -> pa.Table:
        rng = self.rng
        who, day = self._events(0.5)
        n = len(who)
        mood = 0.15 * (self.segment[who] >= 3) - 0.1 * (self.region[who] == 5)
        score = np.clip(np.round(rng.normal(7.2 + 3 * mood, 2.2, n)), 0, 10).astype(np.int64)
        return pa.table(
            {
                "response_id": _text("NPS", first_id + np.arange(n)),
                "customer_id": pa.array(self.ids[who]),
                "response_date": _days(day),
                "score": pa.array(score),
            }
        )


def spend(seed: int) -> pa.Table:
    """Daily spend per channel, segment and region, over the whole span."""
    rng = np.random.default_rng([seed, 999_999])
    keys = [(c, s, r) for c in ("search", "social", "tv") for s in SEGMENTS for r in REGIONS]
    days = np.repeat(np.arange(DAYS), len(keys))
    picked = np.tile(np.arange(len(keys)), DAYS)
    column = {name: [k[i] for k in keys] for i, name in enumerate(("channel", "segment", "region"))}
    return pa.table(
        {
            "spend_date": _days(days),
            **{
                name: pa.array(np.asarray(values, dtype=object)[picked], pa.string())
                for name, values in column.items()
            },
            "spend": pa.array(np.round(rng.gamma(2.0, 30.0, len(days)), 2)),
        }
    )


def write(folder: Path, customers: int, seed: int = 11) -> dict[str, int]:
    """The six exports for `customers` customers in `folder`; rows written per table."""
    folder.mkdir(parents=True, exist_ok=True)
    makers: dict[str, Callable[[Chunk, int], pa.Table]] = {
        "customers": lambda c, _: c.customers(),
        "orders": Chunk.orders,
        "web_sessions": Chunk.sessions,
        "service_contacts": Chunk.contacts,
        "nps_responses": Chunk.responses,
    }
    rows = dict.fromkeys(makers, 0)
    with ExitStack() as stack:
        writers: dict[str, pq.ParquetWriter] = {}
        for index, start in enumerate(range(0, customers, CHUNK)):
            chunk = Chunk(index, min(CHUNK, customers - start), seed)
            for name, make in makers.items():
                table = make(chunk, 1_000_000 + rows[name])
                if name not in writers:
                    path = folder / f"{name}.parquet"
                    writers[name] = stack.enter_context(pq.ParquetWriter(path, table.schema))
                writers[name].write_table(table)
                rows[name] += table.num_rows
    spent = spend(seed)
    pq.write_table(spent, folder / "marketing_spend.parquet")
    rows["marketing_spend"] = spent.num_rows
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    for name, count in write(args.out, args.customers, args.seed).items():
        print(f"{name:18} {count:>12,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
