"""Term statistics over count tables: distinctive terms of a group and term co-occurrence.

Pure functions over counts (term → count, as a Mapping or a pandas Series), so the dashboard can
call them on any filter: sum the `terms` table over the group's articles and over the rest.

Distinctive terms use the log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi &
Quinn 2008, "Fightin' Words", eq. 16–22; the statistic scattertext calls `LogOddsRatioInformativeDirichletPrior`):

    δ_w = log((y_w^g + α_w) / (n^g + α_0 − y_w^g − α_w)) − log((y_w^r + α_w) / (n^r + α_0 − y_w^r − α_w))
    σ²(δ_w) ≈ 1 / (y_w^g + α_w) + 1 / (y_w^r + α_w)
    z_w = δ_w / σ(δ_w)

y^g, y^r are the group's and the rest's counts, n their totals, α the prior counts (by default
the whole corpus, group + rest) and α_0 their sum. The prior shrinks rare terms towards zero, so a
term seen twice in a small group does not top the list; z > 1.96 is distinctive at the usual 5 %.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import combinations

import numpy as np
import pandas as pd

from pipeline.schema import Col

PRIOR_FLOOR = 0.01  # prior count of a term the prior never saw (α must be > 0)


def _series(counts: Mapping[str, float] | pd.Series) -> pd.Series:
    return counts.astype("float64") if isinstance(counts, pd.Series) else pd.Series(dict(counts), dtype="float64")


def distinctive_terms(group_counts: Mapping[str, float] | pd.Series, rest_counts: Mapping[str, float] | pd.Series,
                      prior_counts: Mapping[str, float] | pd.Series | None = None, top: int | None = 30,
                      prior_scale: float | None = None) -> pd.DataFrame:
    """Terms of the group against the rest, by z-score of the log-odds ratio, most distinctive first.

    `prior_counts`: the informative prior α (default: group + rest). `prior_scale`: rescale the
    prior so its counts sum to this (a smaller prior trusts the data more); default: as given.
    `top`: how many rows (None: every term, also the ones typical of the rest, with z < 0).
    Returns columns term, z, log_odds, group_count, rest_count.
    """
    group, rest = _series(group_counts), _series(rest_counts)
    if group.index.equals(rest.index) and group.index.is_unique:  # counted over the same terms already
        vocabulary, y_g, y_r = group.index, group.to_numpy(), rest.to_numpy()
    else:
        vocabulary = group.index.union(rest.index)
        y_g = group.reindex(vocabulary, fill_value=0.0).to_numpy()
        y_r = rest.reindex(vocabulary, fill_value=0.0).to_numpy()
    prior = (y_g + y_r) if prior_counts is None else _series(prior_counts).reindex(vocabulary, fill_value=0.0).to_numpy()
    if prior_scale is not None and prior.sum() > 0:
        prior = prior * (prior_scale / prior.sum())
    alpha = np.maximum(prior, PRIOR_FLOOR)
    alpha_0 = alpha.sum()
    n_g, n_r = y_g.sum(), y_r.sum()
    log_odds = (np.log((y_g + alpha) / (n_g + alpha_0 - y_g - alpha))
                - np.log((y_r + alpha) / (n_r + alpha_0 - y_r - alpha)))
    z = log_odds / np.sqrt(1.0 / (y_g + alpha) + 1.0 / (y_r + alpha))
    rows = _ranked(z, vocabulary, top)
    return pd.DataFrame({"term": vocabulary[rows], "z": z[rows], "log_odds": log_odds[rows],
                         "group_count": y_g[rows].astype("int64"), "rest_count": y_r[rows].astype("int64")})


def _ranked(z: np.ndarray, terms: pd.Index, top: int | None) -> np.ndarray:
    """Positions of the `top` highest z (all when None), highest first, ties by term. Only the
    candidates at or above the top-th z are sorted: a vocabulary has tens of thousands of terms."""
    candidates = np.arange(len(z))
    if top is not None and top < len(z):
        threshold = np.partition(z, len(z) - top)[len(z) - top]
        candidates = np.flatnonzero(~(z < threshold))  # NaN (degenerate counts) stays a candidate
    order = pd.DataFrame({"z": z[candidates], "term": terms[candidates]}).sort_values(
        ["z", "term"], ascending=[False, True], kind="stable").index
    return candidates[order[:top] if top is not None else order]


def group_and_rest(terms: pd.DataFrame, in_group: Iterable[str], article_col: str = Col.article_id,
                   term_col: str = Col.term, count_col: str = Col.mentions) -> tuple[pd.Series, pd.Series]:
    """Sum a per-article count table (the `terms` table) into the group's and the rest's counts."""
    mask = terms[article_col].isin(set(in_group))
    group = terms.loc[mask].groupby(term_col)[count_col].sum()
    rest = terms.loc[~mask].groupby(term_col)[count_col].sum()
    return group, rest


def cooccurrence(article_terms: Iterable[Iterable[str]], vocabulary: Iterable[str] | None = None,
                 min_articles: int = 2) -> pd.DataFrame:
    """Pairs of terms that occur in the same article, with the number of such articles.

    `article_terms`: the terms of each article (repeats are ignored); `vocabulary`: keep only these
    terms (e.g. the top terms of the filter — pairs grow with its square); pairs seen in fewer than
    `min_articles` articles are dropped. Columns source, target (source < target), articles.
    """
    keep = set(vocabulary) if vocabulary is not None else None
    pairs: Counter = Counter()
    for terms in article_terms:
        distinct = sorted(set(terms) if keep is None else set(terms) & keep)
        pairs.update(combinations(distinct, 2))
    rows = [(a, b, n) for (a, b), n in pairs.items() if n >= min_articles]
    frame = pd.DataFrame(rows, columns=["source", "target", "articles"])
    frame["articles"] = frame["articles"].astype("int64")
    return frame.sort_values(["articles", "source", "target"], ascending=[False, True, True], kind="stable").reset_index(drop=True)
