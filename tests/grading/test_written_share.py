"""Judgement in the grades: written work weighs at least 35% of every assignment, with a rubric."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = sorted(p.name for p in (ROOT / "exercises" / "source").iterdir() if p.is_dir())


def _grade_cells(assignment: str) -> list[dict]:
    path = ROOT / "exercises" / "source" / assignment / f"{assignment}.ipynb"
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [
        c["metadata"]["nbgrader"] for c in cells if c["metadata"].get("nbgrader", {}).get("grade")
    ]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_written_work_is_at_least_35_percent_of_the_points(assignment):
    """Do the manually graded written answers carry at least 35% of the assignment's points?"""
    cells = _grade_cells(assignment)
    written = sum(c["points"] for c in cells if c.get("solution"))
    total = sum(c["points"] for c in cells)
    assert written / total >= 0.35, f"{assignment}: written {written} of {total} points"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_written_answer_has_its_rubric_with_its_points(assignment):
    """Does the rubric name every written answer's grade id, with its points on the same line?"""
    rubric = (ROOT / "grading" / "rubrics" / f"{assignment}.md").read_text(encoding="utf-8")
    for cell in _grade_cells(assignment):
        if not cell.get("solution"):
            continue
        lines = [line for line in rubric.splitlines() if cell["grade_id"] in line]
        assert lines, f"{cell['grade_id']} has no rubric section"
        points = f"{cell['points']:g} point"
        assert any(points in line for line in lines), f"{cell['grade_id']}: {points}s not stated"
