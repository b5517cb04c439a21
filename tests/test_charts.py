"""Chart builders without Streamlit: every figure is titled, labelled, set in a CJK font, and its
clickable elements say what they stand for."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import charts, geo
from pipeline.schema import Col

TEXT = {"title": "标题", "x": "横轴", "y": "纵轴", "hover": "文章", "events": "口号首次出现", "legend": "文章数",
        "articles": "文章数", "points": "区县"}
LABELS = {"business_environment": "营商环境", "grassroots_governance": "基层治理"}

THEME_CITY = pd.DataFrame({
    Col.city: ["长春市", "长春市", "北京市"], Col.province: ["吉林省", "吉林省", "北京市"],
    Col.theme: ["business_environment", "grassroots_governance", "business_environment"],
    Col.articles: [4, 2, 3], "city_articles": [5, 5, 3]})
MONTHS = pd.DataFrame({Col.month: ["2024-01", "2024-03", "2024-03"],
                       Col.theme: ["business_environment"] * 2 + ["grassroots_governance"],
                       Col.articles: [2, 1, 4]})


def _titled(fig: go.Figure) -> None:
    assert fig.layout.title.text == TEXT["title"]
    assert "Noto Sans CJK SC" in fig.layout.font.family


def _keys(fig: go.Figure) -> list[list[str]]:
    return [t.meta["keys"] for t in fig.data if isinstance(t.meta, dict)]


def test_heatmap_counts_and_shares():
    fig = charts.theme_city_heatmap(THEME_CITY, LABELS, False, TEXT)
    _titled(fig)
    assert fig.layout.xaxis.title.text == "横轴" and fig.layout.yaxis.title.text == "纵轴"
    heat = fig.data[0]
    assert list(heat.x) == ["长春市", "北京市"] and list(heat.y) == ["营商环境", "基层治理"]  # themes by total
    assert heat.z[0][0] == 4 and np.isnan(heat.z[1][1])
    share = charts.theme_city_heatmap(THEME_CITY, LABELS, True, TEXT).data[0]
    assert share.z[0][0] == pytest.approx(0.8) and share.z[0][1] == pytest.approx(1.0)
    assert heat.colorbar.dtick == 1 and share.colorbar.dtick is None  # whole counts get whole ticks
    many = charts.theme_city_heatmap(THEME_CITY.assign(**{Col.articles: THEME_CITY[Col.articles] * 100}), LABELS, False, TEXT)
    assert many.data[0].colorbar.dtick is None
    assert _keys(fig) == [[Col.city, Col.theme]]
    cells = fig.data[1]
    assert len(cells.customdata) == 3 and ["长春市", "business_environment"] in [list(c) for c in cells.customdata]


def test_selected_points_say_what_was_clicked():
    fig = charts.theme_city_heatmap(THEME_CITY, LABELS, False, TEXT)
    points = [{"curve_number": 1, "customdata": ["长春市", "business_environment"]},
              {"curve_number": 1, "customdata": ["长春市", "business_environment"]},  # twice: once
              {"curve_number": 0, "z": 4},  # the heatmap layer carries no keys
              {"curve_number": 7, "customdata": ["x"]}]
    assert charts.selected_points(fig, points) == [{"city": "长春市", "theme": "business_environment"}]
    bars = charts.ranking(THEME_CITY.head(2), Col.city, Col.articles, TEXT)
    assert charts.selected_points(bars, [{"curve_number": 0, "customdata": "长春市"}]) == [{"city": "长春市"}]


def test_ranking_bars_largest_on_top():
    frame = pd.DataFrame({Col.theme: ["business_environment", "grassroots_governance"], Col.articles: [7, 3]})
    fig = charts.ranking(frame, Col.theme, Col.articles, TEXT, LABELS)
    _titled(fig)
    assert list(fig.data[0].y) == ["营商环境", "基层治理"] and fig.layout.yaxis.autorange == "reversed"
    assert _keys(fig) == [[Col.theme]]


@pytest.mark.parametrize("facets", [False, True])
def test_monthly_bars_fill_the_gaps(facets):
    events = pd.DataFrame({Col.slogan: ["码上行动"], Col.month: ["2024-02"]})
    fig = charts.monthly_theme_bars(MONTHS, LABELS, TEXT, facets=facets, events=events)
    _titled(fig)
    bars = [t for t in fig.data if t.type == "bar"]
    assert [b.name for b in bars] == ["基层治理", "营商环境"]  # most articles first
    assert list(bars[1].x) == ["2024-01", "2024-02", "2024-03"] and list(bars[1].y) == [2, 0, 1]
    assert all(t.meta["keys"] == [Col.theme, Col.month] for t in bars)
    marks = [t for t in fig.data if t.type == "scatter"]
    if facets:  # small multiples: one panel per theme, no event row
        assert not marks and len(fig.layout.annotations) >= 2
    else:
        assert fig.layout.barmode == "stack"
        assert list(marks[0].x) == ["2024-02"] and marks[0].meta["keys"] == [Col.slogan]


def test_monthly_lines_one_per_series():
    frame = pd.DataFrame({Col.month: ["2024-01", "2024-03"], Col.city: ["长春市", "北京市"], Col.articles: [1, 2]})
    fig = charts.monthly_lines(frame, Col.city, TEXT)
    _titled(fig)
    assert [t.name for t in fig.data] == ["北京市", "长春市"]  # most articles first
    assert list(fig.data[1].x) == ["2024-01", "2024-02", "2024-03"] and list(fig.data[1].y) == [1, 0, 0]


def test_theme_profiles_and_term_columns():
    profile = THEME_CITY.assign(share=THEME_CITY[Col.articles] / THEME_CITY["city_articles"])
    fig = charts.theme_profiles(profile, LABELS, TEXT)
    _titled(fig)
    assert [t.name for t in fig.data] == ["长春市", "北京市"] and fig.layout.xaxis.tickformat == ".0%"
    terms = pd.DataFrame({Col.city: ["长春市", "长春市", "北京市"], Col.term: ["码上", "行动", "接诉即办"], "z": [3.1, 2.0, 4.2]})
    columns = charts.term_columns(terms, Col.city, TEXT)
    _titled(columns)
    assert len(columns.data) == 2 and columns.data[1].meta["keys"] == [Col.city, Col.term]


def test_choropleth_is_drawn_from_the_shipped_boundaries_only():
    boundaries = geo.boundaries("province")
    frame = pd.DataFrame({Col.province: ["吉林省", "北京市"], Col.articles: [5, 2]})
    points = pd.DataFrame({Col.province: ["北京市"], Col.city: ["北京市"], Col.county: ["朝阳区"], Col.lat: [39.95],
                           Col.lon: [116.5], Col.articles: [2]})
    fig = charts.choropleth(frame, boundaries, Col.province, Col.articles, TEXT, points)
    _titled(fig)
    area, dots = fig.data
    assert area.type == "choropleth" and area.featureidkey == "properties.name"
    assert len(area.locations) == len(boundaries["features"])
    z = dict(zip(area.locations, area.z))
    assert z["吉林省"] == 5 and z["浙江省"] == 0
    assert dots.type == "scattergeo" and dots.meta["keys"] == [Col.county]
    assert fig.layout.geo.visible is False and fig.layout.geo.fitbounds == "locations"
    assert not any(fig.layout.geo[f"show{layer}"] for layer in charts.GEO_LAYERS)  # no base map to fetch
    spec = fig.to_json()
    assert "mapbox" not in spec and "tile" not in spec.lower()


def test_word_cloud_draws_chinese_glyphs_not_boxes():
    font = charts.cjk_font_file()
    if font is None:
        pytest.skip("no CJK font installed (fonts-noto-cjk)")
    one = np.asarray(charts.word_cloud((("社区", 1.0),), font).convert("L"))
    other = np.asarray(charts.word_cloud((("治理", 1.0),), font).convert("L"))
    assert one.shape == (480, 1000)
    assert (one < 200).sum() > 1000  # ink
    assert (one != other).mean() > 0.01  # different characters draw differently: not the same missing-glyph box


def test_spring_layout_is_deterministic_and_bounded():
    nodes = ["社区", "治理", "服务", "孤立"]
    edges = [("社区", "治理", 3.0), ("治理", "服务", 1.0)]
    first, second = charts.spring_layout(nodes, edges), charts.spring_layout(nodes, edges)
    assert first == second
    assert all(-1 <= c <= 1 for xy in first.values() for c in xy)
    assert charts.spring_layout([], []) == {}


def test_term_network_links_terms():
    nodes = pd.DataFrame({Col.term: ["社区", "治理", "服务", "孤立"], Col.articles: [9, 5, 3, 2]})
    edges = pd.DataFrame({"source": ["治理", "服务"], "target": ["社区", "治理"], Col.articles: [4, 2]})
    fig = charts.term_network(nodes, edges, TEXT)
    _titled(fig)
    circles = fig.data[-1]
    assert list(circles.text) == ["社区", "治理", "服务"]  # the unlinked term is left out
    assert circles.meta["keys"] == [Col.term]
    assert sum(1 for t in fig.data if t.mode == "lines") >= 1


def test_names_from_the_data_show_as_written_not_as_markup():
    frame = pd.DataFrame({Col.term: ['<a href="https://example.com">点我</a>', "<b>粗</b>"], Col.articles: [2, 1]})
    fig = charts.ranking(frame, Col.term, Col.articles, TEXT)
    assert list(fig.data[0].y) == ['&lt;a href="https://example.com"&gt;点我&lt;/a&gt;', "&lt;b&gt;粗&lt;/b&gt;"]
    assert charts.selected_points(fig, [{"curve_number": 0, "customdata": [frame[Col.term][1]]}]) == [{"term": "<b>粗</b>"}]
