"""Short runs of the load test (readers at once, every page, filters of their own) and of
the filter-change timing tool."""

from __future__ import annotations

from pathlib import Path

from tests.e2e import filter_change
from tests.e2e.load import MIN_VIEWS, run


def test_readers_at_once_see_no_error_and_only_their_own_filters(
    data_folder: Path,
    browser: object,  # the fixture fails or skips exactly as every browser test does
) -> None:
    report = run(data_folder, sessions=4, seconds=30)
    assert report.views >= 4 * MIN_VIEWS, report
    assert report.errors == []
    assert report.leaks == []


def test_each_sidebar_filter_change_updates_the_cards(
    data_folder: Path,
    browser: object,
) -> None:
    """A short run of the filter-change timing tool: every change is applied (the first card
    shows another figure each time); its timings are printed by the tool, never asserted."""
    report = filter_change.run(data_folder, changes=4)
    assert report.changes == 4
    assert report.cards_changed == 4, report
