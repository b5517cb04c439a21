"""The CLI end to end on the bundled sample, its report, exit codes and atomic output."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from pipeline import io
from pipeline.cli import EXIT_FAILED, EXIT_OK, EXIT_SKIPPED, main
from pipeline.schema import TABLES
from tests.conftest import RAW, ROOT, seed


def test_build_writes_every_table_with_its_columns(built_sample):
    out, code = built_sample
    assert code == EXIT_OK
    for name, table in TABLES.items():
        frame = io.read_table(out, name)
        assert list(frame.columns) == table.columns
    articles = io.read_table(out, "articles")
    assert len(articles) == 19  # 1 + 8 + 6 + 3 + 1 stories in the five files
    assert articles["article_id"].is_unique


def test_report_counts_files_and_durations(built_sample):
    out, _ = built_sample
    report = io.read_report(out)
    assert report["files_seen"] == 5 and report["files_read"] == 5 and report["files_skipped"] == 0
    assert report["articles"] == 19
    assert {"read", "split", "places", "themes", "keywords", "total"} <= set(report["durations_s"])
    assert all(entry["encoding"] == "utf-8" for entry in report["read"])


def test_ids_are_stable_across_builds(built_sample, tmp_path):
    out, _ = built_sample
    assert main(["build", str(RAW), "--out", str(tmp_path / "again"), "--quiet"]) == EXIT_OK
    first = io.read_table(out, "articles")["article_id"].tolist()
    assert io.read_table(tmp_path / "again", "articles")["article_id"].tolist() == first


def test_bad_files_are_skipped_with_reasons_and_the_rest_is_built(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes(next(RAW.glob("004_*")).read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "broken.json").write_text('{"title": "x",', encoding="utf-8")
    (folder / "front.md").write_text("---\ntitle: [x\n---\n正文", encoding="utf-8")
    code = main(["build", str(folder), "--out", str(tmp_path / "out"), "--quiet"])
    assert code == EXIT_SKIPPED
    report = io.read_report(tmp_path / "out")
    reasons = {s["path"]: s["reason"] for s in report["skipped"]}
    assert set(reasons) == {"empty.txt", "binary.txt", "broken.json", "front.md"}
    assert "empty" in reasons["empty.txt"] and "JSON" in reasons["broken.json"] and "YAML" in reasons["front.md"]
    assert len(io.read_table(tmp_path / "out", "articles")) == 1
    assert "skipped empty.txt: empty file" in capsys.readouterr().err


def test_failed_build_leaves_previous_tables_untouched(built_sample, tmp_path):
    out, _ = built_sample
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    empty = tmp_path / "nothing"
    empty.mkdir()
    (empty / "empty.txt").write_bytes(b"")
    assert main(["build", str(empty), "--out", str(out), "--quiet"]) == EXIT_FAILED
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_writing_is_all_or_nothing(built_sample, tmp_path):
    out, _ = built_sample
    target = tmp_path / "target"
    tables = {name: io.read_table(out, name) for name in TABLES}
    io.write_outputs(tables, {"ok": True}, target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    broken = dict(tables, places=tables["places"].drop(columns=["adcode"]))
    with pytest.raises(io.SchemaError):
        io.write_outputs(broken, {"ok": False}, target)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert not list(tmp_path.glob(".target.*"))


def test_help_documents_exit_status():
    result = subprocess.run([sys.executable, "-m", "pipeline", "build", "--help"], capture_output=True, text=True, cwd=ROOT, check=True)
    assert "exit status" in result.stdout and "--out" in result.stdout and "skipped" in result.stdout


def test_tables_round_trip_through_parquet(built_sample, tmp_path):
    out, _ = built_sample
    for name, table in TABLES.items():
        frame = io.read_table(out, name)
        arrow = table.to_arrow(frame)
        path = tmp_path / f"{name}.parquet"
        import pyarrow.parquet as pq

        pq.write_table(arrow, path)
        again = pq.read_table(path)
        table.check(again)
        assert again.equals(arrow)


def test_source_option_names_the_publisher_of_every_input(tmp_path):
    out = tmp_path / "out"
    assert main(["build", str(RAW), "--out", str(out), "--quiet", "--source", "人民网"]) == EXIT_OK
    assert set(io.read_table(out, "articles")["source"]) == {"人民日报"}  # canonical spelling from sources.yaml


def test_json_field_options_map_record_keys(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    records = [{"headline_cn": "谋势致远赢发展", "正文内容": seed("002")[:1500], "发稿": "2024-03-12"}]
    (folder / "items.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(folder), "--out", str(out), "--quiet", "--title-field", "headline_cn",
                 "--text-field", "正文内容", "--date-field", "发稿"]) == EXIT_OK
    [article] = io.read_table(out, "articles").to_dict("records")
    assert (article["title"], article["date"], article["date_origin"]) == ("谋势致远赢发展", "2024-03-12", "metadata")


def test_progress_goes_to_stderr_and_quiet_silences_it(tmp_path, capsys):
    assert main(["build", str(RAW), "--out", str(tmp_path / "a")]) == EXIT_OK
    err = capsys.readouterr().err
    assert "reading files: 5/5 (100%)" in err and "] dedupe (at " in err and "wrote " in err
    assert main(["build", str(RAW), "--out", str(tmp_path / "b"), "--quiet"]) == EXIT_OK
    assert capsys.readouterr().err == ""


def test_report_lists_files_without_an_article(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes(next(RAW.glob("004_*")).read_bytes())
    (folder / "picture.txt").write_text("\n广告\n\n", encoding="utf-8")
    assert main(["build", str(folder), "--out", str(tmp_path / "out"), "--quiet"]) == EXIT_OK
    assert io.read_report(tmp_path / "out")["without_article"] == ["picture.txt"]


def test_report_counts_stories_before_and_articles_after_dedupe(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    page = next(RAW.glob("001_*")).read_bytes()  # eight stories
    (folder / "a.txt").write_bytes(page)
    (folder / "b.txt").write_bytes(page)
    assert main(["build", str(folder), "--out", str(tmp_path / "out"), "--quiet", "--no-cache"]) == EXIT_OK
    report = io.read_report(tmp_path / "out")
    assert (report["stories"], report["articles"], report["duplicates_collapsed"]) == (16, 8, 8)
    assert report["without_article"] == []


def test_text_heavy_tables_are_written_in_row_groups_of_bounded_size(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    monkeypatch.setattr(io, "BYTES_PER_GROUP", 2**20)
    frame = pd.DataFrame({"doc_path": [f"{i}.txt" for i in range(3_000)], "format": "txt", "encoding": "utf-8",
                          "raw_text": ["营商环境" * 500] * 3_000})  # ~4 kB a row in memory: 1,000 rows a group
    io.write_table(frame, TABLES["documents"], tmp_path / "documents.parquet")
    written = pq.ParquetFile(tmp_path / "documents.parquet")
    assert written.metadata.num_row_groups == 3
    assert written.read().to_pandas()["raw_text"].tolist() == frame["raw_text"].tolist()
