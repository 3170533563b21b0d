"""A synthetic, seeded gradebook: a class of invented trainees for tests and benchmarks.

Everything here is invented (no real trainee, no real answer). It is written through nbgrader's
own Gradebook models, so whatever reads a real gradebook reads this one. Each trainee has an
ability and each question a difficulty (a logistic model), so item statistics behave like real
ones; one question per assignment is *reversed* (stronger trainees miss it more often, as a
badly keyed question would) and one is very easy, so the flags have something to find.
Written answers are markdown grade cells, some graded by hand, the rest still to grade.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import uuid4

import numpy as np

from course.grading.autograde import records_path
from course.grading.settings import Course

ERROR_REASON = "timeout: the notebook ran over its 600 s budget"
MISSING_REASON = "no notebook named {notebook}.ipynb in the submission"


@dataclass(frozen=True)
class SyntheticClass:
    """The shape of a synthetic class.

    Attributes:
        trainees: how many trainees.
        assignments: how many assignments (``m1``, ``m2``…).
        questions: autograded questions per assignment (``q1``… in natural order, ``q10`` too).
        seed: the random seed: the same seed gives the same gradebook.
        absent: share of (trainee, assignment) pairs never submitted.
        late: share of submissions handed in after the due date.
        errors: share of submissions the autograder could not grade.
        missing: share of submissions without the notebook (scored 0 by the autograder).
        graded_written: share of written answers already graded by hand.
    """

    trainees: int = 12
    assignments: int = 2
    questions: int = 11
    seed: int = 0
    absent: float = 0.08
    late: float = 0.1
    errors: float = 0.04
    missing: float = 0.03
    graded_written: float = 0.6


def assignment_name(index: int) -> str:
    """The name of synthetic assignment ``index`` (1-based): ``m1_synthetic``."""
    return f"m{index}_synthetic"


def _create_schema(course: Course) -> None:
    """Create nbgrader's tables and alembic stamp in-process, as ``Gradebook()`` would.

    nbgrader asks a new gradebook's schema version from an ``alembic heads`` subprocess, which
    costs seconds on a busy machine; the same head is read here from nbgrader's own migration
    scripts. An existing gradebook is left alone.
    """
    import os

    import nbgrader
    import sqlalchemy
    from alembic.script import ScriptDirectory
    from nbgrader.api import Base

    engine = sqlalchemy.create_engine(course.db_url)
    try:
        if sqlalchemy.inspect(engine).has_table("alembic_version"):
            return
        scripts = ScriptDirectory(os.path.join(os.path.dirname(nbgrader.__file__), "alembic"))
        Base.metadata.create_all(bind=engine)
        with engine.begin() as connection:
            connection.execute(
                sqlalchemy.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
            )
            connection.execute(
                sqlalchemy.text("INSERT INTO alembic_version (version_num) VALUES (:v)"),
                {"v": scripts.get_current_head()},
            )
    finally:
        engine.dispose()


def build(course: Course, shape: SyntheticClass = SyntheticClass()) -> Course:
    """Fill ``course``'s gradebook with a synthetic class (and its autograde records).

    Args:
        course: a course whose gradebook is empty (or holds no synthetic assignment yet).
        shape: the size and seed of the class.

    Returns:
        The same course.
    """
    from nbgrader.api import Comment, Grade, SubmittedAssignment, SubmittedNotebook

    _create_schema(course)
    rng = np.random.default_rng(shape.seed)
    ability = rng.normal(0.0, 1.0, shape.trainees)
    start = datetime(2026, 1, 5, 17, 0)
    with course.gradebook() as gb, gb.db.no_autoflush:
        students = []
        for k in range(shape.trainees):
            sid = f"t{k + 1:04d}"
            students.append(
                gb.add_student(
                    sid,
                    first_name=f"Trainee{k + 1}",
                    last_name="Synthetic",
                    email=f"{sid}@example.org",
                )
            )
        for a in range(1, shape.assignments + 1):
            name = assignment_name(a)
            due = start + timedelta(days=7 * a)
            assignment = gb.add_assignment(name, duedate=due)
            notebook = gb.add_notebook(name, name)
            cells = []  # (grade cell, difficulty, kind)
            for q in range(1, shape.questions + 1):
                points = 2.0 if q % 4 == 0 else 1.0
                cell = gb.add_grade_cell(
                    f"m{a}_q{q}_tests", name, name, max_score=points, cell_type="code"
                )
                difficulty = rng.normal(0.0, 1.0)
                kind = "auto"
                if q == 1:
                    difficulty, kind = -6.0, "auto"  # almost everyone gets it
                elif q == 2:
                    kind = "reversed"
                cells.append((cell, difficulty, kind))
            written_name = f"m{a}_q{shape.questions + 1}_written"
            solution = gb.add_solution_cell(written_name, name, name)
            written = gb.add_grade_cell(
                written_name, name, name, max_score=3.0, cell_type="markdown"
            )
            cells.append((written, 0.0, "written"))
            records = {}
            # plain inserts, not ORM objects: a class of 500 × 8 is built in seconds
            rows = {"sub": [], "nb": [], "comment": [], "grade": []}
            for student, theta in zip(students, ability, strict=True):
                draw = rng.random(4)
                if draw[0] < shape.absent:
                    continue
                late = draw[1] < shape.late
                stamp = due + (timedelta(hours=5) if late else -timedelta(hours=3))
                sub_id, nb_id = uuid4().hex, uuid4().hex
                rows["sub"].append({"id": sub_id, "assignment_id": assignment.id,
                                    "student_id": student.id, "timestamp": stamp})  # fmt: skip
                rows["nb"].append({"id": nb_id, "assignment_id": sub_id,
                                   "notebook_id": notebook.id, "flagged": False})  # fmt: skip
                rows["comment"].append(
                    {"id": uuid4().hex, "cell_id": solution.id, "notebook_id": nb_id}
                )
                status = "graded"
                if draw[2] < shape.errors:
                    status = "error"
                elif draw[3] < shape.missing:
                    status = "missing"
                for cell, difficulty, kind in cells:
                    grade = {"id": uuid4().hex, "cell_id": cell.id, "notebook_id": nb_id,
                             "manual_score": None, "extra_credit": None}  # fmt: skip
                    if status == "error":
                        grade.update(auto_score=None, needs_manual_grade=False)
                    elif status == "missing":
                        grade.update(auto_score=0.0, needs_manual_grade=False)
                    elif kind == "written":
                        grade.update(auto_score=None, needs_manual_grade=True)
                        if rng.random() < shape.graded_written:
                            share = 1 / (1 + np.exp(-(theta + rng.normal(0, 0.5))))
                            grade["manual_score"] = float(round(share * cell.max_score))
                            grade["needs_manual_grade"] = False
                    else:
                        sign = -1.0 if kind == "reversed" else 1.0
                        p = 1 / (1 + np.exp(-(sign * theta - difficulty)))
                        won = rng.random() < p
                        grade.update(auto_score=float(cell.max_score) if won else 0.0,
                                     needs_manual_grade=False)  # fmt: skip
                    rows["grade"].append(grade)
                messages = []
                if status == "error":
                    messages = [ERROR_REASON]
                elif status == "missing":
                    messages = [MISSING_REASON.format(notebook=name)]
                records[student.id] = {"student": student.id, "status": status,
                                       "messages": messages}  # fmt: skip
            for model, key in ((SubmittedAssignment, "sub"), (SubmittedNotebook, "nb"),
                               (Comment, "comment"), (Grade, "grade")):  # fmt: skip
                if rows[key]:
                    gb.db.execute(model.__table__.insert(), rows[key])
            gb.db.commit()
            path = records_path(course, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(records, indent=1, sort_keys=True), encoding="utf-8")
    return course
