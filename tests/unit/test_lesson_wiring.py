"""Every lesson is wired in: M0's list, the README's table, progress, the self-assessment's links;
and the M6 assignment has the shape its issue asks for."""

from __future__ import annotations

import re

import nbformat
import pytest

from course.assess import report
from course.checks import module_names


def _lessons(repo):
    return sorted(p.stem for p in (repo / "modules").glob("m*_*.ipynb"))


def test_m0_lists_every_lesson(repo):
    """Does M0's list of lessons link every lesson in modules/?"""
    nb = nbformat.read(repo / "modules" / "m0_start_here.ipynb", as_version=4)
    text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    for lesson in _lessons(repo):
        assert f"]({lesson}.ipynb)" in text, f"M0 does not link {lesson}"


def test_readme_table_lists_every_lesson(repo):
    """Does the README's table of lessons have a row for every lesson in modules/?"""
    readme = (repo / "README.md").read_text(encoding="utf-8")
    for lesson in _lessons(repo):
        assert f"| `{lesson}` |" in readme, f"README lacks a row for {lesson}"


def test_progress_knows_every_lesson(repo):
    """Does `course progress` (the checks modules) cover every lesson in modules/?"""
    assert set(_lessons(repo)) <= set(module_names())


def test_self_assessment_links_point_at_existing_lessons(repo, tmp_path):
    """Does each recommended module link to its lesson file when it exists (M6 included)?"""
    links = report.lesson_links(base_url="../modules/")
    present = set(_lessons(repo))
    assert links["M6"] == "../modules/m6_measurement.ipynb"
    for module, link in links.items():
        stem = link.rsplit("/", 1)[1].removesuffix(".ipynb")
        if any(lesson.startswith(module.lower() + "_") for lesson in present):
            assert stem in present, f"{module} links {link}, which does not exist"
    # without the folder (an installed package), the defaults are the repository's file names
    fallback = report.lesson_links(base_url="", modules_dir=tmp_path)
    for module in ("M1", "M2", "M3", "M4", "M6"):
        assert fallback[module].removesuffix(".ipynb") in present


# --------------------------------------------------------------------------- the M6 assignment


@pytest.fixture(scope="module")
def assignment(repo):
    return nbformat.read(
        repo / "exercises" / "source" / "m6_measurement" / "m6_measurement.ipynb", as_version=4
    )


def _graded(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


def test_m6_assignment_points_and_written_share(assignment):
    """Are there ≥ 6 autograded questions worth ≥ 20 points, and written work ≥ 35% of all points?"""
    graded = _graded(assignment)
    auto = [c for c in graded if c.cell_type == "code"]
    written = [c for c in graded if c.cell_type == "markdown"]
    auto_points = sum(c.metadata["nbgrader"]["points"] for c in auto)
    written_points = sum(c.metadata["nbgrader"]["points"] for c in written)
    assert len(auto) >= 6 and auto_points >= 20
    assert written_points / (auto_points + written_points) >= 0.35


def test_m6_grade_ids_follow_the_convention(assignment):
    """Are grade ids m6_qK_slug, each test cell named after its answer cell?"""
    ids = [c.metadata["nbgrader"]["grade_id"] for c in assignment.cells]
    assert len(ids) == len(set(ids))
    for cell in _graded(assignment):
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        assert re.fullmatch(r"m6_q\d+_[a-z0-9_]+", grade_id), grade_id
        if cell.cell_type == "code":
            assert grade_id.endswith("_tests") and grade_id.removesuffix("_tests") in ids


def test_m6_hidden_tests_only_record(assignment):
    """Do the hidden tests record answers (no hidden assert), after a docstring, as CONTRIBUTING asks?"""
    for cell in _graded(assignment):
        if cell.cell_type != "code":
            continue
        source = cell.source
        assert source.startswith('"""') and "from course.grading.answers import" in source
        hidden = source.split("### BEGIN HIDDEN TESTS", 1)[1].split("### END HIDDEN TESTS", 1)[0]
        assert "record(" in hidden or "record_calls(" in hidden
        assert "assert" not in hidden


def test_m6_rubric_covers_each_written_answer(assignment, repo):
    """Does the rubric have a section per written answer whose criteria add up to its points?"""
    rubric = (repo / "grading" / "rubrics" / "m6_measurement.md").read_text(encoding="utf-8")
    sections = re.split(r"\n## ", rubric)
    for cell in _graded(assignment):
        if cell.cell_type != "markdown":
            continue
        grade_id, points = (
            cell.metadata["nbgrader"]["grade_id"],
            cell.metadata["nbgrader"]["points"],
        )
        section = next(s for s in sections if s.startswith(grade_id))
        assert f"({points} points)" in section.splitlines()[0]
        criteria = re.findall(r"^\| (\d+) \| \*\*", section, flags=re.MULTILINE)
        assert sum(map(int, criteria)) == points
