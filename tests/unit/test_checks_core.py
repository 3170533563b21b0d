"""The practice-check core: messages are one clear sentence, never the answer, never a traceback."""

from __future__ import annotations

import pandas as pd
import pytest

from course.checks import PLACEHOLDER, Status, bind
from course.checks.core import (
    CheckError,
    EqualityProblem,
    Feedback,
    FunctionProblem,
    ThoughtProblem,
    compare,
)


class Share(EqualityProblem):
    var = "share"
    expected = 0.52
    tolerance = 1e-3
    hints = ["first", "second"]
    solution = "share = 300 / 577"


class Table(EqualityProblem):
    var = "table"
    hints = ["h"]
    solution = "..."

    def expected(self):
        return pd.DataFrame({"region": ["IDF", "PACA", "Other"], "n": [286, 60, 231]})


class Double(FunctionProblem):
    var = "double"
    cases = [((1,), 2), ((2.5,), 5.0)]
    hints = ["h"]
    solution = "def double(x):\n    return 2 * x"


def test_placeholder_reads_as_not_attempted():
    """Does a placeholder left in place read as not attempted rather than wrong?"""
    assert Share({"share": PLACEHOLDER}).evaluate().status is Status.NOT_ATTEMPTED
    assert Share({}).evaluate().status is Status.NOT_ATTEMPTED


def test_float_within_tolerance_is_correct_and_never_shows_the_answer():
    """Is a float within tolerance accepted, and does a wrong one get a message without the answer?"""
    assert Share({"share": 300 / 577}).evaluate().status is Status.CORRECT
    feedback = Share({"share": 0.6}).evaluate()
    assert feedback.status is Status.INCORRECT
    assert "0.52" not in str(feedback) and "0.52" not in feedback._repr_html_()


def test_percentage_instead_of_share_is_named():
    """Does 52 instead of 0.52 get a message that says it looks like a percentage?"""
    feedback = Share({"share": 52.0}).evaluate()
    assert feedback.status is Status.INCORRECT
    assert "percentage" in feedback.message


@pytest.mark.parametrize("value", ["0.52", [0.52], None, True])
def test_wrong_type_is_one_sentence(value):
    """Does a value of the wrong type get one sentence naming the expected kind, not a traceback?"""
    feedback = Share({"share": value}).evaluate()
    assert feedback.status is Status.INCORRECT
    assert "number" in feedback.message
    assert feedback.message.count(".") <= 2


def test_dataframe_in_another_order_says_so():
    """Does a table with the right values in another row order get a specific message?"""
    shuffled = Table().expected().iloc[[2, 0, 1]]
    feedback = Table({"table": shuffled}).evaluate()
    assert feedback.status is Status.INCORRECT
    assert "order" in feedback.message


def test_dataframe_with_columns_reordered_is_accepted():
    """Is a table with the same columns in another order still correct?"""
    frame = Table().expected()[["n", "region"]]
    assert Table({"table": frame}).evaluate().status is Status.CORRECT


def test_dataframe_missing_column_is_named():
    """Does a missing column get named?"""
    frame = Table().expected().drop(columns="n")
    assert "n" in Table({"table": frame}).evaluate().message


def test_ignore_order_accepts_any_row_order():
    """Does ignore_order accept the same rows in any order?"""

    class AnyOrder(Table):
        ignore_order = True

    shuffled = Table().expected().iloc[[2, 0, 1]]
    assert AnyOrder({"table": shuffled}).evaluate().status is Status.CORRECT


def test_function_problem_reports_the_failing_case_not_the_answer():
    """Does a wrong function get told which input fails, without the expected output?"""
    feedback = Double({"double": lambda x: x + 1}).evaluate()
    assert feedback.status is Status.INCORRECT
    assert "double(1)" in feedback.message or "double(2.5)" in feedback.message
    assert "5.0" not in feedback.message


def test_function_problem_catches_exceptions_and_missing_return():
    """Does a function that raises or forgets return get one sentence, not a traceback?"""
    assert "ZeroDivisionError" in Double({"double": lambda x: x / 0}).evaluate().message
    assert "return" in Double({"double": lambda x: None}).evaluate().message
    assert Double({"double": 3}).evaluate().status is Status.INCORRECT
    assert Double({"double": lambda x: 2 * x}).evaluate().status is Status.CORRECT


def test_hints_are_successive_and_bounded():
    """Do hints come one after another, stop at the last, and reject a bad number politely?"""
    question = Share({})
    assert "first" in str(question._hint_feedback(None))
    assert "second" in str(question._hint_feedback(None))
    assert "second" in str(question._hint_feedback(None))
    assert "hints" in str(question._hint_feedback(7))


def test_solution_is_a_method_and_shows_the_text(capsys):
    """Does q.solution() print the model answer (plain text outside Jupyter)?"""
    Share({}).solution()
    assert "share = 300 / 577" in capsys.readouterr().out


def test_thought_problem_only_reveals():
    """Does a thought question point to its solution instead of judging?"""

    class Think(ThoughtProblem):
        hints = ["think"]
        solution = "model answer"

    assert Think({}, name="q9").evaluate().status is Status.INFO
    assert "q9.solution()" in Think({}, name="q9").evaluate().message


def test_feedback_renders_html_escaped():
    """Does feedback render as escaped HTML in Jupyter and as plain text elsewhere?"""
    feedback = Feedback(Status.INCORRECT, "<script>x</script>")
    assert "<script>" not in feedback._repr_html_()
    assert str(feedback).startswith("Incorrect: ")


def test_bind_injects_questions_and_placeholder():
    """Does bind put q1…qN and ____ in the namespace?"""
    namespace: dict = {}
    bound = bind(namespace, "m0_start_here")
    assert bound is not None and "q1" in namespace and namespace["____"] is PLACEHOLDER


def test_bind_unknown_lesson_is_a_message_not_a_traceback(capsys):
    """Does an unknown lesson name print the known names instead of raising?"""
    assert bind({}, "m9_nothing") is None
    out = capsys.readouterr().out
    assert "m9_nothing" in out and "m0_start_here" in out


def test_compare_nested_dict_names_the_key():
    """Does a wrong value inside a dict name its key?"""
    with pytest.raises(CheckError, match="'b'"):
        compare({"a": 1, "b": 2}, {"a": 1, "b": 3})


class Denominator(EqualityProblem):
    """A question with declared mistakes: each must get its own message."""

    var = "rate"
    expected = 0.25
    hints = ["h"]
    solution = "rate = 20 / 80"


def _with_mistakes():
    from course.checks.core import Mistake

    class Diagnosed(Denominator):
        wrong = [
            Mistake(0.1, "You divided by members: use the active members."),
            Mistake(25.0, "A percentage: give a share."),
            0.9,  # a plain wrong answer keeps the generic message
        ]

    return Diagnosed


def test_mistake_gets_its_own_message():
    """Does a declared mistake get the message aimed at it, and an unknown error the generic one?"""
    question = _with_mistakes()(module="")
    assert question.evaluate_value(0.1).message == "You divided by members: use the active members."
    assert question.evaluate_value(25.0).message == "A percentage: give a share."
    generic = question.evaluate_value(0.9)
    assert generic.status is Status.INCORRECT and "not right" in generic.message
    assert question.evaluate_value(0.25).status is Status.CORRECT


def test_function_mistake_is_recognised_by_its_outputs():
    """Is a trainee's function that behaves like a declared wrong function told that mistake?"""
    from course.checks.core import Mistake

    class Halving(Double):
        wrong = [Mistake(lambda x: x / 2, "You halved instead of doubling.")]

    question = Halving(module="")
    assert question.evaluate_value(lambda x: 0.5 * x).message == "You halved instead of doubling."
    other = question.evaluate_value(lambda x: x + 1)
    assert other.status is Status.INCORRECT and other.message.startswith("On case")


def test_assert_question_bites_catches_a_mistake_that_is_not_diagnosed():
    """Does the suite fail a question whose declared mistake is shadowed by an earlier one?"""
    from course.checks.core import Mistake
    from course.checks.testing import verdicts

    class Shadowed(Denominator):
        wrong = [Mistake(0.1, "first"), Mistake(0.1, "second")]

    result = verdicts("m0_start_here", Shadowed)
    assert result["wrong_messages"][1] == ("first", "second")


@pytest.mark.parametrize(
    ("actual", "accepted"),
    [(0.52 * (1 + 5e-7), True), (0.52 + 9e-7, True), (0.52 + 3e-6, False), (0.52 * 1.00001, False)],
)
def test_compare_tolerance_boundary_for_numbers(actual, accepted):
    """Is a number accepted just inside the default tolerance (1e-6) and refused just outside it?"""
    if accepted:
        compare(actual, 0.52)
    else:
        with pytest.raises(CheckError):
            compare(actual, 0.52)


@pytest.mark.parametrize(("offset", "accepted"), [(5e-7, True), (5e-5, False), (1e-3, False)])
def test_compare_tolerance_boundary_for_tables(offset, accepted):
    """Are table values accepted within the tolerance and refused ten times beyond it?"""
    expected = pd.DataFrame({"share": [0.25, 0.5, 0.25]}, index=["a", "b", "c"])
    actual = expected + offset
    if accepted:
        compare(actual, expected, tolerance=1e-6)
    else:
        with pytest.raises(CheckError, match="not right"):
            compare(actual, expected, tolerance=1e-6)


def test_compare_series_tolerance_is_the_declared_one():
    """Does a Series differing by 1e-4 pass with tolerance 1e-3 and fail with tolerance 1e-5?"""
    expected = pd.Series([0.1, 0.2, 0.7], index=["x", "y", "z"])
    compare(expected + 1e-4, expected, tolerance=1e-3)
    with pytest.raises(CheckError):
        compare(expected + 1e-4, expected, tolerance=1e-5)


def test_a_declared_mistake_names_itself_and_an_unknown_one_stays_generic():
    """Does a matching Mistake give its own message, and any other wrong answer the generic one?"""
    from course.checks.core import EqualityProblem, Mistake, Status

    class Share(EqualityProblem):
        var = "share"
        expected = 0.25
        wrong = [Mistake(4.0, "You divided the whole by the part."), 0.3]

    question = Share({})
    named = question.evaluate_value(4.0)
    assert (
        named.status is Status.INCORRECT and named.message == "You divided the whole by the part."
    )
    generic = question.evaluate_value(0.3)
    assert generic.status is Status.INCORRECT and "divided" not in generic.message
    assert question.evaluate_value(0.25).status is Status.CORRECT


def test_a_function_mistake_matches_on_every_case():
    """Is a function read as a declared mistake only when it agrees with it on every case?"""
    import math

    from course.checks.core import FunctionProblem, Mistake

    class Needed(FunctionProblem):
        var = "needed"
        cases = [((0.05,), 385), ((0.1,), 97)]
        wrong = [Mistake(lambda m: round(1.96**2 * 0.25 / m**2), "Round a sample size up.")]

    question = Needed({})
    assert question.evaluate_value(lambda m: round(1.96**2 * 0.25 / m**2)).message == (
        "Round a sample size up."
    )
    assert "Round" not in question.evaluate_value(lambda m: 1).message
    assert question.evaluate_value(lambda m: math.ceil(1.96**2 * 0.25 / m**2)).message.startswith(
        "`needed` passes"
    )
