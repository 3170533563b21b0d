"""Committed notebooks are clean: nbformat 4.5 with cell ids, no outputs, no counts, nbgrader metadata kept."""

from __future__ import annotations

import subprocess
from pathlib import Path

import nbformat
import pytest

from course.nbtools import clean, problems

REPO = Path(__file__).resolve().parents[2]


def _committed_notebooks() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.ipynb"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return sorted(REPO / name for name in listed)


NOTEBOOKS = _committed_notebooks()


def test_there_are_notebooks():
    """Does the hygiene test see the lessons at all (so that it cannot pass on nothing)?"""
    assert any(p.parent.name == "modules" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(REPO)) for p in NOTEBOOKS])
def test_notebook_is_clean(path):
    """Is the notebook valid nbformat 4.5 with ids, and free of outputs, counts and editor metadata?"""
    nb = nbformat.read(path, as_version=4)
    assert problems(nb) == []


@pytest.mark.parametrize(
    "path",
    [p for p in NOTEBOOKS if "exercises/source" in str(p)],
    ids=lambda p: p.parent.name,
)
def test_assignment_keeps_nbgrader_metadata(path):
    """Does every graded cell of a source assignment keep its nbgrader metadata and a snake_case grade id?"""
    nb = nbformat.read(path, as_version=4)
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert graded, "no graded cell"
    for cell in graded:
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        assert grade_id == grade_id.lower() and " " not in grade_id and "-" not in grade_id


def test_clean_strips_outputs_but_keeps_nbgrader_metadata():
    """Does cleaning remove outputs, counts and editor state while keeping nbgrader metadata?"""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("1 + 1", execution_count=3)
    cell.outputs = [
        nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=3)
    ]
    cell.metadata = {"nbgrader": {"grade": True, "grade_id": "m0_q1_x"}, "scrolled": True}
    nb.cells.append(cell)
    assert problems(nb)
    cleaned = clean(nb)
    assert problems(cleaned) == []
    assert cleaned.cells[0].metadata == {"nbgrader": {"grade": True, "grade_id": "m0_q1_x"}}
