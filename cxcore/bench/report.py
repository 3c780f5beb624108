"""The benchmark's printed report: one line per figure, in the order users wait for them."""

from __future__ import annotations

from typing import Any


def print_report(f: dict[str, Any]) -> None:
    rows = [
        ("data", f.get("data", "generated")),
        ("customers", f"{f['customers']:,}" if f.get("customers") else "as given"),
        ("machine", f["machine"]),
    ]
    rows += _publish_rows(f.get("publish"))
    rows += _serve_rows("", f["serve"])
    if "clv" in f:
        rows += _clv_rows(f["clv"])
    if "spark" in f:
        spark = f["spark"]
        rows += _serve_rows("Spark: ", spark)
        rows.append(("Spark: JVM peak memory", f"{spark['engine_peak_mb']:,} MB"))
        agree = "yes, every answer" if spark["same_answers_as_duckdb"] else "NO: answers differ"
        rows.append(("Spark: same numbers as DuckDB", agree))
    if "baselines_skipped" in f:
        rows.append(("baselines", f"not run: {f['baselines_skipped']}"))
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
        *((f"  {n}", _table_publish(t)) for n, t in publish["tables"].items()),
    ]


def _table_publish(t: dict[str, Any]) -> str:
    rate = f"{t['seconds']:.1f} s ({t['rows'] / max(t['seconds'], 1e-9):,.0f} rows/s)"
    steps = ", ".join(f"{step} {seconds:.1f}" for step, seconds in t.get("steps", {}).items())
    return f"{rate}: {steps} s" if steps else rate


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


def _clv_rows(clv: dict[str, Any]) -> list[tuple[str, str]]:
    if "skipped" in clv:
        return [("lifetime value", f"not run: {clv['skipped']}")]
    kept = clv["kept_mb"]
    return [
        (
            "lifetime value: fit",
            f"{clv['fit_ms'] / 1000:.1f} s for {clv['customers']:,} customers,"
            f" valued by segment in {clv['value_ms'] / 1000:.1f} s, peak {clv['peak_mb']:,} MB",
        ),
        (
            "lifetime value: a kept fit",
            f"{kept:,.1f} MB ({clv['fits_kept']} kept at most: {kept * clv['fits_kept']:,.0f} MB)",
        ),
    ]


def _baseline_rows(kind: str, b: dict[str, Any]) -> list[tuple[str, str]]:
    views = b["view"]["n"]
    agree = (
        f"same numbers in all {views} views"
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
