"""Timeline: articles per month by theme (stacked or small multiples), first mentions of slogans."""

import streamlit as st

from dashboard import blocks, charts, queries, ui
from dashboard.i18n import chart_text, t

view = ui.sidebar("timeline")
lang = view.lang
st.title(t("page_timeline", lang))
drawn = []
counts = queries.monthly_theme_counts(view.folder, view.filters)
if counts.empty:
    ui.empty_notice(lang)
else:
    layouts = ("stack", "facets")
    layout = ui.control("layout", "stack", lambda key: st.segmented_control(
        t("timeline_layout", lang), layouts, key=key, format_func=lambda x: t(f"timeline_{x}", lang)), layouts) or "stack"
    has_slogans = "slogans" in queries.tables(view.folder)
    events = queries.slogan_first_seen(view.folder, view.filters) if has_slogans else None
    text = chart_text("timeline", lang)
    fig = charts.monthly_theme_bars(counts, view.labels, text, facets=layout == "facets", events=events)
    caption = text["caption"] + (" " + text["caption_events"] if has_slogans and layout == "stack" else "")
    drawn.append(blocks.chart(fig, counts, "timeline", view, caption))
    if not has_slogans:
        ui.missing_table_notice("slogans", lang)
    elif events is not None and not events.empty:
        st.subheader(t("events_title", lang), anchor=False)
        blocks.table(events, lang, key="events")
blocks.finish(drawn, view, "timeline")
