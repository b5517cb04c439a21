"""Property-based tests (hypothesis): the text functions never raise, whatever the string, and
their invariants hold.

Texts are drawn from a mix that reaches the interesting code paths: real seed lines, names from
the gazetteer and terms from the theme taxonomy, date-like strings, news markers (本报讯,
记者, ——), invisible and control characters, any Unicode, and random line breaks.

Invariants:
- cleaning keeps the line structure and only removes characters; joining lines loses none;
- stories lie inside the text they were split from, in order and without overlap, and splitting
  twice gives the same stories, so article ids (a hash of path and offset) are stable;
- dates are real calendar dates between `dates.MIN_YEAR` and `dates.MAX_YEAR` (1946..2099),
  with the period's first day for month and year precision. No date is compared with today: a
  build must give the same tables whenever it runs, so "not in the future" is not checked;
- place mentions are where they say, in the gazetteer, and an article has at most one primary place;
- every assigned theme exists and comes with matched terms that occur in the article;
- a parsed document holds only text that can be stored (UTF-8), and an archive of any bytes
  never breaks reading.

GOVLENS_HYPOTHESIS_EXAMPLES raises the number of examples for a deeper run (default: hypothesis's 100).
"""

from __future__ import annotations

import datetime as dt
import io as bytes_io
import json
import math
import os
import re
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import clean, dates, io
from pipeline.articles import article_id
from pipeline.build import build
from pipeline.formats import EXTENSIONS, Document, Unreadable, parse
from pipeline.places import article_places, find_mentions
from pipeline.schema import TABLES
from pipeline.split import MIN_STORY_CHARS, _fixed_head, classify_lines, split_page
from pipeline.themes import score_article
from tests.conftest import RAW

EXAMPLES = int(os.environ.get("GOVLENS_HYPOTHESIS_EXAMPLES", "100"))
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SLOW = settings(FAST, max_examples=max(10, EXAMPLES // 4))  # examples that segment text or run the build

_RESOURCES = io.load_resources()  # module level: hypothesis re-runs the test body, never a fixture
SEED_LINES = [line for path in sorted(RAW.glob("*.txt")) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
SEED_CHARS = sorted(set("".join(SEED_LINES)))
PLACE_NAMES = sorted(_RESOURCES.gazetteer.names)[::7]
THEME_TERMS = sorted({t for theme in _RESOURCES.taxonomy.themes for t in (*theme.strong, *theme.supporting, *theme.exclude)})
MARKERS = ["本报讯", "本报记者", "记者 王昕", "——", "新华社北京3月12日电", "来源：吉林日报", "编辑：李超", "第46个植树节",
           "今天是第40个教师节", "【基层建设年进行时】", "广告", "图为", "。", "，", "！", "?", "  ", "\t", "\u3000"]
INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u00ad"
DATES = st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31))
DATE_STRINGS = st.one_of(
    DATES.map(str), DATES.map(lambda d: f"{d.year}年{d.month}月{d.day}日"), DATES.map(lambda d: f"{d:%Y/%m/%d %H:%M}"),
    DATES.map(lambda d: f"{d:%a, %d %b %Y} 03:09:23 GMT"), DATES.map(lambda d: f"{d.year}-{d.month}"), DATES.map(lambda d: f"{d:%Y%m%d}"),
    st.from_regex(r"(19|20|21)\d\d[-/.年]\d{1,3}[-/.月]\d{1,3}日?", fullmatch=True),
    st.integers(0, 2000).map(lambda n: f"第{n}个植树节"), st.integers(1, 40).map(lambda n: f"本报{n}月{n}日讯"),
)
FRAGMENT = st.one_of(
    st.sampled_from(SEED_LINES), st.sampled_from(PLACE_NAMES), st.sampled_from(THEME_TERMS), st.sampled_from(MARKERS),
    DATE_STRINGS, st.text(st.sampled_from(SEED_CHARS), max_size=60), st.text(max_size=20),
    st.text(st.sampled_from(INVISIBLE + "\x00\x07\x1b\x7f\r"), max_size=4),
)
LINE = st.lists(FRAGMENT, max_size=6).map("".join)
TEXT = st.lists(st.tuples(LINE, st.sampled_from(["\n", "\n\n", "\r\n", "\r", "\n  ", "\n\u3000\u3000"])), max_size=30).map(
    lambda parts: "".join(line + sep for line, sep in parts))


# --- cleaning ---

@FAST
@given(TEXT)
def test_normalize_keeps_lines_and_drops_invisible_characters(text):
    out = clean.normalize(text)
    assert "\r" not in out
    assert out.count("\n") == text.replace("\r\n", "\n").replace("\r", "\n").count("\n")
    assert not set(out) & set(INVISIBLE)
    assert clean.normalize(out) == out


@FAST
@given(LINE)
def test_line_functions_never_raise(line):
    squeezed = clean.squeeze_ocr_spaces(line)
    assert len(squeezed) <= len(line)
    assert isinstance(clean.is_title_like(line), bool)
    assert isinstance(clean.should_join(line, squeezed), bool)


@FAST
@given(st.lists(LINE, max_size=12))
def test_joining_broken_lines_loses_no_character(paragraphs):
    joined = clean.join_broken_lines(paragraphs)
    assert "".join(joined) == "".join(paragraphs)
    assert len(joined) <= len(paragraphs)


@FAST
@given(st.lists(LINE, max_size=12))
def test_dropping_repeated_fragments_only_removes(paragraphs):
    kept = clean.drop_repeated_fragments(paragraphs)
    assert all(p.strip() for p in kept)
    assert len(kept) <= len(paragraphs)
    assert sum(map(len, kept)) <= sum(len(p.strip()) for p in paragraphs)


# --- splitting ---

@FAST
@given(TEXT, st.one_of(st.none(), LINE))
def test_stories_lie_inside_the_text_in_order(text, title):
    page = split_page(text, _RESOURCES.patterns, title=title)
    laid_out = _fixed_head(classify_lines(text, _RESOURCES.patterns), _RESOURCES.patterns) is not None
    spans = [(s.span_start, s.span_end) for s in page.stories]
    assert all(0 <= start < end <= len(text) for start, end in spans)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))
    assert len(spans) <= 1 or title is None  # a metadata title makes the text one article
    for story in page.stories:
        assert "\n" not in story.title
        # A page's fragments are no stories; a text with a metadata title, or in the People's Daily
        # layout (headline lines 1-3, body from line 4), is an article however short.
        assert title is not None or laid_out or sum(map(len, story.paragraphs)) >= MIN_STORY_CHARS
    again = split_page(text, _RESOURCES.patterns, title=title)
    assert [(s.span_start, s.span_end, s.title, s.text) for s in again.stories] == \
           [(s.span_start, s.span_end, s.title, s.text) for s in page.stories]


@FAST
@given(st.text(max_size=80), st.integers(0, 2**31 - 1))
def test_article_ids_are_stable_short_hex(path, offset):
    first = article_id(path, offset)
    assert re.fullmatch(r"[0-9a-f]{16}", first) and article_id(path, offset) == first


def test_article_id_is_pinned():
    """Ids are links users keep: changing the hash would break them all."""
    assert article_id("rmrb/20190219/20190219-07-02.txt", 0) == "332077c0f636466c"


# --- dates ---

def _plausible(guess: dates.DateGuess | None) -> None:
    if guess is None:
        return
    day = dt.date.fromisoformat(guess.date)
    assert dates.MIN_YEAR <= day.year <= dates.MAX_YEAR
    assert guess.precision in ("day", "month", "year")
    assert guess.origin in ("metadata", "header", "path", "text")
    if guess.precision != "day":
        assert day.day == 1
    if guess.precision == "year":
        assert day.month == 1


@FAST
@given(st.one_of(DATE_STRINGS, LINE, st.text()))
def test_metadata_dates_are_plausible(value):
    _plausible(dates.from_metadata(value))


@FAST
@given(st.lists(st.one_of(DATE_STRINGS, LINE), max_size=10), st.lists(st.one_of(DATE_STRINGS, st.text(max_size=12)), max_size=4), TEXT)
def test_every_date_source_is_plausible(lines, path_parts, text):
    path = "/".join(path_parts)
    for guess in (dates.from_header(lines), dates.from_path(path), dates.from_text(text), dates.from_ads(lines),
                  dates.page_date(lines[0] if lines else None, lines, path, [text], lines)):
        _plausible(guess)


@FAST
@given(st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)))  # the patterns read years 19xx and 20xx
def test_a_plausible_metadata_date_round_trips(day):
    guess = dates.from_metadata(day.isoformat())
    if dates.MIN_YEAR <= day.year <= dates.MAX_YEAR:
        assert guess == dates.DateGuess(day.isoformat(), "day", "metadata")
    else:
        assert guess is None


# --- places ---

@SLOW
@given(TEXT, st.sampled_from([None, *sorted(_RESOURCES.homes.values())]))
def test_place_mentions_are_where_they_say(text, home):
    gaz = _RESOURCES.gazetteer
    mentions = find_mentions(text, gaz, _RESOURCES.segmenter)
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text) and text[m.start:m.end] == m.name
        assert m.adcode in gaz.divisions
    rows = article_places("a", mentions, 0, gaz, home)
    assert sum(row["is_primary"] for row in rows) <= 1
    assert len({row["adcode"] for row in rows}) == len(rows)
    for row in rows:
        division = gaz.divisions[row["adcode"]]
        assert row["level"] == division.level and row["mentions"] >= 0
        assert (row["county"] is not None) == (division.level == "county")


# --- themes ---

@FAST
@given(LINE, TEXT)
def test_every_theme_has_matched_terms_found_in_the_article(title, text):
    full = f"{title}\n{text}"
    for theme, score, terms in score_article(title, text, _RESOURCES.taxonomy):
        assert theme in _RESOURCES.taxonomy.ids
        assert math.isfinite(score) and score >= 0
        assert terms
        for entry in terms:
            term, count = entry.rsplit("×", 1)
            assert 1 <= int(count) <= full.count(term), entry


# --- parsing and reading ---

def _storable(document: Document) -> None:
    for value in (document.doc_path, document.raw_text, document.body, *document.meta.values()):
        value.encode("utf-8")  # raises on lone surrogates, which no table can hold


# Escaped lone surrogates ("\ud800") are valid JSON and YAML syntax but no storable text.
ESCAPABLE = st.one_of(LINE, st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=2).map(lambda s: s + "长春"))
JSON_LIKE = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30), ESCAPABLE),
                         lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(
                             st.sampled_from(["title", "content", "text", "date", "source", "url", "x"]), inner, max_size=5)),
                         max_leaves=20)


@FAST
@given(st.sampled_from(sorted(EXTENSIONS)), st.one_of(
    st.binary(max_size=2000),
    TEXT.map(lambda t: t.encode("utf-8")),
    st.tuples(TEXT, st.sampled_from(["gb18030", "big5", "utf-16-le", "utf-16", "utf-8-sig"])).map(lambda p: p[0].encode(p[1], "replace")),
    st.tuples(LINE, TEXT).map(lambda p: f"---\ntitle: {p[0]}\n---\n{p[1]}".encode("utf-8")),
    st.tuples(ESCAPABLE, TEXT).map(lambda p: f"---\ntitle: {json.dumps(p[0])}\n---\n{p[1]}".encode("utf-8")),
    JSON_LIKE.map(lambda value: json.dumps(value).encode("utf-8")),
    JSON_LIKE.map(lambda value: json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")),
))
def test_parsing_any_bytes_gives_storable_documents_or_a_reason(extension, data):
    try:
        documents = parse(f"file{extension}", data)
    except Unreadable as exc:
        assert str(exc)
        return
    assert documents
    for document in documents:
        _storable(document)


@FAST
@given(st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 255)), max_size=12), st.booleans())
def test_reading_a_damaged_archive_never_raises(tmp_path_factory, flips, truncate):
    buffer = bytes_io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", SEED_LINES[5] * 3)
        archive.writestr("b/c.md", "---\ntitle: x\n---\n" + SEED_LINES[7])
    data = bytearray(buffer.getvalue())
    for at, value in flips:
        data[at % len(data)] = value
    path = tmp_path_factory.mktemp("zip") / "damaged.zip"
    path.write_bytes(bytes(data[: len(data) // 2] if truncate else data))
    result = io.read_inputs([path])
    assert {entry["path"] for entry in result.read}.isdisjoint(entry["path"] for entry in result.skipped)
    assert all(entry["reason"] for entry in result.skipped)


# --- the whole build ---

@SLOW
@given(st.lists(st.tuples(st.sampled_from(["a.txt", "b/c.md", "d.json#0", "e.html"]), TEXT, st.one_of(st.none(), LINE),
                          st.one_of(st.none(), DATE_STRINGS)), min_size=1, max_size=4))
def test_the_build_turns_any_documents_into_valid_tables(specs):
    documents = [Document(f"{i}/{path}", "txt", "utf-8", text, text, {k: v for k, v in (("title", title), ("date", date)) if v})
                 for i, (path, text, title, date) in enumerate(specs)]
    tables, _ = build(documents, _RESOURCES)
    for name, frame in tables.items():
        TABLES[name].to_arrow(frame)  # raises SchemaError on any column that breaks the contract
    again, _ = build(documents, _RESOURCES)
    assert tables["articles"]["article_id"].tolist() == again["articles"]["article_id"].tolist()
