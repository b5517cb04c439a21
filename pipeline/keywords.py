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
    """Counts of the content terms of one text. `verdicts`: (word, tag) → the word when it is a
    content term, else "", filled as words come, to share between the texts of one stopword list
    (a text repeats most of its words, and texts share most of theirs). The word kept is the
    first one seen: every text's counts hold the same string objects (a corpus's 1.8 M term rows
    then share ~0.2 M strings)."""
    verdicts = {} if verdicts is None else verdicts
    words = []
    for pair in segmenter.tag(text):
        term = verdicts.get(pair)
        if term is None:
            word, pos = pair
            term = verdicts[pair] = word if (len(word) >= 2 and pos.startswith(CONTENT_POS) and word not in stopwords
                                            and not _NOT_A_TERM.match(word)) else ""
        if term:
            words.append(term)
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
    """Top-k TF-IDF terms per article from the terms table, the best weighing 1.0.

    Computed on integer codes of articles and terms (numpy), not by grouping strings: the terms
    table of a corpus has millions of rows."""
    if terms.empty:
        return KEYWORDS.empty()
    article, articles = pd.factorize(terms[Col.article_id], sort=True)  # codes in the order of the values
    term, vocabulary = pd.factorize(terms[Col.term], sort=True)
    mentions = terms[Col.mentions].to_numpy()
    df = np.bincount(term)  # one row per (article, term): rows of a term = articles holding it
    idf = np.array([math.log((1 + len(articles)) / (1 + d)) + 1 for d in df.tolist()])
    totals = np.bincount(article, weights=mentions)
    weight = (mentions / totals[article]) * idf[term]
    order = _ranked(article, weight, term)
    sorted_article = article[order]
    first = np.r_[True, sorted_article[1:] != sorted_article[:-1]]
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    top = order[np.arange(len(order)) - group_start < top_k]
    best = weight[order[first]][np.cumsum(first)[np.arange(len(order)) - group_start < top_k] - 1]
    out = terms.iloc[top][[Col.article_id, Col.term]].reset_index(drop=True)
    out[Col.weight] = np.round(weight[top] / best, 4)
    return out[KEYWORDS.columns]


def _ranked(article: np.ndarray, weight: np.ndarray, term: np.ndarray) -> np.ndarray:
    """Row order: article ascending, weight descending, term descending. Where the three fit in
    63 bits (article, rank of the weight, term), one sort of a packed key: 2-3x faster than
    `np.lexsort` on the millions of rows of a corpus."""
    levels, rank = np.unique(weight, return_inverse=True)
    widths = [int(top).bit_length() for top in (article.max(), len(levels) - 1, term.max())]
    if sum(widths) > 63:
        return np.lexsort((-term, -weight, article))
    key = article.astype(np.int64) << (widths[1] + widths[2])
    key |= (len(levels) - 1 - rank.astype(np.int64)) << widths[2]
    key |= term.max() - term.astype(np.int64)
    return np.argsort(key)  # keys are unique: one row per (article, term)
