"""Cleaning functions, table-driven."""

import pytest

from pipeline.clean import drop_repeated_fragments, header_lines, is_title_like, join_broken_lines, normalize, squeeze_ocr_spaces
from tests.conftest import seed


@pytest.mark.parametrize("raw, expected", [
    ("ＡＢＣ１２３", "ABC123"),  # full-width letters and digits
    ("长春\u3000新区", "长春 新区"),  # ideographic space
    ("营商\u200b环境\ufeff", "营商环境"),  # zero-width and BOM
    ("a\u202eb", "ab"),  # right-to-left override
    ("政务服务，一网通办。", "政务服务，一网通办。"),  # CJK punctuation kept
    ("line1\r\nline2", "line1\nline2"),
])
def test_normalize(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize("line, expected", [
    ("长春工业大学庆祝建校70周年", True),
    ("整合资源  打造一体多能为民服务阵地", True),
    ("——实施首问负责制,小区第", True),
    ("今年以来,公主岭市建立“468”工作体系,推动“幸福小区”创建。", False),
    ("近日,城市晚报全媒体记者了解到,", False),
    ("”,可爱的乐小星文创让", False),  # starts with closing punctuation: a fragment
])
def test_is_title_like(line, expected):
    assert is_title_like(line) is expected


@pytest.mark.parametrize("paragraphs, expected", [
    (["——实施首问负责制,小区第", "一书记、“三长”等“接单即受理”。"], ["——实施首问负责制,小区第一书记、“三长”等“接单即受理”。"]),
    (["一期建设项目计划于2023年8月的长句子还在继续没有结束的样子", "份完工。"], ["一期建设项目计划于2023年8月的长句子还在继续没有结束的样子份完工。"]),
    (["整合资源 打造阵地", "8月30日上午,记者走进社区。"], ["整合资源 打造阵地", "8月30日上午,记者走进社区。"]),
    (["第一句结束。", "第二句。"], ["第一句结束。", "第二句。"]),
    (["- 名单如下: 1.长春市新区清泉湖文化与旅游度假区", "- 2.吉林市龙潭区金珠花旅游度假区"],
     ["- 名单如下: 1.长春市新区清泉湖文化与旅游度假区", "- 2.吉林市龙潭区金珠花旅游度假区"]),  # list items stay apart
    (["名单如下,其中包括以下几家单位和旅游度假区", "2.吉林市龙潭区金珠花旅游度假区"],
     ["名单如下,其中包括以下几家单位和旅游度假区", "2.吉林市龙潭区金珠花旅游度假区"]),
    (["一期建设项目计划于2023年8月的长句子还在继续没有结束的样子", "1.5亿元投资完工。"],
     ["一期建设项目计划于2023年8月的长句子还在继续没有结束的样子1.5亿元投资完工。"]),  # a number, not a list item
])
def test_join_broken_lines(paragraphs, expected):
    assert join_broken_lines(paragraphs) == expected


@pytest.mark.parametrize("paragraphs, expected", [
    # exact repeat at a column break
    (["确保常年维持在90%以上,建立有效的免疫屏障。", "90%以上,建立有效的免疫屏障。认真组织大清洗。"],
     ["确保常年维持在90%以上,建立有效的免疫屏障。", "认真组织大清洗。"]),
    # garbled repeat after the good copy
    (["确保审批服务全过程专班对接,赢得了良好的口碑。", "新主过程专项对按,赢得了良好的口峰。结合实际制定制度。"],
     ["确保审批服务全过程专班对接,赢得了良好的口碑。", "结合实际制定制度。"]),
    # garbled copy before the good one: the good one stays
    (["丰富了体彩人的精神文化生活、为打造丰富多彩的美好生活贡献中崛力景", "文化生活,为打造丰富多彩的美好生活贡献巾帼力量。"],
     ["丰富了体彩人的精神", "文化生活,为打造丰富多彩的美好生活贡献巾帼力量。"]),
    # different sentences stay
    (["他说今天天气很好。", "今天我们去公园散步。"], ["他说今天天气很好。", "今天我们去公园散步。"]),
    # clean prose: paragraphs opening alike, a heading repeated by the next paragraph, parallel clauses
    (["近年来,长春经开区凭借服务品牌,有效构建起高效便利政务服务崭新格局。", "近年来,长春经开区瞄准构建让企业群众省心的办事环境。"],
     ["近年来,长春经开区凭借服务品牌,有效构建起高效便利政务服务崭新格局。", "近年来,长春经开区瞄准构建让企业群众省心的办事环境。"]),
    (["党建引领全联动 以“小单元”撬动“大治理”", "党建引领全联动,基层治理激活力。"],
     ["党建引领全联动 以“小单元”撬动“大治理”", "党建引领全联动,基层治理激活力。"]),
    (["提升组织力,发展更有力,公主岭市进一步加强包保服务。", "发展更有力,公主岭市进一步加强包保服务。"],
     ["提升组织力,发展更有力,公主岭市进一步加强包保服务。", "发展更有力,公主岭市进一步加强包保服务。"]),
    # a paragraph ending in an unfinished fragment that the next one repeats in full
    (["第一句已经结束。目前,我国的全民义务植树尽责", "目前,我国的全民义务植树尽责形式已扩展为造林绿化。"],
     ["第一句已经结束。", "目前,我国的全民义务植树尽责形式已扩展为造林绿化。"]),
])
def test_drop_repeated_fragments(paragraphs, expected):
    assert drop_repeated_fragments(paragraphs) == expected


def test_squeeze_ocr_spaces():
    assert squeeze_ocr_spaces("天气转 暖,但通化的雪依然\"正 当时\"") == "天气转暖,但通化的雪依然\"正当时\""


@pytest.mark.parametrize("text, expected", [
    (seed("003"), ["来源: 关仁问答网", "2024-05-18 10:42:36", "", "兴园街道提升党群服务中心阵地", ""]),
    ("\n通知\n\n\u3000\u3000" + "各乡镇指导辖区行政村成立道德评议会、禁毒禁赌协会等村民自治组织。" + "\n\u3000\u30002024年3月12日\n", ["", "通知", ""]),
])
def test_header_lines_stop_at_the_first_sentence_of_prose(text, expected):
    assert header_lines(text) == expected
