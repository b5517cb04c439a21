"""Downloads from the running app in a real browser: each format of the overview's theme × city
heatmap, and the page's "export all" zip, checked file by file. (Playwright drives Debian's
chromium; the images come from the app's own Chromium, through kaleido.)"""

import io
import json
import zipfile

import pytest

from dashboard import export
from tests.appserver import launch_chromium, serve, wait_for_app
from tests.test_export import check_pdf, check_png, check_svg

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(export.chromium_path() is None, reason=f"image export: {export.missing_chromium_reason()}")]

VIEW = "?city=长春市"
CHART = "theme-city"  # the overview's heatmap


@pytest.fixture(scope="module")
def overview():
    from playwright.sync_api import sync_playwright

    with serve() as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.goto(f"{server.url}/{VIEW}")
        wait_for_app(page)
        page.wait_for_selector(f".st-key-downloads-{CHART} button", timeout=60_000)
        yield page
        browser.close()
        assert not server.errors()


def download(page, key: str, output_dir) -> tuple[str, bytes]:
    """Click the download button with Streamlit key `key`; the saved file's name and content."""
    # The first image export launches the app's Chromium: allow for that. (Streamlit also draws
    # a hidden copy of each button to measure it; the accessible one is the real button.)
    with page.expect_download(timeout=90_000) as info:
        page.locator(f".st-key-{key}").get_by_role("button").click()
    saved = output_dir / info.value.suggested_filename
    info.value.save_as(saved)
    return info.value.suggested_filename, saved.read_bytes()


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf", "csv"])
def test_each_format_of_a_chart_downloads(overview, fmt, output_dir):
    name, data = download(overview, f"download-{CHART}-{fmt}", output_dir)
    assert name == f"{CHART}.{fmt}"
    if fmt == "png":
        assert check_png(data).width >= export.DEFAULT_WIDTH * export.PNG_SCALE
    elif fmt == "svg":
        check_svg(data, "长春市")
    elif fmt == "pdf":
        check_pdf(data)
    else:
        assert data.startswith("\ufeff".encode()) and "长春市" in data.decode("utf-8-sig")


def test_export_all_downloads_the_zip_of_the_view(overview, output_dir):
    name, data = download(overview, "export-all", output_dir)
    assert name.startswith("govlens-overview-") and name.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    manifest = json.loads(archive.read("filters.json"))
    assert manifest["page"] == "overview" and manifest["filters"]["cities"] == ["长春市"]
    listed = {file for chart in manifest["charts"] for file in chart["files"]}
    assert set(archive.namelist()) == listed | {"filters.json", "README.txt"}
    assert {f"{CHART}.png", f"{CHART}.svg", f"{CHART}.csv"} <= listed
    for file in sorted(listed):
        content = archive.read(file)
        if file.endswith(".png"):
            check_png(content)
        elif file.endswith(".svg"):
            check_svg(content, "")
        else:
            assert content.startswith("\ufeff".encode())
    readme = archive.read("README.txt").decode("utf-8")
    assert all(file in readme for file in listed)
