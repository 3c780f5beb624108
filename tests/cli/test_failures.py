"""Failures of the machine or the engine reach the user as one line and status 1, never
as a traceback: a full disk, a query past its time limit, exhausted memory, an overflow."""

from __future__ import annotations

import errno
from pathlib import Path

import duckdb
import pytest

from cxcore.cli import store as store_commands
from cxcore.cli.main import main
from cxcore.cockpit import Cockpit
from cxcore.metrics.backend import QueryTimeout
from cxcore.store import staging
from cxcore.store.layout import POINTER, current_version
from tests.factories import customer, order, write_folder

PERIOD = ["--start", "2025-02-01", "--end", "2025-02-28"]

FAILURES: list[tuple[BaseException, str]] = [
    (OSError(errno.ENOSPC, "No space left on device", "/store/v2"), "the disk is full writing"),
    (QueryTimeout("the query ran longer than 1 s and was stopped"), "ran longer than 1 s"),
    (duckdb.OutOfMemoryException("could not allocate block"), "CX_MEMORY_LIMIT_MB"),
    (
        duckdb.OutOfRangeException("Overflow in SUM of DECIMAL(38,10)\nLINE 1: ..."),
        "out of range for exact arithmetic: Overflow in SUM of DECIMAL(38,10)",
    ),
    (duckdb.IOException("Could not write file: No space left on device"), "the disk is full"),
]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_folder(
        tmp_path,
        customers=[customer("c1")],
        orders=[order("o1", "c1", "2025-02-03", 10.0)],
    )


@pytest.mark.parametrize(("error", "words"), FAILURES, ids=[type(e).__name__ for e, _ in FAILURES])
def test_a_failure_is_one_line_and_status_1(
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    error: BaseException,
    words: str,
) -> None:
    def fails(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(Cockpit, "kpis", fails)
    status = main(["kpis", "--data", str(folder), *PERIOD])
    out, err = capsys.readouterr()
    assert (status, out) == (1, "")
    # One line, without argparse's 'error:', which says a usage mistake (status 2).
    assert err.count("\n") == 1 and err.startswith("cx-cockpit: "), err
    assert "error:" not in err and words in err


def test_an_unforeseen_error_is_not_hidden(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug must surface as itself, not be dressed up as a data problem."""

    def fails(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(Cockpit, "kpis", fails)
    with pytest.raises(ZeroDivisionError):
        main(["kpis", "--data", str(folder), *PERIOD])


@pytest.mark.parametrize(
    ("setting", "value", "words"),
    [
        ("CX_KEEP_VERSIONS", "abc", "CX_KEEP_VERSIONS must be a number"),
        ("CX_MEMORY_LIMIT_MB", "10", "CX_MEMORY_LIMIT_MB"),
        ("CX_ENGINE", "foo", "CX_ENGINE"),
        ("CX_THREADS", "0", "CX_THREADS"),
    ],
)
@pytest.mark.parametrize("command", ["kpis", "cohorts"])
def test_a_setting_that_cannot_be_read_is_one_line_and_status_1(
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    setting: str,
    value: str,
    words: str,
    command: str,
) -> None:
    """These printed a traceback ending in SettingsError; `ingest` already said one line."""
    monkeypatch.setenv(setting, value)
    status = main([command, "--data", str(folder), *PERIOD])
    out, err = capsys.readouterr()
    assert (status, out) == (1, "")
    assert err.count("\n") == 1 and err.startswith(f"cx-cockpit: {setting}"), err
    assert words in err


@pytest.mark.parametrize(
    "stop",
    [KeyboardInterrupt(), RuntimeError("Query interrupted")],
    ids=["between queries", "inside a query"],
)
def test_ctrl_c_is_one_line_and_status_130(
    folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stop: BaseException,
) -> None:
    """Ctrl-C during a publish printed a traceback (the engine turns it into a plain
    RuntimeError inside a query); the store itself was whole either way."""

    def stopped(*args: object, **kwargs: object) -> None:
        raise stop

    monkeypatch.setattr(store_commands, "publish", stopped)
    upload = str(folder / "orders.parquet")
    status = main(["ingest", "--store", str(tmp_path / "s"), "--table", "orders", upload])
    out, err = capsys.readouterr()
    assert (status, out) == (130, "")
    assert (
        err
        == "cx-cockpit: interrupted; a publish either finished or changed nothing (see versions)\n"
    )


@pytest.mark.parametrize(
    ("command", "says"),
    [
        (["ingest", "--store", "{store}", "--table", "orders", "{upload}"], True),
        (["rollback", "--store", "{store}", "--to", "1"], True),
        (["kpis", "--data", "{store}", *PERIOD], False),
    ],
    ids=["ingest", "rollback", "kpis"],
)
def test_a_failed_publish_says_nothing_was_published(
    folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    says: bool,
) -> None:
    """The disk filling as the pointer is written: the store keeps its version, and the
    line says so, so the analyst runs the command again instead of checking the store."""
    store = tmp_path / "s"
    upload = str(folder / "orders.parquet")
    assert main(["ingest", "--store", str(store), "--table", "orders", upload]) == 0
    before = current_version(store)
    full = OSError(errno.ENOSPC, "No space left on device", str(store / POINTER))
    real_write = staging.atomic_write_text

    def fills(path: Path, text: str) -> None:
        if path.name == POINTER:
            raise full
        real_write(path, text)

    def fails(*args: object, **kwargs: object) -> None:
        raise full

    monkeypatch.setattr(staging, "atomic_write_text", fills)
    monkeypatch.setattr(Cockpit, "kpis", fails)
    capsys.readouterr()
    status = main([c.format(store=store, upload=upload) for c in command])
    out, err = capsys.readouterr()
    assert (status, out) == (1, "")
    assert current_version(store) == before
    assert err.startswith("cx-cockpit: the disk is full writing"), err
    ending = "; nothing was published (the current version is unchanged)\n"
    assert err.endswith(ending) is says, err
