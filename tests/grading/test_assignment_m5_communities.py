"""The M5 assignment's shape, read from its source notebook: what issue 16 asks of it."""

from __future__ import annotations

import re
import tomllib

import nbformat
import pytest
from grading_support import FIXTURES, SOURCE

NAME = "m5_communities"


@pytest.fixture(scope="module")
def cells():
    nb = nbformat.read(SOURCE / NAME / f"{NAME}.ipynb", as_version=4)
    return [c for c in nb.cells if "nbgrader" in c.metadata]


def _graded(cells):
    tests = [c for c in cells if c.metadata.nbgrader["grade"] and c.cell_type == "code"]
    written = [c for c in cells if c.metadata.nbgrader["grade"] and c.cell_type == "markdown"]
    return tests, written


def test_enough_autograded_work_and_written_work(cells):
    """Are there at least 6 autograded questions worth at least 20 points, and written work worth
    at least 35% of all points?"""
    tests, written = _graded(cells)
    auto = sum(c.metadata.nbgrader["points"] for c in tests)
    manual = sum(c.metadata.nbgrader["points"] for c in written)
    assert len(tests) >= 6 and auto >= 20
    assert written and manual / (auto + manual) >= 0.35


def test_grade_ids_follow_the_convention(cells):
    """Is every answer id mN_qK_slug, its test cell the same id with _tests, ids unique?"""
    ids = [c.metadata.nbgrader["grade_id"] for c in cells]
    assert len(ids) == len(set(ids))
    tests, written = _graded(cells)
    pattern = re.compile(r"^m5_q\d+_[a-z0-9_]+$")
    for cell in tests:
        grade_id = cell.metadata.nbgrader["grade_id"]
        assert pattern.match(grade_id) and grade_id.endswith("_tests")
        assert grade_id.removesuffix("_tests") in ids, f"{grade_id} has no answer cell"
    for cell in written:
        assert pattern.match(cell.metadata.nbgrader["grade_id"])


def test_hidden_tests_only_record(cells):
    """Does each test cell open with a docstring and keep its hidden part to record() calls,
    never comparing in the student's kernel?"""
    tests, _ = _graded(cells)
    for cell in tests:
        source = cell.source
        assert source.startswith('"""') and source.split("\n", 1)[0].endswith('"""')
        assert "from course.grading.answers import" in source
        hidden = source.split("### BEGIN HIDDEN TESTS", 1)[1].split("### END HIDDEN TESTS", 1)[0]
        assert "record" in hidden
        assert not re.search(r"^\s*assert\b", hidden, flags=re.M), cell.metadata.nbgrader
        assert "course.data" not in hidden  # references come from the source, not the kernel


def test_every_autograded_question_has_a_wrong_fixture(cells):
    """Does cases.toml hold a plausible wrong answer that loses each autograded question?"""
    tests, _ = _graded(cells)
    cases = tomllib.loads((FIXTURES / NAME / "cases.toml").read_text())["case"]
    lost = {case["expect"].removeprefix("lose:") for case in cases}
    for cell in tests:
        question = "_".join(cell.metadata.nbgrader["grade_id"].split("_")[:2])
        assert question in lost, f"no wrong answer for {question}"
