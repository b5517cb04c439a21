"""Numeric indicators: numbers with units and what they measure.

办理时限压缩82.3% → (82.3, %, 办理时限压缩); 面积5100余平方米 → (5100, 平方米, 面积);
投资12亿元 → (1.2e9, 元, 投资); 服务群众3万人次 → (30000, 人次, 服务群众); 3万名志愿者 → (30000, 名, 志愿者).

The units (resources/indicators.yaml) decide where the measured thing is written: before the
number for most units, after it for classifiers (个, 家, 名…). The measure is the clause's words
next to the number, cut at punctuation, other numbers and `MEASURE_CHARS`; before a number, dates
are passed over (县财政收入由2002年的1.1亿元 → 县财政收入); after a classifier, the words are cut by
part of speech (17名汉族知青曾来到 → 汉族知青), so this stage takes the segmenter.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

import pandas as pd

from pipeline.numerals import MULTIPLIERS, NUMBER, parse_number
from pipeline.schema import INDICATORS, Col
from pipeline.segment import Segmenter

MEASURE_CHARS = 12
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
_CLAUSE_BREAK = re.compile(r"[，,、：:（）()“”‘’\"'《》【】%％\s—…]|\d|[。！？!?；;]")
# A date before a number is when, not what, it measures: 2019年的, 3月底, 2020年1月至
_DATE = re.compile(r"(?:\d{4}年|\d{1,2}月|\d{1,2}日)+(?:底|末|初|中旬|上旬|下旬)?(?:至|到)?的?")
_MEASURE_STARTS_AFTER = frozenset("的把对将使在从较以于由")  # a measure starts after these: 较法定办结时限压缩 → 法定办结时限压缩
# parts of speech that end a counted noun: adverb, preposition, conjunction, particle, pronoun,
# numeral, classifier, locative, interjection, onomatopoeia, punctuation, unknown
_NOT_COUNTED = ("d", "p", "c", "u", "r", "m", "q", "f", "y", "e", "o", "w", "x")
_AFTER_STOP = frozenset("参实进开完已正在将被把对为和与及获受得是有的均都全从向到以")  # a predicate starts: the counted noun ended
_MULTIPLIER = "|".join(sorted(MULTIPLIERS, key=len, reverse=True))


class IndicatorRulesError(ValueError):
    """The indicator rules file is invalid."""


@dataclass
class IndicatorRules:
    measure_before: frozenset[str]
    measure_after: frozenset[str]
    trailing: tuple[str, ...]
    _pattern: re.Pattern = field(repr=False)

    @classmethod
    def from_config(cls, config: dict) -> IndicatorRules:
        if not isinstance(config, dict):
            raise IndicatorRulesError("the indicator rules file must be a mapping")
        before = [str(u) for u in config.get("measure_before") or []]
        after = [str(u) for u in config.get("measure_after") or []]
        if not before and not after:
            raise IndicatorRulesError("the indicator rules list no units")
        units = "|".join(re.escape(u) for u in sorted(set(before) | set(after), key=len, reverse=True))
        pattern = re.compile(rf"(?P<number>{NUMBER})(?P<multiplier>{_MULTIPLIER})?(?P<approx>余|多)?(?P<unit>{units})")
        trailing = tuple(sorted((str(w) for w in config.get("trailing") or []), key=len, reverse=True))
        return cls(frozenset(before), frozenset(after), trailing, pattern)


def _words_before(text: str, end: int, rules: IndicatorRules) -> str:
    """The words just before a number: its clause back to a break, with dates taken out (由2002年的
    1.1亿元 measures what precedes 由) and starting after the previous number with a unit."""
    window = _DATE.sub("", text[max(0, end - 3 * MEASURE_CHARS):end])
    previous = None
    for previous in rules._pattern.finditer(window):
        pass
    if previous is not None:
        window = window[previous.end():]
    start = len(window)
    while start > 0 and len(window) - start < MEASURE_CHARS and not _CLAUSE_BREAK.match(window[start - 1]):
        start -= 1
    words = window[start:]
    cut = max((i for i, ch in enumerate(words[:-1]) if ch in _MEASURE_STARTS_AFTER), default=-1)
    words = words[cut + 1:]
    stripped = True
    while stripped and words:
        stripped = False
        for word in rules.trailing:
            if words.endswith(word):
                words, stripped = words[: -len(word)], True
                break
    return words


def _words_after(text: str, start: int, segmenter: Segmenter) -> str:
    """The counted thing after a classifier (3万名志愿者 → 志愿者): the clause's next words up to a
    stop character, cut at the first adverb, preposition, conjunction or the like, and at a verb
    that no noun follows (17名汉族知青曾来到 → 汉族知青, 20名平民死亡 → 平民, but 1712名涉黑涉恶目标
    stays whole). A first verb stays: it opens the noun (55户散乱污企业) or is what is counted
    (2100次空袭)."""
    end = start
    while (end < len(text) and end - start < MEASURE_CHARS // 2 and not _CLAUSE_BREAK.match(text[end])
           and text[end] not in _AFTER_STOP):
        end += 1
    if end == start:
        return ""
    tagged = segmenter.tag(text[start:end])
    kept = []
    for i, (word, pos) in enumerate(tagged):
        verb = pos.startswith("v") and pos != "vn"
        noun_follows = any(later.startswith("n") for _, later in tagged[i + 1:])
        if pos.startswith(_NOT_COUNTED) or (i > 0 and (pos == "t" or (verb and not noun_follows))):
            break
        kept.append(word)
    return "".join(kept)


def find_indicators(text: str, rules: IndicatorRules, segmenter: Segmenter) -> list[tuple[float, str, str, str]]:
    """(value, unit, measure, sentence) for every number with a unit in one text, in order."""
    rows = []
    sentence_ends: list[int] | None = None  # found once per text, not once per number
    for match in rules._pattern.finditer(text):
        unit = match["unit"]
        # A digit glued on the left (the tail of a longer number or a code) is not this number's start.
        if match.start() and text[match.start() - 1].isdigit():
            continue
        try:
            value = parse_number(match["number"], match["multiplier"] or "")
        except ValueError:
            continue
        measure = _words_after(text, match.end(), segmenter) if unit in rules.measure_after else ""
        if not measure:
            measure = _words_before(text, match.start(), rules)
        if sentence_ends is None:
            sentence_ends = [m.end() for m in _SENTENCE_END.finditer(text)]
        before = bisect_right(sentence_ends, match.start())
        sentence_start = sentence_ends[before - 1] if before else 0
        end = _SENTENCE_END.search(text, match.end())
        sentence = text[sentence_start:end.end() if end else len(text)].strip()
        rows.append((value, unit, measure, sentence))
    return rows


def indicators_table(articles: pd.DataFrame, rules: IndicatorRules, segmenter: Segmenter) -> pd.DataFrame:
    """The indicators stage: one row per number with a unit in each article's text."""
    rows = [
        {Col.article_id: a.article_id, Col.value: value, Col.unit: unit, Col.measure: measure, Col.sentence: sentence}
        for a in articles.itertuples(index=False)
        for value, unit, measure, sentence in find_indicators(a.text, rules, segmenter)
    ]
    return pd.DataFrame(rows, columns=INDICATORS.columns) if rows else INDICATORS.empty()
