"""Deterministic sample data: six export tables an executive can explore.

`generate` writes the same bytes for the same arguments, so the shipped
`sample_data/` folder can be rebuilt and checked. The customers' lives come
from `cxcore.data.sample_story`; this module turns them into orders, survey
answers, service contacts, web sessions and marketing spend.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import cast

import numpy as np
import polars as pl

from cxcore.data.sample_columns import dates, ids, names, nullable, write
from cxcore.data.sample_story import (
    ACQUISITION,
    DRIVERS,
    INCIDENT_REGION,
    JOURNEYS,
    ORDER_RATE,
    ORDER_VALUE,
    REGION_MIX,
    REGION_RATE,
    REGION_VALUE,
    REGIONS,
    SAMPLE_TARGETS,
    SEASON,
    SEGMENTS,
    SENTIMENT_ORDERS,
    TIER_RATE,
    TIERS,
    TOUCHPOINTS,
    Calendar,
    Lifecycle,
    Population,
    Survey,
    build_calendar,
    choose,
    draw_population,
    simulate,
)
from cxcore.data.targets import TARGETS_FILE, dump

CATEGORIES = ("Core plan", "Add-ons", "Hardware", "Services", "Training")
CATEGORY_VALUE = np.array([1.0, 0.5, 1.6, 1.3, 0.7])
CATEGORY_MIX = np.array(
    [
        [0.30, 0.15, 0.20, 0.25, 0.10],
        [0.35, 0.20, 0.20, 0.15, 0.10],
        [0.45, 0.25, 0.15, 0.10, 0.05],
        [0.50, 0.30, 0.15, 0.03, 0.02],
    ]
)
FAVOURITE_SHARE = 0.65
ORDER_CHANNELS = ("web", "app", "store", "sales_rep", "partner")
ORDER_CHANNEL_MIX = np.array(
    [
        [0.10, 0.05, 0.00, 0.60, 0.25],
        [0.30, 0.10, 0.05, 0.35, 0.20],
        [0.45, 0.20, 0.15, 0.10, 0.10],
        [0.40, 0.35, 0.25, 0.00, 0.00],
    ]
)
REFUND_RATE = np.array([0.015, 0.02, 0.035, 0.03])
PRICE_GROWTH = 0.03  # per year

CONTACT_CHANNELS = ("phone", "chat", "email", "self_service")
CONTACT_RATE = np.array([0.45, 0.32, 0.30, 0.12])
CONTACT_MIX_START = np.array([0.40, 0.25, 0.20, 0.15])
CONTACT_MIX_END = np.array([0.27, 0.27, 0.14, 0.32])
HANDLE_MEAN_S = np.array([420.0, 540.0, 300.0, 90.0])
HOURLY_COST = np.array([48.0, 32.0, 26.0, 0.0])
FIXED_COST = np.array([1.5, 0.8, 1.2, 0.35])
SLA_RATE = np.array([0.88, 0.92, 0.85, np.nan])
FCR_RATE = np.array([0.74, 0.70, 0.58, 0.48])
ANONYMOUS_CONTACTS = 0.07

WEB_RATE = np.array([1.0, 1.2, 1.5, 1.9])
ANONYMOUS_SESSIONS = 0.30
DEVICES = ("desktop", "mobile", "tablet")
MOBILE = DEVICES.index("mobile")
BOUNCE = {"known": 0.34, "anonymous": 0.48}
CONVERSION = {"known": 0.10, "anonymous": 0.035}

SPEND_CHANNELS = ("Paid search", "Social", "Display", "Events", "Partner", "Referral")
DAILY_BUDGET = np.array([1500.0, 400.0, 500.0, 0.0, 1000.0, 200.0])
EVENT_DAY_RATE = 0.04
EVENT_BUDGET = 32500.0
SPEND_SEGMENT_SHARE = np.array(
    [
        [0.25, 0.35, 0.28, 0.12],
        [0.05, 0.20, 0.40, 0.35],
        [0.40, 0.30, 0.20, 0.10],
        [0.75, 0.25, 0.00, 0.00],
        [0.60, 0.30, 0.10, 0.00],
        [0.30, 0.30, 0.30, 0.10],
    ]
)
UNATTRIBUTED_SPEND = 0.02
BUDGET_CUSTOMERS = 6000  # the budgets above suit this many customers; spend scales with size

COMMENTS = {
    "wait_time": ("Waited far too long to reach anyone.", "Quick answer, no waiting at all."),
    "fairness": ("The fees felt unfair to me.", "They treated me fairly and kept their word."),
    "app_usability": ("The app is confusing and keeps logging me out.", "The app makes it easy."),
    "price_clarity": ("I could not make sense of my invoice.", "Pricing is clear and simple."),
    "staff_courtesy": ("Staff were curt with me.", "Friendly, helpful staff."),
}
COMMENT_SHARE = 0.3


def generate(
    out_dir: Path | str,
    customers: int = 6000,
    seed: int = 7,
    start: dt.date = dt.date(2024, 1, 1),
    end: dt.date = dt.date(2026, 9, 30),
) -> dict[str, int]:
    """Write the six tables and the sample's targets file into `out_dir`; returns rows
    written per table."""
    if customers < 1 or end < start:
        raise ValueError("need at least one customer and start <= end")
    rng = np.random.default_rng(seed)
    cal = build_calendar(start, end)
    tables = {
        **customer_tables(rng, customers, cal, start, end),
        "marketing_spend": spend_table(rng, cal, customers / BUDGET_CUSTOMERS),
    }
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        write(frame, folder / f"{name}.parquet")
    (folder / TARGETS_FILE).write_text(dump(SAMPLE_TARGETS), encoding="utf-8")
    return {name: frame.height for name, frame in tables.items()}


def customer_tables(
    rng: np.random.Generator, customers: int, cal: Calendar, start: dt.date, end: dt.date
) -> dict[str, pl.DataFrame]:
    """The five tables of `customers` simulated lives, drawn from `rng` in one order, so a
    seed gives the same rows to the sample and to each chunk of the benchmark's data."""
    pop = draw_population(rng, customers, start, end)
    life = simulate(rng, pop, cal)
    return {
        "customers": customers_table(pop),
        "orders": orders_table(rng, pop, cal, life),
        "nps_responses": nps_table(rng, life.survey),
        "service_contacts": contacts_table(rng, pop, cal, life),
        "web_sessions": sessions_table(rng, pop, cal, life),
    }


def customers_table(pop: Population) -> pl.DataFrame:
    return pl.DataFrame(
        [
            ids("customer_id", "C", np.arange(1, pop.size + 1), 6),
            names("segment", SEGMENTS, pop.segment),
            names("region", REGIONS, pop.region),
            dates("signup_date", pop.signup),
            names("acquisition_channel", ACQUISITION, pop.acquisition),
            names("tier", TIERS, pop.tier),
        ]
    )


def orders_table(
    rng: np.random.Generator, pop: Population, cal: Calendar, life: Lifecycle
) -> pl.DataFrame:
    """Buying follows season, segment, tier and mood; some orders come back as refunds."""
    favourite = choose(rng, CATEGORY_MIX[pop.segment])
    personal = (
        ORDER_RATE[pop.segment] * REGION_RATE[pop.region] * TIER_RATE[pop.tier] * pop.activity
    )
    mood = np.select(
        [life.sentiment < 0, life.sentiment > 0], [SENTIMENT_ORDERS[-1], SENTIMENT_ORDERS[1]], 1.0
    )
    rate = personal[:, None] * SEASON[cal.month_of_year - 1][None, :] * mood
    who, month, day = _spread(rng, life.lo, life.hi, rate)
    segment = pop.segment[who]
    mixed = choose(rng, CATEGORY_MIX[segment])
    category = np.where(rng.random(len(who)) < FAVOURITE_SHARE, favourite[who], mixed)
    years = (day - cal.first[0]) / 365.25
    amount = (
        ORDER_VALUE[segment]
        * REGION_VALUE[pop.region[who]]
        * pop.value[who]
        * CATEGORY_VALUE[category]
        * rng.lognormal(-0.18, 0.6, size=len(who))
        * (1.0 + PRICE_GROWTH * years)
    )
    strained = cal.strain[month] * (pop.region[who] == INCIDENT_REGION)
    refund = rng.random(len(who)) < REFUND_RATE[segment] + 0.02 * strained
    amount = np.where(refund, -amount * rng.uniform(0.2, 1.0, size=len(who)), amount)
    channel = choose(rng, ORDER_CHANNEL_MIX[segment])
    rows = np.lexsort((who, day))
    return pl.DataFrame(
        [
            ids("order_id", "O", np.arange(1, len(rows) + 1), 7),
            ids("customer_id", "C", who[rows] + 1, 6),
            dates("order_date", day[rows]),
            names("product_category", CATEGORIES, category[rows]),
            pl.Series("amount", np.round(amount[rows], 2)),
            names("channel", ORDER_CHANNELS, channel[rows]),
        ]
    )


def nps_table(rng: np.random.Generator, survey: Survey) -> pl.DataFrame:
    rows = np.lexsort((survey.customer, survey.day))
    comment = _comments(rng, survey)[rows]
    columns = [
        ids("response_id", "R", np.arange(1, len(rows) + 1), 6),
        ids("customer_id", "C", survey.customer[rows] + 1, 6),
        dates("response_date", survey.day[rows]),
        pl.Series("score", survey.score[rows], dtype=pl.Int64),
        names("journey", JOURNEYS, survey.journey[rows]),
        names("touchpoint", TOUCHPOINTS, survey.touchpoint[rows]),
    ]
    for i, driver in enumerate(DRIVERS):
        ratings = survey.ratings[rows, i]
        columns.append(pl.Series(f"driver_{driver}", ratings, nan_to_null=True))
    columns.append(pl.Series("comment", comment.tolist(), dtype=pl.String))
    return pl.DataFrame(columns)


def _comments(rng: np.random.Generator, survey: Survey) -> np.ndarray:
    """Unhappy people name their worst asked driver, happy ones their best."""
    asked = ~np.isnan(survey.ratings)
    low = np.where(asked, survey.ratings, np.inf).argmin(axis=1)
    high = np.where(asked, survey.ratings, -np.inf).argmax(axis=1)
    promoter = survey.score >= 9
    pick = np.where(promoter, high, low)
    texts = np.array(
        [COMMENTS[d][0] for d in DRIVERS] + [COMMENTS[d][1] for d in DRIVERS], dtype=object
    )
    comment = texts[pick + len(DRIVERS) * promoter]
    keep = asked.any(axis=1) & (rng.random(len(pick)) < COMMENT_SHARE)
    return cast(np.ndarray, np.where(keep, comment, None))  # the stubs miss this overload


def contacts_table(
    rng: np.random.Generator, pop: Population, cal: Calendar, life: Lifecycle
) -> pl.DataFrame:
    """Self-service grows over time; East's incident slows and fails its contacts."""
    east = (pop.region == INCIDENT_REGION)[:, None]
    detractor = np.where(life.sentiment < 0, 1.3, 1.0)
    rate = CONTACT_RATE[pop.segment][:, None] * (1.0 + 0.7 * cal.strain[None, :] * east) * detractor
    who, month, day = _spread(rng, life.lo, life.hi, rate)
    progress = cal.progress[month][:, None]
    channel = choose(rng, CONTACT_MIX_START + progress * (CONTACT_MIX_END - CONTACT_MIX_START))
    strained = cal.strain[month] * (pop.region[who] == INCIDENT_REGION)
    size = len(who)
    handle = HANDLE_MEAN_S[channel] * rng.lognormal(-0.125, 0.5, size=size) * (1 + 0.35 * strained)
    handle = np.rint(handle)
    cost = np.round(FIXED_COST[channel] + handle / 3600.0 * HOURLY_COST[channel], 2)
    sla = rng.random(size) < SLA_RATE[channel] - 0.45 * strained
    fcr = rng.random(size) < FCR_RATE[channel] - 0.15 * strained
    customer = np.where(rng.random(size) < ANONYMOUS_CONTACTS, -1, who)
    rows = np.lexsort((customer, day))
    return pl.DataFrame(
        [
            ids("contact_id", "K", np.arange(1, size + 1), 7),
            ids("customer_id", "C", customer[rows] + 1, 6),
            dates("contact_date", day[rows]),
            names("channel", CONTACT_CHANNELS, channel[rows]),
            pl.Series("cost", cost[rows]),
            nullable("handle_time_s", handle[rows].astype(np.int64), rng.random(size) < 0.03),
            nullable("resolved_first_contact", fcr[rows], rng.random(size) < 0.04),
            nullable(
                "within_sla",
                sla[rows],
                (rng.random(size) < 0.03)
                | (channel[rows] == CONTACT_CHANNELS.index("self_service")),
            ),
        ]
    )


def sessions_table(
    rng: np.random.Generator, pop: Population, cal: Calendar, life: Lifecycle
) -> pl.DataFrame:
    """Known customers browse while active; anonymous visitors add ~30% more sessions."""
    rate = WEB_RATE[pop.segment][:, None] * SEASON[cal.month_of_year - 1][None, :]
    who, month, day = _spread(rng, life.lo, life.hi, rate)
    anon_month, anon_day = _anonymous_days(rng, cal, month)
    anon_region = rng.choice(len(REGIONS), size=len(anon_day), p=REGION_MIX)
    anon_region = np.where(rng.random(len(anon_day)) < 0.1, -1, anon_region)
    customer = np.concatenate([who, np.full(len(anon_day), -1)])
    month = np.concatenate([month, anon_month])
    day = np.concatenate([day, anon_day])
    region = np.concatenate([np.full(len(who), -1), anon_region])
    known = customer >= 0
    size = len(day)
    mobile = 0.42 + 0.16 * cal.progress[month]
    device = choose(rng, np.stack([0.92 - mobile, mobile, np.full(size, 0.08)], axis=1))
    bounce_rate = np.where(known, BOUNCE["known"], BOUNCE["anonymous"]) + 0.05 * (device == MOBILE)
    bounced = rng.random(size) < bounce_rate
    pages = np.where(bounced, 1, 1 + rng.geometric(0.3, size=size))
    browse = pages * 50.0 * rng.lognormal(-0.2, 0.6, size=size)
    duration = np.rint(np.where(bounced, rng.exponential(15.0, size=size), browse))
    convert = np.where(known, CONVERSION["known"], CONVERSION["anonymous"])
    converted = ~bounced & (rng.random(size) < convert)
    rows = np.lexsort((customer, day))
    return pl.DataFrame(
        [
            ids("session_id", "W", np.arange(1, size + 1), 7),
            ids("customer_id", "C", customer[rows] + 1, 6),
            dates("session_date", day[rows]),
            pl.Series("pageviews", pages[rows], dtype=pl.Int64),
            pl.Series("duration_s", duration[rows].astype(np.int64)),
            pl.Series("converted", converted[rows]),
            names("device", DEVICES, device[rows]),
            names("region", REGIONS, region[rows]),
        ]
    )


def _anonymous_days(
    rng: np.random.Generator, cal: Calendar, known_month: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Anonymous traffic tracks known traffic month by month."""
    known = np.bincount(known_month, minlength=cal.size)
    ratio = ANONYMOUS_SESSIONS / (1.0 - ANONYMOUS_SESSIONS)
    counts = rng.poisson(known * ratio)
    month = np.repeat(np.arange(cal.size), counts)
    span = cal.last[month] - cal.first[month] + 1
    return month, cal.first[month] + np.floor(rng.random(len(month)) * span).astype(np.int64)


def spend_table(rng: np.random.Generator, cal: Calendar, scale: float) -> pl.DataFrame:
    """Daily spend per channel, split over segments and regions; events are lumpy.

    Spend scales with the customer count so acquisition cost stays believable.
    """
    days = np.arange(cal.first[0], cal.last[-1] + 1)
    month = np.searchsorted(cal.first, days, side="right") - 1
    pulse = (1.0 + 0.3 * cal.progress[month]) * (
        1.0 + 0.5 * (SEASON[cal.month_of_year[month] - 1] - 1.0)
    )
    events = np.where(rng.random(len(days)) < EVENT_DAY_RATE, EVENT_BUDGET, 0.0)
    budget = np.broadcast_to(DAILY_BUDGET, (len(days), len(SPEND_CHANNELS))).copy()
    budget[:, SPEND_CHANNELS.index("Events")] = events
    budget *= scale * pulse[:, None]
    share = SPEND_SEGMENT_SHARE[:, :, None] * np.array(REGION_MIX)[None, None, :]
    spend = budget[:, :, None, None] * share[None, :, :, :]
    grid = np.indices(spend.shape).reshape(4, -1)
    flat = spend.ravel()
    keep = flat > 0
    day_i, channel, segment, region = (axis[keep] for axis in grid)
    amount = np.round(flat[keep] * rng.gamma(8.0, 1.0 / 8.0, size=int(keep.sum())), 2)
    segment = np.where(rng.random(len(amount)) < UNATTRIBUTED_SPEND, -1, segment)
    region = np.where(rng.random(len(amount)) < UNATTRIBUTED_SPEND, -1, region)
    return pl.DataFrame(
        [
            dates("spend_date", days[day_i]),
            names("channel", SPEND_CHANNELS, channel),
            pl.Series("spend", amount),
            names("segment", SEGMENTS, segment),
            names("region", REGIONS, region),
        ]
    )


def _spread(
    rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray, rate: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson events per customer-month (rate per 30 days), each on a uniform active day."""
    span = np.maximum(hi - lo + 1, 0)
    counts = rng.poisson(rate * span / 30.44)
    flat = np.repeat(np.arange(counts.size), counts.ravel())
    who, month = np.divmod(flat, counts.shape[1])
    day = lo[who, month] + np.floor(rng.random(len(flat)) * span[who, month]).astype(np.int64)
    return who, month, day
