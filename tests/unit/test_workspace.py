"""The trainee's own lesson copies: made once, kept across updates, reset on request."""

from __future__ import annotations

from pathlib import Path

import pytest

from course import workspace
from course.cli import main


def _course(tmp_path: Path) -> tuple[Path, Path]:
    lessons, mine = tmp_path / "modules", tmp_path / "my_lessons"
    lessons.mkdir()
    for name in ("m0_start_here", "m1_roles"):
        (lessons / f"{name}.ipynb").write_text(f"course version of {name}")
    return lessons, mine


def test_prepare_copies_once_and_never_overwrites(tmp_path):
    """Are lessons copied the first time and the trainee's edits kept on the next start?"""
    lessons, mine = _course(tmp_path)
    assert {c.state for c in workspace.prepare(lessons, mine)} == {"new"}
    (mine / "m1_roles.ipynb").write_text("my answers")
    states = {c.name: c.state for c in workspace.prepare(lessons, mine)}
    assert states == {"m0_start_here": "kept", "m1_roles": "kept"}
    assert (mine / "m1_roles.ipynb").read_text() == "my answers"


def test_a_course_update_is_reported_not_applied(tmp_path):
    """When the course's lesson changes, is the trainee told, with their copy untouched?"""
    lessons, mine = _course(tmp_path)
    workspace.prepare(lessons, mine)
    (mine / "m1_roles.ipynb").write_text("my answers")
    (lessons / "m1_roles.ipynb").write_text("course version 2")
    states = {c.name: c.state for c in workspace.prepare(lessons, mine)}
    assert states["m1_roles"] == "course updated"
    assert (mine / "m1_roles.ipynb").read_text() == "my answers"


def test_reset_gives_a_fresh_copy_and_keeps_the_old_one(tmp_path):
    """Does reset restore the course's version and save the trainee's copy, losing nothing?"""
    lessons, mine = _course(tmp_path)
    workspace.prepare(lessons, mine)
    (mine / "m1_roles.ipynb").write_text("my answers")
    saved = workspace.reset("m1_roles.ipynb", lessons, mine)
    assert (mine / "m1_roles.ipynb").read_text() == "course version of m1_roles"
    assert saved is not None and saved.read_text() == "my answers"
    assert saved.parent == mine / ".previous"
    assert workspace.prepare(lessons, mine)[1].state == "kept"


def test_reset_of_an_unknown_lesson_names_the_lessons(tmp_path):
    """Does resetting a lesson that does not exist list the real ones?"""
    lessons, mine = _course(tmp_path)
    with pytest.raises(KeyError, match="m0_start_here, m1_roles"):
        workspace.reset("m9_nothing", lessons, mine)
    assert main(["lessons", "reset", "m9_nothing"]) == 2


def test_workspace_is_ignored_by_git_and_one_level_deep():
    """Is my_lessons/ ignored by git and beside modules/, so relative links still work?"""
    gitignore = (workspace.ROOT / ".gitignore").read_text()
    assert "my_lessons/" in gitignore.splitlines()
    assert workspace.WORKSPACE.parent == workspace.LESSONS.parent
