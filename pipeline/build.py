"""The build: the stages in order, from parsed documents to the tables.

Each stage is a pure function of earlier tables and the resources; this module only lists them.
An engine (`pipeline.engine`) runs the list, in this process or over workers; files are read and
written by `pipeline.io`.
"""

from __future__ import annotations

import pandas as pd

from pipeline.articles import documents_frame, split_articles
from pipeline.config import Resources
from pipeline.dedupe import dedupe, sketch_table
from pipeline.engine import LocalEngine, Progress, Stage
from pipeline.formats import Document
from pipeline.indicators import indicators_table
from pipeline.keywords import keywords_table, terms_table
from pipeline.places import places_table
from pipeline.schema import DOCUMENTS, Col
from pipeline.themes import themes_table
from pipeline.slogans import slogans_table
from pipeline.timeline import slogan_timeline_table, timeline_table

PIPELINE = (
    Stage("documents", documents_frame, ("parsed",)),
    Stage("split", split_articles, ("documents",), ("patterns", "sources", "root_name"), by=Col.doc_path),
    Stage("sketches", sketch_table, ("split",), by=Col.doc_path),
    Stage("dedupe", dedupe, ("split", "sketches")),
    Stage("places", places_table, ("dedupe",), ("gazetteer", "segmenter", "homes"), by=Col.doc_path),
    Stage("themes", themes_table, ("dedupe",), ("taxonomy",), by=Col.doc_path),
    Stage("terms", terms_table, ("dedupe",), ("segmenter", "stopwords"), by=Col.doc_path),
    Stage("slogans", slogans_table, ("dedupe",), ("slogan_rules",), by=Col.doc_path),
    Stage("indicators", indicators_table, ("dedupe",), ("indicator_rules", "segmenter"), by=Col.doc_path),
    Stage("keywords", keywords_table, ("terms",)),
    Stage("timeline", timeline_table, ("dedupe", "places", "themes")),
    Stage("slogan_timeline", slogan_timeline_table, ("dedupe", "places", "slogans")),
)
STAGES = tuple(stage.name for stage in PIPELINE)


def build(documents: list[Document], res: Resources, root_name: str = "",
          progress: Progress | None = None, engine: LocalEngine | None = None) -> tuple[dict[str, pd.DataFrame], dict]:
    """Run every stage (in this process unless an `engine` from `pipeline.engine` is given);
    return the tables and a summary with per-stage durations (seconds)."""
    enriched = ("places", "themes", "keywords", "timeline", "terms", "slogans", "indicators", "slogan_timeline")  # written as named
    run = (engine or LocalEngine(res)).run(PIPELINE, {"parsed": documents}, {"root_name": root_name}, progress,
                                           keep=("dedupe", "documents", *enriched))
    docs, articles = run.tables["documents"], run.tables["dedupe"]
    tables = {
        "articles": articles,
        "documents": docs[DOCUMENTS.columns],
        **{name: run.tables[name] for name in enriched},
    }
    with_article = {path for paths in articles[Col.copy_paths] for path in paths}  # every story's path is a copy's
    summary = {
        "stories": int(articles[Col.n_copies].sum()),
        # documents read whose text held no story (picture or ad pages, captions only)
        "without_article": sorted(set(docs[Col.doc_path]) - with_article),
        "articles": len(articles),
        "duplicates_collapsed": int((articles[Col.n_copies] - 1).sum()) if len(articles) else 0,
        "places": len(tables["places"]),
        "themes": len(tables["themes"]),
        "durations_s": run.durations,
    }
    return tables, summary
