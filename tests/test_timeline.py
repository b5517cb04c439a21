"""Timelines by theme and by slogan: dated articles only, by primary place."""

import pandas as pd

from pipeline.schema import SLOGAN_TIMELINE, TIMELINE
from pipeline.timeline import slogan_timeline_table, timeline_table

ARTICLES = pd.DataFrame({"article_id": ["a", "b", "c", "d"], "date": ["2022-11-27", "2022-11-03", "2024-03-12", None]})
PLACES = pd.DataFrame({
    "article_id": ["a", "b", "b", "c"],
    "province": ["吉林省", "吉林省", "江西省", "吉林省"],
    "city": ["长春市", "长春市", "上饶市", "长春市"],
    "is_primary": [True, True, False, True],
})


def test_theme_timeline_counts_articles_per_month_place_and_theme():
    themes = pd.DataFrame({"article_id": ["a", "b", "c", "d"], "theme": ["community_services"] * 4})
    table = timeline_table(ARTICLES, PLACES, themes)
    assert list(table.columns) == TIMELINE.columns
    assert list(table.itertuples(index=False, name=None)) == [
        ("2022-11", "吉林省", "长春市", "community_services", 2),
        ("2024-03", "吉林省", "长春市", "community_services", 1),
    ]


def test_slogan_timeline_shows_where_and_when_a_name_spread():
    slogans = pd.DataFrame({
        "article_id": ["a", "c", "c", "d"],
        "slogan": ["经心办", "经心办", "吉事办", "经心办"],
        "kind": ["brand", "brand", "app", "brand"],
    })
    table = slogan_timeline_table(ARTICLES, PLACES, slogans)
    assert list(table.columns) == SLOGAN_TIMELINE.columns
    assert list(table.itertuples(index=False, name=None)) == [
        ("2022-11", "吉林省", "长春市", "经心办", "brand", 1),
        ("2024-03", "吉林省", "长春市", "吉事办", "app", 1),
        ("2024-03", "吉林省", "长春市", "经心办", "brand", 1),
    ]


def test_an_article_without_a_primary_place_counts_under_no_place():
    slogans = pd.DataFrame({"article_id": ["b"], "slogan": ["码上行动"], "kind": ["app"]})
    places = PLACES[PLACES["article_id"] != "b"]
    table = slogan_timeline_table(ARTICLES, places, slogans)
    assert list(table.itertuples(index=False, name=None)) == [("2022-11", None, None, "码上行动", "app", 1)]


def test_nothing_tagged_gives_an_empty_table():
    nothing = pd.DataFrame(columns=["article_id", "slogan", "kind"])
    assert list(slogan_timeline_table(ARTICLES, PLACES, nothing).columns) == SLOGAN_TIMELINE.columns
