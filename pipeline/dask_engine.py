"""The build on a Dask cluster: `python -m pipeline build … --engine dask [--scheduler ADDRESS]`.

The same `Stage` list and the same stage functions as `pipeline.engine.ProcessEngine`, with Dask
workers in place of forked processes: the partitionable stages run chunk by chunk on the
cluster, the global ones (dedupe, keywords, timelines) and all file access stay in this process,
so the tables written are the local engine's. Workers need this package installed (the same
version); they get no files: the resource files' texts travel once to each worker
(`ResourceSpec`, ~0.5 MB) and each worker builds the resources from them once.

Without `--scheduler` a `LocalCluster` of `--workers` processes starts on this machine (a test
and a way to try it); on a real cluster start a scheduler and workers (dask-kubernetes,
dask-jobqueue, Coiled, or `dask scheduler` / `dask worker` by hand: see docs/performance.md) and
pass the scheduler's address.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence

import pandas as pd

from pipeline.config import Resources
from pipeline.engine import PartitioningEngine, ResourceSpec, Stage, default_workers, run_chunk

_BUILT: dict[str, Resources] = {}  # per worker process: resources by the digest of their spec


def spec_digest(spec: ResourceSpec) -> str:
    digest = hashlib.blake2b(repr((sorted(spec.texts.items()), spec.segmenter, spec.fields, spec.source)).encode(), digest_size=16)
    return digest.hexdigest()


def _work(group: Sequence[Stage], chunk: tuple, options: dict, spec: ResourceSpec, digest: str) -> tuple[list[pd.DataFrame], list[float]]:
    """A chunk on a Dask worker; the resources are built at the worker's first chunk and kept."""
    if digest not in _BUILT:
        _BUILT.clear()  # one build's resources at a time
        _BUILT[digest] = spec.load()
    return run_chunk(group, chunk, _BUILT[digest], options)


class DaskEngine(PartitioningEngine):
    """Partitionable stages on a Dask cluster (the scheduler at `scheduler`, or a LocalCluster)."""

    name = "dask"

    def __init__(self, res: Resources, spec: ResourceSpec | None, scheduler: str | None = None,
                 workers: int | None = None, cache=None) -> None:
        from distributed import Client, LocalCluster

        super().__init__(res, cache)
        if spec is None:
            raise ValueError("the dask engine needs the resource files (a ResourceSpec) to send to its workers")
        self.cluster = None
        if scheduler:
            self.client = Client(scheduler)
        else:
            self.cluster = LocalCluster(n_workers=workers or default_workers(), threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
        self.workers = max(1, len(self.client.scheduler_info()["workers"]))
        self.digest = spec_digest(spec)
        [self.spec] = self.client.scatter([spec], broadcast=True)  # sent once to every worker, not with every chunk

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def map_chunks(self, group, chunks, options):
        futures = self.client.map(_work, [group] * len(chunks), chunks, [options] * len(chunks),
                                  spec=self.spec, digest=self.digest, pure=False)
        return self.client.gather(futures)
