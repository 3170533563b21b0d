"""`course certificate` on a real gradebook: the m7_capstone round trip, the plan graded by hand as
formgrader does it, and two competency self-assessments saved by the store."""

from __future__ import annotations

import shutil

import pytest
from test_roundtrip import round_trip, same_worker

from course import capstone
from course.assess.store import Store, new_code
from course.cli import main

pytestmark = pytest.mark.slow


def _grade_plan(course_root, student: str, levels: dict[str, str]) -> float:
    """Enter the plan's points in the gradebook as formgrader's API does; returns the points."""
    from nbgrader.api import Gradebook

    from course.grading.settings import COURSE_ID

    total = 0.0
    url = f"sqlite:///{course_root / 'gradebook.db'}"
    with Gradebook(url, course_id=COURSE_ID) as gradebook:
        for criterion in capstone.RUBRIC:
            points = criterion.points[capstone.LEVELS.index(levels[criterion.key])]
            grade = gradebook.find_grade(criterion.grade_id, "m7_capstone", "m7_capstone", student)
            grade.manual_score = points
            grade.needs_manual_grade = False
            total += points
        gradebook.db.commit()
    return total


@pytest.fixture
def graded_copy(tmp_path, request):
    """A copy of the m7_capstone round trip's course folder (gradebook included)."""
    graded = round_trip("m7_capstone", request)
    copy = tmp_path / "grading"
    shutil.copytree(graded.course.root, copy)
    return copy


def _payload(level: int) -> dict:
    from course.assess.competency import ITEMS

    return {"answers": {item: level for item in ITEMS}, "importance": {}, "orientation": {},
            "lang": "en"}  # fmt: skip


@same_worker("m7_capstone")
def test_certificate_from_a_round_trip_gradebook(graded_copy, tmp_path, capsys):
    """Does `course certificate` print the modules, the capstone's verdict and the change per
    dimension from a real gradebook and a real self-assessment store?"""
    strong = {c.key: "exemplary" for c in capstone.RUBRIC}
    plan_points = _grade_plan(graded_copy, "solution", strong)
    store = Store(f"sqlite:///{tmp_path / 'assess.sqlite3'}")
    start, end = new_code(), new_code()
    store.save_draft("competency", start, _payload(2))
    store.save_draft("competency", end, _payload(4))
    out = tmp_path / "solution.html"
    status = main(
        ["certificate", "solution", "--course-dir", str(graded_copy), "--out", str(out),
         "--start-code", start, "--end-code", end, "--db-url", store.url]
    )  # fmt: skip
    assert status == 0, capsys.readouterr().err
    page = out.read_text(encoding="utf-8")
    assert "m7_capstone" in page and "passed with distinction" in page
    assert f"plan {plan_points:.1f}" in page and "analysis 22.0" in page
    assert "Listening" in page and "+50" in page
    assert "<script" not in page

    # A trainee whose plan is not graded yet: the verdict waits for the grader.
    out2 = tmp_path / "wrong.html"
    assert main(["certificate", "wrong_m7_q1", "--course-dir", str(graded_copy),
                 "--out", str(out2)]) == 0  # fmt: skip
    page = out2.read_text(encoding="utf-8")
    assert "awaiting the grader" in page and "not taken at both" in page


@same_worker("m7_capstone")
def test_certificate_refuses_bad_requests(graded_copy, tmp_path, capsys):
    """Does the command exit 2 on an unknown student, one code alone or an unknown code?"""
    course_dir = ["--course-dir", str(graded_copy)]
    assert main(["certificate", "nobody", *course_dir, "--out", str(tmp_path / "x.html")]) == 2
    assert "no student 'nobody'" in capsys.readouterr().err
    assert main(["certificate", "solution", *course_dir, "--start-code", new_code()]) == 2
    assert "both --start-code and --end-code" in capsys.readouterr().err
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    code_args = ["--start-code", new_code(), "--end-code", new_code(), "--db-url", url]
    assert main(["certificate", "solution", *course_dir, *code_args]) == 2
    assert "no self-assessment" in capsys.readouterr().err
    assert main(["certificate", "solution", *course_dir, "--start-code", "x", "--end-code", "y",
                 "--db-url", url]) == 2  # fmt: skip
    assert "malformed" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


def test_certificate_command_on_a_missing_or_empty_gradebook(tmp_path, capsys):
    """Does `course certificate` say what is wrong with a missing folder, a missing gradebook
    and a gradebook with nobody in it, without creating anything?"""
    from course.grading.settings import Course

    missing = tmp_path / "nowhere"
    assert main(["certificate", "ana", "--course-dir", str(missing)]) == 2
    assert "no course folder" in capsys.readouterr().err and not missing.exists()
    folder = tmp_path / "grading"
    folder.mkdir()
    assert main(["certificate", "ana", "--course-dir", str(folder)]) == 1
    assert "no gradebook" in capsys.readouterr().err
    with Course.create(folder, tmp_path / "source").gradebook():
        pass  # creates an empty gradebook
    assert main(["certificate", "ana", "--course-dir", str(folder)]) == 2
    assert "no student 'ana' in the gradebook (0 students" in capsys.readouterr().err
