"""Debian's Chromium, as the browser tests and benchmarks start it: headless, offline, as root.

Playwright never downloads a browser here (no machine of the project can); it drives
``/usr/bin/chromium`` from Debian's package. The flags keep Chromium from calling home, which a
closed network would refuse many times a second, and allow running as root (CI does).
"""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
