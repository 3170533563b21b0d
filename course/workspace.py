"""The trainee's own copies of the lessons, outside the tracked files.

``make start`` copies each lesson of ``modules/`` to ``my_lessons/`` (ignored by git) the first
time, and never overwrites a copy afterwards: a trainee's answers survive ``git pull`` and course
updates, as the assignments in ``assignments/`` do. ``course lessons`` says which copies are
behind the course's version; ``course lessons reset m1_roles`` replaces one copy by a fresh one,
after saving the old one in ``my_lessons/.previous/`` (nothing is lost).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "modules"
WORKSPACE = ROOT / "my_lessons"  # one level below the root, like modules/: relative links hold
ORIGIN = ".origin.json"  # which version of each lesson a copy started from


@dataclass
class LessonCopy:
    """A lesson and the trainee's copy of it.

    Attributes:
        name: the lesson, e.g. ``m1_roles``.
        copy: the trainee's notebook.
        state: ``"new"`` (just copied), ``"kept"`` (the trainee's copy, course unchanged) or
            ``"course updated"`` (the course's lesson changed since the copy was made).
    """

    name: str
    copy: Path
    state: str


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _origins(workspace: Path) -> dict[str, str]:
    path = workspace / ORIGIN
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _save_origins(workspace: Path, origins: dict[str, str]) -> None:
    (workspace / ORIGIN).write_text(json.dumps(origins, indent=1, sort_keys=True), encoding="utf-8")


def lesson_names(lessons: Path = LESSONS) -> list[str]:
    """The lessons of the course, in order.

    Args:
        lessons: the folder of lesson notebooks.

    Returns:
        Names such as ``m0_start_here``.
    """
    return sorted(p.stem for p in lessons.glob("m*.ipynb"))


def prepare(lessons: Path = LESSONS, workspace: Path = WORKSPACE) -> list[LessonCopy]:
    """Copy every lesson the trainee has no copy of; leave every existing copy as it is.

    Args:
        lessons: the course's lesson notebooks.
        workspace: the trainee's folder.

    Returns:
        One entry per lesson, saying whether it was copied, kept, or is behind the course.
    """
    workspace.mkdir(parents=True, exist_ok=True)
    origins = _origins(workspace)
    out = []
    for name in lesson_names(lessons):
        source, copy = lessons / f"{name}.ipynb", workspace / f"{name}.ipynb"
        if not copy.exists():
            shutil.copy2(source, copy)
            origins[name] = _digest(source)
            out.append(LessonCopy(name, copy, "new"))
            continue
        changed = origins.get(name) not in (None, _digest(source))
        out.append(LessonCopy(name, copy, "course updated" if changed else "kept"))
    _save_origins(workspace, origins)
    return out


def reset(name: str, lessons: Path = LESSONS, workspace: Path = WORKSPACE) -> Path | None:
    """Replace the trainee's copy of one lesson by the course's current version.

    Args:
        name: the lesson, ``m1_roles`` or ``m1_roles.ipynb``.
        lessons: the course's lesson notebooks.
        workspace: the trainee's folder.

    Returns:
        Where the previous copy was saved, or ``None`` if there was none.

    Raises:
        KeyError: an unknown lesson (the message lists the lessons).
    """
    name = Path(name).name.removesuffix(".ipynb")
    source = lessons / f"{name}.ipynb"
    if not source.exists():
        raise KeyError(f"no lesson {name!r}; lessons: {', '.join(lesson_names(lessons))}")
    workspace.mkdir(parents=True, exist_ok=True)
    copy = workspace / f"{name}.ipynb"
    saved = None
    if copy.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        saved = workspace / ".previous" / f"{name}-{stamp}.ipynb"
        saved.parent.mkdir(exist_ok=True)
        shutil.move(copy, saved)
    shutil.copy2(source, copy)
    origins = _origins(workspace)
    origins[name] = _digest(source)
    _save_origins(workspace, origins)
    return saved


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``course lessons``."""
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.add_parser("prepare", help="copy the lessons you have no copy of to my_lessons/")
    p = sub.add_parser("reset", help="start one lesson again from the course's version")
    p.add_argument("lesson", help="e.g. m1_roles")


def run(args: argparse.Namespace) -> int:
    """List, prepare or reset the trainee's lesson copies."""
    if args.action == "reset":
        try:
            saved = reset(args.lesson)
        except KeyError as exc:
            print(exc.args[0])
            return 2
        rel = WORKSPACE.relative_to(ROOT)
        print(f"{rel}/{Path(args.lesson).stem}.ipynb is a fresh copy of the lesson")
        if saved:
            print(f"your previous copy is kept in {saved.relative_to(ROOT)}")
        return 0
    for entry in prepare():
        rel = entry.copy.relative_to(ROOT)
        if entry.state == "course updated":
            print(f"{rel}: the course's version changed; `course lessons reset {entry.name}`"
                  " starts it again (your copy is saved)")  # fmt: skip
        elif args.action == "prepare" or entry.state == "new":
            print(f"{rel}: {'copied' if entry.state == 'new' else 'yours, kept'}")
    return 0
