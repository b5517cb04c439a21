"""Engines and the build cache: worker processes and a Dask cluster write the local engine's
tables; a cached rebuild writes a clean build's."""

import shutil

import pandas as pd
import pytest

from pipeline import io
from pipeline.build import PIPELINE, build
from pipeline.cli import main
from pipeline.engine import LocalEngine, ProcessEngine, ResourceSpec, Stage, batches, chunk_rows
from pipeline.schema import TABLES
from tests.conftest import RAW

SHARED_FILES = 40  # of rmrb-governance: pages with several stories, duplicates, many places


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, request):
    """The seeds plus, when ../shared is there, a few dozen People's Daily files (with dates in
    their paths, as in the crawl)."""
    folder = tmp_path_factory.mktemp("engine") / "corpus"
    shutil.copytree(RAW, folder / "seeds")
    from tests.conftest import SHARED

    governance = SHARED / "rmrb-governance"
    if governance.is_dir():
        for path in sorted(governance.rglob("*.txt"))[:SHARED_FILES]:
            target = folder / "rmrb" / path.relative_to(governance)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    return folder


@pytest.fixture(scope="module")
def documents(corpus):
    return io.read_inputs([corpus]).documents


@pytest.fixture(scope="module")
def local_tables(documents, resources):
    return build(documents, resources, "corpus")[0]


def assert_same_tables(tables: dict, reference: dict) -> None:
    assert tables.keys() == reference.keys()
    for name, frame in reference.items():
        # Compared as written: through the table's Arrow schema.
        pd.testing.assert_frame_equal(TABLES[name].to_arrow(tables[name]).to_pandas(), TABLES[name].to_arrow(frame).to_pandas(), obj=name)


def test_worker_processes_write_the_local_tables(documents, resources, local_tables):
    with ProcessEngine(resources, workers=2) as engine:
        tables, summary = build(documents, resources, "corpus", engine=engine)
    assert_same_tables(tables, local_tables)
    assert "wall:places+themes+terms+slogans+indicators" in summary["durations_s"]


def test_a_dask_cluster_writes_the_local_tables(documents, resources, local_tables):
    distributed = pytest.importorskip("distributed")
    from pipeline.dask_engine import DaskEngine

    spec = ResourceSpec(io.read_resource_files())
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=50) as cluster:
        with DaskEngine(resources, spec, scheduler=cluster.scheduler_address) as engine:  # as with --scheduler ADDRESS
            assert engine.workers == 2
            tables, _ = build(documents, resources, "corpus", engine=engine)
    assert_same_tables(tables, local_tables)


def test_chunks_are_contiguous_and_never_cut_a_group():
    keys = pd.Series(list("aaabccddddde"))
    chunks = chunk_rows(keys, 4)
    assert chunks[0].start == 0 and chunks[-1].stop == len(keys)
    assert all(a.stop == b.start for a, b in zip(chunks, chunks[1:]))
    assert all(keys[c.start] != keys[c.start - 1] for c in chunks[1:])
    with pytest.raises(ValueError):
        chunk_rows(pd.Series(list("aba")), 2)


def test_partitionable_stages_that_are_ready_run_together():
    order = [[s.name for s in group] for group in batches(PIPELINE, ["parsed"])]
    assert order[:3] == [["documents"], ["split"], ["dedupe"]]
    assert order[3] == ["places", "themes", "terms", "slogans", "indicators"]
    assert sorted(sum(order, [])) == sorted(s.name for s in PIPELINE)


def test_the_local_engine_runs_a_stage_list_in_order(resources):
    stages = (Stage("double", lambda t: t * 2, ("numbers",)), Stage("plus", lambda t, u: t + u, ("double", "numbers")))
    run = LocalEngine(resources).run(stages, {"numbers": pd.DataFrame({"n": [1, 2]})})
    assert run.tables["plus"]["n"].tolist() == [3, 6]


def test_the_engine_drops_tables_no_later_stage_reads_and_returns_those_kept(resources):
    seen = []
    stages = (Stage("double", lambda t: t * 2, ("numbers",)),
              Stage("plus", lambda t: seen.append(t) or t + 1, ("double",)),
              Stage("last", lambda t: t - 1, ("plus",)))
    run = LocalEngine(resources).run(stages, {"numbers": pd.DataFrame({"n": [1, 2]})}, keep=["plus", "last"])
    assert set(run.tables) == {"plus", "last"}
    assert seen[0]["n"].tolist() == [2, 4] and run.tables["last"]["n"].tolist() == [2, 4]


# -- the build cache, through the command line ----------------------------------------------------


def _cli(inputs, out, cache=None, resources=None) -> None:
    args = ["build", *map(str, inputs), "--out", str(out), "--quiet", "--workers", "1"]
    args += ["--cache-dir", str(cache)] if cache else ["--no-cache"]
    args += ["--resources", str(resources)] if resources else []
    assert main(args) == 0


def _tables(folder) -> dict:
    return {name: io.read_table(folder, name) for name in TABLES}


def _assert_same_build(folder, reference) -> None:
    for name, frame in _tables(reference).items():
        pd.testing.assert_frame_equal(io.read_table(folder, name), frame, obj=name)


def test_adding_a_file_rebuilds_to_the_clean_build(corpus, tmp_path):
    inputs = tmp_path / "in"
    shutil.copytree(corpus, inputs)
    added = inputs / "seeds" / "000_5d30f62efd2afad1.txt"
    kept = added.read_bytes()
    added.unlink()
    cache, out = tmp_path / "cache", tmp_path / "out"
    _cli([inputs], out, cache)
    added.write_bytes(kept)
    _cli([inputs], out, cache)
    _cli([inputs], tmp_path / "clean")
    _assert_same_build(out, tmp_path / "clean")


def test_adding_a_file_that_gives_some_stages_no_rows_rebuilds_to_the_clean_build(corpus, tmp_path):
    cache, out = tmp_path / "cache", tmp_path / "out"
    inputs = tmp_path / "in"
    shutil.copytree(corpus, inputs)
    _cli([inputs], out, cache)
    # a page with one short story: no slogan, no indicator, no place (fresh rows empty for those stages)
    (inputs / "seeds" / "short.txt").write_text("通知\n\n会议将于下周召开，请各单位做好准备工作。\n", encoding="utf-8")
    _cli([inputs], out, cache)
    _cli([inputs], tmp_path / "clean")
    _assert_same_build(out, tmp_path / "clean")


def test_the_cache_is_parquet_and_a_damaged_entry_is_recomputed(corpus, tmp_path):
    cache, out = tmp_path / "cache", tmp_path / "out"
    _cli([corpus], out, cache)
    names = sorted(p.name for p in cache.iterdir())
    assert "manifest.json" in names and "stage-themes.rows.parquet" in names
    assert all(n.endswith(".parquet") for n in names if n != "manifest.json"), names
    (cache / "stage-themes.rows.parquet").write_bytes(b"not parquet")
    (cache / "files.documents.parquet").write_bytes(b"")
    _cli([corpus], out, cache)
    _cli([corpus], tmp_path / "clean")
    _assert_same_build(out, tmp_path / "clean")


def test_an_entry_parquet_cannot_hold_fails_the_save_as_an_os_error_and_keeps_the_cache(corpus, tmp_path):
    """The CLI reports an OSError of the cache as a warning: the tables are written all the same."""
    from pipeline.cache import BuildCache

    cache = tmp_path / "cache"
    _cli([corpus], tmp_path / "out", cache)
    before = sorted(p.name for p in cache.iterdir())
    broken = BuildCache(cache, ResourceSpec(io.read_resource_files(io.RESOURCES)))
    broken.groups["themes"] = (pd.DataFrame({"mixed": [1, "a"]}, dtype=object), frozenset({"key"}))
    with pytest.raises(OSError, match="stage-themes.rows"):
        broken.save()
    assert sorted(p.name for p in cache.iterdir()) == before and sorted(p.name for p in tmp_path.iterdir()) == ["cache", "out"]


def test_a_changed_resource_reruns_only_its_stages_and_rebuilds_to_the_clean_build(corpus, tmp_path):
    from pipeline.cache import BuildCache

    resources = tmp_path / "resources"
    shutil.copytree(io.RESOURCES, resources)
    cache, out = tmp_path / "cache", tmp_path / "out"
    _cli([corpus], out, cache, resources)
    themes = resources / "themes.yaml"
    themes.write_text(themes.read_text(encoding="utf-8").replace("    strong: [", "    strong: [人民群众, ", 1), encoding="utf-8")
    spec = ResourceSpec(io.read_resource_files(resources))
    rebuild = BuildCache(cache, spec)
    res = spec.load()
    read = io.read_inputs([corpus], cache=rebuild)
    tables, _ = build(read.documents, res, corpus.name, engine=LocalEngine(res, rebuild))
    assert rebuild.stats["files_read"] == 0, rebuild.stats
    assert rebuild.stats["groups_computed"]["themes"] == rebuild.stats["groups_reused"]["places"] > 0, rebuild.stats
    assert sum(rebuild.stats["groups_computed"].values()) == rebuild.stats["groups_computed"]["themes"]
    _cli([corpus], tmp_path / "clean", resources=resources)
    assert_same_tables(tables, _tables(tmp_path / "clean"))
