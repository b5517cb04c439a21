"""Article text shown as evidence: highlighted terms and keyword-in-context lines. Pure.

Article text is untrusted input. Everything here returns HTML in which every piece of article text
has been escaped with `html.escape`; the only markup is the `<mark>` around hits (and the table of
keyword-in-context lines), so a text holding `<script>` or Markdown shows as those characters.
"""

from __future__ import annotations

import html
import re

import pandas as pd

from pipeline.schema import Col

MARK = '<mark style="background:#fde68a;padding:0 1px">'
PER_ARTICLE = 3  # keyword-in-context lines per article


def matched_term(evidence: str) -> str:
    """The term of a theme's evidence entry `term×count` (themes.matched_terms)."""
    return evidence.rsplit("×", 1)[0]


def _pattern(terms) -> re.Pattern | None:
    unique = sorted({t for t in terms if t}, key=len, reverse=True)  # longest first: 营商环境 before 营商
    return re.compile("|".join(map(re.escape, unique))) if unique else None


def highlight(text: str, terms) -> str:
    """`text` as escaped HTML with every occurrence of `terms` marked; paragraphs kept."""
    pattern = _pattern(terms)
    if pattern is None:
        return html.escape(text)
    out, end = [], 0
    for hit in pattern.finditer(text):
        out += [html.escape(text[end:hit.start()]), MARK, html.escape(hit.group()), "</mark>"]
        end = hit.end()
    out.append(html.escape(text[end:]))
    return "".join(out)


def reader_html(text: str, terms) -> str:
    """An article body for the reader: escaped, hits marked, line breaks kept."""
    return f'<div style="white-space:pre-wrap;line-height:1.7">{highlight(text, terms)}</div>'


def keyword_in_context(found: pd.DataFrame, term: str, limit: int, width: int) -> pd.DataFrame:
    """Lines of `width` characters either side of each occurrence of `term` in `found[text]`, at
    most PER_ARTICLE per article and `limit` in all. Line breaks inside a window become spaces."""
    columns = [Col.article_id, Col.date, Col.title, Col.source, "left", "hit", "right"]
    rows = []
    for row in found.itertuples(index=False):
        body = getattr(row, Col.text)
        start = body.find(term)
        for _ in range(PER_ARTICLE):
            if start < 0 or len(rows) >= limit:
                break
            end = start + len(term)
            left = body[max(0, start - width):start]
            right = body[end:end + width]
            rows.append({Col.article_id: getattr(row, Col.article_id), Col.date: getattr(row, Col.date),
                         Col.title: getattr(row, Col.title), Col.source: getattr(row, Col.source),
                         "left": " ".join(left.split()), "hit": body[start:end], "right": " ".join(right.split())})
            start = body.find(term, end)
    return pd.DataFrame(rows, columns=columns)


def kwic_html(lines: pd.DataFrame, headers: dict[str, str]) -> str:
    """Keyword-in-context lines as an HTML table: date and title, then the left context
    right-aligned, the hit marked, the right context. Every cell is escaped."""
    head = (f"<th>{html.escape(headers['date'])}</th><th>{html.escape(headers['title'])}</th>"
            f"<th colspan='3' style='text-align:center'>{html.escape(headers['context'])}</th>")
    body = []
    for row in lines.itertuples(index=False):
        date = getattr(row, Col.date)
        body.append(
            "<tr>"
            f"<td style='white-space:nowrap'>{html.escape(str(date) if isinstance(date, str) else '–')}</td>"
            f"<td>{html.escape(getattr(row, Col.title) or '')}</td>"
            f"<td style='text-align:right;white-space:nowrap'>…{html.escape(row.left)}</td>"
            f"<td style='white-space:nowrap'>{MARK}{html.escape(row.hit)}</mark></td>"
            f"<td style='white-space:nowrap'>{html.escape(row.right)}…</td>"
            "</tr>")
    return (f"<table style='font-size:0.9em;border-collapse:collapse'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: str) -> str:
    """Text shown through a Markdown-rendering element (subheader, caption, warning) as itself:
    Markdown syntax from article text or URL parameters never becomes a link, image or markup."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))
