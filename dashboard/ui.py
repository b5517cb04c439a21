"""What every page shares: the data folder, the sidebar filters synced with the URL, messages.

The view state lives in the URL query parameters: a page reads them, the sidebar widgets start
from them, and every change is written back, so a copied URL reopens the same view.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from dashboard import queries
from dashboard.i18n import t, theme_labels
from dashboard.state import Filters, Options, from_params, lang_from_params, to_params

DATA_ENV = "GOVLENS_DATA"  # folder of processed tables to show instead of the bundled sample

_KEYS = ("f_dates", "f_provinces", "f_cities", "f_themes", "f_sources", "f_query", "f_lang")


@dataclass(frozen=True)
class View:
    folder: str
    filters: Filters
    lang: str
    options: Options


def data_folder() -> str:
    return str(Path(os.environ.get(DATA_ENV) or queries.DEFAULT_DATA).resolve())


def _url_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params.keys()}


def _seed_widgets(filters: Filters, lang: str, options: Options) -> None:
    """Set the sidebar widgets from the URL (first run, or the URL changed under us)."""
    lo, hi = (dt.date.fromisoformat(d) for d in (options.date_min or "2000-01-01", options.date_max or "2000-01-01"))
    start = dt.date.fromisoformat(filters.date_from) if filters.date_from else lo
    end = dt.date.fromisoformat(filters.date_to) if filters.date_to else hi
    st.session_state.update({
        "f_dates": (max(lo, min(start, hi)), max(lo, min(end, hi))),
        "f_provinces": list(filters.provinces),
        "f_cities": list(filters.cities),
        "f_themes": list(filters.themes),
        "f_sources": list(filters.sources),
        "f_query": filters.query,
        "f_lang": lang,
    })


def sidebar() -> View:
    """Render the filters; return the current view. Stops the page with a clear message when
    the tables cannot be read."""
    folder = data_folder()
    try:
        options = queries.options(folder)
    except queries.DataError as exc:
        st.error(f"{t('data_error')}: {exc}")
        st.stop()
    params = _url_params()
    filters, notices = from_params(params, options)
    lang = lang_from_params(params)
    url_view = view_params(filters, lang)
    if st.session_state.get("_synced_params") != url_view or not all(k in st.session_state for k in _KEYS):
        _seed_widgets(filters, lang, options)
    if notices:
        st.warning(f"{t('invalid_params', lang)} {'; '.join(notices)}")

    labels = theme_labels(lang)
    with st.sidebar:
        st.radio(t("language", lang), ("zh", "en"), key="f_lang", horizontal=True,
                 format_func=lambda code: {"zh": "中文", "en": "English"}[code])
        lang = st.session_state["f_lang"]
        st.header(t("filters", lang))
        if options.date_min:
            lo, hi = dt.date.fromisoformat(options.date_min), dt.date.fromisoformat(options.date_max)
            st.date_input(t("date_range", lang), min_value=lo, max_value=hi, key="f_dates")
        st.multiselect(t("province", lang), sorted(options.provinces), key="f_provinces")
        st.multiselect(t("city", lang), sorted(options.cities), key="f_cities")
        st.multiselect(t("theme", lang), sorted(options.themes, key=lambda x: labels.get(x, x)), key="f_themes",
                       format_func=lambda x: labels.get(x, x))
        st.multiselect(t("source", lang), sorted(options.sources), key="f_sources")
        st.text_input(t("search", lang), key="f_query", max_chars=100)
        st.button(t("reset", lang), on_click=_reset)
        with st.expander(t("copy_link", lang)):
            st.caption(t("copy_link_help", lang))
            st.code(str(st.context.url), language=None)

    chosen = _filters_from_widgets(options)
    new_view = view_params(chosen, lang)
    if new_view != url_view or notices:
        st.query_params.from_dict(new_view)
    st.session_state["_synced_params"] = new_view
    return View(folder, chosen, lang, options)


def view_params(filters: Filters, lang: str) -> dict[str, str]:
    """The URL query parameters of a view (Chinese, the default language, is left out)."""
    return to_params(filters) | ({"lang": lang} if lang != "zh" else {})


def _filters_from_widgets(options: Options) -> Filters:
    dates = st.session_state.get("f_dates") or ()
    date_from = date_to = None
    if isinstance(dates, (tuple, list)) and len(dates) == 2 and options.date_min:
        if dates[0].isoformat() > options.date_min:
            date_from = dates[0].isoformat()
        if dates[1].isoformat() < options.date_max:
            date_to = dates[1].isoformat()
    return Filters(
        date_from=date_from,
        date_to=date_to,
        provinces=tuple(st.session_state.get("f_provinces", ())),
        cities=tuple(st.session_state.get("f_cities", ())),
        themes=tuple(st.session_state.get("f_themes", ())),
        sources=tuple(st.session_state.get("f_sources", ())),
        query=(st.session_state.get("f_query") or "").strip(),
    )


def _reset() -> None:
    for key in _KEYS:
        if key != "f_lang":
            st.session_state.pop(key, None)
    st.session_state.pop("_synced_params", None)
    st.query_params.from_dict(view_params(Filters(), st.session_state.get("f_lang", "zh")))


def empty_notice(lang: str) -> None:
    st.info(t("empty", lang))
