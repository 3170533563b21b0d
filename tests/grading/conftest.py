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
    """A seeded synthetic class (30 trainees × 2 assignments, 11 + 1 questions) in nbgrader's gradebook; read only.

    Built once per session: creating a gradebook runs alembic, which costs seconds.
    """
    from course.grading import synthetic

    root = tmp_path_factory.mktemp("synthetic")
    # more errors and notebook-less submissions than the default, so every count is exercised
    shape = synthetic.SyntheticClass(trainees=30, errors=0.08, missing=0.05)
    return synthetic.build(make_course(root), shape)
