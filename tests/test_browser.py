"""The running app in a real browser: Debian's chromium driven by Playwright (never downloaded).

For every page: it draws without an error, a filter changed in the sidebar goes into the URL, that
URL opened in a fresh browser context shows the same filtered view, and clicking a chart element
lists the articles behind it. A screenshot of each page is saved under test-output/. No request
may leave the machine (the map is drawn from the shipped boundaries).
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

from dashboard.i18n import theme_labels
from dashboard.ui import DATA_ENV
from tests.conftest import ROOT

CHROMIUM = os.environ.get("GOVLENS_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 1000}
TIMEOUT = 60_000
pytestmark = pytest.mark.browser

# page → selector of the chart elements to click (the first one of this kind on the page)
CLICKABLE = {
    "overview": ".js-plotly-plot .barlayer .point path",
    "compare": ".js-plotly-plot .barlayer .point path",
    "timeline": ".js-plotly-plot .barlayer .point path",
    "map": ".js-plotly-plot .scattergeo .point",  # a county: always has articles
    "keywords": ".js-plotly-plot .barlayer .point path",
    "slogans": ".js-plotly-plot .scatterlayer .point",
}
PAGES = [*CLICKABLE, "articles"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def tables(built_sample) -> Path:
    out, code = built_sample
    assert code == 0
    return out


@pytest.fixture(scope="module")
def app_url(tables):
    port = _free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1", **{DATA_ENV: str(tables)})
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError("streamlit did not start: " + server.stdout.read1().decode(errors="replace"))
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM} (install Debian's chromium: see packages.txt)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def context(browser):
    """One browser context for the module, so the app's scripts are fetched and compiled once;
    every tab in it is a separate app session."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT)
    yield context
    context.close()


@pytest.fixture
def new_page(context):
    """Fresh tabs (each a new app session, sharing nothing but the browser's cache); fails the test
    if any request leaves the machine."""
    pages, outside = [], []

    def watch(request) -> None:
        if urlparse(request.url).hostname not in ("127.0.0.1", "localhost") and not request.url.startswith(("data:", "blob:")):
            outside.append(request.url)

    context.on("request", watch)

    def make():
        pages.append(context.new_page())
        return pages[-1]

    yield make
    context.remove_listener("request", watch)
    for page in pages:
        page.close()
    assert not outside, f"requests left the machine: {outside[:5]}"


def wait_for_app(page) -> None:
    page.wait_for_selector("[data-testid='stApp']")
    page.wait_for_selector("[data-testid='stSidebar'] [data-testid='stMultiSelect']")
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
    errors = page.locator("[data-testid='stException']")
    assert errors.count() == 0, errors.first.inner_text()


def _sidebar_select(page, label: str, option: str) -> None:
    box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(has_text=label).first
    box.locator("input").fill(option)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")


def _chosen(page, label: str) -> list[str]:
    box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(has_text=label).first
    return [t.strip() for t in box.locator(".react-aria-ComboBox [data-tag] > span[title]").all_inner_texts()]


def _view_text(page) -> str:
    """What the page shows in its main area once it has settled: the charts' own text (titles,
    ticks, legends) and the captions, enough to tell two filtered views apart."""
    def read() -> str:
        charts = page.locator(".js-plotly-plot .main-svg").all_text_contents()
        return "\n".join([*charts, *page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").all_inner_texts()])

    seen = read()
    for _ in range(40):  # a re-run replaces elements one by one: wait until two reads agree
        page.wait_for_timeout(400)
        wait_for_app(page)
        now = read()
        if now == seen:
            return now
        seen = now
    raise AssertionError("the page kept changing")


@pytest.fixture(scope="module")
def top_theme(tables) -> str:
    """The label of the sample's most frequent theme: a filter that keeps some of every chart."""
    themes = pd.read_parquet(tables / "themes.parquet")
    return theme_labels("zh")[themes["theme"].value_counts().index[0]]


@pytest.mark.parametrize("name", PAGES)
def test_page_filter_url_and_click(name, app_url, new_page, top_theme, output_dir):
    page = new_page()
    page.goto(f"{app_url}/{name}" if name != "overview" else app_url)  # the default page lives at /
    wait_for_app(page)
    if name in CLICKABLE:
        page.wait_for_selector(".js-plotly-plot .main-svg")
    page.screenshot(path=str(output_dir / f"{name}.png"), full_page=True)

    _sidebar_select(page, "主题", top_theme)
    page.wait_for_url(re.compile(r"[?&]theme="))
    wait_for_app(page)
    assert _chosen(page, "主题") == [top_theme]
    seen = _view_text(page)

    again = new_page()  # a new session: only the URL carries the view
    again.goto(page.url)
    wait_for_app(again)
    assert _chosen(again, "主题") == [top_theme]
    if name in CLICKABLE:
        again.wait_for_selector(CLICKABLE[name])
    assert _view_text(again) == seen

    if name in CLICKABLE:
        element = again.locator(CLICKABLE[name]).first
        box = element.bounding_box()
        again.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        listed = again.locator(".st-key-selected-articles")
        listed.locator("[data-testid='stDataFrame']").wait_for()
        assert re.search(r"共 [1-9]\d* 篇", listed.inner_text())
    else:  # the article list: pick the first row, the reader opens and the URL names the article
        grid = again.locator("[data-testid='stDataFrame']").first
        box = grid.bounding_box()
        again.mouse.click(box["x"] + 14, box["y"] + 35 + 17)
        again.wait_for_url(re.compile(r"[?&]article="))
        wait_for_app(again)
        again.locator("[data-testid='stHtml']").last.wait_for()  # the article's text
        assert "得分" in again.locator("[data-testid='stMain']").inner_text()  # each theme with its evidence
        assert parse_qs(urlparse(again.url).query)["theme"]


def test_switching_pages_keeps_the_filters(app_url, new_page, top_theme):
    page = new_page()
    page.goto(f"{app_url}/?lang=en")
    wait_for_app(page)
    _sidebar_select(page, "Theme", theme_labels("en")[next(k for k, v in theme_labels("zh").items() if v == top_theme)])
    page.wait_for_url(re.compile(r"[?&]theme="))
    wait_for_app(page)
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text="Timeline").click()
    page.wait_for_url(re.compile(r"/timeline\?.*theme="))
    wait_for_app(page)
    assert "lang=en" in page.url
    assert page.locator("h1").first.inner_text().strip() == "Timeline"
    assert len(_chosen(page, "Theme")) == 1
