"""Grading tests: temporary nbgrader courses built around the repository's assignments."""

from __future__ import annotations

import pytest
from grading_support import make_course

from course.grading.settings import Course


@pytest.fixture
def course(tmp_path) -> Course:
    """An empty course in a temporary folder."""
    return make_course(tmp_path)


@pytest.fixture(scope="session")
def synthetic_course(tmp_path_factory) -> Course:
    """A seeded synthetic class (12 trainees × 2 assignments) in nbgrader's gradebook; read only.

    Built once per session: creating a gradebook runs alembic, which costs seconds.
    """
    from course.grading import synthetic

    root = tmp_path_factory.mktemp("synthetic")
    return synthetic.build(make_course(root))
