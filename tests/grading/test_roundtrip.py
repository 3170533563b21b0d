"""The full round trip on every assignment: release → fixtures → collect → autograde → feedback →
export, with the scores read back from the gradebook.

Every assignment runs on a SQLite gradebook; m0_warmup (whose fixtures cover every kind of bad
input) runs again on a PostgreSQL gradebook, where the workers write to the database directly."""

from __future__ import annotations

import html
import os
import re
import shutil
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest
from grading_support import ASSIGNMENTS, FIXTURES, SOURCE, TIMEOUT, make_course

from course.grading import fixtures, intake, sandbox, stats
from course.grading.autograde import autograde
from course.grading.feedback import feedback

pytestmark = pytest.mark.slow
INLINE_TAGS = r"</?(span|code|a|strong|em|b|i)\b[^>]*>"  # kept inside a line of text


_DONE: dict[tuple[str, str], SimpleNamespace] = {}
#: PostgreSQL runs: the assignment whose fixtures cover every kind of bad input.
POSTGRES_ASSIGNMENTS = ["m0_warmup"]


def round_trip(assignment, request, backend="sqlite") -> SimpleNamespace:
    """One course per assignment and database, taken through the instructor flow once per session."""
    if (assignment, backend) not in _DONE:
        db_url = None
        if backend == "postgres":
            db_url = request.getfixturevalue("new_postgres_database")("gradebook")
        factory = request.getfixturevalue("tmp_path_factory")
        _DONE[assignment, backend] = _round_trip(assignment, factory, db_url)
    return _DONE[assignment, backend]


def _round_trip(assignment, tmp_path_factory, db_url=None) -> SimpleNamespace:
    root = tmp_path_factory.mktemp(f"roundtrip-{assignment}")
    course = make_course(root, db_url)
    intake.release(course, assignment)
    # every generic attack, in the same batch as the assignment's own honest and wrong cases
    mode = sandbox.detect()
    attacks, left_out = [], []
    for attack in fixtures.load_attacks(FIXTURES / fixtures.ATTACKS_FOLDER):
        if attack.requires and attack.requires not in mode.provides:
            left_out.append(f"{attack.name} (needs {attack.requires}; sandbox: {mode.name})")
        else:
            attacks.append(attack)
    cases = fixtures.build_submissions(
        assignment, root / "incoming", course=course, attacks=attacks
    )
    # collected from a zip that wraps the student folders in one top folder, as LMSs do
    archive = shutil.make_archive(str(root / "submissions"), "zip", root, "incoming")
    collected = intake.collect(course, assignment, archive)
    # the kernels of this batch carry a tag, to find any left running (other runs may grade too)
    os.environ["COURSE_SANDBOX_TAG"] = f"rt{os.getpid()}{assignment.replace('_', '')}"
    try:
        results = autograde(course, assignment, workers=2, timeout=TIMEOUT, progress=False)
    finally:
        tag = os.environ.pop("COURSE_SANDBOX_TAG")
    pages = feedback(course, assignment)
    export = pd.read_csv(stats.export(course))
    return SimpleNamespace(
        assignment=assignment,
        course=course,
        cases=cases,
        collected=collected,
        results={r.student: r for r in results},
        pages=pages,
        export=export,
        left_out=left_out,
        tag=tag,
    )


def same_worker(assignment: str, backend: str = "sqlite") -> pytest.MarkDecorator:
    """Every test of one round trip on one pytest-xdist worker, so its batch is graded once."""
    return pytest.mark.xdist_group(f"roundtrip-{assignment}-{backend}")


@pytest.fixture(
    params=[
        *(pytest.param(a, marks=same_worker(a)) for a in ASSIGNMENTS),
        *(
            pytest.param(f"{a}@postgres", marks=[pytest.mark.postgres, same_worker(a, "postgres")])
            for a in POSTGRES_ASSIGNMENTS
        ),
    ]
)
def graded(request):
    """The round trip of each assignment under exercises/source (and m0_warmup on PostgreSQL)."""
    assignment, _, backend = request.param.partition("@")
    return round_trip(assignment, request, backend or "sqlite")


@pytest.fixture(
    params=[
        pytest.param("sqlite", marks=same_worker("m0_warmup")),
        pytest.param(
            "postgres", marks=[pytest.mark.postgres, same_worker("m0_warmup", "postgres")]
        ),
    ]
)
def m0(request):
    """The round trip of m0_warmup, whose fixtures cover every kind of bad input."""
    if "m0_warmup" not in ASSIGNMENTS:
        pytest.fail("m0_warmup is missing from exercises/source")
    return round_trip("m0_warmup", request, request.param)


def autograded_scores(course, assignment, student):
    """grade id -> (auto score, max score) of the autograded cells of one submission."""
    out = {}
    with course.gradebook() as gb:
        submission = gb.find_submission(assignment, student)
        for notebook in submission.notebooks:
            written = {c.name for c in notebook.notebook.solution_cells}
            for grade in notebook.grades:
                if grade.name not in written:
                    out[grade.name] = (grade.auto_score, grade.max_score)
    return out


def test_every_case_gets_its_score(graded):
    """Does every fixture and attack submission get exactly the score it should?"""
    problems = []
    blank = {
        g: s for g, (s, _) in autograded_scores(graded.course, graded.assignment, "release").items()
    }
    for case in graded.cases:
        result = graded.results.get(case.name)
        if result is None:
            problems.append(f"{case.name}: not graded at all")
            continue
        if case.expect == "error":
            if result.status != "error" or not result.messages:
                problems.append(f"{case.name}: expected a reported error, got {result.status}")
            continue
        if result.status == "error":
            problems.append(f"{case.name}: could not be graded: {result.messages}")
            continue
        scores = autograded_scores(graded.course, graded.assignment, case.name)
        for grade_id, (score, max_score) in sorted(scores.items()):
            expected = case.expected_score(grade_id, max_score, blank)
            if score != expected:
                problems.append(
                    f"{case.name} ({case.expect}): {grade_id} = {score}, not {expected}"
                )
        for prefix in case.lost_prefixes:
            if not any(g.startswith(prefix + "_") for g in scores):
                problems.append(f"{case.name}: no autograded cell starts with {prefix}_")
    assert not problems, "\n".join(problems)
    if graded.left_out:
        pytest.skip(f"attacks the sandbox cannot make harmless here: {graded.left_out}")


def test_attacks_leave_the_gradebook_and_the_machine_alone(graded):
    """After the batch, is no grade written by hand, no notebook bloated, nothing left running?"""
    with graded.course.gradebook() as gb:
        submission_ids = {s.student.id for s in gb.assignment_submissions(graded.assignment)}
        manual = [
            (g.student.id, g.name)
            for s in gb.assignment_submissions(graded.assignment)
            for nb in s.notebooks
            for g in nb.grades
            if g.manual_score is not None or (g.auto_score or 0) > g.max_score
        ]
    assert submission_ids == set(graded.results), "every student has a submission row"
    assert manual == [], "nobody graded by hand: these scores were written by a submission"
    folder = graded.course.root / "autograded"
    sizes = {p: p.stat().st_size for p in folder.rglob("*") if p.is_file()}
    assert sizes, "autograded notebooks are kept"
    big = {str(p): n for p, n in sizes.items() if n > 8 * 2**20}
    assert not big, f"files bigger than 8 MiB in autograded/: {big}"
    assert sandbox.leftover_processes(graded.tag) == [], "a kernel's processes outlived grading"


# what the batch must say about the process attacks (exercises/fixtures/attacks/process.toml)
SAID = {
    "kernel_exit": "kernel died",
    "kill_parent": "kernel died",
    "kill_everything": "kernel died",
    "memory_4gib": "memory",
    "fill_disk": "file larger",
    "output_flood": "output cut",
}


def test_every_student_gets_a_status(graded):
    """Does the batch say what happened to every student, attacks included?"""
    for case in graded.cases:
        result = graded.results[case.name]
        assert result.status in {"graded", "missing", "error"}
        if case.attack in SAID:
            said = " ".join(result.messages)
            assert SAID[case.attack] in said, f"{case.name}: {result.messages}"
        if case.name == "solution":
            assert result.messages == [], "nothing to say about an honest submission"


def test_no_hidden_test_source_in_feedback(graded):
    """Is the source of every hidden test absent from the release and every feedback page?"""
    hidden, visible = set(), set()
    for path in (SOURCE / graded.assignment).glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            inside = False
            for line in cell.source.splitlines():
                if "BEGIN HIDDEN TESTS" in line:
                    inside = True
                elif "END HIDDEN TESTS" in line:
                    inside = False
                elif len(line.strip()) >= 12:
                    (hidden if inside else visible).add(line.strip())
    hidden -= visible  # a line also shown outside hidden tests is no secret
    assert hidden, "the assignment should have hidden tests"
    for path in graded.course.folder("release", ".", graded.assignment).glob("*.ipynb"):
        shown = {
            line.strip()
            for cell in nbformat.read(path, as_version=4).cells
            for line in cell.source.splitlines()
        }
        assert not hidden & shown, f"{path} leaks {sorted(hidden & shown)[:3]}"
    students = {p.parent.parent.name for p in graded.pages}
    assert students == set(graded.results), "one feedback page per graded student"
    for page in graded.pages:
        # every line of text on the page, tags removed (sources would be shown line by line)
        text = re.sub(INLINE_TAGS, "", page.read_text(encoding="utf-8"))
        text = html.unescape(re.sub(r"<[^>]+>", "\n", text))
        shown = {line.strip() for line in text.splitlines()}
        assert not hidden & shown, f"{page}: hidden test source shown: {sorted(hidden & shown)[:3]}"


def test_nbgrader_feedback_is_the_same_leak_proof_page(graded):
    """Does nbgrader's own GenerateFeedback (formgrader's button) write our page, no file more?"""
    from test_evaluation_attacks import hidden_lines, page_text  # (g1-evaluate's test module)

    ours = {p: p.read_text(encoding="utf-8") for p in graded.pages}
    outcome = graded.course.api().generate_feedback(graded.assignment)
    assert outcome["success"], (outcome.get("log") or "")[-2000:]
    secrets = hidden_lines(graded.assignment)
    for page, text in ours.items():
        assert page.read_text(encoding="utf-8") == text, f"{page}: not the course's page"
        assert sorted(p.name for p in page.parent.iterdir()) == [page.name]
        leaked = sorted(s for s in secrets if s in page_text(text))
        assert not leaked, f"{page}: hidden test lines shown, even in part: {leaked[:3]}"


def test_export_has_one_row_per_student(graded):
    """Does the CSV export carry one row per student with the gradebook's scores?"""
    rows = graded.export[graded.export["assignment"] == graded.assignment]
    assert sorted(rows["student_id"]) == sorted(c.name for c in graded.cases)
    solution = rows.set_index("student_id").loc["solution"]
    assert solution["autograded_score"] > 0
    assert solution["status"] == "graded"
    # an empty score only when nothing could be graded, with the reason beside it
    errors = rows[rows["status"] == "error"]
    assert errors["score"].isna().all() and errors["reason"].fillna("").astype(str).ne("").all()
    assert rows.loc[rows["status"] != "error", "score"].notna().all()
    crashed = rows.set_index("student_id").loc["attack_kernel_exit"]
    assert crashed["status"] == "graded" and crashed["autograded_score"] > 0


def test_collect_took_every_case(graded):
    """Were all fixture submissions collected from the zip, with nothing skipped?"""
    assert sorted(graded.collected.collected) == sorted(c.name for c in graded.cases)
    assert graded.collected.skipped == []


def test_warning_fixture_really_warns_in_a_test_cell(m0):
    """Does the warning case keep its points, its warning gone from the judged test cell?"""
    from nbgrader.utils import determine_grade

    path = m0.course.folder("autograded", "warning_m0_q4", "m0_warmup") / "m0_warmup.ipynb"
    cell = next(
        c for c in nbformat.read(path, as_version=4).cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "m0_q4_employer_shares_tests"
    )  # fmt: skip
    # the judge (course.grading.judge) keeps course-written outputs only: none for a pass
    assert cell.outputs == []
    assert determine_grade(cell)[0] == 2


def test_bad_submissions_are_reported(m0):
    """Are tampering, deleted tests, timeouts, a broken and a missing notebook each reported?"""
    results = m0.results
    assert len(results["tampered_assert_true"].tampered) == 4
    assert sorted(results["deleted_tests"].deleted) == [
        "m0_q2_share_women_tests",
        "m0_q4_employer_shares_tests",
    ]
    assert results["loop_m0_q2"].timed_out == ["m0_q2_share_women"]
    assert "not a readable notebook" in results["not_json"].messages[0]
    assert results["missing_notebook"].status == "missing"
    assert results["solution"].messages == []
    page = m0.course.folder("feedback", "tampered_assert_true", "m0_warmup") / "m0_warmup.html"
    assert "edited test cells restored" in page.read_text(encoding="utf-8")


def test_report_gives_item_statistics(m0):
    """Does the report give per-question statistics, a CSV and a plot?"""
    table, csv_path, png_path = stats.report(m0.course, "m0_warmup")
    assert list(table.index) == ["m0_q1", "m0_q2", "m0_q3", "m0_q4", "m0_q5", "m0_q6"]
    assert table.loc["m0_q4", "points"] == 2
    # written answers nobody has graded yet are counted as to grade (blank ones nbgrader scores 0)
    assert (table.loc[["m0_q5", "m0_q6"], "to_grade"] > 0).all()
    # the error case is left out; everyone else took part
    assert table["n"].max() == len(m0.cases) - 1
    assert 0 < table.loc["m0_q1", "full_marks_share"] < 1
    assert table.loc["m0_q1", "discrimination"] > 0
    assert csv_path.is_file() and png_path.read_bytes()[:4] == b"\x89PNG"


def test_feedback_carries_what_release_feedback_needs(m0):
    """Does feedback keep the submission's timestamp and secret beside the page, as nbgrader's
    release_feedback needs them (submissions from the exchange have both; tests/hub releases)?"""
    submitted = m0.course.folder("submitted", "solution", "m0_warmup")
    (submitted / "timestamp.txt").write_text("2026-01-05 10:00:00.000000 UTC", encoding="utf-8")
    (submitted / "submission_secret.txt").write_text("0123abcd", encoding="utf-8")
    folder = m0.course.folder("feedback", "solution", "m0_warmup")
    for name in ("timestamp.txt", "submission_secret.txt"):
        (folder / name).unlink(missing_ok=True)
    feedback(m0.course, "m0_warmup", students=["solution"])
    assert (folder / "timestamp.txt").read_text() == "2026-01-05 10:00:00.000000 UTC"
    assert (folder / "submission_secret.txt").read_text() == "0123abcd"
