"""Time to interactive of the self-assessment app, against a one-widget Voilà page.

Both notebooks are served by Voilà with the same command line as ``course apps`` (preheated
kernel pool of one, the course template), in the same run, and opened alternately in Debian's
Chromium. "Interactive" means: for the app, the last radio group has been made accessible (its
inputs carry their group name), so every question can be answered; for the baseline, the slider
is on the page. Each measurement waits for the kernel pool to be full again first.

Run: ``.venv/bin/python benchmarks/bench_apps.py [--runs N]`` (goal: ratio at most 1.3).
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from course.apps import voila_command, voila_env  # noqa: E402
from course.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

SETTLE_SECONDS = 6
PAGES = {
    "app": (
        REPO / "dashboards" / "self_assessment.ipynb",
        ".cm-key-O3 [role=radiogroup] input[name='cm-O3']",
    ),
    "baseline": (REPO / "benchmarks" / "one_widget.ipynb", ".bench-ready"),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, notebook: Path, workdir: Path):
        self.port = free_port()
        self.log_path = workdir / f"{notebook.stem}.log"
        env = voila_env()
        env["COURSE_DB_PATH"] = str(workdir / "bench.sqlite3")
        command = voila_command(notebook, port=self.port, pools={notebook.name: 1})
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                command,
                cwd=notebook.parent,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.url = f"http://127.0.0.1:{self.port}/"
        self.wait_pool(1, timeout=180)

    def fills(self) -> int:
        return self.log_path.read_text(errors="replace").count("is filled with")

    def wait_pool(self, count: int, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while self.fills() < count:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(self.log_path.read_text(errors="replace")[-2000:])
            time.sleep(0.1)
        while True:  # and the HTTP side answers
            try:
                requests.get(self.url + "voila/static/voila.js", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.1)
        # "filled" means the kernel process started; let it boot and pre-render the notebook
        # (up to wait_for_request) so that every load measures a really preheated kernel.
        time.sleep(SETTLE_SECONDS)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)


def measure(browser, server: Server, selector: str) -> float:
    context = browser.new_context()
    page = context.new_page()
    started = time.perf_counter()
    page.goto(server.url, timeout=180_000)
    page.wait_for_selector(selector, state="attached", timeout=180_000)
    elapsed = time.perf_counter() - started
    context.close()
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="page loads per notebook (default 5)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {name: [] for name in PAGES}
    with tempfile.TemporaryDirectory() as folder:
        servers = {name: Server(path, Path(folder)) for name, (path, _sel) in PAGES.items()}
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=list(CHROMIUM_ARGS)
                )
                for name, (_path, selector) in PAGES.items():  # warm-up: browser caches, JS bundles
                    measure(browser, servers[name], selector)
                    servers[name].wait_pool(2)
                for run in range(args.runs):
                    for name, (_path, selector) in PAGES.items():
                        times[name].append(measure(browser, servers[name], selector))
                        servers[name].wait_pool(run + 3)
                browser.close()
        finally:
            for server in servers.values():
                server.stop()
    app, base = statistics.median(times["app"]), statistics.median(times["baseline"])
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"time to interactive, median of {args.runs} (preheated kernels, Chromium):")
    print(
        f"  self-assessment app : {app:.3f} s  (runs: {', '.join(f'{t:.2f}' for t in times['app'])})"
    )
    print(
        f"  one-widget baseline : {base:.3f} s  (runs: {', '.join(f'{t:.2f}' for t in times['baseline'])})"
    )
    print(f"  ratio app/baseline  : {app / base:.2f}x  (goal: at most 1.3x)")
    print(f"peak memory: Voilà server {peak_children:.0f} MB, benchmark process {peak_self:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
