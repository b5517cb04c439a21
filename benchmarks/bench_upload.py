"""Upload figures: the app's build of an uploaded zip (what the user waits for after pressing
Build), then a theme edit and a user dictionary applied to the same corpus.

    .venv/bin/python benchmarks/bench_upload.py                 # 100 rmrb-governance files
    .venv/bin/python benchmarks/bench_upload.py --files 895     # all of them

The files are the first N of ../shared/corpus/rmrb-governance (sorted paths), zipped in memory
as the browser would send them; the build runs `dashboard.workspace.Workspace.build` in a
temporary sessions root. The first build of a process also loads the bundled resources
(gazetteer, segmenter): timed apart, then a second build shows the warm figure. Peak memory is
this process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard import workspace  # noqa: E402

CORPUS = Path(os.environ.get("GOVLENS_SHARED", ROOT.parent / "shared")) / "corpus" / "rmrb-governance"


def corpus_zip(n: int) -> tuple[bytes, int]:
    files = sorted(CORPUS.rglob("*.txt"))[:n]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, f"rmrb-governance/{path.relative_to(CORPUS).as_posix()}")
    return out.getvalue(), len(files)


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100, help="number of rmrb-governance files (default 100)")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 1
    data, n = corpus_zip(args.files)
    upload = [("rmrb-governance.zip", data)]
    limits = workspace.UploadLimits()
    print(f"upload: {n} files of {CORPUS.name}, zip of {len(data) / 1e6:.2f} MB, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as root:
        ws = workspace.Workspace.create(Path(root))
        load, _ = timed(workspace.bundled_resources)
        first, report = timed(lambda: ws.build(upload, limits))
        warm, report = timed(lambda: ws.build(upload, limits))
        print(f"resources load (first build of a process only): {load:.2f} s")
        print(f"build, first after loading: {first:.2f} s; warm: {warm:.2f} s "
              f"({report['files_read']} files read, {report['files_skipped']} skipped, {report['articles']} articles, "
              f"{report['duplicates_collapsed']} duplicates collapsed)")
        print("warm build per step (s): " + ", ".join(f"{k} {v:.2f}" for k, v in report["durations_s"].items()))
        config = ws.taxonomy_config()
        theme = next(th for th in config["themes"] if th["id"] == "community_services")
        edited = workspace.put_theme(config, theme | {"strong": [*theme["strong"], "家门口"]}, replace_id=theme["id"])
        rescore, result = timed(lambda: ws.apply_taxonomy(edited))
        before, after = (result[k].get("community_services", 0) for k in ("before", "after"))
        print(f"theme edit (re-score themes + timeline, rewrite the tables): {rescore:.2f} s "
              f"(community_services {before} → {after} articles)")
        words, result = timed(lambda: ws.apply_user_words("家门口 n\n接诉即办 n\n"))
        print(f"user dictionary (re-segment terms + keywords, rewrite the tables): {words:.2f} s "
              f"({result['terms']:,} distinct terms)")
        zipped, archive = timed(lambda: workspace.tables_zip(ws.tables))
        print(f"tables download zip (Parquet + CSV): {zipped:.2f} s, {len(archive) / 1e6:.2f} MB")
        ws.remove()
    print(f"peak resident memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
