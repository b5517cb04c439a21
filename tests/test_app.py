"""Every page through Streamlit's AppTest on the sample as the pipeline builds it, and the
query-parameter round trip."""

import shutil

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import queries
from dashboard.state import Filters
from dashboard.ui import DATA_ENV
from tests.conftest import ROOT

APP = str(ROOT / "dashboard" / "app.py")
PAGES = ["overview", "compare", "timeline", "map", "keywords", "slogans", "articles"]
CHARTS = {"overview": 3, "compare": 3, "timeline": 1, "map": 1, "keywords": 2, "slogans": 3, "articles": 0}
TITLES_EN = {"overview": "Overview", "compare": "Compare cities", "timeline": "Timeline", "map": "Map",
             "keywords": "Keywords", "slogans": "Slogans and indicators", "articles": "Matching articles"}


@pytest.fixture(autouse=True)
def sample(built_sample, monkeypatch):
    out, code = built_sample
    assert code == 0
    monkeypatch.setenv(DATA_ENV, str(out))
    return out


def run(page: str, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    if page != PAGES[0]:
        at.switch_page(f"views/{page}.py")
    return at.run()


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_draws_its_charts(page):
    at = run(page)
    _no_exception(at)
    assert at.title and not at.error and not at.warning
    assert len(at.get("plotly_chart")) == CHARTS[page]
    # every chart has a caption saying what it counts, and download buttons
    assert len(at.caption) >= CHARTS[page]
    assert len(at.get("download_button")) >= 2 * CHARTS[page]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_speaks_english(page):
    at = run(page, lang="en")
    _no_exception(at)
    assert at.title[0].value == TITLES_EN[page]
    assert at.radio(key="f_lang").value == "en"


@pytest.mark.parametrize("page", PAGES)
def test_empty_results_show_a_message_not_an_error(page):
    at = run(page, q="不可能出现的词语组合")
    _no_exception(at)
    assert not at.get("plotly_chart")
    messages = [m.value for m in at.info]
    assert any("没有符合" in m or "至少选择两个" in m for m in messages), messages


def test_overview_figures(sample):
    at = run("overview")
    assert at.metric[0].value == f"{len(pd.read_parquet(sample / 'articles.parquet')):,}"
    assert at.toggle(key="norm").value is False
    at.toggle(key="norm").set_value(True).run()
    _no_exception(at)
    assert at.query_params["norm"] in ("true", ["true"])


def test_filters_come_from_the_url_and_go_back_to_it():
    at = run("articles", city="长春市", theme="culture_tourism")
    assert at.multiselect(key="f_cities").value == ["长春市"]
    assert at.multiselect(key="f_themes").value == ["culture_tourism"]
    assert at.query_params["city"] in ("长春市", ["长春市"])
    at.multiselect(key="f_themes").set_value([]).run()
    assert "theme" not in at.query_params and at.query_params["city"] in ("长春市", ["长春市"])
    at.multiselect(key="f_counties").set_value([at.multiselect(key="f_counties").options[0]]).run()
    assert "county" in at.query_params


def test_counties_offered_are_those_of_the_chosen_city():
    at = run("overview", city="长春市")
    counties = set(at.multiselect(key="f_counties").options)
    everywhere = set(run("overview").multiselect(key="f_counties").options)
    assert counties and counties < everywhere


def test_page_controls_live_in_the_url_beside_the_filters():
    at = run("map", theme="culture_tourism", level="city", share="culture_tourism")
    _no_exception(at)
    assert at.get("button_group")[0].value == "city" and at.selectbox(key="share").value == "culture_tourism"
    at.toggle(key="dots").set_value(False).run()
    assert at.query_params["dots"] in ("false", ["false"])
    assert at.query_params["level"] in ("city", ["city"]) and "theme" in at.query_params
    at.multiselect(key="f_themes").set_value([]).run()
    assert at.query_params["level"] in ("city", ["city"])  # the sidebar leaves page parameters alone


def test_the_copy_link_holds_the_view():
    at = run("timeline", city="长春市", lang="en")
    link = at.code[0].value
    assert "city=%E9%95%BF%E6%98%A5%E5%B8%82" in link and "lang=en" in link


def test_invalid_params_fall_back_with_a_notice():
    at = run("overview", city="Atlantis", **{"from": "yesterday"})
    _no_exception(at)
    assert at.warning and "Atlantis" in at.warning[0].value and "yesterday" in at.warning[0].value
    assert at.multiselect(key="f_cities").value == []
    assert "city" not in at.query_params and "from" not in at.query_params


def test_compare_needs_two_cities_and_takes_them_from_the_url(sample):
    first, second = queries.top_cities(str(sample), Filters(), 2)["city"]
    at = run("compare", cmp=first)
    _no_exception(at)
    assert any("至少选择两个" in m.value for m in at.info)
    at = run("compare", cmp=f"{first},{second}")
    assert at.multiselect(key="cmp").value == [first, second] and len(at.get("plotly_chart")) == 3
    at.multiselect(key="cmp").set_value([second, first]).run()
    assert at.query_params["cmp"] in (f"{second},{first}", [f"{second},{first}"])


@pytest.mark.parametrize("page, params", [
    ("compare", {"cmp": "长春市,Atlantis"}), ("compare", {"cmp": ",".join(["长春市"] * 7)}), ("map", {"level": "planet"}),
    ("map", {"share": "no_theme", "dots": "maybe"}), ("timeline", {"layout": "<b>"}), ("overview", {"norm": "1"}),
    ("keywords", {"kw": "社区" * 40}), ("map", {"level": "![x](https://example.com/x.png)"})])
def test_invalid_page_params_fall_back_with_a_notice(page, params):
    at = run(page, **params)
    _no_exception(at)
    warnings = " ".join(w.value for w in at.warning)
    assert at.warning and all(k in warnings for k in params)
    assert "](" not in warnings  # a value from the URL is shown as text, never as Markdown


def test_timeline_small_multiples():
    at = run("timeline", layout="facets")
    _no_exception(at)
    assert at.get("button_group")[0].value == "facets"


def test_keyword_in_context_marks_the_hit():
    at = run("keywords", kw="社区")
    _no_exception(at)
    html = at.get("html")[0].proto.body
    assert "<mark" in html and "社区</mark>" in html


def test_the_reader_shows_an_article_with_its_evidence(sample):
    themes = pd.read_parquet(sample / "themes.parquet")
    article_id = themes["article_id"].iloc[0]
    at = run("articles", article=article_id)
    _no_exception(at)
    assert at.subheader
    evidence = [t.value for t in at.text]
    assert any("×" in e for e in evidence)  # the matched terms behind each theme
    body = at.get("html")[0].proto.body
    assert "<mark" in body and "<script" not in body


def test_the_reader_escapes_what_the_article_says(sample, tmp_path, monkeypatch):
    for name in queries.REQUIRED:
        shutil.copy(sample / f"{name}.parquet", tmp_path)
    articles = pd.read_parquet(tmp_path / "articles.parquet")
    articles.loc[0, "text"] = '<script>alert(1)</script><img src=x onerror=alert(2)> **不是粗体**'
    articles.to_parquet(tmp_path / "articles.parquet", index=False)
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    at = run("articles", article=articles.loc[0, "article_id"])
    _no_exception(at)
    body = at.get("html")[0].proto.body
    assert "<script>" not in body and "<img" not in body
    assert "&lt;script&gt;" in body and "**不是粗体**" in body


def test_an_unknown_article_in_the_link_is_reported():
    at = run("articles", article="no-such-id")
    _no_exception(at)
    assert at.warning and "no-such-id" in at.warning[0].value.replace("\\", "")  # Markdown-escaped source


def test_an_older_tables_folder_degrades_with_a_message(sample, tmp_path, monkeypatch):
    for name in queries.REQUIRED:
        shutil.copy(sample / f"{name}.parquet", tmp_path)
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    at = run("slogans")
    _no_exception(at)
    assert len(at.warning) == 2 and all("pipeline build" in w.value for w in at.warning)
    for page in PAGES:
        _no_exception(run(page))


def test_missing_tables_stop_with_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    at = run("overview")
    _no_exception(at)
    assert at.error and "pipeline build" in at.error[0].value


@pytest.fixture(scope="module")
def built_corpus(shared_corpus, tmp_path_factory):
    """The shared corpus a user would bring (People's Daily on governance, Xinwen Lianbo), built by the CLI."""
    from pipeline.cli import main

    out = tmp_path_factory.mktemp("corpus") / "tables"
    assert main(["build", str(shared_corpus / "rmrb-governance"), str(shared_corpus / "xwlb"), "--out", str(out), "--quiet"]) == 0
    return out


@pytest.mark.corpus
@pytest.mark.parametrize("page", PAGES)
def test_every_page_on_the_shared_corpus(page, built_corpus, monkeypatch):
    monkeypatch.setenv(DATA_ENV, str(built_corpus))
    at = run(page)
    _no_exception(at)
    assert not at.error and not at.warning
    assert len(at.get("plotly_chart")) == CHARTS[page]
