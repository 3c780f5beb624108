"""The benchmark: `cx-cockpit bench --scale 2M|20M|200M` (or `python -m cxcore.bench`).

Generates the scale data with the seeded generator (or takes the exports of
`--data DIR`, however they were made), publishes it through the
store, and measures what users wait for: opening a version, overview views
cold and warm, a segment x region breakdown, the 12- and 33-month trends,
publishing rows per second, the lifetime-value fit, and each process's peak
memory. In the same run
it measures the same overview written the usual pandas way and with polars
lazy, checks they give the engine's numbers, and prints the ratios.

Every phase runs in a process of its own, so each peak memory is that
phase's alone. Figures are printed, never asserted: a slow shared machine
must not fail a build, but a regression must be visible.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from cxcore.bench.report import print_report

SCALES = {"tiny": 2_000, "2M": 100_000, "20M": 1_000_000, "200M": 10_000_000}
TABLES = (
    "customers",
    "orders",
    "web_sessions",
    "service_contacts",
    "nps_responses",
    "marketing_spend",
)
PHASES = ("generate", "publish", "serve", "clv", "pandas", "polars")
PUBLISHED_FROM = "PUBLISHED_FROM"  # beside the store: the exports it was published from
BASELINE_VIEWS = 6  # views the baselines answer too, each compared with the engine's


def peak_mb(pid: int | str = "self") -> int:
    """A process's own high-water mark (ru_maxrss would carry the parent's across exec)."""
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:  # gone meanwhile
        return 0
    return 0


def children_peak_mb() -> int:
    """The high-water marks of this process's children: Spark's JVM runs as one."""
    me = str(os.getpid())
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me:  # the parent's pid follows the state
            total += peak_mb(stat.parent.name)
    return total


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    result = action()
    return time.perf_counter() - began, result


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(times: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": statistics.median(times) * 1000,
        "p95_ms": percentile(times, 0.95) * 1000,
        "n": len(times),
    }


# -- phases (each runs in its own process) ------------------------------------------


def phase_generate(work: Path, customers: int) -> dict[str, Any]:
    from cxcore.bench.scale import generate_scaled

    seconds, rows = timed(lambda: generate_scaled(work / "data", customers))
    return {"seconds": seconds, "rows": rows}


def phase_publish(work: Path, data: Path) -> dict[str, Any]:
    """Every export of `data` the contract names, in any format the store reads."""
    import shutil

    from cxcore.data.reading import find_table_files
    from cxcore.store.publish import publish

    shutil.rmtree(work / "store", ignore_errors=True)
    found = find_table_files(data)
    tables: dict[str, Any] = {}
    for name in (t for t in TABLES if t in found):
        marks: list[tuple[float, float]] = []

        def mark(share: float, _message: str, marks: list[tuple[float, float]] = marks) -> None:
            marks.append((share, time.perf_counter()))

        began = time.perf_counter()
        result = publish(work / "store", name, [found[name]], bulk=True, progress=mark)
        ended = time.perf_counter()
        tables[name] = {
            "rows": result.info.rows,
            "seconds": ended - began,
            "steps": step_seconds(marks, began, ended),
        }
    rows = sum(t["rows"] for t in tables.values())
    seconds = sum(t["seconds"] for t in tables.values())
    return {"tables": tables, "rows": rows, "seconds": seconds, "rows_per_s": rows / seconds}


def step_seconds(
    marks: Sequence[tuple[float, float]], began: float, ended: float
) -> dict[str, float]:
    """Seconds per publishing step, from the progress marks (share done, time) it made."""
    from cxcore.store.build import BUILD_STEPS

    shares = {"check": 0.0, **BUILD_STEPS, "commit": 1.0}
    starts = {"check": began}
    for step, share in list(shares.items())[1:]:
        reached = [t for done, t in marks if done >= share]
        if reached:
            starts[step] = min(reached)
    times = [*starts.values(), ended]
    return {step: times[i + 1] - times[i] for i, step in enumerate(starts)}


def phase_serve(work: Path, views: int, seed: int, engine: str = "duckdb") -> dict[str, Any]:
    from cxcore.bench.views import overview_views, trailing_months
    from cxcore.cockpit import Cockpit

    opened, cockpit = timed(lambda: Cockpit.open(work / "store", engine=engine))
    assert cockpit.first_day is not None and cockpit.last_day is not None
    series = overview_views(
        cockpit.first_day, cockpit.last_day, cockpit.dimensions, views + 1, seed
    )
    answers: list[Any] = []  # every answer, so engines can be compared digit for digit

    def asked(call: Callable[[], Any]) -> float:
        seconds, answer = timed(call)
        answers.append(answer)
        return seconds

    cold, first = timed(partial(cockpit.kpis, **series[0].kwargs()))
    warm = [asked(partial(cockpit.kpis, **v.kwargs())) for v in series[1:]]
    pairs = [
        asked(partial(cockpit.kpis, **v.kwargs(), by=["segment", "region"]))
        for v in series[1 : 1 + max(views // 4, 3)]
    ]
    twelve, thirty_three = (
        trailing_months(cockpit.last_day, 12),
        trailing_months(cockpit.last_day, 33),
    )
    filters = [{}, *({"segment": [m]} for m in cockpit.dimensions["segment"][:4])]
    trend12 = [asked(partial(cockpit.kpis_many, twelve, "previous", f)) for f in filters]
    trend33 = [asked(partial(cockpit.kpis_many, thirty_three, "yoy", f)) for f in filters]
    return {
        "engine": engine,
        "answers_sha256": _digest([first, *answers]),
        "engine_peak_mb": children_peak_mb(),  # Spark's JVM; 0 for the embedded engine
        "open_ms": opened * 1000,
        "overview_cold_ms": cold * 1000,
        "overview_warm": summary(warm),
        "segment_x_region": summary(pairs),
        "trend_12_months": summary(trend12),
        "trend_33_months": summary(trend33),
        "first_view": series[0].kwargs(),
        "first_kpis": first["kpis"],
        "views": [v.kwargs() for v in series[1:BASELINE_VIEWS]],
        "views_kpis": [a["kpis"] for a in answers[: len(series[1:BASELINE_VIEWS])]],
    }


def _digest(answers: Sequence[Any]) -> str:
    """One hash of every answer: equal digests mean every number is the same, float by float."""
    text = json.dumps(answers, sort_keys=True, default=str)  # floats by repr: exact
    return hashlib.sha256(text.encode()).hexdigest()


def phase_baseline(data: Path, kind: str, views: Sequence[dict[str, Any]]) -> dict[str, Any]:
    from cxcore.bench.baselines import PandasOverview, PolarsLazyOverview

    maker = PandasOverview if kind == "pandas" else PolarsLazyOverview
    loaded, overview = timed(lambda: maker(data))
    asked = [timed(partial(overview.kpis, **v)) for v in views]
    return {
        "load_ms": loaded * 1000,
        "view": summary([seconds for seconds, _ in asked]),
        "kpis": [answer for _, answer in asked],
    }


# -- orchestration ---------------------------------------------------------------------


def run_phase(args: list[str]) -> dict[str, Any]:
    """One phase in a fresh process; its last line of output is its JSON result."""
    done = subprocess.run(
        [sys.executable, "-m", "cxcore.bench", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark phase {args[1]} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cx-cockpit bench", description=__doc__)
    parser.add_argument("--scale", default="tiny", choices=list(SCALES))
    parser.add_argument("--work", default=None, help="folder for data and store (reused)")
    parser.add_argument(
        "--data",
        default=None,
        help="publish and serve the exports in this folder instead of generating them",
    )
    parser.add_argument("--views", type=int, default=40, help="overview views to ask")
    parser.add_argument("--baseline-views", type=int, default=BASELINE_VIEWS)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    parser.add_argument(
        "--engine",
        default="duckdb",
        choices=["duckdb", "spark"],
        help="spark: also serve every view on Spark, beside DuckDB, and compare the answers",
    )
    parser.add_argument(
        "--keep-store", action="store_true", help="serve the store a previous run published"
    )
    parser.add_argument(
        "--no-baselines", action="store_true", help="skip the pandas and polars baselines"
    )
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--view-list", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    work = Path(args.work or Path.cwd() / f"bench-{args.scale}").resolve()
    if args.phase:
        return _one_phase(args, work)
    figures = _all_phases(args, work, list(argv if argv is not None else sys.argv[1:]))
    print_report(figures)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, default=str) + "\n")
    return 0


def _one_phase(args: argparse.Namespace, work: Path) -> int:
    if args.phase == "generate":
        result = phase_generate(work, SCALES[args.scale])
    elif args.phase == "publish":
        result = phase_publish(work, exports(args, work))
    elif args.phase == "serve":
        result = phase_serve(work, args.views, args.seed, args.engine)
    elif args.phase == "clv":
        from cxcore.bench.lifetime import phase_clv

        result = phase_clv(work)
    else:
        result = phase_baseline(exports(args, work), args.phase, json.loads(args.view_list))
    result["peak_mb"] = peak_mb()
    print(json.dumps(result, default=str))
    return 0


def exports(args: argparse.Namespace, work: Path) -> Path:
    """The folder of exports the run publishes: the given one, else the generated one."""
    return Path(args.data).resolve() if args.data else work / "data"


def _all_phases(args: argparse.Namespace, work: Path, argv: list[str]) -> dict[str, Any]:
    common = ["--scale", args.scale, "--work", str(work), "--seed", str(args.seed)]
    data = exports(args, work)
    if args.data:
        common += ["--data", str(data)]
    figures: dict[str, Any] = {
        "scale": args.scale,
        "data": f"given: {data}" if args.data else f"generated, seed {args.seed}",
        "customers": None if args.data else SCALES[args.scale],
        "machine": f"{platform.machine()}, {os.cpu_count()} cores,"
        f" Python {platform.python_version()}",
        "command": " ".join(["cx-cockpit bench", *argv]),
    }
    source = figures["data"]
    kept = args.keep_store and (work / "store").is_dir()
    _generate_unless_kept(args, work, kept, common, figures)
    if not kept:
        figures["publish"] = run_phase(["--phase", "publish", *common])
        (work / PUBLISHED_FROM).write_text(f"{source}\n")
    serve = ["--phase", "serve", *common, "--views", str(args.views)]
    figures["serve"] = run_phase(serve)
    figures["clv"] = run_phase(["--phase", "clv", *common])
    if args.engine == "spark":
        figures["spark"] = run_phase([*serve, "--engine", "spark"])
        same = figures["spark"]["answers_sha256"] == figures["serve"]["answers_sha256"]
        figures["spark"]["same_answers_as_duckdb"] = same
    unreadable = (_kept_store_gap(work, source) if kept else "") or baseline_gap(data)
    if unreadable and not args.no_baselines:
        figures["baselines_skipped"] = unreadable
    elif not args.no_baselines:
        views = [figures["serve"]["first_view"], *figures["serve"]["views"]][: args.baseline_views]
        for kind in ("pandas", "polars"):
            figures[kind] = run_phase(["--phase", kind, *common, "--view-list", json.dumps(views)])
        _compare(figures)
    return figures


def _generate_unless_kept(
    args: argparse.Namespace, work: Path, kept: bool, common: list[str], figures: dict[str, Any]
) -> None:
    """Generates the data unless it is current or the store is kept.

    A kept store is served without its exports, so they are never regenerated under
    it: another seed would overwrite what the store was published from.
    """
    marker = work / "data" / "GENERATED"
    generated = f"{args.scale} {args.seed}"
    if args.data or (marker.exists() and marker.read_text().strip() == generated):
        return
    if kept:
        figures["data"] = "not generated: the store of a previous run was kept"
        return
    figures["generate"] = run_phase(["--phase", "generate", *common])
    marker.write_text(f"{generated}\n")


def _kept_store_gap(work: Path, source: str) -> str:
    """Why the baselines cannot be compared with a kept store, or '': they would read
    other exports than the store was published from."""
    record = work / PUBLISHED_FROM
    published = record.read_text().strip() if record.exists() else "data no run recorded"
    if published == source:
        return ""
    return (
        f"the kept store was published from {published}, not from {source};"
        " run without --keep-store to publish this data"
    )


def baseline_gap(data: Path) -> str:
    """Why the baselines cannot read these exports (they read Parquet only), or ''."""
    from cxcore.bench.baselines import DAYS

    missing = [name for name in DAYS if not (data / f"{name}.parquet").is_file()]
    return f"the baselines read Parquet, and these are not: {', '.join(missing)}" if missing else ""


def _compare(figures: dict[str, Any]) -> None:
    """Each baseline against the engine, view by view: every KPI of every view it asked."""
    from cxcore.bench.baselines import same_kpis

    serve = figures["serve"]
    engine = [serve["first_kpis"], *serve["views_kpis"]]
    warm = serve["overview_warm"]["p50_ms"]
    for kind in ("pandas", "polars"):
        answers = figures[kind]["kpis"]
        figures[kind]["differs_from_engine"] = [
            f"view {i + 1}: {difference}"
            for i, (ours, theirs) in enumerate(zip(engine, answers, strict=False))
            for difference in same_kpis(ours, theirs)
        ]
        figures[kind]["engine_speedup"] = figures[kind]["view"]["p50_ms"] / max(warm, 1e-9)
