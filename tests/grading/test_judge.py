"""Judging recorded answers in the grader: references from the solution, course-written outputs."""

from __future__ import annotations

import json
import os
import stat

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from course.grading.answers import ANSWER_MIME, answer
from course.grading.judge import (
    FAILED,
    TIMEOUT_MESSAGE,
    build_references,
    course_outputs,
    reference_path,
    references_for,
    string_literals,
    verdict,
    visible_source,
)
from course.grading.settings import GradingError

TEST_SOURCE = '''"""Is x the share?"""
assert 0 <= x <= 1, "give a share between 0 and 1"
### BEGIN HIDDEN TESTS
from course.grading.answers import record

record("x", x, message="look again at the denominator")
assert x != 0.5, "a hidden message"
### END HIDDEN TESTS'''


def _recorded(key, value, **settings):
    return new_output("display_data", data={ANSWER_MIME: answer(key, value, **settings)})


def _error(ename, evalue):
    return new_output("error", ename=ename, evalue=evalue, traceback=["secret line"])


REFERENCE = {
    "answers": {
        "x": {"value": 0.25, "tolerance": 1e-9, "ordered": True, "message": None},
        "y": {"value": [1, 2], "tolerance": 0.0, "ordered": False, "message": "check y"},
    },
    "literals": string_literals(visible_source(TEST_SOURCE)),
}


def test_visible_literals_leave_the_hidden_part_out():
    """Are only the string literals of the visible part kept (the docstring and messages)?"""
    assert "BEGIN" not in visible_source(TEST_SOURCE)
    assert string_literals(visible_source(TEST_SOURCE)) == [
        "Is x the share?",
        "give a share between 0 and 1",
    ]
    assert string_literals('assert x, f"{x} is wrong"\nprint("ok")') == ["ok"]
    assert string_literals("if x:\n    y = 'unfinished") == []  # broken source: no literals


def test_a_right_answer_passes_whatever_the_cell_printed():
    """Does a test pass on equal answers, with its printed output and warnings dropped?"""
    outputs = [
        new_output("stream", name="stderr", text="warning: rough"),
        _recorded("x", 0.25 + 1e-12),
        _recorded("y", [2, 1]),
    ]
    assert verdict(REFERENCE, outputs) == (None, "")
    assert course_outputs(None) == []


def test_wrong_missing_and_repeated_answers_fail_with_course_messages():
    """Are a wrong, a missing and a repeated answer each failed with a message of ours?"""
    assert verdict(REFERENCE, [_recorded("x", 0.3), _recorded("y", [1, 2])]) == (
        "The answer recorded as x is not right",
        FAILED,
    )
    assert verdict(REFERENCE, [_recorded("x", 0.25), _recorded("y", [1, 3])]) == (
        "check y",
        FAILED,
    )
    assert verdict(REFERENCE, [_recorded("x", 0.25)])[0] == "no answer was recorded as y"
    brute_force = [_recorded("x", 0.2), _recorded("x", 0.25), _recorded("y", [1, 2])]
    assert verdict(REFERENCE, brute_force)[0] == "the answer x was recorded more than once"


def test_the_submission_cannot_choose_tolerance_order_or_message():
    """Are tolerance, ordering and message taken from the reference, never the submission?"""
    loose = [
        _recorded("x", 0.3, tolerance=1.0, message="<script>"),
        _recorded("y", [2, 1], ordered=False),
    ]
    assert verdict(REFERENCE, loose) == ("The answer recorded as x is not right", FAILED)


def test_errors_show_only_visible_messages_or_our_own():
    """Does a raised error show a visible assert's message, or ours, never its own text?"""
    answers = [_recorded("x", 0.25), _recorded("y", [1, 2])]
    visible = _error("AssertionError", "give a share between 0 and 1")
    assert verdict(REFERENCE, [visible]) == ("give a share between 0 and 1", FAILED)
    hidden = _error("AssertionError", "a hidden message")
    leaked = _error("ValueError", 'record("x", x, message="look again at the denominator")')
    forged = _error("record(x, x)", "x")
    for error in (hidden, leaked):
        message, _ = verdict(REFERENCE, [*answers, error])
        assert message == f"no answer was recorded: the test stopped with {error.ename}"
    assert (
        verdict(REFERENCE, [forged])[0] == "no answer was recorded: the test stopped with an error"
    )
    timeout = _error("CellTimeoutError", "secret")
    assert verdict(REFERENCE, [_error("KeyboardInterrupt", ""), timeout]) == (
        TIMEOUT_MESSAGE,
        "CellTimeoutError",
    )
    died = _error("KernelDied", "the kernel died")
    assert verdict(REFERENCE, [died])[1] == "KernelDied"
    assert verdict(REFERENCE, [died])[0].startswith("stopped: the kernel died")
    [output] = course_outputs("give a share between 0 and 1")
    assert (output.ename, output.evalue) == (FAILED, "give a share between 0 and 1")
    assert output.traceback == [f"{FAILED}: give a share between 0 and 1"]


def test_forged_answer_outputs_are_just_wrong():
    """Do forged answer outputs (wrong types, text, junk) fail instead of crashing the grader?"""
    junk = [
        new_output("display_data", data={ANSWER_MIME: {"key": "x", "value": {"$float": 3}}}),
        new_output("display_data", data={ANSWER_MIME: json.dumps({"key": "y", "value": "x"})}),
    ]
    assert verdict(REFERENCE, junk)[0] == "The answer recorded as x is not right"
    node = nbformat.from_dict(
        {"output_type": "display_data", "metadata": {}, "data": {ANSWER_MIME: {"key": "x"}}}
    )
    assert verdict(REFERENCE, [node])[0] == "The answer recorded as x is not right"


def _source_notebook(path, test_source=TEST_SOURCE, answer_source="x = 0.25"):
    meta = {"schema_version": 3, "locked": False}
    answer_cell = new_code_cell(answer_source)
    answer_cell.metadata["nbgrader"] = {
        **meta,
        "grade_id": "q1_x",
        "solution": True,
        "grade": False,
    }
    test = new_code_cell(test_source)
    test.metadata["nbgrader"] = {
        **meta,
        "grade_id": "q1_x_tests",
        "solution": False,
        "grade": True,
        "locked": True,
        "points": 1,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(new_notebook(cells=[answer_cell, test]), path)
    return path


@pytest.mark.slow
def test_references_come_from_the_solution_and_are_private(tmp_path):
    """Are references taken by executing the solution, stored privately, rebuilt on change?"""
    source = _source_notebook(tmp_path / "source" / "a1" / "a1.ipynb")
    root = tmp_path / "grading"
    references = references_for(root, source, "a1")
    stored = references["cells"]["q1_x_tests"]["answers"]["x"]
    assert stored == {
        "value": 0.25,
        "tolerance": 1e-9,
        "ordered": True,
        "message": "look again at the denominator",
    }
    path = reference_path(root, "a1", "a1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    mtime = path.stat().st_mtime_ns
    assert references_for(root, source, "a1") == references  # read back, not rebuilt
    assert path.stat().st_mtime_ns == mtime
    _source_notebook(source, answer_source="x = 0.75")
    rebuilt = references_for(root, source, "a1")
    assert rebuilt["cells"]["q1_x_tests"]["answers"]["x"]["value"] == 0.75
    assert os.listdir(path.parent) == ["a1.json", "a1.lock"]


@pytest.mark.slow
def test_a_solution_that_fails_or_records_nothing_is_refused(tmp_path):
    """Is a source whose solution fails its test, or whose test records nothing, refused?"""
    failing = _source_notebook(tmp_path / "f.ipynb", answer_source="x = 2")
    with pytest.raises(GradingError, match="q1_x_tests: the solution fails its own test"):
        build_references(failing)
    silent = _source_notebook(tmp_path / "s.ipynb", test_source='"""Is x?"""\nassert x == 0.25')
    with pytest.raises(GradingError, match="q1_x_tests: the test records no answer"):
        build_references(silent)
    twice = _source_notebook(
        tmp_path / "t.ipynb",
        test_source="from course.grading.answers import record\nrecord('x', x)\nrecord('x', x)",
    )
    with pytest.raises(GradingError, match="recorded 2 times"):
        build_references(twice)
