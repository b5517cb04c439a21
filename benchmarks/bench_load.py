"""Load: concurrent sessions against one local dashboard server, each changing pages and filters.

    .venv/bin/python benchmarks/bench_load.py                     # 20 sessions for 60 s on the bundled sample
    .venv/bin/python benchmarks/bench_load.py --corpus            # on ../shared/corpus/rmrb-governance + xwlb (built first)
    .venv/bin/python benchmarks/bench_load.py --data DIR --sessions 5 --seconds 20

Each session is a websocket client speaking Streamlit's protocol, as a browser tab does: it asks
for a rerun of the app with a page and the filters in the URL (province, city, theme, source,
dates, a search word, the language), waits for the run to finish, pauses 0.1–0.5 s, and repeats
until the time is up (at most `--reruns` times). The server runs on 127.0.0.1 only.

Prints and writes (--json): reruns, errors (exceptions and error messages in the app,
disconnects, runs that never finish, uncaught exceptions in the server log), response times
(median, 90th and 99th percentile, max) and the server's resident memory (after start, peak, end).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from websockets.sync.client import connect  # noqa: E402

from pipeline import io  # noqa: E402
from tests.appserver import Server, serve  # noqa: E402

RUN_TIMEOUT = 120  # seconds a single rerun may take before it counts as an error
ERROR_ALERT = 1  # Alert.Format.ERROR


@dataclass
class SessionResult:
    reruns: int = 0
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class LoadResult:
    sessions: int
    duration_s: float
    results: list[SessionResult]
    rss_start: int
    rss_peak: int
    rss_end: int
    server_errors: list[str]

    @property
    def errors(self) -> list[str]:
        return [e for r in self.results for e in r.errors] + self.server_errors

    def summary(self) -> dict:
        times = sorted(t for r in self.results for t in r.seconds)

        def pct(q: float) -> float:
            return round(times[min(len(times) - 1, int(q * len(times)))], 3) if times else float("nan")

        return {
            "sessions": self.sessions,
            "duration_s": round(self.duration_s, 1),
            "reruns": len(times),
            "reruns_per_s": round(len(times) / self.duration_s, 2) if self.duration_s else 0,
            "errors": len(self.errors),
            "error_samples": self.errors[:5],
            "response_s": {"median": round(statistics.median(times), 3) if times else None, "p90": pct(0.9),
                           "p99": pct(0.99), "max": round(times[-1], 3) if times else None},
            "server_rss_mb": {"start": round(self.rss_start / 2**20), "peak": round(self.rss_peak / 2**20),
                              "end": round(self.rss_end / 2**20)},
        }


def filter_values(data: Path) -> dict[str, list[str]]:
    """Values each URL filter may take, read from the tables (plus a few that are invalid)."""
    articles = io.read_table(data, "articles")
    places = io.read_table(data, "places")
    themes = io.read_table(data, "themes")
    subject = places[places["role"] == "subject"]
    dates = sorted(articles["date"].dropna())
    texts = " ".join(articles["title"].head(200))
    words = sorted({texts[i:i + 2] for i in range(0, len(texts) - 2, 7) if texts[i:i + 2].strip()})[:50]
    return {
        "province": sorted(subject["province"].dropna().unique()),
        "city": sorted(subject["city"].dropna().unique()),
        "theme": sorted(themes["theme"].unique()),
        "source": sorted(articles["source"].dropna().unique()),
        "from": dates[: len(dates) // 2][::max(1, len(dates) // 20)] or ["2020-01-01"],
        "to": dates[len(dates) // 2:][::max(1, len(dates) // 20)] or ["2030-01-01"],
        "q": words or ["政务"],
        "lang": ["en"],
        "bogus": ["Atlantis", "2019-13-45", "<b>x</b>"],  # invalid values: the app must fall back with a notice
    }


def random_query(values: dict[str, list[str]], rng: random.Random) -> str:
    params = {}
    for key in rng.sample(sorted(values), rng.randint(0, 3)):
        if values[key]:
            params["city" if key == "bogus" else key] = rng.choice(values[key])
    return urlencode(params)


class Session:
    """One browser tab's conversation with the server (open it with `session`)."""

    def __init__(self, ws):
        self.ws = ws
        self.pages: list[tuple[str, str]] = []  # (page_script_hash, url_pathname)

    def rerun(self, query: str, page: tuple[str, str] | None) -> tuple[float, list[str]]:
        """Rerun the app on a page with a query string; (seconds until the run finished, errors seen)."""
        msg = BackMsg()
        msg.rerun_script.query_string = query
        if page:
            msg.rerun_script.page_script_hash, msg.rerun_script.page_name = page
        started = time.perf_counter()
        self.ws.send(msg.SerializeToString())
        errors = []
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(self.ws.recv(timeout=RUN_TIMEOUT))
            kind = forward.WhichOneof("type")
            if kind == "navigation" and not self.pages:
                self.pages = [(p.page_script_hash, p.url_pathname) for p in forward.navigation.app_pages]
            elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                if element.WhichOneof("type") == "exception":
                    errors.append(f"exception: {element.exception.type}: {element.exception.message[:200]}")
                elif element.WhichOneof("type") == "alert" and element.alert.format == ERROR_ALERT:
                    errors.append(f"error message: {element.alert.body[:200]}")
            elif kind == "script_finished":
                if forward.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    errors.append("compile error")
                return time.perf_counter() - started, errors


@contextmanager
def session(server: Server) -> Iterator[Session]:
    host = server.url.removeprefix("http://")
    with connect(f"ws://{host}/_stcore/stream", subprotocols=["streamlit"], max_size=None, open_timeout=60) as ws:
        yield Session(ws)


def _drive(server: Server, values: dict, seed: int, deadline: float, max_reruns: int, result: SessionResult) -> None:
    rng = random.Random(seed)
    try:
        with session(server) as tab:
            page = None
            while time.monotonic() < deadline and result.reruns < max_reruns:
                seconds, errors = tab.rerun(random_query(values, rng), page)
                result.reruns += 1
                result.seconds.append(seconds)
                result.errors += errors
                page = rng.choice(tab.pages) if tab.pages else None
                time.sleep(rng.uniform(0.1, 0.5))
    except Exception as exc:  # noqa: BLE001 - a refused connection, a disconnect or a run that never ends: this session's error
        result.errors.append(f"session failed: {exc!r}")


def run_load(server: Server, data: Path, sessions: int, seconds: float, max_reruns: int = 1000, seed: int = 12) -> LoadResult:
    """`sessions` concurrent clients for `seconds`, each at most `max_reruns` reruns."""
    values = filter_values(data)
    results = [SessionResult() for _ in range(sessions)]
    rss = [server.rss_bytes()]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.25):
            rss.append(server.rss_bytes())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    deadline = started + seconds
    threads = [threading.Thread(target=_drive, args=(server, values, seed + i, deadline, max_reruns, results[i]))
               for i in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.monotonic() - started
    done.set()
    sampler.join()
    rss.append(server.rss_bytes())
    return LoadResult(sessions, duration, results, rss[0], max(rss), rss[-1], server.errors())


def build_corpus(out: Path) -> Path:
    from pipeline.cli import main

    shared = ROOT.parent / "shared" / "corpus"
    inputs = [shared / "rmrb-governance", shared / "xwlb"]
    if not all(p.is_dir() for p in inputs):
        raise SystemExit(f"shared corpora not found under {shared}")
    if main(["build", *map(str, inputs), "--out", str(out), "--quiet"]) not in (0, 3):
        raise SystemExit("the corpus build failed")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--reruns", type=int, default=1000, help="at most this many reruns per session")
    parser.add_argument("--data", type=Path, help="tables folder (default: data/processed)")
    parser.add_argument("--corpus", action="store_true", help="build ../shared/corpus/rmrb-governance and xwlb and use them")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        data = build_corpus(Path(scratch) / "tables") if args.corpus else (args.data or ROOT / "data" / "processed")
        articles = len(pd.read_parquet(data / "articles.parquet", columns=["article_id"]))
        with serve(data) as server:
            with session(server) as warm:
                warm.rerun("", None)  # the first run loads the tables
            result = run_load(server, data, args.sessions, args.seconds, args.reruns)
    figures = {"data": str(data), "articles": articles, **result.summary(),
               "load_average_1min": round(os.getloadavg()[0], 1), "cpus": os.cpu_count()}
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
