"""Judge recorded answers in the grader's process, against references from the solution.

The test-cell convention (CONTRIBUTING.md, :mod:`course.grading.answers`): a hidden test records
plain answers with ``record``/``record_calls``; it never compares in the student's kernel.

- **References.** The source notebook (the solution) is executed in a trusted kernel of the
  grader; each autograded test cell's recorded answers, with their tolerance, ordering and
  message, are stored in ``<course>/references/<assignment>/<notebook>.json`` (mode 600, in a
  700 folder), keyed by the SHA-256 of the source notebook: a changed source is executed again.
  The student's kernel never sees them (it runs in the submission's folder, never in the course's
  ``references/``; with the sandbox, as another user).
- **Judging.** :class:`JudgeRecordedAnswers` is an nbgrader preprocessor placed right after
  execution in ``Autograde.autograde_preprocessors`` (``course.grading.settings``), so
  ``course grade autograde`` and plain ``nbgrader autograde`` judge alike. For each autograded
  test cell it compares the recorded answers with the references, then **replaces the cell's
  outputs** with course-written ones: none when the test passes, one error whose text the course
  wrote when it fails. Nothing the student's code printed or raised in a test cell survives;
  nbgrader then scores the cell as usual (an error output is zero points).

A test cell passes when it raised nothing **and** every key the solution recorded there was
recorded exactly once by the submission, with an equal value (:func:`answers.same_answer`).
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import fcntl
import hashlib
import io
import json
import os
import tokenize
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer

from course.grading.answers import answer_payloads, same_answer
from course.grading.autograde import INCIDENTS, TIMEOUT_ERRORS
from course.grading.settings import GradingError

REFERENCES_DIR = "references"
FORMAT = 1  # bump when the stored form changes: every reference is rebuilt
FAILED = "TestFailed"  # the ename of a course-written failure
TIMEOUT_MESSAGE = "stopped: it ran out of time (look for a loop that never ends)"
# what the sandbox and the executor report in a cell keeps its name (course.grading.autograde
# lists incidents by it), with a message of ours
INCIDENT_MESSAGES = {
    "KernelDied": "stopped: the kernel died while this test ran (killed, out of memory or exited)",
    "NotRun": "not run: the kernel died too often before this test",
    "MemoryError": "stopped: it ran out of memory",
}
HIDDEN_BEGIN, HIDDEN_END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
# exception names that may be named in a message: built-in ones only (a student's class name is
# a string the student chose)
_BUILTIN_ERRORS = frozenset(
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
)


# -- facts about test cells -----------------------------------------------------------------------


def is_test_cell(cell: Mapping) -> bool:
    """Whether a cell is an autograded test cell (a graded code cell that is not an answer).

    Args:
        cell: a notebook cell.

    Returns:
        True for the cells nbgrader scores by their outputs.
    """
    return cell.get("cell_type") == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


def grade_id(cell: Mapping) -> str | None:
    """The nbgrader grade id of a cell, if any."""
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def visible_source(source: str) -> str:
    """A test cell's source without its hidden part (what the released notebook shows).

    Args:
        source: the source version of a test cell.

    Returns:
        The source with every ``### BEGIN HIDDEN TESTS`` … ``### END HIDDEN TESTS`` block removed.
    """
    kept, inside = [], False
    for line in source.splitlines():
        if HIDDEN_BEGIN in line:
            inside = True
        elif HIDDEN_END in line:
            inside = False
        elif not inside:
            kept.append(line)
    return "\n".join(kept)


def string_literals(source: str) -> list[str]:
    """The plain string literals of some Python source (f-strings and bytes left out).

    Args:
        source: Python source, possibly not a complete program.

    Returns:
        The literals' values, in order, without repeats.
    """
    found: list[str] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        tokens = []
    for token in tokens:
        if token.type != tokenize.STRING:
            continue
        try:
            value = ast.literal_eval(token.string)
        except (ValueError, SyntaxError):
            continue  # an f-string: its text depends on values
        if type(value) is str and value not in found:
            found.append(value)
    return found


def _cell_digest(source: str) -> str:
    return hashlib.sha256(source.strip().encode("utf-8")).hexdigest()


def _same_test(digest: str, source: str) -> bool:
    """Whether ``source`` is the test whose digest is given, maybe under leading comments.

    nbgrader puts a deleted test cell back with a comment on top (``OverwriteCells``).
    """
    lines = source.strip().splitlines()
    for start in range(len(lines)):
        if _cell_digest("\n".join(lines[start:])) == digest:
            return True
        if lines[start].strip() and not lines[start].lstrip().startswith("#"):
            return False
    return False


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes.

    Args:
        path: the file.

    Returns:
        The hex digest.
    """
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# -- references ---------------------------------------------------------------------------------


def build_references(source: Path, *, timeout: int = 120, kernel_name: str = "python3") -> dict:
    """Execute a source notebook (the solution) and collect what its test cells record.

    Args:
        source: the source notebook, solutions and hidden tests included.
        timeout: seconds per cell.
        kernel_name: the kernel to run it in (a trusted one: the grader's own).

    Returns:
        ``{"format", "source_sha256", "cells": {grade_id: {"answers": {key: {"value",
        "tolerance", "ordered", "message"}}, "literals": [...], "digest"}}}``.

    Raises:
        GradingError: the solution fails one of its own tests, records a key twice or records
            something that is not plain data, or a test cell records nothing (it would then be
            judged in the student's kernel alone).
    """
    import nbformat
    from nbclient import NotebookClient

    source = Path(source)
    digest = file_digest(source)
    nb = nbformat.read(source, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel_name,
        allow_errors=True,
        resources={"metadata": {"path": str(source.parent)}},
    )
    client.execute()
    cells: dict[str, dict] = {}
    problems: list[str] = []
    for cell in nb.cells:
        if not is_test_cell(cell):
            continue
        gid = grade_id(cell)
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            first = errors[0]
            problems.append(
                f"{gid}: the solution fails its own test "
                f"({first.get('ename')}: {str(first.get('evalue', ''))[:200]})"
            )
            continue
        answers: dict[str, dict] = {}
        for key, payloads in answer_payloads(cell.get("outputs", [])).items():
            payload = payloads[0]
            if len(payloads) > 1:
                problems.append(f"{gid}: the key {key!r} is recorded {len(payloads)} times")
            elif "$not_plain" in json.dumps(payload.get("value")):
                problems.append(f"{gid}: the solution's {key!r} is not plain data")
            answers[key] = {
                "value": payload.get("value"),
                "tolerance": float(payload.get("tolerance", 0.0)),
                "ordered": bool(payload.get("ordered", True)),
                "message": payload.get("message"),
            }
        if not answers:
            problems.append(
                f"{gid}: the test records no answer (hidden tests must call record or "
                "record_calls: CONTRIBUTING.md, the test-cell convention)"
            )
        cells[gid] = {
            "answers": answers,
            "literals": string_literals(visible_source(cell.source)),
            "digest": _cell_digest(cell.source),
        }
    if problems:
        raise GradingError(
            f"cannot take references from {source.name}:\n  " + "\n  ".join(problems)
        )
    return {"format": FORMAT, "source_sha256": digest, "notebook": source.stem, "cells": cells}


def reference_path(course_root: Path, assignment: str, notebook: str) -> Path:
    """Where the references of one notebook are stored.

    Args:
        course_root: the nbgrader course directory (``grading/``).
        assignment: the assignment name.
        notebook: the notebook name, without ``.ipynb``.

    Returns:
        ``<course_root>/references/<assignment>/<notebook>.json``.
    """
    return Path(course_root) / REFERENCES_DIR / assignment / f"{notebook}.json"


def _private_dirs(folder: Path, top: Path) -> None:
    """Create ``top`` and its child ``folder``, both readable by their owner only."""
    top.parent.mkdir(parents=True, exist_ok=True)
    for path in (top, folder):
        path.mkdir(mode=0o700, exist_ok=True)
        with contextlib.suppress(OSError):
            path.chmod(0o700)


def references_for(course_root: Path, source: Path, assignment: str, *, timeout: int = 120) -> dict:
    """The references of a source notebook, built (and stored) when missing or out of date.

    Safe when several grading processes ask at once: one builds, the others wait and read.

    Args:
        course_root: the nbgrader course directory.
        source: the source notebook.
        assignment: the assignment name.
        timeout: seconds per cell when the solution has to be executed.

    Returns:
        The references (see :func:`build_references`).

    Raises:
        GradingError: the source notebook is missing or its references cannot be built.
    """
    source = Path(source)
    if not source.is_file():
        raise GradingError(
            f"no source notebook {source}: the references are taken from the solution"
        )
    path = reference_path(course_root, assignment, source.stem)
    digest = file_digest(source)

    def stored() -> dict | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        ok = data.get("format") == FORMAT and data.get("source_sha256") == digest
        return data if ok else None

    found = stored()
    if found is not None:
        return found
    _private_dirs(path.parent, Path(course_root) / REFERENCES_DIR)
    lock = path.with_suffix(".lock")
    with open(lock, "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            found = stored()  # built by another process while this one waited
            if found is not None:
                return found
            data = build_references(source, timeout=timeout)
            data["source_sha256"] = digest  # the bytes checked above, not a later edit
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=1, sort_keys=True)
            os.replace(tmp, path)
            return data
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_references(course: Any, assignment: str, *, timeout: int = 120) -> list[Path]:
    """Build the references of every notebook of an assignment that needs it.

    ``course grade autograde`` calls this once before its worker processes start, so that they
    never execute the solution themselves.

    Args:
        course: a :class:`course.grading.settings.Course`.
        assignment: the assignment name.
        timeout: seconds per cell of the solution.

    Returns:
        The reference files.

    Raises:
        GradingError: a reference cannot be built (the message says which test and why).
    """
    paths = []
    for source in sorted((course.source / assignment).glob("*.ipynb")):
        references_for(course.root, source, assignment, timeout=timeout)
        paths.append(reference_path(course.root, assignment, source.stem))
    return paths


# -- judging ------------------------------------------------------------------------------------


def verdict(reference: Mapping, outputs: Iterable[Mapping]) -> tuple[str | None, str]:
    """Judge one executed test cell against its references.

    Args:
        reference: the cell's references (one entry of ``cells`` from :func:`build_references`).
        outputs: the outputs the submission's kernel produced for the cell (untrusted).

    Returns:
        ``(message, ename)``: ``message`` is ``None`` when the test passes, else a text written
        by the course; ``ename`` is the error name to give it (``TestFailed``, or the timeout's
        name so that timeouts stay recognisable).
    """
    outputs = list(outputs)
    errors = [o for o in outputs if o.get("output_type") == "error"]
    if errors:
        for error in errors:
            if error.get("ename") in TIMEOUT_ERRORS:
                return TIMEOUT_MESSAGE, str(error["ename"])
            if error.get("ename") in INCIDENTS:
                name = str(error["ename"])
                return INCIDENT_MESSAGES.get(name, "stopped by the grader's limits"), name
        first = errors[0]
        ename, evalue = first.get("ename"), first.get("evalue")
        # a visible assert's own message, and only that: any string literal of the released
        # cell is text the student already sees
        visible = reference.get("literals", [])
        if ename == "AssertionError" and type(evalue) is str and evalue in visible:
            return evalue, FAILED
        if ename in _BUILTIN_ERRORS:
            return f"no answer was recorded: the test stopped with {ename}", FAILED
        return "no answer was recorded: the test stopped with an error", FAILED
    found = answer_payloads(outputs)
    for key, expected in reference.get("answers", {}).items():
        got = found.get(key, [])
        if not got:
            return f"no answer was recorded as {key}", FAILED
        if len(got) > 1:
            return f"the answer {key} was recorded more than once", FAILED
        if not same_answer(
            expected["value"],
            got[0].get("value"),
            tolerance=expected["tolerance"],
            ordered=expected["ordered"],
        ):
            return expected.get("message") or f"The answer recorded as {key} is not right", FAILED
    return None, ""


def course_outputs(message: str | None, ename: str = FAILED) -> list:
    """The outputs a judged test cell is left with.

    Args:
        message: the course-written failure message, or ``None`` for a pass.
        ename: the error's name.

    Returns:
        No output for a pass; one error output carrying ``message`` for a failure.
    """
    from nbformat.v4 import new_output

    if message is None:
        return []
    return [new_output("error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])]


class JudgeRecordedAnswers(NbGraderPreprocessor):
    """Judge every autograded test cell on its recorded answers; keep course-written outputs only.

    Place it right after the execute preprocessor in ``Autograde.autograde_preprocessors``.
    """

    solution_timeout = Integer(
        120, help="Seconds per cell when the solution is executed to take its references."
    ).tag(config=True)

    def _coursedir(self):
        # the converter that owns our exporter knows the course directory
        converter = getattr(self.parent, "parent", None)
        coursedir = getattr(converter, "coursedir", None)
        if coursedir is None:
            from nbgrader.coursedir import CourseDirectory

            coursedir = CourseDirectory(config=self.config)
        return coursedir

    def preprocess(self, nb, resources):
        """Judge the test cells of an executed notebook.

        Args:
            nb: the executed notebook.
            resources: nbgrader's resources (assignment and notebook ids).

        Returns:
            The notebook with judged test cells, and the resources.

        Raises:
            GradingError: the references cannot be built, or a test cell differs from the
                source's (the assignment changed since its release).
        """
        assignment = resources["nbgrader"]["assignment"]
        notebook = resources["nbgrader"]["notebook"]
        coursedir = self._coursedir()
        source_dir = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
        if not source_dir.is_absolute():
            source_dir = Path(coursedir.root) / source_dir
        references = references_for(
            Path(coursedir.root),
            source_dir / f"{notebook}.ipynb",
            assignment,
            timeout=self.solution_timeout,
        )
        for cell in nb.cells:
            if not is_test_cell(cell):
                continue
            gid = grade_id(cell)
            reference = references["cells"].get(gid)
            if reference is not None and not _same_test(reference["digest"], cell.source):
                raise GradingError(
                    f"{assignment}/{notebook}: the test cell {gid} differs from the source "
                    "notebook's: release the assignment again (course grade release)"
                )
            if reference is None:
                message, ename = "this test is not part of the assignment", FAILED
            else:
                message, ename = verdict(reference, cell.get("outputs", []))
            cell.outputs = course_outputs(message, ename)
        return nb, resources
