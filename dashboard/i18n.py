"""Interface strings (dashboard/strings.yaml) and theme labels (pipeline/resources/themes.yaml)."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import yaml

STRINGS = Path(__file__).with_name("strings.yaml")
# A skipped file's reason as the pipeline words it (English, in report.json too) → the string
# that names the kind of problem in the interface language (`skip.<kind>`).
SKIP_KINDS = tuple((re.compile(pattern), key) for pattern, key in (
    (r"^empty file", "skip.empty"),
    (r"^binary|^cannot decode", "skip.binary"),
    (r"^a single line of", "skip.long_line"),
    (r"front matter", "skip.front_matter"),
    (r"^malformed CSV", "skip.csv"),
    (r"^malformed JSON|^JSON holds", "skip.json"),
    (r"^no record has a text field", "skip.no_text"),
    (r"^not a readable format", "skip.format"),
    (r"^not a readable zip archive", "skip.zip"),
    (r"escapes its folder", "skip.escapes"),
    (r"zip bomb|^file of .* exceeds the limit", "skip.too_big"),
    (r"is a symbolic link$", "skip.archive_link"),
    (r"^encrypted", "skip.encrypted"),
    (r"compression method|decompressing|corrupt compressed|CRC|Bad magic", "skip.compression"),
    (r"^symbolic link loop|^broken symbolic link|^cannot follow", "skip.link"),
    (r"^not a regular file", "skip.not_regular"),
    (r"^permission denied|^cannot read|^cannot list folder", "skip.permission"),
    (r"^no such file", "skip.missing"),
))


@lru_cache(maxsize=1)
def _strings() -> dict[str, dict[str, str]]:
    return yaml.safe_load(STRINGS.read_text(encoding="utf-8"))


def t(key: str, lang: str = "zh") -> str:
    """The string `key` in `lang` (Chinese when missing)."""
    entry = _strings()[key]
    return entry.get(lang) or entry["zh"]


def skip_reason(reason: str, lang: str = "zh") -> str:
    """A skipped file's reason for the interface: in Chinese the kind of problem, then the
    pipeline's own words (they hold the detail: a line number, a limit); in English as it is."""
    if lang != "zh":
        return reason
    key = next((key for pattern, key in SKIP_KINDS if pattern.search(reason)), None)
    return f"{t(key)}（{reason}）" if key else reason


def has_string(key: str) -> bool:
    return key in _strings()


def chart_text(chart: str, lang: str = "zh") -> dict[str, str]:
    """The strings of one chart, `{part: text}` from the keys `chart.part` (title, x, y, caption…)."""
    prefix = f"{chart}."
    return {key[len(prefix):]: t(key, lang) for key in _strings() if key.startswith(prefix)}


@lru_cache(maxsize=2)
def theme_labels(lang: str = "zh") -> dict[str, str]:
    """Theme id → label in `lang`, from the bundled taxonomy (ids without a label show as is)."""
    # The bundled taxonomy, found without importing pipeline.io (and the whole pipeline with it).
    return labels_of(yaml.safe_load((files("pipeline") / "resources" / "themes.yaml").read_text(encoding="utf-8")), lang)


def labels_of(taxonomy: dict, lang: str) -> dict[str, str]:
    """Theme id → label in `lang` of a taxonomy as its YAML reads (ids without a label show as is)."""
    key = "label_zh" if lang == "zh" else "label_en"
    return {str(th["id"]): str(th.get(key) or th["id"]) for th in taxonomy.get("themes", [])}
