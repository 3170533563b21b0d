"""Every practice question in the repository bites: reference passes, wrong fails, placeholder reads as not attempted."""

from __future__ import annotations

import pytest

from course.checks import module_names, questions
from course.checks.testing import assert_question_bites


def _all_questions():
    for module in module_names():
        for number, cls in enumerate(questions(module), start=1):
            yield pytest.param(module, cls, id=f"{module}-q{number}-{cls.__name__}")


@pytest.mark.parametrize(("module", "cls"), list(_all_questions()))
def test_question_bites(module, cls):
    """Does the question accept its reference answer, reject each wrong one and spot the placeholder?"""
    assert_question_bites(module, cls)


@pytest.mark.parametrize("module", module_names())
def test_module_has_a_lesson_and_enough_questions(module, repo):
    """Does each checks module belong to a lesson, with enough questions (six for a full module)?"""
    assert (repo / "modules" / f"{module}.ipynb").exists()
    minimum = 3 if module == "m0_start_here" else 6
    assert len(questions(module)) >= minimum


@pytest.mark.parametrize("module", module_names())
def test_lesson_binds_its_questions_and_calls_each_check(module, repo):
    """Does the lesson bind its own checks and give the trainee a check() for every question?"""
    import nbformat

    nb = nbformat.read(repo / "modules" / f"{module}.ipynb", as_version=4)
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    assert f'bind(globals(), "{module}")' in code
    for number in range(1, len(questions(module)) + 1):
        assert f"q{number}.check()" in code or f"q{number}.solution()" in code, (
            f"q{number} never offered"
        )
