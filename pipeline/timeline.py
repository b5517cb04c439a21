"""Timelines: articles per month and place (the article's primary subject place), by theme and by
slogan or programme name."""

from __future__ import annotations

import pandas as pd

from pipeline.schema import SLOGAN_TIMELINE, TIMELINE, Col, Table


def _monthly(articles: pd.DataFrame, places: pd.DataFrame, tagged: pd.DataFrame, tags: list[str], table: Table) -> pd.DataFrame:
    """Articles per (month, province, city, *tags): dated articles joined to their tag rows and
    to their primary place (null when they have none)."""
    dated = articles.loc[articles[Col.date].notna(), [Col.article_id, Col.date]]
    if dated.empty or tagged.empty:
        return table.empty()
    primary = places.loc[places[Col.is_primary], [Col.article_id, Col.province, Col.city]]
    frame = (
        dated.assign(**{Col.month: dated[Col.date].str[:7]})
        .merge(tagged[[Col.article_id, *tags]].drop_duplicates(), on=Col.article_id)
        .merge(primary, on=Col.article_id, how="left")
    )
    keys = [Col.month, Col.province, Col.city, *tags]
    counts = frame.groupby(keys, dropna=False).size().rename(Col.articles).reset_index()
    counts[Col.articles] = counts[Col.articles].astype("int32")
    counts = counts.astype({Col.province: "object", Col.city: "object"})
    counts[[Col.province, Col.city]] = counts[[Col.province, Col.city]].where(counts[[Col.province, Col.city]].notna(), None)
    return counts.sort_values(keys, na_position="first", kind="stable").reset_index(drop=True)[table.columns]


def timeline_table(articles: pd.DataFrame, places: pd.DataFrame, themes: pd.DataFrame) -> pd.DataFrame:
    """Articles per month, place and theme."""
    return _monthly(articles, places, themes, [Col.theme], TIMELINE)


def slogan_timeline_table(articles: pd.DataFrame, places: pd.DataFrame, slogans: pd.DataFrame) -> pd.DataFrame:
    """Articles naming each slogan per month and place: the first month of a (city, slogan) is when
    the name reached that city."""
    return _monthly(articles, places, slogans, [Col.slogan, Col.kind], SLOGAN_TIMELINE)
