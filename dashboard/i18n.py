"""Interface strings (dashboard/strings.yaml) and theme labels (pipeline/resources/themes.yaml)."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import yaml

STRINGS = Path(__file__).with_name("strings.yaml")


@lru_cache(maxsize=1)
def _strings() -> dict[str, dict[str, str]]:
    return yaml.safe_load(STRINGS.read_text(encoding="utf-8"))


def t(key: str, lang: str = "zh") -> str:
    """The string `key` in `lang` (Chinese when missing)."""
    entry = _strings()[key]
    return entry.get(lang) or entry["zh"]


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
