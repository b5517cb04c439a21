"""Chart builders: pure functions from query results to plotly figures (no Streamlit).

Every figure has a title, axis titles and an explicit CJK font, so Chinese renders as glyphs in
the browser and in exported images alike.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from pipeline.schema import Col

CJK_FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
PALETTE = ("#c0392b", "#2471a3", "#229954", "#d68910", "#7d3c98", "#17a589", "#a04000", "#2e4053",
           "#cb4335", "#1f618d", "#b7950b", "#6c3483", "#148f77", "#873600", "#566573")


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str, height: int = 460) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01},
        font={"family": CJK_FONT, "size": 13},
        xaxis_title=x_title,
        yaxis_title=y_title,
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        template="plotly_white",
        legend={"title": None},
    )
    return fig


def theme_city_heatmap(counts: pd.DataFrame, theme_labels: dict[str, str], normalise: bool, text: dict[str, str]) -> go.Figure:
    """Theme × city matrix. `normalise`: share of the city's articles instead of counts.
    `text`: the chart's title, axis titles and hover label."""
    values = counts.assign(value=counts[Col.articles] / counts["city_articles"] if normalise else counts[Col.articles])
    cities = list(dict.fromkeys(values[Col.city]))
    themes = sorted(values[Col.theme].unique(), key=lambda t: -values.loc[values[Col.theme] == t, Col.articles].sum())
    matrix = values.pivot_table(index=Col.theme, columns=Col.city, values="value", aggfunc="sum").reindex(index=themes, columns=cities)
    fig = go.Figure(go.Heatmap(
        z=matrix.values,
        x=cities,
        y=[theme_labels.get(t, t) for t in themes],
        customdata=[[t] * len(cities) for t in themes],
        colorscale="Reds",
        hoverongaps=False,
        hovertemplate=f"%{{x}} · %{{y}}<br>{text['hover']}: %{{z:{'.0%' if normalise else 'd'}}}<extra></extra>",
        colorbar={"tickformat": ".0%" if normalise else "d"},
    ))
    fig.update_xaxes(tickangle=-45)
    return _layout(fig, text["title"], text["x"], text["y"], height=max(360, 140 + 28 * len(themes)))


def monthly_theme_bars(counts: pd.DataFrame, theme_labels: dict[str, str], text: dict[str, str]) -> go.Figure:
    """Articles per month, stacked by theme."""
    fig = go.Figure()
    themes = counts.groupby(Col.theme)[Col.articles].sum().sort_values(ascending=False).index
    for i, theme in enumerate(themes):
        part = counts[counts[Col.theme] == theme]
        fig.add_bar(x=part[Col.month], y=part[Col.articles], name=theme_labels.get(theme, theme),
                    marker_color=PALETTE[i % len(PALETTE)], customdata=[theme] * len(part),
                    hovertemplate=f"%{{x}} · {theme_labels.get(theme, theme)}: %{{y}}<extra></extra>")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    return _layout(fig, text["title"], text["x"], text["y"])
