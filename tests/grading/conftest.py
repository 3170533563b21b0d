"""Grading tests: temporary nbgrader courses built around the repository's assignments."""

from __future__ import annotations

import pytest
from grading_support import make_course

from course.grading.settings import Course


@pytest.fixture
def course(tmp_path) -> Course:
    """An empty course in a temporary folder."""
    return make_course(tmp_path)
