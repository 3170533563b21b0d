"""LMS exports (Moodle, Canvas, CSV) of a seeded synthetic gradebook: goldens and re-import.

Rewrite the goldens after a deliberate change with ``pytest --update-goldens``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from course.cli import main
from course.grading.autograde import load_records

GOLDENS = Path(__file__).parent / "goldens"
ASSIGNMENTS = ["m1_synthetic", "m2_synthetic"]
STUDENTS = [f"t{k:04d}" for k in range(1, 31)]


def write_mapping(path: Path, field: str, students=STUDENTS) -> Path:
    """A mapping file giving each listed student an LMS identifier."""
    lines = [f"student_id,{field}"] + [f"{s},lms-{s[1:]}@campus.example" for s in students]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def export(course, tmp_path, *args) -> tuple[int, Path]:
    """Run `course grade export ARGS` on the course; the exit status and the file."""
    output = tmp_path / "out.csv"
    code = main(
        ["grade", "--course-dir", str(course.root), "export", *args, "--output", str(output)]
    )
    return code, output


def gradebook_grades(course) -> dict[tuple[str, str], tuple[float | None, float]]:
    """Through nbgrader's ORM: (score or None when there is no grade, max score) per pair."""
    out = {}
    with course.gradebook() as gb:
        for name in ASSIGNMENTS:
            records = load_records(course, name)
            assignment = gb.find_assignment(name)
            for student in STUDENTS:
                score = None
                for sub in assignment.submissions:
                    if sub.student.id == student and records[student]["status"] != "error":
                        score = sub.score
                out[(student, name)] = (score, assignment.max_score)
    return out


def check_golden(output: Path, name: str, update: bool) -> None:
    """Compare an export with its golden file (or rewrite the golden)."""
    golden = GOLDENS / name
    if update:
        golden.write_text(output.read_text(encoding="utf-8"), encoding="utf-8")
    assert output.read_text(encoding="utf-8") == golden.read_text(encoding="utf-8"), (
        f"{name} changed; if on purpose: pytest --update-goldens"
    )


def test_moodle_matches_golden_and_reimports(synthetic_course, tmp_path, update_goldens):
    """Is the Moodle CSV the golden one, keyed on the mapped identifier, with the gradebook's
    points (empty where there is no grade)?"""
    mapping = write_mapping(tmp_path / "map.csv", "Email address")
    code, output = export(synthetic_course, tmp_path, "--format", "moodle", "--map", str(mapping))
    assert code == 0
    check_golden(output, "moodle.csv", update_goldens)
    with output.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["First name", "Last name", "Email address", *ASSIGNMENTS]
    back = {row["Email address"].split("@")[0].replace("lms-", "t"): row for row in rows}
    assert sorted(back) == STUDENTS
    expected = gradebook_grades(synthetic_course)
    blanks = 0
    for (student, name), (score, _) in expected.items():
        cell = back[student][name]
        if score is None:
            blanks += 1
            assert cell == ""
        else:
            assert float(cell) == pytest.approx(score, abs=0.005)
    assert blanks  # the synthetic class has absences and errors


def test_canvas_matches_golden_and_reimports(synthetic_course, tmp_path, update_goldens):
    """Is the Canvas CSV the golden one, with Canvas's header columns, the Points Possible row
    and percentages that match the gradebook?"""
    mapping = write_mapping(tmp_path / "map.csv", "SIS User ID")
    code, output = export(
        synthetic_course, tmp_path, "--format", "canvas", "--percent", "--map", str(mapping)
    )
    assert code == 0
    check_golden(output, "canvas.csv", update_goldens)
    with output.open(encoding="utf-8", newline="") as handle:
        header, possible, *rows = list(csv.reader(handle))
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *ASSIGNMENTS]
    assert possible == ["Points Possible", "", "", "", "", "100", "100"]
    expected = gradebook_grades(synthetic_course)
    assert len(rows) == len(STUDENTS)
    for row in rows:
        student = "t" + row[2].split("@")[0].removeprefix("lms-")
        assert row[0] == f"Synthetic, Trainee{int(student[1:])}" and row[1] == row[3] == ""
        for name, cell in zip(ASSIGNMENTS, row[5:], strict=True):
            score, maximum = expected[(student, name)]
            if score is None:
                assert cell == ""
            else:
                assert float(cell) == pytest.approx(round(100 * score / maximum, 2), abs=0.005)


def test_canvas_points_possible_in_points(synthetic_course, tmp_path):
    """In points, does the Points Possible row carry each assignment's maximum?"""
    mapping = write_mapping(tmp_path / "map.csv", "ID")
    code, output = export(synthetic_course, tmp_path, "--format", "canvas", "--map", str(mapping))
    assert code == 0
    possible = output.read_text(encoding="utf-8").splitlines()[1].split(",")
    maxima = {name: m for (_, name), (_, m) in gradebook_grades(synthetic_course).items()}
    assert [float(x) for x in possible[5:]] == [maxima[a] for a in ASSIGNMENTS]


def test_csv_matches_golden(synthetic_course, tmp_path, update_goldens):
    """Is the long CSV the golden one, with the mapped identifier in lms_user_id?"""
    mapping = write_mapping(tmp_path / "map.csv", "lms id")
    code, output = export(synthetic_course, tmp_path, "--format", "csv", "--map", str(mapping))
    assert code == 0
    check_golden(output, "grades.csv", update_goldens)
    with output.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(STUDENTS) * len(ASSIGNMENTS)
    assert {r["lms_user_id"] for r in rows if r["student_id"] == "t0003"} == {
        "lms-0003@campus.example"
    }


def test_unmapped_student_is_reported_not_dropped(synthetic_course, tmp_path, capsys):
    """Is a student missing from the mapping named on stderr, with exit status 1?"""
    mapping = write_mapping(tmp_path / "map.csv", "Email address", [*STUDENTS[:-1], "t9999"])
    code, output = export(synthetic_course, tmp_path, "--format", "moodle", "--map", str(mapping))
    captured = capsys.readouterr()
    assert code == 1
    assert "t0030" in captured.err and "left out" in captured.err
    assert "t9999 is in the mapping file but not in the gradebook" in captured.out
    assert "lms-0030" not in output.read_text(encoding="utf-8")
    code, output = export(synthetic_course, tmp_path, "--format", "csv", "--map", str(mapping))
    assert code == 1 and "empty lms_user_id" in capsys.readouterr().err
    assert "t0030" in output.read_text(encoding="utf-8")  # the long CSV keeps every row


@pytest.mark.parametrize(
    "content, message",
    [
        ("id,Email address\nt0001,a@b\n", "first line must be"),
        ("student_id,Email address\nt0001,a@b\nt0001,c@d\n", "t0001 appears twice"),
        ("student_id,Email address\nt0001,a@b\nt0002,a@b\n", "given to both"),
        ("student_id,Email address\nt0001\n", "line 2"),
    ],
)
def test_bad_mapping_is_a_clear_error(synthetic_course, tmp_path, capsys, content, message):
    """Is a malformed mapping file refused with the reason, and nothing written?"""
    mapping = tmp_path / "map.csv"
    mapping.write_text(content, encoding="utf-8")
    code, output = export(synthetic_course, tmp_path, "--format", "moodle", "--map", str(mapping))
    assert code == 2 and message in capsys.readouterr().err
    assert not output.exists()


def test_canvas_mapping_must_name_a_canvas_identifier(synthetic_course, tmp_path, capsys):
    """Is a Canvas export mapped to a field Canvas does not key on refused?"""
    mapping = write_mapping(tmp_path / "map.csv", "Email address")
    code, _ = export(synthetic_course, tmp_path, "--format", "canvas", "--map", str(mapping))
    assert code == 2 and "SIS User ID" in capsys.readouterr().err
