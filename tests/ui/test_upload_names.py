"""The upload page says when a file name sent by the browser could not be kept."""

from __future__ import annotations

from pathlib import Path

from cxcore.ui import upload

from .test_upload import local, nps_csv, open_page, store, texts, upload_nps

__all__ = ["local", "store"]  # the upload page's fixtures: a network store, a local server


def test_the_page_says_a_name_was_replaced(store: Path, store_seed: Path, local: None) -> None:
    at = open_page()
    at.selectbox(key=upload.TABLE).set_value("nps_responses")
    at.file_uploader[0].set_value(("../nps_responses.csv", nps_csv(store_seed), "text/csv"))
    at.run()
    assert not at.exception
    assert "cannot be kept as it is" in texts(at, "info")
    assert "upload-0.csv" in texts(at, "info")


def test_a_plain_name_says_nothing(store: Path, store_seed: Path, local: None) -> None:
    at = upload_nps(open_page(), nps_csv(store_seed))
    assert "cannot be kept as it is" not in texts(at, "info")
