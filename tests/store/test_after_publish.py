"""What fails after the pointer moved (pruning an old version, remembering a mapping) is a
warning of a publish that stands, never a failed publish: an analyst told "failed" runs
the upload again, and an append of a table without ids would then count its rows twice.

The file system's refusal is made by wrapping the store function that meets it, from the
test suite; the product carries no test hook.
"""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from cxcore.cli import main as cli
from cxcore.settings import Settings
from cxcore.store import publish as store_publish
from cxcore.store import staging
from cxcore.store.layout import current_version, list_versions
from cxcore.store.publish import publish, rollback
from tests.factories import order
from tests.store.conftest import orders_file

KEEP_ONE = Settings(keep_versions=1)


def _stuck(monkeypatch: pytest.MonkeyPatch, stuck: set[str]) -> None:
    """Old version folders named in `stuck` cannot be removed, as on a file system that
    refuses (an immutable folder, one owned by another user on a sticky folder)."""
    real = staging.remove_tree

    def refusing(path: Path) -> None:
        if path.name in stuck:
            raise PermissionError(errno.EPERM, "Operation not permitted", str(path))
        real(path)

    monkeypatch.setattr(staging, "remove_tree", refusing)


def test_an_old_version_that_cannot_be_pruned_is_a_warning(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stuck(monkeypatch, {"1"})
    upload = orders_file(tmp_path / "up", [order("n1", "c1", "2025-06-01", 5)])
    result = publish(store, "orders", [upload], settings=KEEP_ONE)
    assert (result.version, current_version(store)) == (2, 2)
    assert any("old version 1 could not be removed" in w for w in result.warnings)
    assert (store / "versions" / "1").is_dir()  # left whole, tried again later
    monkeypatch.undo()
    later = orders_file(tmp_path / "later", [order("n2", "c1", "2025-06-02", 6)])
    assert publish(store, "orders", [later], settings=KEEP_ONE).warnings == []
    assert [v.version for v in list_versions(store)] == [3]


def test_the_command_line_says_published_when_only_the_pruning_failed(
    store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _stuck(monkeypatch, {"1", "2"})
    monkeypatch.setenv("CX_KEEP_VERSIONS", "1")
    upload = orders_file(tmp_path / "up", [order("n1", "c1", "2025-06-01", 5)])
    status = cli.main(["ingest", "--store", str(store), "--table", "orders", str(upload)])
    out, err = capsys.readouterr()
    assert (status, current_version(store)) == (0, 2)
    assert out.startswith("published version 2")
    assert "WARNING: store: old version 1 could not be removed" in err
    status = cli.main(["rollback", "--store", str(store), "--to", "1"])
    out, err = capsys.readouterr()
    assert (status, current_version(store)) == (0, 3)
    assert out.startswith("published version 3")
    assert "old version 2 could not be removed" in err


def test_a_rollback_whose_pruning_fails_still_stands(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upload = orders_file(tmp_path / "up", [order("n1", "c1", "2025-06-01", 5)])
    publish(store, "orders", [upload])
    _stuck(monkeypatch, {"1"})
    result = rollback(store, 1, "orders", settings=KEEP_ONE)
    assert (result.version, current_version(store)) == (3, 3)
    assert any("old version 1 could not be removed" in w for w in result.warnings)


def test_a_mapping_that_cannot_be_remembered_is_a_warning(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refusing(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_publish, "remember_mapping", refusing)
    folder = tmp_path / "up"
    folder.mkdir()
    upload = folder / "orders.csv"
    upload.write_text(
        "oid,customer_id,order_date,product_category,amount\no9,c1,2025-06-01,A,5\n",
        encoding="utf-8",
    )
    result = publish(store, "orders", [upload], column_map={"oid": "order_id"})
    assert (result.version, current_version(store)) == (2, 2)
    assert any("mapping was not remembered (No space left" in w for w in result.warnings)


def test_a_store_that_cannot_be_listed_after_the_pointer_moved_is_a_warning(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pruning lists the versions first; a refusal there is as late as one to remove."""

    def unlistable(root: Path) -> list[int]:
        raise PermissionError(errno.EACCES, "Permission denied", str(root / "versions"))

    monkeypatch.setattr(staging, "version_numbers", unlistable)
    upload = orders_file(tmp_path / "up", [order("n1", "c1", "2025-06-01", 5)])
    result = publish(store, "orders", [upload], settings=KEEP_ONE)
    assert (result.version, current_version(store)) == (2, 2)
    assert any("old versions were not pruned (Permission denied)" in w for w in result.warnings)
