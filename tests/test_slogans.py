"""Slogans and programme names, on sentences of the seed files: names in, ordinary quotations out."""

import pytest
import yaml

from pipeline.io import RESOURCES
from pipeline.slogans import SloganRules, SloganRulesError, find_slogans, is_parallel_slogan, slogans_table
from tests.conftest import seed


@pytest.fixture(scope="module")
def rules():
    return SloganRules.from_config(yaml.safe_load((RESOURCES / "slogans.yaml").read_text(encoding="utf-8")))


def names(sentence, rules, title=""):
    return {(name, kind) for name, kind, _, _ in find_slogans(title, sentence, rules)}


FOUND = [
    # (seed sentence, name, kind)
    ("“吉祥码”扫码端“码上行动”App可对流动人员健康状态进行核查", "码上行动", "app"),
    ("“吉祥码”扫码端“码上行动”App可对流动人员健康状态进行核查", "吉祥码", "app"),
    ('切实叫响了"经心办"服务品牌。', "经心办", "brand"),
    ("他们以开展“大抓基层年”活动为契机,对症下药、精准开方", "大抓基层年", "campaign"),
    ("通过落实网格长、楼栋长、单元长“三长”联动机制,使党建工作在小区内实现全面覆盖。", "三长", "programme"),
    ("公主岭市建立“468”工作体系,推动“幸福小区”创建。", "468", "programme"),
    ("公主岭市建立“468”工作体系,推动“幸福小区”创建。", "幸福小区", "campaign"),
    ('每两年开展一次"十星级文明户"评选活动', "十星级文明户", "campaign"),
    ('通过"爱心超市"积分制管理模式,引导广大群众积极参与乡村治理', "爱心超市", "brand"),
    ('大大提升了企业群众对"一网通办""全程网办"的获得感和体验感', "全程网办", "programme"),
    ('"民之所望,政之所向"。', "民之所望,政之所向", "slogan"),
    ('县文明办先后下发《"践行新风尚 文明长岭人"主题文明培育行动方案》', "践行新风尚 文明长岭人", "slogan"),
    ("当真心与信心双向奔赴 自信上饶便是兴业上饶", "自信上饶", "brand"),  # a known name, unquoted
]


@pytest.mark.parametrize("sentence, name, kind", FOUND)
def test_names_are_found_with_their_kind(sentence, name, kind, rules):
    assert (name, kind) in names(sentence, rules)


ORDINARY = [
    # scare quotes, speech, phrases: no name in these
    "让每一位办理业务的群众都能通过服务感受政府的“温度”。",
    "要求党员干部脱下“正装”换上“工服”。",
    "如何让党群服务中心更有感、成为凝聚民心的“磁力高地”?",
    "切实打通服务基层“最后100米”。",
    '"有了审批服务专班,啥难事都好办。"企业负责人说。',
    "把党群服务中心建到群众“家门口”,同时致力将中心打造为“一体多能”的为民服务阵地。",
    '让网上办事从"可办能办"向"好办易办"转变。',
    "组织开展了‘我们的节日’‘爱国教育’‘消防安全’等内容丰富的文化活动",
    "这是“山川异域，风月同天”的情谊。",  # verse: parallel, but the halves share nothing and no 主题/活动 follows
    "卡号和“密码”要保管好。",  # too short for its ending (码) to make it an app
]


@pytest.mark.parametrize("sentence", ORDINARY)
def test_ordinary_quotations_are_not_slogans(sentence, rules):
    assert names(sentence, rules) == set()


PARALLEL = [
    ("民之所望,政之所向", True),
    ("践行新风尚 文明长岭人", True),
    ("进一扇门、找一个人、办多件事", True),
    ("大清洗、大消毒", False),  # a list of two actions, not a slogan
    ("有了审批服务专班,啥难事都好办。", False),  # speech
    ("近 在咫尺", False),  # an OCR break
]


@pytest.mark.parametrize("span, expected", PARALLEL)
def test_parallel_slogans(span, expected):
    assert is_parallel_slogan(span) is expected


def test_position_and_mentions(rules):
    title = "“码上行动”App页面改版升级"
    text = "为做好公共场所疫情防控工作,近日,“码上行动”App改版升级。“码上行动”App可核查。"
    (name, kind, position, mentions), = find_slogans(title, text, rules)
    assert (name, kind, mentions) == ("码上行动", "app", 3)
    assert text[position:position + 4] == "码上行动"
    (_, _, position, _), = find_slogans("“码上行动”App页面改版升级", "正文没有提到。", rules)
    assert position is None  # named in the title only


def test_the_rules_file_is_checked():
    with pytest.raises(SloganRulesError, match="unknown kinds"):
        SloganRules.from_config({"known": {"经心办": "logo"}})
    with pytest.raises(SloganRulesError, match="unknown kinds"):
        SloganRules.from_config({"after": {"logo": ["品牌"]}})


def test_the_seed_pages_yield_their_programme_names(resources):
    import pandas as pd

    articles = pd.DataFrame({"article_id": ["002", "003"], "title": ["", ""], "text": [seed("002"), seed("003")]})
    table = slogans_table(articles, resources.slogan_rules)
    found = set(zip(table["article_id"], table["slogan"]))
    assert {("002", "经心办"), ("002", "经易办"), ("002", "经近办"), ("002", "吉事办"), ("003", "大抓基层年"), ("003", "自信上饶")} <= found
    assert not {"温度", "磁力高地", "家门口"} & set(table["slogan"])
