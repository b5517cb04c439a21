"""Themes: multi-label, explainable scores from the editable taxonomy (resources/themes.yaml).

Every occurrence of a theme term is weighed (strong 3, supporting 1), doubled in the title and
×1.5 in the lead, and the sum is normalised per 1,000 characters (with a floor, so a short
article does not explode). A theme is assigned when its score reaches the threshold *and* it has a
strong hit or three distinct supporting terms — one stray mention is not enough. The matched terms
and their counts are kept on every assignment.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import ahocorasick_rs
import pandas as pd

from pipeline.schema import THEMES, Col

STRONG, SUPPORTING = 3.0, 1.0
TITLE_FACTOR, LEAD_FACTOR, LEAD_CHARS = 2.0, 1.5, 150
LENGTH_FLOOR = 500
MIN_SUPPORTING = 3


@dataclass(frozen=True)
class Theme:
    id: str
    label_zh: str
    label_en: str
    description: str
    strong: tuple[str, ...]
    supporting: tuple[str, ...]
    exclude: tuple[str, ...]
    parent: str | None = None


class TaxonomyError(ValueError):
    """The theme file is invalid; the message names the theme and the problem."""


@dataclass
class Taxonomy:
    themes: list[Theme]
    threshold: float
    # One automaton over every term and exclusion: (pattern index → [(theme id, weight)]).
    _terms: list[str]
    _owners: list[list[tuple[str, float]]]
    _matcher: ahocorasick_rs.AhoCorasick

    @classmethod
    def from_config(cls, config: dict) -> Taxonomy:
        if not isinstance(config, dict) or not isinstance(config.get("themes"), list):
            raise TaxonomyError("the theme file needs a `themes:` list")
        themes, seen = [], set()
        for i, entry in enumerate(config["themes"]):
            if not isinstance(entry, dict) or not entry.get("id"):
                raise TaxonomyError(f"theme #{i + 1} has no id")
            tid = str(entry["id"]).strip()
            if tid in seen:
                raise TaxonomyError(f"theme id {tid!r} appears twice")
            seen.add(tid)
            terms = {k: tuple(str(t).strip() for t in (entry.get(k) or []) if str(t).strip()) for k in ("strong", "supporting", "exclude")}
            if not terms["strong"] and not terms["supporting"]:
                raise TaxonomyError(f"theme {tid!r} has no strong or supporting terms")
            themes.append(Theme(tid, str(entry.get("label_zh") or tid), str(entry.get("label_en") or tid),
                                str(entry.get("description") or ""), terms["strong"], terms["supporting"],
                                terms["exclude"], entry.get("parent")))
        for theme in themes:
            if theme.parent and theme.parent not in seen:
                raise TaxonomyError(f"theme {theme.id!r}: parent {theme.parent!r} is not a theme id")
        try:
            threshold = float(config.get("threshold", 4.0))
        except (TypeError, ValueError):
            raise TaxonomyError("threshold must be a number") from None
        index: dict[str, list[tuple[str, float]]] = {}
        for theme in themes:
            for term in theme.supporting:
                index.setdefault(term, []).append((theme.id, SUPPORTING))
            for term in theme.strong:
                index.setdefault(term, []).append((theme.id, STRONG))
            for term in theme.exclude:
                index.setdefault(term, []).append((theme.id, 0.0))
        terms = sorted(index)
        matcher = ahocorasick_rs.AhoCorasick(terms, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
        return cls(themes, threshold, terms, [index[t] for t in terms], matcher)

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.themes]


def score_article(title: str, text: str, taxonomy: Taxonomy) -> list[tuple[str, float, list[str]]]:
    """(theme id, score, matched terms as "term×count") for each theme assigned to one article."""
    full = f"{title}\n{text}"
    title_len = len(title) + 1
    weighted: Counter = Counter()
    hits: dict[str, Counter] = {}
    strong_hit: set[str] = set()
    # Leftmost-longest matching lets an exclusion (营商环境) shadow a shorter term inside it (环境).
    for index, start, _ in taxonomy._matcher.find_matches_as_indexes(full):
        term = taxonomy._terms[index]
        factor = TITLE_FACTOR if start < title_len else LEAD_FACTOR if start < title_len + LEAD_CHARS else 1.0
        for theme_id, weight in taxonomy._owners[index]:
            if weight == 0.0:
                continue
            weighted[theme_id] += weight * factor
            hits.setdefault(theme_id, Counter())[term] += 1
            if weight == STRONG:
                strong_hit.add(theme_id)
    length = max(len(full), LENGTH_FLOOR) / 1000
    out = []
    for theme_id, total in weighted.items():
        score = total / length
        evidence = hits[theme_id]
        if score >= taxonomy.threshold and (theme_id in strong_hit or len(evidence) >= MIN_SUPPORTING):
            terms = [f"{t}×{n}" for t, n in sorted(evidence.items(), key=lambda kv: (-kv[1], kv[0]))]
            out.append((theme_id, round(score, 3), terms))
    return sorted(out, key=lambda r: -r[1])


def themes_table(articles: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    rows = [
        {Col.article_id: a.article_id, Col.theme: tid, Col.score: score, Col.matched_terms: terms}
        for a in articles.itertuples(index=False)
        for tid, score, terms in score_article(a.title, a.text, taxonomy)
    ]
    return pd.DataFrame(rows, columns=THEMES.columns) if rows else THEMES.empty()
