"""Page building blocks: a chart with its caption, downloads and the articles behind a click; an
article table; the article reader. Pages compose these; the data comes from `queries`.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from PIL import Image

from dashboard import charts, downloads, queries, snippets
from dashboard.export import Chart
from dashboard.i18n import chart_text, has_string, t
from dashboard.state import narrow, view_params
from dashboard.ui import View, empty_notice
from pipeline.schema import Col

MAX_SELECTED = 30  # clicked elements listed at once (a lasso can catch hundreds)


def chart(fig: go.Figure, data: pd.DataFrame, name: str, view: View, caption: str, clickable: bool = True) -> Chart:
    """Draw a figure with its caption and download buttons; when `clickable`, clicking (or box /
    lasso selecting) its elements lists the articles behind them. Returns the chart for export."""
    # The container's key names the chart on the page (`.st-key-chart-<name>`); the chart's own key
    # changes with the filters, because a selection belongs to the view it was made in.
    with st.container(key=f"chart-{name}"):
        event = st.plotly_chart(fig, key=f"chart-{name}-{hash(view.filters) & 0xFFFFFFFF:08x}",
                                on_select="rerun" if clickable else "ignore", selection_mode=("points", "box", "lasso"),
                                config=downloads.toolbar_config(name) | charts.OFFLINE_CONFIG)
    st.caption(caption + (" " + t("click_hint", view.lang) if clickable else ""))
    exported = downloads.chart_downloads(fig, data, name, view.lang)
    if clickable and event:
        points = charts.selected_points(fig, list(event.selection.points))
        if points:
            selected_articles(view, points)
    return exported


def charted(data: pd.DataFrame, figure: Callable[[dict[str, str]], go.Figure], text_key: str, name: str, view: View,
            empty: str | None = None, caption: tuple[str, ...] = ("caption",)) -> list[Chart]:
    """The usual chart block: `figure(texts)` drawn over `data` with its caption (the chart's
    `caption` texts, joined) and downloads, or the notice `empty` (a string key; nothing when
    None) when `data` has no rows. Returns the drawn chart as a list (empty or one), to add to
    the page's charts for "export all"."""
    text = chart_text(text_key, view.lang)
    if data.empty:
        if empty:
            st.info(t(empty, view.lang))
        return []
    return [chart(figure(text), data, name, view, " ".join(text[part] for part in caption))]


def image(picture: Image.Image, data: pd.DataFrame, name: str, view: View, title: str, caption: str) -> Chart:
    """Draw a raster image (a word cloud) with its title, caption and download buttons."""
    st.markdown(f"**{title}**")
    st.image(picture, width="stretch")
    st.caption(caption)
    return downloads.chart_downloads(picture, data, name, view.lang)


def _describe(point: dict[str, str], labels: dict[str, str]) -> str:
    return " · ".join(labels.get(v, v) if k == Col.theme else v for k, v in point.items())


def selected_articles(view: View, points: list[dict[str, str]]) -> None:
    """The articles behind the clicked elements, under the chart."""
    points = points[:MAX_SELECTED]
    rows = queries.articles_behind(view.folder, tuple(narrow(view.filters, p) for p in points))
    with st.container(border=True, key="selected-articles"):
        described = ", ".join(_describe(p, view.labels) for p in points[:5])
        st.markdown(f"**{t('selected_title', view.lang)}** {snippets.plain(described)}"
                    + ("…" if len(points) > 5 else ""))
        if rows.empty:
            empty_notice(view.lang)
        else:
            st.caption(t("selected_caption", view.lang).format(n=len(rows)))
            article_table(rows, view, key="selected-table")


def reader_link(view: View, article_id: str) -> str:
    """A relative link to the Articles page reading one article, in the current view."""
    return "articles?" + urlencode(view_params(view.filters, view.lang) | {"article": article_id})


def article_table(rows: pd.DataFrame, view: View, key: str, selectable: bool = False):
    """Articles as a table (date, title, source, place, themes, a link to the reader). With
    `selectable`, a row can be picked: returns the selection event."""
    labels = view.labels
    shown = pd.DataFrame({
        "date": rows[Col.date].fillna("–"), "title": rows[Col.title], "source": rows[Col.source].fillna("–"),
        "place": rows["place"].fillna("–"),
        "themes": [", ".join(labels.get(x, x) for x in ths) for ths in rows["themes"]],
        "open": [reader_link(view, a) for a in rows[Col.article_id]],
    })
    columns = {
        "date": t("col_date", view.lang), "title": st.column_config.TextColumn(t("col_title", view.lang), width="large"),
        "source": t("col_source", view.lang), "place": t("col_place", view.lang), "themes": t("col_themes", view.lang),
        "open": st.column_config.LinkColumn(t("col_open", view.lang), display_text=t("open_reader", view.lang)),
    }
    order = ["date", "open", "title", "source", "place", "themes"]  # the link where the eye starts
    if selectable:
        return st.dataframe(shown, hide_index=True, column_config=columns, column_order=order, key=key, on_select="rerun",
                            selection_mode="single-row")
    st.dataframe(shown, hide_index=True, column_config=columns, column_order=order, key=key)
    return None


def table(frame: pd.DataFrame, lang: str, key: str) -> None:
    """A plain table with its columns named in the interface language (`col_<column>` strings)."""
    names = {c: t(f"col_{c}", lang) for c in frame.columns if has_string(f"col_{c}")}
    st.dataframe(frame.rename(columns=names), hide_index=True, key=key)


def reader(found: dict, view: View) -> None:
    """One article: title, source, date, places, themes with the evidence for each, and the text
    (always escaped) with the theme terms marked."""
    lang, labels = view.lang, view.labels
    row = found["article"]
    st.subheader(snippets.plain(row[Col.title]) if row[Col.title] else t("untitled", lang), anchor=False)
    date = row[Col.date] if isinstance(row[Col.date], str) else "–"
    facts = [f"{t('col_date', lang)}: {date}", f"{t('col_source', lang)}: {row[Col.source] or '–'}",
             f"{t('col_chars', lang)}: {row[Col.n_chars]:,}"]
    if row[Col.n_copies] > 1:
        facts.append(t("copies", lang).format(n=row[Col.n_copies], sources="、".join(row[Col.copy_sources])))
    st.caption(snippets.plain(" · ".join(facts)))
    if isinstance(row[Col.url], str) and row[Col.url]:
        st.caption(snippets.plain(f"URL: {row[Col.url]}"))
    places = found["places"]
    subject = places[places[Col.role] == "subject"]
    st.markdown(f"**{t('reader_places', lang)}**")
    if subject.empty:
        st.text(t("reader_no_places", lang))
    else:
        st.text("、".join(
            f"{p.county or p.city or p.province}{'★' if p.is_primary else ''}×{p.mentions}" for p in subject.itertuples()))
    themes = found["themes"]
    st.markdown(f"**{t('reader_themes', lang)}**")
    terms: list[str] = []
    if themes.empty:
        st.text(t("reader_no_themes", lang))
    for th in themes.itertuples():
        evidence = list(th.matched_terms)
        terms += [snippets.matched_term(e) for e in evidence]
        st.text(f"{labels.get(th.theme, th.theme)} ({t('reader_score', lang)} {th.score:.1f}): {'、'.join(evidence)}")
    for name, title in (("slogans", "reader_slogans"), ("indicators", "reader_indicators")):
        extra = found.get(name)
        if extra is not None and not extra.empty:
            with st.expander(f"{t(title, lang)} ({len(extra)})"):
                table(extra, lang, key=f"reader-{name}")
    st.markdown(f"**{t('reader_text', lang)}**")
    st.caption(t("reader_text_caption", lang))
    st.html(snippets.reader_html(row[Col.text], terms))


def finish(charts_drawn: list[Chart], view: View, page: str) -> None:
    """The end of every page: the "export all" button for the charts drawn."""
    downloads.export_all(charts_drawn, view, page)
