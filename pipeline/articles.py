"""Documents → articles: split pages into stories, date and source each, give stable ids.

`documents_frame` flattens parsed documents; `split_articles` is the stage; `dedupe` (in
`pipeline.dedupe`) then collapses copies.
"""

from __future__ import annotations

import hashlib
from collections import Counter

import pandas as pd

from pipeline import dates
from pipeline.clean import LinePatterns, normalize
from pipeline.formats import Document
from pipeline.schema import ARTICLES, DOCUMENTS, Col
from pipeline.sources import SourceBook, header_source, story_source
from pipeline.split import split_page

DOC_COLUMNS = [*DOCUMENTS.columns, "body", "meta_title", "meta_date", "meta_source", "meta_url"]


def documents_frame(documents: list[Document]) -> pd.DataFrame:
    """One row per parsed document: the documents table's columns plus body and metadata.

    The columns hold the documents' own strings (object dtype), not Arrow copies: a text file's
    body is its raw text, so each text is held once however many columns and tables show it."""
    rows = [
        {Col.doc_path: d.doc_path, Col.format: d.format, Col.encoding: d.encoding, Col.raw_text: d.raw_text,
         "body": d.body, **{f"meta_{k}": d.meta.get(k) for k in ("title", "date", "source", "url")}}
        for d in documents
    ]
    return pd.DataFrame(rows, columns=DOC_COLUMNS, dtype=object)


def _text(value) -> str | None:
    """A metadata cell as normalised text (no invisible or control characters), or None
    (pandas stores missing strings as NaN)."""
    return (normalize(value).strip() or None) if isinstance(value, str) else None


def article_id(doc_path: str, span_start: int) -> str:
    """Same input file and story position → same id, across runs and machines."""
    return hashlib.blake2b(f"{doc_path}\x00{span_start}".encode(), digest_size=8).hexdigest()


def split_articles(documents: pd.DataFrame, patterns: LinePatterns, book: SourceBook, root_name: str = "") -> pd.DataFrame:
    """One row per story, before de-duplication (n_copies 1, copy lists of one)."""
    rows = []
    for doc in documents.itertuples(index=False):
        rows += _document_stories(doc, patterns, book, root_name)
    return pd.DataFrame(rows, columns=ARTICLES.columns) if rows else ARTICLES.empty()


def _document_stories(doc, patterns: LinePatterns, book: SourceBook, root_name: str) -> list[dict]:
    """The article rows of one document: its stories, each dated and sourced."""
    meta_title, meta_date, meta_source, meta_url = (_text(v) for v in (doc.meta_title, doc.meta_date, doc.meta_source, doc.meta_url))
    page = split_page(doc.body, patterns, title=meta_title)
    path = f"{root_name}/{doc.doc_path}" if root_name else doc.doc_path
    header = header_source(page.header, patterns.header_source)
    date = dates.page_date(meta_date, page.header, path, [s.text for s in page.stories], page.ads)
    sources = [story_source(book, s.credits, header, meta_source, path, s.bylines) for s in page.stories]
    # Stories without their own evidence were printed by the page's main publisher.
    page_source = Counter(s for s in sources if s).most_common(1)
    rows = []
    for index, (story, source) in enumerate(zip(page.stories, sources)):
        source = source or (page_source[0][0] if page_source else None)
        rows.append({
            Col.article_id: article_id(doc.doc_path, story.span_start),
            Col.doc_path: doc.doc_path,
            Col.story: index,
            Col.span_start: story.span_start,
            Col.span_end: story.span_end,
            Col.title: story.title,
            Col.kicker: story.kicker,
            Col.subtitle: story.subtitle,
            Col.date: date.date if date else None,
            Col.date_precision: date.precision if date else None,
            Col.date_origin: date.origin if date else None,
            Col.source: source,
            Col.url: meta_url,
            Col.text: story.text,
            Col.n_chars: len(story.text),
            Col.n_copies: 1,
            Col.copy_paths: [doc.doc_path],
            Col.copy_sources: [source] if source else [],
        })
    return rows
