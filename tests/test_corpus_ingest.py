"""Ingest on the shared corpora (skipped when ../shared is absent): the labelled People's Daily
files, a slice of the Xinwen Lianbo JSON, and a People's Daily crawl duplicate group."""

import json
import shutil
from pathlib import Path

import pytest

from pipeline import io
from pipeline.cli import EXIT_OK, main
from tests.conftest import ROOT

pytestmark = pytest.mark.corpus

LABELS = ROOT / "benchmarks" / "eval" / "labels.jsonl"


def _copy(corpus: Path, folder: str, paths: list[str], into: Path) -> Path:
    """Copy some files of a corpus folder into `into/<folder>` (the folder name maps the publisher)."""
    root = into / folder
    for path in paths:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus / folder / path, root / path)
    return root


@pytest.fixture(scope="module")
def governance(shared_corpus, tmp_path_factory):
    """The 70 labelled rmrb-governance files, built by the CLI: (labels, articles, report)."""
    labels = [r for r in map(json.loads, LABELS.read_text(encoding="utf-8").splitlines()) if r["corpus"] == "rmrb-governance"]
    work = tmp_path_factory.mktemp("governance")
    root = _copy(shared_corpus, "rmrb-governance", [r["doc_path"] for r in labels], work)
    assert main(["build", str(root), "--out", str(work / "out"), "--quiet"]) == EXIT_OK
    return labels, io.read_table(work / "out", "articles"), io.read_report(work / "out")


def test_every_labelled_file_is_read_as_utf8(governance):
    labels, _, report = governance
    assert report["files_read"] == len(labels) == 70 and report["files_skipped"] == 0
    assert {entry["encoding"] for entry in report["read"]} == {"utf-8"}


def test_titles_dates_and_sources_match_the_labels(governance):
    labels, articles, _ = governance
    by_path = {row["doc_path"]: row for row in articles.to_dict("records")}
    by_copy = {path: row for row in by_path.values() for path in row["copy_paths"]}
    merged = [label for label in labels if label["doc_path"] not in by_path]
    assert [label["title"] for label in merged] == ["李克强作的政府工作报告（摘登）"]  # a partial copy of the full report
    for label in labels:
        article = by_path.get(label["doc_path"]) or by_copy[label["doc_path"]]
        assert article["title"] == label["title"] or label in merged
        assert (article["date_precision"], article["date_origin"]) == ("day", "path")
        if article["n_copies"] == 1:
            assert article["date"] == label["date"]
        else:  # a collapsed group is dated by its first publication
            assert article["date"] <= label["date"]
        assert article["source"] == label["source"] == "人民日报"


def test_headline_parts_are_taken_by_position(governance):
    _, articles, _ = governance
    row = articles.set_index("doc_path").loc["20190201/20190201-04-02.txt"]
    assert (row["kicker"], row["title"]) == ("天津基层党建述职评议会勇于揭短亮丑——", "就是要让水流到地头")
    assert row["text"].startswith("天津基层党建述职评议会勇于揭短亮丑——\n\n")


def test_xwlb_json_records(shared_corpus, tmp_path):
    names = sorted(p.name for p in (shared_corpus / "xwlb").glob("*.json"))[:20]
    root = _copy(shared_corpus, "xwlb", names, tmp_path)
    assert main(["build", str(root), "--out", str(tmp_path / "out"), "--quiet"]) == EXIT_OK
    articles = io.read_table(tmp_path / "out", "articles")
    records = {name: json.loads((root / name).read_text(encoding="utf-8")) for name in names}
    assert len(articles) + int((articles["n_copies"] - 1).sum()) == len(names)
    for row in articles.to_dict("records"):
        record = records[row["doc_path"]]
        assert (row["title"], row["date"], row["date_origin"]) == (record["title"], record["date"], "metadata")
        assert (row["source"], row["url"]) == ("新闻联播", record["sourceUrl"])


def test_continuation_pages_of_the_people_s_daily_crawl_collapse(shared_corpus, tmp_path):
    day = "2019-02/20190219"
    pages = [f"{day}/20190219-{page}.txt" for page in ("01-02", "13-01", "14-01", "15-01", "01-04", "07-04", "01-01")]
    root = _copy(shared_corpus, "rmrb", pages, tmp_path)
    assert main(["build", str(root), "--out", str(tmp_path / "out"), "--quiet"]) == EXIT_OK
    articles = io.read_table(tmp_path / "out", "articles").set_index("doc_path")
    assert articles.loc[pages[0], "n_copies"] == 4 and list(articles.loc[pages[0], "copy_paths"]) == pages[:4]
    assert articles.loc[pages[4], "n_copies"] == 2 and list(articles.loc[pages[4], "copy_paths"]) == pages[4:6]
    assert articles.loc[pages[6], "n_copies"] == 1
