"""The cases.toml format and the builder that turns cases into submissions."""

from __future__ import annotations

import copy

import nbformat
import pytest
from grading_support import ASSIGNMENTS, FIXTURES
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course.grading.fixtures import Case, build_case, load_cases, student_answer


def _cell(make, source, **nbgrader):
    cell = make(source)
    cell.metadata["nbgrader"] = {"schema_version": 3, **nbgrader}
    return cell


def _assignment(tmp_path):
    """A tiny assignment: a source with a solution, and its release."""
    source = new_notebook(cells=[
        _cell(new_code_cell, "### BEGIN SOLUTION\nx = 1\n### END SOLUTION",
              grade_id="m9_q1_x", solution=True, grade=False, locked=False),
        _cell(new_code_cell, '"""Is x one?"""\nassert x == 1',
              grade_id="m9_q1_x_tests", grade=True, solution=False, locked=True, points=1),
        _cell(new_markdown_cell, "Because.", grade_id="m9_q2_why", grade=True, solution=True,
              locked=False, points=1),
    ])  # fmt: skip
    release = nbformat.from_dict(copy.deepcopy(source))
    release.cells[0].source = "# YOUR CODE HERE\nraise NotImplementedError()"
    release.cells[2].source = "YOUR ANSWER HERE"
    (tmp_path / "source" / "m9").mkdir(parents=True)
    (tmp_path / "release" / "m9").mkdir(parents=True)
    nbformat.write(source, tmp_path / "source" / "m9" / "m9.ipynb")
    nbformat.write(release, tmp_path / "release" / "m9" / "m9.ipynb")
    return tmp_path / "release" / "m9", tmp_path / "source" / "m9"


def _built(tmp_path, case):
    release, source = _assignment(tmp_path)
    folder = build_case(case, release, source, tmp_path / "out")
    return folder


def test_basic_form_from_the_team_brief(tmp_path):
    """Does the documented basic form (name, expect, edits) load, with the defaults added?"""
    path = tmp_path / "cases.toml"
    path.write_text(
        '[[case]]\nname = "solution"\nexpect = "full"\n\n'
        '[[case]]\nname = "wrong_m1_q1"\nexpect = "lose:m1_q1"\n'
        '[[case.edit]]\ncell = "m1_q1_share_women"\nsource = """\nshare_women = 0.9\n"""\n',
        encoding="utf-8",
    )
    cases = {c.name: c for c in load_cases(path)}
    assert set(cases) == {"solution", "wrong_m1_q1", "release"}
    assert cases["wrong_m1_q1"].edits == {"m1_q1_share_women": "share_women = 0.9\n"}
    assert cases["wrong_m1_q1"].lost_prefixes == ["m1_q1"]
    assert cases["release"].fill is False and cases["release"].expect == "zero"


@pytest.mark.parametrize(
    "text, message",
    [
        ('[[case]]\nname = "a"\nexpect = "full"\ncolour = "red"\n', "unknown keys"),
        ('[[case]]\nname = "a"\nexpect = "most"\n', "expect"),
        ('[[case]]\nname = "a b"\nexpect = "full"\n', "student id"),
        (
            '[[case]]\nname = "a"\nexpect = "full"\n[[case]]\nname = "a"\nexpect = "zero"\n',
            "repeated",
        ),
    ],
)
def test_bad_cases_files_are_refused(tmp_path, text, message):
    """Is a cases file with a typo refused with a message naming the problem?"""
    path = tmp_path / "cases.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_cases(path)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_shipped_cases_file_loads(assignment):
    """Does every assignment's cases.toml (if any) load under the current format?"""
    cases = load_cases(FIXTURES / assignment / "cases.toml")
    assert any(c.expect == "full" for c in cases)


def test_expected_scores():
    """Does each expectation give the right score per cell?"""
    lose = Case("w", "lose:m1_q1,m1_q3")
    assert lose.expected_score("m1_q1_share_tests", 2) == 0
    assert lose.expected_score("m1_q3_x_tests", 2) == 0
    assert lose.expected_score("m1_q10_x_tests", 2) == 2  # q10 is not q1
    assert Case("s", "full").expected_score("m1_q1_a_tests", 3) == 3
    assert Case("r", "zero").expected_score("m1_q1_a_tests", 3) == 0
    assert Case("e", "error").expected_score("m1_q1_a_tests", 3) is None


def test_student_answer_drops_the_markers():
    """Is a solution cell turned into what a trainee would type?"""
    assert student_answer("a = 0\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n") == "a = 0\nx = 1"


def test_fill_edit_and_delete(tmp_path):
    """Are solutions filled, edits applied and deleted cells gone?"""
    case = Case("t", "full", edits={"m9_q1_x_tests": "assert True"}, delete=["m9_q2_why"])
    nb = nbformat.read(_built(tmp_path, case) / "m9.ipynb", as_version=4)
    by_id = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells}
    assert by_id == {"m9_q1_x": "x = 1", "m9_q1_x_tests": "assert True"}


def test_fill_false_keeps_the_placeholders(tmp_path):
    """Does fill = false leave the release untouched?"""
    nb = nbformat.read(_built(tmp_path, Case("r", "zero", fill=False)) / "m9.ipynb", as_version=4)
    assert "NotImplementedError" in nb.cells[0].source
    assert nb.cells[2].source == "YOUR ANSWER HERE"


def test_raw_and_missing(tmp_path):
    """Do raw and missing write broken text and leave the notebook out?"""
    release, source = _assignment(tmp_path)
    raw = build_case(Case("j", "error", raw="{oops"), release, source, tmp_path / "out")
    assert (raw / "m9.ipynb").read_text() == "{oops"
    gone = build_case(Case("m", "zero", missing=True), release, source, tmp_path / "out")
    assert gone.is_dir() and not list(gone.glob("*.ipynb"))


def test_unknown_cell_is_an_error(tmp_path):
    """Does an edit of a grade id that does not exist name the case and the id?"""
    with pytest.raises(ValueError, match=r"case oops.*m9_q7_nope"):
        _built(tmp_path, Case("oops", "full", edits={"m9_q7_nope": "x = 2"}))
