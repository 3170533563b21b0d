"""`course grade` from grading/ in a copy of the repository, and plain nbgrader beside it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from grading_support import TIMEOUT, copy_repo_skeleton

from course.cli import main

pytestmark = pytest.mark.slow


def test_self_paced_flow_and_plain_nbgrader(tmp_path, monkeypatch, capsys):
    """From grading/: does release keep a trainee's work, submit + autograde + summary work, and
    does plain `nbgrader autograde` grade the same submission the same way?"""
    repo = copy_repo_skeleton(tmp_path / "repo", ["m0_warmup"])
    monkeypatch.delenv("COURSE_GRADEBOOK_URL", raising=False)
    monkeypatch.chdir(repo / "grading")
    mine = repo / "assignments" / "m0_warmup" / "m0_warmup.ipynb"
    mine.parent.mkdir(parents=True)
    mine.write_text("my work", encoding="utf-8")

    assert main(["grade", "release", "--all"]) == 0
    assert "kept your" in capsys.readouterr().out
    assert mine.read_text(encoding="utf-8") == "my work"  # never overwritten
    assert (repo / "grading" / "release" / "m0_warmup" / "m0_warmup.ipynb").is_file()

    # the trainee's work is the solution fixture; submitted as "trainee"
    assert main(["grade", "fixtures", "m0_warmup", str(tmp_path / "cases")]) == 0
    mine.write_bytes(
        (tmp_path / "cases" / "solution" / "m0_warmup" / "m0_warmup.ipynb").read_bytes()
    )
    # the lesson's name is accepted, and the advice names the right command
    assert main(["grade", "submit", "m0_start_here", "--student", "trainee"]) == 0
    assert "course grade score m0_warmup" in capsys.readouterr().out
    submitted = repo / "grading" / "submitted" / "trainee" / "m0_warmup"
    assert (submitted / "timestamp.txt").is_file()

    # a submission copied by hand into submitted/ is graded too
    by_hand = repo / "grading" / "submitted" / "byhand" / "m0_warmup"
    by_hand.mkdir(parents=True)
    by_hand.joinpath("m0_warmup.ipynb").write_bytes(
        (tmp_path / "cases" / "wrong_m0_q3" / "m0_warmup" / "m0_warmup.ipynb").read_bytes()
    )
    code = main(["grade", "autograde", "m0_warmup", "--workers", "1", "--timeout",
                 str(TIMEOUT), "--no-progress"])  # fmt: skip
    assert code == 0
    assert main(["grade", "summary", "m0_warmup"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[1]: line.split() for line in out.splitlines() if "m0_warmup" in line}
    assert rows["trainee"][3] == "5.0" and rows["byhand"][3] == "4.0"

    # plain nbgrader, run from grading/ with the same config file, agrees
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    nbgrader = Path(sys.executable).parent / "nbgrader"
    done = subprocess.run(
        [str(nbgrader), "autograde", "m0_warmup", "--student", "trainee", "--force",
         f"--Execute.timeout={TIMEOUT}"],
        cwd=repo / "grading", env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert main(["grade", "summary", "m0_warmup"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[1]: line.split() for line in out.splitlines() if "m0_warmup" in line}
    assert rows["trainee"][3] == "5.0"

    # a self-learner sees a score per question and a feedback page with one command
    assert main(["grade", "score", "m0_start_here", "--student", "byhand"]) == 0
    out = capsys.readouterr().out
    assert "m0_q3: 0 / 1" in out and "m0_q1: 1 / 1" in out
    assert "Autograded: 4 / 5 points" in out and "m0_q5: written answer" in out
    page = repo / "grading" / "feedback" / "byhand" / "m0_warmup" / "m0_warmup.html"
    assert page.is_file() and "feedback" in out.lower()
    assert main(["grade", "score", "m1_roles", "--student", "byhand"]) == 2  # unknown here


def test_unknown_assignment_is_a_clear_error(tmp_path, monkeypatch, capsys):
    """Does releasing an assignment that does not exist say which ones do?"""
    repo = copy_repo_skeleton(tmp_path / "repo", ["m0_warmup"])
    monkeypatch.chdir(repo)
    assert main(["grade", "release", "m9_nothing"]) == 2
    assert "known: m0_warmup" in capsys.readouterr().err


def test_collect_from_the_nbgrader_exchange(tmp_path):
    """Is a submission made with `nbgrader submit` through the exchange collected and graded?"""
    import getpass
    import shutil

    from grading_support import make_course

    from course.grading import intake
    from course.grading.autograde import autograde

    exchange, cache = tmp_path / "exchange", tmp_path / "cache"
    exchange.mkdir()
    exchange.chmod(0o777)  # nbgrader's exchange must be writable by every user
    course = make_course(tmp_path)
    course.extra.Exchange.root = str(exchange)
    intake.release(course, "m0_warmup", trainee_copy=False)
    assert course.api().release_assignment("m0_warmup")["success"]

    student = tmp_path / "student"
    shutil.copytree(course.folder("release", ".", "m0_warmup"), student / "m0_warmup")
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run(
        [str(Path(sys.executable).parent / "nbgrader"), "submit", "m0_warmup",
         "--course=cm_course", f"--Exchange.root={exchange}", f"--Exchange.cache={cache}"],
        cwd=student, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]

    report = intake.collect(course, "m0_warmup", "exchange")
    me = getpass.getuser()
    assert report.collected == [me]
    assert (course.folder("submitted", me, "m0_warmup") / "timestamp.txt").is_file()
    (result,) = autograde(course, "m0_warmup", workers=1, timeout=TIMEOUT, progress=False)
    assert result.status == "graded" and result.timestamp is not None
