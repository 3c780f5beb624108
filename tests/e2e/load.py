"""A bounded load test: many headless Chromium sessions at once, each moving through every
page with filters of its own, for a set time; it reports latency, errors, any session that
showed another's filters, and the server's peak memory.

    python -m tests.e2e.load --sessions 20 --seconds 180
    python -m tests.e2e.load --sessions 1 --seconds 300 --data bench-20M/store

(`--data` serves a data folder or a published store, such as the benchmark's, instead of
a generated sample: the time from a link with other filters to a settled page at scale.)

CI runs a short one (tests/e2e/test_load.py); docs/security.md records a full one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

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
    from playwright.async_api import Browser

PAGES = ("", "explorer", "data", "versions")
SHOWN_FILTERS = """() => Array.from(document.querySelectorAll(
  '[data-testid="stSidebar"] [data-testid="stMultiSelect"] .react-aria-ComboBox [data-tag]'
)).map(tag => tag.getAttribute('aria-label'))"""
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


@dataclass
class Outcome:
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)


@dataclass
class Report:
    sessions: int
    seconds: float
    views: int
    p50_s: float
    p95_s: float
    max_s: float
    errors: list[str]
    leaks: list[str]
    server_peak_mb: float

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


MIN_VIEWS = 2  # each session's views, however slow the machine, so a run always tests


@dataclass
class Reader:
    """What one reader asks for: links to these pages, filtered to these members."""

    base: str
    segments: list[str]
    regions: list[str]


async def _session(
    browser: Browser, reader: Reader, seed: int, deadline: float, out: Outcome
) -> None:
    """One reader: a page and filters of its own each time, checked after every view."""
    rng = random.Random(seed)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    views = 0
    try:
        while views < MIN_VIEWS or time.monotonic() < deadline:
            views += 1
            segment, region = rng.choice(reader.segments), rng.choice(reader.regions)
            query = urlencode({"segment": segment, "region": region})
            url = f"{reader.base}/{rng.choice(PAGES)}?{query}"
            began = time.monotonic()
            await page.goto(url, wait_until="commit", timeout=120_000)
            await page.wait_for_selector('[data-testid="stMain"] h1', timeout=120_000)
            await page.evaluate(SETTLED, [5])
            out.seconds.append(time.monotonic() - began)
            if await page.locator(ERRORS).count():
                out.errors.append(f"{url}: {await page.locator(ERRORS).first.inner_text()}")
            shown = sorted(await page.evaluate(SHOWN_FILTERS))
            if shown != sorted([segment, region]):
                out.leaks.append(f"{url}: the filters show {shown}")
    finally:
        await context.close()


def _peak_mb(pid: int) -> float:
    """The server's peak resident memory so far (the kernel's high-water mark)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _drive(reader: Reader, sessions: int, seconds: float) -> Outcome:
    from playwright.async_api import async_playwright

    out = Outcome()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        deadline = time.monotonic() + seconds
        await asyncio.gather(
            *(_session(browser, reader, i, deadline, out) for i in range(sessions))
        )
        await browser.close()
    return out


def run(data: Path, sessions: int, seconds: float) -> Report:
    env = {**os.environ, "CX_DATA": str(data)}
    segments, regions = members_of(data, "segment", "region")  # before the server
    with running_server(env) as (base, pid):
        reader = Reader(base, segments[:3], regions[:4])
        with ThreadPoolExecutor(1) as own_thread:  # a test's sync browser holds this thread's loop
            out = own_thread.submit(asyncio.run, _drive(reader, sessions, seconds)).result()
        peak = _peak_mb(pid)
    times = sorted(out.seconds)
    return Report(
        sessions=sessions,
        seconds=seconds,
        views=len(times),
        p50_s=round(statistics.median(times), 2) if times else float("nan"),
        p95_s=round(percentile(times, 0.95), 2) if times else float("nan"),
        max_s=round(times[-1], 2) if times else float("nan"),
        errors=out.errors,
        leaks=out.leaks,
        server_peak_mb=round(peak, 1),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--customers", type=int, default=6000)
    parser.add_argument("--data", type=Path, default=None, help="a data folder or store to serve")
    args = parser.parse_args(argv)
    with data_to_serve(args.data, args.customers) as data:
        report = run(data, args.sessions, args.seconds)
    print(json.dumps(report.as_dict(), indent=2))
    return 0 if not report.errors and not report.leaks else 1


if __name__ == "__main__":
    sys.exit(main())
