"""Publishers: from a forced name, "来源:" lines, metadata, the path mapping, or a byline.

Order of trust (the first that gives a name wins):
1. `--source NAME` on the command line: the user says who published the whole input;
2. a "来源:" line closing the story (【来源：中国吉林网】 under a repost) or heading the file
   (a digest site's "来源: 关仁问答网" header): it names the original publisher;
3. metadata (front matter, HTML meta, a JSON/CSV field), which often names the reposting platform;
4. the path mapping of sources.yaml (`rmrb/` → 人民日报): a collection organised by outlet, like a
   masthead, outranks bylines, so Xinhua copy printed in People's Daily stays 人民日报;
5. a byline naming a known publisher (吉林日报记者 王焕照 → 吉林日报), for pages without a masthead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class SourceBook:
    """Known publishers and path mappings (from resources/sources.yaml)."""

    spellings: dict[str, str]  # any spelling → canonical name
    paths: dict[str, str]  # path component → canonical name
    forced: str | None = None  # every article's publisher, when the user names it

    @classmethod
    def from_config(cls, config: dict) -> SourceBook:
        spellings = {}
        for name, others in (config.get("publishers") or {}).items():
            for spelling in [name, *(others or [])]:
                spellings[str(spelling)] = str(name)
        return cls(spellings, {str(k): str(v) for k, v in (config.get("paths") or {}).items()})

    def forcing(self, name: str | None) -> SourceBook:
        """A copy that gives every article the publisher `name` (None: detect as usual)."""
        return replace(self, forced=self.canonical(name) if name else None)

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
        """The mapping of the deepest path component that has one."""
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


def story_source(book: SourceBook, credits: list[str], header: str | None, meta_source: str | None,
                 path: str, bylines: list[str]) -> str | None:
    """The story's publisher by the order of trust in this module's docstring."""
    if book.forced:
        return book.forced
    for named in (*credits, header, meta_source):
        if named:
            return book.canonical(named)
    mapped = book.from_path(path)
    if mapped:
        return mapped
    for byline in bylines:
        found = book.find_in(byline)
        if found:
            return found
    return None
