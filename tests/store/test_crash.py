"""A publisher killed with SIGKILL at any moment leaves the old or the new version.

The publisher runs as the real command line in a subprocess, made to pause at a
named step by the test suite's wrapper (`paused_publisher.py`), where the test
kills it.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from cxcore import Cockpit
from cxcore.store.layout import current_version, list_versions
from cxcore.store.publish import publish
from tests.factories import order
from tests.store.conftest import SEED_REVENUE, orders_file, revenue, served_revenue

PUBLISHER = Path(__file__).with_name("paused_publisher.py")

NEW_REVENUE = Decimal(42)
# step -> the version readers must see after a kill there (1 = old, 2 = new)
STEPS = {"validated": 1, "staged": 1, "renamed": 1, "pointer-written": 1, "published": 2}


def _ingest(
    store: Path, upload: Path, pause: tuple[str, Path] | None = None
) -> subprocess.Popen[bytes]:
    ingest = ["ingest", "--store", str(store), "--table", "orders", str(upload)]
    if pause is None:
        command = [sys.executable, "-m", "cxcore", *ingest]
    else:
        command = [sys.executable, str(PUBLISHER), pause[0], str(pause[1]), *ingest]
    return subprocess.Popen(
        command, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _wait_for(flag: Path, process: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not flag.exists():
        if process.poll() is not None:
            assert process.stderr is not None  # started with stderr=PIPE
            pytest.fail(f"publisher exited early: {process.stderr.read()!r}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("publisher never reached the pause point")
        time.sleep(0.02)


def _assert_whole(store: Path) -> int:
    """The store opens at a published version and shows exactly that version's numbers."""
    with Cockpit.open(store) as cockpit:
        assert cockpit.version is not None
        assert served_revenue(cockpit) == {1: SEED_REVENUE, 2: NEW_REVENUE}[cockpit.version]
        return cockpit.version


def _assert_clean(store: Path) -> None:
    leftovers = [p.name for p in (store / "versions").iterdir() if not p.name.isdigit()]
    assert leftovers == []
    assert not list((store / "staging").iterdir())
    assert not list(store.glob(".CURRENT.tmp-*"))
    assert all(int(p.name) <= current_version(store) for p in (store / "versions").iterdir())


@pytest.mark.parametrize("step", STEPS)
def test_kill_at_a_step_leaves_old_or_new(step: str, store: Path, tmp_path: Path) -> None:
    upload = orders_file(tmp_path / "up", [order("n1", "c1", "2025-06-01", 42)])
    flag = tmp_path / "paused"
    process = _ingest(store, upload, (step, flag))
    _wait_for(flag, process)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert _assert_whole(store) == STEPS[step]
    # the next publish takes the lock at once, clears the debris and works
    later = orders_file(tmp_path / "later", [order("n2", "c2", "2025-06-02", 5)])
    result = publish(store, "orders", [later])
    assert result.version == STEPS[step] + 1
    assert revenue(store) == Decimal(5)
    _assert_clean(store)
    assert [v.version for v in list_versions(store)] == list(range(result.version, 0, -1))


def test_kill_at_random_moments_never_leaves_a_mix(store: Path, tmp_path: Path) -> None:
    upload = orders_file(tmp_path / "up", [order("n1", "c1", "2025-06-01", 42)])
    rng = random.Random(11)
    for _ in range(4):
        process = _ingest(store, upload)
        time.sleep(rng.uniform(0.2, 1.5))
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        _assert_whole(store)
