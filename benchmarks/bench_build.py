"""Build speed and memory (issue 11): every figure of the issue's build targets from one run.

    .venv/bin/python benchmarks/bench_build.py                  # ../shared/corpus/rmrb, 2 workers
    .venv/bin/python benchmarks/bench_build.py --repeat 3 --scales 1,2,4

1. Full build from scratch (`python -m pipeline build CORPUS --workers W --no-cache`, timed from
   outside, --repeat times): wall time (min and median), CPU seconds of the process tree, peak
   memory of the tree (sum of the processes' proportional set size, sampled every 50 ms) and the
   time of each stage from report.json. Beside it, in the same run, bare single-process
   `jieba.lcut` and `rjieba.cut` over the same texts (every input file, as read), and the ratios;
   then the CPU seconds of every step of a one-process build (what bounds the build).
2. Incremental: a copy of the corpus (a tree of symbolic links) built with the cache, one file
   added, rebuilt from the command line (timed from outside, --repeat times, each from the same
   cache), then compared table by table with a clean build of the same folder.
3. Peak memory at 1x, 2x, 4x the corpus: the input repeated under copyN/ folders, so every copy
   has other paths and article ids (dedupe then collapses the copies into one article each).

The load average of the machine is printed with every timing: on a shared machine, wall time is
only comparable between runs at the same load; CPU seconds are steadier. Work files go to
--work (default /tmp/govlens_bench), never into the repository.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402  (installed with distributed)

from pipeline import io  # noqa: E402
from pipeline.schema import TABLES  # noqa: E402

SHARED = Path(os.environ.get("GOVLENS_SHARED", ROOT.parent / "shared")) / "corpus"
TARGETS = {"full_wall_s": 15.0, "peak_gb": 2.0, "vs_jieba": 4.0, "vs_rjieba": 6.0, "incremental_s": 2.0}


def load() -> str:
    return "load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


class Peak:
    """Peak memory of a process and its children: the sum of their proportional set sizes (a
    page shared by forked workers counts once), sampled every 50 ms."""

    def __init__(self, pid: int) -> None:
        self.process, self.peak, self.running = psutil.Process(pid), 0, True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while self.running:
            total = 0
            try:
                for p in [self.process, *self.process.children(recursive=True)]:
                    try:
                        info = p.memory_full_info()
                        total += getattr(info, "pss", info.rss)
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        pass
            except psutil.NoSuchProcess:
                break
            self.peak = max(self.peak, total)
            time.sleep(0.05)

    def stop(self) -> int:
        self.running = False
        self.thread.join()
        return self.peak


def run_build(inputs: list[Path], out: Path, workers: int, cache: Path | None) -> dict:
    """One CLI build, timed from outside: wall, CPU of the tree, peak memory, the report."""
    command = [sys.executable, "-m", "pipeline", "build", *map(str, inputs), "--out", str(out), "--quiet",
               "--workers", str(workers)] + (["--cache-dir", str(cache)] if cache else ["--no-cache"])
    before = os.times()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    peak = Peak(process.pid)
    _, stderr = process.communicate()
    wall = time.perf_counter() - started
    peak_bytes = peak.stop()
    after = os.times()
    if process.returncode not in (0, 3):
        raise SystemExit(f"build failed ({process.returncode}): {stderr}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {"wall": wall, "cpu": cpu, "peak": peak_bytes, "report": io.read_report(out), "load": load()}


def bare_segmenters(corpus: Path) -> dict[str, float]:
    """Single-process jieba.lcut and rjieba.cut over every input file's text (default dictionaries)."""
    texts = [path.read_text(encoding="utf-8") for path in sorted(corpus.rglob("*.txt"))]
    import jieba
    import rjieba

    jieba.setLogLevel(60)
    jieba.initialize()
    rjieba.cut("预热")
    out = {"chars": sum(map(len, texts)), "files": len(texts)}
    for name, cut in (("rjieba.cut", rjieba.cut), ("jieba.lcut", jieba.lcut)):
        cpu, started = time.process_time(), time.perf_counter()
        for text in texts:
            cut(text)
        out[name] = time.perf_counter() - started
        out[name + " cpu"] = time.process_time() - cpu
        print(f"  bare {name:11s} {out[name]:7.2f} s wall, {out[name + ' cpu']:7.2f} s CPU  ({load()})", flush=True)
    return out


def link_tree(source: Path, target: Path, skip: set[Path] = frozenset()) -> None:
    """`target` mirrors `source` with symbolic links to its files."""
    for path in sorted(source.rglob("*")):
        if path.is_file() and path not in skip:
            link = target / path.relative_to(source)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(path)


def same_tables(a: Path, b: Path) -> bool:
    import pandas as pd

    for name in TABLES:
        try:
            pd.testing.assert_frame_equal(io.read_table(a, name), io.read_table(b, name))
        except AssertionError as exc:
            print(f"  {name} differs: {str(exc)[:200]}")
            return False
    return True


def stage_lines(report: dict) -> list[str]:
    durations = report["durations_s"]
    return [f"    {name:48s} {seconds:7.2f} s" for name, seconds in durations.items()]


def stage_cpu(corpus: Path) -> None:
    """CPU seconds of every step of a build in one process (the local engine: stages do not
    overlap), imports included; run in a fresh interpreter by `--stage-cpu`."""
    import pipeline.engine as engine
    from pipeline.build import build

    print(f"    {'interpreter and imports':48s} {time.process_time():7.2f} s")  # this process's CPU so far
    engine.time = type("CpuClock", (), {"perf_counter": staticmethod(time.process_time)})  # stage timings in CPU seconds
    steps = {}
    clock = time.process_time()
    res = io.load_resources()
    res.segmenter.tag("")
    steps["resources + segmenter dictionary"] = time.process_time() - clock
    clock = time.process_time()
    read = io.read_inputs([corpus])
    steps["read"] = time.process_time() - clock
    tables, summary = build(read.documents, res, corpus.name)
    steps.update((k, v) for k, v in summary["durations_s"].items() if not k.startswith("wall:"))
    clock = time.process_time()
    io.write_outputs(tables, {}, Path(f"/tmp/govlens_bench/stage-cpu-{os.getpid()}"))
    steps["write"] = time.process_time() - clock
    shutil.rmtree(f"/tmp/govlens_bench/stage-cpu-{os.getpid()}", ignore_errors=True)
    for name, seconds in steps.items():
        print(f"    {name:48s} {seconds:7.2f} s")
    print(f"    {'total':48s} {time.process_time():7.2f} s")


def main() -> None:
    if sys.argv[1:2] == ["--stage-cpu"]:
        return stage_cpu(Path(sys.argv[2]))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=SHARED / "rmrb", help="input folder (default: ../shared/corpus/rmrb)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2: the issue's 2 cores)")
    parser.add_argument("--repeat", type=int, default=3, help="full builds and rebuilds to time (min and median are printed)")
    parser.add_argument("--scales", default="1,2,4", help="corpus multiples for the memory figure (default 1,2,4; empty: skip)")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare segmenter timings")
    parser.add_argument("--no-incremental", action="store_true", help="skip the incremental rebuild")
    parser.add_argument("--no-profile", action="store_true", help="skip the CPU seconds per stage of a one-process build")
    parser.add_argument("--work", type=Path, default=Path("/tmp/govlens_bench"), help="work folder (default /tmp/govlens_bench)")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        raise SystemExit(f"no corpus at {args.corpus}")
    work = args.work / "build"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    print(f"machine: {os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable), "
          f"{psutil.virtual_memory().total / 2**30:.1f} GiB; {load()}; Python {sys.version.split()[0]}")
    print(f"corpus: {args.corpus}")
    figures: dict[str, float] = {}

    print(f"\n1. full build from scratch, {args.workers} workers, {args.repeat} runs")
    runs = []
    for i in range(args.repeat):
        run = run_build([args.corpus], work / "full", args.workers, None)
        runs.append(run)
        print(f"  run {i + 1}: {run['wall']:6.2f} s wall, {run['cpu']:6.2f} s CPU, peak {run['peak'] / 2**30:.2f} GiB ({run['load']})", flush=True)
    best = min(runs, key=lambda r: r["wall"])
    figures["full_wall_s"] = best["wall"]
    figures["full_cpu_s"] = min(r["cpu"] for r in runs)
    figures["peak_gb"] = max(r["peak"] for r in runs) / 2**30
    report = best["report"]
    print(f"  min {best['wall']:.2f} s, median {statistics.median(r['wall'] for r in runs):.2f} s wall; "
          f"{report['files_read']:,} files, {report['articles']:,} articles; per stage (fastest run; "
          "batched stages: seconds summed over workers, `wall:` the batch):")
    print("\n".join(stage_lines(report)))

    if not args.no_bare:
        print("\n   bare segmenters, one process, same texts:")
        bare = bare_segmenters(args.corpus)
        figures["vs_jieba"] = bare["jieba.lcut"] / figures["full_wall_s"]
        figures["vs_rjieba"] = figures["full_wall_s"] / bare["rjieba.cut"]
        print(f"  build is {figures['vs_jieba']:.2f}x faster than bare jieba.lcut (target >= {TARGETS['vs_jieba']}x), "
              f"and takes {figures['vs_rjieba']:.2f}x bare rjieba.cut (target <= {TARGETS['vs_rjieba']}x)")
        print(f"  by CPU seconds: build {figures['full_cpu_s']:.1f}, jieba.lcut {bare['jieba.lcut cpu']:.1f}, "
              f"rjieba.cut {bare['rjieba.cut cpu']:.1f}")

    if not args.no_profile:
        print("\n   CPU seconds per step, one process (the local engine), a fresh interpreter:", flush=True)
        subprocess.run([sys.executable, __file__, "--stage-cpu", str(args.corpus)], check=True)

    if not args.no_incremental:
        print("\n2. incremental: add one file to a built corpus, rebuild from the command line")
        files = sorted(args.corpus.rglob("*.txt"))
        added = files[len(files) // 2]
        tree, cache = work / "inc" / args.corpus.name, work / "inc-cache"
        link_tree(args.corpus, tree, {added})
        warm = run_build([tree], work / "inc-out", args.workers, cache)
        print(f"  first build with the cache: {warm['wall']:.2f} s ({warm['load']})")
        shutil.copytree(cache, work / "inc-cache-before")
        (tree / added.relative_to(args.corpus)).symlink_to(added)
        rebuilds = []
        for _ in range(args.repeat):  # each from the same cache: the one before the file was added
            shutil.rmtree(cache)
            shutil.copytree(work / "inc-cache-before", cache)
            rebuilds.append(run_build([tree], work / "inc-out", args.workers, cache))
        rebuilt = min(rebuilds, key=lambda r: r["wall"])
        figures["incremental_s"] = rebuilt["wall"]
        print(f"  rebuild after adding {added.name}, {args.repeat} runs: {rebuilt['wall']:.2f} s wall (min; median "
              f"{statistics.median(r['wall'] for r in rebuilds):.2f} s), {rebuilt['cpu']:.2f} s CPU ({rebuilt['load']}); the fastest run:")
        print("\n".join(stage_lines(rebuilt["report"])))
        run_build([tree], work / "inc-clean", args.workers, None)
        equal = same_tables(work / "inc-out", work / "inc-clean")
        print(f"  tables equal to a clean build: {equal}")

    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    if scales:
        print("\n3. peak memory by corpus size (the input repeated under copyN/)")
        for scale in scales:
            inputs = work / f"x{scale}"
            for copy in range(scale):
                link_tree(args.corpus, inputs / f"copy{copy}")
            run = run_build([inputs], work / f"x{scale}-out", args.workers, None)
            figures[f"peak_gb_{scale}x"] = run["peak"] / 2**30
            print(f"  {scale}x: {run['report']['files_read']:,} files, peak {run['peak'] / 2**30:.2f} GiB, "
                  f"{run['wall']:.1f} s wall, {run['cpu']:.1f} s CPU ({run['load']})", flush=True)
            shutil.rmtree(inputs)

    print("\nfigures against the issue's targets")
    for key, target in TARGETS.items():
        if key in figures:
            ok = figures[key] <= target if key not in ("vs_jieba",) else figures[key] >= target
            print(f"  {key:15s} {figures[key]:8.2f}  target {'>=' if key == 'vs_jieba' else '<='} {target:g}  {'met' if ok else 'MISSED'}")
    for key in sorted(k for k in figures if k.startswith("peak_gb_")):
        print(f"  {key:15s} {figures[key]:8.2f}")


if __name__ == "__main__":
    main()
