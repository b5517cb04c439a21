"""Load: a few concurrent sessions changing pages and filters against one local server, with no
error. CI runs 4 sessions for 20 s; `benchmarks/bench_load.py` runs 20 and prints the figures.
Response times and memory are recorded in test-output/load/ (measured, never asserted)."""

import json
import os
import urllib.request

import pytest

from benchmarks.bench_load import run_load, session
from tests.appserver import serve
from tests.conftest import OUTPUT, PROCESSED

SESSIONS = int(os.environ.get("GOVLENS_LOAD_SESSIONS", "4"))
SECONDS = float(os.environ.get("GOVLENS_LOAD_SECONDS", "20"))


@pytest.fixture(scope="module")
def server():
    with serve(PROCESSED) as running:
        with session(running) as warm:
            warm.rerun("", None)  # the first run loads the tables
        yield running


def test_concurrent_sessions_changing_filters_see_no_error(server):
    result = run_load(server, PROCESSED, SESSIONS, SECONDS, max_reruns=200)
    summary = result.summary()
    (OUTPUT / "load").mkdir(parents=True, exist_ok=True)
    (OUTPUT / "load" / "ci.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    assert not result.errors, result.errors[:10]
    assert all(r.reruns >= 3 for r in result.results), [r.reruns for r in result.results]
    with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=10) as response:
        assert response.status == 200
