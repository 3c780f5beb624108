"""The targets file's shape: read, written back unchanged, and every problem named at once."""

from __future__ import annotations

from cxcore.data.targets import Target, dump, from_rows, parse

TEXT = """
[[target]]
kpi = "nps"
target = 25
amber = 20.5
red = -10

[[target]]
kpi = "churn_rate"   # comments are fine
segment = "Ca\\"fé\\""
target = 0.05
amber = 0.06
red = 0.08
"""


def test_a_file_reads_and_writes_back_unchanged() -> None:
    targets, found = parse(TEXT)
    assert found == []
    assert targets == [
        Target("nps", 25.0, 20.5, -10.0),
        Target("churn_rate", 0.05, 0.06, 0.08, segment='Ca"fé"'),
    ]
    again, found = parse(dump(targets))
    assert found == [] and again == targets
    assert dump(again) == dump(targets)


def test_a_file_that_is_not_toml_is_one_clear_problem() -> None:
    targets, found = parse("[[target]\nkpi = ")
    assert targets == [] and len(found) == 1 and "not valid TOML" in found[0]


def test_every_problem_of_shape_is_reported_at_once() -> None:
    text = """
colour = "blue"
[[target]]
kpi = "nps"
target = "high"
amber = 20
[[target]]
kpi = 3
region = 7
target = 1
amber = true
red = 0
wat = 1
"""
    targets, found = parse(text)
    assert targets == []
    assert found == [
        "unknown key 'colour' at the top (expected [[target]])",
        "target 1: 'target' must be a number, got 'high'",
        "target 1: 'red' must be a number; it is missing",
        "target 2: unknown key 'wat'",
        "target 2: 'kpi' must be a KPI's name",
        "target 2: 'amber' must be a number, got True",
        "target 2: 'region' must be a member's name (text)",
    ]


def test_rows_from_an_edited_table_treat_blank_members_as_every_member() -> None:
    rows: list[dict[str, str | int | None]] = [
        {"kpi": "nps", "segment": "", "region": None, "target": 25, "amber": 20, "red": 10},
        {"kpi": "nps", "segment": "SMB", "region": " ", "target": 30, "amber": 25, "red": 15},
        {"kpi": "", "segment": None, "region": None, "target": None, "amber": 1, "red": 0},
    ]
    targets, found = from_rows(rows)
    assert targets == [Target("nps", 25, 20, 10), Target("nps", 30, 25, 15, segment="SMB")]
    assert found == [
        "target 3: 'kpi' must be a KPI's name",
        "target 3: 'target' must be a number; it is missing",
    ]
