"""`cx-cockpit cohorts|clv`: the Python contract as JSON, and one-line refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxcore import Cockpit
from cxcore.cli.main import main
from cxcore.data.sample import generate
from tests.factories import customer, order, write_folder


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sample")
    generate(folder, customers=400, seed=3)
    return folder


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_cohorts_prints_the_python_contract(
    sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(
        capsys,
        "cohorts",
        "--data",
        str(sample),
        "--start",
        "2024-02-01",
        "--end",
        "2024-06-30",
        "--basis",
        "signup",
        "--segment",
        "SMB",
        "--filter",
        "acquisition_channel=Referral",
    )
    assert (status, err) == (0, "")
    filters = {"segment": ["SMB"], "acquisition_channel": ["Referral"]}
    with Cockpit.open(sample) as cockpit:
        expected = cockpit.cohorts("2024-02-01", "2024-06-30", filters=filters, basis="signup")
    assert json.loads(out) == json.loads(json.dumps(expected))
    assert json.loads(out)["filters"]["segment"] == ["SMB"]


def test_clv_prints_the_python_contract(sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys,
        "clv",
        "--data",
        str(sample),
        "--calibration-end",
        "2026-03-31",
        "--horizon-months",
        "6",
        "--discount-monthly",
        "0.02",
        "--by",
        "region",
    )
    assert (status, err) == (0, "")
    with Cockpit.open(sample) as cockpit:
        expected = cockpit.clv("2026-03-31", 6, 0.02, by="region")
    assert json.loads(out) == json.loads(json.dumps(expected))
    assert set(json.loads(out)["model"]) == {"r", "alpha", "a", "b", "p", "q", "v"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["cohorts", "--start", "2024-01-01", "--end", "2024-02-30"], "end '2024-02-30'"),
        (["cohorts", "--start", "2024-01-01", "--end", "2024-03-01", "--basis", "x"], "--basis"),
        (["clv", "--calibration-end", "2026-03-31", "--by", "colour"], "unknown dimension"),
        (["clv", "--calibration-end", "2026-03-31", "--horizon-months", "x"], "invalid int"),
        (["clv", "--calibration-end", "2026-03-31", "--filter", "segment"], "DIMENSION=MEMBER"),
        (["clv", "--calibration-end", "2026-03-31", "--segment", "smb"], "no member 'smb'"),
        (["cohorts", "--start", "2024-01-01", "--end", "2024-03-01", "--region", "Mars"], "Mars"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    sample: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    status, out, err = run(capsys, args[0], "--data", str(sample), *args[1:])
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and message in err


def test_too_little_data_for_a_model_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_folder(
        tmp_path, customers=[customer("c1")], orders=[order("o1", "c1", "2025-01-01", 10)]
    )
    status, out, err = run(capsys, "clv", "--data", str(folder), "--calibration-end", "2025-06-30")
    assert status == 1 and out == ""
    assert err.count("\n") == 1 and "too few customers" in err
