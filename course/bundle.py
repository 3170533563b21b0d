"""The student edition: what trainees get, without solutions, hidden tests or grading material.

``course bundle student OUT`` (``make student-edition``) writes a folder a trainee can run with
``make start``: the lessons (``modules/``), the datasets, the ``course`` package, the Voilà
dashboards, the install files and the **released** assignments (``assignments/<name>/``, made by
nbgrader's ``generate_assignment`` in a throw-away course). Never copied: ``exercises/`` (sources
with solutions and hidden tests, fixture submissions), ``grading/`` (gradebook, submissions,
autograded notebooks), ``tests/``, ``benchmarks/`` and git's history.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# what a trainee's copy holds, relative to the repository root
INCLUDED = [
    "README.md",
    "Makefile",
    "pyproject.toml",
    "requirements",
    "voila.json",
    "course",
    "modules",
    "datasets",
    "dashboards",
    "docs",
]
# never in a student edition, even if INCLUDED changes
EXCLUDED = ["exercises", "grading", "tests", "benchmarks", ".git", ".ci", "build"]
IGNORED = shutil.ignore_patterns(
    "__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info", ".DS_Store", "node_modules"
)


@dataclass
class Bundle:
    """What :func:`student_edition` wrote.

    Attributes:
        out: the edition's folder.
        copied: the top-level entries copied from the repository.
        assignments: the released assignments in ``assignments/``.
    """

    out: Path
    copied: list[str] = field(default_factory=list)
    assignments: list[str] = field(default_factory=list)


def student_edition(out: Path, *, repo: Path | None = None, force: bool = False) -> Bundle:
    """Write the student edition of the course.

    Args:
        out: the folder to write (must not exist, or be empty, unless ``force``).
        repo: the repository; found from the current directory by default.
        force: replace ``out`` if it exists.

    Returns:
        What was written.

    Raises:
        FileExistsError: ``out`` exists and is not empty, without ``force``.
        ValueError: ``out`` is inside the repository's source or grading folders, or is the
            repository itself.
    """
    from course.grading import intake
    from course.grading.settings import Course, find_repo_root

    repo = Path(repo).resolve() if repo else find_repo_root()
    out = Path(out).resolve()
    if out == repo or any(out.is_relative_to(repo / name) for name in EXCLUDED[:2]):
        raise ValueError(f"{out}: choose a folder outside the repository's own folders")
    if out.exists() and any(out.iterdir()):
        if not force:
            raise FileExistsError(f"{out} exists and is not empty (--force replaces it)")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    bundle = Bundle(out)
    for name in INCLUDED:
        source = repo / name
        if source.is_dir():
            shutil.copytree(source, out / name, ignore=IGNORED, symlinks=False)
        elif source.is_file():
            shutil.copy2(source, out / name)
        else:
            continue
        bundle.copied.append(name)
    with tempfile.TemporaryDirectory(prefix="student-edition-") as tmp:
        course = Course.create(Path(tmp) / "grading", repo / "exercises" / "source", repo=tmp)
        for name in course.source_assignments():
            released = intake.release(course, name, trainee_copy=False).release
            shutil.copytree(released, out / "assignments" / name, ignore=IGNORED)
            bundle.assignments.append(name)
    (out / "EDITION.json").write_text(
        json.dumps({"edition": "student", "assignments": bundle.assignments}, indent=1) + "\n",
        encoding="utf-8",
    )
    return bundle


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``course bundle``."""
    parser.add_argument("edition", choices=["student"], help="which edition (student)")
    parser.add_argument("out", type=Path, help="the folder to write")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")


def run(args: argparse.Namespace) -> int:
    """Run ``course bundle``; returns the exit status."""
    try:
        bundle = student_edition(args.out, force=args.force)
    except (FileExistsError, ValueError, FileNotFoundError) as exc:
        print(f"course bundle: {exc}", file=sys.stderr)
        return 2
    print(f"student edition in {bundle.out}: {', '.join(bundle.copied)}")
    print(f"released assignments: {', '.join(bundle.assignments) or 'none'}")
    return 0
