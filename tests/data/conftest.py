"""Fixtures for the dataset tests: loaded frames (once per session) and scratch copies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course import data
from course.data import _core


@pytest.fixture(scope="session")
def frames():
    """Every shipped dataset, loaded once (tests must not modify them)."""
    return {name: data.load(name) for name in data.names()}


@pytest.fixture
def shipped_copy(tmp_path: Path) -> Path:
    """A scratch copy of datasets/ that a test may damage."""
    target = tmp_path / "datasets"
    shutil.copytree(_core.REPO_DATASETS, target)
    return target


@pytest.fixture
def readonly_dir(tmp_path: Path) -> Path:
    """A folder nobody can write to (root ignores permission bits: then use sysfs)."""
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o555)
    probe = folder / "probe"
    try:
        probe.write_bytes(b"")
    except OSError:
        yield folder
    else:
        probe.unlink()
        yield Path("/sys/kernel/cm-course-readonly-test")
    finally:
        folder.chmod(0o755)


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch) -> Path:
    """Point the scenario cache at a scratch folder."""
    monkeypatch.setenv("COURSE_DATA_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"
