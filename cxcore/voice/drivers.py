"""Key drivers: how much each `driver_*` rating matters to the score, and how well it does.

For a view (period, customer filters, journey, touchpoint) the answers are read
one by one, and per driver over the answers that rated it: `importance` is the
Pearson correlation of the rating with `score`, `performance` the mean rating,
`responses` their number. `relative_weight` is Johnson's relative weight of the
driver in a regression of `score` on every driver, over the answers that rated
them all; the weights add up to that regression's R^2 (`r_squared`). Too few
ratings (under 30) or constant ones give nulls, never an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cxcore.analytics.relative_weights import pearson, relative_weights
from cxcore.data.contract import DRIVER_PREFIX
from cxcore.data.names import column_label
from cxcore.metrics.engine import Engine
from cxcore.metrics.survey import ratings_query
from cxcore.voice.scope import fetch, has_survey, survey_columns, survey_scope


def driver_columns(engine: Engine) -> tuple[str, ...]:
    """The survey's driver columns, in the order the export has them."""
    return tuple(c for c in survey_columns(engine) if c.startswith(DRIVER_PREFIX))


def key_drivers(
    engine: Engine,
    start: str | dt.date,
    end: str | dt.date,
    filters: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """`{"r_squared": R2, "drivers": [{"driver", "importance", "performance", "responses",
    "relative_weight"}, ...]}` for the answers of [start, end] that the filters keep."""
    period = engine.windows(start, end, "previous").current
    scope = survey_scope(engine, filters, answers=True)
    drivers = driver_columns(engine) if has_survey(engine) else ()
    if not drivers:
        return {"r_squared": None, "drivers": []}
    rows = fetch(engine, ratings_query(period, scope, drivers))
    table = np.array(rows, dtype=float).reshape(len(rows), len(drivers) + 1)
    return drivers_of(drivers, table[:, 1:], table[:, 0])


def drivers_of(names: Sequence[str], ratings: np.ndarray, score: np.ndarray) -> dict[str, Any]:
    """The contract's dictionary from a ratings table (NaN: not rated) and the scores."""
    weights = relative_weights(ratings, score)
    listed = []
    for index, name in enumerate(names):
        column = ratings[:, index]
        rated = ~np.isnan(column)
        listed.append(
            {
                "driver": name,
                "importance": pearson(column[rated], score[rated]),
                "performance": float(column[rated].mean()) if rated.any() else None,
                "responses": int(rated.sum()),
                "relative_weight": weights.weights[index],
            }
        )
    return {"r_squared": weights.r_squared, "drivers": listed}


@dataclass(frozen=True)
class Quadrant:
    """Where the importance and performance axes are split, and the driver to fix first.

    The split is at the mean importance and mean performance of the drivers that
    have an importance; "fix first" is the corner of high importance and low
    performance, and of the drivers in it the one with the largest weight (or,
    without weights, importance).
    """

    importance_split: float | None
    performance_split: float | None
    fix_first: str | None
    corner: tuple[str, ...]


def quadrant(result: Mapping[str, Any]) -> Quadrant:
    scored = [
        d for d in result["drivers"] if d["importance"] is not None and d["performance"] is not None
    ]
    if not scored:
        return Quadrant(None, None, None, ())
    importance = sum(d["importance"] for d in scored) / len(scored)
    performance = sum(d["performance"] for d in scored) / len(scored)
    corner = [d for d in scored if d["importance"] >= importance and d["performance"] < performance]
    ranked = sorted(
        corner,
        key=lambda d: (d["relative_weight"] or 0.0, d["importance"]),
        reverse=True,
    )
    first = ranked[0]["driver"] if ranked else None
    return Quadrant(importance, performance, first, tuple(d["driver"] for d in ranked))


def driver_label(name: str) -> str:
    """`driver_wait_time` -> `Wait time`."""
    return column_label(name.removeprefix(DRIVER_PREFIX))
