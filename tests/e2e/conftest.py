"""One `streamlit run app.py` per module, driven by Debian's Chromium through Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # imported where a browser is launched, after the check for one
    from playwright.sync_api import Browser, FloatRect, Locator, Page

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        why = f"no Chromium at {CHROMIUM} (install Debian's chromium or set CHROMIUM_PATH)"
        if os.environ.get("CX_REQUIRE_BROWSER") == "1":  # CI: a missing browser is a failure
            pytest.fail(why)
        print(f"e2e skipped: {why}")
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cxcore.data.sample import generate

    folder = tmp_path_factory.mktemp("e2e_data")
    generate(folder, customers=1500)
    return folder


@contextmanager
def data_to_serve(given: Path | None, customers: int) -> Iterator[Path]:
    """The data folder or store a measuring tool was given, else a generated sample that
    lives as long as the run."""
    if given is not None:
        yield given.resolve()
        return
    import tempfile

    from cxcore.data.sample import generate

    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), customers=customers)
        yield Path(tmp)


def members_of(data: Path, *dimensions: str) -> list[list[str]]:
    """The members of each dimension in the data served: a link or a filter naming any
    other selects nothing, and a measuring tool would wait for a change never made."""
    from cxcore.cockpit import Cockpit

    with Cockpit.open(data) as cockpit:
        return [list(cockpit.dimensions[d]) for d in dimensions]


@contextmanager
def running_app(env: dict[str, str]) -> Iterator[str]:
    """`streamlit run app.py` on a free port with `env`; yields its base URL once healthy."""
    with running_server(env) as (base, _pid):
        yield base


@contextmanager
def running_server(env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """As `running_app`, with the server's process id, for measuring its memory."""
    port = _free_port()
    streamlit = shutil.which("streamlit", path=str(Path(sys.executable).parent)) or "streamlit"
    proc = subprocess.Popen(
        [streamlit, "run", "app.py", "--server.headless", "true", "--server.port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base)
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server(data_folder: Path, browser: object) -> Iterator[str]:
    with running_app({**os.environ, "CX_DATA": str(data_folder)}) as base:
        yield base


def _wait_healthy(base: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("streamlit did not become healthy")


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1500, "height": 1800})
    yield context.new_page()
    context.close()


# The page is settled when no script run is going on and nothing drawn is a placeholder
# or left over from an earlier run; held for a few animation frames in a row, since a
# first run may ask for another (a link read, a value fixed) right after it ends.
SETTLED = """([frames]) => new Promise(resolve => {
  let calm = 0;
  const look = () => {
    const idle = document.querySelector(
      '[data-testid="stApp"][data-test-script-state="notRunning"]');
    const busy = document.querySelector('[data-testid="stSkeleton"], [data-stale="true"]');
    const drawn = document.querySelector('[data-testid="stMain"] h1');
    calm = idle && drawn && !busy ? calm + 1 : 0;
    if (calm >= frames) resolve(true); else requestAnimationFrame(look);
  };
  look();
})"""


def settle(page: Page) -> None:
    """Wait until the script run is over and the page is drawn, from Streamlit's own state."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=60_000)
    page.evaluate(SETTLED, [20])


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def drawn_box(element: Locator) -> FloatRect:
    """Where an element is drawn (Playwright gives None for one that is not visible)."""
    box = element.bounding_box()
    assert box is not None, f"{element} is not drawn"
    return box


# Every word drawn across two lines: broken mid-word, not at a space or after a hyphen
# ("Multi-" / "category" is a proper break).
BROKEN_WORDS = """selector => [...document.querySelectorAll(selector)]
  .flatMap(e => [...e.childNodes].filter(n => n.nodeType === Node.TEXT_NODE))
  .flatMap(node => [...node.textContent.matchAll(/[^ -]+-?/g)].filter(word => {
      const range = document.createRange();
      range.setStart(node, word.index); range.setEnd(node, word.index + word[0].length);
      return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
    }).map(word => word[0]))"""


def broken_words(page: Page, selector: str) -> list[str]:
    """The words of the elements `selector` finds that the page breaks mid-word."""
    words: list[str] = page.evaluate(BROKEN_WORDS, selector)
    return words
