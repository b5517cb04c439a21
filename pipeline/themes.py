"""Themes: multi-label, explainable scores from the editable taxonomy (resources/themes.yaml).

Every occurrence of a theme term is weighed (strong 3, supporting 1), ×3 in the title and ×1.5
in the lead, and the sum is normalised per 1,000 characters (with a floor, so a short article does
not explode). A theme is a *substantial topic* — the labelling guideline: the headline, a section
or several paragraphs, not one sentence — so it is assigned when

* a strong term is in the title, or
* at least `MIN_PARAGRAPHS` body paragraphs are *about* the theme (a strong hit or three
  supporting hits in the paragraph; one paragraph suffices when the article has only one) and
  either the score reaches the threshold (global, or the theme's own) or `SECTION_PARAGRAPHS`
  paragraphs are about it (a section of a long report).

One stray mention never suffices. The matched terms and their counts are kept on every assignment.
Exclusions are phrases whose occurrences do not count: leftmost-longest matching lets an excluded
phrase (营商环境 for ecology) shadow a shorter term inside it (环境).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field

import ahocorasick_rs
import pandas as pd

from pipeline.schema import THEMES, Col

STRONG, SUPPORTING = 3.0, 1.0
TITLE_FACTOR, LEAD_FACTOR, LEAD_CHARS = 3.0, 1.5, 150
LENGTH_FLOOR = 500
ABOUT_WEIGHT = STRONG  # a paragraph is about a theme with one strong hit or three supporting ones
MIN_PARAGRAPHS = 2  # paragraphs about the theme needed (one stray paragraph is not a topic)
SECTION_PARAGRAPHS = 6  # this many paragraphs are a section: substantial whatever the density
_BLANK_LINE = re.compile(r"\n\s*\n")
# A newspaper column's name closing a title: （人民眼·疫情防控）, （新春走基层·特别报道）. It weighs
# as the lead, not as the headline.
_RUBRIC = re.compile(r"[（(][^（）()]{2,40}[）)]$")


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
    threshold: float | None = None  # None: the taxonomy's threshold


class TaxonomyError(ValueError):
    """The theme file is invalid; the message names the theme and the problem."""


@dataclass
class Taxonomy:
    themes: list[Theme]
    threshold: float
    # One automaton over every term and exclusion: (pattern index → [(theme id, weight)]).
    _terms: list[str] = field(repr=False)
    _owners: list[list[tuple[str, float]]] = field(repr=False)
    _matcher: ahocorasick_rs.AhoCorasick = field(repr=False)

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
                                terms["exclude"], entry.get("parent"), _number(entry.get("threshold"), f"theme {tid!r}: threshold")))
        for theme in themes:
            if theme.parent and theme.parent not in seen:
                raise TaxonomyError(f"theme {theme.id!r}: parent {theme.parent!r} is not a theme id")
        threshold = _number(config.get("threshold", 4.0), "threshold")
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

    def threshold_of(self, theme_id: str) -> float:
        own = next(t.threshold for t in self.themes if t.id == theme_id)
        return self.threshold if own is None else own


def _number(value, what: str) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TaxonomyError(f"{what} must be a number, not {value!r}") from None


@dataclass
class _Evidence:
    weighted: float = 0.0
    counts: Counter = field(default_factory=Counter)
    strong: int = 0
    title_strong: bool = False
    paragraph_weight: Counter = field(default_factory=Counter)  # body paragraph index → weighted hits

    def about(self) -> int:
        """Body paragraphs about the theme: a strong hit or three supporting ones."""
        return sum(1 for p, w in self.paragraph_weight.items() if p and w >= ABOUT_WEIGHT)


def _paragraph_starts(full: str, title_len: int) -> list[int]:
    """Offsets where paragraphs start: the title is paragraph 0, the body splits on blank lines."""
    return [0, title_len, *(m.end() for m in _BLANK_LINE.finditer(full, title_len))]


def score_article(title: str, text: str, taxonomy: Taxonomy) -> list[tuple[str, float, list[str]]]:
    """(theme id, score, matched terms as "term×count") for each theme assigned to one article."""
    full = f"{title}\n{text}"
    title_len = len(title) + 1
    rubric = _RUBRIC.search(title)  # 审批有指南（基层治理新实践）: the column's name, not the story's
    headline_end = rubric.start() if rubric else title_len
    starts = _paragraph_starts(full, title_len)
    evidence: dict[str, _Evidence] = {}
    for index, start, _ in taxonomy._matcher.find_matches_as_indexes(full):
        term = taxonomy._terms[index]
        in_title = start < headline_end
        factor = TITLE_FACTOR if in_title else LEAD_FACTOR if start < title_len + LEAD_CHARS else 1.0
        paragraph = bisect_right(starts, start) - 1
        for theme_id, weight in taxonomy._owners[index]:
            if weight == 0.0:
                continue
            ev = evidence.setdefault(theme_id, _Evidence())
            ev.weighted += weight * factor
            ev.counts[term] += 1
            ev.paragraph_weight[paragraph] += weight
            if weight == STRONG:
                ev.strong += 1
                ev.title_strong |= in_title
    length = max(len(full), LENGTH_FLOOR) / 1000
    body_paragraphs = len(starts) - 1
    out = []
    for theme_id, ev in evidence.items():
        score = ev.weighted / length
        threshold = taxonomy.threshold_of(theme_id)
        about = ev.about()
        enough = about >= min(MIN_PARAGRAPHS, body_paragraphs) and (about >= SECTION_PARAGRAPHS or score >= threshold)
        if ev.title_strong or enough:
            terms = [f"{t}×{n}" for t, n in sorted(ev.counts.items(), key=lambda kv: (-kv[1], kv[0]))]
            out.append((theme_id, round(score, 3), terms))
    return sorted(out, key=lambda r: -r[1])


def themes_table(articles: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    rows = [
        {Col.article_id: a.article_id, Col.theme: tid, Col.score: score, Col.matched_terms: terms}
        for a in articles.itertuples(index=False)
        for tid, score, terms in score_article(a.title, a.text, taxonomy)
    ]
    return pd.DataFrame(rows, columns=THEMES.columns) if rows else THEMES.empty()
