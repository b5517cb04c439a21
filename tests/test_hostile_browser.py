"""Hostile text in the running app: HTML, <script>, <img onerror>, Markdown links and images,
and very long lines in titles, sources, bodies and URL parameters are shown as text.

The hostile case of scripts/make_bad_corpus.py is built by the CLI, served by Streamlit on
127.0.0.1 and opened in Debian's chromium. Every payload sets `window.__pwned`, opens a dialog
or fetches a URL containing "pwned"; none of that may happen, and no element may carry a
payload in an attribute that loads or runs something.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from pipeline import io
from pipeline.cli import EXIT_OK, EXIT_SKIPPED, main
from scripts import make_bad_corpus as corpus_maker
from tests.appserver import CHROMIUM, ROOT, launch_chromium, serve, wait_for_app

pytestmark = pytest.mark.browser

PAGES = sorted(p.stem for p in (ROOT / "dashboard" / "views").glob("*.py"))
PARAMS = {  # reflected into warnings, widgets and queries
    "q": "<script>window.__pwned=1</script>",
    "city": "![x](/pwned-param.png)",
    "theme": "<img src=/pwned-theme onerror=window.__pwned=1>",
    "from": "[点我](javascript:window.__pwned=1)",
    "article": "![x](/pwned-article.png)<img src=/pwned-article2>",  # the article page reports an unknown id
    "source": corpus_maker.HOSTILE_TITLES[1],  # a real source of the corpus: selected and shown in its widget
}
# Elements with a payload in an attribute that loads or runs something, and script elements holding one.
FIND_INJECTED = """() => {
  const loads = /^(src|srcset|href|action|formaction|data|poster|background|style|srcdoc|on.*)$/i;
  const out = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (loads.test(attr.name) && /pwned|javascript:/i.test(attr.value)) out.push(el.outerHTML.slice(0, 200));
    }
    if (el.tagName === 'SCRIPT' && /pwned/.test(el.textContent)) out.push(el.outerHTML.slice(0, 200));
  }
  return out;
}"""


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM} (install Debian's chromium: see packages.txt)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = launch_chromium(p)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory, browser):
    folder = tmp_path_factory.mktemp("hostile") / "in"
    corpus_maker.make(folder, corpus_maker.Sizes(), ["hostile_text", "odd_names"])
    out = folder.parent / "tables"
    assert main(["build", str(folder), "--out", str(out), "--quiet"]) in (EXIT_OK, EXIT_SKIPPED)
    with serve(out) as server:
        yield server, out


def visit(browser, url: str, ready: str = "[data-testid='stMain']") -> dict:
    """Open a URL; return what the page did: dialogs, requests for payload URLs, the flag,
    injected elements, exceptions and the app's text. `ready`: a selector the page must show."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    dialogs, fetched = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: fetched.append(request.url) if "pwned" in urlsplit(request.url).path else None)
    try:
        page.goto(url)
        wait_for_app(page)
        page.wait_for_selector(ready, timeout=60_000)
        wait_for_app(page)
        page.wait_for_timeout(500)  # images and late scripts
        return {
            "dialogs": dialogs,
            "fetched": fetched,
            "flag": page.evaluate("() => window.__pwned === undefined ? null : String(window.__pwned)"),
            "injected": page.evaluate(FIND_INJECTED),
            "exceptions": page.locator("[data-testid='stException']").all_inner_texts(),
            "text": page.locator("[data-testid='stApp']").text_content(),  # hidden parts (closed expanders) too
        }
    finally:
        page.close()


@pytest.mark.parametrize("name", PAGES)
def test_hostile_text_and_parameters_are_shown_as_text(hostile_app, browser, name):
    hostile_app, _ = hostile_app
    seen = visit(browser, f"{hostile_app.url}/{name}?{urlencode(PARAMS)}")
    assert seen["flag"] is None and not seen["dialogs"], seen
    assert not seen["fetched"], seen["fetched"]
    assert not seen["injected"], seen["injected"]
    assert not seen["exceptions"], seen["exceptions"]
    assert not hostile_app.errors()


@pytest.mark.parametrize("name", ["articles", "keywords"])
def test_hostile_titles_are_listed_as_text(hostile_app, browser, name):
    """The pages that list titles, with the hostile source selected and a query that finds its article."""
    hostile_app, _ = hostile_app
    seen = visit(browser, f"{hostile_app.url}/{name}?q=一网通办")
    assert seen["flag"] is None and not seen["dialogs"] and not seen["fetched"] and not seen["injected"], seen
    assert not seen["exceptions"], seen["exceptions"]
    selected = visit(browser, f"{hostile_app.url}/{name}?{urlencode({'source': corpus_maker.HOSTILE_TITLES[1]})}",
                     ready="[data-testid='stSidebar'] [data-testid='stMultiSelect']")
    assert corpus_maker.HOSTILE_TITLES[1] in selected["text"]  # the raw markup, visible as characters
    assert not selected["injected"] and not selected["fetched"], selected


@pytest.mark.parametrize("path", ["hostile/front_0.md", "hostile/front_1.md", "hostile/front_2.md", "hostile/script_in_body.txt"])
def test_the_reader_shows_a_hostile_article_as_text(hostile_app, browser, path):
    server, tables = hostile_app
    articles = io.read_table(tables, "articles")
    article = articles.loc[articles["doc_path"] == path, "article_id"].iloc[0]
    seen = visit(browser, f"{server.url}/articles?{urlencode({'article': article})}")
    assert seen["flag"] is None and not seen["dialogs"] and not seen["fetched"] and not seen["injected"], seen
    assert not seen["exceptions"], seen["exceptions"]
    if path.endswith(".md"):
        assert corpus_maker.HOSTILE_TITLES[int(path[-4])] in seen["text"]  # the title, markup and all, as characters
