"""Shared test set-up: the repository root, and no test ever writes to a trainee's real files."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _isolated_user_files(tmp_path_factory, monkeypatch):
    """Keep practice progress and app databases of tests out of the user's data directory."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("COURSE_PROGRESS_DB", str(home / "progress.sqlite"))
    monkeypatch.setenv("COURSE_DB_PATH", str(home / "assessments.sqlite"))
    monkeypatch.setenv("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def repo() -> Path:
    """The repository root."""
    return REPO
