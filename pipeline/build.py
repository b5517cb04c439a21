"""The build: the stages in order, from parsed documents to the tables.

Each stage is a pure function of earlier tables and the resources; this module only wires them
and times them. Files are read and written by `pipeline.io`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pandas as pd

from pipeline.articles import documents_frame, split_articles
from pipeline.config import Resources
from pipeline.dedupe import dedupe
from pipeline.formats import Document
from pipeline.indicators import indicators_table
from pipeline.keywords import keywords_table, terms_table
from pipeline.places import places_table
from pipeline.schema import DOCUMENTS, Col
from pipeline.themes import themes_table
from pipeline.slogans import slogans_table
from pipeline.timeline import slogan_timeline_table, timeline_table

STAGES = ("documents", "split", "dedupe", "places", "themes", "terms", "keywords", "slogans", "indicators", "timeline", "slogan_timeline")

Progress = Callable[[str, int, int], None]  # (stage, index, number of stages)


def build(documents: list[Document], res: Resources, root_name: str = "",
          progress: Progress | None = None) -> tuple[dict[str, pd.DataFrame], dict]:
    """Run every stage; return the tables and a summary with per-stage durations (seconds)."""
    durations: dict[str, float] = {}

    def stage(name, fn, *args):
        if progress:
            progress(name, STAGES.index(name), len(STAGES))
        started = time.perf_counter()
        result = fn(*args)
        durations[name] = round(time.perf_counter() - started, 3)
        return result

    docs = stage("documents", documents_frame, documents)
    stories = stage("split", split_articles, docs, res.patterns, res.sources, root_name)
    articles = stage("dedupe", dedupe, stories)
    places = stage("places", places_table, articles, res.gazetteer, res.segmenter, res.homes)
    themes = stage("themes", themes_table, articles, res.taxonomy)
    terms = stage("terms", terms_table, articles, res.segmenter, res.stopwords)
    keywords = stage("keywords", keywords_table, terms)
    slogans = stage("slogans", slogans_table, articles, res.slogan_rules)
    indicators = stage("indicators", indicators_table, articles, res.indicator_rules)
    timeline = stage("timeline", timeline_table, articles, places, themes)
    slogan_timeline = stage("slogan_timeline", slogan_timeline_table, articles, places, slogans)
    tables = {
        "articles": articles,
        "documents": docs[DOCUMENTS.columns],
        "places": places,
        "themes": themes,
        "keywords": keywords,
        "timeline": timeline,
        "terms": terms,
        "slogans": slogans,
        "indicators": indicators,
        "slogan_timeline": slogan_timeline,
    }
    summary = {
        "stories": len(stories),
        # documents read whose text held no story (picture or ad pages, captions only)
        "without_article": sorted(set(docs[Col.doc_path]) - set(stories[Col.doc_path])),
        "articles": len(articles),
        "duplicates_collapsed": int((articles[Col.n_copies] - 1).sum()) if len(articles) else 0,
        "places": len(places),
        "themes": len(themes),
        "durations_s": durations,
    }
    return tables, summary
