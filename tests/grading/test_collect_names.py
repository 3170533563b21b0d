"""Collect matches misnamed notebooks by their cells and refuses other assignments' notebooks."""

from __future__ import annotations

import shutil

import pytest
from grading_support import SOURCE

from course.grading import intake
from course.grading.autograde import autograde


def _put(folder, student, assignment, files):
    work = folder / student / assignment
    work.mkdir(parents=True)
    for name, source in files.items():
        if isinstance(source, str):
            (work / name).write_text(source, encoding="utf-8")
        else:
            shutil.copy(source, work / name)


def test_collect_matches_copies_and_refuses_foreign_notebooks(course, tmp_path):
    """Is every misnamed notebook matched or refused, with one line per student?"""
    m1 = SOURCE / "m1_roles" / "m1_roles.ipynb"
    m2 = SOURCE / "m2_engagement" / "m2_engagement.ipynb"
    incoming = tmp_path / "incoming"
    _put(incoming, "alice", "m1_roles", {"m1_roles (1).ipynb": m1})
    _put(incoming, "bob", "m1_roles", {"m1_roles.ipynb": m1, "Copy of m1_roles.ipynb": m1})
    _put(incoming, "carol", "m1_roles", {"m2_engagement.ipynb": m2})
    _put(incoming, "dave", "m1_roles", {"m1_roles.ipynb": m1, "notes.ipynb": '{"cells": []}'})
    _put(incoming, "erin", "m1_roles", {"m1_roles.ipynb": m2})  # right name, wrong notebook
    _put(incoming, "frank", "m1_roles", {"m1_roles.ipynb": "{not json"})
    secret = tmp_path / "gradebook.db"
    secret.write_text("the grades", encoding="utf-8")
    (incoming / "alice" / "m1_roles" / "data.csv").symlink_to(secret)  # a folder from a share
    (incoming / "alice" / "m1_roles" / "sub").mkdir()
    (incoming / "alice" / "m1_roles" / "sub" / "grades").symlink_to(secret)
    report = intake.collect(course, "m1_roles", incoming)

    assert sorted(report.collected) == ["alice", "bob", "dave", "frank"]
    skipped = dict(report.skipped)
    assert set(skipped) == {"carol", "erin"}
    assert "m2_engagement" in skipped["carol"] and "wrong assignment" in skipped["carol"]
    assert "m2_engagement" in skipped["erin"]
    warnings = dict(report.warnings)
    assert warnings["alice"] == "m1_roles (1).ipynb collected as m1_roles.ipynb"
    assert "second copy" in warnings["bob"]
    assert "not a notebook of this course" in warnings["dave"]
    assert "frank" not in warnings  # unreadable but rightly named: autograde reports it
    for student in ("alice", "bob", "dave"):
        folder = course.folder("submitted", student, "m1_roles")
        assert sorted(p.name for p in folder.glob("*.ipynb")) == ["m1_roles.ipynb"]
        assert (folder / "m1_roles.ipynb").read_bytes() == m1.read_bytes()
    alice = course.folder("submitted", "alice", "m1_roles")
    assert not (alice / "data.csv").exists() and not (alice / "sub" / "grades").exists()


@pytest.mark.slow
def test_autograde_explains_a_foreign_notebook_copied_by_hand(course):
    """Does autograde refuse, in one line, a notebook put in submitted/ without collect?"""
    intake.release(course, "m0_warmup", trainee_copy=False)
    folder = course.folder("submitted", "gina", "m0_warmup")
    folder.mkdir(parents=True)
    shutil.copy(SOURCE / "m1_roles" / "m1_roles.ipynb", folder)
    (result,) = autograde(course, "m0_warmup", workers=1, progress=False)
    assert result.status == "error"
    assert len(result.messages) == 1 and "\n" not in result.messages[0]
    assert "m1_roles.ipynb: not a notebook of m0_warmup" in result.messages[0]
    assert "Traceback" not in result.messages[0] + result.details
