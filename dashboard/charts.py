"""Chart builders: pure functions from query results to plotly figures (no Streamlit).

Every figure has a title, axis titles (`text`: the strings in the interface language) and an
explicit CJK font, so Chinese renders as glyphs in the browser and in exported images alike.

Clickable charts: every trace whose elements stand for something the articles can be narrowed
to carries `meta={"keys": [...]}` (e.g. `["city", "theme"]`) and one `customdata` row of values
per element; `selected_points` turns a plotly selection back into `{key: value}` dicts for
`state.narrow`.
"""

from __future__ import annotations

import html
import json
import math
import threading
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots
from PIL import Image, ImageFont

from pipeline.schema import Col

CJK_FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
CJK_FONT_FILES = (  # for the word cloud, which draws glyphs itself: the first that exists is used
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
PALETTE = ("#c0392b", "#2471a3", "#229954", "#d68910", "#7d3c98", "#17a589", "#a04000", "#2e4053",
           "#cb4335", "#1f618d", "#b7950b", "#6c3483", "#148f77", "#873600", "#566573")
MAX_FACETS = 12  # small multiples: at most this many panels
GEO_LAYERS = ("land", "ocean", "lakes", "rivers", "countries", "coastlines", "subunits")  # plotly's base map
# plotly.js loads its world topojson for any choropleth, even one drawn from our own GeoJSON with
# every base layer off (plotly.js issue 6767), and fails to draw the map when that CDN is out of
# reach. This plot config hands it an empty topology instead: the file name plotly.js appends
# becomes the data URL's fragment, so nothing is ever fetched.
OFFLINE_CONFIG = {"topojsonURL": "data:application/json," + quote(json.dumps({"type": "Topology", "objects": {}, "arcs": []}))
                  + "#"}
# plotly_white's layout without its per-trace defaults: naming a template costs ~85 ms per figure
# (plotly copies and validates all of it), this one ~5 ms.
TEMPLATE = go.layout.Template(layout=pio.templates["plotly_white"].layout)


def _figure(data=None) -> go.Figure:
    return go.Figure(data, layout={"template": TEMPLATE})


def _subplots(**kwargs) -> go.Figure:
    fig = make_subplots(**kwargs)
    fig.update_layout(template=TEMPLATE)
    return fig


def _layout(fig: go.Figure, text: dict[str, str], height: int = 460) -> go.Figure:
    fig.update_layout(
        title={"text": text["title"], "x": 0.01},
        font={"family": CJK_FONT, "size": 13},
        xaxis_title=text.get("x"),
        yaxis_title=text.get("y"),
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"title": None},
        clickmode="event+select",
    )
    return fig


def _keys(*keys: str) -> dict:
    return {"keys": list(keys)}


def _custom(*columns) -> np.ndarray:
    """customdata rows from columns of equal length (an array: plotly validates it at once, where
    nested lists cost a Python call per value)."""
    return np.column_stack([np.asarray(list(c), dtype=object) for c in columns])


def selected_points(fig: go.Figure, points: list[dict]) -> list[dict[str, str]]:
    """What the selected elements of `fig` stand for, from Streamlit's plotly selection points
    (which carry `curve_number` and `customdata`); elements of traces without keys are skipped."""
    out = []
    for point in points:
        curve = point.get("curve_number")
        if curve is None or curve >= len(fig.data):
            continue
        keys = (fig.data[curve].meta or {}).get("keys") if isinstance(fig.data[curve].meta, dict) else None
        values = point.get("customdata")
        if not keys or values is None:
            continue
        values = values if isinstance(values, (list, tuple)) else [values]
        out.append({k: str(v) for k, v in zip(keys, values) if v is not None and v == v})
    return [p for i, p in enumerate(out) if p and p not in out[:i]]


def _plain(value) -> str:
    """Data shown in a chart as text: plotly reads `<b>`, `<a href>`… in labels as markup, so
    names taken from articles (slogans, terms) are escaped to show as written."""
    return html.escape(str(value), quote=False)


def _label(labels: dict[str, str] | None, value: str) -> str:
    """The display label of a value (a theme's name in the interface language), escaped."""
    return _plain((labels or {}).get(value, value))


# --- matrices -----------------------------------------------------------------------------------

def heatmap(frame: pd.DataFrame, rows: str, columns: str, value: str, text: dict[str, str],
            row_labels: dict[str, str] | None = None, share_of: str | None = None) -> go.Figure:
    """A `rows` × `columns` matrix of `value` (e.g. theme × city of articles), rows ordered by their
    total, columns as they come. `share_of`: a column to divide by (the cell shows a share).
    Cells are clickable: a transparent marker on each carries its (row, column) keys."""
    values = frame.assign(_v=frame[value] / frame[share_of] if share_of else frame[value])
    cols = list(dict.fromkeys(values[columns]))
    order = values.groupby(rows)[value].sum().sort_values(ascending=False, kind="stable").index.tolist()
    matrix = values.pivot_table(index=rows, columns=columns, values="_v", aggfunc="sum").reindex(index=order, columns=cols)
    y = [_label(row_labels, r) for r in order]
    fmt = ".0%" if share_of else ",.0f"
    colorbar = {"tickformat": ".0%" if share_of else "d", "title": {"text": text["hover"]}}
    if not share_of and np.nanmax(matrix.values, initial=0) <= 10:
        colorbar["dtick"] = 1  # small counts: one tick per count, not 1, 2, 2, 3 from half steps
    fig = _figure(go.Heatmap(z=matrix.values, x=[_plain(c) for c in cols], y=y, colorscale="Reds", hoverongaps=False,
                             hoverinfo="skip", colorbar=colorbar))
    cells = matrix.stack().dropna().reset_index(name="_v")
    fig.add_scatter(
        x=[_plain(c) for c in cells[columns]], y=[_label(row_labels, r) for r in cells[rows]], mode="markers",
        marker={"size": 14, "color": "rgba(0,0,0,0)", "symbol": "square"}, showlegend=False,
        customdata=_custom(cells[columns], cells[rows]), meta=_keys(columns, rows),
        text=[format(v, fmt) for v in cells["_v"]],
        hovertemplate=f"%{{x}} · %{{y}}<br>{text['hover']}: %{{text}}<extra></extra>")
    fig.update_xaxes(tickangle=-45, type="category")
    fig.update_yaxes(type="category", autorange="reversed")
    return _layout(fig, text, height=max(360, 160 + 26 * len(order)))


def theme_city_heatmap(counts: pd.DataFrame, theme_labels: dict[str, str], normalise: bool, text: dict[str, str]) -> go.Figure:
    """Theme × city of articles (`theme_city_counts`); `normalise`: the share of the city's articles."""
    return heatmap(counts, Col.theme, Col.city, Col.articles, text, theme_labels, share_of="city_articles" if normalise else None)


# --- rankings and profiles ----------------------------------------------------------------------

def ranking(frame: pd.DataFrame, category: str, value: str, text: dict[str, str],
            labels: dict[str, str] | None = None, color: str = PALETTE[1]) -> go.Figure:
    """Horizontal bars of `value` per `category`, largest on top; a bar stands for its category."""
    fig = _figure(go.Bar(
        x=frame[value], y=[_label(labels, c) for c in frame[category]], orientation="h", marker_color=color,
        customdata=_custom(frame[category]), meta=_keys(category),
        hovertemplate=f"%{{y}}: %{{x:,}}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", type="category")
    return _layout(fig, text, height=max(300, 120 + 24 * len(frame)))


def theme_profiles(profile: pd.DataFrame, labels: dict[str, str], text: dict[str, str]) -> go.Figure:
    """Side by side, each city's share of articles per theme (grouped horizontal bars), the cities
    in the order of `profile`."""
    fig = _figure()
    order = profile.groupby(Col.theme)["share"].mean().sort_values(ascending=False, kind="stable").index.tolist()
    for i, (city, part) in enumerate(profile.groupby(Col.city, sort=False)):
        part = part.set_index(Col.theme).reindex(order).reset_index()
        fig.add_bar(x=part["share"], y=[_label(labels, th) for th in order], orientation="h", name=_plain(city),
                    marker_color=PALETTE[i % len(PALETTE)], customdata=_custom([city] * len(order), order),
                    meta=_keys(Col.city, Col.theme), text=part[Col.articles], textposition="none",
                    hovertemplate=f"{_plain(city)} · %{{y}}: %{{x:.0%}} (%{{text}})<extra></extra>")
    fig.update_layout(barmode="group")
    fig.update_xaxes(tickformat=".0%")
    fig.update_yaxes(autorange="reversed", type="category")
    return _layout(fig, text, height=max(360, 140 + 16 * len(order) * max(1, profile[Col.city].nunique())))


def term_columns(frame: pd.DataFrame, group: str, text: dict[str, str], value: str = "z") -> go.Figure:
    """One panel of horizontal bars per group (e.g. a city's distinctive terms), side by side.
    The panels' axes are laid out here rather than by make_subplots, which takes most of the
    time of building this figure."""
    groups = list(dict.fromkeys(frame[group]))
    gap = 0.08
    width = (1 - gap * (max(1, len(groups)) - 1)) / max(1, len(groups))
    traces, layout, titles = [], {}, []
    for i, name in enumerate(groups):
        part = frame[frame[group] == name]
        n = "" if i == 0 else str(i + 1)
        left = i * (width + gap)
        traces.append(go.Bar(x=part[value], y=[_plain(term) for term in part[Col.term]], orientation="h",
                             marker_color=PALETTE[i % len(PALETTE)], xaxis=f"x{n}", yaxis=f"y{n}",
                             showlegend=False, customdata=_custom(part[group], part[Col.term]), meta=_keys(group, Col.term),
                             hovertemplate=f"{_plain(name)} · %{{y}}: %{{x:.1f}}<extra></extra>"))
        layout[f"xaxis{n}"] = {"domain": [left, left + width], "anchor": f"y{n}", "title": {"text": text["x"]}}
        layout[f"yaxis{n}"] = {"anchor": f"x{n}", "autorange": "reversed", "type": "category"}
        titles.append({"text": _plain(name), "x": left + width / 2, "y": 1.0, "xref": "paper", "yref": "paper",
                       "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 16}})
    fig = go.Figure(traces, layout={"template": TEMPLATE, **layout, "annotations": titles})
    rows = frame.groupby(group).size().max() if len(frame) else 1
    return _layout(fig, text, height=max(320, 140 + 22 * int(rows)))


# --- time ---------------------------------------------------------------------------------------

def _months(counts: pd.DataFrame) -> list[str]:
    """Every month from the first to the last of `counts`, so gaps show as gaps."""
    found = sorted(counts[Col.month].unique())
    if not found:
        return []
    return pd.period_range(found[0], found[-1], freq="M").strftime("%Y-%m").tolist()


def _per_month(counts: pd.DataFrame, series: str, months: list[str]) -> pd.DataFrame:
    """Articles as a months × `series` matrix (0 where `counts` has none), the series with most
    articles first."""
    matrix = counts.pivot_table(index=Col.month, columns=series, values=Col.articles, aggfunc="sum", fill_value=0)
    order = matrix.sum().sort_values(ascending=False, kind="stable").index
    return matrix.reindex(index=months, columns=order, fill_value=0)


def monthly_theme_bars(counts: pd.DataFrame, theme_labels: dict[str, str], text: dict[str, str],
                       facets: bool = False, events: pd.DataFrame | None = None) -> go.Figure:
    """Articles per month by theme: stacked bars, or one panel per theme (`facets`, the
    MAX_FACETS most frequent themes). `events` (slogan, month): first mentions, marked on top."""
    months = _months(counts)
    matrix = _per_month(counts, Col.theme, months)
    themes = list(matrix.columns)
    if facets:
        themes = themes[:MAX_FACETS]
        fig = _subplots(rows=len(themes), cols=1, shared_xaxes=True, vertical_spacing=0.02 if len(themes) > 6 else 0.05,
                            subplot_titles=[_label(theme_labels, th) for th in themes])
    bars = [go.Bar(x=months, y=matrix[theme].to_numpy(), name=_label(theme_labels, theme), marker_color=PALETTE[i % len(PALETTE)],
                   customdata=_custom([theme] * len(months), months), meta=_keys(Col.theme, Col.month),
                   hovertemplate=f"%{{x}} · {_label(theme_labels, theme)}: %{{y}}<extra></extra>", showlegend=not facets)
            for i, theme in enumerate(themes)]
    if facets:
        fig.add_traces(bars, rows=list(range(1, len(bars) + 1)), cols=[1] * len(bars))
    else:
        fig = _figure(bars)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=months)
    if facets:
        fig.update_yaxes(nticks=3)
        height = max(360, 80 + 90 * len(themes))
    else:
        fig.update_layout(barmode="stack")
        height = 480
    if events is not None and not events.empty and not facets:
        totals = counts.groupby(Col.month)[Col.articles].sum()
        top = float(totals.max()) if len(totals) else 1.0
        marks = events[events[Col.month].isin(months)]
        grouped = marks.groupby(Col.month)[Col.slogan].apply(list)
        fig.add_scatter(
            x=list(grouped.index), y=[top * 1.08] * len(grouped), mode="markers+text", name=text["events"],
            marker={"symbol": "triangle-down", "size": 11, "color": "#111"},
            text=[_plain("、".join(s[:2]) + ("…" if len(s) > 2 else "")) for s in grouped], textposition="top center",
            textfont={"size": 10}, customdata=_custom(s[0] for s in grouped), meta=_keys(Col.slogan),
            hovertext=["<br>".join(f"“{_plain(x)}”" for x in s) for s in grouped],
            hovertemplate=f"%{{x}} · {text['events']}<br>%{{hovertext}}<extra></extra>")
        fig.update_yaxes(range=[0, top * 1.25])
    _layout(fig, text, height=height)
    if facets:
        fig.update_layout(yaxis_title=None, xaxis_title=None, margin={"l": 10, "r": 10, "t": 80, "b": 10})
        fig.update_xaxes(title_text=text["x"], row=len(themes), col=1)
        fig.add_annotation(text=text["y"], textangle=-90, xref="paper", yref="paper", x=-0.04, y=0.5, showarrow=False)
    return fig


def monthly_lines(counts: pd.DataFrame, series: str, text: dict[str, str], labels: dict[str, str] | None = None) -> go.Figure:
    """Articles per month, one line per `series` value (a city, a slogan; most articles first);
    missing months are 0."""
    months = _months(counts)
    matrix = _per_month(counts, series, months)
    fig = _figure([
        go.Scatter(x=months, y=matrix[name].to_numpy(), mode="lines+markers", name=_label(labels, name),
                   line={"color": PALETTE[i % len(PALETTE)], "width": 2}, marker={"size": 6},
                   customdata=_custom([name] * len(months), months), meta=_keys(series, Col.month),
                   hovertemplate=f"%{{x}} · {_label(labels, name)}: %{{y}}<extra></extra>")
        for i, name in enumerate(matrix.columns)])
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=months)
    fig.update_yaxes(rangemode="tozero")
    return _layout(fig, text, height=420)


# --- places -------------------------------------------------------------------------------------

def choropleth(frame: pd.DataFrame, geojson: dict, key: str, value: str, text: dict[str, str],
               points: pd.DataFrame | None = None, share: bool = False) -> go.Figure:
    """Areas of `geojson` (features named by `properties.name`) coloured by `value` of the rows
    whose `key` names them; areas without rows show 0. `points` (county, lat, lon, articles):
    circles sized by articles. Drawn from the given boundaries only: no base map, no tiles."""
    names = [f["properties"]["name"] for f in geojson["features"]]
    values = frame.set_index(key)[value].reindex(names).fillna(0.0)
    articles = frame.set_index(key)[Col.articles].reindex(names).fillna(0).astype(int)
    fmt = ".0%" if share else ",.0f"
    fig = _figure(go.Choropleth(
        geojson=geojson, featureidkey="properties.name", locations=names, z=values.to_numpy(),
        colorscale=[[0, "#f7f4f2"], [0.0001, "#fee5d9"], [1, "#a50f15"]], marker_line_color="#999", marker_line_width=0.4,
        colorbar={"title": {"text": text["legend"]}, "tickformat": ".0%" if share else ",d", "len": 0.7},
        customdata=_custom(names), meta=_keys(key), text=[format(v, fmt) for v in values],
        hovertext=articles.astype(str).tolist(),
        hovertemplate=f"%{{location}}<br>{text['legend']}: %{{text}}<br>{text['articles']}: %{{hovertext}}<extra></extra>"))
    if points is not None and not points.empty:
        size = points[Col.articles].astype(float)
        fig.add_scattergeo(
            lat=points[Col.lat], lon=points[Col.lon], mode="markers", name=text["points"],
            marker={"size": (4 + 14 * np.sqrt(size / size.max())).round(1), "color": "rgba(36,113,163,0.65)",
                    "line": {"width": 0.5, "color": "#fff"}},
            customdata=_custom(points[Col.county]), meta=_keys(Col.county),
            text=points[Col.county] + "（" + points[Col.city].fillna(points[Col.province]) + "）",
            hovertext=points[Col.articles].astype(str),
            hovertemplate=f"%{{text}}<br>{text['articles']}: %{{hovertext}}<extra></extra>")
    # Every base layer off explicitly (Streamlit's theme switches some on, and a base layer makes
    # plotly.js fetch its world map from a CDN): only the shipped boundaries are drawn.
    fig.update_geos(fitbounds="locations", visible=False, projection_type="mercator", showframe=False,
                    **{f"show{layer}": False for layer in GEO_LAYERS})
    _layout(fig, text, height=620)
    fig.update_layout(legend={"x": 0, "y": 0, "bgcolor": "rgba(255,255,255,0.7)"})
    return fig


# --- terms --------------------------------------------------------------------------------------

def cjk_font_file() -> str | None:
    """A font file with Chinese glyphs, for drawing text into images (None when none is installed)."""
    return next((f for f in CJK_FONT_FILES if Path(f).is_file()), None)


_CLOUD_LOCK = threading.Lock()


@lru_cache(maxsize=64)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


class _CachedFonts:
    """What the wordcloud library sees as PIL's ImageFont: opening a CJK font collection takes
    ~2 ms and the library opens one per size tried, for every word, twice."""

    truetype = staticmethod(_font)
    TransposedFont = ImageFont.TransposedFont


@lru_cache(maxsize=32)
def word_cloud(frequencies: tuple[tuple[str, float], ...], font_path: str, width: int = 1000, height: int = 480) -> Image.Image:
    """A word cloud image of (term, weight) pairs drawn with `font_path` (a CJK font: never boxes).
    Laid out at 2/5 of the size and drawn at full size, with a fixed largest font, coarse font
    steps and fonts opened once: 0.1 s of processor time instead of 2 s with the library's
    defaults. One at a time (the fonts are shared); memoised; the image is never modified."""
    import wordcloud.wordcloud as library  # only this chart needs it

    layout_width, layout_height = width * 2 // 5, height * 2 // 5
    with _CLOUD_LOCK:
        library.ImageFont = _CachedFonts
        cloud = library.WordCloud(font_path=font_path, width=layout_width, height=layout_height, scale=width / layout_width,
                                  background_color="white", prefer_horizontal=1.0, max_words=max(1, len(frequencies)),
                                  random_state=7, relative_scaling=0.5, min_font_size=5,
                                  max_font_size=int(layout_height / 3.5), font_step=3)
        return cloud.generate_from_frequencies(dict(frequencies)).to_image()


def spring_layout(nodes: list[str], edges: list[tuple[str, str, float]], iterations: int = 120,
                  seed: int = 7) -> dict[str, tuple[float, float]]:
    """Positions for a graph (Fruchterman–Reingold: linked nodes attract, all repel), deterministic."""
    n = len(nodes)
    if n == 0:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    rng = np.random.default_rng(seed)
    angle = np.linspace(0, 2 * math.pi, n, endpoint=False)
    pos = np.c_[np.cos(angle), np.sin(angle)] + rng.normal(0, 0.05, (n, 2))
    weights = np.zeros((n, n))
    for a, b, w in edges:
        weights[index[a], index[b]] = weights[index[b], index[a]] = w
    if weights.max() > 0:
        weights /= weights.max()
    k = math.sqrt(4.0 / n)
    temperature = 0.2
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        distance = np.maximum(np.linalg.norm(delta, axis=-1), 1e-3)
        force = (k * k / distance ** 2 - weights * distance / k)[:, :, None] * delta
        step = force.sum(axis=1)
        length = np.maximum(np.linalg.norm(step, axis=1), 1e-9)[:, None]
        pos += step / length * np.minimum(length, temperature)
        temperature *= 0.97
    pos -= pos.mean(axis=0)
    pos /= max(np.abs(pos).max(), 1e-9)
    return {node: (float(pos[i, 0]), float(pos[i, 1])) for node, i in index.items()}


def term_network(nodes: pd.DataFrame, edges: pd.DataFrame, text: dict[str, str]) -> go.Figure:
    """Terms as circles sized by their articles, linked when they share articles (line width by
    how many). A circle stands for its term."""
    linked = set(edges["source"]) | set(edges["target"])
    nodes = nodes[nodes[Col.term].isin(linked)]
    pos = spring_layout(nodes[Col.term].tolist(),
                        list(edges[["source", "target", Col.articles]].itertuples(index=False, name=None)))
    fig = _figure()
    top = float(edges[Col.articles].max()) if len(edges) else 1.0
    for width in (1, 2, 3, 4):  # a few line widths, one trace each (a trace has a single width)
        part = edges[np.ceil(edges[Col.articles] / top * 4).clip(1, 4) == width]
        xs, ys = [], []
        for a, b in zip(part["source"], part["target"]):
            xs += [pos[a][0], pos[b][0], None]
            ys += [pos[a][1], pos[b][1], None]
        if xs:
            fig.add_scatter(x=xs, y=ys, mode="lines", line={"width": width * 0.8, "color": "rgba(120,120,120,0.45)"},
                            hoverinfo="skip", showlegend=False)
    size = nodes[Col.articles].astype(float)
    fig.add_scatter(
        x=[pos[t][0] for t in nodes[Col.term]], y=[pos[t][1] for t in nodes[Col.term]], mode="markers+text",
        text=[_plain(term) for term in nodes[Col.term]], textposition="top center", showlegend=False,
        marker={"size": (10 + 26 * np.sqrt(size / size.max())).round(1) if len(size) else 10, "color": PALETTE[0],
                "opacity": 0.8, "line": {"width": 1, "color": "#fff"}},
        customdata=_custom(nodes[Col.term]), meta=_keys(Col.term), hovertext=nodes[Col.articles].astype(str),
        hovertemplate=f"%{{text}}: %{{hovertext}} {text['articles']}<extra></extra>")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    return _layout(fig, text, height=620)
