"""Timeline: articles per month, place (the article's primary subject place) and theme."""

from __future__ import annotations

import pandas as pd

from pipeline.schema import TIMELINE, Col


def timeline_table(articles: pd.DataFrame, places: pd.DataFrame, themes: pd.DataFrame) -> pd.DataFrame:
    dated = articles.loc[articles[Col.date].notna(), [Col.article_id, Col.date]]
    if dated.empty or themes.empty:
        return TIMELINE.empty()
    primary = places.loc[places[Col.is_primary], [Col.article_id, Col.province, Col.city]]
    frame = (
        dated.assign(**{Col.month: dated[Col.date].str[:7]})
        .merge(themes[[Col.article_id, Col.theme]], on=Col.article_id)
        .merge(primary, on=Col.article_id, how="left")
    )
    keys = [Col.month, Col.province, Col.city, Col.theme]
    counts = frame.groupby(keys, dropna=False).size().rename(Col.articles).reset_index()
    counts[Col.articles] = counts[Col.articles].astype("int32")
    counts = counts.astype({Col.province: "object", Col.city: "object"})
    counts[[Col.province, Col.city]] = counts[[Col.province, Col.city]].where(counts[[Col.province, Col.city]].notna(), None)
    return counts.sort_values(keys, na_position="first", kind="stable").reset_index(drop=True)[TIMELINE.columns]
