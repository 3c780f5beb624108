"""`cx-cockpit drivers|value|journeys|moved|targets`: the Python call's JSON, clean errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from cxcore import Cockpit
from cxcore.cli import main as cli
from cxcore.data.sample import generate
from cxcore.store.layout import current_version
from cxcore.store.targets import current_targets

Capture = pytest.CaptureFixture[str]
VIEW = ("--start", "2026-04-01", "--end", "2026-06-30")


def run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("voice_cli")
    generate(path, customers=300, seed=5)
    return path


def test_drivers_prints_the_python_answer(folder: Path, capsys: Capture) -> None:
    status, out, err = run(capsys, "drivers", "--data", str(folder), *VIEW, "--region", "East")
    assert status == 0, err
    with Cockpit.open(folder) as cockpit:
        expected = cockpit.drivers("2026-04-01", "2026-06-30", {"region": ["East"]})
    assert json.loads(out) == json.loads(json.dumps(expected))
    assert set(json.loads(out)) == {"r_squared", "drivers"}


def test_drivers_keeps_a_journey(folder: Path, capsys: Capture) -> None:
    with Cockpit.open(folder) as cockpit:
        journey = cockpit.journeys("2026-04-01", "2026-06-30")["journey"]["members"][0]["member"]
        expected = cockpit.drivers("2026-04-01", "2026-06-30", {"journey": [journey]})
    status, out, _ = run(capsys, "drivers", "--data", str(folder), *VIEW, "--journey", journey)
    assert status == 0
    assert json.loads(out) == json.loads(json.dumps(expected))


@pytest.mark.parametrize(
    ("command", "call"),
    [
        ("value", lambda c: c.nps_value("2026-04-01", "2026-06-30", "yoy", None)),
        ("journeys", lambda c: c.journeys("2026-04-01", "2026-06-30", "yoy", None)),
    ],
)
def test_value_and_journeys_print_the_python_answer(
    folder: Path, capsys: Capture, command: str, call: Callable[[Cockpit], object]
) -> None:
    status, out, err = run(capsys, command, "--data", str(folder), *VIEW, "--compare", "yoy")
    assert status == 0, err
    with Cockpit.open(folder) as cockpit:
        expected = call(cockpit)
    assert json.loads(out) == json.loads(json.dumps(expected))


def test_moved_prints_the_python_answer(folder: Path, capsys: Capture) -> None:
    argv = ("moved", "--data", str(folder), *VIEW, "--kpi", "revenue", "--by", "region")
    status, out, _ = run(capsys, *argv)
    assert status == 0
    with Cockpit.open(folder) as cockpit:
        expected = cockpit.why_it_moved("revenue", "2026-04-01", "2026-06-30", by="region")
    assert json.loads(out) == json.loads(json.dumps(expected))


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (("value", *VIEW, "--compare", "later"), "--compare 'later'"),
        (("drivers", "--start", "2026-02-30", "--end", "2026-03-31"), "not a date"),
        (("moved", *VIEW, "--kpi", "orders"), "--kpi 'orders'"),
        (("value", *VIEW, "--filter", "region"), "DIMENSION=MEMBER"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    folder: Path, capsys: Capture, argv: tuple[str, ...], words: str
) -> None:
    status, out, err = run(capsys, argv[0], "--data", str(folder), *argv[1:])
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and words in err


@pytest.mark.parametrize("command", ["drivers", "value", "journeys"])
def test_an_unknown_member_exits_2_with_the_closest_named(
    folder: Path, capsys: Capture, command: str
) -> None:
    status, out, err = run(capsys, command, "--data", str(folder), *VIEW, "--region", "Eats")
    assert status == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "'Eats'" in err and "East" in err


@pytest.mark.parametrize(
    ("option", "typed", "words"),
    [
        ("--journey", "biling", "no journey 'biling'; did you mean 'billing'?"),
        ("--touchpoint", "nope", "no touchpoint 'nope' (known: app, email, phone, store, web)"),
    ],
)
def test_a_journey_or_touchpoint_no_answer_names_exits_2_naming_the_known_ones(
    folder: Path, capsys: Capture, option: str, typed: str, words: str
) -> None:
    """It was answered with every driver at zero answers, as if nobody had been asked."""
    status, out, err = run(capsys, "drivers", "--data", str(folder), *VIEW, option, typed)
    assert status == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith("cx-cockpit: error: ") and words in err, err


def test_an_unknown_dimension_exits_2_with_a_suggestion(folder: Path, capsys: Capture) -> None:
    status, _, err = run(capsys, "drivers", "--data", str(folder), *VIEW, "--filter", "regio=East")
    assert status == 2 and len(err.strip().splitlines()) == 1 and "region" in err


def test_targets_set_import_and_show_through_versions(
    store: Path, tmp_path: Path, capsys: Capture
) -> None:
    before = current_version(store)
    argv = ("targets", "set", "--store", str(store), "--kpi", "revenue")
    status, out, err = run(capsys, *argv, "--target", "500", "--amber", "400", "--red", "300")
    assert status == 0, err
    assert current_version(store) == before + 1 and "1 targets" in out
    status, out, _ = run(capsys, "targets", "show", "--data", str(store))
    assert json.loads(out) == {
        "targets": [
            {
                "kpi": "revenue",
                "target": 500.0,
                "amber": 400.0,
                "red": 300.0,
                "segment": None,
                "region": None,
            }
        ]
    }
    file = tmp_path / "targets.toml"
    file.write_text(
        '[[target]]\nkpi = "revenue"\nregion = "North"\ntarget = 9\namber = 8\nred = 7\n'
    )
    status, _, err = run(capsys, "targets", "import", "--store", str(store), str(file))
    assert status == 0, err
    assert [(t.kpi, t.region, t.target) for t in current_targets(store)] == [
        ("revenue", "North", 9.0)
    ]


def test_targets_with_problems_exit_1_listing_each_and_publish_nothing(
    store: Path, tmp_path: Path, capsys: Capture
) -> None:
    before = current_version(store)
    file = tmp_path / "targets.toml"
    file.write_text(
        '[[target]]\nkpi = "revenu"\ntarget = 9\namber = 8\nred = 7\n'
        '[[target]]\nkpi = "revenue"\nregion = "Mars"\ntarget = 9\namber = 10\nred = 7\n'
    )
    status, out, err = run(capsys, "targets", "import", "--store", str(store), str(file))
    assert status == 1 and out == ""
    errors = [line for line in err.splitlines() if line.startswith("ERROR:")]
    assert len(errors) >= 3  # the unknown KPI, the unknown member, amber on the good side
    assert "revenue" in err and "Mars" in err
    assert current_version(store) == before


def test_targets_set_on_a_folder_that_is_no_store_exits_2(tmp_path: Path, capsys: Capture) -> None:
    argv = ("targets", "set", "--store", str(tmp_path), "--kpi", "nps")
    status, _, err = run(capsys, *argv, "--target", "1", "--amber", "0", "--red", "-1")
    assert status == 2 and "not a CX store" in err
