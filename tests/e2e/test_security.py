"""The server as an attacker meets it: rebinding, uploads without a role, framing, and ten
readers on the Data page at once (which once hung the server for good)."""

from __future__ import annotations

import base64
import os
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import pytest

from .conftest import SETTLED, running_app

if TYPE_CHECKING:
    from playwright.sync_api import Browser

HANDSHAKE = {
    "Connection": "Upgrade",
    "Upgrade": "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": base64.b64encode(b"sixteen byte key").decode(),
}


@pytest.fixture(scope="module")
def guarded(data_folder: Path, browser: object) -> Iterator[str]:
    with running_app({**os.environ, "CX_DATA": str(data_folder)}) as base:
        yield base


def upgrade(base: str, host: str | None) -> int:
    """The status a WebSocket handshake for the app's stream gets, under a given Host name."""
    where = urlparse(base)
    lines = ["GET /_stcore/stream HTTP/1.1", f"Host: {host or where.netloc}"]
    lines += [f"{k}: {v}" for k, v in HANDSHAKE.items()]
    with socket.create_connection((where.hostname, where.port), timeout=10) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        first = conn.recv(1024).split(b"\r\n", 1)[0].decode()
    return int(first.split()[1])


def status(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def test_a_rebinding_page_cannot_open_the_app_socket(guarded: str) -> None:
    """A browser that maps another name to 127.0.0.1 sends that name as Host: refused."""
    assert upgrade(guarded, "evil.example") == 403
    assert upgrade(guarded, None) == 101  # the app's own name still works


def test_uploads_are_refused_before_a_role_is_granted(guarded: str) -> None:
    assert status(f"{guarded}/_stcore/upload_file/any-session/any-file", method="PUT") == 403


def test_no_other_site_can_frame_the_cockpit(guarded: str) -> None:
    with urllib.request.urlopen(f"{guarded}/", timeout=10) as response:
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_ten_readers_on_the_data_page_at_once_all_get_it_and_the_server_stays_up(
    guarded: str, browser: Browser
) -> None:
    """All ten sessions are opened before any is waited for, so their scripts run together."""
    pages = [browser.new_context().new_page() for _ in range(10)]
    for page in pages:
        page.goto(f"{guarded}/data", wait_until="commit", timeout=120_000)
    tables = []
    for page in pages:
        page.wait_for_selector('[data-testid="stMain"] h1', timeout=120_000)
        page.evaluate(SETTLED, [10])
        tables.append(page.locator('[data-testid="stDataFrame"]').count())
        page.context.close()
    assert tables == [tables[0]] * 10 and tables[0] >= 2
    assert status(f"{guarded}/_stcore/health") == 200
