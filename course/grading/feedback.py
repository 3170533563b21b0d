"""Feedback pages that carry scores, test names and course-written messages, never test source.

nbgrader's own ``generate_feedback`` renders the autograded notebook, hidden tests included
(jupyter/nbgrader#917, #1363). Ours is built from the gradebook and the judged outputs of the
autograded notebook (:mod:`course.grading.judge`): per question the score, the test's name (the
first line of its docstring) and, for a failed test, the message the course wrote. Nothing the
student's code printed or raised is shown, and any line of the page that holds a line of a
hidden test (the student's own answers included) is blanked out.

Both buttons make the same page: ``course grade feedback`` calls :func:`feedback`, and
``nbgrader generate_feedback`` (formgrader's "Generate Feedback") uses
:class:`CourseFeedbackExporter`, set as ``GenerateFeedback.exporter_class`` by
``course.grading.settings``. Pages go where nbgrader puts feedback
(``feedback/<student>/<assignment>/<notebook>.html``), so ``nbgrader release_feedback`` can hand
them out through the exchange.
"""

from __future__ import annotations

import ast
import html
from pathlib import Path

from nbconvert.exporters import Exporter

from course.grading.autograde import INCIDENTS, TIMEOUT_ERRORS, load_records
from course.grading.judge import FAILED, HIDDEN_BEGIN, HIDDEN_END, TIMEOUT_MESSAGE
from course.grading.settings import Course

REDACTED = "[a line of a hidden test, not shown]"
MIN_SECRET = 12  # shorter hidden lines (`else:`, `pass`) say nothing

STYLE = """
body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.4rem;text-align:left;
vertical-align:top}th{background:#f2f2f2}.ok{color:#006d2c}.ko{color:#a50026}.wait{color:#7a5a00}
pre{background:#f7f7f7;padding:.5rem;overflow-x:auto;white-space:pre-wrap}
"""


def title_of_test(source: str, fallback: str) -> str:
    """The name of a test cell: the first line of its docstring.

    Args:
        source: the test cell's source (never shown itself).
        fallback: what to use when the cell has no docstring.

    Returns:
        One line of text.
    """
    try:
        doc = ast.get_docstring(ast.parse(source))
    except SyntaxError:
        doc = None
    return doc.strip().splitlines()[0] if doc and doc.strip() else fallback


def failure_message(outputs: list) -> str | None:
    """A failed test's message from its judged outputs: only text the course wrote.

    Args:
        outputs: the outputs of a judged test cell (:mod:`course.grading.judge`).

    Returns:
        The judge's message, a time-out notice, "a check did not pass" for any other error
        (never its text: it could come from the student's code), or ``None`` when there is none.
    """
    for output in outputs:
        if output.get("output_type") != "error":
            continue
        name, value = output.get("ename"), output.get("evalue")
        if name in TIMEOUT_ERRORS:
            return TIMEOUT_MESSAGE
        if (name == FAILED or name in INCIDENTS) and isinstance(value, str) and value.strip():
            return value.strip()[:300]  # written by the judge (course.grading.judge)
        return "a check did not pass"
    return None


def hidden_lines(sources: list[str]) -> set[str]:
    """The lines of hidden tests that appear nowhere outside them.

    Args:
        sources: the source versions of a notebook's cells (as the gradebook keeps them).

    Returns:
        Stripped lines of at least 12 characters, found only between ``### BEGIN HIDDEN
        TESTS`` and ``### END HIDDEN TESTS``.
    """
    hidden, visible = set(), set()
    for source in sources:
        inside = False
        for line in source.splitlines():
            text = line.strip()
            if HIDDEN_BEGIN in text:
                inside = True
            elif HIDDEN_END in text:
                inside = False
            elif len(text) >= MIN_SECRET:
                (hidden if inside else visible).add(text)
    return hidden - visible


def scrub(text: str, secrets: set[str]) -> str:
    """Blank out every line of ``text`` that holds a hidden test line.

    Args:
        text: text to show (a student's answer, a message).
        secrets: lines that must never be shown (:func:`hidden_lines`).

    Returns:
        The text, each offending line replaced by a notice.
    """
    if not secrets:
        return text
    return "\n".join(
        REDACTED if any(secret in line for secret in secrets) else line
        for line in text.splitlines()
    )


def feedback(course: Course, assignment: str, students: list[str] | None = None) -> list[Path]:
    """Write the feedback pages of an assignment.

    Args:
        course: the course.
        assignment: the assignment name.
        students: which students; every one with a submission by default.

    Returns:
        The pages written.
    """
    import nbformat

    records = load_records(course, assignment)
    written = []
    with course.gradebook() as gb:
        target = gb.find_assignment(assignment)
        facts = {notebook.name: _notebook_facts(notebook) for notebook in target.notebooks}
        for submission in target.submissions:
            student = submission.student.id
            if students and student not in students:
                continue
            record = records.get(student, {})
            for notebook in submission.notebooks:
                graded = course.folder("autograded", student, assignment) / f"{notebook.name}.ipynb"
                executed = nbformat.read(graded, as_version=4) if graded.is_file() else None
                cells, secrets = facts[notebook.name]
                page = _render(assignment, student, notebook, cells, executed, record, secrets)
                out = course.folder("feedback", student, assignment) / f"{notebook.name}.html"
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(page, encoding="utf-8")
                written.append(out)
    return written


def render_page(course: Course, assignment: str, student: str, notebook: str, executed) -> str:
    """The feedback page of one notebook of one submission.

    Args:
        course: the course.
        assignment: the assignment name.
        student: the student id.
        notebook: the notebook name, without ``.ipynb``.
        executed: the autograded notebook, or ``None`` when there is none.

    Returns:
        The HTML page, the same as :func:`feedback` writes.
    """
    record = load_records(course, assignment).get(student, {})
    with course.gradebook() as gb:
        submitted = gb.find_submission_notebook(notebook, assignment, student)
        cells, secrets = _notebook_facts(submitted.notebook)
        return _render(assignment, student, submitted, cells, executed, record, secrets)


def _notebook_facts(notebook) -> tuple[list[dict], set[str]]:
    """Cell facts from the gradebook (names, points, written answers) and the hidden lines."""
    sources = {c.name: c.source for c in notebook.source_cells}
    written_answers = {c.name for c in notebook.solution_cells}
    order = [c.name for c in notebook.source_cells]
    cells = [
        {
            "id": g.name,
            "max": g.max_score,
            "manual": g.name in written_answers,
            "title": "Written answer"
            if g.name in written_answers
            else title_of_test(sources.get(g.name, ""), g.name),
        }
        for g in sorted(
            notebook.grade_cells,
            key=lambda g: order.index(g.name) if g.name in order else 0,
        )
    ]
    return cells, hidden_lines(list(sources.values()))


def _render(assignment, student, notebook, cells, executed, record, secrets) -> str:
    def esc(text) -> str:
        return html.escape(scrub(str(text), secrets))

    outputs, answers = {}, {}
    if executed is not None:
        for cell in executed.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            grade_id = meta.get("grade_id")
            if not grade_id:
                continue
            if meta.get("solution"):
                answers[grade_id] = cell.source
            elif cell.cell_type == "code":
                outputs[grade_id] = cell.get("outputs", [])
    grades = {g.name: g for g in notebook.grades}
    comments = {c.name: c for c in notebook.comments}
    rows = []
    for cell in cells:
        grade = grades.get(cell["id"])
        score = grade.score if grade is not None else None
        if cell["manual"]:
            if grade is not None and grade.needs_manual_grade:
                status = '<span class="wait">waiting for your instructor</span>'
            else:
                status = "read by your instructor"
            comment = comments.get(cell["id"])
            notes = [
                n
                for n in (comment and comment.manual_comment, comment and comment.auto_comment)
                if n
            ]
            if notes:
                status += "<br>" + "<br>".join(esc(n) for n in notes)
        else:
            message = failure_message(outputs.get(cell["id"], []))
            if score is not None and score >= cell["max"]:
                status = '<span class="ok">passed</span>'
            elif message:
                status = f'<span class="ko">failed</span>: {esc(message)}'
            elif executed is None:
                status = '<span class="ko">not run</span>'
            else:
                status = '<span class="ko">no points</span>'
        awaiting = cell["manual"] and grade is not None and grade.needs_manual_grade
        shown = "–" if score is None or awaiting else f"{score:g}"
        rows.append(
            f"<tr><td><code>{esc(cell['id'])}</code></td><td>{esc(cell['title'])}</td>"
            f"<td>{shown} / {cell['max']:g}</td><td>{status}</td></tr>"
        )
    notes = "".join(f"<li>{esc(m)}</li>" for m in record.get("messages", []))
    answer_blocks = "".join(
        f"<h3><code>{esc(grade_id)}</code></h3><pre>{esc(text)}</pre>"
        for grade_id, text in answers.items()
    )
    score, max_score = notebook.score, notebook.max_score
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Feedback: {esc(assignment)}</title>
<style>{STYLE}</style></head><body>
<h1>Feedback on {esc(assignment)} ({esc(notebook.name)})</h1>
<p>Student: <strong>{esc(student)}</strong>. Score: <strong>{score:g} / {max_score:g}</strong>
{"(a written answer is still to be read)" if notebook.needs_manual_grade else ""}</p>
{f"<h2>Notes from grading</h2><ul>{notes}</ul>" if notes else ""}
<h2>Questions</h2>
<table><thead><tr><th>cell</th><th>test</th><th>score</th><th>result</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<p>Tests carry more checks than the ones you could see; only their names and messages are shown.</p>
<h2>Your answers</h2>{answer_blocks or "<p>No answer could be read from the submission.</p>"}
</body></html>
"""


class CourseFeedbackExporter(Exporter):
    """nbgrader's ``GenerateFeedback`` through the course's page (formgrader's button too).

    Set as ``GenerateFeedback.exporter_class`` (``course.grading.settings``): instead of
    rendering the autograded notebook, hidden tests and student outputs included, it writes the
    page :func:`feedback` writes. Files nbgrader copied next to it from the autograded folder
    (anything the student's code wrote there while it was graded) are removed.
    """

    output_mimetype = "text/html"

    def _file_extension_default(self):
        return ".html"

    def from_notebook_node(self, nb, resources=None, **kw):
        """Render the feedback page of the autograded notebook ``nb``.

        Args:
            nb: the autograded notebook.
            resources: nbgrader's resources (student, assignment and notebook ids).
            **kw: passed on to nbconvert.

        Returns:
            ``(html, resources)``.
        """
        nb, resources = super().from_notebook_node(nb, resources, **kw)
        ids = resources["nbgrader"]
        coursedir = self.parent.coursedir
        course = Course.create(
            Path(coursedir.root),
            Path(coursedir.root) / coursedir.source_directory,
            db_url=coursedir.db_url,
        )
        page = render_page(course, ids["assignment"], ids["student"], ids["notebook"], nb)
        dest = Path(
            coursedir.format_path(coursedir.feedback_directory, ids["student"], ids["assignment"])
        )
        _keep_only_pages(course, ids["assignment"], dest)
        resources["output_extension"] = ".html"
        return page, resources


def _keep_only_pages(course: Course, assignment: str, folder: Path) -> None:
    """Remove from a feedback folder everything but the notebooks' pages."""
    import shutil

    with course.gradebook() as gb:
        pages = {f"{n.name}.html" for n in gb.find_assignment(assignment).notebooks}
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        elif entry.name not in pages:
            entry.unlink()
