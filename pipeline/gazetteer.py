"""The gazetteer as the place matcher sees it: names and aliases → candidate divisions.

Built once from `resources/gazetteer.csv`, `place_aliases.csv` and `place_false_friends.txt`
(see docs/gazetteer.md) and passed to `pipeline.places` as an argument.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ahocorasick_rs
import pandas as pd

LEVEL_RANK = {"province": 0, "city": 1, "county": 2}
MUNICIPALITIES = ("11", "12", "31", "50")  # 北京 天津 上海 重庆: province and city at once


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

    @property
    def province_code(self) -> str:
        return self.adcode[:2] + "0000"

    @property
    def city_code(self) -> str | None:
        """adcode of the prefecture-level unit this division belongs to (itself for a city)."""
        if self.level == "province":
            return self.adcode if self.adcode[:2] in MUNICIPALITIES else None
        if self.level == "city":
            return self.adcode
        return self.parent


@dataclass
class Gazetteer:
    divisions: dict[str, Division]
    names: dict[str, list[tuple[str, str]]]  # name or alias → [(adcode, kind)]; kind "full" or alias kind
    patterns: list[str]  # the matcher's patterns, by index
    matcher: ahocorasick_rs.AhoCorasick = field(repr=False)
    false_friend_matcher: ahocorasick_rs.AhoCorasick | None = field(repr=False)
    by_name: dict[tuple[str, str], str] = field(default_factory=dict)  # (level, full name) → adcode

    @classmethod
    def from_tables(cls, divisions: pd.DataFrame, aliases: pd.DataFrame, false_friends: list[str]) -> Gazetteer:
        records = {}
        for row in divisions.itertuples(index=False):
            records[row.adcode] = Division(
                row.adcode, row.name, row.level, row.province, row.city or None, row.parent_adcode or None,
                float(row.lat) if pd.notna(row.lat) else None, float(row.lon) if pd.notna(row.lon) else None,
            )
        names: dict[str, list[tuple[str, str]]] = {}
        for division in records.values():
            names.setdefault(division.name, []).append((division.adcode, "full"))
        for row in aliases.itertuples(index=False):
            if row.adcode in records and row.alias != records[row.adcode].name:
                entry = names.setdefault(row.alias, [])
                if (row.adcode, "full") not in entry:
                    entry.append((row.adcode, row.kind))
        patterns = sorted(names)
        matcher = ahocorasick_rs.AhoCorasick(patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
        ff_matcher = ahocorasick_rs.AhoCorasick(false_friends) if false_friends else None
        by_name = {(d.level, d.name): d.adcode for d in records.values()}
        return cls(records, names, patterns, matcher, ff_matcher, by_name)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, name) of every leftmost-longest name or alias occurrence."""
        return [(start, end, self.patterns[i]) for i, start, end in self.matcher.find_matches_as_indexes(text)]

    def false_friend_spans(self, text: str) -> list[tuple[int, int]]:
        if self.false_friend_matcher is None:
            return []
        return [(s, e) for _, s, e in self.false_friend_matcher.find_matches_as_indexes(text, overlapping=True)]
