"""Timeline: articles per month by theme."""

import streamlit as st

from dashboard import charts, queries, ui
from dashboard.i18n import t, theme_labels

view = ui.sidebar()
lang = view.lang
st.title(t("page_timeline", lang))
counts = queries.monthly_theme_counts(view.folder, view.filters)
if counts.empty:
    ui.empty_notice(lang)
    st.stop()
fig = charts.monthly_theme_bars(counts, theme_labels(lang), {
    "title": t("timeline_title", lang), "x": t("axis_month", lang), "y": t("axis_articles", lang)})
st.plotly_chart(fig, key="timeline")
st.caption(t("timeline_caption", lang))
