"""The lifetime-value fit as the economics page asks it, at the benchmark's scale.

The page fits both models once per data version, calibration end and filters
and keeps each fit (up to `FITS_KEPT` of them) for its breakdowns, so what a
fit costs is twice a user's figure: the wait for the first table, and the
memory every kept fit holds for as long as the page may ask it again.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from cxcore.analytics.clv_inputs import CustomerInputs
from cxcore.analytics.clv_report import FITS_KEPT, FittedClv, ModelError, summary
from cxcore.cockpit import Cockpit

MB = 1024 * 1024


def phase_clv(work: Path) -> dict[str, Any]:
    with Cockpit.open(work / "store") as cockpit:
        end = cockpit.last_day
        assert end is not None
        started = time.perf_counter()
        try:
            fitted = cockpit.clv_fit(end)
        except ModelError as err:
            return {"skipped": str(err)}
        fitted_at = time.perf_counter()
        answer = summary(fitted, by="segment")
        valued_at = time.perf_counter()
    return {
        "calibration_end": end.isoformat(),
        "customers": len(fitted.inputs),
        "fit_ms": (fitted_at - started) * 1000,
        "value_ms": (valued_at - fitted_at) * 1000,
        "kept_mb": kept_bytes(fitted) / MB,
        "fits_kept": FITS_KEPT,
        "mean_clv": answer["mean_clv"],
    }


def kept_bytes(fitted: FittedClv) -> int:
    """What a kept fit holds: its inputs' arrays and the values it has computed."""
    return _input_bytes(fitted.inputs) + sum(v.nbytes for v in fitted.valued.values())


def _input_bytes(inputs: CustomerInputs) -> int:
    arrays: list[np.ndarray] = [inputs.x, inputs.t_x, inputs.T, inputs.m, inputs.holdout_purchases]
    held = sum(a.nbytes for a in arrays) + inputs.customer_ids.get_total_buffer_size()
    for column in inputs.members.values():
        held += column.codes.nbytes + sum(len(label.encode()) for label in column.labels)
    return held
