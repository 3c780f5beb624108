"""A page that fails for a reason the reader can act on says so in one line naming the
setting, where the app's hidden error details would leave a bare "An error occurred"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from cxcore.metrics.backend import QueryTimeout
from cxcore.metrics.spark_backend import SparkFailed
from cxcore.ui import data
from tests.ui.conftest import open_app

OUT_OF_MEMORY = duckdb.OutOfMemoryException("could not allocate block of size 256.0 KiB")


@pytest.mark.parametrize(
    ("failure", "said"),
    [
        (QueryTimeout.after(30), "the query ran longer than 30 s and was stopped"),
        (OUT_OF_MEMORY, "the engine ran out of memory (CX_MEMORY_LIMIT_MB sets its limit;"),
        (SparkFailed("Spark failed: [FAILED_READ_FILE] x"), "Spark failed: [FAILED_READ_FILE] x"),
    ],
)
def test_a_failure_mid_page_is_one_line_naming_what_helps(
    store: Path, monkeypatch: pytest.MonkeyPatch, failure: Exception, said: str
) -> None:
    def failing(*args: Any, **kwargs: Any) -> dict[str, Any]:
        raise failure

    monkeypatch.setattr(data, "kpis", failing)
    at = open_app()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("This page could not be finished: ")
    assert said in errors[0]


def test_an_unforeseen_failure_is_not_disguised(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(*args: Any, **kwargs: Any) -> dict[str, Any]:
        raise KeyError("a bug")

    monkeypatch.setattr(data, "kpis", failing)
    at = open_app()
    assert at.exception  # Streamlit's own error, its details kept in the server's log
    assert not [e for e in at.error if "could not be finished" in e.value]
