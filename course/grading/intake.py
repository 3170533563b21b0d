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
    known = _known_notebooks(course)
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
        plan, refusal = match_notebooks(course, assignment, work, known)
        if refusal:
            report.skipped.append((entry.name, refusal))
            continue
        dest = course.folder("submitted", entry.name, assignment)
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(work, dest, ignore=_ignore_notebooks, symlinks=False)
        for source_name, (target, note) in plan.items():
            if target is not None:
                shutil.copy2(work / source_name, dest / target)
            if note:
                report.warnings.append((entry.name, note))
        if not any(dest.glob("*.ipynb")):
            report.warnings.append((entry.name, "no notebook in the submission: it will score 0"))
        report.collected.append(entry.name)
    _add_students(course, report.collected)
    return report


def _ignore_notebooks(folder, names):
    """Copy a submission without its notebooks (placed by :func:`match_notebooks`) and links.

    A link is never followed: the grader would copy whatever file it points to (its own
    gradebook, another student's work) into the submission.
    """
    links = {n for n in names if Path(folder, n).is_symlink()}
    return set(IGNORED(folder, names)) | {n for n in names if n.endswith(".ipynb")} | links


def _grade_ids(path: Path) -> set[str] | None:
    """The nbgrader grade ids of a notebook's cells (``None``: not a readable notebook)."""
    import json

    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        return {
            c["metadata"]["nbgrader"]["grade_id"]
            for c in cells
            if isinstance(c, dict) and c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        }
    except (OSError, ValueError, AttributeError, TypeError, KeyError):
        return None


def _known_notebooks(course: Course) -> dict[tuple[str, str], set[str]]:
    """(assignment, notebook name) -> grade ids, for every assignment of the course."""
    known = {}
    for name in course.source_assignments():
        for path in sorted((course.source / name).glob("*.ipynb")):
            known[(name, path.name)] = _grade_ids(path) or set()
    return known


def match_notebooks(
    course: Course, assignment: str, work: Path, known: dict | None = None
) -> tuple[dict[str, tuple[str | None, str]], str | None]:
    """Decide where each notebook of one student's submission goes.

    A notebook with the expected name is kept. Another name (``m1_roles (1).ipynb``, ``Copy of
    m1_roles.ipynb``) is recognised by its cells' grade ids: renamed to the assignment's notebook
    it belongs to, or left out when that notebook is already there. A notebook of another
    assignment alone is refused; next to the expected notebook it is left out. Notebooks that
    are not the course's are left out.

    Args:
        course: the course.
        assignment: the assignment being collected.
        work: the student's ``<assignment>/`` folder.
        known: the course's notebooks and their grade ids (read from the sources when ``None``).

    Returns:
        ``(plan, refusal)``: file name -> (name to copy it as or ``None`` to leave it out, note
        for the instructor or ``""``), and a one-line reason when the whole submission is refused
        (``None`` otherwise).
    """
    known = known if known is not None else _known_notebooks(course)
    expected = {nb for (a, nb) in known if a == assignment}
    notebooks = sorted(p for p in work.glob("*.ipynb") if p.is_file() and not p.is_symlink())
    plan: dict[str, tuple[str | None, str]] = {}
    if not expected:  # not among the sources (yet): nothing to match against, keep the names
        return {p.name: (p.name, "") for p in notebooks}, None
    taken = {p.name for p in notebooks if p.name in expected}  # until shown to be foreign
    foreign = []
    for path in notebooks:
        ids = _grade_ids(path)
        owner = None
        if ids:
            scores = {key: len(ids & ref) / len(ref) for key, ref in known.items() if ref}
            best = max(scores, key=scores.get, default=None)
            owner = best if best and scores[best] >= 0.5 else None
        if path.name in expected and (owner is None or owner[0] == assignment):
            plan[path.name] = (path.name, "")  # by name (an unreadable one is reported later)
            continue
        if path.name in expected:
            taken.discard(path.name)
        if owner is None:
            why = "not a readable notebook" if ids is None else "not a notebook of this course"
            plan[path.name] = (None, f"{path.name} left out: {why}")
        elif owner[0] != assignment:
            foreign.append(f"{path.name} is {owner[1]} of {owner[0]}")
            plan[path.name] = (None, f"{path.name} left out: it is {owner[0]}'s notebook")
        elif owner[1] in taken:
            plan[path.name] = (None, f"{path.name} left out: a second copy of {owner[1]}")
        else:
            taken.add(owner[1])
            plan[path.name] = (owner[1], f"{path.name} collected as {owner[1]}")
    if foreign and not taken:
        return {}, f"wrong assignment: {'; '.join(foreign)}, not {assignment}"
    return plan, None


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
