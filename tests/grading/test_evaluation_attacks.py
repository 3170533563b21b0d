"""Attacks on the evaluation (``exercises/fixtures/attacks/evaluation.toml``): always-equal
objects, patched built-ins and course modules, forged records, hidden tests printed and raised.

The round trip (``test_roundtrip.py``) applies every attack to every assignment in the same batch
as the honest cases, checks they score blank, and searches the feedback of both paths
(``course grade feedback`` and nbgrader's ``GenerateFeedback``) for hidden test lines, with the
helpers below. Here: the attack file's own rules, and the plain ``nbgrader`` commands run in a
copy of the repository, on the smallest assignment.
"""

from __future__ import annotations

import ast
import html
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from grading_support import ASSIGNMENTS, FIXTURES, SOURCE, copy_repo_skeleton

from course.grading import fixtures, intake
from course.grading.settings import Course

ATTACKS_FILE = FIXTURES / fixtures.ATTACKS_FOLDER / "evaluation.toml"


def evaluation_attacks() -> list[fixtures.Attack]:
    """The attacks of evaluation.toml, read by the shared loader."""
    return [
        a
        for a in fixtures.load_attacks(ATTACKS_FILE.parent)
        if a.origin.startswith(ATTACKS_FILE.name)
    ]


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


def test_evaluation_attacks_are_generic_and_aim_at_blank_marks():
    """Does every evaluation attack start blank, expect blank, and name no assignment's answer?"""
    attacks = evaluation_attacks()
    assert len(attacks) >= 5
    answers = set()
    for assignment in ASSIGNMENTS:
        for path in (SOURCE / assignment).glob("*.ipynb"):
            for cell in nbformat.read(path, as_version=4).cells:
                if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
                    for node in ast.walk(ast.parse(fixtures.student_answer(cell.source))):
                        if isinstance(node, ast.FunctionDef) or (
                            isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
                        ):
                            name = getattr(node, "name", None) or node.id
                            if not name.startswith("_") and len(name) > 4:
                                answers.add(name)
    for attack in attacks:
        assert (attack.fill, attack.expect, attack.requires) == (False, "blank", None), attack.name
        code = " ".join(e[2] for e in attack.edits)
        # module paths (course.grading.answers) are not answer names: leave them out
        code = re.sub(r"\b[A-Za-z_]\w*(\.[A-Za-z_]\w*)+", " ", code)
        words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code))
        assert not words & answers, f"{attack.name} names answers: {sorted(words & answers)}"


@pytest.mark.slow
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

    course = Course.create(grading, repo / "exercises" / "source", repo=repo)
    intake.release(course, assignment, trainee_copy=False)  # (test_cli runs it by command)
    release = grading / "release" / assignment
    by_name = {a.name: a for a in evaluation_attacks()}
    # one attack that would score without the judge, one that would leak without our feedback
    cases = [fixtures.attack_case(by_name[name], release)
             for name in ("always_equal", "leak_hidden_tests")]  # fmt: skip
    for case in cases:
        fixtures.build_case(case, release, SOURCE / assignment, grading / "submitted")
    nbgrader("autograde", assignment)
    for case in cases:
        scores = autograded_scores(course, assignment, case.name)
        assert scores and set(scores.values()) == {0.0}, f"{case.name}: {scores}"
    assert (grading / "references" / assignment / f"{assignment}.json").is_file()
    nbgrader("generate_feedback", assignment)
    secrets = hidden_lines(assignment)
    for case in cases:
        folder = grading / "feedback" / case.name / assignment
        assert sorted(p.name for p in folder.iterdir()) == [f"{assignment}.html"]
        text = page_text((folder / f"{assignment}.html").read_text("utf-8"))
        assert "Feedback on m0_warmup" in text
        assert not [s for s in secrets if s in text]
