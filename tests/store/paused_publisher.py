"""The real `cx-cockpit ingest`, made to stop at one named step of a publish.

Run as `python paused_publisher.py STEP FLAG ingest ...`. The named step is
reached by wrapping the store function that runs right after it: the wrapper
writes STEP to FLAG, then sleeps until the crash test kills the process. The
product's code carries no hook for this; the test suite supplies it here.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cxcore.cli.main import main
from cxcore.store import fs, publish, staging

STEPS = ("validated", "staged", "renamed", "pointer-written", "published")


def _pause_before(owner: Any, name: str, step: str, flag: Path, when: Callable[..., bool]) -> None:
    real = getattr(owner, name)

    def paused(*args: Any, **kwargs: Any) -> Any:
        if when(*args, **kwargs):
            flag.write_text(step, encoding="utf-8")
            time.sleep(600)
        return real(*args, **kwargs)

    setattr(owner, name, paused)


def arm(step: str, flag: Path) -> None:
    always: Callable[..., bool] = lambda *a, **k: True  # noqa: E731
    if step == "validated":  # checked and staged, before the lock is taken to commit
        _pause_before(publish, "publish_checked", step, flag, always)
    elif step == "staged":  # the manifest is written into the staged folder
        _pause_before(staging, "fsync_tree", step, flag, always)
    elif step == "renamed":  # the staged folder is now versions/<n>, the pointer not yet
        _pause_before(
            staging, "atomic_write_text", step, flag, lambda path, *a, **k: path.name == "CURRENT"
        )
    elif step == "pointer-written":  # the new pointer is on disk beside the old one
        _pause_before(fs.os, "replace", step, flag, lambda src, dst: Path(dst).name == "CURRENT")
    elif step == "published":  # the pointer moved; old versions not pruned yet
        _pause_before(staging, "prune", step, flag, always)
    else:
        raise SystemExit(f"unknown step {step!r}; one of {', '.join(STEPS)}")


if __name__ == "__main__":
    arm(sys.argv[1], Path(sys.argv[2]))
    sys.exit(main(sys.argv[3:]))
