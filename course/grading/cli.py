"""``course grade …``: the instructor's grading flow on nbgrader's course directory.

Works from ``grading/`` or anywhere in the repository. Typical flow::

    course grade release m0_warmup                 # student version; also to assignments/
    course grade collect m0_warmup submissions.zip # or a folder, or: exchange
    course grade autograde m0_warmup --workers 4   # parallel, progress bar, timeouts
    nbgrader formgrader                            # (from grading/) read the written answers
    course grade feedback m0_warmup                # HTML per student, no hidden test source
    course grade export                            # grading/exports/grades.csv
    course grade export --format canvas --map ids.csv  # the LMS's import format
    course grade report m0_warmup                  # item statistics, table and plot
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from course.grading.settings import Course, GradingError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the ``grade`` sub-commands on ``parser``.

    Args:
        parser: the ``course grade`` parser.
    """
    parser.add_argument(
        "--course-dir", type=Path, default=None,
        help="another nbgrader course directory (own gradebook, the repository's sources); "
        "default: grading/",
    )  # fmt: skip
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True

    p = sub.add_parser("release", help="generate the student version (hidden tests stripped)")
    p.add_argument("assignment", nargs="?")
    p.add_argument("--all", action="store_true", help="every assignment under exercises/source")
    p.add_argument("--no-copy", action="store_true", help="do not copy to assignments/")

    p = sub.add_parser("submit", help="hand in your work from assignments/ (self-paced)")
    p.add_argument("assignment", help="the assignment or its lesson, e.g. m1_roles")
    p.add_argument("--student", default=None, help="student id (default: your user name)")

    p = sub.add_parser("score", help="self-paced: grade your submission, show score and feedback")
    p.add_argument("assignment", help="the assignment or its lesson, e.g. m1_roles")
    p.add_argument("--student", default=None, help="student id (default: your user name)")

    p = sub.add_parser("collect", help="bring submissions into submitted/ and the gradebook")
    p.add_argument("assignment")
    p.add_argument("source", help="a folder of <student>/<assignment>/, a zip of it, or 'exchange'")

    p = sub.add_parser("autograde", help="autograde the submissions, students in parallel")
    p.add_argument("assignment")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: CPUs)")
    p.add_argument("--timeout", type=int, default=None, help="seconds per cell (default: 30)")
    p.add_argument("--budget", type=int, default=None, help="seconds per notebook (default: 600)")
    p.add_argument("--student", action="append", default=None, help="only this student (repeat)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")

    p = sub.add_parser("feedback", help="HTML feedback per student (no hidden test source)")
    p.add_argument("assignment")
    p.add_argument("--student", action="append", default=None, help="only this student (repeat)")

    p = sub.add_parser("export", help="grades for the LMS (Moodle, Canvas) or as a long CSV")
    p.add_argument(
        "--format", choices=["moodle", "canvas", "csv"], default="csv",
        help="moodle: grade import CSV; canvas: gradebook CSV; csv: one row per student and "
        "assignment (default)",
    )  # fmt: skip
    p.add_argument("--percent", action="store_true", help="percentages instead of points")
    p.add_argument(
        "--map", type=Path, default=None, dest="mapping",
        help="CSV 'student_id,<LMS field>' giving each student's LMS identifier",
    )  # fmt: skip
    p.add_argument(
        "--output", type=Path, default=None, help="default: grading/exports/grades[-FORMAT].csv"
    )

    p = sub.add_parser("report", help="item statistics per question (table and PNG)")
    p.add_argument("assignment")

    p = sub.add_parser("summary", help="the gradebook at a glance")
    p.add_argument("assignment", nargs="?")

    p = sub.add_parser("fixtures", help="write the fixture submissions of exercises/fixtures/")
    p.add_argument("assignment", nargs="?")
    p.add_argument("dest", type=Path, help="folder receiving <case>/<assignment>/")
    p.add_argument("--all", action="store_true", help="every assignment under exercises/source")


def run(args: argparse.Namespace) -> int:
    """Run one ``course grade`` action.

    Args:
        args: the parsed arguments.

    Returns:
        The exit status: 0 on success, 1 when some submission could not be handled, 2 on a
        usage or setup error.
    """
    try:
        course = Course.from_repo(course_dir=args.course_dir)
        return ACTIONS[args.action](course, args)
    except (GradingError, FileNotFoundError, ValueError) as exc:
        print(f"course grade {args.action}: {exc}", file=sys.stderr)
        return 2


def _release(course: Course, args) -> int:
    from course.grading import intake

    if args.all == bool(args.assignment):
        raise GradingError("give an assignment or --all")
    results = (
        intake.release_all(course, trainee_copy=not args.no_copy)
        if args.all
        else [intake.release(course, args.assignment, trainee_copy=not args.no_copy)]
    )
    for result in results:
        print(f"released {result.assignment} -> {_rel(result.release)}")
        for path in result.copied:
            print(f"  copied to {_rel(path)}")
        for path in result.kept:
            print(f"  kept your {_rel(path)} (not overwritten)")
    return 0


def _submit(course: Course, args) -> int:
    from course.grading import intake

    assignment = intake.resolve_assignment(course, args.assignment)
    folder = intake.submit(course, assignment, args.student)
    print(f"submitted {assignment} -> {_rel(folder)}")
    print(f"Your score and feedback now: course grade score {assignment}")
    return 0


def _score(course: Course, args) -> int:
    import getpass

    from course.grading import autograde, feedback, intake, stats

    assignment = intake.resolve_assignment(course, args.assignment)
    student = args.student or getpass.getuser()
    if student not in autograde.submitted_students(course, assignment):
        raise GradingError(
            f"no submission of {assignment} by {student}: run `course grade submit {assignment}`"
        )
    results = autograde.autograde(course, assignment, students=[student], workers=1, progress=False)
    for result in results:
        for message in result.messages:
            print(f"note: {message}")
    pages = feedback.feedback(course, assignment, [student])
    scores, max_points = stats.item_scores(course, assignment)
    if student not in scores.index:
        print(f"{assignment}: your submission could not be graded; see {_rel(pages[0])}")
        return 1
    written = _written_questions(course, assignment)
    mine = scores.loc[student]
    print(f"{assignment}, {student}: question, points")
    for question, points in max_points.items():
        if question in written:
            print(f"  {question}: written answer, {points:g} points, graded by an instructor")
        else:
            print(f"  {question}: {mine[question]:g} / {points:g}")
    auto_max = sum(p for q, p in max_points.items() if q not in written)
    auto = sum(mine[q] for q in max_points.index if q not in written)
    print(f"Autograded: {auto:g} / {auto_max:g} points. Written answers: "
          f"{sum(max_points[q] for q in written):g} points, graded with the rubric "
          f"grading/rubrics/{assignment}.md.")  # fmt: skip
    for page in pages:
        print(f"Feedback (open in a browser or in JupyterLab): {_rel(page)}")
    return 0


def _written_questions(course: Course, assignment: str) -> set[str]:
    """Questions whose points are manually graded (written answers)."""
    from course.grading import stats

    questions = set()
    with course.gradebook() as gb:
        for notebook in gb.find_assignment(assignment).notebooks:
            manual = {c.name for c in notebook.solution_cells}
            for cell in notebook.grade_cells:
                if cell.name in manual:
                    questions.add(stats._question(cell.name))
    return questions


def _collect(course: Course, args) -> int:
    from course.grading import intake

    report = intake.collect(course, args.assignment, args.source)
    print(f"collected {len(report.collected)} submission(s) of {args.assignment}")
    for student, message in report.warnings:
        print(f"  warning: {student}: {message}")
    for entry, reason in report.skipped:
        print(f"  skipped {entry}: {reason}")
    return 1 if report.skipped else 0


def _autograde(course: Course, args) -> int:
    from course.grading import autograde

    results = autograde.autograde(
        course, args.assignment, students=args.student, workers=args.workers,
        timeout=args.timeout, budget=args.budget, progress=not args.no_progress,
    )  # fmt: skip
    if not results:
        print(f"no submission of {args.assignment} in {_rel(course.root / 'submitted')}")
        return 0
    counts = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    print(
        f"autograded {args.assignment}: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    )
    for result in sorted(results, key=lambda r: r.student):
        if result.messages:
            print(f"  {result.student} ({result.status}): {'; '.join(result.messages)}")
    return 1 if counts.get("error") else 0


def _feedback(course: Course, args) -> int:
    from course.grading import feedback

    pages = feedback.feedback(course, args.assignment, args.student)
    print(f"wrote {len(pages)} feedback page(s) under {_rel(course.root / 'feedback')}")
    return 0


def _export(course: Course, args) -> int:
    from course.grading import lms

    export = lms.build(course, args.format, percent=args.percent, mapping=args.mapping)
    path = lms.write(export, args.output or lms.default_output(course, args.format, args.percent))
    print(f"wrote {_rel(path)} ({args.format}, {len(export.written)} student(s))")
    for student, assignment in export.partial:
        print(f"  note: {student} {assignment}: written answers still to grade (score so far)")
    for ident in export.unknown:
        print(f"  warning: {ident} is in the mapping file but not in the gradebook")
    if export.unmapped:
        where = (
            "written with an empty lms_user_id" if args.format == "csv" else "left out of the file"
        )
        print(
            f"course grade export: no LMS identifier for {len(export.unmapped)} student(s), "
            f"{where}: {', '.join(export.unmapped)} (add them to the mapping file)",
            file=sys.stderr,
        )
        return 1
    return 0


def _report(course: Course, args) -> int:
    import pandas as pd

    from course.grading import stats

    table, csv_path, png_path = stats.report(course, args.assignment)
    with pd.option_context("display.width", 120, "display.precision", 2):
        # "-": not known yet (answers to grade) or undefined, never a misleading 0.00 or NaN
        print(table.to_string(na_rep="-", float_format=lambda x: f"{x:.2f}"))
    waiting = int(table["to_grade"].sum())
    if waiting:
        print(f"{waiting} written answer(s) to grade in formgrader; left out of the figures")
    print(f"wrote {_rel(csv_path)} and {_rel(png_path)}")
    return 0


def _summary(course: Course, args) -> int:
    import pandas as pd

    from course.grading import stats

    frame = stats.summary(course, args.assignment)
    if frame.empty:
        print("the gradebook has no submission yet")
        return 0
    with pd.option_context("display.width", 140, "display.max_rows", 500):
        print(frame.to_string(index=False))
    return 0


def _fixtures(course: Course, args) -> int:
    from course.grading import fixtures

    if args.all == bool(args.assignment):
        raise GradingError("give an assignment or --all")
    names = course.source_assignments() if args.all else [args.assignment]
    for name in names:
        cases = fixtures.build_submissions(name, args.dest, course=course)
        print(f"{name}: {len(cases)} fixture submission(s) in {_rel(args.dest)}")
    return 0


def _rel(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


ACTIONS = {
    "release": _release,
    "submit": _submit,
    "score": _score,
    "collect": _collect,
    "autograde": _autograde,
    "feedback": _feedback,
    "export": _export,
    "report": _report,
    "summary": _summary,
    "fixtures": _fixtures,
}
