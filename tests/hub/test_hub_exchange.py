"""nbgrader's exchange between users on the hub: release, fetch, submit, collect, autograde,
feedback and fetch feedback, each step done by the user who does it in a course.

The instructor works in her own server (a kernel running `course grade` and `nbgrader` in the
instructors' clone, as she would in a terminal); the trainees use the endpoints of nbgrader's
"Assignments" tab in their servers. The gradebook is PostgreSQL (COURSE_GRADEBOOK_URL).
"""

from __future__ import annotations

import json
import time

import nbformat
import pytest
from hub_support import INSTRUCTOR

from course.grading.fixtures import build_case, load_cases

pytestmark = [pytest.mark.hub, pytest.mark.slow]
ASSIGNMENT = "m0_warmup"
COURSE_ID = "cm_course"


INSTRUCTOR_SESSION = """
import os
os.chdir(os.environ["COURSE_GRADING_DIR"])
from course.cli import main as course
from course.grading.settings import Course

def check(ok, what, log=""):
    print(what, "->", ok)
    if ok not in (0, True):
        raise SystemExit(f"{what} failed\\n{log[-3000:]}")

def nbgrader(action, assignment):
    result = getattr(Course.from_repo().api(), action)(assignment)
    check(result["success"], f"nbgrader {action} {assignment}", result.get("log") or "")
"""


def instructor_runs(hub, *steps: str) -> str:
    """Run steps in a kernel of the instructor's server, in the instructors' clone.

    ``course …`` steps are the `course` command's own entry point (``course(["grade", …])``),
    ``nbgrader …`` steps nbgrader's API (what formgrader's buttons call), in one process: a
    kernel starts once instead of a Python process per command.
    """
    code = INSTRUCTOR_SESSION
    for step in steps:
        tool, *args = step.split()
        if tool == "course":
            code += f"check(course({args!r}), {step!r})\n"
        else:
            code += f"nbgrader({args[0]!r}, {args[1]!r})\n"
    return hub.run_python(INSTRUCTOR, code)


def assignment_action(hub, user: str, action: str) -> list | dict:
    """What the Assignments tab does: POST /assignments/<action> in the user's server."""
    response = hub.as_user(
        user,
        "POST",
        f"assignments/{action}",
        data={"assignment_id": ASSIGNMENT, "course_id": COURSE_ID},
    )
    assert response.status_code == 200, response.text[:500]
    body = json.loads(response.text)
    if isinstance(body, dict) and body.get("success") is False:
        raise AssertionError(f"{user} {action}: {body}")
    return body


def put_notebook(hub, user: str, path: str, notebook) -> None:
    """Save a notebook in the user's server through the contents API (as JupyterLab does)."""
    response = hub.as_user(
        user,
        "PUT",
        f"api/contents/{path}",
        json={"type": "notebook", "format": "json", "content": notebook},
    )
    assert response.status_code in (200, 201), response.text[:500]


@pytest.fixture(scope="module")
def exchanged(hub, tmp_path_factory):
    """The whole round trip; returns the hub once feedback has been fetched by tom."""
    started = time.monotonic()
    log = instructor_runs(
        hub,
        f"course grade release {ASSIGNMENT} --no-copy",
        f"nbgrader release_assignment {ASSIGNMENT}",
    )
    log += f"released at {time.monotonic() - started:.1f} s\n"
    for trainee in ("tom", "tina"):
        listed = assignment_action(hub, trainee, "fetch")
        fetched = [a for a in listed["value"] if a["status"] == "fetched"]
        assert [a["assignment_id"] for a in fetched] == [ASSIGNMENT], listed
    # tina answers every question (the "solution" fixture case); tom hands in the release as is
    release = hub.grading_dir / "grading" / "release" / ASSIGNMENT
    source = hub.grading_dir / "exercises" / "source" / ASSIGNMENT
    case = next(
        c
        for c in load_cases(hub.grading_dir / "exercises" / "fixtures" / ASSIGNMENT / "cases.toml")
        if c.name == "solution"
    )
    answered = build_case(case, release, source, tmp_path_factory.mktemp("tina"))
    notebook = nbformat.read(answered / f"{ASSIGNMENT}.ipynb", as_version=4)
    put_notebook(hub, "tina", f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb", notebook)
    for trainee in ("tom", "tina"):
        assignment_action(hub, trainee, "submit")
    log += f"submitted at {time.monotonic() - started:.1f} s\n"
    log += instructor_runs(
        hub,
        f"course grade collect {ASSIGNMENT} exchange",
        f"course grade autograde {ASSIGNMENT} --workers 1 --no-progress",
        f"course grade feedback {ASSIGNMENT}",
        f"nbgrader release_feedback {ASSIGNMENT}",
    )
    assignment_action(hub, "tom", "fetch_feedback")
    hub.exchange_log = log + f"feedback fetched at {time.monotonic() - started:.1f} s\n"
    return hub


def autograded_scores(hub) -> dict[str, tuple[float, float]]:
    """student -> (points, max points) of the autograded cells, from the PostgreSQL gradebook.

    Written answers wait for a grader in formgrader, so they are left out (as in
    tests/grading/test_roundtrip.py).
    """
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(hub.gradebook_url, course_id=COURSE_ID) as gb:
        for submission in gb.find_assignment(ASSIGNMENT).submissions:
            points = maximum = 0.0
            for notebook in submission.notebooks:
                written = {c.name for c in notebook.notebook.solution_cells}
                for grade in notebook.grades:
                    if grade.name not in written:
                        points += grade.auto_score or 0
                        maximum += grade.max_score
            out[submission.student.id] = (points, maximum)
    return out


def test_both_trainees_are_graded_in_the_postgres_gradebook(exchanged):
    """Were tom and tina collected from the exchange and autograded, tina in full, tom not?"""
    print(exchanged.exchange_log)
    found = autograded_scores(exchanged)
    assert set(found) == {"tom", "tina"}, exchanged.exchange_log
    points, maximum = found["tina"]
    assert maximum > 0 and points == maximum, exchanged.exchange_log
    assert found["tom"][0] < maximum


def test_trainee_fetches_own_feedback_only(exchanged):
    """Does tom get his feedback page in his own folder, and tina (who did not fetch) none?"""
    tom = exchanged.home("tom") / ASSIGNMENT / "feedback"
    pages = list(tom.glob("*/*.html"))
    assert pages, f"no feedback for tom under {tom}:\n{exchanged.exchange_log}"
    text = pages[0].read_text(encoding="utf-8")
    assert "tom" in text or ASSIGNMENT in text
    assert not list((exchanged.home("tina") / ASSIGNMENT).glob("feedback/*/*.html"))


def test_submissions_carry_the_hub_identity(exchanged):
    """Are the submissions in the exchange filed under the hub user names, not the unix user?"""
    inbound = exchanged.exchange / COURSE_ID / "inbound"
    owners = {entry.name.split("+")[0] for entry in inbound.iterdir()}
    assert owners == {"tom", "tina"}, sorted(p.name for p in inbound.iterdir())


def test_trainee_has_no_grading_tools_or_gradebook(hub):
    """Is formgrader absent from a trainee's server, and the gradebook's URL out of its reach?"""
    assert hub.as_user("tom", "GET", "formgrader").status_code == 404
    assert hub.as_user(INSTRUCTOR, "GET", "formgrader").status_code == 200
    seen = hub.run_python(
        "tom",
        "import os; print(sorted(k for k in os.environ if k.startswith(('COURSE_', 'CM_'))))",
    )
    for secret in (
        "COURSE_GRADEBOOK_URL",
        "COURSE_GRADING_DIR",
        "COURSE_HR_GUARD",
        "CM_GRADEBOOK_URL",
        "CM_COURSE_DB_URL",
    ):
        assert secret not in seen, seen
    assert "COURSE_EXCHANGE" in seen  # what the Assignments tab needs
