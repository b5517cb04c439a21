"""From a file's bytes to documents: decoding and format parsing (txt, md, html, json, jsonl, csv).

Pure functions: `pipeline.io` reads the bytes (and expands archives) and calls `parse`.
A file that cannot be understood raises `Unreadable` with a reason a person can act on.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import yaml
from charset_normalizer import from_bytes

FORMATS = ("txt", "md", "html", "json", "jsonl", "csv")
EXTENSIONS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
              ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
MAX_LINE_CHARS = 1_000_000  # a longer line is not prose: a minified blob, a base64 dump, a binary


class Unreadable(ValueError):
    """The file cannot be turned into documents; the message says why."""


@dataclass
class FieldMap:
    """Which record fields hold title / text / date / source / url (first present wins)."""

    title: tuple[str, ...] = ("title", "headline", "标题", "name")
    text: tuple[str, ...] = ("content", "text", "body", "article", "正文", "内容", "description")
    date: tuple[str, ...] = ("date", "publish_date", "published", "pubDate", "publish_time", "time", "datetime", "日期", "发布时间")
    source: tuple[str, ...] = ("source", "publisher", "site", "media", "author", "来源", "媒体")
    url: tuple[str, ...] = ("url", "sourceUrl", "source_url", "link", "href", "链接")

    def override(self, **fields: str | None) -> FieldMap:
        """A copy where the given fields name exactly one record key each (CLI --title-field etc.)."""
        mapped = {k: (v,) for k, v in fields.items() if v}
        return FieldMap(**{**self.__dict__, **mapped})


@dataclass
class Document:
    """One unit of input: a file, or one record of a JSON/CSV file."""

    doc_path: str
    format: str
    encoding: str
    raw_text: str  # as decoded, before anything else
    body: str  # the text to split into stories (front matter and markup removed)
    meta: dict[str, str] = field(default_factory=dict)  # title/date/source/url from metadata


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes to text; return (text, encoding). Raise Unreadable for empty or binary data.

    A byte-order mark decides; then UTF-8 (a multi-byte character cut off at the very end, as in
    a truncated download, is dropped); then the encoding charset-normalizer finds best (GB18030,
    Big5, UTF-16 without a BOM…)."""
    if not data.strip():
        raise Unreadable("empty file")
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return _checked(_strict(data, name)), name
    try:
        return _checked(codecs.getincrementaldecoder("utf-8")().decode(data, final=False)), "utf-8"
    except UnicodeDecodeError:
        pass
    sample = data[:200_000]
    for cut in range(4):  # a multi-byte character cut off at the end (truncated file or sample)
        best = from_bytes(sample[: len(sample) - cut]).best()
        if best is not None and best.encoding is not None:
            break
    else:
        raise Unreadable("binary or undecodable content (no text encoding fits)")
    name = _widen(best.encoding)
    for _ in range(3):  # the same cut-off character, now in the whole file
        try:
            return _checked(data.decode(name)), name
        except UnicodeDecodeError:
            data = data[:-1]
    return _checked(_strict(data, name)), name


def _checked(text: str) -> str:
    if "\x00" in text:
        raise Unreadable("binary content (NUL bytes)")
    return text


def _widen(encoding: str) -> str:
    """The codec's standard name; GB2312/GBK widened to GB18030, their superset, which loses nothing."""
    name = codecs.lookup(encoding).name
    return "gb18030" if name in ("gb2312", "gbk", "gb18030", "hz") else name


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise Unreadable(f"cannot decode as {encoding}: {exc}") from None


def parse(doc_path: str, data: bytes, fields: FieldMap = FieldMap()) -> list[Document]:
    """Turn one file's bytes into documents, by extension (unknown extensions are read as text)."""
    fmt = format_of(doc_path)
    text, encoding = decode(data)
    longest = max((len(line) for line in text.splitlines()), default=0)
    if longest > MAX_LINE_CHARS and fmt not in ("json", "jsonl", "csv"):
        raise Unreadable(f"a single line of {longest:,} characters: not article text")
    if fmt in ("json", "jsonl", "csv"):
        records = _records(fmt, text, fields)
        return [_storable(Document(f"{doc_path}#{i}" if len(records) > 1 else doc_path, fmt, encoding, raw, body, meta))
                for i, (raw, body, meta) in enumerate(records)]
    meta, body = front_matter(text)
    if fmt == "html" or _looks_like_html(body):
        html_meta, body = html_to_text(body)
        meta = {**html_meta, **meta}
    return [_storable(Document(doc_path, fmt, encoding, text, body, meta))]


_SURROGATE = re.compile("[\ud800-\udfff]")


def _storable(doc: Document) -> Document:
    """Lone UTF-16 surrogates (\\ud800 escapes in JSON or YAML) cannot be stored as UTF-8: each
    becomes U+FFFD, one character for one, so offsets hold."""
    def clean(value: str) -> str:
        return _SURROGATE.sub("\ufffd", value)

    return Document(doc.doc_path, doc.format, doc.encoding, clean(doc.raw_text), clean(doc.body),
                    {key: clean(value) for key, value in doc.meta.items()})


def format_of(doc_path: str) -> str:
    suffix = re.search(r"\.[^./\\]+$", doc_path.lower())
    return EXTENSIONS.get(suffix.group(0) if suffix else "", "txt")


_FRONT = re.compile(r"\A\ufeff?---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split YAML front matter (`---` … `---` at the top) from the body. The front matter is
    blanked out (spaces, its line breaks kept), so offsets in the body are offsets in the file."""
    stripped = text.lstrip("\n")
    if not stripped.startswith("---"):
        return {}, text
    match = _FRONT.match(stripped)
    if match is None:
        raise Unreadable("front matter opened with --- but never closed")
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise Unreadable(f"broken YAML front matter: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise Unreadable("front matter is not a mapping of fields")
    meta = _pick({str(k): v for k, v in data.items()}, FieldMap())
    head = len(text) - len(stripped) + match.end()
    return meta, re.sub(r"[^\n]", " ", text[:head]) + text[head:]


def _pick(record: dict, fields: FieldMap) -> dict[str, str]:
    """Title/date/source/url from a record's first present field. Only scalar values count: a
    list or mapping is not a title, and printing one could expand a YAML alias bomb."""
    meta = {}
    for name in ("title", "date", "source", "url"):
        for key in getattr(fields, name):
            value = record.get(key)
            if isinstance(value, (str, int, float, dt.date)) and not isinstance(value, bool) and str(value).strip():
                meta[name] = str(value).strip()
                break
    return meta


def _json_lines(text: str) -> list:
    """The records of a JSON Lines file. A last line cut off (a write that stopped) is dropped;
    a broken line before it makes the file malformed."""
    lines = [line for line in text.splitlines() if line.strip()]
    records = []
    for number, line in enumerate(lines, 1):
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            if number == len(lines) and records:
                break
            raise json.JSONDecodeError(f"line {number}: {exc.msg}", exc.doc, exc.pos) from None
    return records


# A record's text often flattens paragraphs into one line, each still opening with an indent of
# two wide spaces ("…年。\u2003\u20032025年…"): the first space becomes a line break (same length).
_INDENT_BREAK = re.compile(r"(?<=[^\s\u2003\u3000])[\u2003\u3000](?=[\u2003\u3000])")


def _records(fmt: str, text: str, fields: FieldMap) -> list[tuple[str, str, dict[str, str]]]:
    """(raw record text, body text, metadata) per record of a JSON / JSON Lines / CSV file."""
    if fmt == "csv":
        # The csv module refuses fields over 131,072 characters by default; a long article is not
        # a malformed file (the file-size limit of io.read_inputs bounds it instead).
        csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
        try:
            rows = list(csv.DictReader(io.StringIO(text)))
        except csv.Error as exc:
            raise Unreadable(f"malformed CSV: {exc}") from None
        records = [{k: v for k, v in row.items() if k is not None} for row in rows]
    else:
        try:
            loaded = _json_lines(text) if fmt == "jsonl" else json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise Unreadable(f"malformed JSON: {exc}") from None
        records = loaded if isinstance(loaded, list) else [loaded]
    out = []
    for record in records:
        if not isinstance(record, dict):
            raise Unreadable("JSON holds something other than objects (expected an object or a list of objects)")
        body_key = next((k for k in fields.text if isinstance(record.get(k), str) and record[k].strip()), None)
        if body_key is None:
            continue
        meta = _pick(record, fields)
        body = record[body_key]
        body = html_to_text(body)[1] if _looks_like_html(body) else _INDENT_BREAK.sub("\n", body)
        out.append((json.dumps(record, ensure_ascii=False, default=str), body, meta))
    if not out:
        raise Unreadable(f"no record has a text field (looked for {', '.join(fields.text)})")
    return out


_HTML_HINT = re.compile(r"<(p|div|br|html|body|span|article|section|h[1-6]|strong|img)\b[^>]*>", re.I)


def _looks_like_html(text: str) -> bool:
    return len(_HTML_HINT.findall(text[:20_000])) >= 2


class _TextExtractor(HTMLParser):
    """HTML → text with one paragraph per block element; scripts, styles, navigation dropped."""

    BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
             "blockquote", "pre", "table", "ul", "ol", "dd", "dt", "figcaption", "header"}
    SKIP = {"script", "style", "nav", "noscript", "iframe", "form", "footer", "aside", "svg", "template", "select", "button"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.in_title = False
        self.title = ""
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.SKIP:
            self.skip_depth += 1
        elif tag == "title":
            self.in_title = True
        elif tag == "meta":
            a = {k: v for k, v in attrs if v}
            key = (a.get("property") or a.get("name") or "").lower()
            if key in ("og:title",) and a.get("content"):
                self.meta["title"] = a["content"]
            elif key in ("article:published_time", "pubdate", "publishdate", "date") and a.get("content"):
                self.meta["date"] = a["content"]
            elif key in ("og:site_name", "source") and a.get("content"):
                self.meta["source"] = a["content"]
        if tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.handle_starttag(tag, attrs)
        if tag in self.SKIP:
            self.skip_depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag == "title":
            self.in_title = False
        if tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        elif not self.skip_depth:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[dict[str, str], str]:
    """Extract (metadata, text) from HTML; paragraphs become lines separated by a blank line."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    meta = dict(parser.meta)
    if parser.title.strip() and "title" not in meta:
        meta["title"] = parser.title.strip()
    return meta, text
