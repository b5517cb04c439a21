"""Overview: key figures, the theme × city heatmap, recent articles."""

import streamlit as st

from dashboard import charts, queries, ui
from dashboard.i18n import t, theme_labels

view = ui.sidebar()
lang = view.lang
st.title(t("page_overview", lang))
figures = queries.key_figures(view.folder, view.filters)
if not figures["articles"]:
    ui.empty_notice(lang)
    st.stop()
cols = st.columns(4)
cols[0].metric(t("kpi_articles", lang), f"{figures['articles']:,}")
cols[1].metric(t("kpi_cities", lang), f"{figures['cities']:,}")
cols[2].metric(t("kpi_themes", lang), f"{figures['themes']:,}")
cols[3].metric(t("kpi_span", lang), f"{figures['date_min'] or '–'} – {figures['date_max'] or '–'}")

normalise = st.toggle(t("normalise", lang), key="normalise")
counts = queries.theme_city_counts(view.folder, view.filters)
if counts.empty:
    ui.empty_notice(lang)
else:
    fig = charts.theme_city_heatmap(counts, theme_labels(lang), normalise, {
        "title": t("heatmap_title", lang), "x": t("axis_city", lang), "y": t("axis_theme", lang),
        "hover": t("share_hover" if normalise else "heatmap_hover", lang)})
    st.plotly_chart(fig, key="heatmap")
    st.caption(t("heatmap_caption", lang))
