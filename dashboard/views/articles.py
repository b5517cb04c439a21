"""Articles: the filtered list; picking one opens the reader (also reachable as ?article=ID)."""

import streamlit as st

from dashboard import blocks, queries, snippets, ui
from dashboard.i18n import t
from pipeline.schema import Col

view = ui.sidebar("articles")
lang = view.lang
st.title(t("articles_title", lang))
rows = queries.article_list(view.folder, view.filters)
picked = None
if rows.empty:
    ui.empty_notice(lang)
else:
    st.caption(t("articles_caption", lang).format(n=len(rows)))
    event = blocks.article_table(rows, view, key="articles-table", selectable=True)
    if event and event.selection.rows:
        picked = rows[Col.article_id].iloc[event.selection.rows[0]]
        if st.query_params.get("article") != picked:
            st.query_params["article"] = picked
wanted = picked or st.query_params.get("article")
if wanted:
    found = queries.article(view.folder, wanted)
    if found is None:
        st.warning(t("unknown_article", lang).format(id=snippets.plain(wanted)))
    else:
        st.divider()
        blocks.reader(found, view)
elif not rows.empty:
    st.info(t("pick_article", lang))
blocks.finish([], view, "articles")
