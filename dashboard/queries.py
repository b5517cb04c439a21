"""Queries over the processed tables (DuckDB over Parquet). No Streamlit here.

Every query takes the tables folder and a `Filters` value and is memoised on both (they are
hashable), so a page re-run with the same view costs nothing. Column names come from
`pipeline.schema`.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.state import Filters, Options
from pipeline.schema import TABLES, Col

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "data" / "processed"
CACHE = 256


class DataError(RuntimeError):
    """The tables folder is missing, incomplete or unreadable; the message says what to do."""


_local = threading.local()


def _connect(folder: str) -> duckdb.DuckDBPyConnection:
    """One connection per thread and folder (Streamlit runs each session in its own thread)."""
    connections = getattr(_local, "connections", None)
    if connections is None:
        connections = _local.connections = {}
    if folder not in connections:
        connections[folder] = _open(folder)
    return connections[folder]


def _open(folder: str) -> duckdb.DuckDBPyConnection:
    path = Path(folder)
    missing = [name for name in ("articles", "places", "themes", "keywords") if not (path / f"{name}.parquet").is_file()]
    if missing:
        raise DataError(f"{folder}: missing tables {', '.join(missing)}. Build them with "
                        f"`python -m pipeline build INPUT --out {folder}`.")
    con = duckdb.connect()
    for name in ("articles", "places", "themes", "keywords"):
        file = (path / f"{name}.parquet").as_posix().replace("'", "''")
        try:
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{file}')")
            got = {row[0] for row in con.execute(f"DESCRIBE {name}").fetchall()}
        except duckdb.Error as exc:
            raise DataError(f"{folder}/{name}.parquet is unreadable or corrupt ({str(exc).splitlines()[0]}). "
                            "Rebuild the tables with `python -m pipeline build`.") from None
        lacking = set(TABLES[name].columns) - got
        if lacking:
            raise DataError(f"{folder}/{name}.parquet lacks columns {sorted(lacking)}: it was built by an older "
                            "version. Rebuild it with `python -m pipeline build`.")
    return con


def _df(folder: str, sql: str, params: list | None = None) -> pd.DataFrame:
    try:
        return _connect(folder).execute(sql, params or []).df()
    except duckdb.IOException as exc:
        raise DataError(f"{folder}: cannot read the tables ({str(exc).splitlines()[0]})") from None


def _where(filters: Filters) -> tuple[str, list]:
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
            clauses.append(f"a.{Col.article_id} IN (SELECT {Col.article_id} FROM places WHERE {Col.role} = 'subject' "
                           f"AND {column} IN ({', '.join('?' * len(values))}))")
            params += list(values)
    if filters.themes:
        clauses.append(f"a.{Col.article_id} IN (SELECT {Col.article_id} FROM themes WHERE {Col.theme} IN ({', '.join('?' * len(filters.themes))}))")
        params += list(filters.themes)
    if filters.sources:
        clauses.append(f"a.{Col.source} IN ({', '.join('?' * len(filters.sources))})")
        params += list(filters.sources)
    if filters.query:
        clauses.append(f"(contains(a.{Col.title}, ?) OR contains(a.{Col.text}, ?))")
        params += [filters.query, filters.query]
    return " AND ".join(clauses), params


def _selected(filters: Filters) -> tuple[str, list]:
    """A CTE `sel` of the filtered article ids."""
    where, params = _where(filters)
    return f"WITH sel AS (SELECT a.{Col.article_id} FROM articles a WHERE {where})", params


@lru_cache(maxsize=8)
def options(folder: str) -> Options:
    """Valid filter values of the dataset."""
    con = _connect(folder)
    dmin, dmax = con.execute(f"SELECT min({Col.date}), max({Col.date}) FROM articles").fetchone()

    def distinct(sql: str) -> frozenset[str]:
        return frozenset(v for (v,) in con.execute(sql).fetchall() if v)

    return Options(
        dmin, dmax,
        distinct(f"SELECT DISTINCT {Col.province} FROM places WHERE {Col.role} = 'subject'"),
        distinct(f"SELECT DISTINCT {Col.city} FROM places WHERE {Col.role} = 'subject'"),
        distinct(f"SELECT DISTINCT {Col.county} FROM places WHERE {Col.role} = 'subject'"),
        distinct(f"SELECT DISTINCT {Col.theme} FROM themes"),
        distinct(f"SELECT DISTINCT {Col.source} FROM articles"),
    )


@lru_cache(maxsize=CACHE)
def key_figures(folder: str, filters: Filters) -> dict:
    cte, params = _selected(filters)
    row = _connect(folder).execute(
        f"""{cte}
        SELECT (SELECT count(*) FROM sel),
               (SELECT count(DISTINCT p.{Col.city}) FROM places p JOIN sel USING ({Col.article_id}) WHERE p.{Col.role} = 'subject' AND p.{Col.city} IS NOT NULL),
               (SELECT count(DISTINCT t.{Col.theme}) FROM themes t JOIN sel USING ({Col.article_id})),
               (SELECT min(a.{Col.date}) FROM articles a JOIN sel USING ({Col.article_id})),
               (SELECT max(a.{Col.date}) FROM articles a JOIN sel USING ({Col.article_id}))""",
        params,
    ).fetchone()
    return dict(zip(("articles", "cities", "themes", "date_min", "date_max"), row))


@lru_cache(maxsize=CACHE)
def theme_city_counts(folder: str, filters: Filters, top_cities: int = 25) -> pd.DataFrame:
    """Articles per (city, theme) for the top cities; `city_articles` is the city's article count
    in the selection (to normalise by)."""
    cte, params = _selected(filters)
    return _df(folder, f"""{cte},
        pc AS (SELECT DISTINCT p.{Col.article_id}, p.{Col.province}, p.{Col.city} FROM places p JOIN sel USING ({Col.article_id})
               WHERE p.{Col.role} = 'subject' AND p.{Col.city} IS NOT NULL),
        totals AS (SELECT {Col.city}, any_value({Col.province}) AS {Col.province}, count(*) AS city_articles FROM pc GROUP BY {Col.city}
                   ORDER BY city_articles DESC, {Col.city} LIMIT {int(top_cities)})
        SELECT pc.{Col.city}, totals.{Col.province}, t.{Col.theme}, count(*) AS {Col.articles}, any_value(totals.city_articles) AS city_articles
        FROM pc JOIN totals USING ({Col.city}) JOIN themes t USING ({Col.article_id})
        GROUP BY pc.{Col.city}, totals.{Col.province}, t.{Col.theme}
        ORDER BY city_articles DESC, pc.{Col.city}, t.{Col.theme}""", params)


@lru_cache(maxsize=CACHE)
def monthly_theme_counts(folder: str, filters: Filters) -> pd.DataFrame:
    """Articles per month and theme (dated articles only)."""
    cte, params = _selected(filters)
    return _df(folder, f"""{cte}
        SELECT substr(a.{Col.date}, 1, 7) AS {Col.month}, t.{Col.theme}, count(*) AS {Col.articles}
        FROM articles a JOIN sel USING ({Col.article_id}) JOIN themes t USING ({Col.article_id})
        WHERE a.{Col.date} IS NOT NULL
        GROUP BY 1, 2 ORDER BY 1, 2""", params)


@lru_cache(maxsize=CACHE)
def article_list(folder: str, filters: Filters, limit: int = 500) -> pd.DataFrame:
    """The filtered articles, newest first, with their primary place and themes."""
    cte, params = _selected(filters)
    return _df(folder, f"""{cte},
        prim AS (SELECT {Col.article_id}, coalesce({Col.county}, {Col.city}, {Col.province}) AS place FROM places WHERE {Col.is_primary}),
        th AS (SELECT {Col.article_id}, string_agg({Col.theme}, ', ' ORDER BY {Col.score} DESC) AS themes FROM themes GROUP BY 1)
        SELECT a.{Col.article_id}, a.{Col.date}, a.{Col.title}, a.{Col.source}, prim.place, th.themes, a.{Col.n_chars}, a.{Col.doc_path}
        FROM articles a JOIN sel USING ({Col.article_id})
        LEFT JOIN prim USING ({Col.article_id}) LEFT JOIN th USING ({Col.article_id})
        ORDER BY a.{Col.date} DESC NULLS LAST, a.{Col.doc_path}, a.{Col.story}
        LIMIT {int(limit)}""", params)


def clear_caches() -> None:
    for fn in (options, key_figures, theme_city_counts, monthly_theme_counts, article_list):
        fn.cache_clear()
