"""Publishing the sample and the odd data with the number of passes forced.

Shared by the tests that hold work done in several passes (rollups, fact files)
to the same work done in one.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from cxcore.data.sample import generate
from cxcore.store.publish import ensure_store
from tests.spark_parity import odd_folder


def published_with(
    folder: Path,
    store: Path,
    rule: tuple[ModuleType, str],
    passes: int,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """The store made from `folder` with the pass-count function `rule` answering `passes`."""
    module, name = rule
    with monkeypatch.context() as patched:
        patched.setattr(module, name, lambda *args: passes)
        ensure_store(store, folder)
    return store


def sample_and_odd(root: Path, seed: int) -> dict[str, Path]:
    generate(root / "sample", customers=300, seed=seed)
    odd_folder(root / "odd")
    return {"sample": root / "sample", "odd": root / "odd"}
