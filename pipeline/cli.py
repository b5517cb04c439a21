"""Command line: `python -m pipeline build|schema|evaluate`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pipeline import io
from pipeline.build import build
from pipeline.cache import BuildCache
from pipeline.cache import default_folder as default_cache_folder
from pipeline.engine import ResourceSpec, default_workers, make_engine
from pipeline.formats import FieldMap
from pipeline.schema import TABLES, markdown

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_SKIPPED = 0, 1, 2, 3

BUILD_EPILOG = """\
exit status:
  0  every file was read and the tables were written
  3  the tables were written, but some files were skipped (listed on stderr and in report.json)
  1  the build failed: nothing was written and the previous tables in --out are untouched
  2  usage error (also: --out is a file, or a folder holding files a build does not write)

Input formats: .txt .md (YAML front matter) .html .htm .json (object or list) .jsonl .csv, and
.zip archives of these. Folders are read recursively. doc_path is the path relative to the INPUT
given (prefixed with the INPUT's name when several are given).

example:
  python -m pipeline build data/raw --out data/processed
  python -m pipeline build ../shared/corpus/xwlb --out /tmp/xwlb --text-field content
  python -m pipeline build corpus/ --out /tmp/tables --engine dask --scheduler tcp://host:8786

Engines, the build cache and the figures: docs/performance.md.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description="govlens pipeline: turn a folder of Chinese news articles into analysis tables (Parquet).")
    commands = parser.add_subparsers(dest="command", required=True)

    b = commands.add_parser("build", help="read articles and write the tables", epilog=BUILD_EPILOG,
                            formatter_class=argparse.RawDescriptionHelpFormatter,
                            description=f"Read INPUT files and folders and write the tables {', '.join(TABLES)} "
                                        "(Parquet, docs/tables.md) plus report.json into --out.")
    b.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help="files or folders (read recursively)")
    b.add_argument("--out", required=True, type=Path, help="output folder (replaced only when the build succeeds)")
    b.add_argument("--resources", type=Path, default=io.RESOURCES, help="folder of resource files (themes.yaml, gazetteer…); default: the bundled ones")
    b.add_argument("--segmenter", choices=("auto", "rjieba", "jieba"), default="auto", help="word segmenter (default: rjieba when installed)")
    for name in ("title", "text", "date", "source", "url"):
        b.add_argument(f"--{name}-field", metavar="KEY", help=f"record key holding the {name} in JSON/JSONL/CSV inputs (default: detected)")
    b.add_argument("--source", metavar="NAME", help="publisher of every input article (default: detected from 来源 lines, metadata, "
                                                  "the `paths` mapping of sources.yaml, bylines)")
    b.add_argument("--quiet", action="store_true", help="no progress output, only errors and the skipped files")
    b.add_argument("--engine", choices=("processes", "local", "dask"), default="processes",
                   help="how the stages run: over worker processes on this machine (default), in this one process, "
                        "or on a Dask cluster (see docs/performance.md); every engine writes the same tables")
    b.add_argument("--workers", type=_positive, metavar="N", help=f"worker processes (default: the CPUs available, here {default_workers()}); "
                                                          "with --engine dask and no --scheduler, the local cluster's workers")
    b.add_argument("--scheduler", metavar="ADDRESS", help="with --engine dask: the Dask scheduler to use (tcp://host:8786); "
                                                         "default: a local cluster on this machine")
    b.add_argument("--cache-dir", type=Path, metavar="DIR", help="build cache: unchanged files are not read again and unchanged "
                                                                 "pages not enriched again (default: ~/.cache/govlens/OUTNAME-…)")
    b.add_argument("--no-cache", action="store_true", help="neither use nor update the build cache")

    commands.add_parser("schema", help="print the table documentation (docs/tables.md) as Markdown")
    return parser


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "schema":
        print(markdown())
        return EXIT_OK
    return _build(args)


def _say(quiet: bool, message: str, end: str = "\n") -> None:
    if not quiet:
        print(message, file=sys.stderr, end=end, flush=True)


class _Progress:
    """Progress on stderr: on a terminal a bar redrawn in place, elsewhere (a log) a line per
    tenth of the files; then one line per build stage with the time so far. Silent when quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet, self.tty = quiet, sys.stderr.isatty()
        self.started = self.drawn = time.perf_counter()
        self.tenths = -1

    def files(self, done: int, total: int) -> None:
        share = done / total if total else 1.0
        now = time.perf_counter()
        if self.tty and (done == total or now - self.drawn >= 0.1):
            self.drawn = now
            bar = "#" * int(30 * share)
            _say(self.quiet, f"\rreading [{bar:<30}] {done:,}/{total:,} files", end="\n" if done == total else "")
        elif not self.tty and int(10 * share) > self.tenths:
            self.tenths = int(10 * share)
            _say(self.quiet, f"reading files: {done:,}/{total:,} ({share:.0%})")

    def stage(self, name: str, index: int, total: int) -> None:
        _say(self.quiet, f"[{index + 1}/{total}] {name} (at {time.perf_counter() - self.started:.1f}s)")


def _build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        io.check_out(args.out.resolve())
    except OSError as exc:
        print(f"error: --out: {exc}", file=sys.stderr)
        return EXIT_USAGE
    fields = FieldMap().override(title=args.title_field, text=args.text_field, date=args.date_field,
                                 source=args.source_field, url=args.url_field)
    try:
        spec = ResourceSpec(io.read_resource_files(args.resources), args.segmenter, fields, args.source)
        resources = spec.load()
    except (OSError, ValueError) as exc:
        print(f"error: cannot load resources from {args.resources}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.scheduler and args.engine != "dask":
        print("error: --scheduler needs --engine dask", file=sys.stderr)
        return EXIT_USAGE
    cache = None if args.no_cache else BuildCache(args.cache_dir or default_cache_folder(args.out), spec)
    with make_engine(args.engine, resources, args.workers, args.scheduler, spec, cache) as engine:  # workers start before reading
        return _run_build(args, fields, resources, engine, cache, started)


def _run_build(args: argparse.Namespace, fields: FieldMap, resources, engine, cache: BuildCache | None, started: float) -> int:
    progress = _Progress(args.quiet)
    read_started = time.perf_counter()
    result = io.read_inputs(args.inputs, fields, progress=progress.files, cache=cache)
    read_seconds = round(time.perf_counter() - read_started, 3)
    for skip in result.skipped:
        print(f"skipped {skip['path']}: {skip['reason']}", file=sys.stderr)
    if not result.documents:
        print("error: no readable article in the inputs; nothing written", file=sys.stderr)
        return EXIT_FAILED

    root_name = args.inputs[0].resolve().name if len(args.inputs) == 1 and args.inputs[0].is_dir() else ""
    tables, summary = build(result.documents, resources, root_name, progress=progress.stage, engine=engine)
    engine.close()  # the workers' memory is free before the tables are converted and written
    report = {
        "inputs": [io.display_path(str(p)) for p in args.inputs],
        **result.summary(),
        **summary,
        "segmenter": resources.segmenter.engine,
        "engine": {"name": engine.name, "workers": engine.workers},
    }

    report["durations_s"] = {"read": read_seconds, **summary["durations_s"]}
    report["durations_s"]["total"] = round(time.perf_counter() - started, 3)
    try:
        io.write_outputs(tables, report, args.out)
    except (OSError, io.SchemaError) as exc:
        print(f"error: writing {args.out} failed ({exc}); previous tables left as they were", file=sys.stderr)
        return EXIT_FAILED
    if cache is not None:
        try:
            cache.save()
        except OSError as exc:  # the tables are written; only the next build is slower
            print(f"warning: cannot update the build cache {cache.folder}: {exc}", file=sys.stderr)
        reused = sum(cache.stats["groups_reused"].values())
        _say(args.quiet, f"cache {cache.folder}: {cache.stats['files_reused']:,} files and {reused:,} stage groups reused, "
                         f"{cache.stats['files_read']:,} files read, {sum(cache.stats['groups_computed'].values()):,} groups computed")
    _say(args.quiet, f"wrote {args.out}: {summary['articles']:,} articles from {len(result.read):,} files "
                     f"({len(result.skipped)} skipped, {summary['duplicates_collapsed']} duplicates collapsed) "
                     f"in {report['durations_s']['total']:.1f}s")
    return EXIT_SKIPPED if result.skipped else EXIT_OK
