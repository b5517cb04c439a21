"""Chart export figures: time per format (first export, which launches Chromium, then warm), and the
running app's peak memory while a browser visits every page and downloads every export.

    .venv/bin/python benchmarks/bench_export.py            # export times (in this process)
    .venv/bin/python benchmarks/bench_export.py --app      # + peak memory of the running app

Charts are the overview page's own, on the bundled sample (or --data). Memory is that of the streamlit server's
whole process tree (the app, kaleido's Chromium and its helpers), sampled every 0.25 s; the
visiting browser is Playwright's, outside that tree. The figure to compare with a container's
limit is "resident, shared pages once" (see _memory_kb); PSS and summed RSS are shown alongside.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard import export, queries  # noqa: E402
from dashboard.state import Filters  # noqa: E402
from tests.appserver import launch_chromium, serve  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


def overview_charts(folder: str) -> list[export.Chart]:
    """The overview page's charts on `folder`, as the app draws them."""
    os.environ["GOVLENS_DATA"] = folder
    return export.page_charts("overview", {}, timeout=300)


def _timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def bench_formats(folder: str, warm_runs: int) -> None:
    charts = overview_charts(folder)
    heatmap = next(c for c in charts if c.name == "theme-city")
    width, height = heatmap.visual.layout.width or export.DEFAULT_WIDTH, heatmap.visual.layout.height
    print(f"chart: the overview's theme × city heatmap on {folder} ({len(heatmap.data)} cells), {width}×{height} layout px, "
          f"PNG at {export.PNG_SCALE}×; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"{'format':<8}{'first (launch + render)':>26}{'warm median':>14}{'warm max':>11}{'size':>10}")
    for fmt in export.FORMATS:
        export.close_renderer()
        first, data = _timed(lambda: export.chart_bytes(heatmap, fmt))
        warm = [_timed(lambda: export.chart_bytes(heatmap, fmt))[0] for _ in range(warm_runs)]
        print(f"{fmt:<8}{first:>25.2f}s{statistics.median(warm):>13.3f}s{max(warm):>10.3f}s{len(data) / 1024:>8.0f} kB")
    csv_time, csv = _timed(lambda: export.chart_bytes(heatmap, "csv"))
    print(f"{'csv':<8}{csv_time:>25.3f}s{'':>14}{'':>11}{len(csv) / 1024:>8.0f} kB")
    zips = [_timed(lambda: export.view_zip(charts, "overview", Filters(), "zh", folder)) for _ in range(3)]
    print(f"export-all zip of the overview's {len(charts)} charts (PNG+SVG+CSV each), warm: median "
          f"{statistics.median(t for t, _ in zips):.2f}s, {len(zips[0][1]) / 1024:.0f} kB")
    export.close_renderer()
    import plotly.io as pio

    oneshot = [_timed(lambda: pio.to_image(heatmap.visual, format="png", width=export.DEFAULT_WIDTH, scale=export.PNG_SCALE))[0]
               for _ in range(2)]
    print(f"for comparison, plotly's to_image without a kept renderer (a browser per call): "
          f"{', '.join(f'{t:.2f}s' for t in oneshot)}")


# --- the running app's memory ------------------------------------------------------------------------

def _tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree += frontier
    return tree


def _memory_kb(pids: list[int]) -> tuple[int, int, int, int]:
    """(RSS summed, PSS summed, anonymous memory summed, resident pages of the whole tree counted
    once) in kB. Anonymous memory (heaps, stacks) is what the kernel cannot drop under pressure;
    the rest is mostly the Chromium binary and libraries, reclaimable page cache.

    The last is what a container running only this app pays: every physical page any of the
    processes maps, shared ones once (page frame numbers from /proc/PID/pagemap; needs root,
    else 0). PSS instead splits pages shared with processes outside the tree, such as another
    Chromium on the machine, and so under-counts."""
    rss = pss = anon = 0
    frames = []
    for pid in pids:
        try:
            regions, region = [], None
            with open(f"/proc/{pid}/smaps") as smaps:
                for line in smaps:
                    head = line.split(" ", 1)[0]
                    if "-" in head and not head.endswith(":"):
                        lo, hi = head.split("-")
                        region = (int(lo, 16), int(hi, 16))
                    elif head == "Rss:" and int(line.split()[1]):
                        regions.append(region)
                        rss += int(line.split()[1])
                    elif head == "Pss:":
                        pss += int(line.split()[1])
                    elif head == "Anonymous:":
                        anon += int(line.split()[1])
            with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
                for lo, hi in regions:
                    pagemap.seek(lo // PAGE * 8)
                    entries = np.frombuffer(pagemap.read((hi - lo) // PAGE * 8), dtype=np.uint64)
                    frames.append(entries[(entries >> np.uint64(63)) == 1] & np.uint64((1 << 55) - 1))
        except OSError:  # the process ended while being read
            continue
    unique = np.unique(np.concatenate(frames)) if frames else np.empty(0, dtype=np.uint64)
    counted_once = 0 if not unique.size or not unique.any() else unique.size * PAGE // 1024
    return rss, pss, anon, counted_once


class Sampler(threading.Thread):
    """Polls the memory of a process tree, keeping the highest figures seen."""

    def __init__(self, root: int, interval: float = 0.25):
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.peak = (0, 0, 0, 0)
        self.processes = 0
        self.done = threading.Event()

    def now(self) -> tuple[int, int, int, int, int]:
        pids = _tree(self.root)
        return (*_memory_kb(pids), len(pids))

    def run(self) -> None:
        while not self.done.is_set():
            *memory, n = self.now()
            self.peak = tuple(max(a, b) for a, b in zip(self.peak, memory))
            self.processes = max(self.processes, n)
            time.sleep(self.interval)


def _mb(memory) -> str:
    rss, pss, anon, once = (kb / 1024 for kb in memory[:4])
    return f"{once:.0f} MB resident (shared pages once; {anon:.0f} MB anonymous), {pss:.0f} MB PSS, {rss:.0f} MB RSS summed"


def bench_app(folder: str) -> None:
    from playwright.sync_api import sync_playwright

    with serve(Path(folder)) as server, sync_playwright() as playwright:
        sampler = Sampler(server.pid)
        sampler.start()
        try:
            print(f"\napp on {folder}, started: {_mb(sampler.now())}")
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            paths = _visit(page, server.url, "")
            for path in paths[1:]:
                _visit(page, server.url, path)
            print(f"after visiting {len(paths)} pages, nothing exported: {_mb(sampler.now())}, {sampler.now()[4]} processes")
            downloads = sum(_export_everything(page, server.url, path) for path in paths)
            print(f"after {downloads} downloads (every button of every page, export-all included): {_mb(sampler.now())}, "
                  f"{sampler.now()[4]} processes; the app's own process: {_mb(_memory_kb([server.pid]))}")
            browser.close()
        finally:
            sampler.done.set()
            sampler.join()
        print(f"peak of the app's process tree: {_mb(sampler.peak)}, up to {sampler.processes} processes")
        if server.errors():
            print(f"the server logged errors: {server.errors()}")


def _wait(page) -> None:
    """Until the page is drawn: it has its title and its elements stopped changing for a second
    (the status widget alone misses runs that start late on a busy machine)."""
    page.wait_for_selector("[data-testid='stApp'] h1", timeout=60_000)
    drawn = None
    while drawn != (drawn := page.locator("[data-testid='stElementContainer']").count()):
        page.wait_for_timeout(1000)


def _visit(page, url: str, path: str) -> list[str]:
    """Open a page; return the paths of every page in the navigation."""
    page.goto(f"{url}/{path}")
    _wait(page)
    links = page.locator("[data-testid='stSidebarNav'] a").evaluate_all("links => links.map(a => new URL(a.href).pathname)")
    return list(dict.fromkeys(link.strip("/") for link in links))  # the default page is linked as "/"


def _export_everything(page, url: str, path: str) -> int:
    page.goto(f"{url}/{path}")
    _wait(page)
    print(f"  /{path}: ", end="", flush=True)
    keys = page.locator("[class*='st-key-download-'], .st-key-export-all").evaluate_all(
        "els => els.map(e => [...e.classList].find(c => c.startsWith('st-key-')))")
    for key in keys:
        with page.expect_download(timeout=120_000) as info:
            page.locator(f".{key}").get_by_role("button").click()
        info.value.path()
    print(f"{len(keys)} downloads")
    return len(keys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(queries.DEFAULT_DATA), help="processed tables (default: the bundled sample)")
    parser.add_argument("--warm", type=int, default=10, help="warm exports per format (default 10)")
    parser.add_argument("--app", action="store_true", help="also measure the running app's peak memory with a browser")
    args = parser.parse_args()
    folder = str(Path(args.data).resolve())
    if export.chromium_path() is None:
        sys.exit(f"cannot measure: {export.missing_chromium_reason()}")
    bench_formats(folder, args.warm)
    if args.app:
        bench_app(folder)


if __name__ == "__main__":
    main()
