"""Keywords: content terms per article, weighted by TF-IDF over the corpus.

Terms come from the segmenter (governance user dictionary applied), keep content parts of speech,
and drop stopwords, numbers and single characters.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import pandas as pd

from pipeline.schema import KEYWORDS, Col
from pipeline.segment import Segmenter

CONTENT_POS = ("n", "v", "a", "i", "l", "j", "eng")  # nouns (n, nr, ns, nt, nz, vn…), verbs, idioms, abbreviations
TOP_K = 15
_NOT_A_TERM = re.compile(r"^[\d\W_]+$|^\d")


def content_terms(text: str, segmenter: Segmenter, stopwords: frozenset[str]) -> Counter:
    """Counts of the content terms of one text."""
    return Counter(
        word for word, pos in segmenter.tag(text)
        if len(word) >= 2 and pos.startswith(CONTENT_POS) and word not in stopwords and not _NOT_A_TERM.match(word)
    )


def keywords_table(term_counts: dict[str, Counter], top_k: int = TOP_K) -> pd.DataFrame:
    """Top-k TF-IDF terms per article, the best weighing 1.0. `term_counts`: article_id → counts."""
    n_docs = len(term_counts)
    df = Counter(term for counts in term_counts.values() for term in counts)
    rows = []
    for article_id, counts in term_counts.items():
        total = sum(counts.values()) or 1
        scored = sorted(((c / total) * (math.log((1 + n_docs) / (1 + df[t])) + 1), t) for t, c in counts.items())
        best = scored[-top_k:][::-1]
        top = best[0][0] if best else 1.0
        rows += [{Col.article_id: article_id, Col.term: t, Col.weight: round(w / top, 4)} for w, t in best]
    return pd.DataFrame(rows, columns=KEYWORDS.columns) if rows else KEYWORDS.empty()


def article_keywords(articles: pd.DataFrame, segmenter: Segmenter, stopwords: frozenset[str]) -> pd.DataFrame:
    """The keywords stage: segment every article (title and text) and weigh its terms."""
    counts = {a.article_id: content_terms(f"{a.title}\n{a.text}", segmenter, stopwords) for a in articles.itertuples(index=False)}
    return keywords_table(counts)
