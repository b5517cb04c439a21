"""What every page shares: the data folder, the sidebar filters synced with the URL, messages.

The view state lives in the URL query parameters: a page reads them, the sidebar widgets start
from them, and every change is written back, so a copied URL reopens the same view. Streamlit
drops the query parameters when the user switches pages in the navigation menu; the sidebar then
puts the view back, so the filters follow the user from page to page. Controls that belong to one
page (the cities compared, the map's level…) keep their own query parameters (`control`), which
the sidebar leaves alone.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from dashboard import queries
from dashboard.i18n import labels_of, t, theme_labels
from dashboard.snippets import plain
from dashboard.state import VIEW_KEYS, WORKSPACE_KEY, Filters, Options, from_params, lang_from_params, view_params

DATA_ENV = "GOVLENS_DATA"  # folder of processed tables to show instead of the bundled sample

_KEYS = ("f_dates", "f_provinces", "f_cities", "f_counties", "f_themes", "f_sources", "f_query", "f_lang")


@dataclass(frozen=True)
class View:
    folder: str
    filters: Filters
    lang: str
    options: Options
    labels: dict[str, str]  # theme id → label, from the taxonomy the tables were scored with


def _session_workspace():
    """The session's Workspace (uploaded corpus), or None. Only the upload and themes pages create
    one, after importing dashboard.workspace (~0.7 s: the whole pipeline), so a session without
    one never pays for that import. Looked up in the session state, not in sys.modules: another
    session's thread may be half-way through importing the module."""
    return st.session_state.get(WORKSPACE_KEY)


def data_folder() -> str:
    """The session's own corpus (uploaded or edited in the app) while it shows it, else the default."""
    if _session_workspace() is not None:
        from dashboard import workspace  # already imported by the page that made the workspace

        own = workspace.session_tables(st.session_state)
        if own is not None:
            return str(own)
    return default_folder()


def _theme_labels(lang: str, folder: str) -> dict[str, str]:
    """The bundled taxonomy's theme labels, with the session's edited taxonomy over them while the
    session shows its own tables (themes added in the editor get their labels on every page)."""
    labels = theme_labels(lang)
    ws = _session_workspace()
    if ws is not None and ws.taxonomy is not None and folder == str(ws.tables):
        labels = labels | labels_of(ws.taxonomy, lang)
    return labels


def default_folder() -> str:
    """GOVLENS_DATA, or the bundled sample."""
    return str(Path(os.environ.get(DATA_ENV) or queries.DEFAULT_DATA).resolve())


def _dataset_switch(lang: str) -> None:
    """Once the session has its own corpus: a sidebar switch back to the default tables."""
    ws = _session_workspace()
    if ws is not None and ws.has_tables():
        # No key: the value always comes from the workspace (a keyed widget's state would be
        # dropped on pages without the sidebar).
        ws.active = not st.sidebar.toggle(t("dataset_sample", lang), value=not ws.active, help=t("dataset_sample_help", lang))


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
        "f_counties": list(filters.counties),
        "f_themes": list(filters.themes),
        "f_sources": list(filters.sources),
        "f_query": filters.query,
        "f_lang": lang,
    })


def _within(places: pd.DataFrame, column: str, chosen: dict[str, list[str]], keep: list[str]) -> list[str]:
    """Values of `column` inside the chosen higher levels (all when none is chosen), plus `keep`."""
    rows = places
    for level, values in chosen.items():
        if values:
            rows = rows[rows[level].isin(values)]
    return sorted(set(rows[column].dropna()) | set(keep))


def sidebar(page: str) -> View:
    """Render the filters of page `page` (its url path); return the current view. Stops the page
    with a clear message when the tables cannot be read."""
    _dataset_switch(st.session_state.get("f_lang") or lang_from_params(_url_params()))
    folder = data_folder()
    if st.session_state.get("_folder", folder) != folder:  # another dataset: other dates and places
        _reset()
    st.session_state["_folder"] = folder
    try:
        options = queries.options(folder)
        places = queries.place_tree(folder)
    except queries.DataError as exc:
        st.error(f"{t('data_error')}: {exc}")
        st.stop()
    actual = _url_params()
    saved = st.session_state.get("_synced_params")
    switched = st.session_state.get("_page", page) != page and not any(k in actual for k in VIEW_KEYS)
    params = {k: [v] for k, v in saved.items()} if switched and saved else actual
    filters, notices = from_params(params, options)
    lang = lang_from_params(params)
    url_view = view_params(filters, lang)
    if saved != url_view or not all(k in st.session_state for k in _KEYS):
        _seed_widgets(filters, lang, options)
    if notices:
        st.warning(f"{t('invalid_params', lang)} {plain('; '.join(notices))}")

    labels = _theme_labels(lang, folder)
    with st.sidebar:
        st.radio(t("language", lang), ("zh", "en"), key="f_lang", horizontal=True,
                 format_func=lambda code: {"zh": "中文", "en": "English"}[code])
        lang = st.session_state["f_lang"]
        st.header(t("filters", lang))
        if options.date_min:
            lo, hi = dt.date.fromisoformat(options.date_min), dt.date.fromisoformat(options.date_max)
            st.date_input(t("date_range", lang), min_value=lo, max_value=hi, key="f_dates")
        state = st.session_state
        choose = t("choose", lang)
        st.multiselect(t("province", lang), sorted(options.provinces), key="f_provinces", placeholder=choose)
        st.multiselect(t("city", lang), _within(places, "city", {"province": state.f_provinces}, state.f_cities),
                       key="f_cities", placeholder=choose)
        st.multiselect(t("county", lang), _within(places, "county", {"province": state.f_provinces, "city": state.f_cities},
                                                   state.f_counties), key="f_counties", placeholder=choose)
        st.multiselect(t("theme", lang), sorted(options.themes, key=lambda x: labels.get(x, x)), key="f_themes",
                       format_func=lambda x: labels.get(x, x), placeholder=choose)
        st.multiselect(t("source", lang), sorted(options.sources), key="f_sources", placeholder=choose)
        st.text_input(t("search", lang), key="f_query", max_chars=100, help=t("search_help", lang))
        st.button(t("reset", lang), on_click=_reset)

    chosen = _filters_from_widgets(options)
    new_view = view_params(chosen, lang)
    _write_url(actual, new_view)
    st.session_state["_synced_params"] = new_view
    st.session_state["_page"] = page
    with st.sidebar.expander(t("copy_link", lang)):
        st.caption(t("copy_link_help", lang))
        others = {k: v for k, v in actual.items() if k not in VIEW_KEYS}
        query = urlencode(new_view | others, doseq=True)
        st.code(f"{st.context.url or ''}{'?' + query if query else ''}", language=None)
    return View(folder, chosen, lang, options, _theme_labels(lang, folder))


def control(key: str, default, render: Callable[[str], object], allowed: Collection[str] | None = None,
            elide_default: bool = True, limit: int | None = None):
    """A page's own control (a toggle, a choice, a list of cities, a term) kept in the URL parameter
    `key`. `render(key)` draws the widget under that session-state key. The first run takes the
    value from the URL (`default` when absent; when not among `allowed`, `default` and a notice);
    every run writes the value back, leaving the parameter out when it equals `default` and
    `elide_default` (a default that depends on the filters must stay in the URL). The value's type
    follows `default`: bool ("true"/"false"), tuple (comma-joined, at most `limit` values) or str
    (at most `limit` characters)."""
    if key not in st.session_state:
        st.session_state[key] = _param_value(key, default, allowed, limit)
    render(key)
    value = st.session_state[key]
    if isinstance(default, tuple):
        value = tuple(value or ())
    if isinstance(default, bool):
        text = "true" if value else "false"
    else:
        text = ",".join(value) if isinstance(default, tuple) else value
    if (value == default and elide_default) or text in (None, ""):
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != text:
        st.query_params[key] = text
    return value


def _param_value(key: str, default, allowed: Collection[str] | None, limit: int | None):
    raw = st.query_params.get(key)
    if raw is None:
        return list(default) if isinstance(default, tuple) else default
    if isinstance(default, bool):
        values, valid = [raw], raw in ("true", "false")
    else:
        values = [v.strip() for v in raw.split(",") if v.strip()] if isinstance(default, tuple) else [raw]
        valid = (allowed is None or all(v in allowed for v in values)) and (
            limit is None or len(values if isinstance(default, tuple) else raw) <= limit)
    if not valid:
        st.warning(f"{t('invalid_params', st.session_state.get('f_lang', 'zh'))} {plain(f'{key}: {raw}')}")
        return list(default) if isinstance(default, tuple) else default
    if isinstance(default, bool):
        return raw == "true"
    return values if isinstance(default, tuple) else raw


def _write_url(actual: dict[str, list[str]], view: dict[str, str]) -> None:
    """Make the URL's view parameters say `view`, leaving every other parameter as it is."""
    changed = {k: v for k, v in view.items() if actual.get(k) != [v]}
    if changed:
        st.query_params.update(changed)
    for key in VIEW_KEYS:
        if key in actual and key not in view:
            del st.query_params[key]


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
        counties=tuple(st.session_state.get("f_counties", ())),
        themes=tuple(st.session_state.get("f_themes", ())),
        sources=tuple(st.session_state.get("f_sources", ())),
        query=(st.session_state.get("f_query") or "").strip(),
    )


def _reset() -> None:
    for key in _KEYS:
        if key != "f_lang":
            st.session_state.pop(key, None)
    st.session_state.pop("_synced_params", None)
    lang = st.session_state.get("f_lang", "zh")
    for key in VIEW_KEYS:
        if key in st.query_params and not (key == "lang" and lang != "zh"):
            del st.query_params[key]


def empty_notice(lang: str) -> None:
    st.info(t("empty", lang))


def nothing_matches(view: View) -> bool:
    """True, with the message saying so, when no article matches the filters."""
    if queries.article_count(view.folder, view.filters):
        return False
    empty_notice(view.lang)
    return True


def missing_table_notice(table: str, lang: str) -> None:
    """The page needs a table this folder was built without (an older build)."""
    st.warning(t("missing_table", lang).format(table=table, folder=plain(data_folder())))
