"""Every benchmark script, one after the other, each printing its own figures.

    .venv/bin/python benchmarks/run_all.py              # each script with its default arguments
    .venv/bin/python benchmarks/run_all.py --only build,dashboard

Runs `benchmarks/bench_*.py` in name order (bench_build: build speed and memory; bench_dashboard:
page queries; …) as separate processes, so one script's memory never weighs on the next, and
says at the end which ones failed. Arguments for a script go after `--` as NAME:ARG, e.g.
`-- dashboard:--scales=100000,1000000 build:--repeat=1`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated script names without bench_ (default: all)")
    parser.add_argument("extra", nargs="*", help="NAME:ARG arguments passed to one script (after --)")
    args = parser.parse_args()
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        wanted = set(args.only.split(","))
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in wanted]
    failed = []
    for script in scripts:
        name = script.stem.removeprefix("bench_")
        extra = [arg.split(":", 1)[1] for arg in args.extra if arg.split(":", 1)[0] == name]
        print(f"\n=== {script.name} {' '.join(extra)}", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(script), *extra], cwd=HERE.parent)
        print(f"=== {script.name}: exit {code} after {time.perf_counter() - started:.0f} s", flush=True)
        if code:
            failed.append(script.name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
