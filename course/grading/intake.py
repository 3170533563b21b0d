"""Getting assignments out and submissions in: release, submit (self-paced) and collect.

Everything lands in nbgrader's own folders (``release/``, ``submitted/<student>/<assignment>/``),
so plain ``nbgrader`` commands and formgrader see the same course.
"""

from __future__ import annotations

import getpass
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from course.grading.settings import Course, GradingError

STUDENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$")
IGNORED = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", ".DS_Store")
TIMESTAMP_FILE = "timestamp.txt"


def timestamp_now() -> str:
    """The current time in nbgrader's ``timestamp.txt`` format."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f %Z")


@dataclass
class ReleaseResult:
    """What ``release`` did for one assignment.

    Attributes:
        assignment: the assignment.
        release: the student version's folder in the course.
        copied: files copied to the trainee's ``assignments/<assignment>/``.
        kept: files already there, left untouched.
    """

    assignment: str
    release: Path
    copied: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def release(course: Course, assignment: str, *, trainee_copy: bool = True) -> ReleaseResult:
    """Generate the student version of an assignment (solutions and hidden tests removed).

    Runs nbgrader's ``generate_assignment`` through its API (the assignment is added to the
    gradebook), then copies the student version to ``assignments/<assignment>/`` at the
    repository root without overwriting a file a trainee may have worked on.

    Args:
        course: the course.
        assignment: the assignment name (a folder of the source directory).
        trainee_copy: also copy to the trainee's ``assignments/`` folder.

    Returns:
        What was generated and copied.

    Raises:
        GradingError: an unknown assignment or a failed generation (with nbgrader's log).
    """
    if not (course.source / assignment).is_dir():
        known = ", ".join(course.source_assignments()) or "none"
        raise GradingError(f"no assignment {assignment!r} in {course.source} (known: {known})")
    result = course.api().generate_assignment(assignment, force=True, create=True)
    if not result.get("success"):
        raise GradingError(f"could not release {assignment}:\n{_log_tail(result)}")
    out = ReleaseResult(assignment, course.folder("release", ".", assignment))
    if trainee_copy:
        target = course.assignments / assignment
        for path in sorted(p for p in out.release.rglob("*") if p.is_file()):
            dest = target / path.relative_to(out.release)
            if dest.exists():
                out.kept.append(dest)
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
            out.copied.append(dest)
    return out


def release_all(course: Course, *, trainee_copy: bool = True) -> list[ReleaseResult]:
    """Release every assignment of the source directory (see :func:`release`).

    Args:
        course: the course.
        trainee_copy: also copy to the trainee's ``assignments/`` folder.

    Returns:
        One result per assignment.
    """
    return [
        release(course, name, trainee_copy=trainee_copy) for name in course.source_assignments()
    ]


def resolve_assignment(course: Course, name: str) -> str:
    """The assignment a trainee means: an assignment name, or the name of its lesson.

    A lesson ``mN_slug`` owns the assignment whose name starts with ``mN_`` (``m0_start_here`` →
    ``m0_warmup``); a trailing ``.ipynb`` or folder path is ignored.

    Args:
        course: the course.
        name: ``m1_roles``, ``m0_start_here``, ``modules/m0_start_here.ipynb``…

    Returns:
        The assignment name.

    Raises:
        GradingError: no assignment matches; the message lists the known ones.
    """
    known = course.source_assignments()
    stem = Path(name).name.removesuffix(".ipynb")
    if stem in known:
        return stem
    prefix = stem.split("_", 1)[0] + "_"
    matches = [a for a in known if a.startswith(prefix)] if re.fullmatch(r"m\d+_", prefix) else []
    if len(matches) == 1:
        return matches[0]
    raise GradingError(
        f"no assignment for {name!r}: give a lesson or an assignment name "
        f"(assignments: {', '.join(known) or 'none'})"
    )


def submit(course: Course, assignment: str, student: str | None = None) -> Path:
    """Hand in a self-paced trainee's work: ``assignments/<a>/`` to ``submitted/<student>/<a>/``.

    A previous submission of the same student is replaced; ``timestamp.txt`` records when.

    Args:
        course: the course.
        assignment: the assignment name, or its lesson's name.
        student: the student id; the operating-system user by default.

    Returns:
        The submission folder.

    Raises:
        GradingError: nothing to submit, or an unusable student id.
    """
    assignment = resolve_assignment(course, assignment)
    student = student or getpass.getuser()
    if not STUDENT_RE.match(student):
        raise GradingError(f"student id {student!r}: use letters, digits and _ . @ -")
    work = course.assignments / assignment
    if not any(work.glob("*.ipynb")):
        raise GradingError(
            f"nothing to submit in {work}: `make start` (or `course grade release {assignment}`) "
            f"puts the assignment there; answer it, then submit"
        )
    dest = course.folder("submitted", student, assignment)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(work, dest, ignore=IGNORED)
    (dest / TIMESTAMP_FILE).write_text(timestamp_now(), encoding="utf-8")
    _add_students(course, [student])
    return dest


@dataclass
class CollectReport:
    """What ``collect`` did.

    Attributes:
        collected: student ids whose submission was copied to ``submitted/``.
        skipped: (entry, reason) for entries that were not collected.
        warnings: (student, message) for collected submissions that look incomplete.
    """

    collected: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)


def collect(course: Course, assignment: str, source: str | Path) -> CollectReport:
    """Bring submissions into ``submitted/<student>/<assignment>/`` and the gradebook.

    Args:
        course: the course.
        assignment: the assignment name.
        source: ``"exchange"`` (nbgrader's exchange), a folder of ``<student>/<assignment>/``
            folders, or a zip file of such folders.

    Returns:
        The students collected, the entries skipped and why.

    Raises:
        GradingError: the source does not exist or cannot be read at all.
    """
    if str(source) == "exchange":
        return _collect_exchange(course, assignment)
    path = Path(source)
    if not path.exists():
        raise GradingError(f"{path} does not exist")
    if path.is_file():
        if not zipfile.is_zipfile(path):
            raise GradingError(f"{path} is neither a folder nor a zip file")
        with tempfile.TemporaryDirectory(prefix="collect-") as tmp:
            report = CollectReport()
            _safe_extract(path, Path(tmp), report)
            root = _unwrap(Path(tmp), assignment)
            return _collect_folder(course, assignment, root, report)
    return _collect_folder(course, assignment, path, CollectReport())


def _collect_folder(course: Course, assignment: str, root: Path, report: CollectReport):
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(".") or entry.name == "__MACOSX":
            continue
        if not entry.is_dir():
            report.skipped.append((entry.name, "not a student folder"))
            continue
        if not STUDENT_RE.match(entry.name):
            report.skipped.append((entry.name, "not a usable student id"))
            continue
        work = entry / assignment
        if not work.is_dir():
            report.skipped.append((entry.name, f"no {assignment}/ folder inside"))
            continue
        dest = course.folder("submitted", entry.name, assignment)
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(work, dest, ignore=IGNORED, symlinks=False)
        if not any(dest.glob("*.ipynb")):
            report.warnings.append((entry.name, "no notebook in the submission: it will score 0"))
        report.collected.append(entry.name)
    _add_students(course, report.collected)
    return report


def _collect_exchange(course: Course, assignment: str) -> CollectReport:
    result = course.api().collect(assignment, update=True)
    if not result.get("success"):
        raise GradingError(
            f"could not collect {assignment} from the exchange:\n{_log_tail(result)}"
        )
    report = CollectReport()
    for folder in sorted(course.root.joinpath("submitted").glob(f"*/{assignment}")):
        report.collected.append(folder.parent.name)
    _add_students(course, report.collected)
    return report


def _safe_extract(archive: Path, dest: Path, report: CollectReport) -> None:
    """Extract a zip, refusing absolute paths, ``..`` and links (reported as skipped)."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            name = info.filename
            parts = Path(name).parts
            is_link = (info.external_attr >> 16) & 0o170000 == 0o120000
            if name.startswith(("/", "\\")) or ".." in parts or is_link or ":" in name:
                report.skipped.append((name, "unsafe path in the zip"))
                continue
            zf.extract(info, dest)


def _unwrap(root: Path, assignment: str) -> Path:
    """Step into a single wrapping folder (``submissions.zip`` → ``submissions/…``)."""
    while True:
        children = [
            c for c in root.iterdir() if not c.name.startswith(".") and c.name != "__MACOSX"
        ]
        has_students = any((c / assignment).is_dir() for c in children if c.is_dir())
        if has_students or len(children) != 1 or not children[0].is_dir():
            return root
        root = children[0]


def _add_students(course: Course, students: list[str]) -> None:
    if not students:
        return
    with course.gradebook() as gb:
        for student in students:
            gb.update_or_create_student(student)


def _log_tail(result: dict, lines: int = 15) -> str:
    text = (result.get("log") or "") + "\n" + (result.get("error") or "")
    return "\n".join(text.strip().splitlines()[-lines:])
