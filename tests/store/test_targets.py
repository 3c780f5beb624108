"""Targets as a versioned part of the data: published alone, kept by uploads, rolled back."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxcore import Cockpit
from cxcore.data.targets import TARGETS_FILE, Target, dump
from cxcore.metrics.targets import TargetsError
from cxcore.store.layout import current_version, list_versions, read_version, version_dir
from cxcore.store.publish import PublishDenied, ensure_store, publish, rollback
from cxcore.store.targets import current_targets, publish_targets, with_target
from tests.factories import order
from tests.store.conftest import orders_file, snapshot

NPS = Target("nps", 25, 20, 10)
NORTH = Target("revenue", 500, 400, 100, region="North")


def test_a_targets_version_links_every_data_file_and_adds_the_targets(store: Path) -> None:
    before = read_version(store, 1)
    result = publish_targets(store, [NPS, NORTH], note="first targets")
    info = result.info
    assert (info.version, info.mode, info.table, info.rows) == (2, "targets", "targets", 2)
    assert info.targets == TARGETS_FILE and info.note == "first targets"
    assert (info.files, info.relations, info.dataset) == (
        before.files,
        before.relations,
        before.dataset,
    )
    old, new = version_dir(store, 1), version_dir(store, 2)
    for rel in [*before.files.values(), *before.relations.values()]:
        assert (old / rel).stat().st_ino == (new / rel).stat().st_ino, rel  # hard-linked
    assert current_targets(store) == [NPS, NORTH]
    with Cockpit.open(store) as cockpit:
        assert cockpit.targets == [NPS, NORTH]
        assert cockpit.version == 2


def test_a_refused_file_publishes_nothing_and_names_every_problem(store: Path) -> None:
    untouched = snapshot(store)
    bad = dump([Target("npx", 25, 20, 10), Target("nps", 25, 30, 10, region="Nowhere")])
    with pytest.raises(TargetsError) as raised:
        publish_targets(store, bad)
    assert len(raised.value.problems) == 3
    assert "did you mean 'nps'" in raised.value.problems[0]
    with pytest.raises(PublishDenied):
        publish_targets(store, [NPS], allowed=lambda: False)
    assert snapshot(store) == untouched


def test_an_upload_keeps_the_targets_and_a_rollback_restores_them(
    store: Path, tmp_path: Path
) -> None:
    publish_targets(store, [NPS])  # v2
    publish(store, "orders", [orders_file(tmp_path / "o", [order("n1", "c1", "2025-06-01", 7)])])
    assert current_version(store) == 3 and read_version(store, 3).targets == TARGETS_FILE
    assert current_targets(store) == [NPS]
    publish_targets(store, with_target([NPS], Target("nps", 30, 25, 10)))  # v4 replaces it
    assert current_targets(store) == [Target("nps", 30, 25, 10)]
    rollback(store, 2)  # v5: version 2's data and its targets
    assert current_targets(store) == [NPS]
    rollback(store, 1)  # v6: the seed had no targets
    assert current_targets(store) == [] and read_version(store, 6).targets == ""
    rollback(store, 4, "orders")  # v7: one table back; the targets stay those of v6
    assert current_targets(store) == []
    modes = [(v.version, v.mode) for v in list_versions(store)]
    assert modes[:4] == [(7, "rollback"), (6, "rollback"), (5, "rollback"), (4, "targets")]


def test_a_seed_folder_with_targets_seeds_them(seed: Path, tmp_path: Path) -> None:
    (seed / TARGETS_FILE).write_text(dump([NORTH]), encoding="utf-8")
    ensure_store(tmp_path / "seeded", seed)
    assert current_targets(tmp_path / "seeded") == [NORTH]
    (seed / TARGETS_FILE).write_text(dump([Target("nps", 1, 2, 0)]), encoding="utf-8")
    with pytest.raises(Exception, match="amber 2 must not be above the target 1"):
        ensure_store(tmp_path / "refused", seed)
    assert not (tmp_path / "refused" / "CURRENT").exists()


def test_a_data_folder_reads_its_own_targets_file(seed: Path) -> None:
    with Cockpit.open(seed) as cockpit:
        assert cockpit.targets == []
    (seed / TARGETS_FILE).write_text(dump([NORTH]), encoding="utf-8")
    with Cockpit.open(seed) as cockpit:
        assert cockpit.targets == [NORTH]
        found = cockpit.statuses("2025-01-01", "2025-03-31", filters={"region": ["North"]})
    # North's revenue in Q1 2025: c1's 100 only, at the red threshold: amber
    assert found["revenue"]["value"] == 100 and str(found["revenue"]["status"]) == "amber"
