"""Practice checks for the lessons: ``q1.check()``, ``q1.hint()``, ``q1.solution()``.

In a lesson, one line binds the module's questions to ``q1``, ``q2``, … and the placeholder ``____``::

    from course.checks import bind; bind(globals(), "m1_roles")
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import Any

from course.checks.core import (
    PLACEHOLDER,
    EqualityProblem,
    Feedback,
    FunctionProblem,
    Mistake,
    Placeholder,
    Problem,
    Status,
    ThoughtProblem,
    show,
)

__all__ = [
    "PLACEHOLDER",
    "EqualityProblem",
    "Feedback",
    "FunctionProblem",
    "Mistake",
    "Placeholder",
    "Problem",
    "Status",
    "ThoughtProblem",
    "bind",
    "module_names",
    "questions",
]

_NOT_MODULES = {"core", "testing"}


def module_names() -> list[str]:
    """Names of the lessons that have practice checks, e.g. ``["m0_start_here", "m1_roles"]``."""
    package = importlib.import_module("course.checks")
    return sorted(
        info.name
        for info in pkgutil.iter_modules(package.__path__)
        if info.name not in _NOT_MODULES and not info.name.startswith("_")
    )


def load_module(module: str) -> ModuleType:
    """Import ``course.checks.<module>``.

    Raises:
        KeyError: when no lesson of that name has checks; the message lists the known ones.
    """
    if module not in module_names():
        raise KeyError(
            f"No practice checks for {module!r}; known lessons: {', '.join(module_names())}"
        )
    return importlib.import_module(f"course.checks.{module}")


def questions(module: str) -> list[type[Problem]]:
    """The question classes of a lesson, in order (``q1`` first)."""
    return list(load_module(module).QUESTIONS)


def bind(namespace: dict[str, Any], module: str) -> dict[str, Problem] | None:
    """Bind a lesson's questions into a notebook namespace as ``q1``, ``q2``, …

    Also puts the placeholder ``____`` in the namespace, so that ``answer = ____`` runs.

    Args:
        namespace: the notebook's ``globals()``.
        module: the lesson name, e.g. ``"m1_roles"``.

    Returns:
        The bound questions by name, or ``None`` (after a one-line message) when the lesson
        name is unknown: a trainee never sees a traceback from here.
    """
    try:
        classes = questions(module)
    except KeyError as exc:
        show(Feedback(Status.INCORRECT, str(exc.args[0]), title="Unknown lesson"))
        return None
    bound = {}
    for number, cls in enumerate(classes, start=1):
        name = f"q{number}"
        bound[name] = cls(namespace, name=name, module=module)
    namespace.update(bound)
    namespace["____"] = PLACEHOLDER
    return bound
