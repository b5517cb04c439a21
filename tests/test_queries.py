"""The dashboard's queries on the sample as the pipeline builds it: what each returns, that filters
narrow, and that the articles listed behind a chart element are exactly the ones it counts."""

import shutil

import pandas as pd
import pytest

from dashboard import queries
from dashboard.state import Filters, narrow
from pipeline import termstats
from pipeline.schema import Col


@pytest.fixture(scope="module")
def folder(built_sample):
    out, code = built_sample
    assert code == 0
    return str(out)


@pytest.fixture(scope="module")
def tables(folder):
    return {name: pd.read_parquet(f"{folder}/{name}.parquet") for name in ("articles", "places", "themes", "keywords", "slogans")}


def test_options_are_the_values_in_the_tables(folder, tables):
    options = queries.options(folder)
    subject = tables["places"][tables["places"][Col.role] == "subject"]
    assert options.cities == frozenset(subject[Col.city].dropna())
    assert options.themes == frozenset(tables["themes"][Col.theme])
    assert options.date_min == tables["articles"][Col.date].min()


def test_key_figures_count_the_selection(folder, tables):
    figures = queries.key_figures(folder, Filters())
    assert figures["articles"] == len(tables["articles"])
    assert figures["themes"] == tables["themes"][Col.theme].nunique()
    assert queries.key_figures(folder, Filters(query="不可能出现的词语组合"))["articles"] == 0
    for filters in (Filters(), Filters(cities=("长春市",)), Filters(query="不可能出现的词语组合")):
        assert queries.article_count(folder, filters) == queries.key_figures(folder, filters)["articles"]


@pytest.mark.parametrize("filters", [
    Filters(themes=("grassroots_governance",)),
    Filters(cities=("长春市",)),
    Filters(date_from="2024-01-01"),
    Filters(query="社区"),
])
def test_filters_narrow_the_articles(folder, tables, filters):
    rows = queries.article_list(folder, filters)
    assert 0 < len(rows) < len(tables["articles"])
    ids = set(rows[Col.article_id])
    if filters.themes:
        themed = tables["themes"][tables["themes"][Col.theme].isin(filters.themes)]
        assert ids == set(themed[Col.article_id])
    if filters.cities:
        places = tables["places"]
        assert ids == set(places[(places[Col.role] == "subject") & places[Col.city].isin(filters.cities)][Col.article_id])
    if filters.date_from:
        assert (rows[Col.date] >= filters.date_from).all()
    if filters.query:
        articles = tables["articles"]
        found = articles[articles[Col.title].fillna("").str.contains(filters.query, regex=False)
                         | articles[Col.text].str.contains(filters.query, regex=False)]
        assert ids == set(found[Col.article_id])


def test_text_searches_are_kept_within_bounds_and_stay_right(folder, tables):
    """Each search reads the texts once and is then shared by a page's queries; a thread keeps at
    most TEXT_SEARCHES of them registered, and a search evicted from both is simply run again."""
    articles = tables["articles"]

    def containing(word: str) -> set[str]:
        hit = articles[Col.title].fillna("").str.contains(word, regex=False) | articles[Col.text].str.contains(word, regex=False)
        return set(articles[hit][Col.article_id])

    words = sorted({text[i:i + 2] for text in articles[Col.text] for i in range(0, 200, 7)})[:queries.TEXT_SEARCHES + 5]
    for word in words:
        assert queries.key_figures(folder, Filters(query=word))["articles"] == len(containing(word)), word
    assert len(queries._thread_cursor(folder)[1]) == queries.TEXT_SEARCHES
    queries.clear_caches()
    assert set(queries.article_list(folder, Filters(query=words[0]))[Col.article_id]) == containing(words[0])


def test_quotes_in_filter_values_are_data_not_sql(folder):
    assert queries.article_list(folder, Filters(query="'; DROP TABLE articles; --")).empty
    assert queries.key_figures(folder, Filters())["articles"] > 0


def test_the_articles_behind_a_heatmap_cell_are_the_ones_it_counts(folder):
    counts = queries.theme_city_counts(folder, Filters())
    assert not counts.empty
    for cell in counts.itertuples():
        behind = queries.articles_behind(folder, (narrow(Filters(), {Col.city: cell.city, Col.theme: cell.theme}),))
        assert len(behind) == cell.articles, (cell.city, cell.theme)


def test_the_articles_behind_a_month_bar_are_the_ones_it_counts(folder):
    counts = queries.monthly_theme_counts(folder, Filters())
    assert not counts.empty
    for bar in counts.itertuples():
        behind = queries.articles_behind(folder, (narrow(Filters(), {Col.theme: bar.theme, Col.month: bar.month}),))
        assert len(behind) == bar.articles
        assert all(d.startswith(bar.month) for d in behind[Col.date])


@pytest.mark.parametrize("chart, key", [
    (lambda f: queries.top_cities(f, Filters()), Col.city),
    (lambda f: queries.province_counts(f, Filters()), Col.province),
    (lambda f: queries.county_points(f, Filters()), Col.county),
    (lambda f: queries.top_terms(f, Filters(), 10), Col.term),
    (lambda f: queries.slogan_summary(f, Filters(), 10), Col.slogan),
])
def test_the_articles_behind_a_bar_or_point_are_the_ones_it_counts(folder, chart, key):
    counts = chart(folder)
    assert not counts.empty
    for row in counts.head(8).itertuples():
        behind = queries.articles_behind(folder, (narrow(Filters(), {key: getattr(row, key)}),))
        assert len(behind) == row.articles, getattr(row, key)


def test_several_elements_list_the_union(folder):
    cities = queries.top_cities(folder, Filters(), 2)
    both = queries.articles_behind(folder, tuple(narrow(Filters(), {Col.city: c}) for c in cities[Col.city]))
    each = [set(queries.articles_behind(folder, (narrow(Filters(), {Col.city: c}),))[Col.article_id]) for c in cities[Col.city]]
    assert set(both[Col.article_id]) == each[0] | each[1]


def test_theme_share_of_places(folder):
    theme = queries.top_themes(folder, Filters())[Col.theme].iloc[0]
    provinces = queries.province_counts(folder, Filters(), theme)
    assert ((provinces["share"] >= 0) & (provinces["share"] <= 1)).all()
    assert (provinces["theme_articles"] <= provinces[Col.articles]).all()
    cities = queries.city_counts(folder, Filters())
    assert cities["share"].isna().all() and cities[Col.city].notna().all()
    points = queries.county_points(folder, Filters())
    assert points[[Col.lat, Col.lon]].notna().all().all()


def test_compare_cities(folder):
    cities = tuple(queries.top_cities(folder, Filters(), 2)[Col.city])
    profile = queries.city_theme_profile(folder, Filters(), cities)
    assert set(profile[Col.city]) <= set(cities)
    assert ((profile["share"] > 0) & (profile["share"] <= 1)).all()
    distinct = queries.distinctive_terms(folder, Filters(), cities)
    assert set(distinct[Col.city]) == set(cities)
    for _, part in distinct.groupby(Col.city):
        assert part["z"].is_monotonic_decreasing
    assert queries.city_theme_profile(folder, Filters(), ()).empty


def test_distinctive_terms_are_those_of_the_whole_vocabulary_without_place_names(folder):
    """Counting only the cities' own terms (and the rest as one) gives the z-scores of the full
    count; place names (the gazetteer's names and aliases) are counted but not shown."""
    terms = pd.read_parquet(f"{folder}/terms.parquet")
    places = pd.read_parquet(f"{folder}/places.parquet")
    city = queries.top_cities(folder, Filters(), 1)[Col.city].iloc[0]
    subject = places[(places[Col.role] == "subject") & (places[Col.city] == city)]
    group, rest = termstats.group_and_rest(terms, set(subject[Col.article_id]), count_col=Col.mentions)
    names = set(pd.read_csv(queries.PLACE_NAME_FILES["name"], dtype=str)["name"]) | set(
        pd.read_csv(queries.PLACE_NAME_FILES["alias"], dtype=str)["alias"])
    ranked = termstats.distinctive_terms(group, rest, top=None)
    assert {"长春", "朝阳区"} <= set(ranked.head(10)["term"]) & names  # the city's own names lead the full ranking
    expected = ranked[~ranked["term"].isin(names)].head(10)
    got = queries.distinctive_terms(folder, Filters(), (city,), n=10)
    assert list(got[Col.term]) == list(expected["term"])
    assert got["z"].to_numpy() == pytest.approx(expected["z"].to_numpy())


def test_keyword_in_context_windows(folder):
    lines = queries.keyword_in_context(folder, Filters(), "社区", width=12)
    assert not lines.empty
    assert (lines["hit"] == "社区").all()
    assert (lines["left"].str.len() <= 12).all() and (lines["right"].str.len() <= 12).all()
    assert lines.groupby(Col.article_id).size().max() <= 3
    assert queries.keyword_in_context(folder, Filters(), "").empty


def test_cooccurrence_pairs_are_among_the_top_terms(folder):
    nodes, edges = queries.cooccurrence(folder, Filters(), n_terms=30, min_articles=2)
    # taken from the head of the page's longer list: the same terms as asking for 30
    assert nodes.reset_index(drop=True).equals(queries.top_terms(folder, Filters(), 30)[[Col.term, Col.articles]])
    assert not edges.empty
    assert set(edges["source"]) | set(edges["target"]) <= set(nodes[Col.term])
    assert (edges["source"] < edges["target"]).all() and (edges[Col.articles] >= 2).all()


def test_slogans_and_indicators(folder, tables):
    summary = queries.slogan_summary(folder, Filters())
    assert set(summary[Col.slogan]) <= set(tables["slogans"][Col.slogan])
    dated = summary.dropna(subset=["first_seen"])
    assert len(dated) and (dated["first_seen"] <= dated["last_seen"]).all()
    rows = queries.indicator_rows(folder, Filters())
    assert {Col.value, Col.unit, Col.measure, Col.sentence} <= set(rows.columns)
    events = queries.slogan_first_seen(folder, Filters())
    assert (events[Col.month] == events[Col.date].str[:7]).all()


def test_slogans_of_each_compared_city_are_its_own_articles_slogans(folder):
    cities = (*queries.top_cities(folder, Filters(), 3)[Col.city], "白山市")  # the last names no slogan
    by_city = queries.city_slogans(folder, Filters(), cities, 15)
    assert list(by_city) == list(cities) and by_city["白山市"].empty
    for city in cities:
        alone = queries.slogan_summary(folder, narrow(Filters(), {Col.city: city}), 15)
        assert by_city[city].to_dict("records") == alone[[Col.slogan, Col.articles, "first_seen"]].to_dict("records")
    assert any(len(frame) for frame in by_city.values())


def test_one_article_for_the_reader(folder, tables):
    article_id = tables["themes"][Col.article_id].iloc[0]
    found = queries.article(folder, article_id)
    assert found["article"][Col.text] == tables["articles"].set_index(Col.article_id).at[article_id, Col.text]
    assert not found["themes"].empty and "matched_terms" in found["themes"]
    assert queries.article(folder, "no-such-article") is None


@pytest.fixture
def older_folder(folder, tmp_path):
    """A tables folder from before the slogans, indicators and terms tables."""
    for name in queries.REQUIRED:
        shutil.copy(f"{folder}/{name}.parquet", tmp_path)
    return str(tmp_path)


def test_an_older_folder_works_without_the_newer_tables(older_folder):
    assert queries.tables(older_folder) == frozenset(queries.REQUIRED)
    cities = tuple(queries.top_cities(older_folder, Filters(), 2)[Col.city])
    assert not queries.distinctive_terms(older_folder, Filters(), cities).empty  # from the keywords instead


def test_missing_or_broken_tables_say_what_to_do(older_folder, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(queries.DataError, match="python -m pipeline build"):
        queries.options(str(empty))
    (tmp_path / "themes.parquet").write_bytes(b"not parquet")
    with pytest.raises(queries.DataError, match="unreadable or corrupt"):
        queries.options(older_folder)


def test_rebuilt_tables_are_picked_up(older_folder, tables):
    before = queries.key_figures(older_folder, Filters())["articles"]
    fewer = tables["articles"].head(3)
    fewer.to_parquet(f"{older_folder}/articles.parquet", index=False)
    assert queries.key_figures(older_folder, Filters())["articles"] == 3 != before


def test_folders_beyond_the_limit_are_closed_least_recently_used_first(folder, tmp_path):
    copies = []
    for i in range(queries.MAX_DATABASES + 2):  # one folder per uploaded corpus
        copy = tmp_path / f"upload-{i}"
        shutil.copytree(folder, copy)
        copies.append(str(copy))
    expected = queries.key_figures(folder, Filters())
    for copy in copies:
        assert queries.key_figures(copy, Filters()) == expected
        assert "articles" in queries.tables(folder)  # the default folder stays in use
    assert len(queries._databases) == queries.MAX_DATABASES
    assert folder in queries._databases and copies[0] not in queries._databases
    queries.clear_caches()  # past the result cache: the evicted folder is loaded again
    assert queries.key_figures(copies[0], Filters()) == expected
