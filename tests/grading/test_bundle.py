"""The student edition holds the course without a single solution or hidden test line."""

from __future__ import annotations

import json

import nbformat
import pytest
from grading_support import ASSIGNMENTS, REPO, SOURCE

from course import bundle

pytestmark = pytest.mark.slow

# Solution lines that the course package shares, by design, with an assignment's solution: the
# library functions the lessons teach (the assignment asks trainees to write them themselves) and
# generic lines. Listed one by one, so that any new overlap fails the test and is looked at.
SHARED_BY_DESIGN = {
    ("course/roles.py", "if not 0 <= successes <= n:"),  # roles.wilson_interval
    ("course/roles.py", "p = successes / n"),
    ("course/checks/m2_engagement.py", "if x.sum() == 0:"),  # the lesson's Gini check
    # the m3 lesson's practice check builds the same mask as m3_q5 (an intermediate, not the
    # answer: the question asks for a share computed from it)
    (
        "course/checks/m3_moderation.py",
        'should_go = comments["category"].isin(moderation.REMOVE_CATEGORIES)',
    ),
    ("course/data/rse.py", "decay = np.exp(-(p + q) * np.asarray(t, dtype=float))"),  # Bass
    ("course/data/rse.py", "return (1 - decay) / (1 + (q / p) * decay)"),
    ("course/assess/competency.py", "if index <= 2.5:"),  # competency.orientation_profile
    ("course/assess/competency.py", "if index >= 3.5:"),
    ("course/assess/competency.py", 'return "external"'),
    ("course/assess/competency.py", 'return "hybrid"'),
    ("course/assess/competency.py", 'return "internal"'),
    ("course/grading/cli.py", "except ValueError:"),  # generic
    ("course/widgets/m4_rollout.py", "except ValueError:"),
    # keyword fragments of practice checks and a generic return: no answer in them
    ("course/checks/m0_start_here.py", "tolerance=1e-9,"),
    ("course/checks/m1_roles.py", "tolerance=1e-6,"),
    ("course/checks/m1_roles.py", '"denominator.",'),
    ("course/checks/m4_rollout.py", "tolerance=1e-6,"),
    ("course/grading/stats.py", 'return float("nan")'),
    # M5: the lesson's worked example is the toy network that m5's hidden tests call the
    # trainee's function on (its inputs, never its expected outputs, which the grader holds);
    # the joins and filters are the steps the lesson teaches on the dataset's own columns.
    (
        "course/communities.py",
        'questions = events[events["event_type"] == "question"].set_index("event_id")',
    ),
    ("course/checks/m5_communities.py", 'answers = events[events["event_type"] == "answer"]'),
    (
        "course/checks/m5_communities.py",
        'asked = questions.loc[answers["reply_to"], "occurred_at"].to_numpy()',
    ),
    ("course/checks/m5_communities.py", 'left_on=["cop_id", "author_id"],'),
    ("course/checks/m5_communities.py", 'members[["cop_id", "employee_id", "band"]],'),
    ("course/checks/m5_communities.py", 'right_on=["cop_id", "employee_id"],'),
    *(
        ("modules/m5_communities.ipynb", line)
        for line in (
            '"2025-03-03 09:00",',
            '"2025-03-03 10:00",',
            '"2025-03-03 11:00",',
            '"2025-03-03 16:00",',
            '"cop_id": "toy",',
            '"event_id": ["Q1", "Q2", "Q3", "A1", "A2", "A3"],',
            '"event_type": ["question"] * 3 + ["answer"] * 3,',
            '"occurred_at": pd.to_datetime(',
            '"reply_to": [None, None, None, "Q1", "Q1", "Q2"],',
            'left_on=["cop_id", "author_id"],',
            'members[["cop_id", "employee_id", "band"]],',
            'right_on=["cop_id", "employee_id"],',
        )
    ),
}


def secret_lines() -> set[str]:
    """Lines (12 characters or more) of solutions and hidden tests that the releases do not show."""
    secret, shown = set(), set()
    for path in SOURCE.glob("*/*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            inside = False
            for line in cell.source.splitlines():
                if "BEGIN SOLUTION" in line or "BEGIN HIDDEN TESTS" in line:
                    inside = True
                elif "END SOLUTION" in line or "END HIDDEN TESTS" in line:
                    inside = False
                elif len(line.strip()) >= 12:
                    (secret if inside else shown).add(line.strip())
    return secret - shown


def text_lines(path) -> set[str]:
    """Every line of a file (notebooks: of each cell's source)."""
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        text = "\n".join("".join(c.get("source", "")) for c in nb.get("cells", []))
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            return set()
    return {line.strip() for line in text.splitlines()}


def test_student_edition_has_no_answers(tmp_path):
    """Does the edition hold lessons, data, package and assignments, and no answer at all?"""
    out = tmp_path / "edition"
    made = bundle.student_edition(out, repo=REPO)
    assert made.assignments == ASSIGNMENTS
    for name in ("modules", "datasets", "course", "README.md", "Makefile", "pyproject.toml"):
        assert (out / name).exists(), name
    for name in ASSIGNMENTS:
        assert (out / "assignments" / name / f"{name}.ipynb").is_file()
    for name in ("exercises", "grading", "tests", "benchmarks", ".git"):
        assert not (out / name).exists(), f"{name} must not be in the student edition"
    assert not list(out.rglob("*.db")) and not list(out.rglob("cases.toml"))

    secrets = secret_lines()
    assert len(secrets) > 50, "the sources should have many solution and hidden lines"
    leaks = {}
    for path in out.rglob("*"):
        if path.is_file() and path.stat().st_size < 20 * 2**20:
            name = str(path.relative_to(out))
            found = {
                line for line in secrets & text_lines(path) if (name, line) not in SHARED_BY_DESIGN
            }
            if found:
                leaks[str(path.relative_to(out))] = sorted(found)[:3]
    assert leaks == {}


def test_bundle_refuses_to_overwrite(tmp_path):
    """Is a non-empty output folder refused without --force?"""
    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError, match="--force"):
        bundle.student_edition(out, repo=REPO)
    assert (out / "keep.txt").read_text(encoding="utf-8") == "mine"
