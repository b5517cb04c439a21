"""Dashboard speed: a filter change → every query and figure of a page, and the cold start.

    .venv/bin/python benchmarks/bench_dashboard.py                        # the bundled sample
    .venv/bin/python benchmarks/bench_dashboard.py --corpus /tmp/corpus --scales 100000,1000000

Each page runs through Streamlit's AppTest in this process: the real page script, its queries and
figures, the figures' serialisation; only the browser's drawing is left out. A page is run once
(tables loaded, caches warm for the default view), then the sidebar filters are changed
CHANGES times (a theme, a city, the later half of the date range, a full-text search) and every
re-run is timed: each is a cache miss, as when a user changes a filter. `sql` is the part of that
time spent in DuckDB; `cpu` the processor time the process used meanwhile (all its threads): on a
shared machine, where other work stretches the wall-clock time, it shows what the page costs.

Cold start: a fresh Python process that imports the app and draws the Overview of the sample
(interpreter start, imports, loading the tables, the page), timed from outside; with
--browser-cold, also a fresh `streamlit run` server: until it answers, and from the first page
request in Chromium until the heatmap is drawn.

Scaled tables resample real enriched rows: articles drawn at random (with replacement) from a
built corpus (`--corpus`, e.g. rmrb-governance + xwlb built by `python -m pipeline build`), each
copy with all its rows in every table under a new id. They are written under --work (default
/tmp/govlens_bench), never into the repository.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from dashboard import queries  # noqa: E402

APP = ROOT / "dashboard" / "app.py"
PAGES = ("overview", "compare", "timeline", "map", "keywords", "slogans", "articles")
SCALED_TABLES = ("articles", "places", "themes", "keywords", "terms", "slogans", "indicators")


# --- scaled tables ------------------------------------------------------------------------------

def scale(corpus: Path, target: Path, n_articles: int, seed: int = 7) -> Path:
    """Write tables of `n_articles` articles resampled from the built `corpus` into `target`
    (reused when already there)."""
    if (target / "articles.parquet").is_file():
        return target
    target.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    src = {name: (corpus / f"{name}.parquet").as_posix() for name in SCALED_TABLES if (corpus / f"{name}.parquet").is_file()}
    con.execute(f"CREATE TABLE ids AS SELECT article_id, row_number() OVER (ORDER BY article_id) - 1 AS k "
                f"FROM read_parquet('{src['articles']}')")
    (n_source,) = con.execute("SELECT count(*) FROM ids").fetchone()
    con.execute(f"""CREATE TABLE copies AS
        SELECT ids.article_id AS source_id, ids.article_id || '-' || lpad(i::VARCHAR, 7, '0') AS new_id
        FROM range({int(n_articles)}) r(i) JOIN ids ON ids.k = hash(i, {int(seed)}) % {int(n_source)}""")
    for name, path in src.items():
        con.execute(f"""COPY (SELECT t.* REPLACE (c.new_id AS article_id) FROM read_parquet('{path}') t
                              JOIN copies c ON c.source_id = t.article_id)
                        TO '{(target / f"{name}.parquet").as_posix()}' (FORMAT parquet, COMPRESSION zstd)""")
    con.close()
    return target


# --- timing pages -------------------------------------------------------------------------------

class SqlClock:
    """Time spent in DuckDB by the queries returning tables (it wraps `queries._fetch`; the few
    single-row queries are left out) while installed."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._original = queries._fetch

    def __enter__(self) -> SqlClock:
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return self._original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        queries._fetch = timed
        return self

    def __exit__(self, *exc) -> None:
        queries._fetch = self._original


def _changes(folder: str) -> list[tuple[str, dict]]:
    """The filter changes to time: (label, sidebar widget key → value)."""
    options = queries.options(folder)
    from dashboard.state import Filters

    theme = queries.top_themes(folder, Filters())["theme"].iloc[0]
    city = queries.top_cities(folder, Filters(), 1)["city"].iloc[0]
    lo, hi = dt.date.fromisoformat(options.date_min), dt.date.fromisoformat(options.date_max)
    middle = lo + (hi - lo) / 2
    return [
        (f"theme={theme}", {"f_themes": [theme]}),
        (f"city={city}", {"f_themes": [], "f_cities": [city]}),
        (f"dates≥{middle}", {"f_cities": [], "f_dates": (middle, hi)}),
        ("q=服务", {"f_dates": (lo, hi), "f_query": "服务"}),
    ]


def _set(at, key: str, value) -> None:
    for kind in ("multiselect", "date_input", "text_input"):
        widgets = [w for w in getattr(at, kind) if w.key == key]
        if widgets:
            widgets[0].set_value(value)
            return
    raise KeyError(key)


def time_page(folder: str, page: str, changes: list[tuple[str, dict]]) -> dict:
    """First run and every filter change of one page: seconds (and the SQL part)."""
    import os

    from streamlit.testing.v1 import AppTest

    os.environ["GOVLENS_DATA"] = folder
    at = AppTest.from_file(str(APP), default_timeout=600)
    at.switch_page(f"views/{page}.py")
    start = time.perf_counter()
    at.run()
    first = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].value}")
    runs = []
    for label, widgets in changes:
        for key, value in widgets.items():
            _set(at, key, value)
        with SqlClock() as sql:
            start, cpu = time.perf_counter(), time.process_time()
            at.run()
            runs.append((label, time.perf_counter() - start, sql.seconds, time.process_time() - cpu))
        if at.exception:
            raise RuntimeError(f"{page} after {label}: {at.exception[0].value}")
    return {"first": first, "runs": runs}


def bench_folder(folder: str, pages: tuple[str, ...]) -> None:
    started = time.perf_counter()
    queries.options(folder)
    (n,) = queries._cursor(folder).execute("SELECT count(*) FROM articles").fetchone()
    print(f"\n{folder}: {n:,} articles, tables loaded in {time.perf_counter() - started:.1f} s "
          f"(uptime load average {Path('/proc/loadavg').read_text().split()[0]})")
    changes = _changes(folder)
    print(f"filter changes: {'; '.join(label for label, _ in changes)}")
    print(f"{'page':<10}{'first run':>10}{'change median':>15}{'max':>8}{'sql median':>12}{'cpu median':>12}   per change (s)")
    for page in pages:
        result = time_page(folder, page, changes)
        times = [t for _, t, _, _ in result["runs"]]
        sql = [s for _, _, s, _ in result["runs"]]
        cpu = [c for _, _, _, c in result["runs"]]
        print(f"{page:<10}{result['first']:>9.2f}s{statistics.median(times) * 1000:>13.0f}ms{max(times) * 1000:>6.0f}ms"
              f"{statistics.median(sql) * 1000:>10.0f}ms{statistics.median(cpu) * 1000:>10.0f}ms   "
              + " ".join(f"{t:.2f}" for t in times))


def cold_start(folder: str, repeats: int) -> None:
    """A fresh process drawing the Overview, timed from outside (interpreter start included)."""
    code = ("import os, sys; from streamlit.testing.v1 import AppTest; "
            f"os.environ['GOVLENS_DATA'] = {folder!r}; at = AppTest.from_file({str(APP)!r}, default_timeout=120).run(); "
            "sys.exit(1 if at.exception or not at.get('plotly_chart') else 0)")
    import resource

    times, cpu = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    print(f"cold start (fresh process → Overview drawn) on {folder}: median {statistics.median(times):.2f} s, "
          f"max {max(times):.2f} s over {repeats}; processor time median {statistics.median(cpu):.2f} s")


def browser_cold_start(folder: str, repeats: int) -> None:
    """A fresh server per repeat (same port, so the browser has the app's scripts cached, as a
    returning user's would): seconds until it answers, then until Chromium shows the heatmap."""
    import os
    import socket
    import urllib.request

    from playwright.sync_api import sync_playwright

    args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"]
    up, drawn = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("GOVLENS_CHROMIUM", "/usr/bin/chromium"), args=args)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        for i in range(repeats + 1):  # the first visit fills the browser's cache: not counted
            start = time.perf_counter()
            server = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port), "--server.headless", "true",
                 "--browser.gatherUsageStats", "false"], cwd=ROOT, env=dict(os.environ, GOVLENS_DATA=folder),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                while True:
                    try:
                        urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                        break
                    except OSError:
                        time.sleep(0.05)
                answered = time.perf_counter()
                page = context.new_page()
                page.goto(f"http://127.0.0.1:{port}/")
                page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=120_000)
                if i:
                    up.append(answered - start)
                    drawn.append(time.perf_counter() - answered)
                page.close()
            finally:
                server.terminate()
                server.wait(timeout=10)
        browser.close()
    print(f"cold start of a server on {folder}: answers after median {statistics.median(up):.2f} s, then the Overview's "
          f"heatmap is drawn {statistics.median(drawn):.2f} s after the first request (median of {repeats}; max "
          f"{max(up):.2f} s, {max(drawn):.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", default=str(queries.DEFAULT_DATA), help="tables of the sample (default: data/processed)")
    parser.add_argument("--corpus", type=Path, help="built tables to resample for the scaled runs (and to time as they are)")
    parser.add_argument("--scales", default="", help="comma-separated article counts to scale the corpus to, e.g. 100000,1000000")
    parser.add_argument("--work", type=Path, default=Path("/tmp/govlens_bench"), help="where scaled tables are written")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated pages (default: all)")
    parser.add_argument("--cold", type=int, default=3, help="cold starts to time (0: none)")
    parser.add_argument("--browser-cold", type=int, default=0, metavar="N", help="also time N server cold starts in Chromium")
    args = parser.parse_args()
    pages = tuple(p.strip() for p in args.pages.split(",") if p.strip())
    import logging

    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    if args.cold:
        cold_start(str(Path(args.sample).resolve()), args.cold)
    if args.browser_cold:
        browser_cold_start(str(Path(args.sample).resolve()), args.browser_cold)
    folders = [str(Path(args.sample).resolve())]
    if args.corpus:
        folders.append(str(args.corpus.resolve()))
        for n in (int(x) for x in args.scales.split(",") if x.strip()):
            started = time.perf_counter()
            target = scale(args.corpus, args.work / f"scaled-{n}", n)
            print(f"scaled tables of {n:,} articles in {target} ({time.perf_counter() - started:.0f} s)")
            folders.append(str(target))
    for folder in folders:
        bench_folder(folder, pages)


if __name__ == "__main__":
    main()
