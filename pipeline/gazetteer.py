"""The gazetteer and place-name recognition: where a text names a division, and which ones it may be.

Built once from `resources/gazetteer.csv`, `place_aliases.csv` and `place_false_friends.txt`
(see docs/gazetteer.md and docs/places.md) and passed to `pipeline.places` as an argument.

Recognition is one leftmost-longest Aho–Corasick pass over every full name, alias and false
friend together, so a false friend that starts at or before a name swallows it (长治久安, 新华社,
黄河北岸). A hit that is not an official name of three or more characters (长春, 吉林, 城区) must
also start and end on a word boundary of the segmenter, checked on a small window only; a county's
official name must start on one (江南山区 is not 南山区). A short name followed by the type of a
smaller place (永春镇, 南湖街道, 灵山路) names that place, not the division. Candidates are weak
(they need support from the context, see `pipeline.places`) for a county's short name and for a
name that is itself listed as a false friend, i.e. also an ordinary word (城区, 安康).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import ahocorasick_rs
import pandas as pd

from pipeline.segment import Segmenter

LEVEL_RANK = {"province": 0, "city": 1, "county": 2}
MUNICIPALITIES = ("11", "12", "31", "50")  # 北京 天津 上海 重庆: province and city at once
# A short name followed by one of these names a township, village, street, estate, park or mountain
# that shares the name (朝阳区永春镇, 南湖街道, 通化二村, 北京路, 北海公园, 长白山), not the division.
_SMALLER_UNIT = re.compile(r"(?:[一二三四五六七八九十\d]*(?:村|组|社区)|镇|乡|街道|小区|[东西南北中]?(?:路|街|大街|大道)|巷|胡同|公园|山)")
_WINDOW = 6  # characters segmented on each side of a hit that must align with word boundaries


@dataclass(frozen=True)
class Division:
    adcode: str
    name: str
    level: str
    province: str
    city: str | None
    parent: str | None
    lat: float | None
    lon: float | None

    @cached_property  # read a million times per corpus by place resolution
    def province_code(self) -> str:
        return self.adcode[:2] + "0000"

    @cached_property
    def city_code(self) -> str | None:
        """adcode of the prefecture-level unit this division belongs to: itself for a city, a
        municipality (北京市) or a county-level city run by its province (济源市); None for a
        province that is not a municipality."""
        if self.level == "province":
            return self.adcode if self.adcode[:2] in MUNICIPALITIES else None
        if self.level == "city" or self.city == self.name:
            return self.adcode
        return self.parent

    def within(self, other: Division) -> bool:
        """Whether this division is `other` or lies inside it."""
        return other.adcode in (self.adcode, self.city_code, self.province_code)


@dataclass(frozen=True)
class Candidate:
    adcode: str
    kind: str  # "full" (official name) or the alias kind: "short", "abbrev", "zone"
    weak: bool  # needs support from the context: a county's short name, or a common word (城区, 安康)


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    name: str
    candidates: tuple[Candidate, ...]


@dataclass
class Gazetteer:
    divisions: dict[str, Division]
    names: dict[str, tuple[Candidate, ...]]  # full name or alias → the divisions it may denote
    patterns: list[str]  # the matcher's patterns by index: names, then false friends
    matcher: ahocorasick_rs.AhoCorasick = field(repr=False)

    @classmethod
    def from_tables(cls, divisions: pd.DataFrame, aliases: pd.DataFrame, false_friends: list[str]) -> Gazetteer:
        records = {}
        for row in divisions.itertuples(index=False):
            records[row.adcode] = Division(
                row.adcode, row.name, row.level, row.province, row.city or None, row.parent_adcode or None,
                float(row.lat) if pd.notna(row.lat) else None, float(row.lon) if pd.notna(row.lon) else None,
            )
        entries: dict[str, dict[str, str]] = {}  # name → {adcode: kind}, full names first
        for division in records.values():
            entries.setdefault(division.name, {})[division.adcode] = "full"
        for row in aliases.itertuples(index=False):
            if row.adcode in records:
                entries.setdefault(row.alias, {}).setdefault(row.adcode, row.kind)
        # A false friend that is itself a name (城区, 安康) marks an ordinary word: the name still
        # counts, but only where the context supports it.
        common = set(false_friends) & set(entries)
        names = {
            name: tuple(
                Candidate(code, kind, name in common or (kind == "short" and records[code].level == "county"))
                for code, kind in found.items()
            )
            for name, found in entries.items()
        }
        patterns = sorted(names) + sorted(set(false_friends) - set(names))
        matcher = ahocorasick_rs.AhoCorasick(patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
        return cls(records, names, patterns, matcher)

    def find(self, text: str, segmenter: Segmenter) -> list[Hit]:
        """Every place-name hit of a text, leftmost-longest, with the divisions it may denote.

        A short name the text also uses for a smaller place (通化镇 … 通化二村) is weak in all
        its other hits too: in that text it most likely means the smaller place again."""
        hits, smaller, covered = [], set(), 0
        for index, start, end in self.matcher.find_matches_as_indexes(text):
            name = self.patterns[index]
            candidates = self.names.get(name)
            if candidates is None or start < covered:  # a false friend, or inside a smaller place's name
                continue
            official = any(c.kind == "full" for c in candidates)
            unit = None if official else _SMALLER_UNIT.match(text, end)
            if unit:  # 江州镇江州社区: the 镇 belongs to 江州镇, so 镇江 is no hit
                smaller.add(name)
                covered = unit.end()
                continue
            if official and name.endswith("区") and text.startswith("域", end):
                continue  # 珠江河口区域 is a region, not 河口区
            after_name = bool(hits) and hits[-1].end == start  # 上海市|浦东新区 is one word for the segmenter
            if not official or len(name) <= 2:
                # 天津港, 青岛港: the segmenter keeps a port named after its city as one word
                if not (_aligned(text, start, end, segmenter, after_name)
                        or text.startswith("港", end) and _aligned(text, start, end + 1, segmenter, after_name)):
                    continue
            elif not after_name and all(self.divisions[c.adcode].level == "county" for c in candidates) \
                    and not _aligned(text, start, None, segmenter):
                continue  # 江南山区 is not 南山区; the end may merge (朝阳区委)
            hits.append(Hit(start, end, name, candidates))
        if smaller:
            hits = [Hit(h.start, h.end, h.name, tuple(Candidate(c.adcode, c.kind, True) for c in h.candidates))
                    if h.name in smaller else h for h in hits]
        return hits


def _aligned(text: str, start: int, end: int | None, segmenter: Segmenter, start_known: bool = False) -> bool:
    """Whether [start, end) starts (unless `start_known`) and ends (unless `end` is None) on word
    boundaries of the segmented neighbourhood."""
    lo = max(0, start - _WINDOW)
    bounds, at = {lo}, lo
    for token in segmenter.cut(text[lo:min(len(text), (end or start) + _WINDOW)]):
        at += len(token)
        bounds.add(at)
    return (start_known or start in bounds) and (end is None or end in bounds)
