"""Targets: the file's shape, the rules (every problem at once), which target applies, status."""

from __future__ import annotations

import pytest

from cxcore.data.targets import Target, dump, parse
from cxcore.metrics.registry import KPI_BY_NAME
from cxcore.metrics.targets import (
    Status,
    TargetsError,
    applicable,
    check_text,
    problems,
    status,
    statuses,
)

DIMENSIONS = {"segment": ["Enterprise", "SMB"], "region": ["East", "North"]}
GOOD = """
[[target]]
kpi = "nps"
target = 25
amber = 20
red = 10

[[target]]
kpi = "nps"
region = "East"
target = 15.5
amber = 12
red = 5

[[target]]
kpi = "churn_rate"   # a fall is good: thresholds lie above the target
segment = "SMB"
target = 0.05
amber = 0.06
red = 0.08
"""


def test_a_sound_file_reads_back_and_round_trips() -> None:
    targets = check_text(GOOD, DIMENSIONS)
    assert targets[1] == Target("nps", 15.5, 12.0, 5.0, region="East")
    assert targets[2].members == {"segment": "SMB"}
    again, found = parse(dump(targets))
    assert found == [] and again == targets
    assert dump(again) == dump(targets)


def test_a_file_that_is_not_toml_is_one_clear_problem() -> None:
    with pytest.raises(TargetsError, match="not valid TOML"):
        check_text("[[target]\nkpi = ", DIMENSIONS)


def test_every_rule_broken_is_reported_at_once_with_hints() -> None:
    targets = [
        Target("npss", 25, 20, 10),  # unknown KPI
        Target("nps", 25, 30, 10, region="Est"),  # unknown member; amber above the target
        Target("churn_rate", 0.05, 0.04, 0.08),  # a fall is good: amber below the target
        Target("retention_rate", 0.9, 0.85, 0.87),  # red above amber
        Target("nps", 1, 0, -1),
        Target("nps", 2, 1, 0),  # the same KPI and members as the one before
        Target("nps", 2, 1, 0, segment="Gold"),
    ]
    found = problems(targets, DIMENSIONS)
    assert found == [
        "target 1 (npss): unknown KPI 'npss'; did you mean 'nps'?",
        "target 2 (nps, region Est): unknown region 'Est'; did you mean 'East'?",
        "target 2 (nps, region Est): amber 30 must not be above the target 25"
        " (a rise is good for nps)",
        "target 3 (churn_rate): amber 0.04 must not be below the target 0.05"
        " (a fall is good for churn_rate)",
        "target 4 (retention_rate): red 0.87 must be at or below amber 0.85",
        "target 6 (nps): the same KPI and members as target 5",
        "target 7 (nps, segment Gold): unknown segment 'Gold' (known: Enterprise, SMB)",
    ]
    with pytest.raises(TargetsError) as raised:
        check_text(dump(targets), DIMENSIONS)
    assert raised.value.problems == found


@pytest.mark.parametrize(
    ("kpi", "value", "expected"),
    [
        # nps (a rise is good): target 25, amber 20, red 10
        ("nps", 30.0, Status.ON_TARGET),
        ("nps", 20.0, Status.ON_TARGET),  # at the amber threshold: still on target
        ("nps", 19.9, Status.AMBER),
        ("nps", 10.0, Status.AMBER),  # at the red threshold: still amber
        ("nps", 9.99, Status.RED),
        ("nps", None, None),
        # churn (a fall is good): target 0.05, amber 0.06, red 0.08
        ("churn_rate", 0.04, Status.ON_TARGET),
        ("churn_rate", 0.06, Status.ON_TARGET),
        ("churn_rate", 0.061, Status.AMBER),
        ("churn_rate", 0.08, Status.AMBER),
        ("churn_rate", 0.081, Status.RED),
    ],
)
def test_status_follows_the_kpis_direction(
    kpi: str, value: float | None, expected: Status | None
) -> None:
    target = Target("nps", 25, 20, 10) if kpi == "nps" else Target(kpi, 0.05, 0.06, 0.08)
    assert status(KPI_BY_NAME[kpi], value, target) == expected


SPECIFIC = [
    Target("nps", 25, 20, 10),
    Target("nps", 30, 25, 15, segment="SMB"),
    Target("nps", 15, 12, 5, region="East"),
    Target("nps", 10, 8, 0, segment="SMB", region="East"),
    Target("churn_rate", 0.05, 0.06, 0.08, region="East"),
]


@pytest.mark.parametrize(
    ("kpi", "filters", "expected"),
    [
        ("nps", {}, 25),
        ("nps", {"segment": ["SMB"]}, 30),
        ("nps", {"region": ["East"]}, 15),
        ("nps", {"segment": ["SMB"], "region": ["East"]}, 10),
        ("nps", {"segment": ["Enterprise"], "region": ["East"]}, 15),  # no pair, no segment
        ("nps", {"segment": ["SMB"], "region": ["North"]}, 30),  # segment before region
        ("nps", {"segment": ["SMB", "Enterprise"]}, 25),  # several members name none
        ("nps", {"segment": ["SMB", "Enterprise"], "region": ["East"]}, 15),
        ("nps", {"tier": ["Gold"]}, 25),  # other dimensions do not choose
        ("churn_rate", {}, None),  # only a regional target: none for the whole company
        ("churn_rate", {"region": ["East"]}, 0.05),
        ("revenue", {}, None),
    ],
)
def test_the_most_specific_target_applies(
    kpi: str, filters: dict[str, list[str]], expected: float | None
) -> None:
    found = applicable(SPECIFIC, kpi, filters)
    assert (found.target if found else None) == expected


def test_statuses_of_a_view() -> None:
    kpis = {"nps": {"value": 12.0, "previous": 20.0}, "revenue": {"value": 5.0, "previous": 1.0}}
    found = statuses(SPECIFIC, kpis, {"region": ["East"]})
    assert list(found) == ["nps"]
    assert found["nps"]["target"] == 15 and found["nps"]["status"] == Status.ON_TARGET
