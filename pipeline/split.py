"""Splitting a page into stories: one newspaper page or digest page → one story per article.

A story starts at a title-like line that is (a) the first content of the page, (b) right after a
byline or an ad (the previous story ended), (c) followed within a few lines by a news lead
(本报讯, 本报记者, ——subtitle, 新华社…电), or (d) flush left on a page whose body paragraphs are
indented. Section headings inside an article meet none of these and stay in the body.

A story's headline is a block of title lines: a kicker (引题) above the main title, the main title
(the last line of the block) and a `——` subtitle (副题) below. A file in the People's Daily layout
(line 1 kicker, line 2 title, line 3 subtitle, missing ones left blank, the body from line 4) is
one article whose headline is taken by position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.clean import (
    LinePatterns,
    drop_repeated_fragments,
    header_lines,
    is_title_like,
    join_broken_lines,
    normalize,
    squeeze_ocr_spaces,
)

MIN_STORY_CHARS = 40  # a "story" with less body than this is a caption or a fragment
MIN_PROSE_HAN = 8  # a story has a paragraph with at least this many Chinese characters
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass
class Line:
    start: int
    end: int
    text: str  # normalised and stripped
    kind: str  # blank | furniture | ad | caption | byline | repeat | title | body
    indented: bool


@dataclass
class Story:
    span_start: int
    span_end: int
    title: str  # the main title only
    paragraphs: list[str]  # body paragraphs
    bylines: list[str] = field(default_factory=list)
    kicker: str = ""  # 引题: the line(s) above the main title
    subtitle: str = ""  # 副题: the line below it
    credits: list[str] = field(default_factory=list)  # publishers named by "来源:" lines of the story

    @property
    def text(self) -> str:
        """Kicker and subtitle lead the body, so text-based stages still see them."""
        return "\n\n".join(p for p in (self.kicker, self.subtitle, *self.paragraphs) if p)


@dataclass
class Page:
    stories: list[Story]
    ads: list[str]  # advertising lines, kept apart: their date ranges date the page
    header: list[str]  # the lines above the prose, where a page states its date and source


def classify_lines(text: str, patterns: LinePatterns) -> list[Line]:
    """Cut a text into lines with their offsets and a class each."""
    lines: list[Line] = []
    seen: set[str] = set()
    offset = 0
    for raw in text.split("\n"):
        start, end = offset, offset + len(raw)
        offset = end + 1
        # A lone carriage return (old Mac line end) is a break inside this line, never a new line.
        normalised = normalize(raw.replace("\r", " "))
        stripped = normalised.strip()
        indented = normalised[:1] in (" ", "\t")
        if not stripped:
            kind = "blank"
        elif patterns.furniture.search(stripped):
            kind = "furniture"
        elif patterns.ad.search(stripped):
            kind = "ad"
        elif patterns.caption.search(stripped):
            kind = "caption"
        elif patterns.byline.search(stripped):
            kind = "byline"
        elif stripped in seen and len(stripped) >= 6:
            kind = "repeat"  # a repeated line: a scraped page's doubled title, a running head
        elif is_title_like(stripped):
            kind = "title"
        else:
            kind = "body"
        seen.add(stripped)
        lines.append(Line(start, end, stripped, kind, indented))
    _drop_title_echoes(lines)
    return lines


def _drop_title_echoes(lines: list[Line], head: int = 12) -> None:
    """A scraped page often opens with the title plus site junk ("标题 吉网原创-第一新闻 …"):
    a line near the top that starts with a later title line is such a repeat."""
    content = [line for line in lines if line.kind != "blank"][:head]
    for i, line in enumerate(content):
        for later in content[i + 1:]:
            if later.kind == "title" and len(later.text) >= 8 and line.text.startswith(later.text) and line.text != later.text:
                line.kind = "repeat"
                break


def _is_indented_page(lines: list[Line]) -> bool:
    body = [line for line in lines if line.kind == "body" and len(line.text) > 40]
    return len(body) >= 3 and sum(line.indented for line in body) >= 0.8 * len(body)


def story_starts(lines: list[Line], patterns: LinePatterns) -> list[int]:
    """Indexes of the lines that open a story."""
    content = [i for i, line in enumerate(lines) if line.kind in ("title", "body", "byline")]
    indented_page = _is_indented_page(lines)
    starts: list[int] = []
    body_since_start = False
    for position, i in enumerate(content):
        line = lines[i]
        if line.kind != "title":
            body_since_start |= line.kind == "body"
            continue
        previous = lines[content[position - 1]] if position else None
        if previous is not None and previous.kind == "title" and _same_block(lines, content[position - 1], i):
            continue  # a kicker or second title line: the block already opened (or not)
        broken = previous is not None and any(lines[k].kind == "ad" for k in range(content[position - 1] + 1, i))
        ended = previous is not None and previous.kind == "byline" and body_since_start
        flush_left = indented_page and not line.indented and previous is not None and previous.indented
        if previous is None or ended or broken or flush_left or _lead_follows(lines, content, position, patterns):
            starts.append(i)
            body_since_start = False
    return starts


def _same_block(lines: list[Line], first: int, second: int) -> bool:
    """Two title lines belong to one title block when at most one blank line separates them."""
    return second - first <= 2 and all(lines[k].kind == "blank" for k in range(first + 1, second))


def _lead_follows(lines: list[Line], content: list[int], position: int, patterns: LinePatterns) -> bool:
    """A news lead within the next three lines, with only title lines (of this block) between."""
    previous = content[position]
    for k in content[position + 1: position + 4]:
        if patterns.lead.search(lines[k].text):
            return True
        if lines[k].kind != "title" or not _same_block(lines, previous, k):
            return False
        previous = k
    return False


def _is_subtitle(text: str) -> bool:
    return text[0] == "—" and len(text) <= 80 and text[-1] not in "。；;"


def _story(lines: list[Line], patterns: LinePatterns, head: tuple[str, str, str] | None = None,
           min_chars: int = MIN_STORY_CHARS) -> Story | None:
    """Build a story from its lines; `head` (kicker, title, subtitle) when the layout or the
    metadata gave it (the text is then clean: no OCR repairs)."""
    title_lines: list[str] = []
    subtitle = ""
    bylines: list[str] = []
    paragraphs: list[str] = []
    credits: list[str] = []
    in_title = head is None
    for line in lines:
        if line.kind == "furniture" and (credit := patterns.header_source.search(line.text)):
            credits.append(credit.group("source"))
        if line.kind in ("blank", "furniture", "ad", "caption") or (line.kind == "repeat" and head is None):
            continue
        if line.kind == "byline":
            bylines.append(line.text)
            in_title = False
            continue
        if in_title and line.kind == "title" and not patterns.lead.search(line.text):
            title_lines.append(line.text)
            continue
        if in_title and title_lines and _is_subtitle(line.text):
            subtitle = line.text
            in_title = False
            continue
        in_title = False
        paragraphs.append(line.text if line.kind == "title" or head else squeeze_ocr_spaces(line.text))
    if head is None:  # a crawl or a record has one line per paragraph: no OCR damage to repair
        paragraphs = join_broken_lines(drop_repeated_fragments(paragraphs))
    if sum(len(p) for p in paragraphs) < min_chars or not any(len(_HAN.findall(p)) >= MIN_PROSE_HAN for p in paragraphs):
        return None  # a caption, a fragment, or site chrome and scripts without a sentence of prose
    kicker, title = head[:2] if head else (" ".join(title_lines[:-1]), title_lines[-1] if title_lines else "")
    subtitle = head[2] if head else subtitle
    # The span runs from the first to the last line of the story itself: page headers, footers,
    # captions and ads around it are the page's.
    content = [line for line in lines if line.kind in ("title", "body", "byline")] or [line for line in lines if line.kind != "blank"]
    return Story(content[0].start, content[-1].end, title, paragraphs, bylines, kicker, subtitle, credits)


def _fixed_head(lines: list[Line], patterns: LinePatterns) -> tuple[str, str, str] | None:
    """(kicker, title, subtitle) of a file in the People's Daily layout, else None.

    The layout: lines 1–3 are headline lines or blank (line 2, the title, never blank) and the body
    starts on line 4. The body is indented, or it runs without blank lines between paragraphs
    and line 1 or 3 is blank: that tells it apart from a page opening with short lines.
    Line classes do not count here (the position says what a line is: "(记者手记)" titles look
    like bylines), only furniture and ad patterns do.
    """
    if len(lines) < 4:
        return None

    def headline(line: Line, longest: int) -> bool:
        return len(line.text) <= longest and not patterns.furniture.search(line.text) and not patterns.ad.search(line.text)

    kicker, title, subtitle, first = lines[:4]
    if not title.text or title.text[-1] == "。" or not headline(title, 100):
        return None
    if any(line.text and not headline(line, 400) for line in (kicker, subtitle)) or first.kind == "blank":
        return None
    spaced = len(lines) > 5 and lines[4].kind == "blank"  # blank lines between paragraphs: a page
    if (spaced or (kicker.text and subtitle.text)) and not first.indented:
        return None
    return kicker.text, title.text, subtitle.text


def split_page(text: str, patterns: LinePatterns, title: str | None = None) -> Page:
    """Split a page into stories. With a `title` from metadata (an HTML page, a JSON record) the
    text is one article, all body except a first line repeating the title."""
    lines = classify_lines(text, patterns)
    ads = [line.text for line in lines if line.kind == "ad"]
    if title is not None:
        content = [i for i, line in enumerate(lines) if line.kind != "blank"]
        skip = content[0] + 1 if content and lines[content[0]].text == normalize(title).strip() else 0
        story = _story(lines[skip:], patterns, ("", title, ""), min_chars=1)
        return Page([story] if story is not None else [], ads, header_lines(text))
    head = _fixed_head(lines, patterns)
    if head is not None:  # one article by layout: a one-sentence photo story counts
        story = _story(lines[3:], patterns, head, min_chars=1)
        if story is not None:
            story.span_start = next(line.start for line in lines if line.kind != "blank")
        # No page header in this layout: a date in the headline is an event's, the day is in the path.
        return Page([story] if story is not None else [], ads, [])
    starts = story_starts(lines, patterns) or [0]
    bounds = starts + [len(lines)]
    stories = []
    for i in range(len(starts)):
        chunk = lines[bounds[i]: bounds[i + 1]] if i else lines[: bounds[1]]
        story = _story(chunk, patterns)
        if story is not None:
            stories.append(story)
    return Page(stories, ads, header_lines(text))
