"""The build on the bad-input corpus of scripts/make_bad_corpus.py: every bad file is reported
with its reason, every good file is kept, and no file crashes the build.

The corpus is generated at CI size (1,000 tiny files, a 5 MB line); GOVLENS_FULL_BAD_CORPUS=1
generates the full one (10,000 files, a 50 MB line, a 2 GB zip bomb, 100,000-character
sentences). Builds of hostile files run in a child process capped at 2 GiB of address space, so
a bomb fails the test instead of exhausting the machine. The summary (cases, crashes, files
lost) goes to test-output/ and docs/reliability.md.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from pipeline import io
from pipeline.cli import EXIT_FAILED, EXIT_OK, EXIT_SKIPPED, EXIT_USAGE, main
from scripts import make_bad_corpus as corpus_maker
from tests.conftest import OUTPUT, RAW, ROOT


FULL = os.environ.get("GOVLENS_FULL_BAD_CORPUS") == "1"
SIZES = corpus_maker.Sizes.full() if FULL else corpus_maker.Sizes()
MEMORY_LIMIT = 2 * 2**30  # a normal build of the CI corpus peaks under 0.5 GB resident
BUILD_TIMEOUT = 3600 if FULL else 600  # a bound on hangs, not a performance target
ISOLATED = {"yaml_alias_bomb"}  # cases that may exhaust memory: built in a capped child process
# Characters that must not survive into stored titles and texts: they hide or reorder what a
# reader sees (zero-width, bidi overrides and isolates, BOM).
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def build_isolated(inputs: list[Path], out: Path) -> tuple[int | None, str]:
    """Run the CLI build in a capped child: (exit code, or None when it hung; stderr)."""
    try:
        proc = subprocess.run([sys.executable, "-m", "pipeline", "build", *map(str, inputs), "--out", str(out), "--quiet"],
                              cwd=ROOT, capture_output=True, encoding="utf-8", errors="replace",
                              timeout=BUILD_TIMEOUT, preexec_fn=_cap_memory)
    except subprocess.TimeoutExpired as exc:
        return None, f"no end after {BUILD_TIMEOUT} s\n{exc.stderr or ''}"
    return proc.returncode, proc.stderr


def crash_of(code: int | None, stderr: str) -> str | None:
    """Why a build counts as a crash (traceback, kill, hang, an exit status the CLI does not
    document), or None."""
    if code is None:
        return stderr.splitlines()[0]
    if "Traceback (most recent call last)" in stderr:
        return stderr.strip().splitlines()[-1]
    if code not in (EXIT_OK, EXIT_SKIPPED, EXIT_FAILED):
        return f"exit status {code}"
    return None


def unmet(expects: list, report: dict) -> list[str]:
    """The expectations the report contradicts, one message each."""
    read = {entry["path"] for entry in report["read"]}
    skipped = {entry["path"]: entry["reason"] for entry in report["skipped"]}
    problems = []
    for expect in expects:
        if expect.path in read:
            if expect.outcome == "skipped":
                problems.append(f"{expect.path!r}: read, expected skipped /{expect.reason}/")
        elif expect.path in skipped:
            if expect.outcome == "read":
                problems.append(f"{expect.path!r}: LOST, skipped ({skipped[expect.path]})")
            elif expect.outcome == "skipped" and not re.search(expect.reason, skipped[expect.path], re.I):
                problems.append(f"{expect.path!r}: reason {skipped[expect.path]!r} does not match /{expect.reason}/")
        else:
            problems.append(f"{expect.path!r}: neither read nor reported{' (LOST)' if expect.outcome == 'read' else ''}")
    return problems


def lost(expects: list, report: dict | None) -> list[str]:
    """Paths of good files the build did not read (all of them when it crashed)."""
    read = {entry["path"] for entry in report["read"]} if report else set()
    return [e.path for e in expects if e.outcome == "read" and e.path not in read]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad") / "corpus"
    return folder, corpus_maker.make(folder, SIZES)


@pytest.fixture(scope="module")
def corpus_build(corpus, tmp_path_factory):
    """The whole corpus built by the CLI in a capped child: (exit code, stderr, report or None)."""
    folder, expects = corpus
    out = tmp_path_factory.mktemp("bad-out") / "tables"
    started = time.perf_counter()
    code, stderr = build_isolated([folder], out)
    report = io.read_report(out) if (out / "report.json").is_file() else None
    crash = crash_of(code, stderr)
    summary = {
        "corpus": "full" if FULL else "ci",
        "cases": len(corpus_maker.CASES),
        "files": len(expects),
        "expected_read": sum(e.outcome == "read" for e in expects),
        "expected_skipped": sum(e.outcome == "skipped" for e in expects),
        "crashes": int(crash is not None),
        "crash": crash,
        "files_lost": len(lost(expects, report)),
        "unmet": unmet(expects, report) if report else None,
        "exit_status": code,
        "seconds": round(time.perf_counter() - started, 1),
        "report": {k: report[k] for k in ("files_seen", "files_read", "files_skipped", "articles")} if report else None,
    }
    (OUTPUT / "bad_input").mkdir(parents=True, exist_ok=True)
    (OUTPUT / "bad_input" / f"summary-{summary['corpus']}.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return code, stderr, report


def test_the_whole_corpus_builds_without_crash_or_loss(corpus, corpus_build):
    _, expects = corpus
    code, stderr, report = corpus_build
    assert crash_of(code, stderr) is None, f"the build crashed: {crash_of(code, stderr)}"
    assert code == EXIT_SKIPPED
    assert not lost(expects, report), f"good files lost: {lost(expects, report)[:20]}"
    assert not unmet(expects, report), "\n".join(unmet(expects, report))
    assert report["files_read"] + report["files_skipped"] == report["files_seen"]


def test_every_skipped_file_is_listed_with_its_reason_on_stderr(corpus_build):
    code, stderr, report = corpus_build
    assert report is not None, f"the build crashed: {crash_of(code, stderr)}"
    for entry in report["skipped"]:
        assert entry["reason"].strip()
        assert f"skipped {entry['path']}: {entry['reason']}" in stderr


def build_case(case: str, folder: Path) -> tuple[Path, list]:
    """Build one case of the corpus beside a good file (in a capped child process when it may
    exhaust memory, else in this one): (the tables folder, the case's expectations)."""
    source, out = folder / "in", folder / "out"
    expects = corpus_maker.make(source, SIZES, [case])
    (source / "good.txt").write_bytes(next(RAW.glob("004_*")).read_bytes())
    if case in ISOLATED:
        code, stderr = build_isolated([source], out)
        assert crash_of(code, stderr) is None, f"{case}: {crash_of(code, stderr)}"
    else:
        code = main(["build", str(source), "--out", str(out), "--quiet"])
    assert code in (EXIT_OK, EXIT_SKIPPED)
    return out, expects


def assert_clean_text(tables: Path) -> None:
    """Stored titles and texts hold no invisible characters and no control characters."""
    articles = io.read_table(tables, "articles")
    for column in ("title", "text"):
        bad = articles[articles[column].str.contains(INVISIBLE) | articles[column].str.contains(r"[\x00-\x08\x0b-\x1f\x7f]")]
        assert bad.empty, f"{column} of {bad['doc_path'].tolist()}: {bad[column].str[:60].tolist()}"


def test_legacy_encodings_are_detected_and_decoded(tmp_path):
    documents = io.read_table(build_case("legacy_encodings", tmp_path)[0], "documents").set_index("doc_path")
    encodings = documents["encoding"].str.replace("-", "_")
    assert encodings[["encodings/gb18030.txt", "encodings/big5.txt", "encodings/utf16le_no_bom.txt",
                      "encodings/utf16be_no_bom.txt"]].tolist() == ["gb18030", "big5", "utf_16_le", "utf_16_be"]
    assert corpus_maker.TRADITIONAL.strip() in documents.loc["encodings/big5.txt", "raw_text"]
    seed = next(RAW.glob("001_*")).read_text(encoding="utf-8")
    for path in ("encodings/gb18030.txt", "encodings/utf16le_no_bom.txt", "encodings/utf16be_no_bom.txt"):
        assert documents.loc[path, "raw_text"] == seed


def test_hostile_markup_is_stored_as_text(tmp_path):
    articles = io.read_table(build_case("hostile_text", tmp_path)[0], "articles").set_index("doc_path")
    assert articles.loc["hostile/front_0.md", "title"] == corpus_maker.HOSTILE_TITLES[0]
    assert articles.loc["hostile/front_0.md", "source"] == corpus_maker.HOSTILE_TITLES[0]


def test_invisible_characters_are_removed_from_stored_text(tmp_path):
    tables, _ = build_case("invisible_characters", tmp_path)
    stored = set(io.read_table(tables, "articles")["doc_path"])
    assert {"invisible/zero_width.txt", "invisible/right_to_left.txt", "invisible/control_chars.txt",
            "invisible/rtl_title.md"} <= stored  # each is an article of its own, so each is checked
    assert_clean_text(tables)


CASES_ALONE = [name for name in corpus_maker.CASES if name not in ("good_seeds", "tiny_files")]


@pytest.mark.parametrize("case", CASES_ALONE)
def test_each_case_alone(case, tmp_path):
    """One case beside a good file: pinpoints which case crashes or loses files."""
    out, expects = build_case(case, tmp_path)
    report = io.read_report(out)
    assert "good.txt" in {entry["path"] for entry in report["read"]}
    assert not unmet(expects, report), "\n".join(unmet(expects, report))
    io.read_table(out, "articles")  # the tables read back against their schema


def test_archive_members_obey_the_file_size_limit(tmp_path):
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("small.txt", next(RAW.glob("004_*")).read_text(encoding="utf-8"))
        z.writestr("large.txt", "".join(chr(0x4E00 + (i * 7919) % 20_000) for i in range(50_000)))  # barely compressible
    result = io.read_inputs([archive], limits=io.Limits(max_file_bytes=100_000))
    assert [entry["path"] for entry in result.read] == ["big.zip/small.txt"]
    assert [(s["path"], "exceeds the limit" in s["reason"]) for s in result.skipped] == [("big.zip/large.txt", True)]


def test_an_output_folder_holding_other_files_is_refused(tmp_path):
    """`--out` naming the input folder (or any folder of the user's files) must not delete it."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for path in RAW.glob("*.txt"):
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "notes.md").write_text("我的笔记", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert main(["build", str(folder), "--out", str(folder), "--quiet"]) == EXIT_USAGE
    assert main(["build", str(folder), "--out", str(folder / "notes.md"), "--quiet"]) == EXIT_USAGE
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
