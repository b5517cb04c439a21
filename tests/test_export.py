"""Chart export on the bundled sample: every format decodes, Chinese renders as glyphs, the view zip
holds what its README says, the command line writes every page's charts, and without Chromium the
data still exports with a clear message. Rendering needs Debian's chromium (skipped without it)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
import zlib

import pandas as pd
import plotly.graph_objects as go
import pytest
from PIL import Image, ImageChops
from streamlit.testing.v1 import AppTest

from dashboard import charts, export, queries
from dashboard.i18n import theme_labels
from dashboard.state import Filters
from pipeline.schema import Col
from tests.conftest import PROCESSED, ROOT

FOLDER = str(PROCESSED.resolve())
CJK_FAMILY = charts.CJK_FONT.split(",")[0].strip()
needs_chromium = pytest.mark.skipif(export.chromium_path() is None, reason=f"image export: {export.missing_chromium_reason()}")


# --- checks shared with tests/test_export_browser.py -------------------------------------------

def check_png(data: bytes) -> Image.Image:
    """A PNG that decodes and is not blank (a real chart has many colours)."""
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    image.load()
    colours = image.convert("RGB").getcolors(maxcolors=4096)
    assert colours is None or len(colours) > 20, f"PNG looks blank: {len(colours)} colours"
    return image


def check_svg(data: bytes, text: str) -> ET.Element:
    """An SVG that parses, shows `text` as characters and sets it in the CJK font."""
    root = ET.fromstring(data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = "".join("".join(node.itertext()) for node in root.iter("{http://www.w3.org/2000/svg}text"))
    assert text in texts
    assert CJK_FAMILY in data.decode("utf-8")
    return root


def check_pdf(data: bytes) -> None:
    """A PDF whose cross-reference table points at its objects, with a page, and whose text is set
    in the embedded CJK font (font name and a ToUnicode map to CJK characters)."""
    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
    startxref = int(re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data).group(1))
    section = re.match(rb"xref\s+(\d+) (\d+)\s+", data[startxref:])
    assert section, "startxref does not point at an xref table"
    first, count = int(section.group(1)), int(section.group(2))
    entries = re.findall(rb"(\d{10}) (\d{5}) ([nf])", data[startxref:])[:count]
    assert len(entries) == count
    for number, (offset, generation, kind) in enumerate(entries, start=first):
        if kind == b"n":
            assert re.match(rb"%d %d obj" % (number, int(generation)), data[int(offset):]), f"object {number} not at its offset"
    assert re.search(rb"/Type /Page\b", data)
    assert any(b"NotoSansCJK" in name for name in re.findall(rb"/FontName /(\S+)", data))
    mapped = set()
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            text = zlib.decompress(stream)
        except zlib.error:
            continue
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
            mapped |= {int(code, 16) for code in re.findall(rb"<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]{4})>", block)}
    assert sum(0x2E80 <= c <= 0x9FFF for c in mapped) >= 3, "no CJK characters mapped in the PDF's fonts"


def check_csv(data: bytes, expected: pd.DataFrame) -> pd.DataFrame:
    assert data.startswith("\ufeff".encode()), "CSV lacks the UTF-8 byte-order mark Excel needs"
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(frame.columns) == list(expected.columns) and len(frame) == len(expected)
    return frame


# --- fixtures: real charts of the sample ---------------------------------------------------------

@pytest.fixture(scope="module")
def heatmap() -> export.Chart:
    counts = queries.theme_city_counts(FOLDER, Filters())
    fig = charts.theme_city_heatmap(counts, theme_labels("zh"), False,
                                    {"title": "各城市的主题分布", "x": "城市", "y": "主题", "hover": "文章"})
    return export.Chart("heatmap", fig, counts)


@pytest.fixture(scope="module")
def timeline() -> export.Chart:
    counts = queries.monthly_theme_counts(FOLDER, Filters())
    fig = charts.monthly_theme_bars(counts, theme_labels("zh"), {"title": "各主题每月文章数", "x": "月份", "y": "文章数"})
    return export.Chart("timeline", fig, counts)


def _title_only(text: str) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(title={"text": text, "font": {"size": 48}}, font_family=charts.CJK_FONT, width=640, height=160,
                      template="plotly_white", xaxis_visible=False, yaxis_visible=False)
    return fig


# --- images ----------------------------------------------------------------------------------------

def test_the_chart_font_is_an_installed_cjk_font():
    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig's fc-list is not installed")
    families = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=True).stdout
    assert CJK_FAMILY in {name.strip() for line in families.splitlines() for name in line.split(",")}, \
        f"{CJK_FAMILY} is not installed (Debian: fonts-noto-cjk, listed in packages.txt)"


@needs_chromium
def test_png_is_high_resolution_and_not_blank(heatmap):
    image = check_png(export.chart_bytes(heatmap, "png"))
    assert image.size == (export.DEFAULT_WIDTH * export.PNG_SCALE, heatmap.visual.layout.height * export.PNG_SCALE)


@needs_chromium
def test_svg_parses_and_keeps_the_chinese_text(heatmap):
    check_svg(export.chart_bytes(heatmap, "svg"), "长春市")


@needs_chromium
def test_pdf_parses_and_embeds_the_cjk_font(heatmap):
    check_pdf(export.chart_bytes(heatmap, "pdf"))


@needs_chromium
def test_chinese_renders_as_glyphs_not_boxes():
    # Missing-glyph boxes look alike whatever the character: two different strings of the same
    # length would then render to identical images.
    first, second, blank = (check_png(export.figure_bytes(_title_only(text), "png")) if text else
                            Image.open(io.BytesIO(export.figure_bytes(_title_only(text), "png")))
                            for text in ("长春市营商环境", "吉林省乡村振兴", ""))
    assert ImageChops.difference(first.convert("RGB"), second.convert("RGB")).getbbox() is not None
    for image in (first, second):
        assert ImageChops.difference(image.convert("RGB"), blank.convert("RGB")).getbbox() is not None


@needs_chromium
def test_a_figure_without_a_font_gets_the_cjk_font():
    fig = go.Figure(go.Bar(x=["长春市", "吉林市"], y=[3, 1]))
    assert fig.layout.font.family is None
    check_svg(export.figure_bytes(fig, "svg"), "吉林市")


@needs_chromium
def test_one_browser_serves_every_export(heatmap):
    export.chart_bytes(heatmap, "svg")
    renderer = export._renderer
    export.chart_bytes(heatmap, "png")
    assert export._renderer is renderer and renderer is not None


def test_word_cloud_downloads_as_png():
    font = charts.cjk_font_file()
    if font is None:
        pytest.skip("no CJK font file for the word cloud (Debian: fonts-noto-cjk)")
    keywords = pd.read_parquet(PROCESSED / "keywords.parquet")
    weights = keywords.groupby(Col.term)[Col.weight].sum().nlargest(60)
    chart = export.Chart("词云", charts.word_cloud(tuple(weights.items()), font, 600, 300), weights.reset_index())
    assert chart.formats == ("png",)
    assert check_png(export.chart_bytes(chart, "png")).size == (600, 300)
    with pytest.raises(ValueError, match="not svg"):
        export.chart_bytes(chart, "svg")


def test_csv_opens_in_excel_and_round_trips(heatmap):
    frame = check_csv(export.chart_bytes(heatmap, "csv"), heatmap.data)
    assert frame[Col.city].tolist() == heatmap.data[Col.city].tolist()


@pytest.mark.parametrize("name, stem", [("heatmap", "heatmap"), ("城市 / 主题", "城市-主题"), ("a.b-c_d", "a.b-c_d")])
def test_chart_names_become_safe_file_names(heatmap, name, stem):
    assert export.Chart(name, heatmap.visual, heatmap.data).name == stem


def test_a_chart_name_needs_a_usable_character(heatmap):
    with pytest.raises(ValueError, match="no usable characters"):
        export.Chart("/ ..", heatmap.visual, heatmap.data)


# --- the view's zip ---------------------------------------------------------------------------------

@needs_chromium
def test_view_zip_holds_every_chart_its_data_the_filters_and_a_readme(heatmap, timeline):
    filters = Filters(cities=("长春市",), query="营商环境")
    archive = zipfile.ZipFile(io.BytesIO(export.view_zip([heatmap, timeline], "overview", filters, "zh", FOLDER)))
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == sorted(["heatmap.png", "heatmap.svg", "heatmap.csv", "timeline.png", "timeline.svg",
                                                 "timeline.csv", "filters.json", "README.txt"])
    for chart in (heatmap, timeline):
        check_png(archive.read(f"{chart.name}.png"))
        check_svg(archive.read(f"{chart.name}.svg"), chart.title)
        check_csv(archive.read(f"{chart.name}.csv"), chart.data)
    manifest = json.loads(archive.read("filters.json"))
    assert manifest["filters"]["cities"] == ["长春市"] and manifest["filters"]["query"] == "营商环境"
    assert manifest["url_query"] == {"city": "长春市", "q": "营商环境"}
    assert manifest["images_left_out"] is None
    readme = archive.read("README.txt").decode("utf-8")
    assert "city=长春市" in readme and "heatmap.png" in readme and "timeline.svg" in readme


def test_view_files_refuse_two_charts_with_one_name(heatmap):
    with pytest.raises(ValueError, match="share a name"):
        export.view_files([heatmap, heatmap], "overview", Filters(), "zh", FOLDER, ["csv"])


# --- command line -----------------------------------------------------------------------------------

def test_cli_help_documents_the_filters():
    result = subprocess.run([sys.executable, "-m", "dashboard.export", "--help"], cwd=ROOT, capture_output=True, text=True,
                            check=True)
    for option in ("--out", "--data", "--from", "--to", "--province", "--city", "--county", "--theme", "--source",
                   "--query", "--lang", "--pages", "--formats", "exit status"):
        assert option in result.stdout


@needs_chromium
def test_cli_writes_the_charts_of_every_page(tmp_path, capsys):
    assert export.main(["--out", str(tmp_path), "--city", "长春市", "--from", "2000-01-01"]) == 0
    assert list((tmp_path / "overview").glob("*.pdf")), capsys.readouterr().out
    checks = {".png": check_png, ".pdf": check_pdf, ".svg": ET.fromstring}
    for file in tmp_path.glob("*/*.*"):
        if file.suffix in checks:
            checks[file.suffix](file.read_bytes())
            assert file.with_suffix(".csv").is_file(), f"{file} has no CSV"
    for manifest in tmp_path.glob("*/filters.json"):
        assert json.loads(manifest.read_text())["url_query"] == {"from": "2000-01-01", "city": "长春市"}


def test_cli_rejects_an_unknown_filter_value(tmp_path, capsys):
    assert export.main(["--out", str(tmp_path), "--city", "Atlantis"]) == 2
    assert "Atlantis" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


# --- without Chromium (last: closes the shared browser) --------------------------------------------

@pytest.fixture
def no_chromium(monkeypatch, tmp_path):
    export.close_renderer()
    monkeypatch.setenv(export.CHROMIUM_ENV, str(tmp_path / "no-chromium"))
    assert export.chromium_path() is None


def test_without_chromium_the_zip_keeps_the_data_and_says_why(no_chromium, heatmap):
    archive = zipfile.ZipFile(io.BytesIO(export.view_zip([heatmap], "overview", Filters(), "en", FOLDER)))
    assert sorted(archive.namelist()) == ["README.txt", "filters.json", "heatmap.csv"]
    assert "no Chromium at" in json.loads(archive.read("filters.json"))["images_left_out"]
    assert "Images were left out" in archive.read("README.txt").decode("utf-8")
    with pytest.raises(export.ExportUnavailable, match="no Chromium"):
        export.chart_bytes(heatmap, "png")


def test_without_chromium_the_cli_fails_clearly_unless_asked_for_data_only(no_chromium, tmp_path, capsys):
    out = tmp_path / "out"
    assert export.main(["--out", str(out)]) == 1
    assert "no Chromium" in capsys.readouterr().err
    assert export.main(["--out", str(out), "--formats", "csv", "--pages", "overview"]) == 0
    assert (out / "overview" / "filters.json").is_file() and list((out / "overview").glob("*.csv"))


def test_without_chromium_the_page_says_so_and_offers_the_csv(no_chromium):
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Chromium" in caption.value for caption in at.caption)
    labels = [button.label for button in at.download_button]
    assert "CSV" in labels and not {"PNG", "SVG", "PDF"} & set(labels)
