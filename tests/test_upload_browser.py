"""Bring your own corpus in a real browser (Debian's chromium through Playwright): upload a zip of
real files with an unreadable one, watch the build's progress, find the skipped file in the report
and the new cities in the charts, edit a theme term and see the chart change; the session's
temporary folder goes when the session ends."""

import io
import os
import time
import zipfile
from dataclasses import dataclass
import pytest

from tests.conftest import RAW, SHARED
from tests.test_browser import app_url, browser, context, new_page, tables, wait_for_app  # noqa: F401 (fixtures new_page and app_url need)

pytestmark = pytest.mark.browser
UNREADABLE = ("scan.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))


@dataclass(frozen=True)
class Scenario:
    files: list[tuple[str, bytes]]  # zip member name, content
    cities: set[str]  # primary cities of the files, none of them in the bundled sample
    theme: str  # a theme none of the files carries…
    label: str
    term: str  # …until this term, in one of the titles, becomes one of its strong terms
    absent: str  # a subject city of the bundled sample that none of the files names


def scenario() -> Scenario:
    """Four People's Daily files from the shared corpus; the seeds when it is absent."""
    governance = SHARED / "rmrb-governance"
    if governance.is_dir():
        names = ["20190202/20190202-07-03.txt", "20190207/20190207-02-05.txt", "20190211/20190211-13-01.txt",
                 "20190212/20190212-19-01.txt"]
        return Scenario([(f"rmrb-governance/{n}", (governance / n).read_bytes()) for n in names],
                        {"西安市", "杭州市", "马鞍山市", "安阳市"}, "community_services", "社区服务", "家门口", "长春市")
    files = [(f"seeds/{p.name}", p.read_bytes()) for prefix in ("002", "003", "004") for p in RAW.glob(f"{prefix}_*.txt")]
    return Scenario(files, {"上饶市", "通化市"}, "education_health", "教育医疗", "动物防疫", "白山市")


@pytest.fixture(scope="module", autouse=True)
def sessions(tmp_path_factory):
    """The app's sessions root, set before the module's app starts; disconnected sessions are
    dropped after a second instead of two minutes."""
    root = tmp_path_factory.mktemp("sessions")
    saved = {k: os.environ.get(k) for k in ("GOVLENS_SESSIONS", "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL")}
    os.environ.update({"GOVLENS_SESSIONS": str(root), "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": "1"})
    yield root
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def chart_text(page, key: str) -> str:
    return page.locator(f".st-key-{key} .js-plotly-plot").inner_text()


WATCH_PROGRESS = """() => {
  window.progressSeen = [];
  new MutationObserver(() => {
    for (const bar of document.querySelectorAll("[data-testid='stProgress']")) {
      const text = bar.innerText.trim();
      if (text && window.progressSeen.at(-1) !== text) window.progressSeen.push(text);
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
}"""


def test_upload_build_and_edit_themes(app_url, new_page, sessions, output_dir):  # noqa: F811
    case = scenario()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in [*case.files, UNREADABLE]:
            z.writestr(name, data)
    page = new_page()
    page.goto(f"{app_url}/upload")
    wait_for_app(page)

    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": "corpus.zip", "mimeType": "application/zip", "buffer": archive.getvalue()}])
    build = page.locator(".st-key-upload-build button")
    build.and_(page.locator(":enabled")).wait_for(timeout=30_000)
    page.evaluate(WATCH_PROGRESS)
    build.click()
    page.get_by_test_id("stMetric").first.wait_for(timeout=60_000)
    wait_for_app(page)
    seen = page.evaluate("window.progressSeen")
    assert len(seen) >= 3 and any("读取文件" in s for s in seen), seen  # the bar went through the steps
    metrics = page.get_by_test_id("stMetric").all_inner_texts()
    assert metrics[0].split()[-1] == str(len(case.files)) and metrics[1].split()[-1] == "1", metrics  # read, skipped
    assert "corpus.zip/scan.txt" in page.locator(".st-key-upload-skipped").text_content()
    page.screenshot(path=str(output_dir / "report.png"), full_page=True)
    workspaces = [p for p in sessions.iterdir() if p.name.startswith("session-")]
    assert len(workspaces) == 1 and (workspaces[0] / "tables" / "articles.parquet").is_file()

    page.locator("[data-testid='stSidebarNav'] a").filter(has_text="总览").click()  # the default page: its link is the root
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=60_000)
    wait_for_app(page)
    assert case.cities <= set(chart_text(page, "chart-top-cities").split()), chart_text(page, "chart-top-cities")
    assert case.absent not in chart_text(page, "chart-theme-city")  # the bundled sample is gone from this session

    page.locator("[data-testid='stSidebarNav'] a[href$='/themes_editor']").click()
    page.wait_for_selector(".st-key-chart-editor-themes .js-plotly-plot", timeout=60_000)
    wait_for_app(page)
    assert case.label not in chart_text(page, "chart-editor-themes")
    page.locator(".st-key-editor-theme").click()
    page.get_by_role("option", name=f"{case.label} ({case.theme})").click()
    wait_for_app(page)
    strong = page.locator(f".st-key-editor-strong-{case.theme}-0 textarea")
    strong.fill(strong.input_value() + "\n" + case.term)
    page.locator(f"[data-testid='stForm']:has(.st-key-editor-strong-{case.theme}-0)").get_by_role("button", name="应用").click()
    page.get_by_test_id("stAlertContentSuccess").wait_for(timeout=60_000)
    wait_for_app(page)
    assert case.label in chart_text(page, "chart-editor-themes")
    page.screenshot(path=str(output_dir / "editor.png"), full_page=True)

    page.close()  # the session ends: its folder goes at a sweep once it can no longer reconnect
    other = new_page()
    deadline = time.monotonic() + 40
    while workspaces[0].exists() and time.monotonic() < deadline:
        other.goto(f"{app_url}/upload")  # every page run may sweep (at most every few seconds)
        wait_for_app(other)
        time.sleep(1)
    assert not workspaces[0].exists()
