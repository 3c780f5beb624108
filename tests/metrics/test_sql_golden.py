"""Golden snapshots of the SQL each query shape produces.

A change to the generated SQL shows up as a readable diff here. To accept an
intended change, run the tests with UPDATE_GOLDEN=1 and review the files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest
from sqlglot import exp

from cxcore.data.dataset import dim_column
from cxcore.metrics.measures import Window
from cxcore.metrics.periods import Compare, Windows, period
from cxcore.metrics.query import Selection, additive_query, customer_query, view_slots
from cxcore.metrics.rollups import pair_query, rolled, window_query
from cxcore.sqlkit import render

GOLDEN = Path(__file__).parent / "golden"
WINDOWS = Windows.of(period("2025-07-01", "2025-09-30"), Compare.PREVIOUS)
SLOTS = view_slots(WINDOWS)
DIMENSIONS = ("segment", "region", "tier")


def selection(filters: Mapping[str, Sequence[str]], by: Sequence[str] = ()) -> Selection:
    """Dimension names as the columns facts and rollups carry them."""

    def col(name: str) -> str:
        return dim_column(DIMENSIONS.index(name))

    return Selection(
        tuple((col(d), tuple(m)) for d, m in sorted(filters.items())), tuple(col(d) for d in by)
    )


ROLLED = [r for s in SLOTS if (r := rolled(s)) is not None]
SHAPES: list[tuple[str, Callable[[], exp.Expr]]] = [
    ("orders_total", lambda: customer_query(SLOTS, selection({})).sql),
    (
        "orders_by_segment_filtered",
        lambda: customer_query(SLOTS, selection({"region": ["North"]}, ["segment"])).sql,
    ),
    (
        "nps_by_segment_region",
        lambda: (
            additive_query(
                "nps_responses", SLOTS, selection({}, ["segment", "region"]), rolled=False
            ).sql
        ),
    ),
    (
        "spend_filtered",
        lambda: (
            additive_query(
                "marketing_spend",
                SLOTS,
                selection({"segment": ["SMB"], "region": ["East"]}),
                rolled=False,
            ).sql
        ),
    ),
    (
        "sessions_by_tier",
        lambda: (
            additive_query(
                "web_sessions", SLOTS, selection({"tier": ["Gold"]}, ["tier"]), rolled=False
            ).sql
        ),
    ),
    (
        "sessions_daily_rollup",
        lambda: additive_query("web_sessions", SLOTS, selection({}, ["region"]), rolled=True).sql,
    ),
    (
        "orders_windows_rollup",
        lambda: window_query(ROLLED, selection({"region": ["North"]}), Window.CURRENT).sql,
    ),
    ("orders_pairs_rollup", lambda: pair_query(ROLLED, selection({}, ["segment"])).sql),
]


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
@pytest.mark.parametrize(("name", "build"), SHAPES, ids=[s[0] for s in SHAPES])
def test_sql_matches_golden(name: str, build: Callable[[], exp.Expr], dialect: str) -> None:
    """Each shape as DuckDB runs it and as Spark runs it (the Spark engine's own rendering)."""
    sql = render(build(), dialect) + "\n"
    path = GOLDEN / (f"{name}.sql" if dialect == "duckdb" else f"{name}.{dialect}.sql")
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(sql, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: write it with UPDATE_GOLDEN=1 and review it"
    assert sql == path.read_text(encoding="utf-8")


def test_a_quarter_against_the_one_before_is_answered_from_rollups() -> None:
    assert len(ROLLED) == 2
    assert [(r.unit, r.lag) for r in ROLLED] == [("quarter", 1), ("quarter", 1)]


@pytest.mark.parametrize(("name", "build"), SHAPES, ids=[s[0] for s in SHAPES])
def test_no_part_of_a_built_query_sits_in_two_places(
    name: str, build: Callable[[], exp.Expr]
) -> None:
    """Queries are built without sqlglot's copy at every step: a node placed twice would have
    one parent for two places, and a later transform of one place would change the other."""
    tree = build()
    seen: set[int] = set()
    for node in tree.walk():
        assert id(node) not in seen, f"{name}: {node.sql()} appears twice"
        seen.add(id(node))
        for child in node.iter_expressions():
            assert child.parent is node, f"{name}: {child.sql()} has another parent"
