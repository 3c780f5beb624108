"""One Cockpit serves many threads at once (the app keeps one per process)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NotRequired, TypedDict

from cxcore import Cockpit
from cxcore.data.sample import generate


class View(TypedDict):
    """The keyword arguments of one `Cockpit.kpis` call."""

    start: str
    end: str
    compare: NotRequired[str]
    filters: NotRequired[dict[str, list[str]]]
    by: NotRequired[list[str]]


VIEWS: list[View] = [
    {"start": "2026-07-01", "end": "2026-09-30"},
    {"start": "2026-07-01", "end": "2026-09-30", "compare": "yoy", "by": ["segment"]},
    {"start": "2025-01-01", "end": "2025-12-31", "filters": {"region": ["East"]}},
    {"start": "2026-02-03", "end": "2026-05-17", "by": ["segment", "tier"]},
]


def test_concurrent_calls_give_the_serial_answers(tmp_path: Path) -> None:
    generate(tmp_path, customers=250, seed=3)
    cockpit = Cockpit.open(tmp_path)
    serial = [cockpit.kpis(**view) for view in VIEWS]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(lambda i: cockpit.kpis(**VIEWS[i % 4]), range(40)))
    for i, result in enumerate(parallel):
        assert result == serial[i % 4]
