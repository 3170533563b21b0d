"""Grading with nbgrader: a thin layer over nbgrader's own API.

``course grade …`` (see :mod:`course.grading.cli`) works on the nbgrader course directory
``grading/``: release, submit, collect, parallel autograde, feedback without hidden tests, CSV
export and item statistics. Fixture submissions for tests and demos: :mod:`course.grading.fixtures`.
"""

from course.grading.settings import Course, GradingError, find_repo_root

__all__ = ["Course", "GradingError", "find_repo_root"]
