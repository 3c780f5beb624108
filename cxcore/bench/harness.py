"""Speed and memory figures for the engine: `python -m cxcore.benchmark`.

Targets live here as printed figures, not as timed tests: a slow shared CI
machine must not turn a green build red, but a regression must be visible.
Results are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cxcore.cockpit import Cockpit
from cxcore.data.sample import generate
from cxcore.metrics.trend import month_periods

QUARTER = ("2026-07-01", "2026-09-30")
MONTHS = [(m.start, m.end) for m in month_periods(dt.date(2024, 1, 1), dt.date(2026, 9, 30))]


def timed(action: Callable[[], Any], repeat: int) -> list[float]:
    """Wall seconds of each of `repeat` runs."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return times


def report(label: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(
        f"{label:<38} median {statistics.median(times) * 1000:8.1f} ms"
        f"   p95 {p95 * 1000:8.1f} ms   n={len(times)}"
    )


def run(folder: Path, repeat: int) -> None:
    began = time.perf_counter()
    cockpit = Cockpit.open(folder)
    opened_ms = (time.perf_counter() - began) * 1000
    print(f"{'open (read, validate, build facts)':<38} {opened_ms:8.1f} ms")
    rows = sum(t.rows for t in cockpit.tables.values())
    print(f"{'rows loaded':<38} {rows:>8}")
    start, end = QUARTER
    cases: dict[str, Callable[[], Any]] = {
        "kpis, whole view": lambda: cockpit.kpis(start, end),
        "kpis, yoy, filtered segment": lambda: cockpit.kpis(
            start, end, "yoy", filters={"segment": ["SMB"]}
        ),
        "kpis, by segment": lambda: cockpit.kpis(start, end, by=["segment"]),
        "kpis, by segment x region": lambda: cockpit.kpis(start, end, by=["segment", "region"]),
        "kpis_many, 12 months (sparklines)": lambda: cockpit.kpis_many(MONTHS[-12:]),
        "kpis_many, 33 months (trend)": lambda: cockpit.kpis_many(MONTHS),
    }
    for label, action in cases.items():
        report(label, timed(action, repeat))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'peak memory (RSS)':<38} {peak_mb:8.1f} MB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", help="a data folder (default: generate one)")
    parser.add_argument("--customers", type=int, default=6000, help="size of a generated folder")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    if args.data:
        run(Path(args.data), args.repeat)
        return
    with tempfile.TemporaryDirectory() as scratch:
        written = generate(Path(scratch), customers=args.customers)
        print(f"generated {args.customers} customers, {sum(written.values())} rows")
        run(Path(scratch), args.repeat)


if __name__ == "__main__":
    main()
