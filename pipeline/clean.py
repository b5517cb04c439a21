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


def normalize(text: str) -> str:
    """Normalise one line or a whole text without changing its line structure."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text.translate(_TRANSLATE))


def squeeze_ocr_spaces(line: str) -> str:
    """Drop spaces OCR put between Chinese characters ("天气转 暖" → "天气转暖") in body text."""
    return _SPACE_BETWEEN_CJK.sub("", line).strip()


@dataclass(frozen=True)
class LinePatterns:
    """Compiled line classes from boilerplate.yaml."""

    furniture: re.Pattern  # page headers, editor lines, breadcrumbs, copyright, site footers
    ad: re.Pattern  # advertising lines
    caption: re.Pattern  # photo captions and credits, image file names
    byline: re.Pattern  # reporter lines that end (or open) a story
    lead: re.Pattern  # the opening of a news story's first paragraph or its byline
    header_source: re.Pattern  # "来源: X" header lines: group `source`

    @classmethod
    def from_config(cls, config: dict[str, list[str]]) -> LinePatterns:
        def compile_any(key: str) -> re.Pattern:
            return re.compile("|".join(f"(?:{p})" for p in config[key]))

        return cls(**{key: compile_any(key) for key in cls.__dataclass_fields__})


def is_title_like(line: str, max_len: int = 40) -> bool:
    """A short line that does not end like a sentence: a title or a heading candidate."""
    stripped = line.strip()
    if not 3 <= len(stripped) <= max_len:
        return False
    if stripped[-1] in "。，,、；;：:" or stripped[0] in "，,、。；;：:”」』）)】" or stripped.endswith("……"):
        return False
    # A heading has few clauses; a broken sentence fragment usually has several.
    return len(_CLAUSE_PUNCT.findall(stripped)) <= 1


def should_join(previous: str, following: str) -> bool:
    """Whether `following` continues the sentence of `previous` (an OCR/layout line break).

    A paragraph that stops without sentence punctuation is continued by the next one, unless it
    looks like a heading: short (<= 24 characters) and without any clause punctuation, or a
    "——" subtitle without clause punctuation.
    """
    if not previous or not following or previous[-1] in SENTENCE_END:
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


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


_SENTENCE_SPLIT = re.compile(r"(?<=[。！？!?；;])")


def drop_repeated_fragments(paragraphs: list[str], min_len: int = 8, threshold: float = 0.6) -> list[str]:
    """Remove OCR repeats: a sentence that (nearly) repeats the end of the sentence before it,
    or a fragment that (nearly) repeats the start of the sentence after it.

    Newspaper OCR repeats text at column breaks, often garbled ("赢得了良好的口碑。" followed by
    "新主过程专项对按, 赢得了良好的口峰。"). The copy that ends like a sentence is kept.
    """
    sentences: list[list] = []  # [paragraph index, sentence]
    for index, paragraph in enumerate(paragraphs):
        sentences += [[index, s.strip()] for s in _SENTENCE_SPLIT.split(paragraph) if s.strip()]
    for i in range(1, len(sentences)):
        previous, current = sentences[i - 1][1], sentences[i][1]
        if min(len(previous), len(current)) < min_len:
            continue
        if len(current) <= len(previous) and _similar(current, previous[-len(current):]) >= threshold:
            if previous[-1] in SENTENCE_END or current[-1] not in SENTENCE_END:
                sentences[i][1] = ""
            else:  # the earlier copy is the garbled one
                sentences[i - 1][1] = previous[: -len(current)]
        elif len(previous) < len(current) and _similar(previous, current[: len(previous)]) >= threshold:
            if previous[-1] not in SENTENCE_END:
                sentences[i - 1][1] = ""
            else:
                sentences[i][1] = current[len(previous):]
    rebuilt: dict[int, str] = {}
    for index, sentence in sentences:
        rebuilt[index] = rebuilt.get(index, "") + sentence
    return [text for _, text in sorted(rebuilt.items()) if text.strip()]
