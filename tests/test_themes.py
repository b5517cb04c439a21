"""Theme scoring: the rules on a small taxonomy, then the bundled taxonomy on the seeds."""

import pandas as pd
import pytest
import yaml

from pipeline.io import RESOURCES
from pipeline.themes import Taxonomy, TaxonomyError, score_article, themes_table
from tests.conftest import seed

SMALL = {
    "threshold": 4.0,
    "themes": [
        {"id": "business_environment", "strong": ["营商环境", "放管服"], "supporting": ["企业", "审批"]},
        {"id": "ecology", "strong": ["生态环境"], "supporting": ["环境", "绿化", "污染"], "exclude": ["营商环境", "人居环境"]},
    ],
}
FILLER = "记者走访了当地的几个单位，了解情况并听取意见。"  # 24 characters without any theme term


def paragraphs(*parts: str) -> str:
    return "\n\n".join(parts)


CASES = [
    # (title, text, assigned theme ids)
    ("优化营商环境", paragraphs(FILLER * 20), {"business_environment"}),  # a strong term in the title
    ("会议召开", paragraphs("当地推进营商环境建设。" + FILLER * 10, FILLER * 10), set()),  # one stray mention
    ("会议召开", paragraphs("营商环境持续优化，放管服改革深入。", "营商环境评价靠前。"), {"business_environment"}),
    ("会议召开", paragraphs("营商环境持续优化，放管服改革深入。" + FILLER * 40, FILLER * 40), set()),  # one paragraph in a long text
    ("会议召开", paragraphs("营商环境好，人居环境美。", "营商环境再提升，人居环境整治。"), {"business_environment"}),  # 环境 inside 营商环境 is not ecology
    ("会议召开", paragraphs("生态环境持续改善。", "生态环境保护见成效。"), {"ecology"}),
    # a newspaper column's name closing the title is not the headline: 营商环境 there tags nothing
    ("审批有指南 办事少犯难（营商环境新实践）", paragraphs(FILLER * 20), set()),
    ("营商环境有新招（新春走基层）", paragraphs(FILLER * 20), {"business_environment"}),
]


@pytest.mark.parametrize("title, text, expected", CASES)
def test_assignment_rules(title, text, expected):
    taxonomy = Taxonomy.from_config(SMALL)
    assert {t for t, _, _ in score_article(title, text, taxonomy)} == expected


def test_every_assignment_keeps_its_terms_and_counts():
    taxonomy = Taxonomy.from_config(SMALL)
    (theme, score, terms), = score_article("会议召开", paragraphs("营商环境持续优化，企业审批提速。", "营商环境评价靠前，企业点赞。"), taxonomy)
    assert theme == "business_environment" and score > 4
    assert terms == ["企业×2", "营商环境×2", "审批×1"]


def test_the_title_weighs_more_than_the_tail():
    taxonomy = Taxonomy.from_config(SMALL)
    body = paragraphs("放管服改革。", FILLER, "放管服再深化。")
    (_, in_title, _), = score_article("营商环境", body, taxonomy)
    (_, in_tail, _), = score_article("会议召开", body + "营商环境", taxonomy)
    assert in_title > in_tail


def test_a_theme_threshold_overrides_the_global_one():
    strict = {**SMALL, "themes": [{**SMALL["themes"][0], "threshold": 1000}]}
    text = paragraphs("营商环境持续优化，放管服改革深入。", "营商环境评价靠前。")
    assert score_article("会议召开", text, Taxonomy.from_config(SMALL))
    assert score_article("会议召开", text, Taxonomy.from_config(strict)) == []


INVALID = [
    ({}, "needs a `themes:` list"),
    ({"themes": [{"label_zh": "无"}]}, "has no id"),
    ({"themes": [{"id": "a", "strong": ["x"]}, {"id": "a", "strong": ["y"]}]}, "appears twice"),
    ({"themes": [{"id": "a"}]}, "no strong or supporting terms"),
    ({"themes": [{"id": "a", "strong": ["x"], "parent": "b"}]}, "parent 'b' is not a theme id"),
    ({"themes": [{"id": "a", "strong": ["x"], "threshold": "high"}]}, "threshold must be a number"),
]


@pytest.mark.parametrize("config, message", INVALID)
def test_invalid_taxonomies_are_refused(config, message):
    with pytest.raises(TaxonomyError, match=message):
        Taxonomy.from_config(config)


@pytest.fixture(scope="module")
def bundled():
    return yaml.safe_load((RESOURCES / "themes.yaml").read_text(encoding="utf-8"))


def test_the_bundled_taxonomy_has_the_core_ids_and_every_field(bundled):
    ids = [t["id"] for t in bundled["themes"]]
    assert {"business_environment", "government_services", "community_services", "grassroots_governance", "rural_improvement"} <= set(ids)
    for theme in bundled["themes"]:
        assert {"id", "label_zh", "label_en", "description", "strong", "supporting", "exclude"} <= set(theme), theme["id"]


@pytest.mark.parametrize("text, business", [
    # 经营主体 is business environment, but 新型农业经营主体 (family farms, co-operatives) is rural policy
    (paragraphs("培育新型农业经营主体，发展家庭农场。", "扶持新型农业经营主体和规模经营主体。"), False),
    (paragraphs("为经营主体纾困，激发经营主体活力。", "经营主体数量持续增长。"), True),
])
def test_farm_business_entities_are_not_business_environment(bundled, text, business):
    themes = {theme for theme, _, _ in score_article("会议召开", text, Taxonomy.from_config(bundled))}
    assert ("business_environment" in themes) == business


SEED_STORIES = [
    # (seed, a line of the story's title, themes it must get) — stories of the bundled sample
    ("003", "上饶:党群服务中心成凝聚民心“磁力高地”", {"community_services"}),
    ("004", "新发路观察|脱下“正装”换上“工服”,长春新区党员干部集体“换位”争当“店小二”", {"business_environment"}),
]


@pytest.mark.parametrize("prefix, title, expected", SEED_STORIES)
def test_seed_stories_get_their_themes(prefix, title, expected, resources):
    text = seed(prefix)
    body = text[text.index(title) + len(title):]
    assigned = {t for t, _, _ in score_article(title, body, resources.taxonomy)}
    assert expected <= assigned


def test_editing_the_taxonomy_changes_the_table(bundled):
    articles = pd.DataFrame({"article_id": ["a"], "title": ["码上行动升级"], "text": ["扫码登记。\n\n扫码核验。"]})
    assert themes_table(articles, Taxonomy.from_config(bundled)).empty
    edited = {**bundled, "themes": [*bundled["themes"], {"id": "codes", "strong": ["码上行动"]}]}
    table = themes_table(articles, Taxonomy.from_config(edited))
    assert table[["theme", "matched_terms"]].to_dict("records") == [{"theme": "codes", "matched_terms": ["码上行动×1"]}]
