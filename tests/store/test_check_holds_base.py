"""A check reads its base version throughout: a publish meanwhile must not prune it away."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cxcore.settings import Settings
from cxcore.store import check as check_mod
from cxcore.store.check import check
from cxcore.store.layout import current_version, version_dir
from cxcore.store.publish import StoreMoved, publish_checked, rollback
from tests.factories import order
from tests.store.conftest import orders_file, published_rows

KEEP_ONE = Settings(keep_versions=1)


@pytest.mark.parametrize("mode", ["append", "replace"])
def test_a_publish_during_a_check_leaves_the_check_whole_and_asks_for_a_new_one(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    real_prepare = check_mod.prepare
    overtaken: list[int] = []

    def prepare(*args: Any, **kwargs: Any) -> Any:
        if not overtaken:  # another analyst publishes while this upload is being checked
            overtaken.append(rollback(store, 1, settings=KEEP_ONE).version)
            assert version_dir(store, 1).exists(), "the base being checked was pruned"
        return real_prepare(*args, **kwargs)

    monkeypatch.setattr(check_mod, "prepare", prepare)
    upload = orders_file(tmp_path / "up", [order("o9", "c1", "2025-06-01", 50)])
    checked = check(store, "orders", [upload], mode, settings=KEEP_ONE)
    assert overtaken == [2] and current_version(store) == 2
    assert checked.ok, checked.report.as_dicts()
    assert checked.base_version == 1
    ids = {row[0] for row in published_rows(store, "orders", "order_id")}
    assert "o9" not in ids  # nothing published yet
    with pytest.raises(StoreMoved):
        publish_checked(checked, settings=KEEP_ONE)
    assert current_version(store) == 2
    rollback(store, 2, settings=KEEP_ONE)  # the check let go of its base: pruning takes it
    assert not version_dir(store, 1).exists()
