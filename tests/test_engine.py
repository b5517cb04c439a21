"""Engines and the build cache: worker processes and a Dask cluster write the local engine's
tables; a cached rebuild writes a clean build's."""

import json
import os
import shutil

import numpy as np
import pandas as pd
import pytest

from pipeline import io
from pipeline.build import PIPELINE, build
from pipeline.cli import main
from pipeline.engine import MIN_ROWS_FOR_WORKERS, LocalEngine, ProcessEngine, ResourceSpec, Stage, batches, chunk_rows
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
        engine.min_rows = 1  # the fixture is smaller than what goes to workers by default
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
            engine.min_rows = 1
            tables, _ = build(documents, resources, "corpus", engine=engine)
    assert_same_tables(tables, local_tables)


def _pid_of_each_document(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"doc": frame["doc"], "pid": os.getpid()})


@pytest.mark.parametrize(("rows", "in_workers"), [(MIN_ROWS_FOR_WORKERS, True), (MIN_ROWS_FOR_WORKERS - 1, False)])
def test_only_batches_worth_sending_go_to_workers(resources, rows, in_workers):
    """A rebuild's few new pages cost less in this process than pickled to workers and back."""
    stage = Stage("pids", _pid_of_each_document, ("docs",), by="doc")
    docs = pd.DataFrame({"doc": [f"{i:04d}.txt" for i in range(rows)]})
    with ProcessEngine(resources, workers=2) as engine:
        pids = engine.run([stage], {"docs": docs}).tables["pids"]["pid"]
    assert len(pids) == rows
    assert set(pids != os.getpid()) == {in_workers}


def test_workers_fork_at_once_for_a_first_build_and_at_the_first_batch_sent_for_a_rebuild(corpus, tmp_path, resources):
    from pipeline.cache import BuildCache

    spec = ResourceSpec(io.read_resource_files())
    with ProcessEngine(resources, workers=2, cache=BuildCache(tmp_path / "cache", spec)) as engine:
        assert engine.pool is not None  # an empty cache: every page is to be computed
    _cli([corpus], tmp_path / "out", tmp_path / "cache")
    with ProcessEngine(resources, workers=2, cache=BuildCache(tmp_path / "cache", spec)) as engine:
        assert engine.pool is None
        engine.min_rows = 1
        engine.run([Stage("pids", _pid_of_each_document, ("docs",), by="doc")], {"docs": pd.DataFrame({"doc": ["a", "b"]})})
        assert engine.pool is not None


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
    assert order[:3] == [["documents"], ["split", "sketches"], ["dedupe"]]  # a story's sketch rides with its page
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


def _segments(cache) -> dict[str, list[int]]:
    return json.loads((cache / "manifest.json").read_text(encoding="utf-8"))["entries"]


@pytest.mark.parametrize(("left", "right", "same"), [
    (pd.Series(["吉林日报", None], dtype="str"), pd.Series(["吉林日报", None], dtype=object), True),  # a stage's dtype, or read back
    (pd.Series([None, None], dtype=object), pd.Series([float("nan"), pd.NA], dtype=object), True),
    (pd.Series([["a", "b"]], dtype=object), pd.Series([np.array(["a", "b"], dtype=object)], dtype=object), True),
    (pd.Series([["a", "b"]], dtype=object), pd.Series([["ab"]], dtype=object), False),
    (pd.Series([["ab"]], dtype=object), pd.Series(["ab"], dtype=object), False),
    (pd.Series([""], dtype=object), pd.Series([None], dtype=object), False),
    (pd.Series([1, 2], dtype="int32"), pd.Series([1, 2], dtype="int64"), True),
    (pd.Series([np.int64(1), 2.5], dtype=object), pd.Series([1, np.float64(2.5)], dtype=object), True),
])
def test_group_digests_see_values_not_how_a_table_holds_them(left, right, same):
    """A group read back from the cache must digest as it did when computed, or nothing is reused."""
    from pipeline.cache import _column_hashes

    assert (_column_hashes(left) == _column_hashes(right)).all() == same


@pytest.mark.parametrize("rows", [
    [0, 1, 2, 3, 4, 5, 6],  # everything, in order
    [3, 4, 0, 1, 5, 6],  # fresh rows (part 0) between cached ones, a stale one (2) dropped
    [6, 5, 4, 3, 2, 1, 0],  # reversed: every row a run of its own
    [],
])
@pytest.mark.parametrize("max_runs", [1_000, 2])  # runs joined, or one take past MAX_RUNS
def test_taking_rows_in_runs_gives_the_rows_a_take_gives(rows, max_runs, monkeypatch):
    from pipeline import cache

    monkeypatch.setattr(cache, "MAX_RUNS", max_runs)
    fresh = pd.DataFrame({"term": ["甲", "乙"], "n": [1, 2]}, dtype=object)
    stored = pd.DataFrame({"term": pd.array(["丙", "丁", "戊", "己", "庚"], dtype="str"), "n": [3, 4, 5, 6, 7]})
    expected = pd.concat([fresh, stored], ignore_index=True).iloc[rows].reset_index(drop=True)
    taken = cache._take_rows([fresh, stored], np.array(rows, dtype=np.int64))
    assert taken["term"].tolist() == expected["term"].tolist() and taken["n"].tolist() == expected["n"].tolist()
    assert list(taken.index) == list(range(len(rows)))


def test_the_files_entry_stores_a_body_equal_to_the_raw_text_once(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipeline.cache import _files_from_frames, _files_to_frames, _read_frame
    from pipeline.formats import Document

    text = "长春市推行一网通办。"
    files = {"a.txt": ("1:2:f", [Document("a.txt", "txt", "utf-8", text, text)]),
             "b.html": ("3:4:f", [Document("b.html", "html", "utf-8", f"<p>{text}</p>", text, {"title": "标题"})])}
    frames = _files_to_frames(files)
    assert frames["documents"]["body"].tolist() == [None, text]
    for part, frame in frames.items():
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp_path / part)
    back = _files_from_frames({part: _read_frame(tmp_path / part) for part in frames})
    assert back == files
    assert back["a.txt"][1][0].body is back["a.txt"][1][0].raw_text  # one string, as when read from the file


def test_a_rebuild_writes_only_what_it_read_or_computed_as_a_new_segment(corpus, tmp_path):
    inputs, cache = tmp_path / "in", tmp_path / "cache"
    shutil.copytree(corpus, inputs)
    _cli([inputs], tmp_path / "out", cache)
    first = {p.name: p.stat().st_ino for p in cache.glob("*.parquet")}
    (inputs / "seeds" / "added.txt").write_text("人民网长春5月6日电 长春市朝阳区政务服务中心推行一网通办，群众办事更加便利。" * 3, encoding="utf-8")
    _cli([inputs], tmp_path / "out", cache)
    segments = _segments(cache)
    assert segments["files"] == [0, 1] and segments["stage-split"] == [0, 1] and segments["stage-themes"] == [0, 1]
    assert {p.name: p.stat().st_ino for p in cache.glob("*.0.*.parquet")} == first  # kept as they were (linked)
    added = pd.read_parquet(cache / "files.1.files.parquet")
    assert added["file"].tolist() == ["seeds/added.txt"]
    _cli([inputs], tmp_path / "again", cache)  # nothing new: no new segment
    assert _segments(cache) == segments


def test_an_entry_is_compacted_once_a_quarter_of_it_is_stale_and_still_rebuilds_to_the_clean_build(corpus, tmp_path):
    inputs, cache = tmp_path / "in", tmp_path / "cache"
    shutil.copytree(corpus, inputs)
    _cli([inputs], tmp_path / "out", cache)
    files = sorted(p for p in inputs.rglob("*") if p.is_file())
    for path in files[: len(files) // 2]:  # half the files gone: more than a quarter of each entry stale
        path.unlink()
    (inputs / "added.txt").write_text("长春市推行一网通办，群众办事更加便利。" * 5, encoding="utf-8")
    _cli([inputs], tmp_path / "out", cache)
    assert _segments(cache)["files"] == [0]
    assert len(pd.read_parquet(cache / "files.0.files.parquet")) == len(files) - len(files) // 2 + 1
    _cli([inputs], tmp_path / "clean")
    _assert_same_build(tmp_path / "out", tmp_path / "clean")


def test_the_cache_is_parquet_and_a_damaged_entry_is_recomputed(corpus, tmp_path):
    cache, out = tmp_path / "cache", tmp_path / "out"
    _cli([corpus], out, cache)
    names = sorted(p.name for p in cache.iterdir())
    assert "manifest.json" in names and "stage-themes.0.rows.parquet" in names
    assert all(n.endswith(".parquet") for n in names if n != "manifest.json"), names
    (cache / "stage-themes.0.rows.parquet").write_bytes(b"not parquet")
    (cache / "files.0.documents.parquet").write_bytes(b"")
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
    with pytest.raises(OSError, match="stage-themes.0.rows"):
        broken.save()
    assert sorted(p.name for p in cache.iterdir()) == before and sorted(p.name for p in tmp_path.iterdir()) == ["cache", "out"]


EDITS = {  # resource file → (an edit that changes results, the stages it re-runs)
    "themes.yaml": (lambda text: text.replace("    strong: [", "    strong: [人民群众, ", 1), {"themes"}),
    # split reads the boilerplate; the sketches of the stories it splits are computed again with it
    "boilerplate.yaml": (lambda text: text.replace("furniture:\n", "furniture:\n  - '^本版责编'\n", 1), {"split", "sketches"}),
}


@pytest.mark.parametrize("edited", EDITS)
def test_a_changed_resource_reruns_only_its_stages_and_rebuilds_to_the_clean_build(corpus, tmp_path, edited):
    from pipeline.cache import BuildCache

    resources = tmp_path / "resources"
    shutil.copytree(io.RESOURCES, resources)
    cache, out = tmp_path / "cache", tmp_path / "out"
    _cli([corpus], out, cache, resources)
    edit, stages = EDITS[edited]
    path = resources / edited
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    spec = ResourceSpec(io.read_resource_files(resources))
    rebuild = BuildCache(cache, spec)
    res = spec.load()
    read = io.read_inputs([corpus], cache=rebuild)
    tables, _ = build(read.documents, res, corpus.name, engine=LocalEngine(res, rebuild))
    computed = rebuild.stats["groups_computed"]
    assert rebuild.stats["files_read"] == 0, rebuild.stats
    assert {stage for stage, n in computed.items() if n} == stages, rebuild.stats
    assert all(computed[stage] == rebuild.stats["groups_reused"][stage] + computed[stage] > 0 for stage in stages), rebuild.stats
    _cli([corpus], tmp_path / "clean", resources=resources)
    assert_same_tables(tables, _tables(tmp_path / "clean"))