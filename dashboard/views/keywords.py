"""Keywords: top terms, word cloud, keyword in context, term co-occurrence network."""

import streamlit as st

from dashboard import blocks, charts, queries, snippets, ui
from dashboard.i18n import chart_text, t
from pipeline.schema import Col

KWIC_CHARS = 30

view = ui.sidebar("keywords")
lang = view.lang
st.title(t("page_keywords", lang))
drawn = []
many = queries.top_terms(view.folder, view.filters, queries.TERM_LIST)  # the cloud's; the bars show the first 30
terms = many.head(30)
if terms.empty:
    ui.empty_notice(lang)
else:
    left, right = st.columns([2, 3])
    with left:
        text = chart_text("top_terms", lang)
        drawn.append(blocks.chart(charts.ranking(terms, Col.term, Col.articles, text), terms, "top-terms", view, text["caption"]))
    with right:
        text = chart_text("cloud", lang)
        font = charts.cjk_font_file()
        if font is None:
            st.warning(t("no_cjk_font", lang))
        else:
            cloud = charts.word_cloud(tuple(zip(many[Col.term], many[Col.weight])), font)
            drawn.append(blocks.image(cloud, many, "word-cloud", view, text["title"], text["caption"]))

    st.subheader(t("kwic_title", lang), anchor=False)
    term = (ui.control("kw", terms[Col.term].iloc[0],
                       lambda key: st.text_input(t("kwic_term", lang), key=key, max_chars=KWIC_CHARS),
                       elide_default=False, limit=KWIC_CHARS) or "").strip()
    lines = queries.keyword_in_context(view.folder, view.filters, term)
    if not term:
        st.info(t("kwic_enter", lang))
    elif lines.empty:
        st.info(t("kwic_none", lang).format(term=snippets.plain(term)))
    else:
        st.caption(t("kwic_caption", lang).format(n=len(lines)))
        st.html(snippets.kwic_html(lines, {k: t(f"kwic_col_{k}", lang) for k in ("date", "title", "context")}))

    nodes, edges = queries.cooccurrence(view.folder, view.filters)
    text = chart_text("network", lang)
    if edges.empty:
        st.info(t("no_cooccurrence", lang))
    else:
        drawn.append(blocks.chart(charts.term_network(nodes, edges, text), edges, "term-network", view, text["caption"]))
blocks.finish(drawn, view, "keywords")
