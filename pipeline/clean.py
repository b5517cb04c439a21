"""Text cleaning: Unicode normalisation, line classes, OCR line joining, repeated fragments.

Pure functions over strings. The patterns for page furniture, boilerplate and ads live in
`pipeline/resources/boilerplate.yaml` and reach these functions as a compiled `LinePatterns`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

# Full-width ASCII letters and digits become ASCII; odd spaces become a plain space; invisible
# format characters (zero-width, bidi controls, BOM) are dropped. CJK punctuation stays as is.
_TRANSLATE = {cp: cp - 0xFEE0 for cp in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}
_TRANSLATE.update({cp: " " for cp in (0x00A0, 0x2002, 0x2003, 0x2009, 0x200A, 0x202F, 0x205F, 0x3000, 0x2007, 0x2008)})
_TRANSLATE.update({cp: None for cp in (0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0xFEFF, 0x2060, 0x00AD,
                                       *range(0x202A, 0x202F), *range(0x2066, 0x206A))})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}，。、；：“”‘’（）《》！？])[ \t]+(?=[{_CJK}，。、；：“”‘’（）《》！？0-9])")

SENTENCE_END = "。！？!?；;…”\"」』）)】"
_CLAUSE_PUNCT = re.compile(r"[，,、。；;：:]")


_TO_TRANSLATE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in _TRANSLATE) + "]")
_TRANSLATED = {chr(cp): chr(to) if isinstance(to, int) else to or "" for cp, to in _TRANSLATE.items()}


def _translated(match: re.Match) -> str:
    return _TRANSLATED[match.group()]


def normalize(text: str) -> str:
    """Normalise one line or a whole text without changing its line structure."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # A line holds few such characters (an indent of two ideographic spaces): replacing the
    # matches is 5x faster than str.translate's per-character pass.
    return _CONTROL.sub("", _TO_TRANSLATE.sub(_translated, text))


def header_lines(text: str, limit: int = 40) -> list[str]:
    """The lines above the first sentence of prose (a line of 20+ characters ending with a full
    stop, before any closing quote; a title may end with a quote): where a page states its date
    and source. A date signing a letter or a decree below the prose is not the publication date."""
    head = []
    for line in text.split("\n", limit)[:limit]:
        stripped = normalize(line).strip()
        if len(stripped) >= 20 and stripped.rstrip("”」』\"’)）")[-1:] in "。！？!?…；;":
            break
        head.append(stripped)
    return head


def squeeze_ocr_spaces(line: str) -> str:
    """Drop spaces OCR put between Chinese characters ("天气转 暖" → "天气转暖") in body text."""
    return _SPACE_BETWEEN_CJK.sub("", line).strip()


@dataclass(frozen=True)
class LinePatterns:
    """Compiled line classes from boilerplate.yaml."""

    furniture: AnyOf  # page headers, editor lines, breadcrumbs, copyright, site footers
    ad: AnyOf  # advertising lines
    caption: AnyOf  # photo captions and credits, image file names
    byline: AnyOf  # reporter lines that end (or open) a story
    lead: AnyOf  # the opening of a news story's first paragraph or its byline
    header_source: AnyOf  # "来源: X" header lines: group `source`

    @classmethod
    def from_config(cls, config: dict[str, list[str]]) -> LinePatterns:
        return cls(**{key: AnyOf(config[key]) for key in cls.__dataclass_fields__})


class AnyOf:
    """A list of regular expressions searched as one (`re.search` of their alternation), but
    those anchored at the start (`^…`) are tried at the start only: a search of the whole
    alternation tries every branch at every position of a line, 2.5x slower on news text."""

    def __init__(self, patterns: list[str]) -> None:
        anchored = [p for p in patterns if _anchored(p)]
        floating = [p for p in patterns if not _anchored(p)]
        self.anchored = re.compile("|".join(f"(?:{p})" for p in anchored)) if anchored else None
        self.floating = re.compile("|".join(f"(?:{p})" for p in floating)) if floating else None

    def search(self, text: str) -> re.Match | None:
        return (self.anchored and self.anchored.match(text)) or (self.floating and self.floating.search(text)) or None


def _anchored(pattern: str) -> bool:
    """Whether every top-level alternative of a pattern starts with `^` (and no flag makes `^`
    match after line breaks); when unsure, False, which is always correct."""
    if re.search(r"\(\?[a-zA-Z-]*m", pattern):
        return False
    branches, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 1
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            i += 1 + (pattern[i + 1:i + 2] == "^")
            i += pattern[i:i + 1] == "]"  # a "]" right after "[" or "[^" is a literal
            continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
        i += 1
    branches.append(pattern[start:])
    return depth == 0 and all(branch.startswith("^") for branch in branches)


def is_title_like(line: str, max_len: int = 40) -> bool:
    """A short line that does not end like a sentence: a title or a heading candidate."""
    stripped = line.strip()
    if not 3 <= len(stripped) <= max_len:
        return False
    if stripped[-1] in "。，,、；;：:" or stripped[0] in "，,、。；;：:”」』）)】" or stripped.endswith("……"):
        return False
    # A heading has few clauses; a broken sentence fragment usually has several.
    return len(_CLAUSE_PUNCT.findall(stripped)) <= 1


_LIST_ITEM = re.compile(r"[-*•·]\s|\d{1,2}[.、](?!\d)|[(（]\d{1,2}[)）]")


def should_join(previous: str, following: str) -> bool:
    """Whether `following` continues the sentence of `previous` (an OCR/layout line break).

    A paragraph that stops without sentence punctuation is continued by the next one, unless it
    looks like a heading: short (<= 24 characters) and without any clause punctuation, or a
    "——" subtitle without clause punctuation; a list item ("- 2.吉林市…") starts afresh.
    """
    if not previous or not following or previous[-1] in SENTENCE_END or _LIST_ITEM.match(following):
        return False
    has_clause = bool(_CLAUSE_PUNCT.search(previous))
    if previous[0] == "—" and not has_clause:
        return False  # a subtitle ("——长春经开区……综述")
    return len(previous) > 24 or has_clause


def join_broken_lines(paragraphs: list[str]) -> list[str]:
    """Join paragraphs that a layout or OCR break cut inside a sentence."""
    out: list[str] = []
    for paragraph in paragraphs:
        if out and should_join(out[-1], paragraph):
            out[-1] += paragraph
        else:
            out.append(paragraph)
    return out


MAX_FRAGMENT_CHARS = 600


def _repeats(copy: str, original: str, threshold: float, min_run: int = 6) -> bool:
    """Whether `copy` is a (possibly garbled) repeat of `original`: similar overall, and sharing
    a run of `min_run` characters (short sentences of clean prose are often loosely similar).
    OCR repeats are a column line or two: longer "sentences" (a paragraph without punctuation)
    are not compared, which also keeps the quadratic matcher off unbounded text."""
    if max(len(copy), len(original)) > MAX_FRAGMENT_CHARS:
        return False
    matcher = SequenceMatcher(None, copy, original, autojunk=False)
    if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold or matcher.ratio() < threshold:
        return False
    return max(block.size for block in matcher.get_matching_blocks()) >= min_run


def _tail_start(text: str, copy: str) -> int:
    """Where the (possibly garbled) copy of `copy` starts at the end of `text`, by aligning the
    first run of characters they share."""
    window = len(copy) + 4
    tail = text[-window:]
    matcher = SequenceMatcher(None, tail, copy, autojunk=False)
    block = next((m for m in matcher.get_matching_blocks() if m.size >= 2), None)
    offset = len(text) - len(tail)
    return offset + max(0, block.a - block.b) if block else len(text) - len(copy)


_SENTENCE_SPLIT = re.compile(r"(?<=[。！？!?；;])")


def _sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE_SPLIT.split(paragraph) if s.strip()]


def drop_repeated_fragments(paragraphs: list[str], min_len: int = 8, threshold: float = 0.6) -> list[str]:
    """Remove OCR repeats at column breaks, where a paragraph ends and the next one starts:
    the next paragraph opening with a (nearly) repeated copy of the end of the previous one
    ("…赢得了良好的口碑。" / "新主过程专项对按, 赢得了良好的口峰。 结合…"), or a paragraph
    ending in an unfinished fragment that the next one repeats in full.

    The copy that ends like a sentence is kept. Only paragraph boundaries are compared and a
    heading is never taken for a fragment, so the parallel sentences of clean prose
    ("中国要强，农业必须强；中国要美，农村必须美") stay.
    """
    out = [p.strip() for p in paragraphs]
    for i in range(1, len(out)):
        before, after = _sentences(out[i - 1]), _sentences(out[i])
        if not before or not after:
            continue
        previous, current = before[-1].strip(), after[0].strip()
        if min(len(previous), len(current)) < min_len:
            continue
        if len(current) <= len(previous) and _repeats(current, previous[-len(current):], threshold):
            start = _tail_start(previous, current)
            if start == 0 or previous[start - 1] in SENTENCE_END + "，,、：:":
                continue  # a whole clause that recurs: the parallel phrasing of clean prose, not a torn copy
            if previous[-1] in SENTENCE_END or current[-1] not in SENTENCE_END:
                out[i] = "".join(after[1:]).strip()  # the later copy goes
            else:  # the earlier copy is the garbled one
                cut = len(out[i - 1]) - len(previous) + start
                out[i - 1] = out[i - 1][:cut].rstrip()
        elif len(before) > 1 and previous[-1] not in SENTENCE_END and _repeats(previous, current[: len(previous)], threshold):
            out[i - 1] = "".join(before[:-1]).strip()  # an unfinished fragment, repeated in full next
    return [p for p in out if p]
