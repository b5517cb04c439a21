"""Overview: key figures, the theme × city heatmap, top cities and themes, recent articles."""

import streamlit as st

from dashboard import blocks, charts, queries, ui
from dashboard.i18n import chart_text, t
from pipeline.schema import Col

view = ui.sidebar("overview")
lang, labels = view.lang, view.labels
st.title(t("page_overview", lang))
drawn = []
figures = queries.key_figures(view.folder, view.filters)
if not figures["articles"]:
    ui.empty_notice(lang)
else:
    cols = st.columns(4)
    cols[0].metric(t("kpi_articles", lang), f"{figures['articles']:,}")
    cols[1].metric(t("kpi_cities", lang), f"{figures['cities']:,}")
    cols[2].metric(t("kpi_themes", lang), f"{figures['themes']:,}")
    first, last = figures["date_min"] or "–", figures["date_max"] or "–"
    # the years fit the column; the days are in the tooltip
    cols[3].metric(t("kpi_span", lang), first[:4] if first[:4] == last[:4] else f"{first[:4]}–{last[:4]}",
                   help=f"{first} – {last}")

    normalise = ui.control("norm", False, lambda key: st.toggle(t("normalise", lang), key=key))
    counts = queries.theme_city_counts(view.folder, view.filters)
    text = chart_text("heatmap", lang) | ({"hover": t("share_hover", lang)} if normalise else {})
    if counts.empty:
        st.info(t("no_places", lang))
    else:
        fig = charts.theme_city_heatmap(counts, labels, normalise, text)
        drawn.append(blocks.chart(fig, counts, "theme-city", view, text["caption_share" if normalise else "caption"]))

    left, right = st.columns(2)
    with left:
        cities = queries.top_cities(view.folder, view.filters)
        drawn += blocks.charted(cities, lambda text: charts.ranking(cities, Col.city, Col.articles, text),
                                "top_cities", "top-cities", view, empty="no_places")
    with right:
        themes = queries.top_themes(view.folder, view.filters)
        drawn += blocks.charted(themes, lambda text: charts.ranking(themes, Col.theme, Col.articles, text, labels,
                                                                    color=charts.PALETTE[0]),
                                "top_themes", "top-themes", view, empty="no_themes")

    st.subheader(t("recent_title", lang), anchor=False)
    blocks.article_table(queries.article_list(view.folder, view.filters, 10), view, key="recent")
blocks.finish(drawn, view, "overview")
