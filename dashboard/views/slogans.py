"""Slogans and indicators: programme names and reported numbers by city and over time."""

import streamlit as st

from dashboard import blocks, charts, queries, ui
from dashboard.i18n import t
from pipeline.schema import Col

view = ui.sidebar("slogans")
lang = view.lang
st.title(t("page_slogans", lang))
drawn = []
available = queries.tables(view.folder)

st.header(t("slogans_title", lang), anchor=False)
if ui.nothing_matches(view):
    pass
elif "slogans" not in available:
    ui.missing_table_notice("slogans", lang)
else:
    summary = queries.slogan_summary(view.folder, view.filters)
    if summary.empty:
        st.info(t("no_slogans", lang))
    else:
        by_city = queries.slogan_city_counts(view.folder, view.filters)
        drawn += blocks.charted(by_city, lambda text: charts.heatmap(by_city, Col.slogan, Col.city, Col.articles, text),
                                "slogan_cities", "slogan-cities", view)
        monthly = queries.slogan_monthly(view.folder, view.filters)
        drawn += blocks.charted(monthly, lambda text: charts.monthly_lines(monthly, Col.slogan, text),
                                "slogan_months", "slogan-months", view)
        st.caption(t("slogans_table_caption", lang))
        blocks.table(summary, lang, key="slogan-table")

st.header(t("indicators_title", lang), anchor=False)
if ui.nothing_matches(view):
    pass
elif "indicators" not in available:
    ui.missing_table_notice("indicators", lang)
else:
    rows = queries.indicator_rows(view.folder, view.filters)
    if rows.empty:
        st.info(t("no_indicators", lang))
    else:
        counts = queries.indicator_counts(view.folder, view.filters)
        drawn += blocks.charted(counts, lambda text: charts.heatmap(counts, Col.measure, Col.city, "indicators", text),
                                "indicator_cities", "indicator-cities", view)
        st.caption(t("indicators_table_caption", lang))
        blocks.table(rows.drop(columns=[Col.article_id]), lang, key="indicator-table")
blocks.finish(drawn, view, "slogans")
