"""Chart export: PNG (high resolution), SVG and PDF of plotly figures, the chart's data as CSV, the
zip of a whole view, and the command line for scheduled reports.

Figures render in the system Chromium through kaleido 1.x. Launching Chromium takes seconds, so
one renderer (one browser, one tab) is started on the first export and kept while exports keep
coming (closed after IDLE_CLOSE_SECONDS without one); later exports only re-render the page. No
Streamlit in the export functions; the command line runs the app's pages headlessly (Streamlit's
AppTest) to collect exactly the charts each page offers.

Run `python -m dashboard.export --help` for the command line.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import functools
import io
import json
import logging
import os
import re
import shutil
import sys
import threading
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from PIL import Image

from dashboard.charts import CJK_FONT, OFFLINE_CONFIG
from dashboard.state import LANGS, Filters, from_params, view_params

CHROMIUM_ENV = "GOVLENS_CHROMIUM"  # path of the Chromium to render with; set but missing = no image export
CHROMIUM_NAMES = ("chromium", "chromium-browser")  # Debian's package (packages.txt), then Ubuntu's name
FORMATS = ("png", "svg", "pdf")
VIEW_FORMATS = ("png", "svg", "csv")  # files of each chart in the "export all" zip
MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "csv": "text/csv", "zip": "application/zip"}
PNG_SCALE = 2  # PNG pixels per layout pixel: a 1200-wide chart becomes 2400 px, sharp on slides
DEFAULT_WIDTH = 1200  # layout pixels, for figures that leave the width to the browser window
DEFAULT_HEIGHT = 600
START_TIMEOUT = 60.0  # seconds to launch Chromium
RENDER_TIMEOUT = 60.0  # seconds to render one image
IDLE_CLOSE_SECONDS = 180.0  # close the browser after this long without an export (it holds ~430 MB)
JS_HEAP_MB = 64  # cap on the export page's JavaScript heap (also renders the 370-city boundary map)
VIEW_EXPORT_KEY = "_govlens_view_export"  # session-state key where a page leaves (page, charts) for the CLI
PAGES_DIR = Path(__file__).resolve().parent / "views"
APP = Path(__file__).resolve().parent / "app.py"


class ExportUnavailable(RuntimeError):
    """Image export cannot run here (no Chromium, or it does not start); the message says why."""


@dataclasses.dataclass(frozen=True)
class Chart:
    """One chart of a view: its file name stem, what is drawn and the data behind it.

    `visual` is a plotly figure (exported as PNG, SVG, PDF) or a raster image such as a word cloud
    (exported as PNG only)."""

    name: str
    visual: go.Figure | Image.Image
    data: pd.DataFrame

    def __post_init__(self) -> None:
        stem = re.sub(r"[^\w.-]+", "-", self.name).strip("-.")
        if not stem:
            raise ValueError(f"chart name {self.name!r} has no usable characters for a file name")
        object.__setattr__(self, "name", stem)

    @property
    def formats(self) -> tuple[str, ...]:
        return FORMATS if isinstance(self.visual, go.Figure) else ("png",)

    @property
    def title(self) -> str:
        if isinstance(self.visual, go.Figure):
            return self.visual.layout.title.text or self.name
        return self.name


def chromium_path() -> str | None:
    """The Chromium to render with: $GOVLENS_CHROMIUM when set (None when that file is missing),
    else `chromium` or `chromium-browser` on the PATH."""
    if explicit := os.environ.get(CHROMIUM_ENV):
        return explicit if Path(explicit).is_file() else None
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


def missing_chromium_reason() -> str:
    if explicit := os.environ.get(CHROMIUM_ENV):
        return f"no Chromium at {CHROMIUM_ENV}={explicit}"
    return f"no Chromium found (looked for {', '.join(CHROMIUM_NAMES)} on the PATH; install Debian's chromium, see packages.txt)"


class Renderer:
    """One headless Chromium driven by kaleido, kept open across exports.

    kaleido's coroutines run on this renderer's own event-loop thread, so callers on any thread
    (Streamlit sessions, deferred downloads) submit work to it and wait with a timeout: a hung
    browser makes one export fail instead of blocking the app. (kaleido's own sync server has no
    timeout and hands results back in queue order, which can swap them between threads.)"""

    def __init__(self, browser: str):
        import kaleido  # imported here: it inspects plotly on import, which the app rarely needs

        self.browser = browser
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="chart-export", daemon=True)
        self._thread.start()

        async def launch():
            # mathjax=False: kaleido would fetch MathJax from a CDN; the charts use no LaTeX.
            k = kaleido.Kaleido(path=browser, browser_cls=_lean_chromium(), mathjax=False, n=1, timeout=RENDER_TIMEOUT)
            await k.open()
            return k

        try:
            self._kaleido = self._call(launch(), START_TIMEOUT)
        except Exception as exc:
            self._stop_loop()
            raise ExportUnavailable(f"Chromium at {browser} did not start: {exc!r}") from exc

    def _call(self, coroutine, timeout: float):
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    def render(self, fig: go.Figure, fmt: str, width: int, height: int, scale: float) -> bytes:
        opts = {"format": fmt, "width": width, "height": height, "scale": scale}
        # The maps' base-map topology comes from the plot config, as in the browser: never fetched.
        return self._call(self._kaleido.calc_fig(fig, opts=opts, topojson=OFFLINE_CONFIG["topojsonURL"]), RENDER_TIMEOUT + 5)

    def close(self) -> None:
        try:
            self._call(self._kaleido.close(), 30)
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)


@functools.cache
def _lean_chromium() -> type:
    """choreographer's Chromium (the browser class kaleido launches) with a lean JavaScript engine:
    a capped heap (without it the export page grows by ~150 MB over a few dozen exports) and no
    optimising compiler (plotly's code runs about once per page load, so compiling it costs memory
    for little speed). Together ~130 MB less at a plateau (benchmarks/bench_export.py)."""
    from choreographer.browsers import Chromium

    class LeanChromium(Chromium):
        def get_cli(self):
            return [*super().get_cli(), f"--js-flags=--max-old-space-size={JS_HEAP_MB},--lite-mode"]

    return LeanChromium


_renderer: Renderer | None = None
_last_used = 0.0  # time.monotonic() of the last render
_idle_timer: threading.Timer | None = None
_lock = threading.Lock()  # guards the three above, and serialises renders on the renderer's one tab


def _render(fig: go.Figure, fmt: str, width: int, height: int, scale: float) -> bytes:
    """Render with the shared renderer, launching it on first use and closing it once idle for
    IDLE_CLOSE_SECONDS. A render that fails for another reason than the figure itself (timeout,
    browser gone) drops the renderer, so the next export starts a fresh browser; the error is
    raised either way."""
    global _renderer, _last_used, _idle_timer
    from kaleido.errors import JavascriptError, KaleidoError

    with _lock:
        if _renderer is None:
            browser = chromium_path()
            if browser is None:
                raise ExportUnavailable(missing_chromium_reason())
            _renderer = Renderer(browser)
        renderer = _renderer
        try:
            return renderer.render(fig, fmt, width, height, scale)
        except (JavascriptError, KaleidoError):
            raise
        except Exception:
            _renderer = None
            threading.Thread(target=renderer.close, daemon=True).start()
            raise
        finally:
            _last_used = time.monotonic()
            if _idle_timer is None:
                _idle_timer = threading.Timer(IDLE_CLOSE_SECONDS, _close_when_idle)
                _idle_timer.daemon = True
                _idle_timer.start()


def _close_when_idle() -> None:
    global _idle_timer
    with _lock:
        _idle_timer = None
        idle = time.monotonic() - _last_used
        if idle < IDLE_CLOSE_SECONDS:  # used since the timer started: check again later
            _idle_timer = threading.Timer(IDLE_CLOSE_SECONDS - idle, _close_when_idle)
            _idle_timer.daemon = True
            _idle_timer.start()
            return
    close_renderer()


def close_renderer() -> None:
    """Close the shared browser now (the next export launches a new one)."""
    global _renderer, _idle_timer
    with _lock:
        renderer, _renderer = _renderer, None
        if _idle_timer is not None:
            _idle_timer.cancel()
            _idle_timer = None
    if renderer is not None:
        renderer.close()


def renderer_running() -> bool:
    return _renderer is not None


def figure_bytes(fig: go.Figure, fmt: str) -> bytes:
    """The figure as PNG (at PNG_SCALE), SVG or PDF. Figures without a font get the CJK font, so
    Chinese renders as glyphs whatever the builder forgot; the size is the figure's own, else
    DEFAULT_WIDTH × DEFAULT_HEIGHT layout pixels."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown image format {fmt!r}; use one of {', '.join(FORMATS)}")
    fig = go.Figure(fig)
    if not fig.layout.font.family:
        fig.update_layout(font_family=CJK_FONT)
    width = int(fig.layout.width or DEFAULT_WIDTH)
    height = int(fig.layout.height or DEFAULT_HEIGHT)
    return _render(fig, fmt, width, height, PNG_SCALE if fmt == "png" else 1)


def image_png(image: Image.Image) -> bytes:
    """A raster chart (e.g. `WordCloud(...).to_image()`) as PNG."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def csv_bytes(data: pd.DataFrame) -> bytes:
    """The data as CSV in UTF-8 with a byte-order mark, so Excel opens the Chinese correctly."""
    return data.to_csv(index=False).encode("utf-8-sig")


def chart_bytes(chart: Chart, fmt: str) -> bytes:
    """One file of a chart: an image format of `chart.formats`, or "csv"."""
    if fmt == "csv":
        return csv_bytes(chart.data)
    if fmt not in chart.formats:
        raise ValueError(f"chart {chart.name} exports as {', '.join(chart.formats)}, not {fmt}")
    if isinstance(chart.visual, go.Figure):
        return figure_bytes(chart.visual, fmt)
    return image_png(chart.visual)


def view_files(charts: Iterable[Chart], page: str, filters: Filters, lang: str, folder: str,
               formats: Iterable[str] = VIEW_FORMATS) -> dict[str, bytes]:
    """Every file of a view's export: each chart in those of `formats` it supports ("csv" for its
    data), filters.json and README.txt. Without Chromium the figures' images are left out and the README
    and filters.json say why; the rest is complete."""
    charts = list(charts)
    names = [c.name for c in charts]
    if len(set(names)) != len(names):
        raise ValueError(f"charts of page {page} share a name: {names}")
    formats = tuple(formats)
    files: dict[str, bytes] = {}
    left_out: str | None = None
    for chart in charts:
        for fmt in (f for f in formats if f == "csv" or f in chart.formats):
            if left_out and fmt != "csv" and isinstance(chart.visual, go.Figure):
                continue
            try:
                files[f"{chart.name}.{fmt}"] = chart_bytes(chart, fmt)
            except ExportUnavailable as exc:
                left_out = str(exc)
    manifest = {
        "page": page,
        "lang": lang,
        "data": folder,
        "exported_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "filters": dataclasses.asdict(filters),
        "url_query": view_params(filters, lang),
        "charts": [{"name": c.name, "title": c.title, "files": sorted(f for f in files if f.rsplit(".", 1)[0] == c.name)}
                   for c in charts],
        "images_left_out": left_out,
    }
    files["filters.json"] = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
    files["README.txt"] = _readme(manifest).encode("utf-8")
    return files


def _readme(manifest: dict) -> str:
    query = "&".join(f"{k}={v}" for k, v in manifest["url_query"].items())
    lines = [
        f"govlens export: page {manifest['page']}, {manifest['exported_at']}",
        "",
        f"Data: {manifest['data']}",
        f"Filters: {query or 'none (the whole dataset)'}; all values in filters.json.",
    ]
    if query:
        lines.append(f"The same view in the app: its page address followed by ?{query}")
    lines += ["", "Charts:"]
    for chart in manifest["charts"]:
        lines.append(f"  {chart['title']}: {', '.join(chart['files'])}")
    lines += [
        "",
        f"PNG: {PNG_SCALE}x the chart's layout size. SVG and PDF: vector; text set in {CJK_FONT.split(',')[0]}",
        "(the SVG names the font: install Noto Sans CJK to view it elsewhere, or use the PDF, which embeds it).",
        "CSV: the data each chart draws, UTF-8 with a byte-order mark (opens in Excel).",
    ]
    if manifest["images_left_out"]:
        lines += ["", f"Images were left out: {manifest['images_left_out']}."]
    return "\n".join(lines) + "\n"


def view_zip(charts: Iterable[Chart], page: str, filters: Filters, lang: str, folder: str) -> bytes:
    """The "export all" zip of a view: every chart as PNG and SVG, its CSV, filters.json, README.txt."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in view_files(charts, page, filters, lang, folder).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_name(page: str, filters: Filters) -> str:
    stamp = dt.date.today().isoformat()
    return f"govlens-{page}-{stamp}{'' if filters.is_default() else '-filtered'}.zip"


# --- command line -------------------------------------------------------------------------------

EPILOG = """\
Each page's charts are collected by running the page headlessly with the given filters (the same
charts the app shows), then written to OUT/PAGE/: every chart in those of --formats it supports
(csv is its data; a word cloud is PNG only), filters.json and README.txt (the app's "export all"
zip holds the same, in PNG, SVG and CSV).

Filters take the values shown in the app's sidebar; repeat an option or separate values with commas
(--city 长春市,吉林市). Unknown values are an error (exit 2), not silently dropped.

exit status:
  0  every chart was written
  1  image export failed (e.g. no Chromium: install it, or pass --formats csv)
  2  usage error or invalid filter value

example:
  python -m dashboard.export --out reports/$(date +%F) --city 长春市 --from 2024-01-01 --lang en
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard.export", epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Write every chart of every dashboard page (PNG, SVG, PDF, CSV) for a filtered view.")
    parser.add_argument("--out", required=True, type=Path, help="output folder (created; files in it are overwritten)")
    parser.add_argument("--data", type=Path, help="folder of processed tables (default: $GOVLENS_DATA, else the bundled sample)")
    parser.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="first publication date")
    parser.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="last publication date")
    for flag, meta in (("province", "NAME"), ("city", "NAME"), ("county", "NAME"), ("theme", "ID"), ("source", "NAME")):
        parser.add_argument(f"--{flag}", action="append", default=[], metavar=meta,
                            help=f"keep articles with this {flag} (repeatable)"
                            + (" — theme ids as in themes.yaml" if flag == "theme" else ""))
    parser.add_argument("--query", default="", metavar="TEXT", help="full-text search in title and text")
    parser.add_argument("--lang", choices=LANGS, default="zh", help="language of titles and labels (default zh)")
    parser.add_argument("--pages", metavar="LIST", help=f"comma-separated pages (default: all of {', '.join(page_names())})")
    parser.add_argument("--formats", default="png,svg,pdf,csv", metavar="LIST",
                        help="comma-separated among png, svg, pdf, csv (default: all)")
    parser.add_argument("--timeout", type=float, default=120, metavar="S", help="seconds allowed to run one page (default 120)")
    return parser


def page_names() -> list[str]:
    return sorted(p.stem for p in PAGES_DIR.glob("*.py") if not p.name.startswith("_"))


def page_charts(page: str, params: dict[str, str], timeout: float) -> list[Chart]:
    """Run one page of the app headlessly with the URL `params` and return the charts it offers
    for export (what the page passed to `downloads.export_all`)."""
    from streamlit.testing.v1 import AppTest

    # AppTest runs outside a server; Streamlit warns about that on every session-state access.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"views/{page}.py")
    at.run()
    if at.exception:
        raise RuntimeError(f"page {page} failed: " + "; ".join(e.value for e in at.exception))
    exported = at.session_state[VIEW_EXPORT_KEY] if VIEW_EXPORT_KEY in at.session_state else None
    return list(exported[1]) if exported and exported[0] == page else []


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    if unknown := [f for f in formats if f not in (*FORMATS, "csv")]:
        parser.error(f"unknown formats: {', '.join(unknown)}")
    pages = page_names() if not args.pages else [p.strip() for p in args.pages.split(",") if p.strip()]
    if unknown := [p for p in pages if p not in page_names()]:
        parser.error(f"unknown pages: {', '.join(unknown)} (pages: {', '.join(page_names())})")

    from dashboard import queries
    from dashboard.ui import DATA_ENV

    folder = str((args.data or Path(os.environ.get(DATA_ENV) or queries.DEFAULT_DATA)).resolve())
    os.environ[DATA_ENV] = folder  # the pages read their tables from here
    try:
        options = queries.options(folder)
    except queries.DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    raw = {"from": [args.date_from] if args.date_from else [], "to": [args.date_to] if args.date_to else [],
           "province": args.province, "city": args.city, "county": args.county, "theme": args.theme,
           "source": args.source, "q": [args.query]}
    filters, notices = from_params({k: v for k, v in raw.items() if v}, options)
    if notices:
        print(f"error: invalid filter values (not in {folder}): {'; '.join(notices)}", file=sys.stderr)
        return 2
    if any(f in FORMATS for f in formats) and chromium_path() is None:
        print(f"error: cannot export images: {missing_chromium_reason()}. Pass --formats csv for the data only.", file=sys.stderr)
        return 1

    params = view_params(filters, args.lang)
    try:
        for page in pages:
            charts = page_charts(page, params, args.timeout)
            if not charts:
                print(f"{page}: no charts for this view")
                continue
            files = view_files(charts, page, filters, args.lang, folder, formats)
            manifest = json.loads(files["filters.json"])
            if manifest["images_left_out"]:
                print(f"error: {manifest['images_left_out']}", file=sys.stderr)
                return 1
            target = args.out / page
            target.mkdir(parents=True, exist_ok=True)
            for name, content in files.items():
                (target / name).write_bytes(content)
            print(f"{page}: {len(charts)} charts, {len(files)} files → {target}")
    finally:
        close_renderer()
    return 0


if __name__ == "__main__":
    sys.exit(main())
