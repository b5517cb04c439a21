"""Queries over the processed tables (DuckDB over the Parquet files). No Streamlit here.

The tables of a folder are loaded once into an in-memory DuckDB database, articles numbered
(`aid`) so that joins run on integers (texts beyond TEXT_MEMORY stay in the Parquet file); each
thread gets its own cursor on it. Every query takes the tables folder and a `Filters` value and is
memoised on both and on the files' sizes and modification times, so a page re-run with the same
view costs nothing and rebuilt tables are picked up. Results are shared between sessions: callers
must not mutate them. Column names come from `pipeline.schema`.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from dashboard import snippets
from dashboard.state import Filters, Options, month_bounds
from pipeline import termstats
from pipeline.schema import Col

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "data" / "processed"
# Place names (official and short) from the pipeline's gazetteer, read without importing the pipeline
PLACE_NAME_FILES = {"name": Path(__file__).resolve().parent.parent / "pipeline" / "resources" / "gazetteer.csv",
                    "alias": Path(__file__).resolve().parent.parent / "pipeline" / "resources" / "place_aliases.csv"}
CACHE = 256
MAX_DATABASES = 8  # table folders held in memory at once: the default one and recent uploads
REQUIRED = ("articles", "places", "themes", "keywords")
OPTIONAL = ("slogans", "indicators", "terms")  # newer tables: pages that need them say so when absent
# The columns the dashboard reads: a folder built by another version of the pipeline works as long
# as it has these (the reader shows whatever else there is).
NEEDED = {
    "articles": (Col.article_id, Col.doc_path, Col.story, Col.title, Col.date, Col.source, Col.url, Col.text,
                 Col.n_chars, Col.n_copies, Col.copy_sources),
    "places": (Col.article_id, Col.province, Col.city, Col.county, Col.role, Col.mentions, Col.is_primary, Col.lat, Col.lon),
    "themes": (Col.article_id, Col.theme, Col.score, Col.matched_terms),
    "keywords": (Col.article_id, Col.term, Col.weight),
    "slogans": (Col.article_id, Col.slogan, Col.kind),
    "indicators": (Col.article_id, Col.value, Col.unit, Col.measure, Col.sentence),
    "terms": (Col.article_id, Col.term, Col.mentions),
}
EXACT_TERM_ROWS = 3_000_000  # term counts of a selection up to this many (article, term) rows are summed exactly
ARTICLE_ORDER = f"a.{Col.date} DESC NULLS LAST, a.{Col.doc_path}, a.{Col.story}"  # lists: newest first
TEXT_MEMORY = 1_500_000_000  # bytes of article text held in memory; beyond, texts are read from the file
SUBJECT = "subject"  # the place role that counts in charts (publisher homes and bylines do not)
TERM_LIST = 100  # terms the keyword page lists (its word cloud); the network takes its head
TEXT_SEARCHES = 32  # free-text searches whose matching articles are kept (see text_hits)
OTHER_TERMS = -1  # the term id standing for all the terms a group does not use (never shown)


class DataError(RuntimeError):
    """The tables folder is missing, incomplete or unreadable; the message says what to do."""


# --- the database of a folder ---------------------------------------------------------------

_lock = threading.Lock()
_databases: dict[str, tuple[tuple, duckdb.DuckDBPyConnection, frozenset[str]]] = {}
_local = threading.local()


def _stamp(folder: str) -> tuple:
    """What identifies a version of the folder's tables: names, sizes and modification times."""
    stamp = []
    for name in (*REQUIRED, *OPTIONAL):
        try:
            info = (Path(folder) / f"{name}.parquet").stat()
        except OSError:
            continue
        stamp.append((name, info.st_size, info.st_mtime_ns))
    return tuple(stamp)


def _database(folder: str, stamp: tuple) -> tuple[duckdb.DuckDBPyConnection, frozenset[str]]:
    """The folder's in-memory database, loaded again when its tables changed. At most
    MAX_DATABASES folders are held (each upload is a folder of its own): the least recently
    used one is closed first."""
    with _lock:
        known = _databases.pop(folder, None)
        if known is None or known[0] != stamp:
            if known is not None:
                known[1].close()
            con, names = _load(folder)
            known = (stamp, con, names)
        _databases[folder] = known  # dicts keep insertion order: the most recently used is last
        while len(_databases) > MAX_DATABASES:
            _databases.pop(next(iter(_databases)))[1].close()
        return known[1], known[2]


def _load(folder: str) -> tuple[duckdb.DuckDBPyConnection, frozenset[str]]:
    """Load the folder's tables into an in-memory database. Besides the tables: `subject` (the
    places that count in charts), `primary_place` (each article's main place), `texts`
    (article_id, text, newest first) and term counts keyed by integers (`vocab` (tid, term)):
    `counts` (aid, tid, n) from the `terms` table (each article's keywords, counted once, in
    folders built before it), `keyword_counts` (aid, tid, n, weight) from the keywords, and each
    article's totals in `article_terms` / `article_keywords`."""
    path = Path(folder)
    missing = [name for name in REQUIRED if not (path / f"{name}.parquet").is_file()]
    if missing:
        raise DataError(f"{folder}: missing tables {', '.join(missing)}. Build them with "
                        f"`python -m pipeline build INPUT --out {folder}`.")
    con = duckdb.connect()
    loaded = []
    for name in (*REQUIRED, *OPTIONAL):
        file = path / f"{name}.parquet"
        if not file.is_file():
            continue
        source = f"read_parquet('{_sql_path(file)}')"
        with _reading(con, folder, name):
            got = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
            lacking = set(NEEDED[name]) - got
            if lacking:
                con.close()
                raise DataError(f"{folder}/{name}.parquet lacks columns {sorted(lacking)}: it was built by an older "
                                "version. Rebuild it with `python -m pipeline build`.")
            if name == "articles":
                _load_articles(con, source)
            elif name == "terms":  # read in full once, into `counts` below
                con.execute(f"""CREATE TEMP VIEW term_source AS
                                SELECT {Col.article_id}, {Col.term}, {Col.mentions} AS n FROM {source}""")
            else:  # numbered like its articles: joins on integers are twice as fast as on the ids
                con.execute(f"""CREATE TABLE {name} AS SELECT a.aid, t.* FROM {source} t
                                JOIN (SELECT {Col.article_id}, aid FROM articles) a USING ({Col.article_id})""")
        loaded.append(name)
    keywords = f"SELECT {Col.article_id}, {Col.term}, 1 AS n, {Col.weight} FROM keywords"
    with _reading(con, folder, "terms" if "terms" in loaded else "keywords"):
        if "terms" not in loaded:
            con.execute(f"CREATE TEMP VIEW term_source AS {keywords}")
        # tids in the order of the terms, so ordering by tid orders by term
        con.execute(f"""CREATE TABLE vocab AS SELECT (row_number() OVER (ORDER BY {Col.term}))::INTEGER AS tid, {Col.term}
                        FROM (SELECT {Col.term} FROM term_source UNION SELECT {Col.term} FROM keywords)""")
        con.execute(f"""CREATE TABLE counts AS SELECT a.aid, v.tid, s.n::INTEGER AS n
                        FROM term_source s JOIN articles a USING ({Col.article_id}) JOIN vocab v USING ({Col.term})""")
        con.execute("DROP VIEW term_source")
    names = " UNION ".join(f"SELECT {column} AS name FROM read_csv('{_sql_path(path)}', header = true, all_varchar = true)"
                           for column, path in PLACE_NAME_FILES.items() if path.is_file()) or "SELECT NULL AS name"
    con.execute(f"CREATE TABLE place_terms AS SELECT tid FROM vocab WHERE {Col.term} IN ({names}) ORDER BY tid")
    con.execute(f"""CREATE TABLE keyword_counts AS SELECT a.aid, v.tid, 1 AS n, s.{Col.weight}
                    FROM keywords s JOIN articles a USING ({Col.article_id}) JOIN vocab v USING ({Col.term})""")
    con.execute("CREATE TABLE article_terms AS SELECT aid, sum(n)::BIGINT AS n, count(*) AS rows FROM counts GROUP BY aid")
    con.execute("""CREATE TABLE article_keywords AS
                   SELECT aid, count(*)::BIGINT AS n, count(*) AS rows FROM keyword_counts GROUP BY aid""")
    con.execute(f"CREATE TABLE subject AS SELECT * FROM places WHERE {Col.role} = '{SUBJECT}'")
    con.execute(f"""CREATE TABLE primary_place AS SELECT aid, {Col.article_id}, {Col.province}, {Col.city}, {Col.county}
                    FROM subject WHERE {Col.is_primary}""")
    return con, frozenset(loaded)


def _sql_path(path: Path) -> str:
    """A path inside a single-quoted SQL string."""
    return path.as_posix().replace("'", "''")


@contextmanager
def _reading(con: duckdb.DuckDBPyConnection, folder: str, name: str):
    """Report a table that cannot be read as what it is (and close the half-loaded database)."""
    try:
        yield
    except duckdb.Error as exc:
        con.close()
        raise DataError(f"{folder}/{name}.parquet is unreadable or corrupt ({str(exc).splitlines()[0]}). "
                        "Rebuild the tables with `python -m pipeline build`.") from None


def _load_articles(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """Articles without their texts, numbered (`aid`); the texts in memory when they fit in
    TEXT_MEMORY, else read from the file by the few queries that need them."""
    con.execute(f"CREATE TABLE articles AS SELECT (row_number() OVER ())::INTEGER AS aid, * EXCLUDE ({Col.text}) FROM {source}")
    (size,) = con.execute(f"SELECT sum({Col.n_chars})::BIGINT * 3 FROM articles").fetchone()  # UTF-8: 3 bytes a character
    if (size or 0) <= TEXT_MEMORY:
        con.execute(f"""CREATE TABLE texts AS SELECT a.aid, x.{Col.article_id}, x.{Col.text} FROM {source} x
                        JOIN articles a USING ({Col.article_id}) ORDER BY {ARTICLE_ORDER}""")
    else:  # read it all once: damage to what stays on disk shows now, not mid-page
        con.execute(f"SELECT max(length({Col.text})) FROM {source}").fetchall()
        con.execute(f"""CREATE VIEW texts AS SELECT a.aid, x.{Col.article_id}, x.{Col.text} FROM {source} x
                        JOIN (SELECT {Col.article_id}, aid FROM articles) a USING ({Col.article_id})""")


def _cursor(folder: str) -> duckdb.DuckDBPyConnection:
    """This thread's cursor on the folder's current database (Streamlit runs sessions in threads)."""
    return _thread_cursor(folder)[0]


def _thread_cursor(folder: str) -> tuple[duckdb.DuckDBPyConnection, dict[str, pd.DataFrame]]:
    """This thread's cursor on the folder's database and the frames registered on it by name."""
    con, _ = _database(folder, _stamp(folder))
    cursors = getattr(_local, "cursors", None)
    if cursors is None:
        cursors = _local.cursors = {}
    known = cursors.get(folder)
    if known is None or known[0] is not con:
        # forget this thread's cursors on databases since reloaded or closed
        for stale in [f for f, (c, _, _) in cursors.items() if _databases.get(f, (None, None))[1] is not c]:
            del cursors[stale]
        cursors[folder] = known = (con, con.cursor(), {})
    return known[1], known[2]


def _registered(folder: str, frame: pd.DataFrame) -> str:
    """The name under which this thread's cursor reads `frame` (registered once per cursor; the
    least recently used of more than TEXT_SEARCHES are unregistered). A registered frame stays
    alive, so its id names it and no other frame while it is registered."""
    cursor, views = _thread_cursor(folder)
    name = f"frame_{id(frame):x}"
    if views.get(name) is not frame:
        cursor.register(name, frame)
    views[name] = views.pop(name, frame)  # most recently used last
    while len(views) > TEXT_SEARCHES:
        cursor.unregister(next(iter(views)))
        del views[next(iter(views))]
    return name


def tables(folder: str) -> frozenset[str]:
    """Names of the tables the folder provides (the required ones and any optional ones)."""
    return _database(folder, _stamp(folder))[1]


def _fetch(folder: str, sql: str, params: list | None, fetch: Callable):
    try:
        return fetch(_cursor(folder).execute(sql, params or []))
    except duckdb.IOException as exc:
        raise DataError(f"{folder}: cannot read the tables ({str(exc).splitlines()[0]})") from None


def _df(folder: str, sql: str, params: list | None = None) -> pd.DataFrame:
    return _fetch(folder, sql, params, duckdb.DuckDBPyConnection.df)


def _arrays(folder: str, sql: str, params: list | None = None) -> dict[str, np.ndarray]:
    """A query's result as numpy columns: cheaper than a DataFrame for long numeric results."""
    return _fetch(folder, sql, params, duckdb.DuckDBPyConnection.fetchnumpy)


_CACHED: list[Callable] = []


def cached(fn: Callable | None = None, *, size: int = CACHE) -> Callable:
    """Memoise a query on its arguments and on the version of the folder's tables (the `size`
    most recent calls)."""
    if fn is None:
        return functools.partial(cached, size=size)

    @functools.lru_cache(maxsize=size)
    def run(folder: str, stamp: tuple, args: tuple, kwargs: tuple):
        return fn(folder, *args, **dict(kwargs))

    @functools.wraps(fn)
    def query(folder: str, *args, **kwargs):
        return run(folder, _stamp(folder), args, tuple(sorted(kwargs.items())))

    query.cache_clear = run.cache_clear
    _CACHED.append(query)
    return query


def clear_caches() -> None:
    for fn in _CACHED:
        fn.cache_clear()


# --- filters as SQL ---------------------------------------------------------------------------

def _in(values) -> str:
    return ", ".join("?" * len(values))


def _where(folder: str, filters: Filters) -> tuple[str, list]:
    """SQL condition on `a` (articles) for the filters, with its parameters."""
    clauses, params = ["TRUE"], []
    if filters.date_from:
        clauses.append(f"a.{Col.date} >= ?")
        params.append(filters.date_from)
    if filters.date_to:
        clauses.append(f"a.{Col.date} <= ?")
        params.append(filters.date_to)
    for column, values in ((Col.province, filters.provinces), (Col.city, filters.cities), (Col.county, filters.counties)):
        if values:
            clauses.append(f"a.aid IN (SELECT aid FROM subject WHERE {column} IN ({_in(values)}))")
            params += list(values)
    if filters.themes:
        clauses.append(f"a.aid IN (SELECT aid FROM themes WHERE {Col.theme} IN ({_in(filters.themes)}))")
        params += list(filters.themes)
    if filters.sources:
        clauses.append(f"a.{Col.source} IN ({_in(filters.sources)})")
        params += list(filters.sources)
    if filters.query:
        clauses.append(f"a.aid IN (SELECT aid FROM {_registered(folder, text_hits(folder, filters.query))})")
    for key, value in filters.focus:
        clause, values = _focus(key, value)
        clauses.append(clause)
        params += values
    return " AND ".join(clauses), params


@cached(size=TEXT_SEARCHES)
def text_hits(folder: str, query: str) -> pd.DataFrame:
    """The articles (aid) whose title or text contains `query`. Searched once per tables version
    and kept: reading every text is the costliest filter, and each query of a page applies it."""
    return _df(folder, f"""SELECT aid FROM articles WHERE contains({Col.title}, ?)
        UNION SELECT aid FROM texts WHERE contains({Col.text}, ?) ORDER BY aid""", [query, query])


def _focus(key: str, value: str) -> tuple[str, list]:
    """One extra condition added by clicking a chart element (see `state.narrow`)."""
    if key in (Col.province, Col.city, Col.county):
        return f"a.aid IN (SELECT aid FROM subject WHERE {key} = ?)", [value]
    if key == Col.theme:
        return f"a.aid IN (SELECT aid FROM themes WHERE {Col.theme} = ?)", [value]
    if key == Col.source:
        return f"a.{Col.source} = ?", [value]
    if key == Col.month:
        return f"a.{Col.date} BETWEEN ? AND ?", list(month_bounds(value))
    if key == Col.term:  # the articles the term charts count: those having it among their keywords
        return f"a.aid IN (SELECT aid FROM keywords WHERE {Col.term} = ?)", [value]
    if key == Col.slogan:
        return f"a.aid IN (SELECT aid FROM slogans WHERE {Col.slogan} = ?)", [value]
    if key == Col.measure:
        return f"a.aid IN (SELECT aid FROM indicators WHERE {Col.measure} = ?)", [value]
    raise ValueError(f"unknown focus key {key!r}")


def _selected(folder: str, filters: Filters) -> tuple[str, list]:
    """A CTE `sel` of the filtered articles (article_id, aid)."""
    where, params = _where(folder, filters)
    return f"WITH sel AS (SELECT a.{Col.article_id}, a.aid FROM articles a WHERE {where})", params


# --- what the dataset offers ------------------------------------------------------------------

@cached
def options(folder: str) -> Options:
    """Valid filter values of the dataset."""
    con = _cursor(folder)
    dmin, dmax = con.execute(f"SELECT min({Col.date}), max({Col.date}) FROM articles").fetchone()

    def distinct(sql: str) -> frozenset[str]:
        return frozenset(v for (v,) in con.execute(sql).fetchall() if v)

    return Options(
        dmin, dmax,
        distinct(f"SELECT DISTINCT {Col.province} FROM subject"),
        distinct(f"SELECT DISTINCT {Col.city} FROM subject"),
        distinct(f"SELECT DISTINCT {Col.county} FROM subject"),
        distinct(f"SELECT DISTINCT {Col.theme} FROM themes"),
        distinct(f"SELECT DISTINCT {Col.source} FROM articles"),
    )


@cached
def place_tree(folder: str) -> pd.DataFrame:
    """Every subject place as (province, city, county), to offer the cities and counties inside
    the provinces and cities chosen."""
    return _df(folder, f"SELECT DISTINCT {Col.province}, {Col.city}, {Col.county} FROM subject ORDER BY ALL")


# --- overview ---------------------------------------------------------------------------------

@cached
def article_count(folder: str, filters: Filters) -> int:
    """How many articles the filters select (a fifth of `key_figures`' work)."""
    cte, params = _selected(folder, filters)
    return _cursor(folder).execute(f"{cte} SELECT count(*) FROM sel", params).fetchone()[0]


@cached
def key_figures(folder: str, filters: Filters) -> dict:
    cte, params = _selected(folder, filters)
    row = _cursor(folder).execute(
        f"""{cte}
        SELECT (SELECT count(*) FROM sel),
               (SELECT count(DISTINCT p.{Col.city}) FROM subject p JOIN sel USING (aid) WHERE p.{Col.city} IS NOT NULL),
               (SELECT count(DISTINCT t.{Col.theme}) FROM themes t JOIN sel USING (aid)),
               (SELECT min(a.{Col.date}) FROM articles a JOIN sel USING (aid)),
               (SELECT max(a.{Col.date}) FROM articles a JOIN sel USING (aid))""",
        params,
    ).fetchone()
    return dict(zip(("articles", "cities", "themes", "date_min", "date_max"), row))


def _city_articles(cte: str) -> str:
    """CTEs `pc` (article, province, city) of the selection's subject cities."""
    return f"""{cte},
        pc AS (SELECT DISTINCT p.aid, p.{Col.province}, p.{Col.city} FROM subject p JOIN sel USING (aid)
               WHERE p.{Col.city} IS NOT NULL)"""


@cached
def theme_city_counts(folder: str, filters: Filters, top_cities: int = 25) -> pd.DataFrame:
    """Articles per (city, theme) for the top cities; `city_articles` is the city's article count
    in the selection (to normalise by)."""
    cte, params = _selected(folder, filters)
    return _df(folder, f"""{_city_articles(cte)},
        totals AS (SELECT {Col.city}, any_value({Col.province}) AS {Col.province}, count(*) AS city_articles
                   FROM pc GROUP BY {Col.city} ORDER BY city_articles DESC, {Col.city} LIMIT {int(top_cities)})
        SELECT pc.{Col.city}, totals.{Col.province}, t.{Col.theme}, count(*) AS {Col.articles},
               any_value(totals.city_articles) AS city_articles
        FROM pc JOIN totals USING ({Col.city}) JOIN themes t USING (aid)
        GROUP BY pc.{Col.city}, totals.{Col.province}, t.{Col.theme}
        ORDER BY city_articles DESC, pc.{Col.city}, t.{Col.theme}""", params)


@cached
def top_cities(folder: str, filters: Filters, n: int = 15) -> pd.DataFrame:
    """The cities named as subject places by the most selected articles."""
    cte, params = _selected(folder, filters)
    return _df(folder, f"""{_city_articles(cte)}
        SELECT {Col.city}, any_value({Col.province}) AS {Col.province}, count(*) AS {Col.articles} FROM pc
        GROUP BY {Col.city} ORDER BY {Col.articles} DESC, {Col.city} LIMIT {int(n)}""", params)


@cached
def top_themes(folder: str, filters: Filters) -> pd.DataFrame:
    """Selected articles per theme, most frequent first."""
    cte, params = _selected(folder, filters)
    return _df(folder, f"""{cte}
        SELECT t.{Col.theme}, count(*) AS {Col.articles} FROM themes t JOIN sel USING (aid)
        GROUP BY 1 ORDER BY 2 DESC, 1""", params)


def _article_rows(folder: str, where: str, params: list, limit: int) -> pd.DataFrame:
    return _df(folder, f"""WITH page AS (SELECT a.* FROM articles a WHERE {where} ORDER BY {ARTICLE_ORDER} LIMIT {int(limit)}),
        prim AS (SELECT aid, coalesce({Col.county}, {Col.city}, {Col.province}) AS place FROM places
                 WHERE {Col.is_primary} AND aid IN (SELECT aid FROM page)),
        th AS (SELECT aid, list({Col.theme} ORDER BY {Col.score} DESC) AS themes FROM themes
               WHERE aid IN (SELECT aid FROM page) GROUP BY 1)
        SELECT a.{Col.article_id}, a.{Col.date}, a.{Col.title}, a.{Col.source}, prim.place,
               coalesce(th.themes, []::VARCHAR[]) AS themes, a.{Col.n_chars}
        FROM page a LEFT JOIN prim USING (aid) LEFT JOIN th USING (aid)
        ORDER BY {ARTICLE_ORDER}""", params)


@cached
def article_list(folder: str, filters: Filters, limit: int = 500) -> pd.DataFrame:
    """The filtered articles, newest first, with their primary place and themes (ids, by score)."""
    return _article_rows(folder, *_where(folder, filters), limit)


@cached
def articles_behind(folder: str, selections: tuple[Filters, ...], limit: int = 200) -> pd.DataFrame:
    """The articles behind one or more clicked chart elements, each given as narrowed filters
    (`state.narrow`): those matching any of them."""
    wheres = [_where(folder, f) for f in selections] or [("FALSE", [])]
    return _article_rows(folder, " OR ".join(f"({w})" for w, _ in wheres), [p for _, ps in wheres for p in ps], limit)


# --- time -------------------------------------------------------------------------------------

@cached
def monthly_theme_counts(folder: str, filters: Filters) -> pd.DataFrame:
    """Articles per month and theme (dated articles only)."""
    cte, params = _selected(folder, filters)
    return _df(folder, f"""{cte}
        SELECT substr(a.{Col.date}, 1, 7) AS {Col.month}, t.{Col.theme}, count(*) AS {Col.articles}
        FROM articles a JOIN sel USING (aid) JOIN themes t USING (aid)
        WHERE a.{Col.date} IS NOT NULL
        GROUP BY 1, 2 ORDER BY 1, 2""", params)


# --- comparing cities -------------------------------------------------------------------------

@cached
def city_theme_profile(folder: str, filters: Filters, cities: tuple[str, ...]) -> pd.DataFrame:
    """Per chosen city and theme (cities in the order given): articles, the city's articles, and
    the share they make."""
    if not cities:
        return pd.DataFrame(columns=[Col.city, Col.theme, Col.articles, "city_articles", "share"])
    cte, params = _selected(folder, filters)
    return _df(folder, f"""{_city_articles(cte)},
        chosen AS (SELECT * FROM pc WHERE {Col.city} IN ({_in(cities)})),
        totals AS (SELECT {Col.city}, count(*) AS city_articles FROM chosen GROUP BY 1)
        SELECT c.{Col.city}, t.{Col.theme}, count(*) AS {Col.articles}, any_value(totals.city_articles) AS city_articles,
               count(*) / any_value(totals.city_articles) AS share
        FROM chosen c JOIN themes t USING (aid) JOIN totals USING ({Col.city})
        GROUP BY 1, 2 ORDER BY list_position(?, c.{Col.city}), 3 DESC, 2""", params + list(cities) + [list(cities)])


@cached
def city_monthly(folder: str, filters: Filters, cities: tuple[str, ...]) -> pd.DataFrame:
    """Per chosen city and month: dated articles naming the city as a subject place."""
    if not cities:
        return pd.DataFrame(columns=[Col.month, Col.city, Col.articles])
    cte, params = _selected(folder, filters)
    return _df(folder, f"""{_city_articles(cte)}
        SELECT substr(a.{Col.date}, 1, 7) AS {Col.month}, pc.{Col.city}, count(*) AS {Col.articles}
        FROM pc JOIN articles a USING (aid)
        WHERE a.{Col.date} IS NOT NULL AND pc.{Col.city} IN ({_in(cities)})
        GROUP BY 1, 2 ORDER BY 1, 2""", params + list(cities))


@cached
def distinctive_terms(folder: str, filters: Filters, cities: tuple[str, ...], n: int = 15) -> pd.DataFrame:
    """The terms that set each chosen city's articles apart from the rest of the selection (log-odds
    ratio with an informative Dirichlet prior, `pipeline.termstats`), place names left out: city,
    term, z, group_count (mentions in the city's articles), rest_count. `attrs["counted"]` says
    what was counted: "terms" (every content term, the `terms` table) when the selection has at
    most EXACT_TERM_ROWS of them, else "keywords" (each article's keywords, once): the terms of a
    large selection take seconds to count, its keywords a tenth of that."""
    columns = [Col.city, Col.term, "z", "group_count", "rest_count"]
    if not cities:
        return pd.DataFrame(columns=columns)
    cte, params = _selected(folder, filters)
    (rows,) = _cursor(folder).execute(f"""{cte} SELECT coalesce(sum(t.rows), 0) FROM article_terms t
        JOIN articles a USING (aid) JOIN sel USING (aid)""", params).fetchone()
    exact = "terms" in tables(folder) and rows <= EXACT_TERM_ROWS
    counts, totals = ("counts", "article_terms") if exact else ("keyword_counts", "article_keywords")
    # Only the terms of the chosen cities' articles can come out on top (a term a city never uses
    # has a negative log-odds), so only theirs are counted over the whole selection. Terms travel
    # as their integer ids (ordered as the terms are, so ties still break by term) and only the
    # winners are looked up: a city uses tens of thousands of terms.
    found = _arrays(folder, f"""{_city_articles(cte)},
        city_aid AS (SELECT {Col.city}, aid FROM pc WHERE {Col.city} IN ({_in(cities)})),
        grp AS (SELECT c.{Col.city}, k.tid, sum(k.n) AS g FROM city_aid c JOIN {counts} k USING (aid) GROUP BY 1, 2),
        total AS (SELECT k.tid, sum(k.n) AS total FROM {counts} k SEMI JOIN sel USING (aid)
                  WHERE k.tid IN (SELECT tid FROM grp) GROUP BY 1),
        n_city AS (SELECT c.{Col.city}, sum(t.n) AS n_city FROM {totals} t JOIN city_aid c USING (aid) GROUP BY 1),
        n_selection AS (SELECT sum(t.n) AS n_selection FROM {totals} t SEMI JOIN sel USING (aid))
        SELECT list_position(?, grp.{Col.city}) - 1 AS city_index, grp.tid, grp.g::DOUBLE AS g, total.total::DOUBLE AS total,
               n_city.n_city::DOUBLE AS n_city, n_selection.n_selection::DOUBLE AS n_selection
        FROM grp JOIN total USING (tid) JOIN n_city USING ({Col.city}) CROSS JOIN n_selection""",
        params + list(cities) + [list(cities)])
    place_terms = _arrays(folder, "SELECT tid FROM place_terms")["tid"]
    frames = []
    for index, city in enumerate(cities):
        mine = found["city_index"] == index
        if not mine.any():
            continue
        group = found["g"][mine]
        rest = found["total"][mine] - group
        # Every other term of the selection as one: the totals and the prior's sum stay exact.
        others = float(found["n_selection"][mine][0] - found["n_city"][mine][0]) - rest.sum()
        tids = pd.Index(np.append(found["tid"][mine], OTHER_TERMS))
        # Place names (the city's own above all) are counted, so every z stays exact, but not
        # shown: the chart is about what a city does. Enough rows are ranked to drop them after.
        places = np.isin(tids, place_terms)
        best = termstats.distinctive_terms(pd.Series(np.append(group, 0.0), index=tids),
                                           pd.Series(np.append(rest, max(others, 0.0)), index=tids),
                                           top=n + 1 + int(places.sum()))
        shown = ~best["term"].isin(tids[places]) & (best["term"] != OTHER_TERMS)
        frames.append(best[shown].head(n).assign(**{Col.city: city}))
    if not frames:
        return _counted(pd.DataFrame(columns=columns), exact)
    both = pd.concat(frames, ignore_index=True)
    winners = both["term"].unique().tolist()
    names = _df(folder, f"SELECT tid, {Col.term} FROM vocab WHERE tid IN ({_in(winners)})", winners)
    both["term"] = both["term"].map(dict(zip(names["tid"], names[Col.term])))
    return _counted(both[columns].reset_index(drop=True), exact)


def _counted(terms: pd.DataFrame, exact: bool) -> pd.DataFrame:
    """`terms`, saying what its counts counted (see `distinctive_terms`)."""
    terms.attrs["counted"] = "terms" if exact else "keywords"
    return terms


# --- places -----------------------------------------------------------------------------------

def _place_counts(folder: str, filters: Filters, theme: str | None, keys: list[str], where: str) -> pd.DataFrame:
    cte, params = _selected(folder, filters)
    cols = ", ".join(f"p.{k}" for k in keys)
    theme_count = (f"count(*) FILTER (WHERE p.aid IN (SELECT aid FROM themes WHERE {Col.theme} = ?))"
                   if theme else "NULL::BIGINT")
    frame = _df(folder, f"""{cte},
        p AS (SELECT DISTINCT {", ".join(f"s.{k}" for k in keys)}, s.aid FROM subject s JOIN sel USING (aid) WHERE {where})
        SELECT {cols}, count(*) AS {Col.articles}, {theme_count} AS theme_articles
        FROM p GROUP BY {cols} ORDER BY {Col.articles} DESC""", params + ([theme] if theme else []))
    return frame.assign(share=frame["theme_articles"] / frame[Col.articles] if theme else float("nan"))


@cached
def province_counts(folder: str, filters: Filters, theme: str | None = None) -> pd.DataFrame:
    """Selected articles per subject province; with a theme, how many carry it and their share."""
    return _place_counts(folder, filters, theme, [Col.province], "TRUE")


@cached
def city_counts(folder: str, filters: Filters, theme: str | None = None) -> pd.DataFrame:
    """Selected articles per subject city (with its province); with a theme, its share."""
    return _place_counts(folder, filters, theme, [Col.province, Col.city], f"s.{Col.city} IS NOT NULL")


@cached
def county_points(folder: str, filters: Filters, theme: str | None = None) -> pd.DataFrame:
    """Selected articles per subject county with its centroid; with a theme, its share."""
    return _place_counts(folder, filters, theme, [Col.province, Col.city, Col.county, Col.lat, Col.lon],
                         f"s.{Col.county} IS NOT NULL AND s.{Col.lat} IS NOT NULL")


# --- keywords ---------------------------------------------------------------------------------

@cached
def top_terms(folder: str, filters: Filters, n: int = 30) -> pd.DataFrame:
    """The terms most often among the selected articles' keywords: term, articles, weight (sum of
    the per-article TF-IDF weights)."""
    cte, params = _selected(folder, filters)
    return _df(folder, f"""{cte},
        top AS (SELECT k.tid, count(*) AS {Col.articles}, sum(k.{Col.weight}) AS {Col.weight}
                FROM keyword_counts k SEMI JOIN sel USING (aid) GROUP BY 1 ORDER BY 2 DESC, 3 DESC, 1 LIMIT {int(n)})
        SELECT v.{Col.term}, top.{Col.articles}, top.{Col.weight} FROM top JOIN vocab v USING (tid)
        ORDER BY 2 DESC, 3 DESC, 1""", params)


@cached
def cooccurrence(folder: str, filters: Filters, n_terms: int = 40, min_articles: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Among the top `n_terms` keywords, how many selected articles have each pair:
    (nodes: term, articles; edges: source, target, articles) with at least `min_articles`."""
    # the head of the page's term list (same order), so the page's one query serves both
    nodes = top_terms(folder, filters, max(n_terms, TERM_LIST)).head(n_terms)[[Col.term, Col.articles]]
    if nodes.empty:
        return nodes, pd.DataFrame(columns=["source", "target", Col.articles])
    cte, params = _selected(folder, filters)
    terms = list(nodes[Col.term])
    edges = _df(folder, f"""{cte},
        k AS (SELECT k.aid, k.tid FROM keyword_counts k SEMI JOIN sel USING (aid)
              WHERE k.tid IN (SELECT tid FROM vocab WHERE {Col.term} IN ({_in(terms)}))),
        pairs AS (SELECT x.tid AS a, y.tid AS b, count(*) AS {Col.articles}
                  FROM k x JOIN k y ON x.aid = y.aid AND x.tid < y.tid GROUP BY 1, 2 HAVING count(*) >= ?)
        SELECT va.{Col.term} AS source, vb.{Col.term} AS target, pairs.{Col.articles}
        FROM pairs JOIN vocab va ON va.tid = pairs.a JOIN vocab vb ON vb.tid = pairs.b
        ORDER BY 3 DESC, 1, 2""", params + terms + [int(min_articles)])
    return nodes, edges


@cached
def keyword_in_context(folder: str, filters: Filters, term: str, limit: int = 60, width: int = 30) -> pd.DataFrame:
    """Occurrences of `term` in the selected articles' texts, at most 3 per article and `limit` in
    all, newest articles first: article_id, date, title, source, left, hit, right. The texts are
    searched newest first and the search stops at `limit` articles (when they are in memory)."""
    if not term:
        return pd.DataFrame(columns=[Col.article_id, Col.date, Col.title, Col.source, "left", "hit", "right"])
    cte, params = _selected(folder, filters)
    found = _df(folder, f"""{cte},
        hits AS (SELECT x.aid, x.{Col.text} FROM texts x SEMI JOIN sel USING (aid)
                 WHERE contains(x.{Col.text}, ?) LIMIT {int(limit)})
        SELECT a.{Col.article_id}, a.{Col.date}, a.{Col.title}, a.{Col.source}, hits.{Col.text}
        FROM hits JOIN articles a USING (aid) ORDER BY {ARTICLE_ORDER}""", params + [term])
    return snippets.keyword_in_context(found, term, limit=limit, width=width)


# --- slogans and indicators -------------------------------------------------------------------

@cached
def slogan_summary(folder: str, filters: Filters, n: int = 50) -> pd.DataFrame:
    """Slogans of the selected articles, most frequent first: slogan, kind, articles, cities (by
    the articles' main place), first and last date."""
    cte, params = _selected(folder, filters)
    return _df(folder, f"""{cte}
        SELECT s.{Col.slogan}, any_value(s.{Col.kind}) AS {Col.kind}, count(*) AS {Col.articles},
               count(DISTINCT p.{Col.city}) AS cities, min(a.{Col.date}) AS first_seen, max(a.{Col.date}) AS last_seen
        FROM slogans s SEMI JOIN sel USING (aid) JOIN articles a USING (aid)
        LEFT JOIN primary_place p USING (aid)
        GROUP BY 1 ORDER BY 3 DESC, 5, 1 LIMIT {int(n)}""", params)


@cached
def city_slogans(folder: str, filters: Filters, cities: tuple[str, ...], n: int = 15) -> dict[str, pd.DataFrame]:
    """Per chosen city (in the order given): the slogans of the selected articles naming it as a
    subject place, most frequent first, at most `n`: slogan, articles, first_seen. One pass for
    all the cities instead of one query each."""
    if not cities:
        return {}
    cte, params = _selected(folder, filters)
    found = _df(folder, f"""{_city_articles(cte)},
        counted AS (SELECT pc.{Col.city}, s.{Col.slogan}, count(*) AS {Col.articles}, min(a.{Col.date}) AS first_seen
                    FROM slogans s JOIN pc USING (aid) JOIN articles a USING (aid)
                    WHERE pc.{Col.city} IN ({_in(cities)}) GROUP BY 1, 2),
        ranked AS (SELECT *, row_number() OVER (PARTITION BY {Col.city}
                                                ORDER BY {Col.articles} DESC, first_seen NULLS LAST, {Col.slogan}) AS rank
                   FROM counted)
        SELECT {Col.city}, {Col.slogan}, {Col.articles}, first_seen FROM ranked WHERE rank <= {int(n)}
        ORDER BY {Col.city}, rank""", params + list(cities))
    by_city = dict(tuple(found.groupby(Col.city, sort=False)))
    empty = found.iloc[:0]
    return {city: by_city.get(city, empty).drop(columns=Col.city).reset_index(drop=True) for city in cities}


def _top_slogans(n: int) -> str:
    """CTE `top_s`: the `n` slogans most selected articles name (needs `sel`)."""
    return f"""top_s AS (SELECT {Col.slogan} FROM slogans SEMI JOIN sel USING (aid)
                         GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT {int(n)})"""


@cached
def slogan_city_counts(folder: str, filters: Filters, n_slogans: int = 15, n_cities: int = 15) -> pd.DataFrame:
    """Articles per (slogan, city) for the top slogans of the selection and the cities that name
    them most."""
    cte, params = _selected(folder, filters)
    return _df(folder, f"""{_city_articles(cte)}, {_top_slogans(n_slogans)},
        sc AS (SELECT s.{Col.slogan}, pc.{Col.city} FROM slogans s JOIN pc USING (aid)
               WHERE s.{Col.slogan} IN (SELECT {Col.slogan} FROM top_s)),
        top_c AS (SELECT {Col.city} FROM sc GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT {int(n_cities)})
        SELECT {Col.slogan}, {Col.city}, count(*) AS {Col.articles} FROM sc WHERE {Col.city} IN (SELECT {Col.city} FROM top_c)
        GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2""", params)


@cached
def slogan_monthly(folder: str, filters: Filters, n_slogans: int = 8) -> pd.DataFrame:
    """Dated articles per month for the top slogans: month, slogan, articles."""
    cte, params = _selected(folder, filters)
    return _df(folder, f"""{cte}, {_top_slogans(n_slogans)}
        SELECT substr(a.{Col.date}, 1, 7) AS {Col.month}, s.{Col.slogan}, count(*) AS {Col.articles}
        FROM slogans s SEMI JOIN sel USING (aid) JOIN articles a USING (aid)
        WHERE a.{Col.date} IS NOT NULL AND s.{Col.slogan} IN (SELECT {Col.slogan} FROM top_s)
        GROUP BY 1, 2 ORDER BY 1, 2""", params)


@cached
def slogan_first_seen(folder: str, filters: Filters, n: int = 8) -> pd.DataFrame:
    """For the most frequent slogans of the selection: the month each was first seen, and where
    (the first article's main city): slogan, month, date, city, articles."""
    cte, params = _selected(folder, filters)
    return _df(folder, f"""{cte},
        first AS (SELECT s.{Col.slogan}, count(*) AS {Col.articles}, min(a.{Col.date}) AS {Col.date},
                         arg_min(a.aid, a.{Col.date}) AS aid
                  FROM slogans s SEMI JOIN sel USING (aid) JOIN articles a USING (aid)
                  WHERE a.{Col.date} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {int(n)})
        SELECT f.{Col.slogan}, substr(f.{Col.date}, 1, 7) AS {Col.month}, f.{Col.date}, p.{Col.city}, f.{Col.articles}
        FROM first f LEFT JOIN primary_place p USING (aid)
        ORDER BY f.{Col.date}, f.{Col.slogan}""", params)


@cached
def indicator_rows(folder: str, filters: Filters, limit: int = 500) -> pd.DataFrame:
    """Indicators (numbers with a unit and what they measure) of the selected articles, newest
    first, with the article's main city."""
    cte, params = _selected(folder, filters)
    return _df(folder, f"""{cte},
        newest AS (SELECT a.* FROM articles a JOIN sel USING (aid)
                   WHERE a.aid IN (SELECT aid FROM indicators) ORDER BY {ARTICLE_ORDER} LIMIT {int(limit)}),
        rows AS (SELECT a.{Col.date}, i.{Col.measure}, i.{Col.value}, i.{Col.unit}, i.{Col.sentence}, a.{Col.title},
                        a.aid, a.{Col.article_id}, a.{Col.doc_path}, a.{Col.story}
                 FROM indicators i JOIN newest a USING (aid) ORDER BY {ARTICLE_ORDER} LIMIT {int(limit)})
        SELECT r.{Col.date}, p.{Col.city}, r.{Col.measure}, r.{Col.value}, r.{Col.unit}, r.{Col.sentence}, r.{Col.title},
               r.{Col.article_id}
        FROM rows r LEFT JOIN primary_place p USING (aid)
        ORDER BY r.{Col.date} DESC NULLS LAST, r.{Col.doc_path}, r.{Col.story}""", params)


@cached
def indicator_counts(folder: str, filters: Filters, n_measures: int = 12, n_cities: int = 12) -> pd.DataFrame:
    """Indicators per (measure, city) for the top measures and cities: measure, city, indicators
    (an indicator counts for its article's main city)."""
    cte, params = _selected(folder, filters)
    return _df(folder, f"""{cte},
        m AS (SELECT i.{Col.measure}, p.{Col.city} FROM indicators i SEMI JOIN sel USING (aid)
              JOIN primary_place p USING (aid) WHERE p.{Col.city} IS NOT NULL AND i.{Col.measure} <> ''),
        top_m AS (SELECT {Col.measure} FROM m GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT {int(n_measures)}),
        top_c AS (SELECT {Col.city} FROM m GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT {int(n_cities)})
        SELECT {Col.measure}, {Col.city}, count(*) AS indicators FROM m
        WHERE {Col.measure} IN (SELECT * FROM top_m) AND {Col.city} IN (SELECT * FROM top_c)
        GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2""", params)


# --- one article ------------------------------------------------------------------------------

@cached
def article(folder: str, article_id: str) -> dict | None:
    """Everything the reader shows about one article, or None when there is no such article:
    the article's row (text included), its places, themes, keywords, and slogans and indicators
    when the tables have them."""
    row = _df(folder, f"""SELECT a.*, x.{Col.text} FROM articles a JOIN texts x USING (aid)
        WHERE a.{Col.article_id} = ?""", [article_id])
    if row.empty:
        return None
    found = tables(folder)

    def rows(table: str, order: str) -> pd.DataFrame | None:
        if table not in found:
            return None
        return _df(folder, f"SELECT * EXCLUDE ({Col.article_id}, aid) FROM {table} WHERE {Col.article_id} = ? ORDER BY {order}",
                   [article_id])

    return {
        "article": row.iloc[0].to_dict(),
        "places": rows("places", f"{Col.is_primary} DESC, {Col.role} DESC, {Col.mentions} DESC"),
        "themes": rows("themes", f"{Col.score} DESC"),
        "keywords": rows("keywords", f"{Col.weight} DESC"),
        "slogans": rows("slogans", "ALL"),
        "indicators": rows("indicators", "ALL"),
    }
