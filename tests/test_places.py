"""Places: disambiguation by context, ordinary words, roles, the rows of the places table and the
primary place, on the hard cases named in issue 6 and on the bundled sample."""

import pytest

from pipeline import io
from pipeline.places import article_places, find_mentions
from pipeline.schema import Col


@pytest.fixture(scope="module")
def gaz(resources):
    return resources.gazetteer


def resolved(resources, text):
    """(name as written, division name, city name or None, role) of every mention."""
    gaz = resources.gazetteer
    out = []
    for m in find_mentions(text, gaz, resources.segmenter):
        division = gaz.divisions[m.adcode]
        city = gaz.divisions[division.city_code].name if division.city_code else None
        out.append((m.name, division.name, city, m.role))
    return out


@pytest.mark.parametrize("text, expected", [
    # 朝阳区: Beijing or Changchun, by the explicit parent, the article's other places, the prior
    ("长春市朝阳区委宣传部主办的媒体进朝阳活动。朝阳区政务服务中心", [
        ("长春市", "长春市", "长春市", "subject"), ("朝阳区", "朝阳区", "长春市", "subject"),
        ("朝阳", "朝阳区", "长春市", "subject"), ("朝阳区", "朝阳区", "长春市", "subject")]),
    ("北京市朝阳区推进垃圾分类", [("北京市", "北京市", "北京市", "subject"), ("朝阳区", "朝阳区", "北京市", "subject")]),
    ("长春的企业落位朝阳区", [("长春", "长春市", "长春市", "subject"), ("朝阳区", "朝阳区", "长春市", "subject")]),
    ("朝阳区推进垃圾分类", [("朝阳区", "朝阳区", "北京市", "subject")]),
    # 吉林: the province, unless the article is about the city
    ("吉林体彩开展活动", [("吉林", "吉林省", None, "subject")]),
    ("吉林省吉林市", [("吉林省", "吉林省", None, "subject"), ("吉林市", "吉林市", "吉林市", "subject")]),
    ("吉林市开展春季动物防疫。吉林畜牧部门", [("吉林市", "吉林市", "吉林市", "subject"), ("吉林", "吉林市", "吉林市", "subject")]),
    # 通化: the city, unless its county is meant
    ("通化的雪依然正当时", [("通化", "通化市", "通化市", "subject")]),
    ("通化市通化县", [("通化市", "通化市", "通化市", "subject"), ("通化县", "通化县", "通化市", "subject")]),
    # 鼓楼区 and other names shared by several cities
    ("南京市鼓楼区", [("南京市", "南京市", "南京市", "subject"), ("鼓楼区", "鼓楼区", "南京市", "subject")]),
    ("福州的鼓楼区", [("福州", "福州市", "福州市", "subject"), ("鼓楼区", "鼓楼区", "福州市", "subject")]),
    ("天津市和平区", [("天津市", "天津市", "天津市", "subject"), ("和平区", "和平区", "天津市", "subject")]),
    # 新区 and zones belong to their city
    ("雄安新区建设", [("雄安新区", "保定市", "保定市", "subject")]),
    ("长春新区党员干部", [("长春新区", "长春市", "长春市", "subject")]),
    ("上海市浦东新区", [("上海市", "上海市", "上海市", "subject"), ("浦东新区", "浦东新区", "上海市", "subject")]),
    # county-level units: 公主岭市 is under 长春市 since 2020; 济源市 is its own city
    ("公主岭市积极推进幸福小区创建", [("公主岭市", "公主岭市", "长春市", "subject")]),
    ("济源市示范区", [("济源市", "济源市", "济源市", "subject")]),
    ("海南东方市", [("海南", "海南省", None, "subject"), ("东方市", "东方市", "东方市", "subject")]),
    ("安徽黄山风景区", [("安徽", "安徽省", None, "subject"), ("黄山", "黄山市", "黄山市", "subject")]),
])
def test_ambiguous_names_resolve_by_context(resources, text, expected):
    assert resolved(resources, text) == expected


@pytest.mark.parametrize("text", [
    "确保社会长治久安",
    "和平发展是时代主题",
    "东方红，太阳升",
    "东方卫视报道",
    "周永康案",  # 永康 in a person's name
    "祝大家幸福安康",
    "祝大家身体安康",
    "开平煤矿的历史",
    "太平洋岛国",
    "黄山松郁郁葱葱",
    "新建一批学校",  # 新建 as a verb
    "长春市南部新城",  # 南部 as "southern" (长春市 stays)
    "资源禀赋优势",
    "大兴调查研究之风",
    "缓解城区交通压力",
    "日照时数增加",
])
def test_ordinary_words_are_not_places(resources, text):
    assert [m for m in resolved(resources, text) if m[0] != "长春市"] == []


@pytest.mark.parametrize("text, name, role", [
    ("发布于:上思县", "上思县", "noise"),
    ("新华社北京2月18日电 国务院部署", "北京", "noise"),
    ("本报长春3月12日讯（记者 王寅）", "长春", "noise"),
    ("（作者单位：河南省社会科学院）", "河南省", "noise"),
    ("吉林日报记者 李明", "吉林", "publisher"),
    ("中国吉林网注意到", "吉林", "publisher"),
    ("来自北京的滑雪爱好者", "北京", "passing"),
    ("从武汉返回的居民", "武汉", "passing"),
    ("学习杭州等城市先进经验", "杭州", "passing"),
    ("深圳市江西商会投资考察团", "深圳市", "passing"),
    ("座谈会在北京召开", "北京", "passing"),  # the capital as a venue
    ("推进赣州至深圳铁路建设", "赣州", "passing"),
    ("去银川打工", "银川", "passing"),
    ("医疗队从上海、重庆、西安三地连夜飞赴", "重庆", "passing"),  # a rule met by a whole enumeration
    ("坚决打赢武汉和湖北保卫战", "武汉", "passing"),
    ("大学毕业后，在昆明工作的他", "昆明", "passing"),  # a person's past workplace
    ("唐文德辞掉上海工作，回到家乡", "上海", "passing"),
    ("筹办北京冬奥会", "北京", "passing"),  # an event named after its host
    ("老两口在香港的孩子坐过北上的客轮", "香港", "passing"),  # where a person's family lives
    ("他常往深圳去", "深圳", "passing"),
    ("江苏苏州、盐城等地相继出台惠企政策", "盐城", "subject"),  # an enumeration that acts
    ("长春市开展植树活动", "长春市", "subject"),
    ("天津港一派繁忙，吞吐量创新高", "天津", "subject"),  # a port named after its city: one word for the segmenter
    ("（作者为四川省巴中市巴州区委书记）", "巴州区", "subject"),  # a local official writes about their area
])
def test_roles(resources, text, name, role):
    assert (name, role) in {(m[0], m[3]) for m in resolved(resources, text)}


def rows_for(resources, title, text, home=None):
    full = f"{title}\n{text}"
    mentions = find_mentions(full, resources.gazetteer, resources.segmenter)
    return article_places("a", mentions, len(title) + 1, resources.gazetteer, home)


def test_rows_fill_the_levels_above_and_mark_one_primary(resources):
    rows = rows_for(resources, "公主岭市推进幸福小区创建", "公主岭市积极构建物业党组织。公主岭市财政小区的居民说。")
    assert [(r[Col.province], r[Col.city], r[Col.county], r[Col.level], r[Col.mentions], r[Col.is_primary]) for r in rows] == [
        ("吉林省", "长春市", "公主岭市", "county", 3, True)]
    assert rows[0][Col.positions] == [0, 14]  # in `text`; the title mention has no offset


def test_a_city_row_counts_its_counties_mentions(resources):
    rows = {r[Col.adcode]: r for r in rows_for(resources, "长春市朝阳区推进营商环境建设", "长春市朝阳区政务服务中心。朝阳区企业。")}
    assert rows["220100"][Col.mentions] == 2 + 3 and rows["220104"][Col.mentions] == 3
    assert rows["220100"][Col.is_primary] and not rows["220104"][Col.is_primary]


def test_national_and_placeless_articles_have_no_primary(resources):
    national = rows_for(resources, "国务院部署稳就业工作",
                        "新华社北京2月18日电 会议指出，各地要落实政策。广东、浙江、四川等地已出台措施。")
    assert not any(r[Col.is_primary] for r in national)
    assert {r[Col.adcode]: r[Col.role] for r in national}["110000"] == "noise"
    assert rows_for(resources, "优化营商环境", "各地持续深化放管服改革。") == []


def test_a_province_story_has_the_province_as_primary(resources):
    rows = rows_for(resources, "浙江出台条例促进民企发展", "浙江省人大常委会审议通过条例。杭州市、宁波市相继落实。")
    assert [r[Col.adcode] for r in rows if r[Col.is_primary]] == ["330000"]


@pytest.mark.parametrize("title, text, city, role", [
    # a local article: another city named once in its body is named in passing…
    ("长春新区党员干部争当店小二", "长春新区举办培训。这个段子说的是杭州。长春新区干部走进企业。", "杭州市", "passing"),
    # …but not when the title names it, when it is named again, or in a province's story
    ("长春杭州两地干部交流", "长春新区举办培训。这个段子说的是杭州。长春新区干部走进企业。", "杭州市", "subject"),
    ("长春新区党员干部争当店小二", "长春新区举办培训。杭州的经验说明，杭州做到的，长春新区也能做到。", "杭州市", "subject"),
    ("浙江出台条例促进民企发展", "浙江省人大常委会审议通过条例。杭州市、宁波市相继落实。", "杭州市", "subject"),
])
def test_other_cities_a_local_article_names_once_are_in_passing(resources, title, text, city, role):
    rows = rows_for(resources, title, text)
    assert {r[Col.role] for r in rows if r[Col.city] == city} == {role}


def test_the_publisher_home_is_a_publisher_row_not_a_subject(resources):
    rows = rows_for(resources, "长春市开展植树活动", "长春市绿化委员会组织义务植树。", home="220000")
    assert {r[Col.adcode]: (r[Col.role], r[Col.mentions]) for r in rows} == {
        "220100": ("subject", 2), "220000": ("publisher", 0)}


# --- the bundled sample, built by the CLI ---

EXPECTED_PRIMARY = {  # (file prefix, story) → primary city, from benchmarks/eval/labels.jsonl
    ("000", 0): "长春市",  # 长春市朝阳区, not Beijing's
    ("001", 0): "长春市",  # 公主岭市
    ("001", 4): "长春市",
    ("002", 1): "通化市",
    ("002", 2): "松原市",  # 长岭县
    ("002", 5): "吉林市",
    ("003", 1): "上饶市",
    ("003", 2): "上饶市",
    ("004", 0): "长春市",  # 长春新区
}


@pytest.fixture(scope="module")
def sample(built_sample):
    out, _ = built_sample
    places = io.read_table(out, "places")
    articles = io.read_table(out, "articles")
    return places.merge(articles[[Col.article_id, Col.doc_path, Col.story, Col.text]], on=Col.article_id)


@pytest.mark.parametrize("key, city", sorted(EXPECTED_PRIMARY.items()))
def test_sample_primary_cities(sample, key, city):
    story = sample[sample[Col.doc_path].str.startswith(key[0]) & (sample[Col.story] == key[1])]
    assert story.loc[story[Col.is_primary], Col.city].tolist() == [city]


def test_sample_has_no_beijing_chaoyang_and_no_spurious_counties(sample):
    subject = sample[sample[Col.role] == "subject"]
    assert "110105" not in set(subject[Col.adcode])
    assert not {"永春县", "南湖区", "新建区", "南部县", "兴隆县", "金湖县", "资源县"} & set(subject[Col.county].dropna())


def test_sample_positions_point_at_the_names(sample, gaz):
    aliases = {}
    for name, candidates in gaz.names.items():
        for c in candidates:
            aliases.setdefault(c.adcode, set()).add(name)
    for row in sample.itertuples(index=False):
        for at in row.positions:
            assert any(row.text.startswith(name, at) for name in aliases[row.adcode]), (row.adcode, at)


def test_sample_has_at_most_one_primary_per_article(sample):
    assert sample.groupby(Col.article_id)[Col.is_primary].sum().max() == 1
