"""Terms and keywords: the governance dictionary, stopwords, POS filter, TF-IDF on small counts."""

import math

import pandas as pd
import pytest

from pipeline.keywords import content_terms, keywords_table, terms_table

POLICY_PHRASES = ["一网通办", "最多跑一次", "放管服", "营商环境", "党群服务中心", "人居环境", "网格化", "接诉即办", "一件事一次办"]


@pytest.mark.parametrize("phrase", POLICY_PHRASES)
def test_policy_phrases_stay_whole(phrase, resources):
    terms = content_terms(f"各地深入推进{phrase}工作，群众点赞{phrase}。", resources.segmenter, resources.stopwords)
    assert terms[phrase] == 2


def test_stopwords_numbers_and_function_words_are_dropped(resources):
    # A sentence of seed 002 with a byline in front.
    text = "本报讯(记者韩玉红)今天是第46个中国植树节,长春市绿化委员会办公室联合举办义务植树尽责活动。责任编辑:王某"
    terms = content_terms(text, resources.segmenter, resources.stopwords)
    assert not {"本报讯", "记者", "责任编辑", "今天", "46"} & set(terms)
    assert {"植树节", "义务"} & set(terms)
    assert all(len(t) >= 2 for t in terms)


def test_terms_table_counts_title_and_text(resources):
    articles = pd.DataFrame({"article_id": ["a"], "title": ["营商环境"], "text": ["优化营商环境，推进一网通办。"]})
    table = terms_table(articles, resources.segmenter, resources.stopwords)
    counts = dict(zip(table["term"], table["mentions"]))
    assert counts["营商环境"] == 2 and counts["一网通办"] == 1
    assert str(table["mentions"].dtype) == "int32"


def test_keywords_are_tf_idf_normalised_per_article():
    terms = pd.DataFrame({
        "article_id": ["1", "1", "2", "2"],
        "term": ["社区", "网格", "社区", "企业"],
        "mentions": [1, 3, 2, 2],
    })
    table = keywords_table(terms)
    weights = {(r.article_id, r.term): r.weight for r in table.itertuples()}
    # article 1: 网格 tf 3/4 × idf(log(3/2)+1), 社区 tf 1/4 × idf(log(3/3)+1) = 1/4
    top = 0.75 * (math.log(3 / 2) + 1)
    assert weights[("1", "网格")] == 1.0
    assert weights[("1", "社区")] == pytest.approx(round(0.25 / top, 4))
    assert weights[("2", "企业")] == 1.0  # rarer across articles beats the shared term at equal counts
    assert list(table["term"][table["article_id"] == "1"]) == ["网格", "社区"]


def test_top_k_keeps_the_best_terms():
    terms = pd.DataFrame({"article_id": ["1"] * 5, "term": list("abcde"), "mentions": [5, 4, 3, 2, 1]})
    assert list(keywords_table(terms, top_k=2)["term"]) == ["a", "b"]
