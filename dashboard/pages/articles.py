"""Articles: the filtered list."""

import streamlit as st

from dashboard import queries, ui
from dashboard.i18n import t

view = ui.sidebar()
lang = view.lang
st.title(t("articles_title", lang))
articles = queries.article_list(view.folder, view.filters)
if articles.empty:
    ui.empty_notice(lang)
    st.stop()
st.caption(t("articles_caption", lang))
st.dataframe(
    articles.drop(columns=["article_id", "doc_path"]),
    hide_index=True,
    column_config={
        "date": t("col_date", lang), "title": t("col_title", lang), "source": t("col_source", lang),
        "place": t("col_place", lang), "themes": t("col_themes", lang), "n_chars": t("col_chars", lang),
    },
)
