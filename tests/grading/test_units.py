"""The pieces of the grading pipeline that need no kernel."""

from __future__ import annotations

import os
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from grading_support import REPO, copy_repo_skeleton
from nbformat.v4 import new_code_cell, new_notebook, new_output

from course.grading import intake
from course.grading.autograde import find_tampering, find_timeouts
from course.grading.feedback import (
    REDACTED,
    failure_message,
    hidden_lines,
    scrub,
    title_of_test,
)
from course.grading.preprocessors import BUDGET_ERROR, BudgetedExecute, KeepStderrOutOfTests
from course.grading.settings import Course, GradingError, ensure_tools_on_path, find_repo_root
from course.grading.stats import item_statistics


def _cell(source, outputs=(), **nbgrader):
    cell = new_code_cell(source, outputs=list(outputs))
    if nbgrader:
        cell.metadata["nbgrader"] = {"schema_version": 3, **nbgrader}
    return cell


def _test_cell(source, outputs=(), grade_id="m9_q1_x_tests"):
    return _cell(source, outputs, grade_id=grade_id, grade=True, solution=False, locked=True,
                 points=1)  # fmt: skip


def test_tampering_is_found_by_grade_id():
    """Are edited and deleted read-only cells told apart, and answers ignored?"""
    released = new_notebook(cells=[
        _cell("x = ____", grade_id="m9_q1_x", solution=True, grade=False, locked=False),
        _test_cell("assert x == 1", grade_id="m9_q1_x_tests"),
        _test_cell("assert y == 2", grade_id="m9_q2_y_tests"),
    ])  # fmt: skip
    submitted = new_notebook(cells=[
        _cell("x = 1", grade_id="m9_q1_x", solution=True, grade=False, locked=False),
        _test_cell("assert True", grade_id="m9_q1_x_tests"),
    ])  # fmt: skip
    assert find_tampering(submitted, released) == (["m9_q1_x_tests"], ["m9_q2_y_tests"])
    assert find_tampering(released, released) == ([], [])


def test_timeouts_are_found():
    """Are cells stopped by the timeout or the budget listed, and no others?"""
    timeout = new_output("error", ename="CellTimeoutError", evalue="", traceback=[])
    budget = new_output("error", ename=BUDGET_ERROR, evalue="", traceback=[])
    other = new_output("error", ename="NameError", evalue="x", traceback=[])
    nb = new_notebook(cells=[
        _cell("while True: pass", [timeout], grade_id="m9_q1_x", solution=True),
        _cell("1", [other]),
        _cell("2", [budget]),
    ])  # fmt: skip
    assert find_timeouts(nb) == ["m9_q1_x", "cell 3"]


def test_failure_message_has_no_traceback():
    """Does a failed test show the judge's message only, never another error's text?"""
    judged = new_output(
        "error", ename="TestFailed", evalue="give a fraction",
        traceback=["TestFailed: give a fraction"],
    )  # fmt: skip
    assert failure_message([judged]) == "give a fraction"
    raw = new_output(
        "error", ename="AssertionError", evalue="assert abs(share - 300 / 577) < 1e-9",
        traceback=["Cell In[3], line 4", "assert abs(share - 300 / 577) < 1e-9"],
    )  # fmt: skip
    assert failure_message([raw]) == "a check did not pass"
    timeout = new_output("error", ename="CellTimeoutError", evalue="secret", traceback=[])
    assert failure_message([timeout]).startswith("stopped: it ran out of time")
    assert failure_message([new_output("stream", name="stdout", text="hi")]) is None


def test_feedback_blanks_out_hidden_test_lines():
    """Are lines holding a hidden test line blanked out, visible lines kept?"""
    sources = [
        '"""Is x?"""\nassert x > 0, "x is positive"\n### BEGIN HIDDEN TESTS\n'
        'record("x_value", x, tolerance=1e-9)\nelse:\n### END HIDDEN TESTS',
        'assert x > 0, "x is positive"\n### BEGIN HIDDEN TESTS\nassert x > 0, "x is positive"\n'
        "### END HIDDEN TESTS",
    ]
    secrets = hidden_lines(sources)
    assert secrets == {'record("x_value", x, tolerance=1e-9)'}
    answer = 'x = 1\ny = 2; record("x_value", x, tolerance=1e-9)  # copied\nassert x > 0'
    assert scrub(answer, secrets).splitlines() == ["x = 1", REDACTED, "assert x > 0"]
    assert scrub(answer, set()) == answer


def test_test_name_is_the_docstring_line():
    """Is a test named by its docstring's first line, with a fallback?"""
    source = '"""Is x one?\n\nMore."""\nassert x == 1\n### BEGIN HIDDEN TESTS\nassert x'
    assert title_of_test(source, "fallback") == "Is x one?"
    assert title_of_test("assert x == 1", "m9_q1_x_tests") == "m9_q1_x_tests"
    assert title_of_test("this is ( not python", "fb") == "fb"


def test_stderr_of_test_cells_becomes_ordinary_output():
    """Does only a test cell's stderr stop counting as a failure?"""
    warn = new_output("stream", name="stderr", text="UserWarning: rough\n")
    test = _test_cell("f()", [warn])
    answer = _cell("f()", [new_output("stream", name="stderr", text="w")], grade_id="m9_q1_x",
                   solution=True, grade=False, locked=False)  # fmt: skip
    pre = KeepStderrOutOfTests()
    pre.preprocess_cell(test, {}, 0)
    pre.preprocess_cell(answer, {}, 1)
    assert test.outputs[0]["name"] == "stdout" and "rough" in test.outputs[0]["text"]
    assert answer.outputs[0]["name"] == "stderr"


def test_budget_caps_cell_timeouts_and_skips_late_cells():
    """Does the notebook budget shorten timeouts and mark cells past it as errors?"""
    pre = BudgetedExecute(timeout=30, notebook_budget=10)
    pre._deadline = time.monotonic() + 4.2
    assert pre._get_timeout(new_code_cell("1")) == 5
    pre._deadline = time.monotonic() + 100
    assert pre._get_timeout(new_code_cell("1")) == 30
    pre._deadline = time.monotonic() - 1
    late = new_code_cell("1 + 1")
    pre.preprocess_cell(late, {}, 0)  # no kernel is needed: the cell is not run
    assert late.outputs[0]["ename"] == BUDGET_ERROR


def test_item_statistics():
    """Are mean, full-marks share and corrected item-total correlation right?"""
    scores = pd.DataFrame(
        {"q1": [1, 1, 0, 0], "q2": [2, 1, 1, 0], "q3": [1, 1, 1, 1]}, index=list("abcd")
    )
    table = item_statistics(scores, pd.Series({"q1": 1, "q2": 2, "q3": 1}))
    assert table.loc["q1", "mean"] == 0.5
    assert table.loc["q2", "full_marks_share"] == 0.25
    rest = scores[["q2", "q3"]].sum(axis=1)
    assert table.loc["q1", "discrimination"] == pytest.approx(np.corrcoef(scores["q1"], rest)[0, 1])
    assert np.isnan(table.loc["q3", "discrimination"])  # everyone got it: no information


def test_collect_skips_bad_entries(course, tmp_path):
    """Are stray files, bad ids and folders without the assignment skipped and reported?"""
    incoming = tmp_path / "incoming"
    (incoming / "alice" / "m9").mkdir(parents=True)
    (incoming / "alice" / "m9" / "m9.ipynb").write_text("{}")
    (incoming / "bob" / "m8").mkdir(parents=True)
    (incoming / "bad name" / "m9").mkdir(parents=True)
    (incoming / "carol" / "m9").mkdir(parents=True)  # no notebook: collected, with a warning
    (incoming / "notes.txt").write_text("x")
    report = intake.collect(course, "m9", incoming)
    assert report.collected == ["alice", "carol"]
    assert {entry for entry, _ in report.skipped} == {"bob", "bad name", "notes.txt"}
    assert report.warnings[0][0] == "carol"
    assert (course.root / "submitted" / "alice" / "m9" / "m9.ipynb").is_file()
    with course.gradebook() as gb:
        assert sorted(s.id for s in gb.students) == ["alice", "carol"]


def test_collect_refuses_unsafe_zip_paths(course, tmp_path):
    """Is a zip entry that climbs out of the folder refused while the rest is collected?"""
    archive = tmp_path / "subs.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("export/alice/m9/m9.ipynb", "{}")
        zf.writestr("../../evil.txt", "x")
    report = intake.collect(course, "m9", archive)
    assert report.collected == ["alice"]
    assert report.skipped == [("../../evil.txt", "unsafe path in the zip")]
    assert not (tmp_path.parent / "evil.txt").exists()


def test_collect_rejects_a_file_that_is_not_a_zip(course, tmp_path):
    """Is a source that is neither folder nor zip a clear error?"""
    (tmp_path / "subs.tar").write_text("x")
    with pytest.raises(GradingError, match="neither a folder nor a zip"):
        intake.collect(course, "m9", tmp_path / "subs.tar")


def test_repo_root_is_found_from_grading_and_below(tmp_path):
    """Is the repository found from grading/, a subfolder, and refused outside?"""
    skeleton = copy_repo_skeleton(tmp_path / "repo", [])
    (skeleton / "exercises").mkdir(exist_ok=True)
    assert find_repo_root(skeleton / "grading") == skeleton.resolve()
    (skeleton / "grading" / "rubrics").mkdir()
    assert find_repo_root(skeleton / "grading" / "rubrics") == skeleton.resolve()
    with pytest.raises(FileNotFoundError):
        find_repo_root(tmp_path)


def test_config_file_paths_and_gradebook_url(monkeypatch):
    """Does nbgrader_config.py give root, ../exercises/source and the gradebook URL override?"""
    monkeypatch.delenv("COURSE_GRADEBOOK_URL", raising=False)
    course = Course.from_repo(REPO / "grading")
    assert course.root == REPO / "grading"
    assert course.source == REPO / "exercises" / "source"
    assert course.db_url == f"sqlite:///{REPO / 'grading' / 'gradebook.db'}"
    assert course.config().CourseDirectory.source_directory == "../exercises/source"
    monkeypatch.setenv("COURSE_GRADEBOOK_URL", "postgresql://grader@db/cm_course")
    hub = Course.from_repo(REPO)
    assert hub.db_url == "postgresql://grader@db/cm_course" and not hub.is_sqlite


def test_tools_dir_goes_first_on_path(monkeypatch):
    """Is the interpreter's bin/ (where alembic lives) put first on PATH, once?"""
    monkeypatch.setenv("PATH", os.pathsep.join(["/usr/bin", "/bin"]))
    ensure_tools_on_path()
    ensure_tools_on_path()
    parts = os.environ["PATH"].split(os.pathsep)
    assert parts[0] == str(Path(sys.executable).parent)
    assert parts.count(parts[0]) == 1


def test_a_slow_interrupted_cell_does_not_abort_the_notebook(monkeypatch):
    """When nbclient gives up waiting after an interrupt, is the cell failed and grading goes on?"""
    from nbclient.exceptions import CellTimeoutError
    from nbgrader.preprocessors import Execute

    def give_up(self, cell, resources, index):
        raise CellTimeoutError("A cell timed out while it was being executed, after 20 seconds.")

    monkeypatch.setattr(Execute, "preprocess_cell", give_up)
    pre = BudgetedExecute(timeout=30, notebook_budget=600)
    pre._deadline = time.monotonic() + 600
    cell, _ = pre.preprocess_cell(new_code_cell("import slow_module"), {}, 0)
    assert cell.outputs[-1]["ename"] == "CellTimeoutError"
    # the real limit (30 s), not nbclient's wait for output after the interrupt (20 s)
    assert "limit of 30 s" in cell.outputs[-1]["evalue"]
    assert find_timeouts(new_notebook(cells=[cell])) == ["cell 1"]
