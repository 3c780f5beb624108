"""The benchmark: `cx-cockpit bench --scale 2M|20M|200M` (or `python -m cxcore.bench`).

Generates the scale data with the seeded generator, publishes it through the
store, and measures what users wait for: opening a version, overview views
cold and warm, a segment x region breakdown, the 12- and 33-month trends,
publishing rows per second, and each process's peak memory. In the same run
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
from pathlib import Path
from typing import Any

SCALES = {"tiny": 2_000, "2M": 100_000, "20M": 1_000_000, "200M": 10_000_000}
TABLES = (
    "customers",
    "orders",
    "web_sessions",
    "service_contacts",
    "nps_responses",
    "marketing_spend",
)
PHASES = ("generate", "publish", "serve", "pandas", "polars")


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


def phase_publish(work: Path) -> dict[str, Any]:
    import shutil

    from cxcore.store.publish import publish

    shutil.rmtree(work / "store", ignore_errors=True)
    tables: dict[str, Any] = {}
    for name in TABLES:
        path = work / "data" / f"{name}.parquet"
        seconds, result = timed(lambda p=path, n=name: publish(work / "store", n, [p], bulk=True))
        tables[name] = {"rows": result.info.rows, "seconds": seconds}
    rows = sum(t["rows"] for t in tables.values())
    seconds = sum(t["seconds"] for t in tables.values())
    return {"tables": tables, "rows": rows, "seconds": seconds, "rows_per_s": rows / seconds}


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

    cold, first = timed(lambda: cockpit.kpis(**series[0].kwargs()))
    warm = [asked(lambda v=v: cockpit.kpis(**v.kwargs())) for v in series[1:]]
    pairs = [
        asked(lambda v=v: cockpit.kpis(**v.kwargs(), by=["segment", "region"]))
        for v in series[1 : 1 + max(views // 4, 3)]
    ]
    twelve, thirty_three = (
        trailing_months(cockpit.last_day, 12),
        trailing_months(cockpit.last_day, 33),
    )
    filters = [{}, *({"segment": [m]} for m in cockpit.dimensions["segment"][:4])]
    trend12 = [asked(lambda f=f: cockpit.kpis_many(twelve, "previous", f)) for f in filters]
    trend33 = [asked(lambda f=f: cockpit.kpis_many(thirty_three, "yoy", f)) for f in filters]
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
        "views": [v.kwargs() for v in series[1:6]],
    }


def _digest(answers: Sequence[Any]) -> str:
    """One hash of every answer: equal digests mean every number is the same, float by float."""
    text = json.dumps(answers, sort_keys=True, default=str)  # floats by repr: exact
    return hashlib.sha256(text.encode()).hexdigest()


def phase_baseline(work: Path, kind: str, views: Sequence[dict[str, Any]]) -> dict[str, Any]:
    from cxcore.bench.baselines import PandasOverview, PolarsLazyOverview

    maker = PandasOverview if kind == "pandas" else PolarsLazyOverview
    loaded, overview = timed(lambda: maker(work / "data"))
    first, answer = timed(lambda: overview.kpis(**views[0]))
    rest = [timed(lambda v=v: overview.kpis(**v))[0] for v in views[1:]]
    return {
        "load_ms": loaded * 1000,
        "view": summary([first, *rest]),
        "first_kpis": answer,
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
    parser.add_argument("--views", type=int, default=40, help="overview views to ask")
    parser.add_argument("--baseline-views", type=int, default=5)
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
    work = Path(args.work or Path.cwd() / f"bench-{args.scale}")
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
        result = phase_publish(work)
    elif args.phase == "serve":
        result = phase_serve(work, args.views, args.seed, args.engine)
    else:
        result = phase_baseline(work, args.phase, json.loads(args.view_list))
    result["peak_mb"] = peak_mb()
    print(json.dumps(result, default=str))
    return 0


def _all_phases(args: argparse.Namespace, work: Path, argv: list[str]) -> dict[str, Any]:
    common = ["--scale", args.scale, "--work", str(work), "--seed", str(args.seed)]
    figures: dict[str, Any] = {
        "scale": args.scale,
        "customers": SCALES[args.scale],
        "machine": f"{platform.machine()}, {os.cpu_count()} cores,"
        f" Python {platform.python_version()}",
        "command": " ".join(["cx-cockpit bench", *argv]),
    }
    marker = work / "data" / "GENERATED"
    if not marker.exists() or marker.read_text().strip() != f"{args.scale} {args.seed}":
        figures["generate"] = run_phase(["--phase", "generate", *common])
        marker.write_text(f"{args.scale} {args.seed}\n")
    if not (args.keep_store and (work / "store").is_dir()):
        figures["publish"] = run_phase(["--phase", "publish", *common])
    serve = ["--phase", "serve", *common, "--views", str(args.views)]
    figures["serve"] = run_phase(serve)
    if args.engine == "spark":
        figures["spark"] = run_phase([*serve, "--engine", "spark"])
        same = figures["spark"]["answers_sha256"] == figures["serve"]["answers_sha256"]
        figures["spark"]["same_answers_as_duckdb"] = same
    if not args.no_baselines:
        views = [figures["serve"]["first_view"], *figures["serve"]["views"]][: args.baseline_views]
        for kind in ("pandas", "polars"):
            figures[kind] = run_phase(["--phase", kind, *common, "--view-list", json.dumps(views)])
        _compare(figures)
    return figures


def _compare(figures: dict[str, Any]) -> None:
    from cxcore.bench.baselines import same_kpis

    engine = figures["serve"]["first_kpis"]
    warm = figures["serve"]["overview_warm"]["p50_ms"]
    for kind in ("pandas", "polars"):
        figures[kind]["differs_from_engine"] = same_kpis(engine, figures[kind]["first_kpis"])
        figures[kind]["engine_speedup"] = figures[kind]["view"]["p50_ms"] / max(warm, 1e-9)


def print_report(f: dict[str, Any]) -> None:
    rows = [("customers", f"{f['customers']:,}"), ("machine", f["machine"])]
    rows += _publish_rows(f.get("publish"))
    rows += _serve_rows("", f["serve"])
    if "spark" in f:
        spark = f["spark"]
        rows += _serve_rows("Spark: ", spark)
        rows.append(("Spark: JVM peak memory", f"{spark['engine_peak_mb']:,} MB"))
        agree = "yes, every answer" if spark["same_answers_as_duckdb"] else "NO: answers differ"
        rows.append(("Spark: same numbers as DuckDB", agree))
    for kind in ("pandas", "polars"):
        if kind in f:
            rows += _baseline_rows(kind, f[kind])
    width = max(len(r[0]) for r in rows)
    for label, text in rows:
        print(f"{label:<{width}}  {text}")


def _publish_rows(publish: dict[str, Any] | None) -> list[tuple[str, str]]:
    if publish is None:
        return [("publish", "not run: the store of a previous run was kept")]
    tables = ", ".join(f"{n} {t['rows']:,}" for n, t in publish["tables"].items())
    return [
        ("rows", tables),
        (
            "publish",
            f"{publish['rows']:,} rows in {publish['seconds']:.1f} s = "
            f"{publish['rows_per_s']:,.0f} rows/s, peak {publish['peak_mb']:,} MB",
        ),
        *(
            (f"  {n}", f"{t['seconds']:.1f} s ({t['rows'] / t['seconds']:,.0f} rows/s)")
            for n, t in publish["tables"].items()
        ),
    ]


def _serve_rows(prefix: str, serve: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (f"{prefix}open a version", f"{serve['open_ms']:.0f} ms"),
        (f"{prefix}overview, cold", f"{serve['overview_cold_ms']:.0f} ms"),
        (f"{prefix}overview, warm", _p(serve["overview_warm"])),
        (f"{prefix}segment x region", _p(serve["segment_x_region"])),
        (f"{prefix}12-month trend", _p(serve["trend_12_months"])),
        (f"{prefix}33-month trend", _p(serve["trend_33_months"])),
        (f"{prefix}serving peak memory", f"{serve['peak_mb']:,} MB"),
    ]


def _baseline_rows(kind: str, b: dict[str, Any]) -> list[tuple[str, str]]:
    agree = (
        "same numbers"
        if not b["differs_from_engine"]
        else f"DIFFERS: {b['differs_from_engine'][:3]}"
    )
    return [
        (f"{kind}: load", f"{b['load_ms'] / 1000:.1f} s, peak {b['peak_mb']:,} MB"),
        (
            f"{kind}: per view",
            f"{_p(b['view'])}; engine {b['engine_speedup']:.0f}x faster; {agree}",
        ),
    ]


def _p(s: dict[str, float]) -> str:
    return f"p50 {s['p50_ms']:.0f} ms, p95 {s['p95_ms']:.0f} ms (n={s['n']})"
