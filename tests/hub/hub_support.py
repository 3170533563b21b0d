"""Names shared by the hub tests (a module of its own: `conftest` is ambiguous across folders)."""

from __future__ import annotations

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
INSTRUCTOR, HR, TRAINEES = "ines", "hugo", ("tom", "tina")


def hub_env() -> Path:
    """The hub's Python environment (``HUB_ENV``, built by `make test-deps`)."""
    return Path(os.environ.get("HUB_ENV", "/var/tmp/cm-course-hub-env"))
