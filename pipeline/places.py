"""Places: every province / city / county an article mentions, disambiguated by context.

Matching is one Aho–Corasick pass over names and aliases (`pipeline.gazetteer`). A full official
name (长春市, 朝阳区) counts unless it sits inside a false friend (新华社, 长治久安); a short alias
(长春, 吉林, 通化) must also align with the segmenter's word boundaries, and a county's short alias
or a two-character full name (城区, 郊区) also needs its city or province elsewhere in the article.
Ambiguous names (朝阳区, 鼓楼区, 吉林, 通化) go to the candidate best supported by an explicit
parent right before the name, the article's unambiguous places, the page's other stories and the
publisher's home region.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import pandas as pd

from pipeline.gazetteer import Division, Gazetteer
from pipeline.schema import PLACES, Col
from pipeline.segment import Segmenter

TITLE_WEIGHT, LEAD_WEIGHT, LEAD_CHARS = 3.0, 2.0, 200
PRIMARY_SHARE = 0.45  # the primary city holds at least this share of the weighted city mentions
_AGENCY_DATELINE = re.compile(r"(新华社|中新社|人民网|央视网)(\S{2,5}?)\d{1,2}月\d{1,2}日电")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    name: str
    adcode: str
    role: str  # subject | noise


def _aligned(text: str, start: int, end: int, segmenter: Segmenter, pad: int = 6) -> bool:
    """Whether [start, end) starts and ends on word boundaries of the segmented neighbourhood."""
    lo, hi = max(0, start - pad), min(len(text), end + pad)
    bounds, at = {lo}, lo
    for token in segmenter.cut(text[lo:hi]):
        at += len(token)
        bounds.add(at)
    return start in bounds and end in bounds


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e and (s, e) != (start, end) for s, e in spans)


def find_mentions(text: str, gaz: Gazetteer, segmenter: Segmenter, context: Counter | None = None) -> list[Mention]:
    """All place mentions of a text, each resolved to one division.

    `context`: adcodes known around the article (publisher home, the page's other stories),
    used to break ties.
    """
    friends = gaz.false_friend_spans(text)
    raw = []
    for start, end, name in gaz.find(text):
        if _inside(friends, start, end):
            continue
        candidates = gaz.names[name]
        is_full = any(kind == "full" for _, kind in candidates)
        if not is_full or len(name) <= 2:
            if not _aligned(text, start, end, segmenter):
                continue
        raw.append((start, end, name, candidates, is_full))

    certain = Counter()
    for _, _, _, candidates, _ in raw:
        if len(candidates) == 1:
            division = gaz.divisions[candidates[0][0]]
            certain[division.province_code] += 1
            if division.city_code:
                certain[division.city_code] += 1
    context = context or Counter()

    mentions = []
    for start, end, name, candidates, is_full in raw:
        best = max(candidates, key=lambda c: _support(gaz, gaz.divisions[c[0]], c[1], text, start, certain, context))
        division = gaz.divisions[best[0]]
        needs_context = division.level == "county" and (best[1] != "full" or len(name) <= 2)
        if needs_context and not _confirmed(division, certain, context, text, start):
            continue
        mentions.append(Mention(start, end, name, division.adcode, _role(text, start)))
    return mentions


def _support(gaz: Gazetteer, division: Division, kind: str, text: str, start: int, certain: Counter, context: Counter) -> float:
    score = {"province": 0.5, "city": 0.3, "county": 0.0}[division.level] + (0.2 if kind == "full" else 0.0)
    before = text[max(0, start - 12): start]
    parents = [gaz.divisions.get(code) for code in (division.city_code, division.province_code) if code and code != division.adcode]
    if any(p and (before.endswith(p.name) or before.endswith(_short(p.name))) for p in parents):
        score += 10
    if division.city_code and division.level == "county":
        score += 3 * certain[division.city_code] + 1.5 * context[division.city_code]
    score += 2 * certain[division.province_code] + 1 * context[division.province_code]
    return score


def _short(name: str) -> str:
    return re.sub(r"(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)$", "", name)


def _confirmed(division: Division, certain: Counter, context: Counter, text: str, start: int) -> bool:
    before = text[max(0, start - 12): start]
    return bool(certain[division.city_code] or context[division.city_code] or certain[division.province_code] > 1
                or before.endswith(division.city or "@"))


def _role(text: str, start: int) -> str:
    dateline = _AGENCY_DATELINE.search(text[:80])
    if dateline and dateline.start(2) <= start < dateline.end(2):
        return "noise"  # 新华社北京2月18日电: where the agency filed, not where things happen
    return "subject"


def _row(article_id: str, division: Division, gaz: Gazetteer, role: str, mentions: int) -> dict:
    city = gaz.divisions.get(division.city_code) if division.city_code else None
    return {
        Col.article_id: article_id,
        Col.province: gaz.divisions[division.province_code].name if division.province_code in gaz.divisions else division.province,
        Col.city: city.name if city else None,
        Col.county: division.name if division.level == "county" else None,
        Col.adcode: division.adcode,
        Col.level: division.level,
        Col.role: role,
        Col.mentions: mentions,
        Col.is_primary: False,
        Col.lat: division.lat,
        Col.lon: division.lon,
    }


def article_places(article_id: str, title: str, text: str, gaz: Gazetteer, segmenter: Segmenter,
                   context: Counter | None = None, publisher_home: str | None = None) -> list[dict]:
    """Rows of the places table for one article; the primary place is marked."""
    full = f"{title}\n{text}" if title else text
    title_len = len(title) + 1 if title else 0
    mentions = find_mentions(full, gaz, segmenter, context)
    counts: Counter = Counter()
    weights: dict[str, float] = defaultdict(float)
    roles: dict[str, str] = {}
    for m in mentions:
        key = (m.adcode, m.role)
        counts[key] += 1
        if m.role == "subject":
            weights[m.adcode] += TITLE_WEIGHT if m.start < title_len else LEAD_WEIGHT if m.start < title_len + LEAD_CHARS else 1.0
    rows = [_row(article_id, gaz.divisions[code], gaz, role, n) for (code, role), n in counts.items()]
    if publisher_home and publisher_home in gaz.divisions and (publisher_home, "subject") not in counts:
        rows.append(_row(article_id, gaz.divisions[publisher_home], gaz, "publisher", 0))
    primary = _primary(weights, gaz)
    for row in rows:
        row[Col.is_primary] = row[Col.adcode] == primary and row[Col.role] == "subject"
    return rows


def _primary(weights: dict[str, float], gaz: Gazetteer) -> str | None:
    """The main place: the dominant city (the city row if named, else its most-named county);
    for a province-only article the dominant province; none for national or scattered articles."""
    by_city: dict[str, float] = defaultdict(float)
    by_province: dict[str, float] = defaultdict(float)
    for code, weight in weights.items():
        division = gaz.divisions[code]
        by_province[division.province_code] += weight
        if division.city_code:
            by_city[division.city_code] += weight
    if by_city:
        ranked = sorted(by_city.items(), key=lambda kv: -kv[1])
        top, weight = ranked[0]
        total = sum(by_city.values())
        if weight / total >= PRIMARY_SHARE and (len(ranked) == 1 or weight > ranked[1][1]):
            if top in weights:
                return top
            return max((c for c in weights if gaz.divisions[c].city_code == top), key=lambda c: weights[c])
        return None
    if by_province:
        ranked = sorted(by_province.items(), key=lambda kv: -kv[1])
        top, weight = ranked[0]
        if weight / sum(by_province.values()) >= PRIMARY_SHARE and top in weights:
            return top
    return None


def places_table(articles: pd.DataFrame, gaz: Gazetteer, segmenter: Segmenter, homes: dict[str, str]) -> pd.DataFrame:
    """The places table for all articles. `homes`: publisher → adcode of its home region.

    Context for ambiguous names: the publisher's home and the certain places of the other
    stories from the same file (an OCR page of a city paper is mostly about that city).
    """
    page_context: dict[str, Counter] = defaultdict(Counter)
    for row in articles.itertuples(index=False):
        for m in find_mentions(f"{row.title}\n{row.text}", gaz, segmenter):
            division = gaz.divisions[m.adcode]
            page_context[row.doc_path][division.province_code] += 1
            if division.city_code:
                page_context[row.doc_path][division.city_code] += 1
    out: list[dict] = []
    for row in articles.itertuples(index=False):
        home = homes.get(row.source) if row.source else None
        context = Counter(page_context[row.doc_path])
        if home:
            context[home] += 1
            context[home[:2] + "0000"] += 1
        out += article_places(row.article_id, row.title, row.text, gaz, segmenter, context, home)
    if not out:
        return PLACES.empty()
    return pd.DataFrame(out, columns=PLACES.columns)
