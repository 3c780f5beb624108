"""A kept fit's size is counted from what it holds, byte by byte."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from cxcore.analytics.clv_inputs import CustomerInputs, MemberColumn
from cxcore.analytics.clv_model import BgNbd, GammaGamma
from cxcore.analytics.clv_report import FittedClv
from cxcore.bench.lifetime import kept_bytes


def test_a_kept_fit_counts_its_arrays_ids_members_and_values() -> None:
    floats = np.zeros(3)
    inputs = CustomerInputs(
        customer_ids=pa.array(["a", "bb", "ccc"]),
        x=floats,
        t_x=floats.copy(),
        T=floats.copy(),
        m=floats.copy(),
        holdout_purchases=floats.copy(),
        members={"segment": MemberColumn(("SMB", "Été"), np.array([0, 1, 0], dtype=np.int32))},
    )
    fitted = FittedClv(dt.date(2025, 1, 1), {}, inputs, BgNbd(1, 1, 1, 1), GammaGamma(1, 1, 1))
    ids = 4 * 4 + 6  # four int32 offsets and six bytes of text
    members = 3 * 4 + len("SMB") + len("Été".encode())
    assert kept_bytes(fitted) == 5 * 3 * 8 + ids + members
    fitted.valued[(12, 0.01)] = np.ones(3)
    assert kept_bytes(fitted) == 5 * 3 * 8 + ids + members + 3 * 8
