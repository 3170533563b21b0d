"""Helpers of the grading tests: temporary nbgrader courses around the repository's assignments."""

from __future__ import annotations

import shutil
from pathlib import Path

from course.grading.settings import Course

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "exercises" / "source"
FIXTURES = REPO / "exercises" / "fixtures"
# Every assignment under exercises/source, found at collection time: new ones are picked up.
ASSIGNMENTS = sorted(p.name for p in SOURCE.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))
TIMEOUT = 10  # seconds per cell: the infinite-loop fixture costs this much (busy CI: not less)


def make_course(root: Path, db_url: str | None = None) -> Course:
    """A course in ``root/grading`` on the repository's sources and fixtures.

    ``db_url`` is the gradebook (a PostgreSQL URL for the `postgres` runs); SQLite by default.
    """
    return Course.create(root / "grading", SOURCE, repo=root, fixtures=FIXTURES, db_url=db_url)


def copy_repo_skeleton(dest: Path, assignments: list[str]) -> Path:
    """A minimal copy of the repository (config, sources, fixtures) to run commands in."""
    (dest / "grading").mkdir(parents=True)
    shutil.copy(REPO / "grading" / "nbgrader_config.py", dest / "grading")
    for name in assignments:
        shutil.copytree(SOURCE / name, dest / "exercises" / "source" / name)
        if (FIXTURES / name).is_dir():
            shutil.copytree(FIXTURES / name, dest / "exercises" / "fixtures" / name)
    return dest
