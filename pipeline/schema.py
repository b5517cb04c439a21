"""Every table the pipeline writes: its columns, their Arrow types and meanings.

This module is the contract. `pipeline.io` validates every table against it before writing and
after reading; the dashboard imports column names from `Col` instead of spelling them;
`docs/tables.md` is generated from it (`python -m pipeline schema`) and a test keeps it in sync.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum, auto

import pandas as pd
import pyarrow as pa


class Col(StrEnum):
    """Column names used across tables (a name means the same thing in every table)."""

    article_id = auto()
    doc_path = auto()
    story = auto()
    span_start = auto()
    span_end = auto()
    title = auto()
    kicker = auto()
    subtitle = auto()
    date = auto()
    date_precision = auto()
    date_origin = auto()
    source = auto()
    url = auto()
    text = auto()
    n_chars = auto()
    n_copies = auto()
    copy_paths = auto()
    copy_sources = auto()
    encoding = auto()
    format = auto()
    raw_text = auto()
    province = auto()
    city = auto()
    county = auto()
    adcode = auto()
    level = auto()
    role = auto()
    mentions = auto()
    positions = auto()
    is_primary = auto()
    lat = auto()
    lon = auto()
    theme = auto()
    score = auto()
    matched_terms = auto()
    term = auto()
    weight = auto()
    month = auto()
    articles = auto()
    slogan = auto()
    kind = auto()
    position = auto()
    value = auto()
    unit = auto()
    measure = auto()
    sentence = auto()


@dataclass(frozen=True)
class Field:
    name: Col
    type: pa.DataType
    doc: str
    nullable: bool = True


@dataclass(frozen=True)
class Table:
    name: str
    doc: str
    fields: tuple[Field, ...]

    @property
    def columns(self) -> list[str]:
        return [str(f.name) for f in self.fields]

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(str(f.name), f.type, nullable=f.nullable) for f in self.fields])

    def empty(self) -> pd.DataFrame:
        return self.arrow_schema.empty_table().to_pandas()

    def to_arrow(self, frame: pd.DataFrame) -> pa.Table:
        """Convert a frame to this table's Arrow schema; raise SchemaError on any mismatch."""
        missing = [c for c in self.columns if c not in frame.columns]
        extra = [c for c in frame.columns if c not in self.columns]
        if missing or extra:
            raise SchemaError(f"table {self.name}: missing columns {missing}, unexpected {extra}")
        try:
            table = pa.Table.from_pandas(frame[self.columns], schema=self.arrow_schema, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError, TypeError) as exc:
            raise SchemaError(f"table {self.name}: {exc}") from exc
        for f in self.fields:
            if not f.nullable and table.column(str(f.name)).null_count:
                raise SchemaError(f"table {self.name}: column {f.name} has nulls")
        return table

    def check(self, table: pa.Table) -> None:
        """Raise SchemaError unless an Arrow table read back has exactly this schema."""
        if not table.schema.equals(self.arrow_schema, check_metadata=False):
            got = {f.name: str(f.type) for f in table.schema}
            raise SchemaError(f"table {self.name}: schema {got} does not match {self.columns}")


class SchemaError(ValueError):
    """A table does not match its declared schema."""


_STR = pa.string()
_LIST_STR = pa.list_(pa.string())

ARTICLES = Table(
    "articles",
    "One row per article after splitting pages into stories and collapsing duplicates.",
    (
        Field(Col.article_id, _STR, "Stable id: hash of doc_path and the story's start offset.", False),
        Field(Col.doc_path, _STR, "Input file path relative to the INPUT root given (zip members as `a.zip/inner.txt`).", False),
        Field(Col.story, pa.int32(), "0-based index of the story within its file.", False),
        Field(Col.span_start, pa.int32(), "Start offset of the story in the file's decoded text (`documents.raw_text`); for HTML content, in the text extracted from it; for a JSON/CSV record, in its text field.", False),
        Field(Col.span_end, pa.int32(), "End offset (exclusive) of the story, counted like `span_start`.", False),
        Field(Col.title, _STR, "Main title of the story (may be empty when none was found); a kicker above it and a subtitle below it are kept apart.", False),
        Field(Col.kicker, _STR, "Kicker (引题): the headline line(s) above the main title, or empty. Also the first paragraph of `text`.", False),
        Field(Col.subtitle, _STR, "Subtitle (副题): the headline line below the main title (often `——…`), or empty. Also a leading paragraph of `text`.", False),
        Field(Col.date, _STR, "Publication date, ISO `YYYY-MM-DD` (day precision: the day is certain; month/year precision: the first day of the month/year), or null."),
        Field(Col.date_precision, _STR, "`day`, `month`, `year`, or null when no date was found."),
        Field(Col.date_origin, _STR, "Where the date came from: `metadata`, `header`, `path`, `text`, or null."),
        Field(Col.source, _STR, "Publisher (e.g. 吉林日报, 人民日报, 中国吉林网), or null."),
        Field(Col.url, _STR, "Original URL when the input records one, or null."),
        Field(Col.text, _STR, "Cleaned text: kicker and subtitle (when present), then the body; paragraphs separated by a blank line.", False),
        Field(Col.n_chars, pa.int32(), "Number of characters of `text`.", False),
        Field(Col.n_copies, pa.int32(), "How many copies (exact or near duplicates) were collapsed into this article (1 = unique).", False),
        Field(Col.copy_paths, _LIST_STR, "doc_path of every copy, this one first.", False),
        Field(Col.copy_sources, _LIST_STR, "Distinct sources of the copies.", False),
    ),
)

DOCUMENTS = Table(
    "documents",
    "One row per input file (or record of a JSON/CSV file) that was read: the original text, so nothing read is lost.",
    (
        Field(Col.doc_path, _STR, "Input path relative to the INPUT root (records of a JSON/CSV file get `#N`).", False),
        Field(Col.format, _STR, "Detected format: txt, md, html, json, jsonl, csv.", False),
        Field(Col.encoding, _STR, "Detected text encoding.", False),
        Field(Col.raw_text, _STR, "The decoded text as read, before any cleaning.", False),
    ),
)

PLACES = Table(
    "places",
    "Places an article mentions, one row per (article, place); levels above the found one are filled in.",
    (
        Field(Col.article_id, _STR, "Article the place belongs to.", False),
        Field(Col.province, _STR, "Full province-level name (吉林省, 北京市).", False),
        Field(Col.city, _STR, "Full prefecture-level name (长春市); for municipalities the municipality itself; null for a province-level place."),
        Field(Col.county, _STR, "Full county-level name (朝阳区, 公主岭市), or null above county level."),
        Field(Col.adcode, _STR, "6-digit administrative code of the most specific level.", False),
        Field(Col.level, _STR, "`province`, `city` or `county`: the most specific level found.", False),
        Field(Col.role, _STR, "`subject` (where the story happens), `passing` (named in passing: where people come from or go, a model or comparison, a speaker's affiliation, the capital as a venue, a route), `publisher` (the publisher's home, or a media outlet's name: 吉林日报) or `noise` (datelines, bylines, author notes, site footers). One row per place with its strongest role, in that order. Only subject places count in charts (see docs/places.md).", False),
        Field(Col.mentions, pa.int32(), "Number of mentions with that role in the article, title included (a county mention also counts for its city's row).", False),
        Field(Col.positions, pa.list_(pa.int32()), "Character offsets in `text` where the place is named with that role (mentions in the title are counted but have no offset).", False),
        Field(Col.is_primary, pa.bool_(), "The article's main place; at most one row per article, none for national or placeless articles.", False),
        Field(Col.lat, pa.float64(), "Latitude of the place's centroid."),
        Field(Col.lon, pa.float64(), "Longitude of the place's centroid."),
    ),
)

THEMES = Table(
    "themes",
    "One row per theme assigned to an article, with the evidence.",
    (
        Field(Col.article_id, _STR, "Article the theme is assigned to.", False),
        Field(Col.theme, _STR, "Theme id from `pipeline/resources/themes.yaml` (e.g. business_environment).", False),
        Field(Col.score, pa.float64(), "Score: weighted term hits per 1,000 characters (title and lead weigh more); assigned when above the theme threshold.", False),
        Field(Col.matched_terms, _LIST_STR, "The terms that caused the assignment, as `term×count`, strongest first.", False),
    ),
)

KEYWORDS = Table(
    "keywords",
    "Characteristic terms of each article (TF-IDF over the corpus, stopwords and non-content parts of speech removed).",
    (
        Field(Col.article_id, _STR, "Article.", False),
        Field(Col.term, _STR, "Term as segmented (governance user dictionary applied).", False),
        Field(Col.weight, pa.float64(), "TF-IDF weight, normalised per article (the top term has 1.0).", False),
    ),
)

TIMELINE = Table(
    "timeline",
    "Articles per month, province, city and theme (subject primary place; articles without a date are left out).",
    (
        Field(Col.month, _STR, "`YYYY-MM`.", False),
        Field(Col.province, _STR, "Province of the article's primary place, or null."),
        Field(Col.city, _STR, "City of the article's primary place, or null."),
        Field(Col.theme, _STR, "Theme id.", False),
        Field(Col.articles, pa.int32(), "Number of articles.", False),
    ),
)

# Counts are int32 (an article never holds 2^31 of anything); values are float64 because indicators
# span 0.5% to trillions of yuan; offsets are nullable int32 where "not in the body" is possible.
TERMS = Table(
    "terms",
    "Content-term counts per article (the keywords' input): sum them over any filter for distinctive terms (`pipeline.termstats`) and co-occurrence.",
    (
        Field(Col.article_id, _STR, "Article.", False),
        Field(Col.term, _STR, "Term as segmented (governance user dictionary applied; stopwords, numbers, single characters and non-content parts of speech removed).", False),
        Field(Col.mentions, pa.int32(), "Occurrences of the term in the article (title and text).", False),
    ),
)

SLOGANS = Table(
    "slogans",
    "Names of programmes, apps, brands and campaigns and parallel-phrase slogans an article mentions (quoted names, or known names from `pipeline/resources/slogans.yaml`); ordinary quotations are left out. One row per (article, name).",
    (
        Field(Col.article_id, _STR, "Article.", False),
        Field(Col.slogan, _STR, "The name as written inside its quotes (经心办, 码上行动, 一件事一次办).", False),
        Field(Col.kind, _STR, "`app`, `brand`, `campaign`, `programme` or `slogan`.", False),
        Field(Col.position, pa.int32(), "Character offset of the first mention in `text`, or null when only the title names it."),
        Field(Col.mentions, pa.int32(), "Mentions in the article (title and text, quoted or not).", False),
    ),
)

INDICATORS = Table(
    "indicators",
    "Numbers with units an article reports, with what they measure (投资12亿元 → 1.2e9 元, investment).",
    (
        Field(Col.article_id, _STR, "Article.", False),
        Field(Col.value, pa.float64(), "The number in base units: 万/亿 multiplied out (12亿元 → 1,200,000,000), Chinese numerals read (三万 → 30,000), percentages as written (82.3).", False),
        Field(Col.unit, _STR, "Base unit as written without its multiplier: 元, %, 平方米, 人次, 个, 家…", False),
        Field(Col.measure, _STR, "What the number measures: the words just before it (办理时限压缩, 面积, 投资, 服务群众), or empty when none.", False),
        Field(Col.sentence, _STR, "The sentence holding the number.", False),
    ),
)

SLOGAN_TIMELINE = Table(
    "slogan_timeline",
    "Articles naming each slogan or programme per month, province and city (subject primary place; undated articles are left out): how names spread, and when each city first used one.",
    (
        Field(Col.month, _STR, "`YYYY-MM`.", False),
        Field(Col.province, _STR, "Province of the article's primary place, or null."),
        Field(Col.city, _STR, "City of the article's primary place, or null."),
        Field(Col.slogan, _STR, "The name (as in `slogans`).", False),
        Field(Col.kind, _STR, "Its kind (as in `slogans`).", False),
        Field(Col.articles, pa.int32(), "Number of articles.", False),
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in (ARTICLES, DOCUMENTS, PLACES, THEMES, KEYWORDS, TIMELINE, TERMS, SLOGANS, INDICATORS, SLOGAN_TIMELINE)}


def markdown() -> str:
    """The tables as Markdown, for docs/tables.md."""
    out = [
        "# Tables",
        "",
        "Written by `python -m pipeline build` as Parquet files (`<name>.parquet`) in the output folder,",
        "with `report.json`. Generated from `pipeline/schema.py` by `python -m pipeline schema`; do not edit by hand.",
        "",
    ]
    for table in TABLES.values():
        out += [f"## `{table.name}`", "", table.doc, "", "| column | type | null | meaning |", "|---|---|---|---|"]
        for f in table.fields:
            out.append(f"| `{f.name}` | {f.type} | {'yes' if f.nullable else 'no'} | {f.doc} |")
        out.append("")
    return "\n".join(out)
