"""Publishers: from metadata, a "来源:" header, a byline, the page's other stories, or the path."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class SourceBook:
    """Known publishers and path mappings (from resources/sources.yaml)."""

    spellings: dict[str, str]  # any spelling → canonical name
    paths: dict[str, str]  # path component → canonical name

    @classmethod
    def from_config(cls, config: dict) -> SourceBook:
        spellings = {}
        for name, others in (config.get("publishers") or {}).items():
            for spelling in [name, *(others or [])]:
                spellings[spelling] = name
        return cls(spellings, dict(config.get("paths") or {}))

    def canonical(self, name: str) -> str:
        return self.spellings.get(name.strip(), name.strip())

    def find_in(self, text: str) -> str | None:
        """The publisher whose spelling occurs first in `text` (longest spelling wins at a tie)."""
        best: tuple[int, int, str] | None = None
        for spelling, name in self.spellings.items():
            at = text.find(spelling)
            if at >= 0 and (best is None or (at, -len(spelling)) < best[:2]):
                best = (at, -len(spelling), name)
        return best[2] if best else None

    def from_path(self, path: str) -> str | None:
        for part in reversed(re.split(r"[/\\]", path)):
            if part in self.paths:
                return self.paths[part]
        return None


def header_source(lines: list[str], pattern: re.Pattern, head: int = 8) -> str | None:
    """"来源: 关仁问答网" in the first lines of a file."""
    for line in [l.strip() for l in lines if l.strip()][:head]:
        match = pattern.search(line)
        if match:
            return match.group("source")
    return None


def story_source(book: SourceBook, meta_source: str | None, header: str | None, bylines: list[str],
                 path: str) -> str | None:
    """The most specific evidence wins: metadata, the file's source header, the story's byline
    (吉林日报记者 王焕照 → 吉林日报), then the path mapping."""
    if meta_source:
        return book.canonical(meta_source)
    if header:
        return book.canonical(header)
    for byline in bylines:
        found = book.find_in(byline)
        if found:
            return found
    return book.from_path(path)
