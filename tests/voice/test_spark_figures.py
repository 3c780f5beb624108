"""DuckDB and Spark give the same voice-of-customer and economics figures, to the last digit.

The figures built after the KPIs (significance, key drivers, journeys, the value
of experience, why a KPI moved, cohorts and lifetime value) run their own
queries: survey answers one by one, answering customers' next-period orders,
purchase days per customer. Each is asked on both engines over the same
published versions (the shipped sample, a small generated one and the odd data
of the KPI parity suite), with filters, with answer attributes as filters and
from the fact rows. Every query's raw rows must match, and so must the results
with every number tagged by its type (floats bit for bit: they are computed
once, in Python, from those rows). The lifetime-value fit is numerical, but it
is fitted on inputs that are identical element by element, so its figures are
identical too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from cxcore import Cockpit
from cxcore.analytics.clv_inputs import customer_inputs
from cxcore.analytics.clv_report import ModelError
from cxcore.metrics.cohorts import cohorts
from cxcore.metrics.engine import Engine
from tests.spark_parity import assert_same_rows, forget_queries, typed

Filters = dict[str, list[str]]
# (start, end, compare, filters of the customer dimensions) per data set.
VIEWS: dict[str, list[tuple[str, str, str, Filters]]] = {
    "shipped": [
        ("2026-07-01", "2026-09-30", "previous", {}),
        ("2026-01-01", "2026-06-30", "yoy", {"region": ["East", "West"]}),
    ],
    "sample": [
        ("2025-01-01", "2025-12-31", "previous", {}),
        ("2025-02-03", "2025-05-09", "yoy", {"segment": ["SMB"]}),
    ],
    "odd": [
        ("2024-01-01", "2024-03-31", "previous", {}),
        ("2024-02-29", "2024-02-29", "previous", {"segment": ["Ünïcode — 企業"]}),
    ],
}
MOVED = ("revenue", "active_customers", "nps")
# Answers' own attributes as filters (key drivers allow them), beside a dimension.
ANSWER_FILTERS: dict[str, Filters] = {
    "shipped": {"journey": ["billing"], "region": ["East"]},
    "sample": {"touchpoint": ["app", "phone"]},
    "odd": {"segment": ["SMB"]},  # the odd answers have neither column
}
CALIBRATION = {"shipped": "2026-03-31", "sample": "2025-06-30", "odd": "2024-03-31"}


def _both(engines: dict[str, tuple[Cockpit, Cockpit]], data: str) -> tuple[Cockpit, Cockpit]:
    return engines[data]


def _same(duck: Any, sparked: Any, label: Any) -> None:
    assert typed(sparked) == typed(duck), label


def _clv(cockpit: Cockpit, calibration: dt.date, filters: Filters, by: str | None) -> Any:
    """The figures, or the error a user would read: both engines must say the same."""
    try:
        return cockpit.clv(calibration, 12, 0.01, filters, by)
    except ModelError as err:
        return ("ModelError", str(err))


@pytest.fixture(autouse=True)
def _queries_of_this_test_only(engines: dict[str, tuple[Cockpit, Cockpit]]) -> None:
    forget_queries(engines)


@pytest.mark.parametrize("data", ["shipped", "sample", "odd"])
def test_voice_figures_are_identical(
    engines: dict[str, tuple[Cockpit, Cockpit]], data: str
) -> None:
    duck, sparked = _both(engines, data)
    for start, end, compare, filters in VIEWS[data]:
        view = (start, end, compare, filters)
        _same(duck.drivers(start, end, filters), sparked.drivers(start, end, filters), view)
        for figure in ("nps_value", "journeys", "changes"):
            asked = [getattr(c, figure)(start, end, compare, filters) for c in (duck, sparked)]
            duck_figure, spark_figure = asked
            _same(duck_figure, spark_figure, (figure, view))
        for kpi in MOVED:
            for by in ("segment", "region"):
                asked = [
                    c.why_it_moved(kpi, start, end, compare, filters, by) for c in (duck, sparked)
                ]
                duck_moved, spark_moved = asked
                _same(duck_moved, spark_moved, (kpi, by, view))
    start, end, _, _ = VIEWS[data][0]
    chosen = ANSWER_FILTERS[data]
    _same(duck.drivers(start, end, chosen), sparked.drivers(start, end, chosen), chosen)
    assert_same_rows(duck, sparked)


def test_the_shipped_sample_gives_real_voice_figures(
    engines: dict[str, tuple[Cockpit, Cockpit]],
) -> None:
    """Equal nulls would prove little: on the shipped sample every figure has numbers.
    (Both engines are asked, so the recorded queries stay in pairs.)"""
    duck, sparked = _both(engines, "shipped")
    start, end, compare, _ = VIEWS["shipped"][0]
    found, expected = (c.drivers("2025-10-01", end) for c in (sparked, duck))
    _same(expected, found, "drivers over a year")
    assert found["r_squared"] is not None
    assert all(d["relative_weight"] is not None for d in found["drivers"])
    journeys = sparked.journeys(start, end, compare)
    assert journeys["journey"]["prediction"]["retention"] is not None
    assert any(m["next_period"]["revenue_per_customer"] for m in journeys["journey"]["members"])
    moved = sparked.why_it_moved("revenue", start, end, compare)
    assert moved["decomposition"]["members"]


@pytest.mark.parametrize("data", ["shipped", "sample", "odd"])
def test_cohorts_are_identical(engines: dict[str, tuple[Cockpit, Cockpit]], data: str) -> None:
    """Both bases, with and without filters, from the cohorts rollup and from the fact rows."""
    duck, sparked = _both(engines, data)
    start, end, _, filters = VIEWS[data][1]
    first = dt.date.fromisoformat(start).replace(day=1) - dt.timedelta(days=200)
    asked = 0
    for use_rollups in (True, False):
        pair = [Engine(c.dataset, c.executor, use_rollups=use_rollups) for c in (duck, sparked)]
        for basis in ("first_order", "signup"):
            for chosen in ({}, filters):
                results = [cohorts(e, first, end, chosen, basis) for e in pair]
                duck_cohorts, spark_cohorts = results
                _same(duck_cohorts, spark_cohorts, (use_rollups, basis, chosen))
                asked += bool(results[0]["cohorts"])
    assert asked, "no cohort at all proves nothing"
    assert_same_rows(duck, sparked)


@pytest.mark.parametrize("data", ["shipped", "sample", "odd"])
def test_lifetime_value_inputs_and_figures_are_identical(
    engines: dict[str, tuple[Cockpit, Cockpit]], data: str
) -> None:
    duck, sparked = _both(engines, data)
    calibration = dt.date.fromisoformat(CALIBRATION[data])
    holdout = calibration + dt.timedelta(days=90)
    filters = VIEWS[data][1][3]
    for chosen in ({}, filters):
        inputs = [customer_inputs(c, calibration, chosen, holdout) for c in (duck, sparked)]
        assert inputs[1].customer_ids.to_pylist() == inputs[0].customer_ids.to_pylist()
        members = [{d: m.each() for d, m in i.members.items()} for i in inputs]
        assert members[1] == members[0]
        for name in ("x", "t_x", "T", "m", "holdout_purchases"):
            assert np.array_equal(getattr(inputs[1], name), getattr(inputs[0], name)), name
        for by in (None, "segment"):
            figures = [_clv(c, calibration, chosen, by) for c in (duck, sparked)]
            duck_clv, spark_clv = figures
            _same(duck_clv, spark_clv, (chosen, by))
    assert len(inputs[0]) > 0
    assert_same_rows(duck, sparked)


def test_the_shipped_sample_gives_a_lifetime_value(
    engines: dict[str, tuple[Cockpit, Cockpit]],
) -> None:
    duck, sparked = _both(engines, "shipped")
    calibration = CALIBRATION["shipped"]
    figures, expected = (c.clv(calibration, 12, 0.01, None, "segment") for c in (sparked, duck))
    _same(expected, figures, "clv by segment")
    assert figures["customers"] > 1000
    assert figures["by"] and figures["mean_clv"] > 0
