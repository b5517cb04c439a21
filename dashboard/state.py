"""The view state (filters) and its round trip through URL query parameters.

Pure: no Streamlit here. `from_params` never raises: values it cannot use fall back to the
default and produce a notice for the user. `narrow` turns a clicked chart element (a bar, cell or
point, described by `{key: value}`) into the filters of the articles behind it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field, replace

MAX_QUERY_CHARS = 100
# st.session_state key of the session's uploaded corpus (dashboard.workspace.Workspace); here, in a
# light module, so pages can look for a workspace without importing the pipeline.
WORKSPACE_KEY = "govlens_workspace"
LANGS = ("zh", "en")


@dataclass(frozen=True)
class Filters:
    date_from: str | None = None  # ISO date, inclusive
    date_to: str | None = None
    provinces: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    counties: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    query: str = ""
    # Extra conditions, all of which must hold, added by clicking a chart element (see `narrow`);
    # never in the URL or the sidebar. Each is (key, value) with a key of FOCUS_KEYS.
    focus: tuple[tuple[str, str], ...] = ()

    def is_default(self) -> bool:
        return self == Filters()


@dataclass(frozen=True)
class Options:
    """What the dataset offers: valid values for each filter."""

    date_min: str | None
    date_max: str | None
    provinces: frozenset[str] = field(default_factory=frozenset)
    cities: frozenset[str] = field(default_factory=frozenset)
    counties: frozenset[str] = field(default_factory=frozenset)
    themes: frozenset[str] = field(default_factory=frozenset)
    sources: frozenset[str] = field(default_factory=frozenset)


_LIST_KEYS = {"province": "provinces", "city": "cities", "county": "counties", "theme": "themes", "source": "sources"}
FILTER_KEYS = ("from", "to", *_LIST_KEYS, "q")  # the URL parameters of the global filters
VIEW_KEYS = (*FILTER_KEYS, "lang")  # … and the interface language: what every page shares
FOCUS_KEYS = ("province", "city", "county", "theme", "source", "month", "term", "slogan", "measure")


def _iso(value: str) -> str | None:
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        return None


def from_params(params: dict[str, list[str]], options: Options) -> tuple[Filters, list[str]]:
    """Filters from query parameters (each key → list of values); unknown or invalid values are
    dropped with a notice."""
    notices: list[str] = []
    values: dict = {}
    for key, attr in _LIST_KEYS.items():
        raw = [v for item in params.get(key, []) for v in item.split(",") if v.strip()]
        valid = getattr(options, attr)
        kept = tuple(dict.fromkeys(v.strip() for v in raw if v.strip() in valid))
        dropped = [v for v in raw if v.strip() not in valid]
        if dropped:
            notices.append(f"{key}: {', '.join(dropped[:5])}")
        values[attr] = kept
    for key in ("from", "to"):
        raw = (params.get(key) or [None])[-1]
        if raw is None:
            continue
        iso = _iso(raw)
        if iso is None:
            notices.append(f"{key}: {raw}")
        else:
            values[f"date_{key}"] = iso
    if values.get("date_from") and values.get("date_to") and values["date_from"] > values["date_to"]:
        notices.append(f"from > to: {values['date_from']} > {values['date_to']}")
        values.pop("date_from"), values.pop("date_to")
    query = (params.get("q") or [""])[-1]
    if len(query) > MAX_QUERY_CHARS:
        notices.append(f"q: {len(query)} > {MAX_QUERY_CHARS}")
        query = query[:MAX_QUERY_CHARS]
    values["query"] = query.strip()
    return Filters(**values), notices


def to_params(filters: Filters) -> dict[str, str]:
    """Query parameters for the filters (defaults left out, lists comma-joined)."""
    params: dict[str, str] = {}
    if filters.date_from:
        params["from"] = filters.date_from
    if filters.date_to:
        params["to"] = filters.date_to
    for key, attr in _LIST_KEYS.items():
        if getattr(filters, attr):
            params[key] = ",".join(getattr(filters, attr))
    if filters.query:
        params["q"] = filters.query
    return params


def lang_from_params(params: dict[str, list[str]]) -> str:
    lang = (params.get("lang") or ["zh"])[-1]
    return lang if lang in LANGS else "zh"


def view_params(filters: Filters, lang: str) -> dict[str, str]:
    """The URL query parameters every page shares (Chinese, the default language, is left out)."""
    return to_params(filters) | ({"lang": lang} if lang != "zh" else {})


def month_bounds(month: str) -> tuple[str, str]:
    """First and last day of a `YYYY-MM` month."""
    year, mon = int(month[:4]), int(month[5:7])
    return f"{month[:7]}-01", f"{month[:7]}-{calendar.monthrange(year, mon)[1]:02d}"


def narrow(filters: Filters, point: dict[str, str]) -> Filters:
    """The filters of the articles behind one chart element: the current filters and, in addition,
    what the element stands for. `point` maps keys of FOCUS_KEYS (`city`, `theme`, `month`,
    `term`…) to values; a `city` means "also names this city as a subject place", a `month`
    "published that month", a `term` "has it among its keywords", a `slogan` "names the slogan",
    a `measure` "reports an indicator of it"."""
    extra = tuple((key, str(value)) for key, value in point.items() if key in FOCUS_KEYS and value)
    return replace(filters, focus=tuple(dict.fromkeys((*filters.focus, *extra))))
