"""Grades in the import formats of learning management systems: Moodle, Canvas, plain CSV.

- **Moodle** (*Grades › Import › CSV file*): one header row, a column holding a user identifier
  that the import dialog maps to a Moodle user field (email address, username, ID number…), and
  one column per grade item, mapped to an existing or a new grade item.
- **Canvas** (*Grades › Import*): the gradebook CSV with its header columns ``Student``, ``ID``,
  ``SIS User ID``, ``SIS Login ID``, ``Section``, then one column per assignment (a column
  without a Canvas id creates a new assignment), and a second row ``Points Possible`` giving each
  assignment's points.
- **csv**: the course's own long table (:func:`course.grading.stats.export_frame`).

Which LMS user each nbgrader student is comes from a mapping file (CSV, header
``student_id,<LMS field>``, e.g. ``student_id,Email address`` or ``student_id,SIS User ID``), or,
without one, from the gradebook (the student's email for Moodle, ``lms_user_id`` for Canvas).
A student without an identifier is never written with a guess and never dropped silently: the
export lists them in :attr:`LMSExport.unmapped` and the command says so and exits with 1.

A submission that was never made, or could not be graded, has an empty cell (no grade, which
the LMS keeps apart from 0); a submission whose written answers are still to grade carries the
score so far and is counted in :attr:`LMSExport.partial`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from course.grading.settings import Course, GradingError
from course.grading.stats import export_frame, natural_key

FORMATS = ("moodle", "canvas", "csv")
MOODLE_DEFAULT_FIELD = "Email address"
CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_ID_FIELDS = ("ID", "SIS User ID", "SIS Login ID")
POINTS_POSSIBLE = "Points Possible"
NO_GRADE = ("not submitted", "error")


@dataclass
class LMSExport:
    """An export ready to write.

    Attributes:
        format: ``"moodle"``, ``"canvas"`` or ``"csv"``.
        text: the CSV text.
        written: nbgrader ids of the students written.
        unmapped: nbgrader ids of students left out for want of an LMS identifier.
        unknown: ids of the mapping file that are not in the gradebook.
        partial: ``(student, assignment)`` whose score still misses written answers to grade.
    """

    format: str
    text: str
    written: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    partial: list[tuple[str, str]] = field(default_factory=list)


def read_mapping(path: Path) -> tuple[str, dict[str, str]]:
    """Read a mapping file: nbgrader student id → LMS identifier.

    Args:
        path: a CSV file whose header is ``student_id,<LMS field name>``.

    Returns:
        ``(field name, {student id: identifier})``.

    Raises:
        GradingError: the file is missing, has not two named columns, repeats a student or gives
            two students the same identifier.
    """
    path = Path(path)
    if not path.is_file():
        raise GradingError(f"mapping file not found: {path}")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows or len(rows[0]) != 2 or rows[0][0].strip() != "student_id" or not rows[0][1]:
        raise GradingError(
            f"{path}: the first line must be 'student_id,<LMS field>' "
            "(e.g. student_id,Email address)"
        )
    name = rows[0][1].strip()
    mapping: dict[str, str] = {}
    seen: dict[str, str] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 2 or not row[0].strip() or not row[1].strip():
            raise GradingError(f"{path}, line {number}: expected 'student_id,identifier'")
        student, ident = row[0].strip(), row[1].strip()
        if student in mapping:
            raise GradingError(f"{path}, line {number}: {student} appears twice")
        if ident in seen:
            raise GradingError(
                f"{path}, line {number}: {ident} is given to both {seen[ident]} and {student}"
            )
        mapping[student], seen[ident] = ident, student
    return name, mapping


def build(
    course: Course,
    fmt: str,
    *,
    percent: bool = False,
    mapping: Path | None = None,
    frame: pd.DataFrame | None = None,
) -> LMSExport:
    """Build an export of the gradebook in one LMS format.

    Args:
        course: the course.
        fmt: one of :data:`FORMATS`.
        percent: percentages (0–100) instead of points (Canvas then says 100 points possible).
        mapping: a mapping file (see :func:`read_mapping`).
        frame: the gradebook's export frame, if already read (:func:`stats.export_frame`).

    Returns:
        The export.

    Raises:
        GradingError: an unknown format, a bad mapping file, or a Canvas mapping to a field that
            is not one of Canvas's identifier columns.
    """
    if fmt not in FORMATS:
        raise GradingError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    frame = export_frame(course) if frame is None else frame
    field_name, ids = read_mapping(mapping) if mapping else (None, None)
    students = sorted(frame["student_id"].unique(), key=natural_key)
    result = LMSExport(format=fmt, text="")
    if ids is not None:
        result.unknown = sorted(set(ids) - set(students), key=natural_key)
    if fmt == "csv":
        out = frame.copy()
        if ids is not None:
            out["lms_user_id"] = out["student_id"].map(ids).fillna("")
            result.unmapped = [s for s in students if s not in ids]
        result.written = students
        result.text = out.to_csv(index=False, lineterminator="\n")
        return result

    people = frame.drop_duplicates("student_id").set_index("student_id")
    if ids is None:
        column = "email" if fmt == "moodle" else "lms_user_id"
        field_name = MOODLE_DEFAULT_FIELD if fmt == "moodle" else "ID"
        ids = {s: str(people.at[s, column]) for s in students if str(people.at[s, column])}
    if fmt == "canvas" and field_name not in CANVAS_ID_FIELDS:
        raise GradingError(
            f"a Canvas mapping names one of {', '.join(CANVAS_ID_FIELDS)}, not {field_name!r}"
        )
    assignments = sorted(frame["assignment"].unique(), key=natural_key)
    cells = frame.set_index(["student_id", "assignment"])
    result.unmapped = [s for s in students if s not in ids]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if fmt == "moodle":
        writer.writerow(["First name", "Last name", field_name, *assignments])
    else:
        writer.writerow([*CANVAS_HEADER, *assignments])
        maxima = frame.drop_duplicates("assignment").set_index("assignment")["max_score"]
        writer.writerow(
            [POINTS_POSSIBLE, "", "", "", "", *(_number(100.0 if percent else maxima[a])
                                                for a in assignments)]
        )  # fmt: skip
    for student in students:
        if student not in ids:
            continue
        grades = []
        for assignment in assignments:
            row = cells.loc[(student, assignment)]
            if row["status"] in NO_GRADE or pd.isna(row["score"]):
                grades.append("")
                continue
            if bool(row["needs_manual_grading"]):
                result.partial.append((student, assignment))
            score = float(row["score"])
            if percent:  # from the points, not the table's rounded percent
                score = 100 * score / row["max_score"] if row["max_score"] else 0.0
            grades.append(_number(score))
        first, last = people.at[student, "first_name"], people.at[student, "last_name"]
        if fmt == "moodle":
            writer.writerow([first, last, ids[student], *grades])
        else:
            name = ", ".join(part for part in (last, first) if part) or student
            identity = {key: "" for key in CANVAS_ID_FIELDS}
            identity[field_name] = ids[student]
            writer.writerow([name, *identity.values(), "", *grades])
        result.written.append(student)
    result.text = buffer.getvalue()
    return result


def _number(value: float) -> str:
    """A grade as the LMS reads it: at most two decimals, no trailing zeros, a dot."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def write(export: LMSExport, output: Path) -> Path:
    """Write an export (UTF-8, ``\\n`` line ends), creating the folder.

    Args:
        export: what :func:`build` returned.
        output: the file.

    Returns:
        The file written.
    """
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(export.text, encoding="utf-8")
    return output


def default_output(course: Course, fmt: str, percent: bool = False) -> Path:
    """Where an export goes by default: ``<course>/exports/grades[-<format>][-percent].csv``.

    Args:
        course: the course.
        fmt: the format.
        percent: whether the grades are percentages.

    Returns:
        The path.
    """
    stem = "grades" if fmt == "csv" else f"grades-{fmt}"
    return (
        course.root / "exports" / (stem + ("-percent" if percent and fmt != "csv" else "") + ".csv")
    )
