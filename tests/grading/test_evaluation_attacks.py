"""Attacks on the evaluation, on every assignment: always-equal objects, patched built-ins and
course modules, forged records, printed solutions, hidden tests raised in exceptions.

Each attack of ``exercises/fixtures/attacks/evaluation.toml`` is applied to every assignment and
graded in one autograde batch with the solution and the blank release; then feedback is made by
both paths (``course grade feedback`` and nbgrader's ``GenerateFeedback``, what formgrader's
button runs) and searched for every hidden test line. The plain ``nbgrader`` commands are run
once, in a copy of the repository, on the smallest assignment.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from grading_support import ASSIGNMENTS, FIXTURES, SOURCE, TIMEOUT, copy_repo_skeleton, make_course

from course.grading import fixtures, intake
from course.grading.autograde import autograde
from course.grading.feedback import feedback
from course.grading.settings import Course

pytestmark = pytest.mark.slow
ATTACKS_FILE = FIXTURES / "attacks" / "evaluation.toml"
ROLES = ("first_answer", "every_answer", "middle_answer", "last_answer")


def load_evaluation_attacks() -> list[dict]:
    """The attacks of evaluation.toml (a small reader; the shared loader is course.grading.fixtures).

    Returns:
        The ``[[attack]]`` tables, checked for the keys this test relies on.
    """
    attacks = tomllib.loads(ATTACKS_FILE.read_text(encoding="utf-8"))["attack"]
    for attack in attacks:
        assert attack["expect"] == "blank", f"{attack['name']}: evaluation attacks score blank"
        for edit in attack["edit"]:
            assert edit["cell"] in ROLES and edit["position"] in ("prepend", "append", "replace")
    return attacks


def attack_case(attack: dict, release: Path, source: Path) -> fixtures.Case:
    """The submission an attack makes on one assignment (cells named by role, see README.md)."""
    [notebook] = sorted(release.glob("*.ipynb"))
    released = nbformat.read(notebook, as_version=4)
    answers = [
        cell
        for cell in released.cells
        if cell.cell_type == "code"
        and cell.metadata.get("nbgrader", {}).get("solution")
        and not cell.metadata.get("nbgrader", {}).get("grade")
    ]
    solutions = {
        cell.metadata["nbgrader"]["grade_id"]: fixtures.student_answer(cell.source)
        for cell in nbformat.read(source / notebook.name, as_version=4).cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    }
    pick = {"first": [0], "middle": [len(answers) // 2], "last": [len(answers) - 1]}
    edits: dict[str, str] = {}
    for edit in attack["edit"]:
        role = edit["cell"].removesuffix("_answer")
        for index in range(len(answers)) if role == "every" else pick[role]:
            grade_id = answers[index].metadata["nbgrader"]["grade_id"]
            base = edits.get(grade_id)
            if base is None:
                base = solutions[grade_id] if attack["fill"] else answers[index].source
            text = edit["source"].strip("\n")
            edits[grade_id] = {
                "prepend": f"{text}\n{base}",
                "append": f"{base}\n{text}",
                "replace": text,
            }[edit["position"]]
    return fixtures.Case(name=f"attack_{attack['name']}", expect="zero", edits=edits, fill=False)


def hidden_lines(assignment: str) -> set[str]:
    """Lines of at least 12 characters found only inside the hidden tests of an assignment."""
    hidden, visible = set(), set()
    for path in (SOURCE / assignment).glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            inside = False
            for line in cell.source.splitlines():
                if "BEGIN HIDDEN TESTS" in line:
                    inside = True
                elif "END HIDDEN TESTS" in line:
                    inside = False
                elif len(line.strip()) >= 12:
                    (hidden if inside else visible).add(line.strip())
    return hidden - visible


def page_text(page: str) -> str:
    """The text of a page, tags removed, one line per block (as a reader would copy it)."""
    text = re.sub(r"</?(span|code|a|strong|em|b|i)\b[^>]*>", "", page)
    return html.unescape(re.sub(r"<[^>]+>", "\n", text))


def autograded_scores(course: Course, assignment: str, student: str) -> dict[str, float]:
    """grade id -> auto score of the autograded test cells of one submission."""
    out = {}
    with course.gradebook() as gb:
        for notebook in gb.find_submission(assignment, student).notebooks:
            written = {c.name for c in notebook.notebook.solution_cells}
            out.update({g.name: g.auto_score for g in notebook.grades if g.name not in written})
    return out


_DONE: dict[str, SimpleNamespace] = {}


def _attacked(assignment: str, tmp_path_factory) -> SimpleNamespace:
    root = tmp_path_factory.mktemp(f"attacks-{assignment}")
    course = make_course(root)
    intake.release(course, assignment, trainee_copy=False)
    release = course.folder("release", ".", assignment)
    cases = [
        fixtures.Case(name="solution", expect="full"),
        fixtures.Case(name="release", expect="zero", fill=False),
        *(attack_case(a, release, SOURCE / assignment) for a in load_evaluation_attacks()),
    ]
    for case in cases:
        fixtures.build_case(case, release, SOURCE / assignment, root / "incoming")
    intake.collect(course, assignment, root / "incoming")
    results = autograde(course, assignment, workers=2, timeout=TIMEOUT, progress=False)
    course_pages = {
        p.parent.parent.name: p.read_text("utf-8") for p in feedback(course, assignment)
    }
    # what formgrader's "Generate Feedback" button and `nbgrader generate_feedback` run
    outcome = course.api().generate_feedback(assignment)
    assert outcome["success"], outcome.get("log", "") + outcome.get("error", "")
    nbgrader_pages = {}
    left_over = []
    for case in cases:
        folder = course.folder("feedback", case.name, assignment)
        for path in folder.iterdir():
            if path.suffix == ".html":
                nbgrader_pages[case.name] = path.read_text("utf-8")
            else:
                left_over.append(path)
    return SimpleNamespace(
        assignment=assignment,
        course=course,
        cases=cases,
        results={r.student: r for r in results},
        course_pages=course_pages,
        nbgrader_pages=nbgrader_pages,
        left_over=left_over,
    )


@pytest.fixture(params=ASSIGNMENTS)
def attacked(request, tmp_path_factory) -> SimpleNamespace:
    """Every evaluation attack graded on one assignment, with feedback by both paths."""
    if request.param not in _DONE:
        _DONE[request.param] = _attacked(request.param, tmp_path_factory)
    return _DONE[request.param]


def test_evaluation_attacks_score_what_the_blank_release_scores(attacked):
    """Does every evaluation attack score exactly the blank release, the solution full marks?"""
    blank = autograded_scores(attacked.course, attacked.assignment, "release")
    full = autograded_scores(attacked.course, attacked.assignment, "solution")
    assert set(blank.values()) == {0.0}
    with attacked.course.gradebook() as gb:
        maxima = {
            g.name: g.max_score
            for nb in gb.find_assignment(attacked.assignment).notebooks
            for g in nb.grade_cells
        }
    assert full == {grade_id: maxima[grade_id] for grade_id in full}, "the solution loses points"
    problems = []
    for case in attacked.cases[2:]:
        result = attacked.results[case.name]
        if result.status != "graded":
            problems.append(f"{case.name}: {result.status} {result.messages}")
            continue
        scores = autograded_scores(attacked.course, attacked.assignment, case.name)
        gained = {g: s for g, s in scores.items() if s != blank[g]}
        if gained:
            problems.append(f"{case.name} scored {gained}")
    assert not problems, "\n".join(problems)


def test_no_hidden_test_line_in_feedback_from_either_path(attacked):
    """Does no feedback page, by either path, hold a line of a hidden test, even in part?"""
    secrets = hidden_lines(attacked.assignment)
    assert secrets, "the assignment should have hidden tests"
    students = {case.name for case in attacked.cases}
    assert set(attacked.course_pages) == students
    assert set(attacked.nbgrader_pages) == students
    assert attacked.left_over == [], "nbgrader copied files the kernel wrote into the feedback"
    for path_name, pages in (
        ("course", attacked.course_pages),
        ("nbgrader", attacked.nbgrader_pages),
    ):
        for student, page in pages.items():
            text = page_text(page)
            leaked = sorted(s for s in secrets if s in text)
            assert not leaked, f"{path_name} feedback of {student} shows {leaked[:3]}"


def test_both_feedback_paths_write_the_same_page(attacked):
    """Do nbgrader's GenerateFeedback and course grade feedback write the same page?"""
    assert attacked.nbgrader_pages == attacked.course_pages
    page = attacked.course_pages["attack_leak_in_errors"]
    assert "no answer was recorded" in page  # course-written messages only
    assert "Traceback" not in page and "RuntimeError" not in page


def test_plain_nbgrader_commands_judge_and_give_leak_proof_feedback(tmp_path):
    """Run as `nbgrader` in grading/, do autograde and generate_feedback use the course's judge?"""
    assignment = "m0_warmup"
    repo = copy_repo_skeleton(tmp_path / "repo", [assignment])
    grading = repo / "grading"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("COURSE_GRADEBOOK_URL", None)

    def nbgrader(*args: str) -> None:
        done = subprocess.run(
            [str(Path(sys.executable).parent / "nbgrader"), *args, "--force"],
            cwd=grading, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    nbgrader("generate_assignment", assignment)
    release = grading / "release" / assignment
    leak = next(a for a in load_evaluation_attacks() if a["name"] == "leak_in_errors")
    cases = [
        fixtures.Case(name="solution", expect="full"),
        attack_case(leak, release, SOURCE / assignment),
    ]
    for case in cases:
        fixtures.build_case(case, release, SOURCE / assignment, grading / "submitted")
    nbgrader("autograde", assignment)
    course = Course.create(grading, repo / "exercises" / "source", repo=repo)
    assert sum(autograded_scores(course, assignment, "attack_leak_in_errors").values()) == 0
    solution = autograded_scores(course, assignment, "solution")
    assert solution and all(score > 0 for score in solution.values())
    assert (grading / "references" / assignment / f"{assignment}.json").is_file()
    nbgrader("generate_feedback", assignment)
    secrets = hidden_lines(assignment)
    for case in cases:
        folder = grading / "feedback" / case.name / assignment
        assert sorted(p.name for p in folder.iterdir()) == [f"{assignment}.html"]
        text = page_text((folder / f"{assignment}.html").read_text("utf-8"))
        assert "Feedback on m0_warmup" in text
        assert not [s for s in secrets if s in text]
