"""Every page through Streamlit's AppTest, and the query-parameter round trip."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "dashboard" / "app.py")
PAGES = ["pages/overview.py", "pages/timeline.py", "pages/articles.py"]


def run(page: str, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    if page != PAGES[0]:
        at.switch_page(page)
    return at.run()


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_without_exception(page):
    at = run(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title


def test_overview_shows_figures_and_heatmap():
    at = run(PAGES[0])
    assert at.metric[0].value == "19"
    assert at.get("plotly_chart")


def test_filters_come_from_the_url_and_go_back_to_it():
    at = run(PAGES[2], city="长春市", theme="culture_tourism")
    assert at.multiselect(key="f_cities").value == ["长春市"]
    assert at.multiselect(key="f_themes").value == ["culture_tourism"]
    assert at.query_params["city"] in ("长春市", ["长春市"])
    at.multiselect(key="f_themes").set_value([]).run()
    assert "theme" not in at.query_params and at.query_params["city"] in ("长春市", ["长春市"])


def test_invalid_params_fall_back_with_a_notice():
    at = run(PAGES[0], city="Atlantis", **{"from": "yesterday"})
    assert not at.exception
    assert at.warning and "Atlantis" in at.warning[0].value
    assert at.multiselect(key="f_cities").value == []


def test_empty_result_shows_a_message_not_an_error():
    at = run(PAGES[1], q="不可能出现的词语组合")
    assert not at.exception
    assert any("没有符合" in info.value for info in at.info)


def test_english_interface():
    at = run(PAGES[0], lang="en")
    assert at.title[0].value == "Overview"
