"""Duplicates: exact, near and partial copies of seed stories, table-driven; the collapsed table."""

import numpy as np
import pandas as pd
import pytest

from pipeline.dedupe import dedupe, duplicate_groups, shingle_hashes, signatures, sketch, sketch_table
from pipeline.schema import ARTICLES, Col
from pipeline.split import split_page
from tests.conftest import seed


@pytest.fixture(scope="module")
def stories(resources) -> list[str]:
    """The texts of the 17 stories of the OCR and digest pages (002#0 is stories[8])."""
    return [s.text for prefix in ("001", "002", "003") for s in split_page(seed(prefix), resources.patterns).stories]


def groups(texts: list[str]) -> list[int]:
    return duplicate_groups(texts, sketch(texts))


def _sentences(text: str) -> list[str]:
    return [s + "。" for s in text.split("。") if s.strip()]


VARIANTS = {
    "exact, other spacing and punctuation": lambda t: t.replace(",", "，").replace("\n\n", "\n"),
    "near, one sentence changed": lambda t: t.replace(_sentences(t)[1], "记者从有关部门了解到这一情况。"),
    "partial, the second half (a continuation page)": lambda t: t[len(t) // 2:],
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_copies_join_the_group_of_the_whole_article(stories, variant):
    original = stories[8]  # 002#0, 2,900 characters
    texts = [VARIANTS[variant](original), *stories]
    found = groups(texts)
    assert found[0] == found[9] == (0 if len(texts[0]) > len(original) else 9)  # the longer text is kept
    assert found[1:9] + found[10:] == [i for i in range(len(texts)) if i not in (0, 9)]


def test_different_stories_stay_apart(stories):
    assert groups(stories) == list(range(len(stories)))


@pytest.mark.parametrize("texts, expected", [
    (["本报讯 记者从有关部门了解到这一情况。", "本报讯，记者从有关部门了解到这一情况"], [0, 0]),  # short: exact only
    (["本报讯 记者从有关部门了解到这一情况。", "本报讯 记者从有关部门了解到了这一情况。"], [0, 1]),
    (["", ""], [0, 0]),
])
def test_short_texts_are_compared_exactly(texts, expected):
    assert groups(texts) == expected


def test_partial_copies_must_be_long_enough(stories):
    sentence = max(_sentences(stories[8]), key=len)  # one shared sentence is not a continuation page
    assert groups([sentence, stories[8]]) == [0, 1]


def test_shingles_never_cross_texts(stories):
    texts = stories[:4]
    hashes, bounds = shingle_hashes(texts)
    for i, text in enumerate(texts):
        alone, _ = shingle_hashes([text])
        start, end = bounds[i]
        assert np.array_equal(hashes[start:end], alone)
    assert bounds[-1][1] == len(hashes)


def test_cores_drop_spaces_and_punctuation_only():
    assert shingle_hashes(["营商 环境，持续优化！"])[0].tolist() == shingle_hashes(["营商环境持续优化"])[0].tolist()
    assert len(shingle_hashes(["营商环境持续优化"])[0]) == 8 - 5 + 1


def test_signatures_estimate_jaccard(stories):
    sigs = signatures(*shingle_hashes([stories[8], stories[8][:2000], stories[0]]))
    same = [(sigs[0] == sigs[k]).mean() for k in (1, 2)]
    assert 0.5 < same[0] < 0.9 and same[1] < 0.1


def test_dedupe_keeps_one_article_with_every_path_and_source(stories):
    rows = []
    for i, (path, text, source) in enumerate([("b.txt", stories[8], "吉林日报"), ("a.txt", stories[8][1000:], "人民日报"),
                                              ("c.txt", stories[0], "城市晚报"), ("d.txt", stories[8], "吉林日报")]):
        rows.append({Col.article_id: str(i), Col.doc_path: path, Col.story: 0, Col.span_start: 0, Col.span_end: len(text),
                     Col.title: "", Col.kicker: "", Col.subtitle: "", Col.date: None, Col.date_precision: None,
                     Col.date_origin: None, Col.source: source, Col.url: None, Col.text: text, Col.n_chars: len(text),
                     Col.n_copies: 1, Col.copy_paths: [path], Col.copy_sources: [source]})
    stories = pd.DataFrame(rows, columns=ARTICLES.columns)
    articles = dedupe(stories, sketch_table(stories.iloc[::-1]))  # sketches found by article id, in any order
    assert articles[Col.doc_path].tolist() == ["b.txt", "c.txt"]
    kept = articles.iloc[0]
    assert kept[Col.n_copies] == 3 and kept[Col.copy_paths] == ["b.txt", "a.txt", "d.txt"]
    assert kept[Col.copy_sources] == ["吉林日报", "人民日报"]
    ARTICLES.to_arrow(articles)  # still the contract


def test_the_sketches_table_holds_each_storys_sketch(stories):
    """What the build caches per page gives dedupe the sketch it would compute itself."""
    texts = [stories[8], "短文", "", stories[0]]
    table = sketch_table(pd.DataFrame({Col.doc_path: ["a", "a", "b", "c"], Col.article_id: ["1", "2", "3", "4"], Col.text: texts}))
    direct = sketch(texts)
    assert table[Col.article_id].tolist() == ["1", "2", "3", "4"]
    assert table["core_digest"].tolist() == direct.digests and table["shingles"].tolist() == direct.shingles.tolist()
    assert table["chars"].tolist() == [len(t) for t in texts]
    assert b"".join(table["signature"]) == direct.signatures.tobytes()
    assert b"".join(table["sampled"]) == direct.sampled.tobytes() and table["sampled"].iloc[1] == b""
    assert sketch_table(pd.DataFrame({Col.doc_path: [], Col.article_id: [], Col.text: []})).empty
