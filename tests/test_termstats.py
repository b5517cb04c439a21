"""Distinctive terms (log-odds with an informative Dirichlet prior) and co-occurrence, on counts
small enough to check by hand."""

import math

import pandas as pd
import pytest

from pipeline.termstats import cooccurrence, distinctive_terms, group_and_rest


def _z(y_g, y_r, a, n_g, n_r, a0):
    delta = math.log((y_g + a) / (n_g + a0 - y_g - a)) - math.log((y_r + a) / (n_r + a0 - y_r - a))
    return delta / math.sqrt(1 / (y_g + a) + 1 / (y_r + a)), delta


# group {a:10, b:1}, rest {a:1, b:10, c:5}; default prior = group + rest = {a:11, b:11, c:5}, α0 = 27.
# δ_a = log(21/17) − log(12/31) = 1.16039; σ² = 1/21 + 1/12 → z_a = 3.20662.
CASES = [
    ("a", 10, 1, 11, 3.206617, 1.160390),
    ("b", 1, 10, 11, *_z(1, 10, 11, 11, 16, 27)),
    ("c", 0, 5, 5, *_z(0, 5, 5, 11, 16, 27)),
]


@pytest.mark.parametrize("term, group_count, rest_count, alpha, z, log_odds", CASES)
def test_log_odds_with_the_default_prior(term, group_count, rest_count, alpha, z, log_odds):
    table = distinctive_terms({"a": 10, "b": 1}, {"a": 1, "b": 10, "c": 5}, top=None).set_index("term")
    assert table.loc[term, "z"] == pytest.approx(z, abs=1e-5)
    assert table.loc[term, "log_odds"] == pytest.approx(log_odds, abs=1e-5)
    assert (table.loc[term, "group_count"], table.loc[term, "rest_count"]) == (group_count, rest_count)


def test_most_distinctive_first_and_top_cuts():
    table = distinctive_terms({"a": 10, "b": 1}, {"a": 1, "b": 10, "c": 5}, top=2)
    assert list(table["term"]) == ["a", "c"]
    assert list(table.columns) == ["term", "z", "log_odds", "group_count", "rest_count"]


@pytest.mark.parametrize("top", [1, 2, 3, 4, 6, None])
def test_the_top_rows_are_the_head_of_the_full_ranking_ties_by_term(top):
    # d, e and f tie with b (same counts): ties are broken by the term, also across the cut
    group = {"a": 10, "b": 1, "d": 1, "e": 1, "f": 1}
    rest = {"a": 1, "b": 10, "c": 5, "d": 10, "e": 10, "f": 10}
    full = distinctive_terms(group, rest, top=None)
    assert list(full["term"]) == ["a", "c", "b", "d", "e", "f"]
    pd.testing.assert_frame_equal(distinctive_terms(group, rest, top=top), full.head(top).reset_index(drop=True))


def test_an_explicit_prior_and_its_scale():
    # prior {a:2, b:2} scaled to sum 2 → α = {a:1, b:1}; α0 = 2; n_g = 4, n_r = 4.
    table = distinctive_terms({"a": 3, "b": 1}, {"a": 1, "b": 3}, {"a": 2, "b": 2}, top=None, prior_scale=2).set_index("term")
    z_a, _ = _z(3, 1, 1, 4, 4, 2)
    assert table.loc["a", "z"] == pytest.approx(z_a)
    assert table.loc["b", "z"] == pytest.approx(-z_a)  # symmetric counts, symmetric scores


def test_a_rare_term_is_shrunk_below_a_frequent_one():
    # Both occur only in the group, but 2 occurrences are weaker evidence than 40.
    table = distinctive_terms({"rare": 2, "common": 40, "x": 10}, {"x": 50, "common": 5}, top=None).set_index("term")
    assert table.loc["common", "z"] > table.loc["rare", "z"] > 0


def test_group_and_rest_sum_the_terms_table():
    terms = pd.DataFrame({"article_id": ["1", "1", "2", "3"], "term": ["营商环境", "企业", "企业", "社区"], "mentions": [2, 1, 4, 3]})
    group, rest = group_and_rest(terms, ["1", "2"])
    assert group.to_dict() == {"企业": 5, "营商环境": 2}
    assert rest.to_dict() == {"社区": 3}


COOCCURRENCE = [
    ([["x", "y", "z"], ["x", "y"], ["y", "z", "z"]], None, 2, [("x", "y", 2), ("y", "z", 2)]),
    ([["x", "y", "z"], ["x", "y"], ["y", "z", "z"]], None, 1, [("x", "y", 2), ("y", "z", 2), ("x", "z", 1)]),
    ([["x", "y", "z"], ["x", "y"], ["y", "z"]], ["x", "z"], 1, [("x", "z", 1)]),
    ([["x"], []], None, 1, []),
]


@pytest.mark.parametrize("articles, vocabulary, min_articles, expected", COOCCURRENCE)
def test_cooccurrence_counts_articles_per_pair(articles, vocabulary, min_articles, expected):
    table = cooccurrence(articles, vocabulary, min_articles)
    assert list(table.itertuples(index=False, name=None)) == expected
    assert list(table.columns) == ["source", "target", "articles"]
