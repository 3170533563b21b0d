"""Helpers for the test suite: prove that every practice question bites.

For each question: the placeholder reads as not attempted, the reference solution (run after the
module's ``SETUP`` code and the question's own ``setup``) is correct, and every declared wrong
answer is incorrect.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

from course.checks import load_module
from course.checks.core import (
    PLACEHOLDER,
    EqualityProblem,
    FunctionProblem,
    Mistake,
    Problem,
    Status,
    ThoughtProblem,
)


def run_solution(module: str, cls: type[Problem]) -> dict[str, Any]:
    """Run a question's solution code after the lesson's setup; return the namespace."""
    checks = load_module(module)
    namespace: dict[str, Any] = {"____": PLACEHOLDER}
    code = "\n".join(
        part
        for part in (getattr(checks, "SETUP", ""), getattr(cls, "setup", ""), cls._solution_text)
        if part
    )
    # Solutions may print or plot; keep the test output quiet.
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, f"<{module}.{cls.__name__} solution>", "exec"), namespace)
    return namespace


def verdicts(module: str, cls: type[Problem]) -> dict[str, Any]:
    """Evaluate a question on its placeholder, its reference solution and its wrong answers.

    Returns:
        ``{"placeholder": Status, "reference": Status, "wrong": [Status, ...]}``.
    """
    if issubclass(cls, ThoughtProblem):
        return {"placeholder": Status.INFO, "reference": Status.INFO, "wrong": []}
    placeholder = cls({cls.var: PLACEHOLDER}, module="").evaluate().status
    question = cls(run_solution(module, cls), module="")
    reference = question.evaluate()
    wrong, messages = [], []
    for value in cls.wrong:
        if isinstance(question, EqualityProblem | FunctionProblem):
            mistake = value if isinstance(value, Mistake) else None
            feedback = question.evaluate_value(mistake.value if mistake else value)
            wrong.append(feedback.status)
            # a declared mistake must be answered with its own message
            messages.append((feedback.message, mistake.message if mistake else None))
    return {
        "placeholder": placeholder,
        "reference": reference.status,
        "reference_message": reference.message,
        "wrong": wrong,
        "wrong_messages": messages,
    }


def assert_question_bites(module: str, cls: type[Problem]) -> None:
    """Fail unless the question behaves as a practice check must (see the module docstring)."""
    if issubclass(cls, ThoughtProblem):
        assert cls._solution_text.strip(), (
            f"{cls.__name__}: a thought question needs a model answer"
        )
        assert cls.hints, f"{cls.__name__}: a thought question needs at least one hint"
        return
    assert cls.var, f"{cls.__name__}: no variable named"
    assert cls._solution_text.strip(), f"{cls.__name__}: no solution"
    assert cls.hints, f"{cls.__name__}: no hint"
    assert cls.wrong, f"{cls.__name__}: declare at least one wrong answer"
    result = verdicts(module, cls)
    assert result["placeholder"] is Status.NOT_ATTEMPTED, (
        f"{cls.__name__}: placeholder not read as not attempted"
    )
    assert result["reference"] is Status.CORRECT, (
        f"{cls.__name__}: the reference solution fails: {result['reference_message']}"
    )
    for index, status in enumerate(result["wrong"]):
        assert status is Status.INCORRECT, f"{cls.__name__}: wrong answer #{index} was not rejected"
    for index, (said, meant) in enumerate(result["wrong_messages"]):
        assert meant is None or said == meant, (
            f"{cls.__name__}: wrong answer #{index} got {said!r}, not its declared message"
        )
    # Every question names at least one likely mistake (issue 19: feedback aimed at mistakes).
    assert any(meant for _, meant in result["wrong_messages"]), (
        f"{cls.__name__}: declare at least one Mistake with the message aimed at it"
    )
