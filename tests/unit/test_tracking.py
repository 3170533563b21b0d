"""Practice progress is recorded locally and read back per lesson."""

from __future__ import annotations

from course import progress, tracking
from course.checks import bind
from course.cli import main


def test_progress_goes_from_not_started_to_tried_to_done(tmp_path, monkeypatch):
    """Does a lesson go from not started to tried to done, a placeholder check not counting?"""
    monkeypatch.setenv("COURSE_PROGRESS_DB", str(tmp_path / "p.sqlite"))
    table = progress()
    assert set(table["status"]) == {"not started"}
    namespace: dict = {}
    bind(namespace, "m0_start_here")
    namespace["q1"].check()  # the placeholder ____ is still there: "not attempted"
    assert progress().set_index("module").loc["m0_start_here", "status"] == "not started"
    assert progress("m0_start_here").set_index("question").loc["q1", "status"] == "not started"
    namespace["respondents"] = 12
    namespace["q1"].check()
    assert progress().set_index("module").loc["m0_start_here", "status"] == "tried"
    assert "q1, tried" in progress().next
    namespace["respondents"] = 577
    namespace["q1"].check()
    per_question = progress("m0_start_here").set_index("question")
    assert per_question.loc["q1", "status"] == "done"
    assert per_question.loc["q1", "checks"] == 3
    namespace["q2"].hint()
    namespace["q4"].solution()
    per_question = progress("m0_start_here").set_index("question")
    assert per_question.loc["q2", "hints"] == 1
    assert per_question.loc["q4", "status"] == "done"  # a thought question is done once revealed
    assert per_question.loc["q2", "status"] == "tried"  # a hint is an attempt


def test_run_all_with_placeholders_shows_nothing_tried(tmp_path, monkeypatch):
    """After Run All with only q1 answered, are the other questions "not started", not "tried"?"""
    monkeypatch.setenv("COURSE_PROGRESS_DB", str(tmp_path / "p.sqlite"))
    namespace: dict = {}
    bind(namespace, "m0_start_here")
    namespace["respondents"] = 577
    for name in ("q1", "q2", "q3"):
        namespace[name].check()
    per_question = progress("m0_start_here").set_index("question")["status"]
    assert per_question["q1"] == "done"
    assert per_question["q2"] == per_question["q3"] == "not started"
    view = progress("m0_start_here")
    assert view.next.startswith("Next: m0_start_here q2, not started")
    assert "Next: m0_start_here q2" in view._repr_html_() and "<table" in view._repr_html_()


def test_progress_file_lives_outside_the_repository(repo, monkeypatch):
    """Is the default progress file in the user's data directory, not the repository?"""
    monkeypatch.delenv("COURSE_PROGRESS_DB")
    assert repo not in tracking.database_path().parents


def test_course_progress_command(capsys):
    """Does `course progress` print a table and `course progress NAME` one lesson?"""
    assert main(["progress"]) == 0
    assert "m0_start_here" in capsys.readouterr().out
    assert main(["progress", "m9_nothing"]) == 2


def test_checks_write_progress_without_importing_the_summaries():
    """Do the checks record through the practice log alone, with no import cycle via tracking?"""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from course.checks.core import EqualityProblem\n"
        "class Half(EqualityProblem):\n"
        "    var, expected, hints, solution = 'half', 0.5, ['h'], 'half = 1 / 2'\n"
        "Half({'half': 0.5}, module='m0_start_here', name='q1').check()\n"
        "print('course.tracking' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_a_progress_file_that_cannot_be_written_is_logged_not_hidden(tmp_path, monkeypatch, caplog):
    """When progress cannot be saved, does the check still answer and say so in the log?"""
    from course.checks.core import EqualityProblem, Status

    class Half(EqualityProblem):
        var = "half"
        expected = 0.5
        hints = ["h"]
        solution = "half = 1 / 2"

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the progress folder should be")
    monkeypatch.setenv("COURSE_PROGRESS_DB", str(blocker / "progress.sqlite"))
    question = Half({"half": 0.5}, module="m0_start_here", name="q1")
    with caplog.at_level("WARNING", logger="course.checks.core"):
        question.check()
    assert question.evaluate().status is Status.CORRECT
    assert "progress not recorded" in caplog.text
