"""Practice checks in the learntools manner: one small class per question.

A question reads a variable from the trainee's notebook and compares it with the expected value
(``EqualityProblem``), calls a trainee's function on input/output cases (``FunctionProblem``), or
only offers hints and a model answer (``ThoughtProblem``). ``check()`` never shows the expected
value and never raises a traceback at the trainee: whatever goes wrong becomes one sentence.
"""

from __future__ import annotations

import contextlib
import html
import logging
import math
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from numbers import Number
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from course import progress_log

_log = logging.getLogger(__name__)


class Placeholder:
    """The value a trainee replaces: ``share = ____``. Reads as "not attempted" in a check."""

    _instance: ClassVar[Placeholder | None] = None

    def __new__(cls) -> Placeholder:
        # One placeholder everywhere, so an identity test is enough.
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "____"


PLACEHOLDER = Placeholder()


class Status(StrEnum):
    """Outcome of a check."""

    CORRECT = "correct"
    INCORRECT = "incorrect"
    NOT_ATTEMPTED = "not attempted"
    INFO = "info"


_STYLE = {
    Status.CORRECT: ("#1b7837", "Correct"),
    Status.INCORRECT: ("#b2182b", "Incorrect"),
    Status.NOT_ATTEMPTED: ("#8c510a", "Not attempted yet"),
    Status.INFO: ("#2166ac", "Note"),
}


@dataclass(frozen=True)
class Feedback:
    """What a check, hint or solution says: plain text everywhere, HTML in JupyterLab."""

    status: Status
    message: str
    title: str | None = None
    code: str | None = None

    @property
    def label(self) -> str:
        return self.title or _STYLE[self.status][1]

    def __str__(self) -> str:
        text = f"{self.label}: {self.message}" if self.message else self.label
        if self.code:
            text += "\n\n" + self.code
        return text

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour, _ = _STYLE[self.status]
        body = html.escape(self.message)
        block = f"<pre><code>{html.escape(self.code)}</code></pre>" if self.code else ""
        return (
            f'<div role="status" style="border-left:4px solid {colour};padding:0.3em 0.8em;">'
            f'<strong style="color:{colour}">{html.escape(self.label)}</strong>'
            f"{': ' + body if body else ''}{block}</div>"
        )


class CheckError(Exception):
    """Raised inside a comparison to turn into one sentence of feedback for the trainee."""


def show(feedback: Feedback) -> None:
    """Display feedback as HTML under IPython and as plain text elsewhere."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython is a dependency, but stay usable without
        print(feedback)
        return
    if get_ipython() is None:
        print(feedback)
    else:
        display(feedback)


def describe_type(value: Any) -> str:
    """A short, trainee-friendly name for the type of ``value``."""
    if isinstance(value, bool):
        return "a boolean (True/False)"
    if isinstance(value, Number):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, pd.DataFrame):
        return "a DataFrame"
    if isinstance(value, pd.Series):
        return "a Series"
    if isinstance(value, dict):
        return "a dict"
    if isinstance(value, list | tuple):
        return f"a {type(value).__name__}"
    if callable(value):
        return "a function"
    return f"a {type(value).__name__}"


def compare(
    actual: Any, expected: Any, tolerance: float = 1e-6, ignore_order: bool = False
) -> None:
    """Compare a trainee's value with the expected one.

    Args:
        actual: the trainee's value.
        expected: the reference value.
        tolerance: relative and absolute tolerance for floats and numeric tables.
        ignore_order: for DataFrames and Series, accept rows in any order.

    Raises:
        CheckError: with one sentence that says what is wrong, never the expected value.
    """
    if isinstance(expected, pd.DataFrame):
        _compare_frames(actual, expected, tolerance, ignore_order)
    elif isinstance(expected, pd.Series):
        _compare_series(actual, expected, tolerance, ignore_order)
    elif isinstance(expected, bool):
        if not isinstance(actual, bool | np.bool_):
            raise CheckError(f"Expected a boolean (True/False), got {describe_type(actual)}.")
        if bool(actual) != expected:
            raise CheckError("That is not the right answer.")
    elif isinstance(expected, Number):
        if isinstance(actual, bool) or not isinstance(actual, Number):
            raise CheckError(f"Expected a number, got {describe_type(actual)}.")
        if not math.isclose(float(actual), float(expected), rel_tol=tolerance, abs_tol=tolerance):
            if (
                expected
                and 0 < abs(float(expected)) <= 1
                and math.isclose(float(actual), 100 * float(expected), rel_tol=tolerance)
            ):
                raise CheckError("Close: it looks like a percentage; give a share between 0 and 1.")
            raise CheckError("The number is not right yet.")
    elif isinstance(expected, str):
        if not isinstance(actual, str):
            raise CheckError(f"Expected a string, got {describe_type(actual)}.")
        if actual.strip().casefold() != expected.strip().casefold():
            raise CheckError("That is not the expected text.")
    elif isinstance(expected, list | tuple | set | frozenset):
        _compare_collections(actual, expected, tolerance, ignore_order)
    elif isinstance(expected, dict):
        if not isinstance(actual, dict):
            raise CheckError(f"Expected a dict, got {describe_type(actual)}.")
        if set(actual) != set(expected):
            missing = sorted(map(str, set(expected) - set(actual)))
            extra = sorted(map(str, set(actual) - set(expected)))
            parts = []
            if missing:
                parts.append(f"missing keys {', '.join(missing)}")
            if extra:
                parts.append(f"unexpected keys {', '.join(extra)}")
            raise CheckError(f"The dict has {' and '.join(parts)}.")
        for key in expected:
            try:
                compare(actual[key], expected[key], tolerance)
            except CheckError as exc:
                raise CheckError(f"For key {key!r}: {exc}") from None
    elif expected is None:
        if actual is not None:
            raise CheckError(f"Expected None, got {describe_type(actual)}.")
    elif actual != expected:
        raise CheckError("That is not the right answer.")


def _compare_collections(actual: Any, expected: Any, tolerance: float, ignore_order: bool) -> None:
    if isinstance(expected, set | frozenset):
        if not isinstance(actual, set | frozenset | list | tuple):
            raise CheckError(f"Expected a collection of items, got {describe_type(actual)}.")
        if set(actual) != set(expected):
            raise CheckError("The items are not the right ones yet.")
        return
    if not isinstance(actual, list | tuple | np.ndarray | pd.Series):
        raise CheckError(f"Expected a list, got {describe_type(actual)}.")
    actual = list(actual)
    if len(actual) != len(expected):
        raise CheckError(f"Expected {len(expected)} items, got {len(actual)}.")
    if ignore_order:
        with contextlib.suppress(TypeError):
            actual, expected = sorted(actual), sorted(expected)
    for position, (mine, ref) in enumerate(zip(actual, expected, strict=True), start=1):
        try:
            compare(mine, ref, tolerance)
        except CheckError:
            if not ignore_order and sorted(map(repr, actual)) == sorted(map(repr, expected)):
                raise CheckError("The items are right but not in the expected order.") from None
            raise CheckError(f"Item {position} is not right yet.") from None


def _compare_series(actual: Any, expected: pd.Series, tolerance: float, ignore_order: bool) -> None:
    if isinstance(actual, pd.DataFrame) and actual.shape[1] == 1:
        raise CheckError("Expected a Series, got a one-column DataFrame: select the column.")
    if not isinstance(actual, pd.Series):
        raise CheckError(f"Expected a Series, got {describe_type(actual)}.")
    _compare_frames(actual.to_frame("value"), expected.to_frame("value"), tolerance, ignore_order)


def _compare_frames(
    actual: Any, expected: pd.DataFrame, tolerance: float, ignore_order: bool
) -> None:
    if isinstance(actual, pd.Series) and expected.shape[1] != 1:
        raise CheckError("Expected a DataFrame, got a Series.")
    if isinstance(actual, pd.Series):
        actual = actual.to_frame(expected.columns[0])
    if not isinstance(actual, pd.DataFrame):
        raise CheckError(f"Expected a DataFrame, got {describe_type(actual)}.")
    if actual.shape[0] != expected.shape[0]:
        raise CheckError(f"Expected {expected.shape[0]} rows, got {actual.shape[0]}.")
    if set(map(str, actual.columns)) != set(map(str, expected.columns)):
        missing = [str(c) for c in expected.columns if str(c) not in set(map(str, actual.columns))]
        if missing:
            raise CheckError(f"Missing column(s): {', '.join(missing)}.")
        raise CheckError("The table has extra columns.")
    actual = actual.rename(columns=str)
    expected = expected.rename(columns=str)
    actual = actual[list(expected.columns)]
    if _frames_equal(actual, expected, tolerance):
        return
    if _frames_equal(_sorted(actual), _sorted(expected), tolerance):
        if ignore_order:
            return
        raise CheckError(
            "The values are right but the rows are in another order: sort them as asked."
        )
    raise CheckError("The values in the table are not right yet.")


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    # Sort by index then by every column, so that the same rows in any order compare equal.
    frame = frame.reset_index()
    try:
        return frame.sort_values(list(frame.columns), kind="mergesort").reset_index(drop=True)
    except TypeError:
        return frame.astype(str).sort_values(list(frame.columns)).reset_index(drop=True)


def _frames_equal(actual: pd.DataFrame, expected: pd.DataFrame, tolerance: float) -> bool:
    if not actual.index.equals(expected.index):
        try:
            if list(map(str, actual.index)) != list(map(str, expected.index)):
                return False
        except TypeError:
            return False
    for column in expected.columns:
        mine, ref = actual[column], expected[column]
        if pd.api.types.is_numeric_dtype(ref) and not pd.api.types.is_bool_dtype(ref):
            if not pd.api.types.is_numeric_dtype(mine):
                return False
            if not np.allclose(
                mine.to_numpy(dtype=float),
                ref.to_numpy(dtype=float),
                rtol=tolerance,
                atol=tolerance,
                equal_nan=True,
            ):
                return False
        elif list(mine.astype(str)) != list(ref.astype(str)):
            return False
    return True


@dataclass(frozen=True)
class Mistake:
    """A wrong answer a trainee is likely to give, with the feedback aimed at that mistake.

    Put it in a question's ``wrong`` list (directly or from a :class:`LazyWrong`): when a
    trainee's answer matches ``value`` (a function: gives the same outputs on every case),
    ``check()`` says ``message`` instead of the generic sentence, and the test suite proves that
    it does. The message names the slip and the way out, never the expected value.
    """

    value: Any
    message: str
    #: how close an answer must be to ``value`` to be read as this mistake (a value written
    #: rounded needs a looser one); ``None``: the question's own tolerance.
    tolerance: float | None = None

    def within(self, question_tolerance: float) -> float:
        """The tolerance to match this mistake with, for a question of ``question_tolerance``."""
        return self.tolerance if self.tolerance is not None else question_tolerance


class LazyWrong:
    """Wrong answers computed from the data when the test suite asks for them, never at import.

    Use as ``wrong = LazyWrong(make)``, where ``make()`` returns the list of wrong answers.
    """

    def __init__(self, make: Callable[[], list[Any]]):
        self._make = make

    def __iter__(self) -> Iterator[Any]:
        return iter(self._make())

    def __len__(self) -> int:
        return len(self._make())

    def __bool__(self) -> bool:
        return True


class Problem:
    """Base class of a practice question.

    Subclasses set ``hints`` (successive, most gentle first) and ``solution`` (code or text);
    ``wrong`` lists wrong answers that the test suite proves the check rejects;
    the module that binds them sets ``namespace`` (the notebook's globals) and ``name`` (``q1``).
    """

    hints: ClassVar[list[str]] = []
    #: wrong answers for the test suite: each must make ``evaluate()`` report INCORRECT.
    wrong: ClassVar[list[Any]] = []

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Questions declare ``solution = "..."`` as learntools does; keep the text aside so that
        # ``q1.solution()`` stays a method.
        text = cls.__dict__.get("solution")
        if isinstance(text, str):
            cls._solution_text = text
            delattr(cls, "solution")

    _solution_text: ClassVar[str] = ""

    def __init__(self, namespace: dict[str, Any] | None = None, name: str = "", module: str = ""):
        self.namespace = namespace if namespace is not None else {}
        self.name = name or type(self).__name__
        self.module = module
        self._hints_shown = 0

    # -- what the trainee calls -------------------------------------------------------------
    def check(self) -> None:
        """Say whether the answer is correct, incorrect (and why), or not attempted yet."""
        feedback = self.evaluate()
        self._record("check", feedback.status.value)
        show(feedback)

    def hint(self, n: int | None = None) -> None:
        """Show the next hint (or hint number ``n``, starting at 1)."""
        show(self._hint_feedback(n))

    def solution(self) -> None:
        """Reveal the model answer."""
        self._record("solution", None)
        show(Feedback(Status.INFO, "", title=f"Solution to {self.name}", code=self.solution_text))

    # -- for tests and subclasses ------------------------------------------------------------
    @property
    def solution_text(self) -> str:
        return self._solution_text

    def evaluate(self) -> Feedback:
        """Return the feedback of ``check()`` without displaying it."""
        raise NotImplementedError

    def _hint_feedback(self, n: int | None) -> Feedback:
        hints = type(self).hints
        if not hints:
            return Feedback(Status.INFO, "No hint for this one: try, then look at the solution.")
        if n is None:
            self._hints_shown = min(self._hints_shown + 1, len(hints))
            n = self._hints_shown
        if not isinstance(n, int) or not 1 <= n <= len(hints):
            return Feedback(
                Status.INFO, f"There are {len(hints)} hints: ask for 1 to {len(hints)}."
            )
        self._record("hint", str(n))
        more = f" (hint {n} of {len(hints)})"
        return Feedback(Status.INFO, hints[n - 1], title="Hint" + more)

    def _record(self, action: str, outcome: str | None) -> None:
        if not self.module:
            return
        try:
            progress_log.record(self.module, self.name, action, outcome)
        except (OSError, sqlite3.Error) as exc:
            # Progress is a convenience: a full disk or a locked file must not break a check,
            # but the trainee (and the test suite) should hear that it was not recorded.
            _log.warning(
                "practice progress not recorded (%s): %s", progress_log.database_path(), exc
            )


class EqualityProblem(Problem):
    """The trainee stores a value in a variable; it must equal the expected value.

    Class attributes:
        var: name of the notebook variable to check.
        expected: the reference value, or a method ``expected(self)`` computing it lazily.
        tolerance: relative and absolute tolerance for numbers and numeric tables.
        ignore_order: accept DataFrame/Series rows (or list items) in any order.
    """

    var: ClassVar[str] = ""
    tolerance: ClassVar[float] = 1e-6
    ignore_order: ClassVar[bool] = False

    def expected_value(self) -> Any:
        value = getattr(self, "expected", None)
        return value() if callable(value) else value

    def evaluate_value(self, value: Any) -> Feedback:
        """Check ``value`` as if the trainee had stored it in ``var``."""
        if value is PLACEHOLDER or value is Ellipsis:
            return Feedback(
                Status.NOT_ATTEMPTED,
                f"replace ____ in `{self.var} = ____` with your answer, run the cell, then check.",
            )
        try:
            compare(value, self.expected_value(), self.tolerance, self.ignore_order)
        except CheckError as exc:
            return Feedback(Status.INCORRECT, self._diagnosis(value) or str(exc))
        except Exception as exc:  # a comparison that blows up is still one sentence
            return Feedback(
                Status.INCORRECT, f"Could not compare your value ({type(exc).__name__})."
            )
        return Feedback(Status.CORRECT, "well done.")

    def evaluate(self) -> Feedback:
        if self.var not in self.namespace:
            return Feedback(
                Status.NOT_ATTEMPTED,
                f"no variable `{self.var}` yet: run the cell that defines it, then check again.",
            )
        return self.evaluate_value(self.namespace[self.var])

    def _diagnosis(self, value: Any) -> str | None:
        """The message of the first declared :class:`Mistake` that ``value`` matches, if any."""
        for mistake in type(self).wrong:
            if not isinstance(mistake, Mistake):
                continue
            try:
                compare(value, mistake.value, mistake.within(self.tolerance), self.ignore_order)
            except Exception:  # not this mistake (or not comparable with it)
                continue
            return mistake.message
        return None


class FunctionProblem(Problem):
    """The trainee writes a function; it must return the expected output on every case.

    Class attributes:
        var: name of the notebook function to check.
        cases: list of ``(args, expected)`` pairs, ``args`` a tuple; or a method returning it.
        tolerance: as in ``EqualityProblem``.
    """

    var: ClassVar[str] = ""
    tolerance: ClassVar[float] = 1e-6

    def case_list(self) -> list[tuple[tuple, Any]]:
        value = getattr(self, "cases", [])
        return list(value() if callable(value) else value)

    def evaluate_value(self, func: Any) -> Feedback:
        """Check ``func`` as if the trainee had defined it as ``var``."""
        if func is PLACEHOLDER or func is Ellipsis:
            return Feedback(Status.NOT_ATTEMPTED, f"define the function `{self.var}` first.")
        if not callable(func):
            return Feedback(
                Status.INCORRECT, f"`{self.var}` should be a function, got {describe_type(func)}."
            )
        for number, (args, expected) in enumerate(self.case_list(), start=1):
            shown_args = ", ".join(_short_repr(arg) for arg in args)
            try:
                result = func(*args)
            except NotImplementedError:
                return Feedback(Status.NOT_ATTEMPTED, f"`{self.var}` is not written yet.")
            except Exception as exc:
                return Feedback(
                    Status.INCORRECT,
                    f"`{self.var}({shown_args})` raised {type(exc).__name__}: {exc}",
                )
            if result is None and expected is not None:
                return Feedback(
                    Status.INCORRECT,
                    f"`{self.var}({shown_args})` returned None: did you forget `return`?",
                )
            try:
                compare(result, expected, self.tolerance)
            except CheckError as exc:
                diagnosis = self._diagnosis(func)
                return Feedback(
                    Status.INCORRECT,
                    diagnosis or f"On case {number}, `{self.var}({shown_args})`: {exc}",
                )
        return Feedback(Status.CORRECT, f"`{self.var}` passes all {number} cases.")

    def evaluate(self) -> Feedback:
        if self.var not in self.namespace:
            return Feedback(
                Status.NOT_ATTEMPTED, f"no function `{self.var}` yet: run the cell that defines it."
            )
        return self.evaluate_value(self.namespace[self.var])

    def _diagnosis(self, func: Any) -> str | None:
        """The message of the first declared :class:`Mistake` whose function ``func`` mimics."""
        for mistake in type(self).wrong:
            if not isinstance(mistake, Mistake):
                continue
            try:
                for args, _ in self.case_list():
                    compare(func(*args), mistake.value(*args), mistake.within(self.tolerance))
            except Exception:  # a different slip, or none we know
                continue
            return mistake.message
        return None


class ThoughtProblem(Problem):
    """A question to think about: no check, only hints and a model answer to compare with."""

    def evaluate(self) -> Feedback:
        return Feedback(
            Status.INFO,
            f"this is a question to think about: write your answer, then compare with "
            f"{self.name}.solution().",
        )


def _short_repr(value: Any, limit: int = 40) -> str:
    if isinstance(value, pd.DataFrame):
        return f"<DataFrame {value.shape[0]}×{value.shape[1]}>"
    if isinstance(value, pd.Series | np.ndarray):
        return f"<{type(value).__name__} of {len(value)}>"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
