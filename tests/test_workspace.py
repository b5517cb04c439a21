"""The app's per-session workspace: upload limits and dangerous archives, the build with progress,
re-scoring themes and re-segmenting from the stored articles, the YAML round trip, the tables zip,
and removal of the folders."""

import gc
import io
import json
import os
import stat
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from dashboard import workspace
from dashboard.workspace import UploadLimits, UploadRefused, Workspace
from pipeline.schema import TABLES, Col
from pipeline.themes import Taxonomy, TaxonomyError
from tests.conftest import RAW

UNREADABLE = ("scan.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))  # an image saved as .txt


def seeds(*prefixes: str) -> list[tuple[str, bytes]]:
    return [(path.name, path.read_bytes()) for p in prefixes for path in RAW.glob(f"{p}_*.txt")]


def zipped(members: list[tuple[str, bytes]], mode: int | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if mode is not None:
                info.external_attr = mode << 16
            archive.writestr(info, data)
    return out.getvalue()


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")}


# --- dangerous uploads ------------------------------------------------------------------------

def _archives(tmp_path: Path) -> dict[str, tuple[bytes, str]]:
    """name → (zip bytes, what the refusal says)."""
    seed = seeds("004")[0][1]
    return {
        "zip-slip": (zipped([("ok.txt", seed), ("../../escaped.txt", seed)]), "escapes its folder"),
        "absolute path": (zipped([(str(tmp_path / "absolute.txt"), seed)]), "escapes its folder"),
        "symbolic link": (zipped([("link.txt", b"/etc/passwd")], mode=stat.S_IFLNK | 0o777), "symbolic link"),
        "zip bomb": (zipped([("bomb.txt", b"0" * 20_000_000)]), "zip bomb"),
    }


@pytest.mark.parametrize("case", ["zip-slip", "absolute path", "symbolic link", "zip bomb"])
def test_dangerous_archives_are_refused_and_nothing_is_written_outside(tmp_path, case):
    data, says = _archives(tmp_path)[case]
    sessions = tmp_path / "sessions"
    ws = Workspace.create(sessions)
    before = files_under(tmp_path)
    with pytest.raises(UploadRefused, match=says):
        ws.build([("corpus.zip", data), seeds("004")[0]], UploadLimits())
    written = files_under(tmp_path) - before
    assert all(ws.folder in p.parents for p in written), written
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "absolute.txt").exists()
    assert not ws.has_tables() and not ws.inputs.exists()


def test_limits_refuse_big_uploads_many_files_and_archives_expanding_too_far(tmp_path):
    ws = Workspace.create(tmp_path)
    files = seeds("002", "003", "004")
    size = sum(len(d) for _, d in files)
    with pytest.raises(UploadRefused, match="more than the limit of"):
        ws.build(files, UploadLimits(max_upload_bytes=size - 1))
    with pytest.raises(UploadRefused, match="3 files"):
        ws.build(files, UploadLimits(max_files=2))
    archive = zipped(files)
    with pytest.raises(UploadRefused, match="archive holds 3 files"):  # counted per archive by pipeline.io too
        ws.build([("a.zip", archive)], UploadLimits(max_files=2))
    with pytest.raises(UploadRefused, match="expands to"):
        ws.build([("a.zip", archive)], UploadLimits(max_expanded_bytes=size - 1))
    assert not ws.has_tables()


@pytest.mark.parametrize("sent, saved", [
    ("report.txt", "report.txt"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("C:\\Users\\me\\news.zip", "news.zip"),
    ("..", "upload"),
    ("a\x1b[31mb.txt", "a_[31mb.txt"),
    ("长" * 100 + ".txt", "长" * 65 + ".txt"),  # 200 bytes of UTF-8 at most, extension kept
])
def test_saved_names_stay_inside_the_workspace(sent, saved):
    assert workspace.safe_name(sent) == saved


def test_limits_come_from_the_environment():
    limits = UploadLimits.from_env({"GOVLENS_UPLOAD_MAX_MB": "5", "GOVLENS_UPLOAD_MAX_FILES": "10",
                                    "GOVLENS_UPLOAD_MAX_EXPANDED_MB": "0.5"})
    assert (limits.max_upload_bytes, limits.max_files, limits.max_expanded_bytes) == (5_000_000, 10, 500_000)
    assert limits.archive_limits().max_archive_bytes == 500_000 and limits.archive_limits().max_archive_members == 10
    assert UploadLimits.from_env({}) == UploadLimits()
    with pytest.raises(ValueError, match="GOVLENS_UPLOAD_MAX_FILES"):
        UploadLimits.from_env({"GOVLENS_UPLOAD_MAX_FILES": "many"})


# --- build, edits, downloads --------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Three seed files and an unreadable one in a zip, plus a file of another format, built once."""
    ws = Workspace.create(tmp_path_factory.mktemp("sessions"))
    steps = []
    upload = [("corpus.zip", zipped([*(("news/" + n, d) for n, d in seeds("002", "003", "004")), UNREADABLE])),
              ("notes.docx", b"PK\x03\x04")]
    report = ws.build(upload, UploadLimits(), progress=lambda step, fraction, detail: steps.append((step, fraction)))
    return ws, report, steps


def test_build_reports_progress_per_stage_and_the_skipped_files(built):
    ws, report, steps = built
    names = list(dict.fromkeys(step for step, _ in steps))
    assert names == list(workspace.STEPS)
    fractions = [f for _, f in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert report["files_read"] == 3 and report["articles"] == 10
    assert {s["path"]: s["reason"] for s in report["skipped"]} == {
        "notes.docx": "not a readable format", "corpus.zip/scan.txt": "binary or undecodable content (no text encoding fits)"}
    assert report == json.loads((ws.tables / "report.json").read_text(encoding="utf-8"))
    assert not ws.inputs.exists() and (ws.tables / "articles.parquet").is_file()  # the uploads are gone
    places = pd.read_parquet(ws.tables / "places.parquet")
    assert {"上饶市", "通化市"} <= set(places.loc[places[Col.is_primary], Col.city])


def test_nothing_readable_writes_nothing(tmp_path):
    ws = Workspace.create(tmp_path)
    report = ws.build([UNREADABLE], UploadLimits())
    assert report["error"] and report["skipped"][0]["path"] == "scan.txt"
    assert not ws.has_tables()


def test_an_edited_taxonomy_rescores_the_stored_articles(built):
    ws, _, _ = built
    articles = pd.read_parquet(ws.tables / "articles.parquet")
    config = ws.taxonomy_config()
    education = next(th for th in config["themes"] if th["id"] == "education_health")
    assert "education_health" not in set(pd.read_parquet(ws.tables / "themes.parquet")[Col.theme])
    edited = workspace.put_theme(config, education | {"strong": [*education["strong"], "动物防疫"]},
                                 replace_id="education_health")
    result = ws.apply_taxonomy(edited)
    assert result["after"]["education_health"] == 1 and "education_health" not in result["before"]
    themes = pd.read_parquet(ws.tables / "themes.parquet")
    tagged = themes.loc[themes[Col.theme] == "education_health", Col.article_id]
    assert articles.set_index(Col.article_id).loc[tagged, Col.title].tolist() == ["吉林市开展春季动物防疫工作"]
    timeline = pd.read_parquet(ws.tables / "timeline.parquet")
    assert (timeline[Col.theme] == "education_health").sum() == 1
    pd.testing.assert_frame_equal(pd.read_parquet(ws.tables / "articles.parquet"), articles)
    assert ws.report()["taxonomy"] == edited and ws.taxonomy == edited

    with pytest.raises(TaxonomyError, match="'ecology' has no strong or supporting terms"):
        ws.apply_taxonomy(workspace.put_theme(edited, {"id": "ecology", "strong": [], "supporting": []}, replace_id="ecology"))
    with pytest.raises(TaxonomyError, match="appears twice"):
        workspace.put_theme(edited, {"id": "ecology", "strong": ["生态"]})
    pd.testing.assert_frame_equal(pd.read_parquet(ws.tables / "themes.parquet"), themes)
    ws.apply_taxonomy(workspace.bundled_taxonomy())


def test_user_words_change_the_keywords(built):
    ws, _, _ = built
    assert "动物防疫" not in set(pd.read_parquet(ws.tables / "terms.parquet")[Col.term])
    result = ws.apply_user_words("动物防疫 n\n# a comment\n")
    assert result["words"] == 1
    assert "动物防疫" in set(pd.read_parquet(ws.tables / "terms.parquet")[Col.term])
    assert "动物防疫" in set(pd.read_parquet(ws.tables / "keywords.parquet")[Col.term])
    with pytest.raises(ValueError, match="line 2"):
        ws.apply_user_words("动物防疫\n动物 防疫 五 n")
    ws.apply_user_words("")


def test_the_tables_download_as_parquet_and_csv(built):
    ws, _, _ = built
    archive = zipfile.ZipFile(io.BytesIO(workspace.tables_zip(ws.tables)))
    expected = {f"{kind}/{name}.{kind}" for name in TABLES for kind in ("parquet", "csv")}
    assert set(archive.namelist()) == expected | {"report.json"}
    themes = pd.read_csv(archive.open("csv/themes.csv"), encoding="utf-8-sig")
    assert isinstance(json.loads(themes[Col.matched_terms][0]), list)
    assert len(pd.read_parquet(io.BytesIO(archive.read("parquet/articles.parquet")))) == 10


# --- the theme file ------------------------------------------------------------------------------

def test_the_taxonomy_round_trips_through_the_pipelines_yaml():
    config = workspace.bundled_taxonomy()
    text = workspace.taxonomy_yaml(config)
    assert yaml.safe_load(text) == config
    assert workspace.load_taxonomy_yaml(text.encode()) == config
    Taxonomy.from_config(yaml.safe_load(text))


@pytest.mark.parametrize("data, says", [
    (b"themes: [", "not valid YAML"),
    (b"- just a list", "needs a `themes:` list"),
    (b"themes:\n  - id: a\n    strong: []\n", "'a' has no strong or supporting terms"),
    (b"a: &a [x, x, x]\nb: &b [*a, *a, *a]\nthemes: [{id: t, strong: *b}]", "aliases"),
    (b"\xff\xfe\x00", "not UTF-8"),
])
def test_a_bad_theme_file_is_refused_with_the_reason(data, says):
    with pytest.raises(TaxonomyError, match=says):
        workspace.load_taxonomy_yaml(data)


def test_terms_are_typed_one_per_line_or_separated():
    assert workspace.parse_terms("营商环境\n 放管服 ,一网通办、一网通办\n\n") == ["营商环境", "放管服", "一网通办"]


# --- removal ---------------------------------------------------------------------------------------

def test_idle_workspaces_are_swept(tmp_path):
    old, fresh, other = Workspace.create(tmp_path), Workspace.create(tmp_path), tmp_path / "not-a-session"
    other.mkdir()
    os.utime(old.folder, (time.time() - 7200, time.time() - 7200))
    assert workspace.sweep(tmp_path, max_age_s=3600) == [old.folder]
    assert not old.folder.exists() and fresh.folder.is_dir() and other.is_dir()
    assert old.removed and not fresh.removed


def test_workspaces_of_ended_sessions_are_swept_once_they_cannot_come_back(tmp_path):
    gone, connected, elsewhere = (Workspace.create(tmp_path, owner=name) for name in ("gone", "connected", "elsewhere"))
    (elsewhere.folder / workspace.OWNER_FILE).write_text("1 elsewhere")  # another server process's session
    ended = {"gone", "elsewhere"}.__contains__
    assert workspace.sweep(tmp_path, max_age_s=3600, ended=ended, grace_s=60) == []  # it may still reconnect
    assert workspace.sweep(tmp_path, max_age_s=3600, now=time.time() + 61, ended=ended, grace_s=60) == [gone.folder]
    assert connected.folder.is_dir() and elsewhere.folder.is_dir()


def test_a_workspace_goes_away_with_its_session(tmp_path, monkeypatch):
    monkeypatch.setenv(workspace.ROOT_ENV, str(tmp_path))
    state = {}
    folder = workspace.of_session(state).folder
    assert folder.is_dir() and workspace.of_session(state).folder == folder
    assert workspace.session_tables(state) is None  # no tables yet: the default folder is shown
    state.clear()  # Streamlit drops a session's state when the session ends
    gc.collect()
    assert not folder.exists()


def test_the_session_shows_its_tables_until_it_switches_back(built):
    ws, _, _ = built
    state = {workspace.SESSION_KEY: ws}
    assert workspace.session_tables(state) == ws.tables
    ws.active = False
    assert workspace.session_tables(state) is None
    ws.active = True


def test_a_theme_added_in_the_editor_shows_its_label_on_the_other_pages(built):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    ws, _, _ = built
    added = {"id": "animal_health", "label_zh": "畜牧兽医", "label_en": "Animal health", "strong": ["动物防疫"]}
    ws.apply_taxonomy(workspace.put_theme(ws.taxonomy_config(), added))
    try:
        for lang, label in (("zh", "畜牧兽医"), ("en", "Animal health")):
            at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
            at.session_state[workspace.SESSION_KEY] = ws
            at.query_params["lang"] = lang
            at.run()
            assert not at.exception, [e.value for e in at.exception]
            themes = next(m for m in at.sidebar.multiselect if m.key == "f_themes")
            assert label in themes.options and "animal_health" not in themes.options
    finally:
        ws.apply_taxonomy(workspace.bundled_taxonomy())
