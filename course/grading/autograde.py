"""Parallel autograding on nbgrader's own ``Autograde`` converter.

Design: a SQLite gradebook takes one writer at a time, so workers never write to it. Each worker
process grades into its own copy of a snapshot of the gradebook (taken before the batch starts),
reads the student's grades back from that copy and returns them; the main process writes them to
the real gradebook, one student at a time, as results arrive. With a server database (any
non-SQLite URL) workers write directly, as nbgrader would. Each student runs nbgrader's
``Autograde`` through ``NbGraderAPI.autograde`` unchanged (sanitising, restoring test cells from
the gradebook, execution with per-cell timeout and per-notebook budget, scoring).

A submission that cannot be graded (invalid notebook, crash) is reported with a message and never
stops the batch; a worker process that dies is replaced and its students are retried once.
"""

from __future__ import annotations

import copy
import json
import multiprocessing
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from course.grading.settings import (
    DEFAULT_CELL_TIMEOUT,
    DEFAULT_NOTEBOOK_BUDGET,
    Course,
    GradingError,
    ensure_tools_on_path,
    quiet_known_warnings,
)

TIMEOUT_ERRORS = {"CellTimeoutError", "TimeBudgetExceeded"}
RECORDS_NAME = "autograde.json"


@dataclass
class StudentResult:
    """The outcome of autograding one student.

    Attributes:
        student: the student id.
        status: ``"graded"``, ``"missing"`` (no notebook: scored 0) or ``"error"`` (not graded).
        messages: what the instructor should know (invalid notebook, timeouts, tampering…).
        tampered: grade ids of read-only cells that were edited (restored before grading).
        deleted: grade ids of read-only cells that were deleted (restored before grading).
        timed_out: grade ids (or cell numbers) of cells stopped by the timeout or the budget.
        seconds: time spent on this student.
        timestamp: the submission time, if known (ISO format).
        grades: notebook -> grade id -> [auto_score, needs_manual_grade], as nbgrader stored them.
        comments: notebook -> grade id -> automatic comment.
        penalties: notebook -> late-submission penalty.
        details: the end of nbgrader's log and traceback when grading failed.
    """

    student: str
    status: str
    messages: list[str] = field(default_factory=list)
    tampered: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    timed_out: list[str] = field(default_factory=list)
    seconds: float = 0.0
    timestamp: str | None = None
    grades: dict[str, dict[str, list]] = field(default_factory=dict)
    comments: dict[str, dict[str, str | None]] = field(default_factory=dict)
    penalties: dict[str, float | None] = field(default_factory=dict)
    details: str = ""


def submitted_students(course: Course, assignment: str) -> list[str]:
    """Student ids with a folder ``submitted/<student>/<assignment>/``.

    Args:
        course: the course.
        assignment: the assignment name.

    Returns:
        The ids, sorted.
    """
    base = course.root / "submitted"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / assignment).is_dir())


def autograde(
    course: Course,
    assignment: str,
    *,
    students: list[str] | None = None,
    workers: int | None = None,
    timeout: int | None = None,
    budget: int | None = None,
    progress: bool = True,
) -> list[StudentResult]:
    """Autograde the submissions of an assignment, students in parallel.

    Args:
        course: the course.
        assignment: the assignment name (released, so that it is in the gradebook).
        students: which students; every submitted one by default.
        workers: worker processes; the number of CPUs (at most one per student) by default.
            ``1`` grades in this process, writing to the gradebook directly.
        timeout: seconds per cell (the configured value by default).
        budget: seconds per notebook (the configured value by default).
        progress: show a progress bar with an ETA on stderr.

    Returns:
        One result per student, in the order they finished.

    Raises:
        GradingError: the assignment is not in the gradebook (not released).
    """
    ensure_tools_on_path()
    quiet_known_warnings()
    from nbgrader.api import MissingEntry
    from tqdm import tqdm

    with course.gradebook() as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            raise GradingError(
                f"{assignment} is not in the gradebook: run `course grade release {assignment}`"
            ) from None
    students = list(students) if students else submitted_students(course, assignment)
    if not students:
        return []
    from course.grading.judge import ensure_references

    ensure_references(course, assignment)  # once, before workers start (they would each wait)
    config = course.config(timeout=timeout, budget=budget)
    from course.grading import sandbox

    try:
        mode = sandbox.detect(config.BudgetedExecute.get("sandbox", "auto"))
        sandbox.preflight(mode)
    except sandbox.SandboxError as exc:
        raise GradingError(f"cannot sandbox the kernels: {exc}") from None
    if progress:
        print(f"sandbox: {mode.name} ({mode.reason})", file=sys.stderr)
    workers = max(1, min(workers or os.cpu_count() or 1, len(students)))
    bar = tqdm(
        total=len(students),
        desc=f"autograde {assignment}",
        unit="student",
        disable=not progress,
        dynamic_ncols=True,
    )
    results: list[StudentResult] = []

    def done(result: StudentResult) -> None:
        results.append(result)
        bar.update(1)
        if result.status != "graded" and progress:
            bar.write(
                f"{result.student}: {result.status}: {'; '.join(result.messages)}", file=sys.stderr
            )

    try:
        if workers == 1:
            grader = _StudentGrader(course, config, course.db_url)
            for student in students:
                done(grader.grade(assignment, student))
        else:
            _grade_in_pool(course, config, assignment, students, workers, done)
    finally:
        bar.close()
        _save_records(course, assignment, results)
    return results


def _grade_in_pool(course, config, assignment, students, workers, done) -> None:
    """Grade in worker processes; if a worker dies, retry its batch one student per process."""
    with tempfile.TemporaryDirectory(prefix="autograde-") as tmp:
        snapshot = None
        if course.is_sqlite:
            snapshot = Path(tmp) / "snapshot.db"
            _sqlite_backup(course.db_path, snapshot)
        ctx = multiprocessing.get_context("spawn")  # no inherited sockets, threads or engines

        def pool(size: int) -> ProcessPoolExecutor:
            return ProcessPoolExecutor(
                max_workers=size,
                mp_context=ctx,
                initializer=_init_worker,
                initargs=(course, config, snapshot, tmp),
            )

        with course.gradebook() as gb:

            def finish(result: StudentResult) -> None:
                if snapshot is not None and result.grades:
                    _write_results(gb, assignment, result)
                done(result)

            broken: list[str] = []
            with pool(workers) as executor:
                futures = {executor.submit(_grade_in_worker, assignment, s): s for s in students}
                for future in as_completed(futures):
                    student = futures[future]
                    try:
                        finish(future.result())
                    except BrokenProcessPool:  # which student killed it is unknown: retry all
                        broken.append(student)
                    except Exception as exc:  # never stop the batch for one student
                        finish(StudentResult(student, "error", [f"grading failed: {exc!r}"]))
            for student in broken:  # rare: isolate each one, so a culprit only fails itself
                try:
                    with pool(1) as executor:
                        finish(executor.submit(_grade_in_worker, assignment, student).result())
                except BrokenProcessPool:
                    finish(StudentResult(student, "error", ["the grading process died"]))


# -- worker side -------------------------------------------------------------------------------

_WORKER: dict = {}


def _init_worker(course: Course, config, snapshot: Path | None, tmp: str) -> None:
    ensure_tools_on_path()
    db_url = course.db_url
    if snapshot is not None:
        private = Path(tmp) / f"worker-{os.getpid()}.db"
        shutil.copyfile(snapshot, private)
        db_url = f"sqlite:///{private}"
    _WORKER["grader"] = _StudentGrader(course, config, db_url)


def _grade_in_worker(assignment: str, student: str) -> StudentResult:
    return _WORKER["grader"].grade(assignment, student)


class _StudentGrader:
    """Grades one student at a time with nbgrader's API against one gradebook URL."""

    def __init__(self, course: Course, config, db_url: str):
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        quiet_known_warnings()
        config = copy.deepcopy(config)
        config.CourseDirectory.db_url = db_url
        self.course = course
        self.db_url = db_url
        self.timeout = config.Execute.get("timeout", DEFAULT_CELL_TIMEOUT)
        self.budget = config.BudgetedExecute.get("notebook_budget", DEFAULT_NOTEBOOK_BUDGET)
        self.api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)

    def grade(self, assignment: str, student: str) -> StudentResult:
        """Autograde one student; never raises (a failure is an ``error`` result)."""
        started = time.monotonic()
        try:
            result = self._grade(assignment, student)
        except Exception as exc:  # a broken submission must not take the worker down
            result = StudentResult(student, "error", [f"grading failed: {exc!r}"])
        result.seconds = round(time.monotonic() - started, 2)
        return result

    def _grade(self, assignment: str, student: str) -> StudentResult:
        import nbformat

        folder = self.course.folder("submitted", student, assignment)
        release = self.course.folder("release", ".", assignment)
        result = StudentResult(student, "graded")
        notebooks = sorted(folder.glob("*.ipynb"))
        strangers = [p.name for p in notebooks if not (release / p.name).is_file()]
        if strangers:  # copied by hand: nbgrader would fail on them with a bare traceback
            expected = ", ".join(sorted(p.name for p in release.glob("*.ipynb")))
            result.status = "error"
            result.messages.append(
                f"{', '.join(strangers)}: not a notebook of {assignment} (expected {expected}); "
                f"`course grade collect` renames copies and refuses other assignments' notebooks"
            )
            self._record_submission(assignment, student)
            return self._read_back(assignment, student, result)
        for path in notebooks:
            try:
                submitted = nbformat.read(path, as_version=4)
            except Exception as exc:
                result.status = "error"
                result.messages.append(f"{path.name} is not a readable notebook ({_short(exc)})")
                continue
            if (release / path.name).is_file():
                tampered, deleted = find_tampering(submitted, nbformat.read(release / path.name, 4))
                result.tampered += tampered
                result.deleted += deleted
        if result.tampered:
            result.messages.append(f"edited test cells restored: {', '.join(result.tampered)}")
        if result.deleted:
            result.messages.append(f"deleted test cells restored: {', '.join(result.deleted)}")
        if result.status == "error":
            self._record_submission(assignment, student)
            return self._read_back(assignment, student, result)
        if not notebooks:
            self._score_missing(assignment, student)
            result.status = "missing"
            result.messages.append("no notebook submitted: scored 0")
            return self._read_back(assignment, student, result)
        outcome = self.api.autograde(assignment, student, force=True, create=True)
        if not outcome.get("success"):
            result.status = "error"
            result.messages.append(f"nbgrader could not grade it: {_reason(outcome)}")
            tail = ((outcome.get("log") or "") + (outcome.get("error") or "")).splitlines()
            result.details = "\n".join(tail[-60:])
        graded = self.course.folder("autograded", student, assignment)
        for path in sorted(graded.glob("*.ipynb")):
            executed = nbformat.read(path, as_version=4)
            result.timed_out += find_timeouts(executed)
            result.messages += find_incidents(executed)
        if result.timed_out:
            limits = f"{self.timeout} s per cell, {self.budget} s per notebook"
            result.messages.append(
                f"stopped by the time limit ({limits}): {', '.join(result.timed_out)}"
            )
        return self._read_back(assignment, student, result)

    def _record_submission(self, assignment: str, student: str) -> None:
        from nbgrader.api import Gradebook

        timestamp = self.api.coursedir.get_existing_timestamp(
            str(self.course.folder("submitted", student, assignment))
        )
        with Gradebook(self.db_url) as gb:
            gb.update_or_create_student(student)
            extra = {"timestamp": timestamp} if timestamp else {}
            gb.update_or_create_submission(assignment, student, **extra)

    def _score_missing(self, assignment: str, student: str) -> None:
        """What nbgrader does for a missing notebook, for a submission missing all of them."""
        from nbgrader.api import Gradebook

        self._record_submission(assignment, student)
        with Gradebook(self.db_url) as gb:
            for notebook in gb.find_submission(assignment, student).notebooks:
                for grade in notebook.grades:
                    grade.auto_score = 0
                    grade.needs_manual_grade = False
            gb.db.commit()

    def _read_back(self, assignment: str, student: str, result: StudentResult) -> StudentResult:
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(self.db_url) as gb:
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                return result
            if submission.timestamp:
                result.timestamp = submission.timestamp.isoformat()
            for notebook in submission.notebooks:
                result.grades[notebook.name] = {
                    g.name: [g.auto_score, bool(g.needs_manual_grade)] for g in notebook.grades
                }
                result.comments[notebook.name] = {c.name: c.auto_comment for c in notebook.comments}
                result.penalties[notebook.name] = notebook.late_submission_penalty
        return result


# -- checks on a notebook ------------------------------------------------------------------------


def find_tampering(submitted, released) -> tuple[list[str], list[str]]:
    """Compare a submitted notebook's read-only cells with the released ones.

    Args:
        submitted: the submitted notebook (``nbformat`` node).
        released: the released (student) version.

    Returns:
        ``(edited, deleted)``: grade ids of read-only cells whose text changed, and of those
        missing from the submission.
    """

    def locked(nb) -> dict[str, str]:
        out = {}
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade_id") and meta.get("locked") and not meta.get("solution"):
                out[meta["grade_id"]] = cell.source.strip()
        return out

    expected, present = locked(released), locked(submitted)
    # a read-only cell unlocked by editing its metadata still counts, by grade id
    for cell in submitted.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in expected and grade_id not in present:
            present[grade_id] = cell.source.strip()
    edited = [g for g in expected if g in present and present[g] != expected[g]]
    deleted = [g for g in expected if g not in present]
    return edited, deleted


def find_timeouts(notebook) -> list[str]:
    """Cells of an executed notebook stopped by the per-cell timeout or the notebook budget.

    Args:
        notebook: an executed notebook.

    Returns:
        Their grade ids, or ``cell <n>`` for cells without one.
    """
    found = []
    for number, cell in enumerate(notebook.cells, start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and output.get("ename") in TIMEOUT_ERRORS:
                found.append(
                    cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or f"cell {number}"
                )
                break
    return found


INCIDENTS = {
    "KernelDied": "the kernel died (killed, out of memory or exited) in {cells}: restarted, "
    "the earlier cells run again, {that} scores nothing",
    "NotRun": "not run after repeated kernel deaths: {cells}",
    "MemoryError": "ran out of memory (the sandbox's limit) in {cells}",
}


def find_incidents(notebook) -> list[str]:
    """What the sandbox stopped in an executed notebook, one line per kind.

    Args:
        notebook: an executed (autograded) notebook.

    Returns:
        Messages for the instructor: kernel deaths, cells not run, memory exhausted, files too
        large, output cut.
    """
    found: dict[str, list[str]] = {}
    for number, cell in enumerate(notebook.cells, start=1):
        name = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or f"cell {number}"
        for output in cell.get("outputs", []):
            kind = None
            if output.get("output_type") == "error":
                ename, evalue = output.get("ename", ""), str(output.get("evalue", ""))
                if ename in INCIDENTS:
                    kind = ename
                elif "File too large" in evalue or "[Errno 27]" in evalue:
                    kind = "FileTooLarge"
            elif "[output cut:" in str(output.get("text", "")):
                kind = "OutputCut"
            if kind and name not in found.setdefault(kind, []):
                found[kind].append(name)
    out = []
    for kind, cells in found.items():
        listed = ", ".join(cells)
        if kind == "FileTooLarge":
            out.append(f"wrote a file larger than the sandbox allows in {listed}")
        elif kind == "OutputCut":
            out.append(f"output cut at the sandbox's byte limit in {listed}")
        else:
            that = "that cell" if len(cells) == 1 else "each of them"
            out.append(INCIDENTS[kind].format(cells=listed, that=that))
    return out


# -- main side -----------------------------------------------------------------------------------


def _write_results(gb, assignment: str, result: StudentResult) -> None:
    """Store a worker's grades in the real gradebook (the one writer)."""
    gb.update_or_create_student(result.student)
    extra = {"timestamp": datetime.fromisoformat(result.timestamp)} if result.timestamp else {}
    gb.update_or_create_submission(assignment, result.student, **extra)
    for notebook, grades in result.grades.items():
        for grade_id, (auto_score, needs_manual) in grades.items():
            grade = gb.find_grade(grade_id, notebook, assignment, result.student)
            grade.auto_score = auto_score
            # nbgrader's rule: a grader's override is reviewed again after regrading
            grade.needs_manual_grade = bool(needs_manual) or grade.manual_score is not None
        for grade_id, comment in result.comments.get(notebook, {}).items():
            gb.find_comment(grade_id, notebook, assignment, result.student).auto_comment = comment
        penalty = result.penalties.get(notebook)
        if penalty is not None:
            gb.find_submission_notebook(
                notebook, assignment, result.student
            ).late_submission_penalty = penalty
    gb.db.commit()


def _sqlite_backup(source: Path, dest: Path) -> None:
    """A consistent copy of a SQLite file, even if someone is writing to it."""
    with sqlite3.connect(source) as src, sqlite3.connect(dest) as dst:
        src.backup(dst)


def records_path(course: Course, assignment: str) -> Path:
    """Where the last autograde outcome per student is kept.

    Args:
        course: the course.
        assignment: the assignment name.

    Returns:
        ``<course>/reports/<assignment>/autograde.json``.
    """
    return course.root / "reports" / assignment / RECORDS_NAME


def load_records(course: Course, assignment: str) -> dict[str, dict]:
    """The last autograde outcome per student (status, messages, tampering, timeouts).

    Args:
        course: the course.
        assignment: the assignment name.

    Returns:
        student id -> the fields of :class:`StudentResult` (empty if never autograded).
    """
    path = records_path(course, assignment)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _save_records(course: Course, assignment: str, results: list[StudentResult]) -> None:
    records = load_records(course, assignment)
    for result in results:
        records[result.student] = asdict(result)
    path = records_path(course, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records, indent=1, sort_keys=True), encoding="utf-8")


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _reason(outcome: dict) -> str:
    """The most telling line of a failed nbgrader run: the exception, not the closing words."""
    text = (outcome.get("log") or "") + "\n" + (outcome.get("error") or "")
    exceptions = [
        ln.strip()
        for ln in text.splitlines()
        if re.match(r"^\s*[\w.]+(Error|Exception|Interrupt): ", ln)
        and "NbGraderException" not in ln
    ]
    if exceptions:
        return exceptions[-1][:300]
    errors = [
        ln.removeprefix("[ERROR]").strip() for ln in text.splitlines() if ln.startswith("[ERROR]")
    ]
    generic = ("Please see", "There was an error processing", "Interrupting kernel", "Timeout")
    errors = [ln for ln in errors if not ln.startswith(generic)]
    return errors[-1][:300] if errors else "unknown error"
