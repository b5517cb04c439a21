"""The view state: URL query parameters ⇄ filters, and narrowing to a clicked chart element."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.state import (
    FOCUS_KEYS,
    MAX_QUERY_CHARS,
    Filters,
    Options,
    from_params,
    lang_from_params,
    month_bounds,
    narrow,
    to_params,
    view_params,
)

OPTIONS = Options(
    "2019-02-01", "2025-12-11",
    provinces=frozenset({"吉林省", "北京市", "浙江省"}),
    cities=frozenset({"长春市", "北京市", "杭州市", "吉林市"}),
    counties=frozenset({"朝阳区", "公主岭市"}),
    themes=frozenset({"business_environment", "grassroots_governance"}),
    sources=frozenset({"人民日报", "吉林日报"}),
)


def _lists(options: frozenset[str]):
    return st.lists(st.sampled_from(sorted(options)), unique=True, max_size=3).map(tuple)


@given(
    provinces=_lists(OPTIONS.provinces), cities=_lists(OPTIONS.cities), counties=_lists(OPTIONS.counties),
    themes=_lists(OPTIONS.themes), sources=_lists(OPTIONS.sources),
    dates=st.tuples(st.dates(), st.dates()).map(sorted),
    query=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=MAX_QUERY_CHARS).map(str.strip),
)
def test_filters_survive_the_round_trip_through_the_url(provinces, cities, counties, themes, sources, dates, query):
    filters = Filters(dates[0].isoformat(), dates[1].isoformat(), provinces, cities, counties, themes, sources, query)
    params = {key: [value] for key, value in to_params(filters).items()}
    assert from_params(params, OPTIONS) == (filters, [])


def test_default_filters_make_no_parameters():
    assert to_params(Filters()) == {}
    assert view_params(Filters(), "zh") == {}
    assert view_params(Filters(cities=("长春市",)), "en") == {"city": "长春市", "lang": "en"}


@pytest.mark.parametrize("params, expected, notice", [
    ({"city": ["Atlantis"]}, Filters(), "city: Atlantis"),
    ({"city": ["长春市,Atlantis"]}, Filters(cities=("长春市",)), "Atlantis"),
    ({"city": ["长春市", "杭州市"]}, Filters(cities=("长春市", "杭州市")), None),  # repeated parameters
    ({"city": ["长春市,长春市"]}, Filters(cities=("长春市",)), None),
    ({"from": ["yesterday"]}, Filters(), "from: yesterday"),
    ({"from": ["2024-13-01"]}, Filters(), "from: 2024-13-01"),
    ({"from": ["2024-05-01"], "to": ["2024-01-01"]}, Filters(), "from > to"),
    ({"q": ["x" * (MAX_QUERY_CHARS + 5)]}, Filters(query="x" * MAX_QUERY_CHARS), f"q: {MAX_QUERY_CHARS + 5}"),
    ({"theme": ["<script>"]}, Filters(), "<script>"),
    ({"unrelated": ["1"]}, Filters(), None),
])
def test_invalid_values_fall_back_with_a_notice(params, expected, notice):
    filters, notices = from_params(params, OPTIONS)
    assert filters == expected
    if notice is None:
        assert notices == []
    else:
        assert any(notice in n for n in notices), notices


@pytest.mark.parametrize("params, lang", [
    ({}, "zh"), ({"lang": ["en"]}, "en"), ({"lang": ["fr"]}, "zh"), ({"lang": ["en", "zh"]}, "zh")])
def test_language_from_the_url(params, lang):
    assert lang_from_params(params) == lang


@pytest.mark.parametrize("month, bounds", [
    ("2024-02", ("2024-02-01", "2024-02-29")), ("2023-02", ("2023-02-01", "2023-02-28")),
    ("2019-12", ("2019-12-01", "2019-12-31"))])
def test_month_bounds(month, bounds):
    assert month_bounds(month) == bounds


def test_narrowing_keeps_the_filters_and_adds_the_element():
    filters = Filters(cities=("长春市", "吉林市"), themes=("business_environment",), query="服务")
    narrowed = narrow(filters, {"city": "长春市", "theme": "grassroots_governance"})
    assert narrowed.cities == filters.cities and narrowed.query == "服务"
    assert narrowed.focus == (("city", "长春市"), ("theme", "grassroots_governance"))
    twice = narrow(narrowed, {"month": "2024-02", "city": "长春市"})
    assert twice.focus == (("city", "长春市"), ("theme", "grassroots_governance"), ("month", "2024-02"))


def test_narrowing_ignores_what_it_cannot_filter_on():
    assert narrow(Filters(), {"colour": "red", "city": "", "term": None}) == Filters()
    assert set(FOCUS_KEYS) >= {"province", "city", "county", "theme", "month", "term", "slogan"}


def test_focus_never_reaches_the_url():
    assert to_params(narrow(Filters(), {"city": "长春市"})) == {}
