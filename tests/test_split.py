"""Splitting the bundled pages into stories (titles checked against the hand labels)."""

import json
from pathlib import Path

import pytest

from pipeline.split import split_page
from tests.conftest import ROOT, seed

LABELS = ROOT / "benchmarks" / "eval" / "labels.jsonl"


def labelled_titles(prefix: str) -> list[str]:
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["title"] for r in sorted(rows, key=lambda r: r["story"]) if r["corpus"] == "seeds" and r["doc_path"].startswith(prefix)]


@pytest.mark.parametrize("prefix, stories", [("001", 8), ("002", 6), ("003", 3), ("004", 1)])
def test_pages_split_into_the_labelled_stories(resources, prefix, stories):
    found = split_page(seed(prefix), resources.patterns)
    titles = labelled_titles(prefix)
    assert len(titles) == stories
    assert len(found) == stories
    for story, title in zip(found, titles):
        assert title in story.title, (story.title, title)


def test_spans_lie_inside_the_text_and_in_order(resources):
    text = seed("001")
    stories = split_page(text, resources.patterns)
    ends = 0
    for story in stories:
        assert ends <= story.span_start < story.span_end <= len(text)
        assert text[story.span_start: story.span_end].strip().startswith(story.title.split()[0])
        ends = story.span_end


def test_ads_and_captions_are_not_stories_nor_text(resources):
    stories = split_page(seed("001"), resources.patterns)
    everything = "\n".join(s.title + s.text for s in stories)
    for furniture in ("渤海银行", "理财有风险", "财富热线", "南城中心供图", "文化宣传展板"):
        assert furniture not in everything


def test_broken_ocr_lines_are_joined(resources):
    story = split_page(seed("001"), resources.patterns)[0]
    assert "小区第一书记" in story.text
    assert "创建记事\n" not in story.text or "——公主岭市" in story.text


def test_single_article_stays_whole(resources):
    assert len(split_page(seed("004"), resources.patterns, single=True)) == 1


def test_bylines_are_kept_apart(resources):
    stories = split_page(seed("001"), resources.patterns)
    assert stories[0].bylines == ["吉林日报记者 王焕照"]
    assert "王焕照" not in stories[0].text
