"""The gazetteer: divisions and their parents, names and aliases, and recognition of place names
in text (false friends, word alignment, smaller places that share a name)."""

import pytest

MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}


@pytest.fixture(scope="module")
def gaz(resources):
    return resources.gazetteer


@pytest.mark.parametrize("adcode, name, city_code, province_code", [
    ("220184", "公主岭市", "220100", "220000"),  # under 长春市 since 2020
    ("110105", "朝阳区", "110000", "110000"),  # a municipality's district: the municipality is its city
    ("220104", "朝阳区", "220100", "220000"),
    ("419001", "济源市", "419001", "410000"),  # county-level cities run by their province are their own city
    ("429004", "仙桃市", "429004", "420000"),
    ("220100", "长春市", "220100", "220000"),
    ("110000", "北京市", "110000", "110000"),
    ("220000", "吉林省", None, "220000"),
])
def test_divisions_know_their_city_and_province(gaz, adcode, name, city_code, province_code):
    division = gaz.divisions[adcode]
    assert division.name == name
    assert division.city_code == city_code
    assert division.province_code == province_code


def test_every_city_code_is_a_division_of_the_same_province(gaz):
    for division in gaz.divisions.values():
        if division.city_code:
            city = gaz.divisions[division.city_code]
            assert city.province_code == division.province_code
            assert city.level in ("city", "county") or city.name in MUNICIPALITIES


@pytest.mark.parametrize("name, adcodes", [
    ("吉林", {"220000", "220200"}),  # province or city
    ("通化", {"220500", "220521"}),  # city or county
    ("朝阳区", {"110105", "220104"}),
    ("长春新区", {"220100"}),  # zones map to the city that runs them
    ("雄安新区", {"130600"}),
    ("浦东新区", {"310115"}),
    ("莱芜市", {"370116"}),  # former names map to today's division: 济南市莱芜区
    ("襄樊", {"420600"}),
    ("江北区", {"330205", "500157"}),  # 宁波 today; 重庆's (abolished 2025) is now 两江新区
])
def test_names_and_aliases_denote_their_divisions(gaz, name, adcodes):
    assert {c.adcode for c in gaz.names[name]} == adcodes


def hit_names(gaz, segmenter, text):
    return [h.name for h in gaz.find(text, segmenter)]


@pytest.mark.parametrize("text, expected", [
    ("确保社会长治久安", []),  # a false friend swallows the names inside it
    ("黄河北岸的村庄", []),
    ("新华社长春3月12日电", ["长春"]),
    ("从上海南站出发", ["上海"]),  # a name before a would-be false friend stays (no 海南)
    ("朝阳区永春镇作为长春的南大门", ["朝阳区", "长春"]),  # 永春镇 is a town, not 永春县
    ("据朝阳区南湖街道党建服务科介绍", ["朝阳区"]),
    ("山西万荣县通化镇通化二村", ["山西", "万荣县"]),  # a village of 通化镇, not 通化市
    ("广西崇左市江州区江州镇江州社区", ["广西", "崇左市", "江州区"]),  # no 镇江 across 江州镇|江州
    ("北京西路和灵山路", []),  # streets
    ("长白山管委会", []),  # a mountain
    ("从淮北平原到江南山区", ["淮北"]),  # 南山区 does not start on a word boundary
    ("开展珠江河口区域水资源调查", []),  # 河口区域 is a region, not 河口区
    ("新建一批学校，资源丰富", []),  # ordinary words whose county names only match in full
    ("和平发展是世界潮流", []),
    ("东方红太阳升", []),
    ("总书记在北京考察", ["北京"]),
])
def test_recognition(gaz, resources, text, expected):
    assert hit_names(gaz, resources.segmenter, text) == expected


def test_a_name_used_for_a_smaller_place_is_weak_everywhere_in_the_text(gaz, resources):
    hits = gaz.find("来到通化镇。通化二村村委会里，通化的干部说", resources.segmenter)
    assert [h.name for h in hits] == ["通化"]
    assert all(c.weak for c in hits[0].candidates)


@pytest.mark.parametrize("name", ["城区", "安康", "日照", "来宾", "大庆", "朝阳"])
def test_names_that_are_also_common_words_are_weak(gaz, name):
    assert all(c.weak for c in gaz.names[name])


def test_county_short_names_are_weak_and_city_short_names_are_not(gaz):
    assert all(c.weak for c in gaz.names["公主岭"])
    assert not any(c.weak for c in gaz.names["长春"])
    assert not any(c.weak for c in gaz.names["公主岭市"])
