"""The story behind the sample data: who the customers are and how they behave.

The sample data exists so an executive can explore the cockpit and find
something real in it. This module holds the story's parameters in one place
and simulates each customer's life month by month: signing up, being surveyed,
churning. Churn reacts to survey answers (a detractor answer raises a
customer's churn risk about twice as much as a promoter answer lowers it, as
the research says negative experiences weigh double), one region suffers a
service incident late in the range, and the billing journey breaks from April
2026 (its NPS falls, its customers then churn). `cxcore.data.sample` turns the simulated lives
into the export tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

import numpy as np

from cxcore.data.targets import Target

EPOCH = dt.date(1970, 1, 1)

SEGMENTS = ("Enterprise", "Mid-Market", "SMB", "Consumer")
SEGMENT_MIX = (0.08, 0.20, 0.32, 0.40)
# Customers who signed up before the range are survivors, so loyal segments weigh more.
ESTABLISHED_MIX = (0.13, 0.24, 0.27, 0.36)
REGIONS = ("North", "South", "East", "West", "Central")
REGION_MIX = (0.22, 0.20, 0.20, 0.22, 0.16)
TIERS = ("Gold", "Silver", "Bronze")
TIER_MIX = ((0.60, 0.30, 0.10), (0.35, 0.45, 0.20), (0.15, 0.45, 0.40), (0.10, 0.35, 0.55))
ACQUISITION = ("Paid search", "Referral", "Partner", "Organic", "Events")
ACQUISITION_MIX = (
    (0.10, 0.20, 0.30, 0.10, 0.30),
    (0.25, 0.20, 0.25, 0.15, 0.15),
    (0.35, 0.20, 0.15, 0.25, 0.05),
    (0.40, 0.20, 0.05, 0.32, 0.03),
)

# Orders per active month, mean order value, monthly churn hazard; by segment. Order values
# spread about 7x between segments: a wider spread gives customers' mean spends so heavy a
# tail that one Gamma-Gamma model over all of them has no finite mean (q <= 1), and the
# lifetime-value page could only be read one segment at a time.
ORDER_RATE = np.array([1.6, 1.3, 1.1, 0.75])
ORDER_VALUE = np.array([900.0, 500.0, 260.0, 130.0])
CHURN_HAZARD = np.array([0.010, 0.018, 0.032, 0.026])
REGION_CHURN = np.array([0.90, 1.10, 1.00, 0.85, 1.05])
REGION_RATE = np.array([1.05, 0.95, 1.00, 1.10, 0.90])
REGION_VALUE = np.array([1.10, 0.90, 1.00, 1.05, 0.85])
TIER_RATE = np.array([1.30, 1.00, 0.80])
TIER_CHURN = np.array([0.60, 1.00, 1.30])
# Paid search buys customers who leave: its cohorts retain visibly worse than the others.
ACQUISITION_CHURN = np.array([2.60, 0.80, 0.95, 1.00, 0.90])
# Latest NPS answer (detractor, none or passive, promoter) scales churn and buying.
SENTIMENT_CHURN = {-2: 4.0, -1: 1.8, 0: 1.0, 1: 0.6}  # -2: let down by the broken journey
SENTIMENT_ORDERS = {-1: 0.85, 0: 1.0, 1: 1.08}
SEASON = np.array([0.92, 0.90, 1.00, 1.00, 1.02, 0.98, 0.78, 0.72, 0.95, 1.08, 1.25, 1.38])
PRE_START_SHARE = 0.45
PRE_START_YEARS = 5

# The incident: East's service strains from February 2026, in full from March 2026.
INCIDENT_REGION = REGIONS.index("East")
INCIDENT_START = dt.date(2026, 2, 1)
INCIDENT_RAMP_MONTHS = 2
INCIDENT_CHURN = 3.5  # extra churn hazard multiple at full strain

JOURNEYS = ("onboarding", "purchase", "billing", "support", "renewal")
JOURNEY_MIX = (
    (0.00, 0.30, 0.20, 0.20, 0.30),
    (0.00, 0.33, 0.22, 0.22, 0.23),
    (0.00, 0.35, 0.25, 0.25, 0.15),
    (0.00, 0.45, 0.20, 0.25, 0.10),
)
ONBOARDING_DAYS = 75
TOUCHPOINTS = ("app", "web", "phone", "store", "email")
TOUCHPOINT_MIX = (
    (0.35, 0.30, 0.15, 0.10, 0.10),
    (0.30, 0.35, 0.05, 0.25, 0.05),
    (0.20, 0.30, 0.20, 0.05, 0.25),
    (0.15, 0.15, 0.45, 0.10, 0.15),
    (0.15, 0.25, 0.30, 0.05, 0.25),
)
DRIVERS = ("wait_time", "fairness", "app_usability", "price_clarity", "staff_courtesy")
# Fairness and wait time drive the score; courtesy barely moves it.
DRIVER_WEIGHT = np.array([0.30, 0.36, 0.12, 0.16, 0.06])
DRIVER_BASE = np.array([7.3, 7.5, 7.4, 7.3, 8.0])
SEGMENT_DRIVER = np.array(
    [
        [0.6, 0.4, 0.2, 0.3, 0.2],
        [0.2, 0.2, 0.0, 0.1, 0.1],
        [-0.5, -1.0, -0.1, -0.9, 0.0],
        [0.0, 0.1, 0.3, 0.0, 0.0],
    ]
)
REGION_DRIVER = np.array(
    [
        [0.2, 0.0, 0.0, 0.0, 0.0],
        [0.0, -0.2, 0.0, 0.0, 0.3],
        [-0.3, 0.0, 0.0, 0.0, 0.0],
        [0.2, 0.1, 0.1, 0.0, 0.0],
        [0.0, 0.0, -0.2, 0.0, 0.0],
    ]
)
JOURNEY_DRIVER = np.array(
    [
        [0.0, 0.0, -0.6, 0.0, 0.0],
        [0.2, 0.2, 0.2, 0.2, 0.0],
        [0.0, -0.5, 0.0, -0.7, 0.0],
        [-0.6, 0.0, 0.0, 0.0, 0.0],
        [0.0, -0.3, 0.0, 0.0, 0.0],
    ]
)
INCIDENT_DRIVER = np.array([-2.4, -0.4, 0.0, 0.0, -0.4])
# The billing journey breaks: a new invoicing system from April 2026 (in full from June) makes
# bills late and unclear, so billing answers turn sour and, through the churn that follows a
# detractor answer, those customers leave more in the quarters after.
DECLINING_JOURNEY = JOURNEYS.index("billing")
DECLINE_START = dt.date(2026, 4, 1)
DECLINE_RAMP_MONTHS = 3
DECLINE_DRIVER = np.array([-0.8, -1.4, 0.0, -1.6, 0.0])
# Chance each driver is asked, by journey: surveys ask what fits the journey.
DRIVER_ASKED = np.array(
    [
        [0.40, 0.70, 0.85, 0.50, 0.40],
        [0.35, 0.70, 0.60, 0.70, 0.35],
        [0.30, 0.90, 0.40, 0.90, 0.30],
        [0.95, 0.70, 0.30, 0.30, 0.80],
        [0.40, 0.85, 0.35, 0.80, 0.35],
    ]
)
# The targets the sample ships with: met overall, missed in East (the incident region).
SAMPLE_TARGETS = (
    Target("nps", 10, 5, 0),
    Target("nps", 0, -10, -20, region="East"),
    Target("churn_rate", 0.20, 0.25, 0.30),
    Target("sla_compliance", 0.85, 0.80, 0.70),
)
RESPONSE_RATE = 0.10  # monthly chance an active customer answers a survey
ONBOARDING_RESPONSE = 0.2
ANONYMOUS_SHARE = 0.05


@dataclass(frozen=True)
class Calendar:
    """Month windows of the range as epoch days, so all arithmetic stays in numpy."""

    first: np.ndarray
    last: np.ndarray
    month_of_year: np.ndarray
    progress: np.ndarray
    strain: np.ndarray

    @property
    def size(self) -> int:
        return len(self.first)


@dataclass(frozen=True)
class Population:
    """One entry per customer, in signup order, so ids follow signup dates."""

    segment: np.ndarray
    region: np.ndarray
    tier: np.ndarray
    acquisition: np.ndarray
    signup: np.ndarray
    activity: np.ndarray
    value: np.ndarray
    mood: np.ndarray

    @property
    def size(self) -> int:
        return len(self.signup)


@dataclass(frozen=True)
class Survey:
    """NPS answers; customer -1 marks an anonymous respondent."""

    customer: np.ndarray
    day: np.ndarray
    journey: np.ndarray
    touchpoint: np.ndarray
    ratings: np.ndarray
    score: np.ndarray


@dataclass(frozen=True)
class Lifecycle:
    """Each customer's active days per month (empty when hi < lo) and survey answers."""

    lo: np.ndarray
    hi: np.ndarray
    sentiment: np.ndarray
    survey: Survey


def epoch_day(day: dt.date) -> int:
    return (day - EPOCH).days


def build_calendar(start: dt.date, end: dt.date) -> Calendar:
    """Clip each calendar month to the range so partial months get fewer days."""
    months = np.arange(np.datetime64(start, "M"), np.datetime64(end, "M") + 1)
    first = np.maximum(months.astype("datetime64[D]"), np.datetime64(start, "D"))
    last = np.minimum((months + 1).astype("datetime64[D]") - 1, np.datetime64(end, "D"))
    incident = np.datetime64(INCIDENT_START, "M")
    since = (months - incident).astype(np.int64)
    strain = np.clip((since + 1) / INCIDENT_RAMP_MONTHS, 0.0, 1.0)
    return Calendar(
        first=first.astype(np.int64),
        last=last.astype(np.int64),
        month_of_year=months.astype(np.int64) % 12 + 1,
        progress=np.linspace(0.0, 1.0, len(months)),
        strain=strain,
    )


def choose(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """Draw one category per row of `probs`, vectorised."""
    cumulative = np.cumsum(probs, axis=1)
    cumulative /= cumulative[:, -1:]
    draws = rng.random(len(probs))[:, None]
    return (draws > cumulative).sum(axis=1)


def draw_population(rng: np.random.Generator, n: int, start: dt.date, end: dt.date) -> Population:
    """Personal multipliers make customers of one segment differ from each other too."""
    signup = _signup_days(rng, n, start, end)
    established = rng.choice(len(SEGMENTS), size=n, p=ESTABLISHED_MIX)
    newcomer = rng.choice(len(SEGMENTS), size=n, p=SEGMENT_MIX)
    segment = np.where(signup < epoch_day(start), established, newcomer)
    return Population(
        segment=segment,
        region=rng.choice(len(REGIONS), size=n, p=REGION_MIX),
        tier=choose(rng, np.array(TIER_MIX)[segment]),
        acquisition=choose(rng, np.array(ACQUISITION_MIX)[segment]),
        signup=signup,
        activity=rng.lognormal(-0.06, 0.35, size=n),
        value=rng.lognormal(-0.045, 0.3, size=n),
        mood=rng.normal(0.0, 0.6, size=n),
    )


def _signup_days(rng: np.random.Generator, n: int, start: dt.date, end: dt.date) -> np.ndarray:
    """Established customers predate the range; new ones arrive at a growing pace."""
    first, last = epoch_day(start), epoch_day(end)
    before = round(n * PRE_START_SHARE)
    history = 365 * PRE_START_YEARS
    old = first - 1 - np.floor(history * rng.beta(1.0, 2.2, size=before)).astype(np.int64)
    days = np.arange(first, last + 1)
    month = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    weights = (1.0 + 0.6 * (days - first) / max(last - first, 1)) * np.where(month == 0, 1.3, 1.0)
    new = rng.choice(days, size=n - before, p=weights / weights.sum())
    return np.sort(np.concatenate([old, new]))


def simulate(rng: np.random.Generator, pop: Population, cal: Calendar) -> Lifecycle:
    """Walk month by month: churn reacts to what customers said in earlier surveys."""
    n, months = pop.size, cal.size
    lo = np.ones((n, months), dtype=np.int64)
    hi = np.zeros((n, months), dtype=np.int64)
    sentiment = np.zeros((n, months), dtype=np.int8)
    alive = np.ones(n, dtype=bool)
    current = np.zeros(n, dtype=np.int8)
    chunks: list[Survey] = []
    for m in range(months):
        start = np.maximum(cal.first[m], pop.signup)
        present = alive & (pop.signup <= cal.last[m])
        churned, end = _churn(rng, pop, cal, m, current, start, present)
        alive &= ~churned
        active = present & (end >= start)
        lo[:, m] = np.where(active, start, 1)
        hi[:, m] = np.where(active, end, 0)
        sentiment[:, m] = current
        answers = _survey(rng, pop, cal, m, active, start, end)
        known = answers.customer[answers.customer >= 0]
        current[known] = _feeling(answers, answers.customer >= 0)
        chunks.append(answers)
    return Lifecycle(lo=lo, hi=hi, sentiment=sentiment, survey=_concat(chunks))


def _churn(
    rng: np.random.Generator,
    pop: Population,
    cal: Calendar,
    m: int,
    sentiment: np.ndarray,
    start: np.ndarray,
    present: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Churners stop on a random day of the month; others stay active to its end."""
    incident = 1.0 + INCIDENT_CHURN * cal.strain[m] * (pop.region == INCIDENT_REGION)
    feeling = np.select(
        [sentiment < -1, sentiment < 0, sentiment > 0],
        [SENTIMENT_CHURN[-2], SENTIMENT_CHURN[-1], SENTIMENT_CHURN[1]],
        1.0,
    )
    hazard = (
        CHURN_HAZARD[pop.segment]
        * REGION_CHURN[pop.region]
        * TIER_CHURN[pop.tier]
        * ACQUISITION_CHURN[pop.acquisition]
        * feeling
        * incident
    )
    span = np.maximum(cal.last[m] - start + 1, 0)
    full = cal.last[m] - cal.first[m] + 1
    churned = present & (rng.random(pop.size) < hazard * span / full)
    stop = start + np.floor(rng.random(pop.size) * span).astype(np.int64)
    return churned, np.where(churned, stop - 1, cal.last[m])


def _survey(
    rng: np.random.Generator,
    pop: Population,
    cal: Calendar,
    m: int,
    active: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
) -> Survey:
    """Survey a share of this month's active customers; new ones get onboarding surveys."""
    onboarding = (cal.last[m] - pop.signup) <= ONBOARDING_DAYS
    full = cal.last[m] - cal.first[m] + 1
    rate = np.where(onboarding, ONBOARDING_RESPONSE, RESPONSE_RATE) * (end - start + 1) / full
    who = np.flatnonzero(active & (rng.random(pop.size) < rate))
    day = start[who] + np.floor(rng.random(len(who)) * (end[who] - start[who] + 1)).astype(np.int64)
    journey = choose(rng, np.array(JOURNEY_MIX)[pop.segment[who]])
    journey = np.where(onboarding[who], 0, journey)
    touchpoint = choose(rng, np.array(TOUCHPOINT_MIX)[journey])
    latent = _latent_ratings(rng, pop, who, journey, cal.strain[m])
    latent = _declined(latent, journey, decline(cal.first[m]))
    score = _score(rng, latent)
    asked = rng.random(latent.shape) < DRIVER_ASKED[journey]
    anonymous = rng.random(len(who)) < ANONYMOUS_SHARE
    return Survey(
        customer=np.where(anonymous, -1, who),
        day=day,
        journey=journey,
        touchpoint=touchpoint,
        ratings=np.where(asked, latent, np.nan),
        score=score,
    )


def _latent_ratings(
    rng: np.random.Generator, pop: Population, who: np.ndarray, journey: np.ndarray, strain: float
) -> np.ndarray:
    """Every driver has a rating whether asked or not; asking only reveals it."""
    region = pop.region[who]
    mean = (
        DRIVER_BASE
        + SEGMENT_DRIVER[pop.segment[who]]
        + REGION_DRIVER[region]
        + JOURNEY_DRIVER[journey]
        + INCIDENT_DRIVER * strain * (region == INCIDENT_REGION)[:, None]
        + pop.mood[who, None]
    )
    noisy = mean + rng.normal(0.0, 1.5, size=mean.shape)
    return np.clip(np.rint(noisy), 1.0, 10.0)


def decline(first_day: int) -> float:
    """How far the billing journey has broken in the month starting `first_day` (0 to 1)."""
    day = EPOCH + dt.timedelta(days=int(first_day))
    since = (day.year - DECLINE_START.year) * 12 + day.month - DECLINE_START.month
    return float(np.clip((since + 1) / DECLINE_RAMP_MONTHS, 0.0, 1.0))


def _declined(ratings: np.ndarray, journey: np.ndarray, share: float) -> np.ndarray:
    """The declining journey's ratings pulled down by `share` of the decline, kept in 1-10."""
    shift = DECLINE_DRIVER * share * (journey == DECLINING_JOURNEY)[:, None]
    return np.clip(ratings + np.rint(shift), 1.0, 10.0)


def _score(rng: np.random.Generator, ratings: np.ndarray) -> np.ndarray:
    """A rating below par costs twice what the same distance above par earns."""
    gap = ratings - 7.5
    felt = np.where(gap < 0, 2.0 * gap, gap) @ DRIVER_WEIGHT
    latent = 9.2 + felt + rng.normal(0.0, 1.2, size=len(ratings))
    return np.clip(np.rint(latent), 0, 10).astype(np.int64)


def _feeling(answers: Survey, keep: np.ndarray) -> np.ndarray:
    """What an answer leaves behind: its NPS class, and -2 for a detractor of the broken
    journey (a billing grievance drives customers away far more than a middling one)."""
    felt = _nps_class(answers.score[keep])
    broken = (answers.journey[keep] == DECLINING_JOURNEY) & (felt < 0)
    return np.where(broken, -2, felt).astype(np.int8)


def _nps_class(score: np.ndarray) -> np.ndarray:
    return np.select([score >= 9, score <= 6], [1, -1], 0).astype(np.int8)


def _concat(chunks: list[Survey]) -> Survey:
    columns = (np.concatenate([getattr(c, f.name) for c in chunks]) for f in fields(Survey))
    return Survey(*columns)
