"""Terms and keywords: content-term counts per article, and the top TF-IDF terms of each.

Terms come from the segmenter (governance user dictionary applied), keep content parts of speech,
and drop stopwords, numbers and single characters. The `terms` table keeps every article's
counts (for distinctive terms and co-occurrence on any filter, `pipeline.termstats`); the
`keywords` table keeps each article's top terms by TF-IDF over the corpus.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
import pandas as pd

from pipeline.schema import KEYWORDS, TERMS, Col
from pipeline.segment import Segmenter

# Nouns (n, nr, ns, nt, nz, vn…), verbs, adjectives, idioms (i), fixed expressions (l),
# abbreviations (j), Latin words; pronouns, numerals, adverbs, particles… are left out.
CONTENT_POS = ("n", "v", "a", "i", "l", "j", "eng")
TOP_K = 15
_NOT_A_TERM = re.compile(r"^[\d\W_]+$|^\d")


def content_terms(text: str, segmenter: Segmenter, stopwords: frozenset[str], verdicts: dict | None = None) -> Counter:
    """Counts of the content terms of one text. `verdicts`: (word, tag) → whether it is a content
    term, filled as words come, to share between the texts of one stopword list (a text repeats
    most of its words, and texts share most of theirs)."""
    verdicts = {} if verdicts is None else verdicts
    words = []
    for pair in segmenter.tag(text):
        verdict = verdicts.get(pair)
        if verdict is None:
            word, pos = pair
            verdict = verdicts[pair] = (len(word) >= 2 and pos.startswith(CONTENT_POS) and word not in stopwords
                                        and not _NOT_A_TERM.match(word))
        if verdict:
            words.append(pair[0])
    return Counter(words)


def terms_table(articles: pd.DataFrame, segmenter: Segmenter, stopwords: frozenset[str]) -> pd.DataFrame:
    """The terms stage: segment every article (title and text) once and count its content terms."""
    ids, terms, counts, verdicts = [], [], [], {}
    for a in articles.itertuples(index=False):
        found = sorted(content_terms(f"{a.title}\n{a.text}", segmenter, stopwords, verdicts).items())
        ids += [a.article_id] * len(found)
        terms += [term for term, _ in found]
        counts += [count for _, count in found]
    if not ids:
        return TERMS.empty()
    return pd.DataFrame({Col.article_id: ids, Col.term: terms, Col.mentions: np.array(counts, dtype="int32")}, columns=TERMS.columns)


def keywords_table(terms: pd.DataFrame, top_k: int = TOP_K) -> pd.DataFrame:
    """Top-k TF-IDF terms per article from the terms table, the best weighing 1.0."""
    if terms.empty:
        return KEYWORDS.empty()
    n_docs = terms[Col.article_id].nunique()
    df = terms.groupby(Col.term)[Col.article_id].transform("size")
    totals = terms.groupby(Col.article_id)[Col.mentions].transform("sum")
    scored = terms.assign(**{Col.weight: (terms[Col.mentions] / totals) * (((1 + n_docs) / (1 + df)).map(math.log) + 1)})
    top = (scored.sort_values([Col.article_id, Col.weight, Col.term], ascending=[True, False, False], kind="stable")
           .groupby(Col.article_id, sort=False).head(top_k))
    best = top.groupby(Col.article_id)[Col.weight].transform("max")
    top = top.assign(**{Col.weight: (top[Col.weight] / best).round(4)})
    return top[KEYWORDS.columns].reset_index(drop=True)
