"""A short run of the load test: readers at once, every page, filters of their own."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.load import MIN_VIEWS, run


def test_readers_at_once_see_no_error_and_only_their_own_filters(
    data_folder: Path,
    browser: object,  # the fixture fails or skips exactly as every browser test does
) -> None:
    report = run(data_folder, sessions=4, seconds=30)
    assert report.views >= 4 * MIN_VIEWS, report
    assert report.errors == []
    assert report.leaks == []
