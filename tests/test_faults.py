"""Faults: builds killed (SIGKILL) at random moments and before every line of the output swap,
concurrent builds into one folder, and corrupt tables under the dashboard.

A killed build must leave the previous tables readable and unchanged (or, once past the swap,
the complete new ones), and the next build must complete and equal a clean build. A damaged
Parquet file must give the dashboard a clear message, not a stack trace.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from pipeline import io
from pipeline.cli import EXIT_OK, main
from pipeline.schema import TABLES
from tests.conftest import OUTPUT, PROCESSED, RAW, ROOT

KILLS = int(os.environ.get("GOVLENS_KILLS", "4"))  # random kills per run; CI keeps it small
COPIES = 3  # the kill test's input: the sample three times over, so the stages take a while


def cli_build(inputs: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "pipeline", "build", str(inputs), "--out", str(out), "--quiet"]


def snapshot(folder: Path) -> dict[str, bytes] | None:
    """Every file of a folder with its bytes, or None when the folder is missing."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.is_dir() else None


def parquet_bytes(folder: Path) -> dict[str, bytes]:
    """The tables' files (the same data always gives the same bytes; report.json holds timings)."""
    return {name: data for name, data in snapshot(folder).items() if name.endswith(".parquet")}


def leftovers(out: Path) -> list[str]:
    """What builds left beside the output folder (staging or previous folders)."""
    return sorted(p.name for p in out.parent.glob(f".{out.name}.*"))


def tables_of(folder: Path) -> dict[str, pd.DataFrame]:
    return {name: io.read_table(folder, name) for name in TABLES}


def report_without_timings(folder: Path) -> dict:
    report = io.read_report(folder)
    report.pop("durations_s")
    report.pop("inputs")
    return report


def assert_same_build(folder: Path, reference: Path) -> None:
    for name, frame in tables_of(reference).items():
        pd.testing.assert_frame_equal(io.read_table(folder, name), frame, obj=name)
    assert report_without_timings(folder) == report_without_timings(reference)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """Two inputs (a small one for the previous tables, a bigger one for the killed build) and
    their clean builds."""
    root = tmp_path_factory.mktemp("faults")
    small, big = root / "small", root / "big"
    small.mkdir()
    for path in sorted(RAW.glob("*.txt"))[:2]:
        shutil.copy(path, small / path.name)
    for copy in range(COPIES):
        (big / f"copy{copy}").mkdir(parents=True)
        for path in RAW.glob("*.txt"):
            shutil.copy(path, big / f"copy{copy}" / path.name)
    for name, folder in (("small", small), ("big", big)):  # by the CLI, as the builds under test
        subprocess.run(cli_build(folder, root / f"{name}-clean"), cwd=ROOT, check=True, capture_output=True)
    return {"small": small, "big": big, "small_clean": root / "small-clean", "big_clean": root / "big-clean", "root": root}


def test_random_kills_leave_the_previous_tables_or_the_new_ones(inputs, tmp_path):
    out = tmp_path / "tables"
    command = cli_build(inputs["big"], out)
    durations = []
    for _ in range(2):  # the second run is the one to aim at: the first one warms the caches
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        durations.append(time.perf_counter() - started)
    duration = durations[-1]
    rng = random.Random(int(os.environ.get("GOVLENS_KILL_SEED", "12")))
    outcomes = []
    while sum(o["exit"] == -signal.SIGKILL for o in outcomes) < KILLS and len(outcomes) < 3 * KILLS:
        shutil.rmtree(out)
        shutil.copytree(inputs["small_clean"], out)
        previous = snapshot(out)
        # Half the kills anywhere, half in the last third, where the tables are written and swapped.
        delay = rng.uniform(0, duration) if len(outcomes) % 2 == 0 else rng.uniform(0.67 * duration, duration)
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        code = proc.wait()  # 0 when the build was faster than the delay: it does not count as a kill
        writing = bool(list(out.parent.glob(f".{out.name}.building-*")))
        now = snapshot(out)
        if now == previous:
            state = "previous"
        else:
            assert now is not None, f"a kill after {delay:.2f}s left no output folder"
            assert_same_build(out, inputs["big_clean"])
            state = "new"
        outcomes.append({"delay_s": round(delay, 2), "exit": code, "state": state, "staging_left": writing})
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    assert_same_build(out, inputs["big_clean"])
    assert leftovers(out) == []
    (OUTPUT / "faults").mkdir(parents=True, exist_ok=True)
    (OUTPUT / "faults" / "random_kills.json").write_text(json.dumps(
        {"clean_build_s": round(duration, 2), "kills": outcomes}, indent=1), encoding="utf-8")


def kill_points(source: str, previous: str, out: str, mode: str) -> list[dict]:
    """Run in a child process: write `source`'s tables over `previous` into `out` once per line
    of `pipeline/io.py` that writing executes, SIGKILLing a forked writer just before that line
    runs for the first time (later runs of a loop's lines add nothing); after each kill, classify
    what is in `out` and what the next build's recovery makes of it.

    `mode` "fallback" disables the atomic exchange, as on systems without renameat2.
    """
    import pyarrow.parquet as pq

    source_dir, previous_dir, out_dir = Path(source), Path(previous), Path(out)
    # Read without Arrow's thread pool, so the forked writers inherit no busy threads.
    tables = {name: pq.read_table(source_dir / f"{name}.parquet", use_threads=False).to_pandas(use_threads=False) for name in TABLES}
    report = io.read_report(source_dir)
    if mode == "fallback":
        io._exchange = lambda a, b: False
    io_file = io.__file__

    def write(kill_at: int) -> None:
        lines: set[int] = set()

        def tracer(frame, event, arg):
            if frame.f_code.co_filename != io_file:
                return None
            if event == "line" and frame.f_lineno not in lines:
                lines.add(frame.f_lineno)
                if len(lines) == kill_at:
                    os.kill(os.getpid(), signal.SIGKILL)
            return tracer

        sys.settrace(tracer)
        io.write_outputs(tables, report, out_dir)
        sys.settrace(None)

    def reset() -> None:
        for path in [out_dir, *out_dir.parent.glob(f".{out_dir.name}.*")]:
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
        shutil.copytree(previous_dir, out_dir)

    def fork_write(kill_at: int) -> int:
        pid = os.fork()
        if pid == 0:
            write(kill_at)
            os._exit(0)
        return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])

    reset()
    fork_write(0)
    new = snapshot(out_dir)
    prev = snapshot(previous_dir)

    def state() -> str:
        now = snapshot(out_dir)
        return "previous" if now == prev else "new" if now == new else "missing" if now is None else "damaged"

    points, kill_at = [], 0
    while True:
        kill_at += 1
        reset()
        status = fork_write(kill_at)
        if status == 0:  # the writer ran to its end: every line has had its kill
            break
        after_kill = state()
        io._recover(out_dir)
        points.append({"kill_at": kill_at, "after_kill": after_kill, "after_recovery": state(), "left": leftovers(out_dir)})
    return points


@pytest.mark.parametrize("mode", ["exchange", "fallback"])
def test_a_kill_before_any_line_of_the_output_swap_loses_nothing(inputs, tmp_path, mode):
    code = ("import json, sys; from tests.test_faults import kill_points; "
            "print(json.dumps(kill_points(*sys.argv[1:])))")
    proc = subprocess.run([sys.executable, "-c", code, str(inputs["big_clean"]), str(inputs["small_clean"]),
                           str(tmp_path / "tables"), mode], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    points = json.loads(proc.stdout)
    assert len(points) > 30
    allowed = {"previous", "new"} if mode == "exchange" else {"previous", "new", "missing"}
    bad = [p for p in points if p["after_kill"] not in allowed or p["after_recovery"] not in ("previous", "new") or p["left"]]
    assert not bad, bad
    (OUTPUT / "faults").mkdir(parents=True, exist_ok=True)
    (OUTPUT / "faults" / f"kill_points_{mode}.json").write_text(json.dumps(points, indent=1), encoding="utf-8")


def test_concurrent_builds_into_one_folder_take_turns(inputs, tmp_path):
    out = tmp_path / "tables"
    procs = [subprocess.Popen(cli_build(inputs[name], out), cwd=ROOT, stderr=subprocess.PIPE, text=True)
             for name in ("big", "small", "big")]
    for proc in procs:
        assert proc.wait(timeout=300) == EXIT_OK, proc.stderr.read()
    assert parquet_bytes(out) in (parquet_bytes(inputs["big_clean"]), parquet_bytes(inputs["small_clean"]))
    assert leftovers(out) == []


def test_a_stale_previous_folder_does_not_block_the_next_build(inputs, tmp_path):
    out = tmp_path / "tables"
    shutil.copytree(inputs["small_clean"], out)
    shutil.copytree(inputs["small_clean"], tmp_path / ".tables.previous")  # a kill during its removal
    (tmp_path / ".tables.building-999999").mkdir()  # a kill while writing
    assert main(["build", str(inputs["big"]), "--out", str(out), "--quiet"]) == EXIT_OK
    assert tables_of(out) and leftovers(out) == []


def test_the_output_folder_keeps_its_permissions(inputs, tmp_path):
    out = tmp_path / "tables"
    umask = os.umask(0o022)
    try:
        assert main(["build", str(inputs["small"]), "--out", str(out), "--quiet"]) == EXIT_OK
        assert out.stat().st_mode & 0o777 == 0o755  # readable by a dashboard run as another user
        out.chmod(0o750)
        assert main(["build", str(inputs["small"]), "--out", str(out), "--quiet"]) == EXIT_OK
        assert out.stat().st_mode & 0o777 == 0o750
    finally:
        os.umask(umask)


# --- the dashboard on damaged tables ---

def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _zero(path: Path) -> None:
    path.write_bytes(b"")


def _garbage(path: Path) -> None:
    path.write_bytes(random.Random(1).randbytes(path.stat().st_size))


def _flip_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for i in range(len(data) // 3, len(data) // 3 + 64):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _no_footer(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-8])


def _directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _other_table(path: Path) -> None:
    shutil.copy(path.with_name("timeline.parquet"), path)


def _missing(path: Path) -> None:
    path.unlink()


DAMAGES = {f.__name__.strip("_"): f for f in (_truncate, _zero, _garbage, _flip_middle, _no_footer, _directory, _other_table, _missing)}
UNDETECTABLE = {"flip_middle"}  # Parquet pages carry no checksum: flipped bits in numbers read as other numbers
APP = str(ROOT / "dashboard" / "app.py")
PAGES = sorted(f"views/{p.name}" for p in (ROOT / "dashboard" / "views").glob("*.py"))


def damaged_copy(folder: Path, table: str, damage: str) -> Path:
    shutil.copytree(PROCESSED, folder)
    DAMAGES[damage](folder / f"{table}.parquet")
    return folder


def run_page(page: str, **params):
    from streamlit.testing.v1 import AppTest  # imported here: the kill-point child process needs none of it

    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    if page != "views/overview.py":
        at.switch_page(page)
    return at.run()


@pytest.mark.parametrize("damage", sorted(DAMAGES))
@pytest.mark.parametrize("table", ["articles", "places", "terms"])
def test_damaged_tables_give_the_app_a_clear_message(damage, table, tmp_path, monkeypatch):
    from dashboard import queries

    monkeypatch.setenv("GOVLENS_DATA", str(damaged_copy(tmp_path / "tables", table, damage)))
    at = run_page("views/overview.py")
    assert not at.exception, f"{table} {damage}: stack trace instead of a message: {[e.value for e in at.exception]}"
    absent = damage in ("missing", "directory")  # an optional table that is not there is no error
    if (table in queries.REQUIRED or not absent) and damage not in UNDETECTABLE:
        messages = " ".join(e.value for e in at.error)
        assert table in messages and "python -m pipeline build" in messages, messages


@pytest.mark.parametrize("page", PAGES)
def test_every_page_reports_damaged_article_texts_without_a_stack_trace(page, tmp_path, monkeypatch):
    """Article texts stay on disk and only searches read them: damage there must still surface
    as a message when the tables are opened, not as a stack trace in the middle of a search."""
    monkeypatch.setenv("GOVLENS_DATA", str(damaged_copy(tmp_path / "tables", "articles", "flip_middle")))
    at = run_page(page, q="营商环境")
    assert not at.exception, [e.value for e in at.exception]
    assert "articles.parquet" in " ".join(e.value for e in at.error)
