"""Numeric indicators and the numerals behind them, on sentences of the seed files."""

import pytest
import yaml

from pipeline.indicators import IndicatorRules, IndicatorRulesError, find_indicators, indicators_table
from pipeline.io import RESOURCES
from pipeline.numerals import chinese_number, parse_number


@pytest.fixture(scope="module")
def rules():
    return IndicatorRules.from_config(yaml.safe_load((RESOURCES / "indicators.yaml").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def segmenter(resources):
    return resources.segmenter


NUMBERS = [
    ("82.3", "", 82.3), ("5,100", "", 5100), ("3", "万", 30_000), ("1.6", "万", 16_000), ("12", "亿", 1.2e9),
    ("1408", "亿", 1.408e11), ("三", "万", 30_000), ("一千二百", "", 1200), ("两百", "", 200), ("十二", "", 12),
    ("二十", "", 20), ("一千零五", "", 1005), ("三万五千", "", 35_000), ("一亿二千万", "", 1.2e8), ("一万亿", "", 1e12),
]


@pytest.mark.parametrize("digits, multiplier, value", NUMBERS)
def test_numbers_are_read_with_their_multipliers(digits, multiplier, value):
    assert parse_number(digits, multiplier) == pytest.approx(value)


def test_not_a_numeral():
    with pytest.raises(ValueError):
        chinese_number("十分")


INDICATORS = [
    # (seed sentence, value, unit, measure)
    ("政务服务事项承诺办结时限较法定办结时限压缩82.3%,行政许可事项办结时限较法定办结时限压缩83.2%。", 82.3, "%", "法定办结时限压缩"),
    ("共计新增社区办公服务用房5100余平方米。", 5100, "平方米", "共计新增社区办公服务用房"),
    ("像是总投资13亿元、占地16.6万平方米的中国科学院长春应化所北湖园区项目", 1.3e9, "元", "像是总投资"),
    ("像是总投资13亿元、占地16.6万平方米的中国科学院长春应化所北湖园区项目", 166_000, "平方米", "占地"),
    ("出动警力120余人次到小区走访宣传", 120, "人次", "出动警力"),
    ("全市下沉干部3153人,组建420个功能型小区邻里党支部", 3153, "人", "全市下沉干部"),
    ("近年来,朝阳区已经完成44个村屯的村容村貌整治提升", 44, "个", "村屯"),
    ("覆盖人口4万余人,有效解决了辖区居民办事远的实际问题", 40_000, "人", "覆盖人口"),
    ("累计投入1.2亿元,完成33所学校现代化改造", 1.2e8, "元", "累计投入"),
    ("企业入住率高达98%以上。", 98, "%", "企业入住率"),
    ("组织三万名志愿者参与", 30_000, "名", "志愿者"),
    ("共有两千多名党员", 2000, "名", "党员"),
    # People's Daily: dates before a number are when, not what; the counted noun ends at a verb or adverb
    ("PPP合作使固安的发展实现了跃升——县财政收入由2002年的1.1亿元增长到2019年的96.2亿元", 1.1e8, "元", "县财政收入"),
    ("PPP合作使固安的发展实现了跃升——县财政收入由2002年的1.1亿元增长到2019年的96.2亿元", 9.62e9, "元", "增长"),
    ("在知识青年“上山下乡”的年代，17名汉族知青曾来到巴吉村。", 17, "名", "汉族知青"),
    ("共造成20名平民死亡，其中包括7名儿童。", 20, "名", "平民"),
    ("乌干达军方动员1000名陆军士兵帮助应对蝗灾", 1000, "名", "陆军士兵"),
    ("主动将木材砍伐量从14万立方米缩减至目前不到3万立方米", 30_000, "立方米", "缩减"),
]


@pytest.mark.parametrize("sentence, value, unit, measure", INDICATORS)
def test_indicators_keep_value_unit_and_measure(sentence, value, unit, measure, rules, segmenter):
    found = [(v, u, m) for v, u, m, _ in find_indicators(sentence, rules, segmenter)]
    assert (pytest.approx(value), unit, measure) in found


NOT_INDICATORS = [
    "2021年11月12日，全流程审批系统已经正式上线。",  # dates are not measures
    "一家企业，两个维护，千万不要忘记。",  # determiners and adverbs, not quantities
    "党员干部十分重视百姓诉求。",
]


@pytest.mark.parametrize("sentence", NOT_INDICATORS)
def test_dates_and_determiners_are_not_indicators(sentence, rules, segmenter):
    assert find_indicators(sentence, rules, segmenter) == []


def test_the_sentence_is_kept(rules, segmenter):
    text = "据了解,今年计划建设项目170个。总投资1408亿元,其中产业项目137个。"
    rows = find_indicators(text, rules, segmenter)
    assert [r[3] for r in rows] == ["据了解,今年计划建设项目170个。", "总投资1408亿元,其中产业项目137个。", "总投资1408亿元,其中产业项目137个。"]


def test_the_table(rules, segmenter):
    import pandas as pd

    articles = pd.DataFrame({"article_id": ["a"], "title": ["t"], "text": ["县财政收入由2002年的1.1亿元增长。"]})
    table = indicators_table(articles, rules, segmenter)
    # values are exact: 1.1亿 is 110000000, not 1.1 × 1e8 = 110000000.00000001
    assert table.to_dict("records") == [{"article_id": "a", "value": 110_000_000.0, "unit": "元", "measure": "县财政收入",
                                         "sentence": "县财政收入由2002年的1.1亿元增长。"}]


def test_the_rules_file_is_checked():
    with pytest.raises(IndicatorRulesError, match="no units"):
        IndicatorRules.from_config({"trailing": ["达"]})
