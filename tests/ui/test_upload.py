"""The Upload and Versions pages through AppTest: the role gate, check, publish, restore."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from cxcore.store.layout import current_version, list_versions, recall_mapping
from cxcore.store.publish import PublishResult, rollback
from cxcore.store.roles import Throttle
from cxcore.ui import access, upload
from cxcore.ui.upload_mapping import NOT_MAPPED

from .conftest import APP, listening_on

PASSPHRASE = "correct horse battery staple"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "s3cret-cookie",
    "client_id": "cockpit",
    "client_secret": "xyz",
    "server_metadata_url": "https://login.example.com/.well-known/openid-configuration",
}


@pytest.fixture
def store(store: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The shared store on a server reachable from the network (all interfaces), with no
    access settings left over from the environment: uploads closed until configured."""
    for name in ("CX_ANALYST_PASSPHRASE", "CX_ANALYSTS", "CX_MAX_UPLOAD_MB"):
        monkeypatch.delenv(name, raising=False)
    with listening_on("0.0.0.0"):
        yield store


@pytest.fixture
def local() -> Iterator[None]:
    """The server listens on localhost only, so uploads are open without a passphrase."""
    with listening_on("localhost"):
        yield


def open_page(page: str = "pages/upload.py", **attrs: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in attrs.items():
        setattr(at, name, value)
    at.switch_page(page)
    return at.run()


def texts(at: AppTest, kind: str) -> str:
    return " ".join(str(e.value) for e in getattr(at, kind))


def nps_csv(seed: Path, scores: dict[int, int] | None = None, rename: str | None = None) -> bytes:
    """The seed's survey answers as CSV; `scores` overrides rows (1-based, as the report counts)."""
    frame = pl.read_parquet(seed / "nps_responses.parquet").head(300)
    values = frame["score"].to_list()
    for row, score in (scores or {}).items():
        values[row - 1] = score
    frame = frame.with_columns(pl.Series("score", values))
    if rename:
        frame = frame.rename({"score": rename})
    out = io.BytesIO()
    frame.write_csv(out)
    return out.getvalue()


def upload_nps(at: AppTest, content: bytes) -> AppTest:
    at.selectbox(key=upload.TABLE).set_value("nps_responses")
    at.file_uploader[0].set_value(("nps_responses.csv", content, "text/csv"))
    return at.run()


def test_closed_shows_how_to_configure_and_no_uploader(store: Path) -> None:
    at = open_page()
    assert not at.exception
    assert texts(at, "warning") == (
        "**Upload is closed here.** No analyst access is set up; see *Access* in `docs/store.md`."
    )
    assert "CX_ANALYST_PASSPHRASE" in texts(at, "code")
    assert not at.file_uploader


def test_a_wrong_passphrase_is_refused_and_the_right_one_unlocks(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CX_ANALYST_PASSPHRASE", PASSPHRASE)
    at = open_page()
    assert not at.file_uploader
    at.text_input(key=access.PASS_INPUT).input("open sesame")
    at.button(key="unlock").click().run()
    assert "not right" in texts(at, "error")
    assert not at.file_uploader
    at.text_input(key=access.PASS_INPUT).input(PASSPHRASE)
    at.button(key="unlock").click().run()
    assert not at.exception and not at.error
    assert "unlocked" in texts(at, "success")
    assert len(at.file_uploader) == 1


def test_passphrase_guessing_is_slowed_and_logged(
    store: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("CX_ANALYST_PASSPHRASE", PASSPHRASE)
    monkeypatch.setattr(access, "THROTTLE", Throttle(free_misses=2, first_wait_s=60))
    at = open_page()
    with caplog.at_level("WARNING", logger="cxcore.access"):
        for _ in range(3):
            at.text_input(key=access.PASS_INPUT).input("guess")
            at.button(key="unlock").click().run()
    logged = [r.getMessage() for r in caplog.records if r.name == "cxcore.access"]
    assert len(logged) == 2  # the third guess was not even tried
    assert logged[0].endswith("(1 in a row)") and logged[1].endswith("(2 in a row)")
    assert "try again in 60 s" in texts(at, "error")
    at.text_input(key=access.PASS_INPUT).input(PASSPHRASE)  # right, but still too soon
    at.button(key="unlock").click().run()
    assert not at.file_uploader


def test_localhost_is_open_and_says_how_to_configure(store: Path, local: None) -> None:
    at = open_page()
    assert not at.exception
    notice = texts(at, "info")
    assert "only listens on this computer" in notice and "`docs/store.md`" in notice
    assert "To open uploads" not in notice and notice.count(".") <= 2  # one sentence
    assert len(at.file_uploader) == 1


def test_oidc_lets_listed_analysts_in(store: Path) -> None:
    secrets = {"auth": AUTH, "analysts": {"emails": ["ana@example.com"]}}
    at = open_page(secrets=secrets, user={"is_logged_in": False})
    assert any(b.key == "login" for b in at.button) and not at.file_uploader
    at = open_page(secrets=secrets, user={"is_logged_in": True, "email": "bob@example.com"})
    assert "not on the analyst list" in texts(at, "warning") and not at.file_uploader
    at = open_page(secrets=secrets, user={"is_logged_in": True, "email": "Ana@example.com"})
    assert "Signed in as Ana@example" in texts(at, "success")
    assert len(at.file_uploader) == 1


@pytest.mark.parametrize("claim", [False, "false"])
def test_oidc_does_not_take_an_unverified_email_for_the_analyst(store: Path, claim: object) -> None:
    secrets = {"auth": AUTH, "analysts": {"emails": ["ana@example.com"]}}
    user = {"is_logged_in": True, "email": "ana@example.com", "email_verified": claim}
    at = open_page(secrets=secrets, user=user)
    assert not at.exception
    assert "has not verified that address" in texts(at, "warning")
    assert "(analyst)" not in texts(at, "success")
    assert not at.file_uploader
    assert any(b.key == "logout" for b in at.button)
    rollback(store, 1)
    at = open_page("pages/versions.py", secrets=secrets, user=user)
    assert not at.exception
    assert not [b for b in at.button if b.key and b.key.startswith("restore_")]


def test_oidc_takes_a_verified_email_or_one_the_provider_says_nothing_about(store: Path) -> None:
    secrets = {"auth": AUTH, "analysts": {"emails": ["ana@example.com"]}}
    for extra in ({"email_verified": True}, {}):
        user = {"is_logged_in": True, "email": "ana@example.com", **extra}
        at = open_page(secrets=secrets, user=user)
        assert "Signed in as ana@example" in texts(at, "success")
        assert len(at.file_uploader) == 1


def test_a_bad_file_shows_the_report_and_cannot_be_published(
    store: Path, store_seed: Path, local: None
) -> None:
    at = upload_nps(open_page(), nps_csv(store_seed, scores={3: 11, 7: 12}))
    at.button(key="check").click().run()
    assert not at.exception
    assert "1 problem blocks publishing" in texts(at, "error")
    findings = at.dataframe[0].value
    row = findings[findings["column"] == "nps_responses.score"].iloc[0]
    assert row["rows"] == "2" and "above 10" in row["rule"]
    assert row["examples"] == "row 3: '11', row 7: '12'"
    assert at.button(key="publish").disabled
    assert current_version(store) == 1


def test_a_good_file_is_compared_then_published(store: Path, store_seed: Path, local: None) -> None:
    at = upload_nps(open_page(), nps_csv(store_seed))
    at.radio(key=upload.MODE).set_value("append").run()
    at.button(key="check").click().run()
    assert not at.exception and not at.error
    assert "No problems found" in texts(at, "success") and not texts(at, "warning")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rows added"] == "0" and metrics["Rows removed"] == "0"
    assert any("NPS" in set(d.value["KPI"]) for d in at.dataframe if "KPI" in d.value)
    at.text_input(key=upload.NOTE).input("week 38")
    at.button(key="publish").click().run()
    assert not at.exception and not at.error
    assert "Published version 2" in texts(at, "success")
    assert current_version(store) == 2
    latest = list_versions(store)[0]
    assert (latest.table, latest.mode, latest.note, latest.user) == (
        "nps_responses",
        "append",
        "week 38",
        "analyst",
    )
    assert not at.file_uploader[0].value  # a fresh uploader for the next export


def test_a_renamed_column_is_mapped_and_remembered(
    store: Path, store_seed: Path, local: None
) -> None:
    at = upload_nps(open_page(), nps_csv(store_seed, rename="Stars"))
    mapping = at.selectbox(key="_cx_map_nps_responses_score")
    assert mapping.value == NOT_MAPPED and "stars" in mapping.options  # no name to guess from
    assert "Required columns missing from the files: `score`" in texts(at, "warning")
    assert "check" not in [b.key for b in at.button]  # nothing to check until it is mapped
    mapping.set_value("stars").run()
    at.button(key="check").click().run()
    assert not at.error
    at.button(key="publish").click().run()
    assert current_version(store) == 2
    assert recall_mapping(store, "nps_responses") == {"stars": "score"}
    at = upload_nps(open_page(), nps_csv(store_seed, rename="Stars"))
    assert at.selectbox(key="_cx_map_nps_responses_score").value == "stars"


def test_a_column_named_otherwise_is_guessed_before_the_check(
    store: Path, store_seed: Path, local: None
) -> None:
    at = upload_nps(open_page(), nps_csv(store_seed, rename="Rating (0-10)"))
    assert at.selectbox(key="_cx_map_nps_responses_score").value == "rating (0-10)"
    assert "Required columns missing" not in texts(at, "warning")
    at.button(key="check").click().run()
    assert not at.exception and not at.error


def test_staged_paths_run_the_same_flow_without_the_uploader(
    store: Path, store_seed: Path, local: None, tmp_path: Path
) -> None:
    path = tmp_path / "orders_week.csv"
    path.write_bytes(b"order_id,customer_id,order_date,product_category,amount\nX1,C1,oops,a,1\n")
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[upload.STAGED] = upload.Staged((str(path),))
    at.switch_page("pages/upload.py").run()
    at.selectbox(key=upload.TABLE).set_value("orders").run()
    at.button(key="check").click().run()
    assert not at.exception
    assert "are not dates" in " ".join(at.dataframe[0].value["rule"])
    assert at.button(key="publish").disabled


def test_the_server_checks_the_role_again_when_publishing(
    store: Path, store_seed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CX_ANALYST_PASSPHRASE", PASSPHRASE)
    at = open_page()
    at.text_input(key=access.PASS_INPUT).input(PASSPHRASE)
    at.button(key="unlock").click().run()
    at = upload_nps(at, nps_csv(store_seed))
    at.button(key="check").click().run()
    real = upload.publish_checked

    def rotated_meanwhile(*args: Any, **kwargs: Any) -> PublishResult:
        monkeypatch.setenv("CX_ANALYST_PASSPHRASE", "rotated after the page was drawn")
        return real(*args, **kwargs)

    monkeypatch.setattr(upload, "publish_checked", rotated_meanwhile)
    at.button(key="publish").click().run()
    assert not at.exception
    assert "could not be confirmed on the server" in texts(at, "error")
    assert current_version(store) == 1


def test_a_version_is_restored_as_a_new_version(store: Path, local: None) -> None:
    rollback(store, 1, note="second")
    at = open_page("pages/versions.py")
    assert not at.exception
    assert ": current]" in texts(at, "markdown")
    assert [b.key for b in at.button if b.key and b.key.startswith("restore_")] == ["restore_1"]
    at.button(key="restore_1").click().run()
    assert not at.exception and not at.error
    assert "Version 1 restored as the new version 3" in texts(at, "success")
    latest = list_versions(store)[0]
    assert (latest.version, latest.mode, latest.restored_from) == (3, "rollback", 1)


def test_the_history_is_open_to_everyone_but_restore_is_not(store: Path) -> None:
    rollback(store, 1)
    at = open_page("pages/versions.py")
    assert not at.exception
    assert "restore versions is closed" in texts(at, "warning").lower()
    assert not [b for b in at.button if b.key and b.key.startswith("restore_")]
    assert "created from" in texts(at, "markdown")


def test_a_plain_data_folder_says_uploads_need_a_store(local: None) -> None:
    at = open_page()  # CX_DATA is the shared generated data folder here, not a store
    assert not at.exception and not at.error
    assert "Uploads need a managed store" in texts(at, "info")
    assert not at.file_uploader


def test_a_version_published_after_the_check_stops_the_publish(
    store: Path, store_seed: Path, local: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What was reviewed was compared with version 1; publishing it on top of 2 is refused."""
    at = upload_nps(open_page(), nps_csv(store_seed))
    at.button(key="check").click().run()
    assert not at.exception and not at.error
    real = upload.publish_checked

    def published_meanwhile(*args: Any, **kwargs: Any) -> PublishResult:
        rollback(store, 1, note="someone else, from the command line")
        return real(*args, **kwargs)

    monkeypatch.setattr(upload, "publish_checked", published_meanwhile)
    at.button(key="publish").click().run()
    assert not at.exception and not at.error
    assert "Version 2 was published since you checked" in texts(at, "warning")
    assert current_version(store) == 2
    assert list_versions(store)[0].note == "someone else, from the command line"


def test_the_review_warns_when_a_publish_leaves_exports_ending_apart(
    store: Path, store_seed: Path, local: None
) -> None:
    """Orders for 1-14 Oct (1-14 Sep's again, +30 days) while every other export ends 30 Sep."""
    orders = pl.read_parquet(store_seed / "orders.parquet")
    october = orders.filter(
        pl.col("order_date").is_between(pl.date(2026, 9, 1), pl.date(2026, 9, 14))
    ).with_columns(
        (pl.col("order_date") + pl.duration(days=30)).alias("order_date"),
        ("X" + pl.col("order_id")).alias("order_id"),
    )
    out = io.BytesIO()
    october.write_csv(out)
    at = open_page()
    at.selectbox(key=upload.TABLE).set_value("orders")
    at.file_uploader[0].set_value(("orders.csv", out.getvalue(), "text/csv"))
    at.run()
    at.radio(key=upload.MODE).set_value("append").run()
    at.button(key="check").click().run()
    assert not at.exception and not at.error
    warning = texts(at, "warning")
    assert "After this publish, orders will run to 14 Oct 2026" in warning
    assert "for 1–14 Oct 2026" in warning and "NPS" in warning  # noqa: RUF001
