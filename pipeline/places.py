"""Places: every province / city / county an article mentions, disambiguated by context, with the
role each plays and the article's primary place. See docs/places.md.

Recognition (`Gazetteer.find`) gives every hit with the divisions it may denote. Resolution
picks one per hit, in this order of evidence:
1. an explicit parent right before the name (长春市朝阳区, 吉林通化, 北京朝阳) fixes both, and
   votes for the name's other hits (one sense per name and article);
2. the article's other subject places: a candidate gains from other names inside it, in its city
   and in its province;
3. the page's other stories and the publisher's home region;
4. a prior: the larger unit (吉林 → 吉林省, 通化 → 通化市), a current name, then a
   municipality's district (朝阳区 → 北京市), then a provincial capital's.
A weak candidate (a county's short name, a name that is also a common word) counts only with
support at city level from 1–3. Evidence is gathered twice, the second time from the first
round's choices.

Roles (one per mention, decided by the text around it before resolution):
- `noise`: datelines (新华社北京…电), bylines and author notes, site footers (发布于:上思县);
  except that an author who is a local official (作者为四川省巴中市巴州区委书记) writes about
  their own area, which is a subject and weighs like the title for the primary place;
- `publisher`: inside a media outlet's name (吉林日报, 中国吉林网), and the publisher's home row;
- `passing`: where people come from or go, models and comparisons, speakers' affiliations,
  organisations named after a city, the capital as a venue, classes of places, routes; and, once
  the primary place is known, another city a local article names only once in its body;
- `subject`: the rest. Only subject mentions are evidence for other names and count in charts.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import pandas as pd

from pipeline.gazetteer import LEVEL_RANK, Candidate, Division, Gazetteer, Hit
from pipeline.schema import PLACES, Col
from pipeline.segment import Segmenter

TITLE_WEIGHT, LEAD_WEIGHT, LEAD_CHARS = 3.0, 2.0, 200
PRIMARY_SHARE = 0.6  # the primary city holds at least this share of the weighted city mentions
PRIMARY_MIN_WEIGHT = 3.0  # and at least this weight: named in the title, or several times
PAGE_SHARE = 0.25  # a city or province that is this share of a page's other stories is context
ROLE_ORDER = ("subject", "passing", "publisher", "noise")  # a place's row takes its first role

_NOISE = re.compile("|".join((
    # datelines: 新华社北京2月18日电, 本报长春3月12日讯, 本报记者北京5月18日电
    r"(?:新华社|中新社|本报|人民网|央视网|新华网|中新网)(?:记者)?[^\s，,。；：:\d（(]{2,20}?\d{1,2}月\d{1,2}日(?:电|讯)",
    # bylines and author notes: （记者 …）, （作者为…）, 作者单位：…
    r"[（(]\s*(?:本报)?(?:记者|通讯员|作者|编者)[^）)\n]{0,80}[）)]",
    r"(?:作者单位|作者简介|发布于|IP属地|责任编辑|编辑|来源)\s*[:：][^\n]{0,40}",
)))
# An author note naming a local office: the author writes about their own area.
_AUTHOR_OFFICIAL = re.compile(r"[（(]作者(?:为|系|是)[^）)\n]{0,60}?(?:[省市区县州旗盟]委(?:副书记|书记|常委)|[市区县州旗盟]长)[^）)\n]{0,40}[）)]")
# A name followed by one of these is part of a media outlet's name: 吉林日报, 中国吉林网, 长春广播电视台,
# 本报重庆分社 (a bureau).
_MEDIA = re.compile(r"(?:日报|晚报|都市报|商报|广播电视台|电视台|融媒体中心|新闻网|卫视|分社|网(?![格点络店购民友红]))")
# Places named in passing. Per item (a place, or adjacent places: 湖北武汉), by the text just
# before and after it:
_PASSING_ITEM = (
    # where people come from: 来自北京的, 从武汉返回, 老家安徽亳州, 湖北籍
    (re.compile(r"(?:来自|从|自|离开|老家|家乡)$"), None),
    (None, re.compile(r"籍")),
    # where people or goods go: 去北京, 奔赴武汉, 开往广东东莞的列车; where people work: 在北京打工
    (re.compile(r"(?:(?<![过失上下进出回])去|前往|赶往|奔赴|驰援|开往|驶往|飞往|运往|发往)$"), None),
    (re.compile(r"(?:到|赴|在)$"), re.compile(r"[^，。；！？\n]{0,10}?(?:打工|务工)")),
    # where a person's family lives: 在北京的闺女; a way somewhere: 往深圳去
    (re.compile(r"在$"), re.compile(r"的(?:闺女|女儿|儿子|孩子|儿女|子女|家人|亲人|父母|老伴|爱人)")),
    (re.compile(r"往$"), re.compile(r"去")),
    # a person's past or other workplace: 在昆明工作的他, 辞掉上海工作
    (re.compile(r"在$"), re.compile(r"(?:工作|打工|上学|读书|求学)(?:的|时|期间)")),
    (re.compile(r"(?:辞掉|辞去|放弃)$"), re.compile(r"[^，。；！？\n]{0,4}?工作")),
    # models and comparisons: 学习杭州, 接轨上海, 赴宁波考察学习
    (re.compile(r"(?:学习|对标|接轨|借鉴)$"), None),
    (None, re.compile(r"(?:考察学习|学习考察|取经)")),
    # the people or a campaign of a place, not a place of action: 武汉人民, 武汉保卫战
    (None, re.compile(r"(?:人民|保卫战)")),
    # national and international events named after their host: 北京冬奥会, 上海进博会
    (None, re.compile(r"(?:冬奥会|冬残奥会|奥运会|残奥会|亚运会|世博会|进博会|服贸会|广交会|园博会)")),
    # a chamber or a law firm named after its home: 深圳市江西商会, 北京盈科律师事务所
    (None, re.compile(r"[^，。；、！？\s]{0,12}?(?:律师事务所|商会|行业协会)")),
    # a speaker's affiliation: 全国人大代表、山东省曹县…书记, 江苏省淮安市委书记蔡丽新代表
    (re.compile(r"(?:代表|委员)、[^，。；\n]{0,6}$"), None),
    (None, re.compile(r"[^，。；！？\n]{0,14}?(?:代表|委员)(?:说|认为|表示|建议|介绍|告诉|：|\n|$)")),
)
# The rules on one side only, each side's joined in one pattern (a place is tested against them
# all: one search instead of one per rule).
_PASSING_BEFORE = re.compile("|".join(f"(?:{b.pattern})" for b, a in _PASSING_ITEM if a is None))
_PASSING_AFTER = re.compile("|".join(f"(?:{a.pattern})" for b, a in _PASSING_ITEM if b is None))
_PASSING_BOTH = [(b, a) for b, a in _PASSING_ITEM if a is not None and b is not None]
# The venue of national events: any place of a leader's meeting (李强在上海会见…), and the capital
# for meetings, sessions and inspections too (在北京召开, 在北京参加全国两会, 在北京市调研).
_CAPITAL = "110000"
_VENUE = re.compile(r"[^，。；！？\n]{0,10}?(?:会见|会谈|出席|主持)")
_CAPITAL_VENUE = re.compile(r"[^，。；！？\n]{0,10}?(?:召开|举行|开幕|闭幕|拉开帷幕|参加|调研|考察|视察|人民大会堂)")
# Per enumeration (A、B和C): a class of places rather than places of action (北京、上海等一线城市,
# 北京等重点省份), routes (赣州至深圳, 广州经茂名) and travel times (到北京、上海仅需3小时). An
# enumeration that does something (苏州、盐城等地相继出台…) names subjects. A place the story
# also names otherwise stays a subject.
_LIST_GAP = {"、", "和", "及", "与", "以及"}
_ROUTE_GAP = {"至", "经", "到", "—", "-"}
_LIST_END = re.compile(r"等[^，。；、地]{0,4}?(?:城市|省份|省区|省市|地区)")
_TRAVEL = (re.compile(r"到$"), re.compile(r"(?:仅|只|约)?需"))


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    name: str
    adcode: str
    role: str  # subject | passing | publisher | noise
    by_author: bool = False  # named in the author's official title (weighs like the title)


def find_mentions(text: str, gaz: Gazetteer, segmenter: Segmenter, context: Counter | None = None) -> list[Mention]:
    """All place mentions of a text, each resolved to one division. `context`: adcodes of cities
    and provinces known around the article (the publisher's home, the page's other stories)."""
    return resolve(text, gaz.find(text, segmenter), gaz, context or Counter())


def prepare(text: str, hits: list[Hit], gaz: Gazetteer) -> tuple[list[str], set[int], dict[int, str], set[int]]:
    """What resolution finds in the text alone, whatever the context: the roles, the hits in an
    author's title, the hits fixed by an explicit parent and the inner names."""
    roles, by_author = _roles(text, hits)
    fixed = _explicit_parents(hits, gaz)
    return roles, by_author, fixed, _inner_names(hits, fixed, gaz)


def resolve(text: str, hits: list[Hit], gaz: Gazetteer, context: Counter,
            prepared: tuple[list[str], set[int], dict[int, str], set[int]] | None = None) -> list[Mention]:
    """One division and a role per hit; hits whose candidates are all weak and unsupported drop out.
    `prepared`: `prepare(text, hits, gaz)`, when the same hits are resolved in several contexts."""
    roles, by_author, fixed, inner = prepared or prepare(text, hits, gaz)
    votes = Counter((hits[i].name, code) for i, code in fixed.items())
    chosen = dict(fixed)
    chosen.update((i, h.candidates[0].adcode) for i, h in enumerate(hits)
                  if i not in fixed and i not in inner and len(h.candidates) == 1 and not h.candidates[0].weak)
    for _ in range(2):  # the first round's choices are the second round's evidence
        evidence = _Evidence([(hits[i].name, gaz.divisions[code]) for i, code in chosen.items() if roles[i] == "subject"])
        best: dict[str, str | None] = {}
        chosen = dict(fixed)
        for i, hit in enumerate(hits):
            if i not in fixed and i not in inner:
                if hit.name not in best:
                    best[hit.name] = _choose(hit, gaz, evidence, votes, context)
                if best[hit.name]:
                    chosen[i] = best[hit.name]
    return [Mention(hits[i].start, hits[i].end, hits[i].name, code, roles[i], i in by_author)
            for i, code in sorted(chosen.items())]


def _explicit_parents(hits: list[Hit], gaz: Gazetteer) -> dict[int, str]:
    """Hits fixed by an adjacent parent: 长春市|朝阳区, 吉林|通化, 北京|朝阳 (both sides fixed)."""
    fixed: dict[int, str] = {}
    for i in range(1, len(hits)):
        before, hit = hits[i - 1], hits[i]
        if before.end != hit.start:
            continue
        parents = [c for c in before.candidates if i - 1 not in fixed or c.adcode == fixed[i - 1]]
        pairs = [(p, c) for p in parents for c in hit.candidates
                 if p.adcode != c.adcode and gaz.divisions[c.adcode].within(gaz.divisions[p.adcode])]
        if pairs:
            parent, child = max(pairs, key=lambda pc: (_prior(gaz, pc[1]), _prior(gaz, pc[0]), pc[1].adcode))
            fixed[i - 1], fixed[i] = parent.adcode, child.adcode
    return fixed


def _inner_names(hits: list[Hit], fixed: dict[int, str], gaz: Gazetteer) -> set[int]:
    """Short names right after an official city or county name that is not their parent: they
    name a smaller place inside it (沅江市长春垸, 公主岭市河北街道), not the division."""
    inner = set()
    for i in range(1, len(hits)):
        before, hit = hits[i - 1], hits[i]
        if before.end == hit.start and i not in fixed and all(c.kind != "full" for c in hit.candidates) \
                and any(c.kind == "full" and gaz.divisions[c.adcode].level != "province" for c in before.candidates):
            inner.add(i)
    return inner


class _Evidence:
    """Counts of the anchored places inside each division, its city and its province, overall and
    per name (a name is not evidence for itself)."""

    def __init__(self, anchors: list[tuple[str, Division]]):
        self.total: Counter = Counter()
        self.by_name: dict[str, Counter] = defaultdict(Counter)
        for name, d in anchors:
            keys = {("code", d.adcode), ("province", d.province_code)}
            if d.city_code:
                keys.add(("city", d.city_code))
            for key in keys:
                self.total[key] += 1
                self.by_name[name][key] += 1

    def count(self, key: tuple[str, str | None], excluding: str) -> int:
        return self.total[key] - self.by_name[excluding][key] if key[1] else 0


def _choose(hit: Hit, gaz: Gazetteer, evidence: _Evidence, votes: Counter, context: Counter) -> str | None:
    """The best-supported candidate of a name (see the module docstring), or None when every
    candidate is weak and unsupported."""
    scored = []
    for candidate in hit.candidates:
        d = gaz.divisions[candidate.adcode]
        own = evidence.count(_own_key(d), hit.name)
        city = evidence.count(("city", d.city_code), hit.name)
        province = evidence.count(("province", d.province_code), hit.name)
        vote = votes[(hit.name, d.adcode)]
        near = bool(d.city_code and context[d.city_code])
        if candidate.weak and not (vote or city or near):
            continue
        score = (100 * vote + 3 * own + 2 * city + province + 1.5 * near
                 + 0.5 * bool(context[d.province_code]) + _prior(gaz, candidate))
        scored.append((score, -LEVEL_RANK[d.level], d.adcode))
    return max(scored)[2] if scored else None


def _own_key(d: Division) -> tuple[str, str]:
    """The evidence key of the places inside `d`: a city's (or municipality's) places, a
    province's, or a county's own mentions."""
    if d.city_code == d.adcode:
        return ("city", d.adcode)
    return ("province", d.adcode) if d.level == "province" else ("code", d.adcode)


def _prior(gaz: Gazetteer, candidate: Candidate) -> float:
    """Without evidence: the larger unit, a current official name, a municipality's or a capital's
    district."""
    d = gaz.divisions[candidate.adcode]
    prior = {"province": 0.6, "city": 0.4, "county": 0.0}[d.level] + {"full": 0.2, "former": -0.2}.get(candidate.kind, 0.0)
    if d.level == "county" and d.parent:
        prior += 0.3 if d.parent == d.province_code else 0.1 if d.parent[2:] == "0100" else 0.0
    return prior


def _roles(text: str, hits: list[Hit]) -> tuple[list[str], set[int]]:
    """The role of each hit, and the hits in an author's official title."""
    noise = [m.span() for m in _NOISE.finditer(text)]
    official = [m.span() for m in _AUTHOR_OFFICIAL.finditer(text)]
    by_author = {i for i, h in enumerate(hits) if any(s <= h.start and h.end <= e for s, e in official)}
    roles = []
    for i, hit in enumerate(hits):
        if _MEDIA.match(text, hit.end):
            roles.append("publisher")
        elif i not in by_author and any(s <= hit.start and hit.end <= e for s, e in noise):
            roles.append("noise")
        else:
            roles.append("subject")
    passing = _passing(text, hits)
    return [("passing" if role == "subject" and i in passing else role) for i, role in enumerate(roles)], by_author


def _passing(text: str, hits: list[Hit]) -> set[int]:
    """The hits named in passing (see _PASSING_ITEM and the enumeration rules). Adjacent hits
    (湖北武汉) form one item; items joined by 、/和/及/与 form an enumeration."""
    items: list[list[int]] = []
    for i, hit in enumerate(hits):
        if items and hits[items[-1][-1]].end == hit.start:
            items[-1].append(i)
        else:
            items.append([i])
    groups: list[list[list[int]]] = []
    out = set()
    for item in items:
        gap = text[hits[groups[-1][-1][-1]].end:hits[item[0]].start] if groups else None
        if gap in _LIST_GAP:
            groups[-1].append(item)
            continue
        if gap in _ROUTE_GAP:  # 赣州至深圳: both ends of a route
            out.update(groups[-1][-1] + item)
        groups.append([item])
    for group in groups:
        start, end = hits[group[0][0]].start, hits[group[-1][-1]].end
        listed = bool(_LIST_END.match(text, end)) or bool(
            _TRAVEL[0].search(text, max(0, start - 1), start) and _TRAVEL[1].match(text, end))
        # a rule met by the whole enumeration holds for each place in it: 从上海、重庆、西安飞赴,
        # 打赢武汉和湖北保卫战
        listed = listed or _passing_item(text, start, end)
        for item in group:
            first, last = hits[item[0]], hits[item[-1]]
            venue = text[max(0, first.start - 1):first.start] == "在" and (_VENUE.match(text, last.end) or (
                any(c.adcode == _CAPITAL for c in last.candidates) and _CAPITAL_VENUE.match(text, last.end)))
            if listed or venue or _passing_item(text, first.start, last.end):
                out.update(item)
    return out


def _passing_item(text: str, start: int, end: int) -> bool:
    """Whether the place(s) at text[start:end] meet one of the _PASSING_ITEM rules."""
    before = text[max(0, start - 10):start]
    return bool(_PASSING_BEFORE.search(before) or _PASSING_AFTER.match(text, end)) or any(
        b.search(before) and a.match(text, end) for b, a in _PASSING_BOTH)


def article_places(article_id: str, mentions: list[Mention], body_start: int, gaz: Gazetteer,
                   publisher_home: str | None = None) -> list[dict]:
    """Rows of the places table for one article's resolved mentions (of `title + "\\n" + text`;
    `body_start` is where `text` begins). One row per place, with its strongest role."""
    by_place: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        by_place[m.adcode].append(m)
    rows = {}
    for code, found in by_place.items():
        role = min((m.role for m in found), key=ROLE_ORDER.index)
        mine = [m for m in found if m.role == role]
        rows[code] = _row(article_id, gaz.divisions[code], gaz, role, len(mine),
                          [m.start - body_start for m in mine if m.start >= body_start])
    for code, row in rows.items():  # a county mention also counts for its city
        division = gaz.divisions[code]
        if division.level == "county" and division.city_code in rows and rows[division.city_code][Col.role] == row[Col.role]:
            rows[division.city_code][Col.mentions] += row[Col.mentions]
    if publisher_home and publisher_home in gaz.divisions and publisher_home not in rows:
        rows[publisher_home] = _row(article_id, gaz.divisions[publisher_home], gaz, "publisher", 0, [])
    subject = [m for m in mentions if m.role == "subject"]
    primary = _primary(subject, body_start, gaz)
    if primary:
        rows[primary][Col.is_primary] = True
        for code in _strays(subject, primary, body_start, gaz):
            rows[code][Col.role] = "passing"
    return list(rows.values())


def _strays(subject: list[Mention], primary: str, body_start: int, gaz: Gazetteer) -> list[str]:
    """The places of the other cities a local article names only once, in its body: a city people
    travel to or come from, a comparison, a speaker's workplace (分别赴上海、深圳, 北京地坛医院, 这个段子
    说的是杭州). In an article about one city, where its initiatives happen, such a city is named
    in passing."""
    home = gaz.divisions[primary]
    if home.level == "province":
        return []
    cities = [gaz.divisions[m.adcode].city_code for m in subject]
    strays = {city for city, n in Counter(cities).items() if n == 1 and city and city != home.city_code}
    strays -= {city for m, city in zip(subject, cities) if m.start < body_start}
    return [m.adcode for m, city in zip(subject, cities) if city in strays]


def _row(article_id: str, division: Division, gaz: Gazetteer, role: str, mentions: int, positions: list[int]) -> dict:
    city = gaz.divisions.get(division.city_code) if division.city_code else None
    return {
        Col.article_id: article_id,
        Col.province: gaz.divisions[division.province_code].name,
        Col.city: city.name if city else None,
        Col.county: division.name if division.level == "county" else None,
        Col.adcode: division.adcode,
        Col.level: division.level,
        Col.role: role,
        Col.mentions: mentions,
        Col.positions: positions,
        Col.is_primary: False,
        Col.lat: division.lat,
        Col.lon: division.lon,
    }


def _primary(subject: list[Mention], body_start: int, gaz: Gazetteer) -> str | None:
    """The main place, or None for national, placeless or scattered articles:
    1. a city named in the title or the author's official title (the most-named one if several);
    2. else a province named in the title: a province-level story;
    3. else the dominant city: named in the lead, with at least PRIMARY_SHARE of the weighted city
       mentions and a weight of PRIMARY_MIN_WEIGHT;
    4. else the province that holds all the places, when it is itself named.
    A city is represented by its own row when it is named, else by its most-named county."""
    weights: dict[str, float] = defaultdict(float)
    for m in subject:
        weights[m.adcode] += TITLE_WEIGHT if m.start < body_start else LEAD_WEIGHT if m.start < body_start + LEAD_CHARS else 1.0
    by_city: dict[str, float] = defaultdict(float)
    for code, weight in weights.items():
        if gaz.divisions[code].city_code:
            by_city[gaz.divisions[code].city_code] += weight
    in_title = [gaz.divisions[m.adcode] for m in subject if m.start < body_start or m.by_author]
    in_lead = {gaz.divisions[m.adcode].city_code for m in subject if m.start < body_start + LEAD_CHARS}
    title_cities = {d.city_code for d in in_title if d.city_code}
    if title_cities:
        return _city_row(max(sorted(title_cities), key=by_city.__getitem__), weights, gaz)
    title_provinces = {d.adcode for d in in_title}
    if title_provinces:
        return max(sorted(title_provinces), key=weights.__getitem__)
    if by_city:
        ranked = sorted(by_city.items(), key=lambda kv: (-kv[1], kv[0]))
        top, weight = ranked[0]
        if top in in_lead and weight >= PRIMARY_MIN_WEIGHT and weight / sum(by_city.values()) >= PRIMARY_SHARE:
            return _city_row(top, weights, gaz)
        return None
    provinces = {gaz.divisions[code].province_code for code in weights}
    if len(provinces) == 1 and (province := provinces.pop()) in weights:
        return province
    return None


def _city_row(city: str, weights: dict[str, float], gaz: Gazetteer) -> str:
    if city in weights:
        return city
    return max(sorted(c for c in weights if gaz.divisions[c].city_code == city), key=weights.__getitem__)


def places_table(articles: pd.DataFrame, gaz: Gazetteer, segmenter: Segmenter, homes: dict[str, str]) -> pd.DataFrame:
    """The places table for all articles. `homes`: publisher → adcode of its home region.

    Recognition runs once per article; resolution runs twice, the second time with the context
    of the page (the other stories from the same file: an OCR page of a city paper is mostly
    about that city) and of the publisher's home.
    """
    texts = [f"{row.title}\n{row.text}" if row.title else row.text for row in articles.itertuples(index=False)]
    hits = [gaz.find(text, segmenter) for text in texts]
    prepared = [prepare(text, found, gaz) for text, found in zip(texts, hits, strict=True)]
    alone = [resolve(text, found, gaz, Counter(), ready) for text, found, ready in zip(texts, hits, prepared, strict=True)]
    per_story = [_places_counter(mentions, gaz) for mentions in alone]
    per_page: dict[str, Counter] = defaultdict(Counter)
    for doc_path, counts in zip(articles[Col.doc_path], per_story, strict=True):
        per_page[doc_path] += counts
    out: list[dict] = []
    for row, text, found, ready, counts in zip(articles.itertuples(index=False), texts, hits, prepared, per_story, strict=True):
        home = homes.get(row.source) if isinstance(row.source, str) else None
        context = _salient(per_page[row.doc_path] - counts)
        if home and home in gaz.divisions:
            context.update(k for k in (gaz.divisions[home].city_code, home[:2] + "0000") if k)
        body_start = len(row.title) + 1 if row.title else 0
        out += article_places(row.article_id, resolve(text, found, gaz, context, ready), body_start, gaz, home)
    if not out:
        return PLACES.empty()
    return pd.DataFrame(out, columns=PLACES.columns)


def _places_counter(mentions: list[Mention], gaz: Gazetteer) -> Counter:
    """Subject mentions per city and per province code."""
    counts: Counter = Counter()
    for m in mentions:
        if m.role == "subject":
            division = gaz.divisions[m.adcode]
            if division.city_code:
                counts[("city", division.city_code)] += 1
            counts[("province", division.province_code)] += 1
    return counts


def _salient(counts: Counter) -> Counter:
    """The cities and provinces that hold at least PAGE_SHARE of their level's mentions, by adcode."""
    out: Counter = Counter()
    for level in ("city", "province"):
        total = sum(n for (lv, _), n in counts.items() if lv == level)
        out.update({code: 1 for (lv, code), n in counts.items() if lv == level and n and n >= PAGE_SHARE * total})
    return out
