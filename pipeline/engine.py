"""How the build's stages run: in this process, or over worker processes.

`pipeline.build` lists the stages as `Stage`s: a pure function, the tables it reads, the
resources it takes, and — for a stage that works document by document or page by page — the
column (`by`) whose groups it handles independently. An engine runs that list:

- `LocalEngine` calls each function once on whole tables, in this process;
- `ProcessEngine` cuts the input of the partitionable stages into chunks of whole groups, runs
  every partitionable stage that is ready at that point on each chunk in one task (the articles
  travel to a worker once for places, themes, terms, slogans and indicators together; a stage
  reading an earlier one of the batch gets that stage's rows of the chunk: split, then the dedupe
  sketches of its stories), and concatenates the chunks' results in order; the global stages
  (dedupe, keywords, timelines), and batches too small to be worth sending, run in this process.
  The workers are forked once per build, after the resources are built, so the dictionaries and
  automata are shared rather than rebuilt; each worker loads the segmenter's dictionary once, at
  start.
- `pipeline.dask_engine.DaskEngine` does the same on a Dask cluster.

Because a partitionable stage's rows depend only on their own group, and chunks are contiguous
ranges of groups, every engine writes the same tables. Every engine drops a table once no later
stage reads it and the caller did not ask for it (`run(keep=…)`): a build does not hold the
stories before dedupe while it enriches the articles.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from pipeline.config import Resources
from pipeline.formats import FieldMap

Progress = Callable[[str, int, int], None]  # (stage, index, number of stages)
CHUNKS_PER_WORKER = 4  # more chunks than workers, so one slow chunk does not idle the others
MIN_ROWS_FOR_WORKERS = 200  # fewer rows (a rebuild's new pages) cost less here than sent to workers and back


@dataclass(frozen=True)
class Stage:
    """One step of the build: `fn(*tables, *params)` returns a table."""

    name: str
    fn: Callable[..., pd.DataFrame]
    inputs: tuple[str, ...]  # names of earlier stages (or of the build's inputs) whose tables it reads
    params: tuple[str, ...] = ()  # fields of `Resources`, or build options (`root_name`), passed after the tables
    by: str | None = None  # the stage handles the groups of this column of its first input independently


@dataclass
class Run:
    """What an engine returns: every stage's table, and the seconds each stage computed (summed
    over workers when it ran in chunks) plus, under "wall:A+B+…", the wall time of each batch of
    stages that ran together."""

    tables: dict[str, pd.DataFrame]
    durations: dict[str, float]


@dataclass(frozen=True)
class ResourceSpec:
    """Everything the resources are built from: the resource files' texts and the build options
    that change them. Picklable and small (~0.5 MB), so a worker on another machine builds the
    same resources; its hash tells the cache which stages a changed file invalidates."""

    texts: dict[str, str]  # resource file name → its text
    segmenter: str = "auto"
    fields: FieldMap = field(default_factory=FieldMap)
    source: str | None = None  # --source: the publisher of every input article

    def load(self) -> Resources:
        from pipeline.io import resources_from_texts

        res = resources_from_texts(self.texts, self.segmenter, self.fields)
        return replace(res, sources=res.sources.forcing(self.source)) if self.source else res


def params_of(stage: Stage, res: Resources, options: dict) -> list:
    return [options[p] if p in options else getattr(res, p) for p in stage.params]


def batches(stages: Sequence[Stage], available: Iterable[str]) -> Iterator[list[Stage]]:
    """The stages in execution order, grouped: a partitionable stage runs together with every
    later partitionable stage of the same column whose inputs are ready and that reads the same
    table, or the rows of a stage of the group (split, then the sketches of its stories); a
    global stage runs alone."""
    done = set(available)
    left = list(stages)
    while left:
        first = left.pop(0)
        group = [first]
        if first.by:
            for stage in list(left):
                names = {s.name for s in group}
                if stage.by == first.by and (stage.inputs[0] == first.inputs[0] or stage.inputs[0] in names) \
                        and set(stage.inputs) <= done | names:
                    group.append(stage)
                    left.remove(stage)
        done.update(s.name for s in group)
        yield group


def batch_inputs(group: Sequence[Stage]) -> list[str]:
    """The tables a batch reads from outside itself, the partitioned one first."""
    made = {s.name for s in group}
    return list(dict.fromkeys(i for s in group for i in s.inputs if i not in made))


def run_chunk(stages: Sequence[Stage], tables: Sequence[pd.DataFrame], res: Resources, options: dict) -> tuple[list[pd.DataFrame], list[float]]:
    """Every stage of a batch on one chunk of its inputs (`tables`, as `batch_inputs` names
    them), in a worker or in this process; a stage reading an earlier stage of the batch gets
    that stage's rows of the chunk."""
    if stages[0].by:  # row-wise stages
        tables = [plain_strings(t) for t in tables]
    available = dict(zip(batch_inputs(stages), tables, strict=True))
    out, seconds = [], []
    for stage in stages:
        started = time.perf_counter()
        available[stage.name] = stage.fn(*(available[i] for i in stage.inputs), *params_of(stage, res, options))
        out.append(available[stage.name])
        seconds.append(time.perf_counter() - started)
    return out, seconds


def plain_strings(table):
    """A frame whose text columns hold Python strings: the stages iterate rows, and iterating
    Arrow-backed strings costs 6x more (the values are the same)."""
    if not isinstance(table, pd.DataFrame):
        return table
    arrow = [c for c in table.columns if isinstance(table[c].dtype, pd.StringDtype)]
    return table.astype(dict.fromkeys(arrow, object)) if arrow else table


class LocalEngine:
    """Every stage once, on whole tables, in this process."""

    name = "local"
    workers = 1

    def __init__(self, res: Resources, cache=None) -> None:
        self.res = res
        self.cache = cache  # a pipeline.cache.BuildCache: partitionable stages reuse its groups

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Release the workers. Closing again does nothing: the command line closes the engine
        before writing the tables, and again on leaving its `with`."""

    def run(self, stages: Sequence[Stage], inputs: dict, options: dict | None = None, progress: Progress | None = None,
            keep: Iterable[str] | None = None) -> Run:
        """Run the stages; return the tables named in `keep` (default: every table). Any other
        table is dropped as soon as no later stage reads it, so that a build holds only what it
        still needs (the stories before dedupe are the largest)."""
        options = options or {}
        tables, durations = dict(inputs), {}
        plan = list(batches(stages, inputs))
        last_read = {name: step for step, group in enumerate(plan) for stage in group for name in stage.inputs}
        keep = set(tables) | {s.name for s in stages} if keep is None else set(keep)
        position = 0
        for step, group in enumerate(plan):
            if progress:
                for stage in group:
                    progress(stage.name, position, len(stages))
                    position += 1
            started = time.perf_counter()
            if self.cache is not None and group[0].by:
                done = self.cache.run_partitioned(group, tables, options, lambda stages, subset: self._run_group(stages, subset, options))
            else:
                done = self._run_group(group, tables, options)
            for stage, table, seconds in zip(group, *done, strict=True):
                tables[stage.name], durations[stage.name] = table, round(seconds, 3)
            if len(group) > 1:
                durations["wall:" + "+".join(s.name for s in group)] = round(time.perf_counter() - started, 3)
            done_with = [n for n in tables if n not in keep and last_read.get(n, -1) <= step]
            for name in done_with:
                del tables[name]
            if done_with:
                release_freed_memory()
        return Run(tables, durations)

    def _run_group(self, group: list[Stage], tables: dict, options: dict) -> tuple[list[pd.DataFrame], list[float]]:
        return run_chunk(group, [tables[i] for i in batch_inputs(group)], self.res, options)


class PartitioningEngine(LocalEngine):
    """Runs batches of partitionable stages chunk by chunk through `map_chunks` (worker
    processes, a Dask cluster) and everything else in this process."""

    min_rows = MIN_ROWS_FOR_WORKERS

    def _run_group(self, group: list[Stage], tables: dict, options: dict) -> tuple[list[pd.DataFrame], list[float]]:
        first = tables[group[0].inputs[0]]
        if not group[0].by or len(first) < self.min_rows or self.workers < 2:
            return super()._run_group(group, tables, options)
        others = [tables[i] for i in batch_inputs(group)[1:]]
        chunks = [(first.iloc[rows].reset_index(drop=True), *others)
                  for rows in chunk_rows(first[group[0].by], self.workers * CHUNKS_PER_WORKER)]
        results = list(self.map_chunks(group, chunks, options))
        frames = [concat([r[0][k] for r in results]) for k in range(len(group))]
        seconds = [sum(r[1][k] for r in results) for k in range(len(group))]
        return frames, seconds

    def map_chunks(self, group: list[Stage], chunks: list[tuple], options: dict) -> Iterable[tuple[list[pd.DataFrame], list[float]]]:
        raise NotImplementedError


def chunk_rows(keys: pd.Series, n_chunks: int) -> list[slice]:
    """Contiguous row ranges of about equal size that never cut a group of equal keys (rows of a
    group are adjacent: documents and articles are ordered by path)."""
    n = len(keys)
    codes = pd.factorize(keys)[0]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    if len(starts) != codes.max(initial=-1) + 1:
        raise ValueError("rows of a group are not adjacent; sort the table by its partition column")
    starts = np.r_[starts, n]  # a cut falls on the first group start at or after each target
    cuts = {int(starts[np.searchsorted(starts, n * k / n_chunks)]) for k in range(1, n_chunks)}
    bounds = sorted(cuts | {0, n})
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Chunks' results in order; an empty chunk result (a table's `empty()` with its own dtypes)
    only counts when every chunk is empty."""
    filled = [f for f in frames if len(f)]
    if not filled:
        return frames[0]
    return pd.concat(filled, ignore_index=True) if len(filled) > 1 else filled[0].reset_index(drop=True)


def release_freed_memory() -> None:
    """Hand the heap's free pages back to the system (glibc keeps them: the many mid-sized
    strings of a dropped table left ~0.3 GB resident at 4x rmrb). Elsewhere a no-op."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None).malloc_trim(0)
        except AttributeError:  # not glibc (musl)
            pass


# -- worker processes ---------------------------------------------------------------------------

_WORKER: dict = {}  # the worker's resources, set once by the pool's initializer


def _start_worker(res: Resources, parent: int) -> None:
    _die_with(parent)
    _WORKER["res"] = res
    res.segmenter.tag("")  # load the dictionary now, once, not inside the first chunk's timing


def _die_with(parent: int) -> None:
    """A worker must not outlive a killed build: on Linux the kernel signals it when the parent dies."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the request
        os._exit(1)


def _work(group: list[Stage], chunk: tuple, options: dict) -> tuple[list[pd.DataFrame], list[float]]:
    release_freed_memory()  # what the last chunk left: its input and pickled result
    out = run_chunk(group, chunk, _WORKER["res"], options)
    release_freed_memory()  # what this chunk's stages left while the main process dedupes or writes
    return out


def _ready() -> int:
    return os.getpid()


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class ProcessEngine(PartitioningEngine):
    """Partitionable stages over `workers` forked processes; the rest in this process.

    fork: the workers get the built resources (automata are not picklable) for free. They fork
    at once, while the resources are all this process holds; but when the cache holds an earlier
    build most pages are likely cached, and they fork at the first batch worth sending instead
    (a rebuild that finds everything cached forks none: forked workers cost this process the
    copy of every shared page it writes to afterwards)."""

    name = "processes"

    def __init__(self, res: Resources, workers: int | None = None, cache=None) -> None:
        super().__init__(res, cache)
        self.workers = workers or default_workers()
        self.pool: ProcessPoolExecutor | None = None
        if self.workers > 1 and not (cache is not None and cache.warm):
            self._start()
            for _ in range(self.workers):
                self.pool.submit(_ready)  # fork now

    def _start(self) -> None:
        gc.freeze()  # the collector would otherwise write to every shared object, copying its page into each process
        context = multiprocessing.get_context("fork")
        self.pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_start_worker, initargs=(self.res, os.getpid()))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
            gc.unfreeze()  # no process shares the objects any more

    def map_chunks(self, group, chunks, options):
        if self.pool is None:
            self._start()
        return self.pool.map(_work, [group] * len(chunks), chunks, [options] * len(chunks))


def make_engine(name: str, res: Resources, workers: int | None = None, scheduler: str | None = None,
                spec: ResourceSpec | None = None, cache=None) -> LocalEngine:
    """The engine the command line asks for: "local", "processes" or "dask"."""
    if name == "local" or (name == "processes" and (workers == 1 or "fork" not in multiprocessing.get_all_start_methods())):
        return LocalEngine(res, cache)  # (without fork, e.g. on Windows, the workers could not inherit the automata)
    if name == "processes":
        return ProcessEngine(res, workers, cache)
    if name == "dask":
        from pipeline.dask_engine import DaskEngine

        return DaskEngine(res, spec, scheduler=scheduler, workers=workers, cache=cache)
    raise ValueError(f"unknown engine {name!r}")
