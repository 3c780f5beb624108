"""How long a reader waits after changing a sidebar filter: from the choice to updated cards.

    python -m tests.e2e.filter_change --data bench-20M/store --changes 20

Starts the cockpit on a data folder or store (such as the benchmark's), opens the
overview in headless Chromium, then alternately adds a segment to the sidebar's
Segment filter and removes it again. Each change is timed from the key press to
the moment Streamlit reports its script run over and the cards are drawn with
nothing stale, read from the page's own state (never a fixed sleep). The cards'
first value is read after each change, so a change the page did not apply would
show as an unchanged figure. CI runs a short one on a small sample
(tests/e2e/test_load.py); docs/benchmarks.md records a run at 20M orders.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cxcore.bench.harness import percentile
from tests.e2e.conftest import (
    ARGS,
    CHROMIUM,
    SETTLED,
    data_to_serve,
    members_of,
    running_server,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

SEGMENT_FILTER = '[data-testid="stSidebar"] [data-testid="stMultiSelect"]'
# Counts the script runs the page starts, however short: a run that is over before anyone
# looks is still seen, and no run is waited for that never comes.
COUNT_RUNS = """() => {
  if (window.cxRuns !== undefined) return;
  window.cxRuns = 0;
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver(() => {
    if (app.getAttribute('data-test-script-state') === 'running') window.cxRuns += 1;
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
FIRST_CARD = '[data-testid="stMetricValue"]'


@dataclass
class Report:
    changes: int
    p50_s: float
    p95_s: float
    max_s: float
    cards_changed: int  # changes after which the first card showed another figure


def _change(page: Page, segment: str, add: bool) -> float:
    box = page.locator(SEGMENT_FILTER).first
    runs = page.evaluate("() => window.cxRuns")
    began = time.monotonic()
    if add:
        box.locator("input").fill(segment)
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
    else:
        box.get_by_role("button", name=f"Remove {segment}").click()
    page.wait_for_function("runs => window.cxRuns > runs", arg=runs, timeout=300_000)
    page.evaluate(SETTLED, [5])
    return time.monotonic() - began


def measure(base: str, changes: int, segments: list[str]) -> Report:
    from playwright.sync_api import sync_playwright

    seconds, changed = [], 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(base, timeout=300_000)
        page.wait_for_selector(FIRST_CARD, timeout=300_000)
        page.evaluate(SETTLED, [20])
        page.evaluate(COUNT_RUNS)
        shown = page.locator(FIRST_CARD).first.inner_text()
        for index in range(changes):
            segment = segments[(index // 2) % len(segments)]
            seconds.append(_change(page, segment, add=index % 2 == 0))
            now = page.locator(FIRST_CARD).first.inner_text()
            changed += now != shown
            shown = now
        browser.close()
    ordered = sorted(seconds)
    return Report(
        changes=len(ordered),
        p50_s=round(statistics.median(ordered), 2),
        p95_s=round(percentile(ordered, 0.95), 2),
        max_s=round(ordered[-1], 2),
        cards_changed=changed,
    )


def run(data: Path, changes: int) -> Report:
    (segments,) = members_of(data, "segment")  # before the server, not beside it
    # Its own thread: a test's sync browser holds the calling thread's event loop.
    with (
        running_server({**os.environ, "CX_DATA": str(data)}) as (base, _pid),
        ThreadPoolExecutor(1) as own_thread,
    ):
        return own_thread.submit(measure, base, changes, segments[:3]).result()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="a data folder or store")
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--customers", type=int, default=6000, help="without --data")
    args = parser.parse_args(argv)
    with data_to_serve(args.data, args.customers) as data:
        report = run(data, args.changes)
    print(json.dumps(asdict(report), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
