"""The segmenter wrapper: rjieba agrees with jieba on real text; the user dictionary applies to both."""

import pytest

from pipeline.io import RESOURCES
from pipeline.segment import make_segmenter, parse_user_dictionary

pytest.importorskip("rjieba")
USER_WORDS = parse_user_dictionary((RESOURCES / "userdict.txt").read_text(encoding="utf-8"))
SAMPLE_FILES = 300  # of the unfiltered People's Daily crawl, spread over its 150 days


@pytest.fixture(scope="module")
def segmenters():
    return make_segmenter(USER_WORDS, "rjieba"), make_segmenter(USER_WORDS, "jieba")


def test_rjieba_gives_jiebas_tokens_on_at_least_99_percent_of_files(segmenters, shared_corpus):
    """News text. Where they differ, jieba-rs keeps a run of Latin letters and digits with dots or
    dashes whole (www.gov.cn, 0431-81965333, 2024-05-18) and jieba cuts it at the dots and dashes:
    scraped pages full of links and file names (the seeds 000 and 004) differ in most files."""
    files = sorted((shared_corpus / "rmrb").rglob("*.txt"))
    sample = files[:: max(1, len(files) // SAMPLE_FILES)][:SAMPLE_FILES]
    fast, reference = segmenters
    differing = [path.name for path in sample
                 if fast.cut(text := path.read_text(encoding="utf-8")) != reference.cut(text)]
    assert len(differing) <= 0.01 * len(sample), f"{len(differing)} of {len(sample)} files segmented differently: {differing[:5]}"


@pytest.mark.parametrize("word", ["一网通办", "最多跑一次", "一件事一次办", "党群服务中心", "接诉即办", "拿地即开工", "新时代文明实践站"])
@pytest.mark.parametrize("engine", ["rjieba", "jieba"])
def test_the_governance_dictionary_keeps_its_words_whole(word, engine):
    # Both segmenters split these without the dictionary (一网通|办, 最多|跑|一次…).
    assert word in make_segmenter(USER_WORDS, engine).cut(f"各地推进{word}改革。")
    assert word not in make_segmenter([], engine).cut(f"各地推进{word}改革。")


@pytest.mark.parametrize("engine", ["rjieba", "jieba"])
def test_dictionary_tags_reach_part_of_speech(engine):
    assert ("一网通办", "n") in make_segmenter(USER_WORDS, engine).tag("上海推进一网通办。")


def test_loaded_dictionaries_are_bounded_and_rebuilt_on_demand():
    from pipeline import segment

    edits = [make_segmenter([(f"试验词语{i}", None, "n")], "rjieba") for i in range(segment.MAX_LOADED + 2)]
    for i, seg in enumerate(edits):  # one user dictionary per edit in the app
        assert f"试验词语{i}" in seg.cut(f"这是试验词语{i}。")
    assert len(segment._LOADED) == segment.MAX_LOADED and edits[0] not in segment._LOADED
    again = make_segmenter([("试验词语0", None, "n")], "rjieba")  # equal to the evicted one
    assert "试验词语0" in again.cut("这是试验词语0。")
