"""Slogans and programme names: quoted names of apps, brands, campaigns and programmes.

Rules live in resources/slogans.yaml. A quoted span is a name when

* it is a known name (the `known:` list, also matched without quotes: 自信上饶 in a headline);
* it is a parallel-phrase slogan (two to four halves of 4–9 characters, lengths within one of
  each other, no speech particles) whose halves echo each other (民之所望,政之所向) or that the
  text calls a theme or campaign (“践行新风尚 文明长岭人”主题) → slogan — not verse;
* the word right after the closing quote names its kind: “码上行动”App → app, “大抓基层年”活动 →
  campaign, "经心办"服务品牌 → brand, “三长”联动机制 → programme;
* or its own ending does: “吉祥码” → app, “爱心超市” → brand, “一件事一次办” → programme.

Everything else is an ordinary quotation — speech, a scare-quoted word (“温度”), a phrase — and
is left out. One row per (article, name): its kind, where it is first mentioned, how often.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import ahocorasick_rs
import pandas as pd

from pipeline.schema import SLOGANS, Col

KINDS = ("app", "brand", "campaign", "programme", "slogan")
_QUOTED = re.compile(r"“([^“”\n]{2,20})”|\"([^\"\n]{2,20})\"|‘([^‘’\n]{2,20})’|「([^「」\n]{2,20})」|『([^『』\n]{2,20})』")
_HALVES = re.compile(r"[ 　,，、;；]+")
_SPEECH = re.compile(r"[了吗呢啊吧嘛呀啥咱您你我他她它们的得地着过]|[。！？!?…：:]")
_SPEECH_INTRO = re.compile(r"[：:]\s*$|[说道讲问称]\s*$")
_NAME_CHARS = re.compile(r"^[\w+＋·]+$")
AFTER_CHARS = 8  # how far after the closing quote the kind word may start


class SloganRulesError(ValueError):
    """The slogan rules file is invalid."""


@dataclass
class SloganRules:
    known: dict[str, str]
    after: list[tuple[str, str]]  # (word, kind), longest word first
    ends: list[tuple[str, str]]
    never: frozenset[str]
    slogan_after: tuple[str, ...] = ()
    _known_matcher: ahocorasick_rs.AhoCorasick | None = field(default=None, repr=False)
    _known_names: list[str] = field(default_factory=list, repr=False)

    @classmethod
    def from_config(cls, config: dict) -> SloganRules:
        if not isinstance(config, dict):
            raise SloganRulesError("the slogan rules file must be a mapping")

        def by_kind(key: str) -> list[tuple[str, str]]:
            section = config.get(key) or {}
            unknown = set(section) - set(KINDS)
            if unknown:
                raise SloganRulesError(f"{key}: unknown kinds {sorted(unknown)}; use {KINDS}")
            pairs = [(str(word), kind) for kind, words in section.items() for word in (words or [])]
            return sorted(pairs, key=lambda p: -len(p[0]))

        known = {str(name): str(kind) for name, kind in (config.get("known") or {}).items()}
        bad = {n: k for n, k in known.items() if k not in KINDS}
        if bad:
            raise SloganRulesError(f"known: unknown kinds {bad}; use {KINDS}")
        names = sorted(known)
        matcher = ahocorasick_rs.AhoCorasick(names, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest) if names else None
        return cls(known, by_kind("after"), by_kind("ends"), frozenset(map(str, config.get("never") or [])),
                   tuple(map(str, config.get("slogan_after") or [])), matcher, names)

    def known_in(self, text: str) -> list[tuple[str, int]]:
        """(name, offset) of every known name in the text, quoted or not."""
        if self._known_matcher is None:
            return []
        return [(self._known_names[i], start) for i, start, _ in self._known_matcher.find_matches_as_indexes(text)]


def _halves(span: str) -> list[str]:
    return [h for h in _HALVES.split(span.strip().rstrip("。！!")) if h]


def is_parallel_slogan(span: str) -> bool:
    """Two to four halves of 4–9 characters, of nearly equal length, without speech particles."""
    halves = _halves(span)
    if not 2 <= len(halves) <= 4 or _SPEECH.search("".join(halves)):
        return False
    lengths = [len(h) for h in halves]
    return min(lengths) >= 4 and max(lengths) <= 9 and max(lengths) - min(lengths) <= 1


def classify(name: str, before: str, after: str, rules: SloganRules) -> str | None:
    """The kind of a quoted span given the text just before and after its quotes, or None when it
    is an ordinary quotation."""
    if name in rules.never:
        return None
    if name in rules.known:
        return rules.known[name]
    if is_parallel_slogan(name):
        # Parallel halves that echo each other (民之所望,政之所向) or that the text calls a theme or
        # campaign are slogans; otherwise they are verse or speech (己所不欲，勿施于人).
        echo = len(set.intersection(*(set(h) for h in _halves(name)))) > 0
        return "slogan" if echo or any(after.startswith(w) for w in rules.slogan_after) else None
    if _SPEECH_INTRO.search(before) or not _NAME_CHARS.match(name) or len(name) > 12:
        return None
    if _SPEECH.search(name):
        return None
    for word, kind in rules.after:
        if after.startswith(word):
            return kind
    for word, kind in rules.ends:
        if name.endswith(word) and len(name) > max(len(word), 2):
            return kind
    return None


def find_slogans(title: str, text: str, rules: SloganRules) -> list[tuple[str, str, int | None, int]]:
    """(name, kind, offset of the first mention in `text` or None when only the title has it,
    mentions) for one article, in order of first mention."""
    full = f"{title}\n{text}"
    found: dict[str, str] = {}
    for match in _QUOTED.finditer(full):
        span = next(g for g in match.groups() if g is not None)
        name = span.strip()
        kind = classify(name, full[max(0, match.start() - 4):match.start()], full[match.end():match.end() + AFTER_CHARS], rules)
        if kind and name not in found:
            found[name] = kind
    for name, _ in rules.known_in(full):
        found.setdefault(name, rules.known[name])
    rows = []
    for name, kind in found.items():
        first = text.find(name)
        rows.append((name, kind, first if first >= 0 else None, full.count(name)))
    return sorted(rows, key=lambda r: (-1 if r[2] is None else r[2], r[0]))


def slogans_table(articles: pd.DataFrame, rules: SloganRules) -> pd.DataFrame:
    """The slogans stage: one row per (article, name)."""
    rows = [
        {Col.article_id: a.article_id, Col.slogan: name, Col.kind: kind, Col.position: position, Col.mentions: mentions}
        for a in articles.itertuples(index=False)
        for name, kind, position, mentions in find_slogans(a.title, a.text, rules)
    ]
    if not rows:
        return SLOGANS.empty()
    frame = pd.DataFrame(rows, columns=SLOGANS.columns)
    frame[Col.position] = frame[Col.position].astype("Int32")
    frame[Col.mentions] = frame[Col.mentions].astype("int32")
    return frame
