"""The file-system primitives: a failed atomic write leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxcore.store.fs import atomic_write_text


def test_a_replace_that_fails_takes_its_temp_file_with_it(tmp_path: Path) -> None:
    """Left behind, a `.mappings.json.tmp-*` beside the store's files was never tidied."""
    taken = tmp_path / "mappings.json"
    taken.mkdir()  # the replace is refused: a folder holds the name
    with pytest.raises(OSError):
        atomic_write_text(taken, "{}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mappings.json"]


def test_a_write_replaces_the_old_content(tmp_path: Path) -> None:
    path = tmp_path / "CURRENT"
    atomic_write_text(path, "1\n")
    atomic_write_text(path, "2\n")
    assert path.read_text(encoding="utf-8") == "2\n"
    assert [p.name for p in tmp_path.iterdir()] == ["CURRENT"]
