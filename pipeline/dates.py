"""Publication dates, in order of trust: metadata, header line, path, evidence in the text, ads.

A date the body merely mentions ("2023年5月, …") is not a publication date: only header lines at
the top of a file, numbered annual days (第46个植树节, with a dateline 本报3月12日讯 for the
month) and the date range of an ad on the page count, and the year is never guessed. A day is
given only when a source states it (metadata, header, path); evidence in the text gives the
month or the year. Pure functions; each returns a `DateGuess` or None.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

# The years the date patterns read ((?:19|20)\d{2}), from the first post-war papers on.
MIN_YEAR, MAX_YEAR = 1946, 2099


@dataclass(frozen=True)
class DateGuess:
    date: str  # ISO; for month/year precision the first day of the period
    precision: str  # day | month | year
    origin: str  # metadata | header | path | text


def _valid(year: int, month: int = 1, day: int = 1) -> dt.date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _guess(date: dt.date | None, precision: str, origin: str) -> DateGuess | None:
    if date is None:
        return None
    iso = date.isoformat() if precision == "day" else f"{date:%Y-%m}-01" if precision == "month" else f"{date:%Y}-01-01"
    return DateGuess(iso, precision, origin)


_ISO = re.compile(r"(?<!\d)((?:19|20)\d{2})[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_YEAR_MONTH = re.compile(r"(?<!\d)((?:19|20)\d{2})[-/.年]\s*(\d{1,2})(?:月|(?![\d.]))")


def from_metadata(value: str | None) -> DateGuess | None:
    """A date field of front matter, HTML meta or a JSON/CSV record, in any common shape."""
    if not value:
        return None
    value = value.strip()
    match = _ISO.search(value)
    if match:
        return _guess(_valid(*map(int, match.groups())), "day", "metadata")
    try:
        parsed = parsedate_to_datetime(value)  # RFC 2822: "Tue, 30 Nov 2021 03:09:23 GMT"
        return _guess(_valid(parsed.year, parsed.month, parsed.day), "day", "metadata")
    except (TypeError, ValueError, IndexError):
        pass
    match = _YEAR_MONTH.search(value)
    if match:
        return _guess(_valid(int(match.group(1)), int(match.group(2))), "month", "metadata")
    match = re.fullmatch(r"((?:19|20)\d{2})年?", value)
    return _guess(_valid(int(match.group(1))), "year", "metadata") if match else None


_HEADER_LINE = re.compile(
    r"^\s*(?:(?:发布|更新)?(?:时间|日期)\s*[:：]\s*)?((?:19|20)\d{2})[-/.年]\s*(\d{1,2})[-/.月]\s*(\d{1,2})日?"
    r"(?:\s*(?:星期|周).)?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?(?:\s+.{0,30})?$"
)


def from_header(lines: list[str], head: int = 8) -> DateGuess | None:
    """A line near the top that is (mostly) a date: "2024-05-18 10:42:36", "2022年11月27日 星期日",
    "2025-04-11 20:52 来源: 中国吉林网"."""
    for line in [l for l in lines if l.strip()][:head]:
        match = _HEADER_LINE.match(line.strip())
        if match and len(line.strip()) <= 60:
            return _guess(_valid(*map(int, match.groups())), "day", "header")
    return None


_PATH_DAY = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_]?(\d{2})[-_]?(\d{2})(?!\d)")
_PATH_MONTH = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_](\d{2})(?!\d)")


def from_path(path: str) -> DateGuess | None:
    """`YYYYMMDD` / `YYYY-MM-DD` in a file or folder name; `YYYY-MM` folders give a month."""
    for part in reversed(re.split(r"[/\\]", path)):
        match = _PATH_DAY.search(part)
        if match and (date := _valid(*map(int, match.groups()))):
            return _guess(date, "day", "path")
    for part in reversed(re.split(r"[/\\]", path)):
        match = _PATH_MONTH.search(part)
        if match and (date := _valid(int(match.group(1)), int(match.group(2)))):
            return _guess(date, "month", "path")
    return None


# Numbered annual days: (pattern, year of the 1st, month, day). 第46个植树节 → 1979 + 45 = 2024.
ANNUAL_DAYS = (
    (re.compile(r"第(\d{1,3})个(?:中国)?植树节"), 1979, 3, 12),
    (re.compile(r"第(\d{1,3})个教师节"), 1985, 9, 10),
    (re.compile(r"第(\d{1,3})个(?:全民)?国家安全教育日"), 2016, 4, 15),
    (re.compile(r"第(\d{1,3})个(?:中国)?农民丰收节"), 2018, 9, 23),  # approximate day: autumn equinox
    (re.compile(r"第(\d{1,3})个(?:国家)?宪法日"), 2014, 12, 4),
    (re.compile(r"第(\d{1,3})个(?:中国)?人民警察节"), 2021, 1, 10),
)
_DATELINE = re.compile(r"本报(?:[^\s讯]{0,6})?(\d{1,2})月(\d{1,2})日(?:电|讯)")


def _news_day(year: int, month: int, day: int) -> DateGuess | None:
    """The day a story's news happened: the paper prints it that day or the next, so only the
    month is certain (the year alone when the next day starts a new month)."""
    date = _valid(year, month, day)
    if date is None:
        return None
    following = date + dt.timedelta(days=1)
    if following.month == date.month:
        return _guess(date, "month", "text")
    return _guess(date, "year", "text") if following.year == date.year else None


def from_text(text: str) -> DateGuess | None:
    """Evidence in the text: a numbered annual day gives the year; with a dateline (本报3月12日讯)
    or 今天 on the same story it gives the news day, hence the month. Without a year, a dateline
    alone gives nothing."""
    for pattern, first_year, month, day in ANNUAL_DAYS:
        match = pattern.search(text)
        if not match:
            continue
        year = first_year + int(match.group(1)) - 1
        dateline = _DATELINE.search(text[:300])
        if dateline:
            return _news_day(year, int(dateline.group(1)), int(dateline.group(2)))
        near = text[max(0, match.start() - 12): match.start()]
        if re.search(r"今天|今日", near):
            return _news_day(year, month, day)
        return _guess(_valid(year), "year", "text")
    return None


_FULL_DATE = r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
_DATE_RANGE = re.compile(_FULL_DATE + r"\s*(?:-|—|–|~|～|至|到)+\s*(?:((?:19|20)\d{2})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def from_ads(ad_lines: list[str]) -> DateGuess | None:
    """An advertisement's date range (理财募集期: 2022年11月24日-2022年11月30日) is an offer open
    when the page was printed: a range within one month gives the month, within one year the year.
    Dates the articles merely mention are never used (on the People's Daily crawl such mentions
    name another year in about 4 of 10 cases)."""
    for line in ad_lines:
        for match in _DATE_RANGE.finditer(line):
            year, month, day, end_year, end_month, end_day = match.groups()
            first = _valid(int(year), int(month), int(day))
            last = _valid(int(end_year or year), int(end_month), int(end_day))
            if first is None or last is None or not first <= last:
                continue
            if (first.year, first.month) == (last.year, last.month):
                return _guess(first, "month", "text")
            if first.year == last.year:
                return _guess(first, "year", "text")
    return None


_RANK = {"day": 0, "month": 1, "year": 2}


def page_date(meta_date: str | None, header_lines: list[str], path: str, story_texts: list[str],
              ad_lines: list[str]) -> DateGuess | None:
    """The publication date of a file, which every story on it shares: metadata, a header line,
    the path, then the most precise evidence in its stories' text, then its ads."""
    found = from_metadata(meta_date) or from_header(header_lines) or from_path(path)
    if found:
        return found
    evidence = [guess for guess in map(from_text, story_texts) if guess]
    if evidence:
        return min(evidence, key=lambda guess: _RANK[guess.precision])
    return from_ads(ad_lines)
