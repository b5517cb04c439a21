"""The dashboard served by Streamlit on 127.0.0.1 for browser and load tests (and benchmarks/bench_load.py),
and Debian's chromium for Playwright (the system browser via executable_path; no browser is ever downloaded)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard" / "app.py"
CHROMIUM = os.environ.get("GOVLENS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]


@dataclass(frozen=True)
class Server:
    url: str  # http://127.0.0.1:PORT
    pid: int
    log: Path  # the server's stdout and stderr

    def errors(self) -> list[str]:
        """Uncaught exceptions the server logged (Streamlit logs each with its traceback)."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return [block.strip().splitlines()[-1] for block in text.split("Uncaught app execution")[1:]]

    def rss_bytes(self) -> int:
        """Resident memory of the server process now (Linux /proc)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError(f"no VmRSS for process {self.pid}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(data: Path | None = None, start_timeout: float = 90) -> Iterator[Server]:
    """Run the dashboard on a free local port (on `data`'s tables when given) until the block ends."""
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if data is not None:
        env["GOVLENS_DATA"] = str(data)
    handle, log_path = tempfile.mkstemp(prefix="govlens-streamlit-", suffix=".log")
    log = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    os.close(handle)
    server = Server(f"http://127.0.0.1:{port}", log.pid, Path(log_path))
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if log.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("streamlit did not start: " + server.log.read_text(errors="replace")) from None
                time.sleep(0.3)
        yield server
    finally:
        log.terminate()
        try:
            log.wait(timeout=15)
        except subprocess.TimeoutExpired:
            log.kill()
            log.wait()
        server.log.unlink(missing_ok=True)


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def wait_for_app(page, timeout_ms: int = 60_000) -> None:
    """Until the app has drawn and no script run is in progress."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms)
