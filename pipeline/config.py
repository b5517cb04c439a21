"""Everything the stages need besides the data, built once from the resource files.

`pipeline.io.load_resources` reads the files; this module turns their parsed contents into the
objects passed to the stages (compiled patterns, automata, the segmenter).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.clean import LinePatterns
from pipeline.formats import FieldMap
from pipeline.gazetteer import Gazetteer
from pipeline.indicators import IndicatorRules
from pipeline.segment import Segmenter, make_segmenter, parse_user_dictionary
from pipeline.slogans import SloganRules
from pipeline.sources import SourceBook
from pipeline.themes import Taxonomy


@dataclass
class Resources:
    patterns: LinePatterns
    sources: SourceBook
    homes: dict[str, str]  # publisher → home adcode
    taxonomy: Taxonomy
    gazetteer: Gazetteer
    segmenter: Segmenter
    stopwords: frozenset[str]
    fields: FieldMap
    slogan_rules: SloganRules
    indicator_rules: IndicatorRules

    @classmethod
    def from_parsed(cls, *, boilerplate: dict, sources: dict, themes: dict, divisions: pd.DataFrame,
                    aliases: pd.DataFrame, false_friends: str, user_dictionary: str, stopwords: str,
                    segmenter_engine: str = "auto", fields: FieldMap | None = None,
                    slogans: dict, indicators: dict) -> Resources:
        return cls(
            patterns=LinePatterns.from_config(boilerplate),
            sources=SourceBook.from_config(sources),
            homes={str(k): str(v) for k, v in (sources.get("homes") or {}).items()},
            taxonomy=Taxonomy.from_config(themes),
            gazetteer=Gazetteer.from_tables(divisions, aliases, _lines(false_friends)),
            segmenter=make_segmenter(parse_user_dictionary(user_dictionary), segmenter_engine),
            stopwords=frozenset(_lines(stopwords)),
            fields=fields or FieldMap(),
            slogan_rules=SloganRules.from_config(slogans),
            indicator_rules=IndicatorRules.from_config(indicators),
        )


def _lines(text: str) -> list[str]:
    return [line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()]
