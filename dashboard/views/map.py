"""Map: provinces or cities coloured by articles or by a theme's share, counties as points."""

import streamlit as st

from dashboard import blocks, charts, geo, queries, ui
from dashboard.i18n import chart_text, t
from pipeline.schema import Col

view = ui.sidebar("map")
lang, labels = view.lang, view.labels
st.title(t("page_map", lang))
drawn = []
left, middle, right = st.columns([1, 2, 1])
levels = tuple(geo.LEVELS)
level = ui.control("level", "province", lambda key: left.segmented_control(
    t("map_level", lang), levels, key=key, format_func=lambda x: t(f"map_{x}", lang)), levels) or "province"
theme = ui.control("share", None, lambda key: middle.selectbox(
    t("map_share", lang), sorted(view.options.themes, key=lambda x: labels.get(x, x)), index=None, key=key,
    placeholder=t("map_all_articles", lang), format_func=lambda x: labels.get(x, x)), view.options.themes)
with right:
    st.write("")
    show_points = ui.control("dots", True, lambda key: st.toggle(t("map_counties", lang), key=key))
boundaries = geo.boundaries(level)
counts = (queries.province_counts if level == "province" else queries.city_counts)(view.folder, view.filters, theme)
if boundaries is None:
    st.warning(t("map_no_boundaries", lang).format(path=geo.GEO / geo.LEVELS[level]))
elif counts.empty:
    ui.empty_notice(lang)
else:
    points = queries.county_points(view.folder, view.filters, theme) if show_points else None
    text = chart_text("map", lang) | {
        "title": t(f"map_title_{level}", lang) + (f" · {labels.get(theme, theme)}" if theme else ""),
        "legend": t("map_legend_share", lang) if theme else t("map_legend_articles", lang)}
    key = Col.province if level == "province" else Col.city
    fig = charts.choropleth(counts, boundaries, key, "share" if theme else Col.articles, text, points, share=bool(theme))
    drawn.append(blocks.chart(fig, counts, f"map-{level}", view, text["caption_share" if theme else "caption"]))
blocks.finish(drawn, view, "map")
