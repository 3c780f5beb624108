"""A version's manifest is read through its schema: damage is named, never half-understood."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cxcore import Cockpit
from cxcore.store.layout import (
    MANIFEST,
    StoreError,
    VersionInfo,
    current_version,
    hold_version,
    read_version,
    version_dir,
)


def _manifest(store: Path) -> Path:
    return version_dir(store, current_version(store)) / MANIFEST


def _damage(store: Path, change: Any) -> None:
    path = _manifest(store)
    if callable(change):
        saved = json.loads(path.read_text(encoding="utf-8"))
        change(saved)
        path.write_text(json.dumps(saved), encoding="utf-8")
    else:
        path.write_text(change, encoding="utf-8")


DAMAGE = [
    ("rows as words", lambda m: m.update(rows="many"), "rows: Input should be a valid integer"),
    ("no version number", lambda m: m.pop("version"), "version: Field required"),
    ("a table's rows as a list", lambda m: m["tables"].update(orders=[4]), "tables.orders:"),
    ("cut short", '{"version": 1, "table": "all"', "the file: Invalid JSON"),
]


@pytest.mark.parametrize(("change", "named"), [d[1:] for d in DAMAGE], ids=[d[0] for d in DAMAGE])
def test_a_damaged_manifest_is_refused_with_the_field_named(
    store: Path, change: Any, named: str
) -> None:
    _damage(store, change)
    for read in (
        lambda: read_version(store, 1),
        lambda: hold_version(store, 1),
        lambda: Cockpit.open(store),
    ):
        with pytest.raises(StoreError) as refused:
            read()
        assert f"version 1's {MANIFEST} is damaged" in str(refused.value)
        assert named in str(refused.value)


def test_every_wrong_field_is_named_at_once(store: Path) -> None:
    _damage(store, lambda m: m.update(rows="many", mode=7))
    with pytest.raises(StoreError) as refused:
        read_version(store, 1)
    assert "rows:" in str(refused.value) and "mode:" in str(refused.value)


def test_a_key_a_later_release_adds_is_ignored(store: Path) -> None:
    before = read_version(store, 1)
    _damage(store, lambda m: m.update(written_by="a later release"))
    assert read_version(store, 1) == before


def test_a_manifest_reads_back_as_it_was_written(store: Path) -> None:
    info = read_version(store, 1)
    assert VersionInfo.from_manifest(json.dumps(info.as_dict()), 1) == info
    assert info.as_dict(current=True)["current"] is True


def test_a_revised_record_is_checked_like_a_read_one(store: Path) -> None:
    info = read_version(store, 1)
    assert info.revised(note="week 38").note == "week 38"
    with pytest.raises(ValueError, match="rows"):
        info.revised(rows="many")
