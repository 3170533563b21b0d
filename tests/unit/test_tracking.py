"""Practice progress is recorded locally and read back per lesson."""

from __future__ import annotations

from course import progress, tracking
from course.checks import bind
from course.cli import main


def test_progress_starts_untouched_and_records_checks(tmp_path, monkeypatch):
    """Does a lesson go from untouched to tried to done as checks are made?"""
    monkeypatch.setenv("COURSE_PROGRESS_DB", str(tmp_path / "p.sqlite"))
    table = progress()
    assert set(table["status"]) == {"untouched"}
    namespace: dict = {}
    bind(namespace, "m0_start_here")
    namespace["q1"].check()
    assert progress().set_index("module").loc["m0_start_here", "status"] == "tried"
    namespace["respondents"] = 577
    namespace["q1"].check()
    per_question = progress("m0_start_here").set_index("question")
    assert per_question.loc["q1", "status"] == "done"
    assert per_question.loc["q1", "checks"] == 2
    namespace["q2"].hint()
    namespace["q4"].solution()
    per_question = progress("m0_start_here").set_index("question")
    assert per_question.loc["q2", "hints"] == 1
    assert per_question.loc["q4", "status"] == "done"  # a thought question is done once revealed


def test_progress_file_lives_outside_the_repository(repo, monkeypatch):
    """Is the default progress file in the user's data directory, not the repository?"""
    monkeypatch.delenv("COURSE_PROGRESS_DB")
    assert repo not in tracking.database_path().parents


def test_course_progress_command(capsys):
    """Does `course progress` print a table and `course progress NAME` one lesson?"""
    assert main(["progress"]) == 0
    assert "m0_start_here" in capsys.readouterr().out
    assert main(["progress", "m9_nothing"]) == 2
