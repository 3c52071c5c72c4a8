"""The app end to end in a real headless Chromium: `kg app` on the seeds store, searched,
drawn, clicked, queried and exported, with no page error and no request to any host but
this machine. Screenshots go to build/screenshots/ (KG_SCREENSHOTS=DIR to choose; the
README's pictures in docs/screenshots/ come from such a run).

Needs Debian's /usr/bin/chromium (`apt-get install chromium fonts-noto-cjk`); without it the
tests skip, unless KG_REQUIRE_BROWSER=1 makes that a failure."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from kg import batch
from kg.store import Store

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
SHOTS = Path(os.environ.get("KG_SCREENSHOTS") or ROOT / "build" / "screenshots")
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
LOCAL_SCHEMES = {"data", "blob", "about"}
JINAN = "福州市晋安区城市管理局"
TIMEOUT = 30_000  # ms


@pytest.fixture(scope="module")
def chromium_path() -> str:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)"
        if os.environ.get("KG_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return str(CHROMIUM)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(chromium_path, tmp_path_factory):
    directory = tmp_path_factory.mktemp("browser")
    store = Store(directory / "store")
    for outcome in batch.run([str(p) for p in SEEDS], progress=False):
        store.add(outcome.result)
    store.flush()
    store.close()
    del store
    port = _free_port()
    log = (directory / "app.log").open("wb")
    kg = Path(sys.executable).parent / "kg"
    proc = subprocess.Popen(
        [str(kg), "app", "--store", str(directory / "store"), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 40
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"kg app did not start: {(directory / 'app.log').read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # kg app and the streamlit it started
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=ARGS)
        yield b
        b.close()


class Watch:
    """Page errors and requests to other hosts, collected while a test drives the page."""

    def __init__(self, page) -> None:
        self.errors: list[str] = []
        self.foreign: list[str] = []
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", self._request)

    def _request(self, request) -> None:
        u = urlparse(request.url)
        if u.scheme not in LOCAL_SCHEMES and u.hostname not in LOCAL_HOSTS:
            self.foreign.append(request.url)

    def check(self) -> None:
        assert self.errors == [], self.errors
        assert self.foreign == [], self.foreign


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    watch = Watch(page)
    yield page
    watch.check()
    context.close()


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("[data-testid=stMainBlockContainer] h1")
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def test_overview_shows_counts_in_chinese(page, app_url):
    _open(page, app_url)
    page.get_by_text("Agency 机关").first.wait_for()
    page.get_by_text("Most-cited legal instruments").wait_for()
    page.locator("[data-testid=stVegaLiteChart]").first.wait_for()
    _shot(page, "overview.png")


def test_explore_search_draws_the_graph_and_a_click_opens_the_entity(page, app_url):
    _open(page, f"{app_url}/explore")
    box = page.get_by_role("textbox", name="Find an entity")
    box.fill("晋安区城管局")
    box.press("Enter")
    frame_el = page.locator(f'iframe[title="Graph around {JINAN}"]')
    frame_el.wait_for()
    frame = frame_el.content_frame
    frame.locator("body[data-ready='1']").wait_for()
    assert frame.locator("canvas").count() >= 1
    _shot(page, "explore.png")

    handle = frame_el.element_handle()
    inner = handle.content_frame()
    node = inner.evaluate(
        """() => {
            const net = window.kgNetwork;
            const id = net.body.data.nodes.getIds().find(
                (i) => net.body.data.nodes.get(i).ref === "agency/福州市晋安区城市管理局");
            return net.canvasToDOM(net.getPositions([id])[id]);
        }"""
    )
    frame_box = handle.bounding_box()
    page.mouse.click(frame_box["x"] + node["x"], frame_box["y"] + node["y"])
    page.wait_for_url(re.compile(r".*/entity\?e=agency"))
    page.locator("h1", has_text=JINAN).wait_for()
    mark = page.locator("mark", has_text=JINAN).first
    mark.wait_for()
    assert mark.is_visible()
    _shot(page, "entity.png")


def test_query_runs_an_example_and_shows_rows(page, app_url):
    _open(page, f"{app_url}/query")
    page.get_by_role("button", name="Run SPARQL").click()
    caption = page.get_by_text(re.compile(r"^\d+ rows? in \d+ ms"))
    caption.wait_for()
    assert int(caption.inner_text().split()[0]) > 0
    page.locator("[data-testid=stDataFrame]").first.wait_for()
    _shot(page, "query.png")


def test_export_downloads_turtle(page, app_url):
    _open(page, f"{app_url}/export")
    button = page.get_by_role("button", name="Download").first
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "store.ttl"
    data = Path(download.path()).read_text(encoding="utf-8")
    assert JINAN in data and "zhgov-kg" in data
