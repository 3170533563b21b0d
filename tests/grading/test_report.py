"""The item report on a synthetic gradebook: natural question order, written answers to grade."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from course.cli import main
from course.grading import stats
from course.grading.autograde import load_records

ASSIGNMENT = "m1_synthetic"


def written_grades(course, assignment):
    """Through nbgrader's ORM: (manual scores given, how many still to grade) of written answers."""
    records = load_records(course, assignment)
    given, waiting = [], 0
    with course.gradebook() as gb:
        for sub in gb.find_assignment(assignment).submissions:
            if records[sub.student.id]["status"] == "error":
                continue
            for notebook in sub.notebooks:
                for grade in notebook.grades:
                    if grade.name.endswith("_written"):
                        if grade.needs_manual_grade and grade.manual_score is None:
                            waiting += 1
                        else:  # graded by hand, or 0 from the autograder (no notebook)
                            given.append(grade.score)
    return given, waiting


def test_questions_sort_naturally(synthetic_course):
    """Does q10 come after q9, not after q1, in the scores and in the report?"""
    scores, points = stats.item_scores(synthetic_course, ASSIGNMENT)
    expected = [f"m1_q{k}" for k in range(1, 13)]
    assert list(scores.columns) == expected and list(points.index) == expected
    table = stats.item_statistics(scores, points)
    assert list(table.index) == expected
    assert sorted(["m0_q10", "m0_q2", "m0_q1"], key=stats.natural_key) == [
        "m0_q1", "m0_q2", "m0_q10"
    ]  # fmt: skip


def test_written_answers_to_grade_are_left_out(synthetic_course):
    """Is a written answer not yet graded left out of the mean and counted as to grade?"""
    given, waiting = written_grades(synthetic_course, ASSIGNMENT)
    assert given and waiting  # the synthetic class has both
    table = stats.item_statistics(*stats.item_scores(synthetic_course, ASSIGNMENT))
    row = table.loc["m1_q12"]
    assert row["to_grade"] == waiting and row["n"] == len(given)
    assert row["mean"] == pytest.approx(sum(given) / len(given))
    assert table.drop(index="m1_q12")["to_grade"].eq(0).all()


def test_item_statistics_by_hand():
    """Do the figures match a hand computation, NaN (to grade) skipped, not counted as 0?"""
    scores = pd.DataFrame(
        {"q1": [1.0, 0.0, 1.0, 0.0], "q2": [2.0, 0.0, float("nan"), 1.0]},
        index=["a", "b", "c", "d"],
    )
    table = stats.item_statistics(scores, pd.Series({"q1": 1.0, "q2": 2.0}))
    assert table.loc["q2", "mean"] == pytest.approx(1.0)  # (2 + 0 + 1) / 3, not 3 / 4
    assert table.loc["q2", "n"] == 3 and table.loc["q2", "to_grade"] == 1
    assert table.loc["q2", "full_marks_share"] == pytest.approx(1 / 3)
    # q1 against the rest (q2, "c" counting 0 there): corr([1,0,1,0], [2,0,0,1])
    expected = pd.Series([1.0, 0.0, 1.0, 0.0]).corr(pd.Series([2.0, 0.0, 0.0, 1.0]))
    assert table.loc["q1", "discrimination"] == pytest.approx(expected)
    nothing_yet = stats.item_statistics(
        pd.DataFrame({"q1": [float("nan")] * 2}), pd.Series({"q1": 3.0})
    )
    assert nothing_yet.loc["q1", "to_grade"] == 2 and math.isnan(nothing_yet.loc["q1", "mean"])


def test_report_prints_no_nan_and_no_false_zero(synthetic_course, tmp_path, capsys):
    """Does `course grade report` show neither NaN nor 0.00 for answers still to grade?"""
    table, csv_path, png_path = stats.report(synthetic_course, ASSIGNMENT, tmp_path / "r")
    assert "nan" not in csv_path.read_text(encoding="utf-8").lower()
    assert png_path.read_bytes()[:4] == b"\x89PNG"
    code = main(["grade", "--course-dir", str(synthetic_course.root), "report", ASSIGNMENT])
    assert code == 0
    out = capsys.readouterr().out
    assert "NaN" not in out and "nan" not in out
    fields = next(line for line in out.splitlines() if line.startswith("m1_q12")).split()
    given, _ = written_grades(synthetic_course, ASSIGNMENT)
    assert fields[2] == f"{sum(given) / len(given):.2f}" != "0.00"  # the mean of graded ones
    assert fields[1:3] == [f"{table.loc['m1_q12', 'points']:.2f}", fields[2]]
    _, waiting = written_grades(synthetic_course, ASSIGNMENT)
    assert f"{waiting} written answer(s) to grade" in out
