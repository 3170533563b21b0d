"""What comes out of the gradebook: the LMS export, item statistics and a summary.

Scores are nbgrader's (a grader's manual score overrides the autograder's); nothing is
recomputed here except the item statistics.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from course.grading.autograde import load_records
from course.grading.settings import Course

QUESTION_RE = re.compile(r"^(m\d+_q\d+)")
EXPORT_COLUMNS = [
    "student_id", "last_name", "first_name", "email", "lms_user_id", "assignment", "status",
    "submitted_at", "seconds_late", "autograded_score", "written_score", "late_penalty",
    "score", "max_score", "percent", "needs_manual_grading", "reason",
]  # fmt: skip
# Okabe-Ito colours, readable with every common colour-vision deficiency
BLUE, ORANGE = "#0072B2", "#E69F00"


def export_frame(course: Course) -> pd.DataFrame:
    """One row per student and assignment, with LMS-friendly columns.

    Args:
        course: the course.

    Returns:
        A frame with :data:`EXPORT_COLUMNS`; ``status`` is ``graded``, ``missing`` (no notebook),
        ``error`` (could not be graded), ``not graded`` or ``not submitted``. An ``error`` row
        has empty scores (nothing could be graded, which is not 0) and ``reason`` says why.
    """
    from nbgrader.api import MissingEntry

    rows = []
    with course.gradebook() as gb:
        for assignment in gb.assignments:
            records = load_records(course, assignment.name)
            for student in gb.students:
                row = {
                    "student_id": student.id,
                    "last_name": student.last_name or "",
                    "first_name": student.first_name or "",
                    "email": student.email or "",
                    "lms_user_id": student.lms_user_id or "",
                    "assignment": assignment.name,
                    "max_score": assignment.max_score,
                }
                try:
                    sub = gb.find_submission(assignment.name, student.id)
                except MissingEntry:
                    row.update(
                        status="not submitted",
                        score=0.0,
                        autograded_score=0.0,
                        written_score=0.0,
                        late_penalty=0.0,
                        needs_manual_grading=False,
                    )
                else:
                    row.update(
                        status=records.get(student.id, {}).get("status", "not graded"),
                        submitted_at=sub.timestamp.isoformat() if sub.timestamp else "",
                        seconds_late=round(sub.total_seconds_late, 1),
                        autograded_score=sub.code_score,
                        written_score=sub.written_score,
                        late_penalty=sub.late_submission_penalty,
                        score=sub.score,
                        needs_manual_grading=bool(sub.needs_manual_grade),
                    )
                    record = records.get(student.id, {})
                    if row["status"] in ("error", "missing"):
                        row["reason"] = "; ".join(record.get("messages", []))
                    if row["status"] == "error":  # nothing graded: empty, not 0
                        row.update(autograded_score=None, score=None)
                rows.append(row)
    frame = pd.DataFrame(rows, columns=EXPORT_COLUMNS)
    if frame.empty:  # nothing graded yet: an empty table, not a dtype error
        return frame
    frame["percent"] = 100 * frame["score"] / frame["max_score"].where(frame["max_score"] > 0)
    frame["percent"] = frame["percent"].round(1)
    return frame


def export(course: Course, output: Path | None = None) -> Path:
    """Write the grades as CSV (UTF-8, comma-separated, one header row).

    Args:
        course: the course.
        output: the file; ``<course>/exports/grades.csv`` by default.

    Returns:
        The file written.
    """
    output = Path(output) if output else course.root / "exports" / "grades.csv"
    output.parent.mkdir(parents=True, exist_ok=True)
    export_frame(course).to_csv(output, index=False)
    return output


def item_scores(course: Course, assignment: str) -> tuple[pd.DataFrame, pd.Series]:
    """Score per student and question (grade cells grouped by their ``mN_qK`` prefix).

    Args:
        course: the course.
        assignment: the assignment name.

    Returns:
        ``(scores, max_points)``: a students × questions frame, and each question's points, the
        questions in natural order (``q2`` before ``q10``). A question with a written answer not
        yet graded by hand is NaN for that student (unknown, not 0). Submissions that could not
        be graded are left out.
    """
    records = load_records(course, assignment)
    scores: dict[str, dict[str, float]] = {}
    max_points: dict[str, float] = {}
    with course.gradebook() as gb:
        target = gb.find_assignment(assignment)
        for notebook in target.notebooks:
            for cell in notebook.grade_cells:
                question = _question(cell.name)
                max_points[question] = max_points.get(question, 0.0) + cell.max_score
        for sub in target.submissions:
            if records.get(sub.student.id, {}).get("status") == "error":
                continue
            row = scores.setdefault(sub.student.id, {})
            for notebook in sub.notebooks:
                for grade in notebook.grades:
                    question = _question(grade.name)
                    value = grade_value(grade.auto_score, grade.manual_score)
                    # one part of a question still to grade makes the whole question unknown
                    row[question] = row.get(question, 0.0) + value
    order = sorted(max_points, key=natural_key)
    frame = pd.DataFrame.from_dict(scores, orient="index", columns=order)
    if frame.empty:
        frame = pd.DataFrame(columns=order, dtype=float)
    return frame.astype(float).sort_index(), pd.Series(max_points, dtype=float)[order]


def grade_value(auto_score: float | None, manual_score: float | None) -> float:
    """The score of one grade cell as nbgrader counts it, NaN while a person has to grade it.

    Args:
        auto_score: the autograder's score (``None`` for a written answer).
        manual_score: a grader's score (``None`` until someone grades it); it overrides.

    Returns:
        ``manual_score``, else ``auto_score``, else NaN (a written answer not yet graded).
    """
    if manual_score is not None:
        return float(manual_score)
    if auto_score is not None:
        return float(auto_score)
    return float("nan")


def natural_key(text: str) -> list:
    """Sort key that orders numbers inside names by value: ``m0_q2`` before ``m0_q10``.

    Args:
        text: a name.

    Returns:
        The key: text and integer parts in turn.
    """
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text)]


def _question(grade_id: str) -> str:
    match = QUESTION_RE.match(grade_id)
    return match.group(1) if match else grade_id


def item_statistics(scores: pd.DataFrame, max_points: pd.Series) -> pd.DataFrame:
    """Per question: mean score, share of full marks, discrimination, how many remain to grade.

    Discrimination is the corrected item-total correlation: the Pearson correlation between the
    question's score and the total of the *other* questions (for a right/wrong question this is
    the point-biserial correlation). It is undefined (NaN) when either side does not vary or
    fewer than two students have a score. A written answer not yet graded (NaN in ``scores``)
    is left out of its question's figures and counted in ``to_grade``; in the total of the other
    questions it counts for nothing.

    Args:
        scores: students × questions (NaN: not graded yet).
        max_points: each question's points.

    Returns:
        One row per question: ``points``, ``mean``, ``mean_share``, ``full_marks_share``,
        ``discrimination``, ``n`` (students with a score), ``to_grade`` (waiting for a person).
    """
    total = scores.sum(axis=1, skipna=True)
    rows = []
    for question in scores.columns:
        column = scores[question].astype(float)
        known = column.notna()
        item = column[known]
        rest = (total - column.fillna(0.0))[known].astype(float)
        if len(item) > 1 and item.std() > 0 and rest.std() > 0:
            discrimination = float(np.corrcoef(item, rest)[0, 1])
        else:
            discrimination = float("nan")
        points = float(max_points[question])
        mean = float(item.mean()) if len(item) else float("nan")
        rows.append({
            "question": question,
            "points": points,
            "mean": mean,
            "mean_share": mean / points if points and len(item) else float("nan"),
            "full_marks_share": float((item >= points).mean()) if len(item) else float("nan"),
            "discrimination": discrimination,
            "n": len(item),
            "to_grade": int((~known).sum()),
        })  # fmt: skip
    columns = ["question", "points", "mean", "mean_share", "full_marks_share", "discrimination"]
    return pd.DataFrame(rows, columns=[*columns, "n", "to_grade"]).set_index("question")


def report(
    course: Course, assignment: str, out_dir: Path | None = None
) -> tuple[pd.DataFrame, Path, Path]:
    """Item statistics of an assignment as a CSV table and a PNG plot.

    Args:
        course: the course.
        assignment: the assignment name.
        out_dir: where to write; ``<course>/reports/<assignment>/`` by default.

    Returns:
        ``(table, csv_path, png_path)``; in the CSV, a figure that cannot be known yet (every
        answer still to grade) is an empty cell.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir = Path(out_dir) if out_dir else course.root / "reports" / assignment
    out_dir.mkdir(parents=True, exist_ok=True)
    table = item_statistics(*item_scores(course, assignment))
    csv_path = out_dir / "items.csv"
    table.round(3).to_csv(csv_path)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.6), sharey=True)
    # a question still waiting for a grader says so instead of showing a bar of 0
    labels = [f"{q} ({int(k)} to grade)" if k else q for q, k in table["to_grade"].items()]
    left.barh(labels, table["mean_share"], color=BLUE, label="mean score / points")
    left.barh(
        labels, table["full_marks_share"], color=ORANGE, height=0.35, label="share with full marks"
    )
    left.set_xlim(0, 1)
    left.set_xlabel("share")
    left.set_ylabel("question")
    left.legend(loc="upper left", bbox_to_anchor=(0, -0.18), ncol=2, fontsize="small")
    left.set_title("Difficulty")
    right.barh(labels, table["discrimination"].fillna(0), color=BLUE)
    right.axvline(0.2, color="grey", linestyle="--", linewidth=1)
    right.set_xlim(-1, 1)
    right.set_xlabel("corrected item-total correlation")
    right.set_title("Discrimination (dashed: 0.2)")
    left.invert_yaxis()
    n = int(table["n"].max()) if len(table) else 0
    waiting = int(table["to_grade"].sum()) if len(table) else 0
    title = f"{assignment}: item statistics ({n} graded submissions"
    fig.suptitle(title + (f"; {waiting} written answers to grade)" if waiting else ")"))
    fig.tight_layout()
    png_path = out_dir / "items.png"
    fig.savefig(png_path, dpi=120)
    plt.close(fig)
    return table, csv_path, png_path


def summary(course: Course, assignment: str | None = None) -> pd.DataFrame:
    """The gradebook at a glance: one row per student and assignment that was submitted.

    Args:
        course: the course.
        assignment: only this assignment; every one by default.

    Returns:
        Columns ``assignment``, ``student_id``, ``status``, ``autograded_score``,
        ``written_score``, ``score``, ``max_score``, ``needs_manual_grading``.
    """
    frame = export_frame(course)
    frame = frame[frame["status"] != "not submitted"]
    if assignment:
        frame = frame[frame["assignment"] == assignment]
    columns = [
        "assignment",
        "student_id",
        "status",
        "autograded_score",
        "written_score",
        "score",
        "max_score",
        "needs_manual_grading",
    ]
    return frame[columns].sort_values(["assignment", "student_id"]).reset_index(drop=True)
