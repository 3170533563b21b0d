"""The instructor's dashboard (``dashboards/instructor.ipynb``): the class at a glance.

Everything the page shows is computed here from the gradebook, read in one pass of plain SQL over
nbgrader's tables (any SQLAlchemy URL) plus the autograder's records, so a class of hundreds of
trainees renders in seconds. Tests check every figure against nbgrader's own API.

- :func:`glance`: per assignment, submitted / not submitted / no notebook / late / to grade /
  errors, and the mean and median percent of fully graded submissions;
- :func:`errors`: the submissions the autograder could not grade, with its reason;
- :func:`items`: item statistics per question (:func:`course.grading.stats.item_statistics`)
  with flags and a plain-language reading of each;
- :func:`attention`: trainees with missing work or a low mean;
- :func:`queue`: written answers still to grade, with a link to formgrader.

Access: instructors only. ``instructor.ipynb`` is one of the token-protected notebooks of
:mod:`course.assess.hr_auth` (``course apps --server instructor``); behind JupyterHub, only the
instructor group reaches the instructor's server (``docs/instructor-dashboard.md``).
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, quote

import numpy as np
import pandas as pd

from course.assess.i18n import LANGUAGES
from course.grading.autograde import load_records
from course.grading.settings import Course
from course.grading.stats import BLUE, _question, item_statistics, natural_key
from course.widgets.a11y import data_uri_link

#: A question is flagged too easy at or above this mean share of its points, too hard at or below.
TOO_EASY, TOO_HARD = 0.9, 0.3
#: Below this corrected item-total correlation a question discriminates weakly.
WEAK_DISCRIMINATION = 0.2
#: A trainee needs attention below this mean percent (fully graded work).
LOW_PERCENT = 50.0
FORMGRADER_ENV = "COURSE_FORMGRADER_URL"
#: Submissions without a score: the autograder failed, or has not run yet (collected only).
UNSCORED = ("error", "not graded")
GRADING_DIR_ENV = "COURSE_GRADING_DIR"

GRADES_SQL = """
SELECT sa.id AS submission, st.id AS student_id, a.name AS assignment, nb.name AS notebook,
       bc.name AS cell, COALESCE(gc.max_score, tc.max_score) AS max_score,
       g.auto_score, g.manual_score, g.extra_credit, g.needs_manual_grade
FROM grade g
JOIN submitted_notebook sn ON g.notebook_id = sn.id
JOIN submitted_assignment sa ON sn.assignment_id = sa.id
JOIN assignment a ON sa.assignment_id = a.id
JOIN student st ON sa.student_id = st.id
JOIN base_cell bc ON g.cell_id = bc.id
JOIN notebook nb ON sn.notebook_id = nb.id
LEFT JOIN grade_cells gc ON gc.id = bc.id
LEFT JOIN task_cells tc ON tc.id = bc.id
"""
SUBMISSIONS_SQL = """
SELECT sa.id AS submission, sa.student_id, a.name AS assignment, sa.timestamp, sa.extension,
       a.duedate
FROM submitted_assignment sa JOIN assignment a ON sa.assignment_id = a.id
"""
MAX_SQL = """
SELECT a.name AS assignment, COALESCE(gc.max_score, tc.max_score) AS max_score
FROM base_cell bc JOIN notebook nb ON bc.notebook_id = nb.id
JOIN assignment a ON nb.assignment_id = a.id
LEFT JOIN grade_cells gc ON gc.id = bc.id LEFT JOIN task_cells tc ON tc.id = bc.id
WHERE gc.id IS NOT NULL OR tc.id IS NOT NULL
"""

TEXT = {
    "en": {
        "title": "Instructor dashboard",
        "intro": "Figures from the gradebook; written answers still to grade are left out of "
        "means and counted as to grade.",
        "glance": "The class at a glance",
        "errors": "Submissions the autograder could not grade",
        "no_errors": "The autograder graded every submission.",
        "distribution": "Score distribution: {assignment}",
        "dist_alt": "Bar chart of the scores of {n} fully graded submissions of {assignment}, "
        "in bands of 10%: {bands}.",
        "no_scores": "No fully graded submission of {assignment} yet.",
        "items": "Item statistics: {assignment}",
        "attention": "Trainees who need attention",
        "no_attention": "No trainee has missing work or a mean under {low:.0f}%.",
        "queue": "Written answers to grade",
        "queue_empty": "Nothing left to grade by hand.",
        "open": "open in formgrader",
        "download": "Download as CSV",
        "language": "Français",
        "flag_easy": "too easy: almost everyone gets full marks; it tells trainees apart little",
        "flag_hard": "too hard: most trainees miss it; check the wording and the course material",
        "flag_negative": "negative discrimination: trainees who do well elsewhere miss it more "
        "often; check the expected answer and the tests",
        "flag_weak": "weak discrimination: it says little about how well a trainee does overall",
        "reason_missing": "{n} assignment(s) not handed in",
        "reason_low": "mean {mean:.0f}% (under {low:.0f}%)",
        "columns": {
            "assignment": "assignment", "trainees": "trainees", "submitted": "submitted",
            "not_submitted": "not submitted", "no_notebook": "no notebook", "late": "late",
            "to_grade": "to grade", "errors": "errors", "not_autograded": "not autograded yet", "mean_percent": "mean %",
            "median_percent": "median %", "student_id": "trainee", "reason": "reason",
            "question": "question", "points": "points", "mean": "mean",
            "mean_share": "difficulty (mean share)", "full_marks_share": "full marks share",
            "discrimination": "discrimination", "n": "graded", "reading": "reading",
            "name": "name", "missing_work": "missing work", "graded": "graded assignments",
            "reasons": "why", "notebook": "notebook", "answers": "answers to grade",
            "link": "formgrader",
        },
    },
    "fr": {
        "title": "Tableau de bord du formateur",
        "intro": "Chiffres tirés du carnet de notes ; les réponses rédigées pas encore corrigées "
        "sont exclues des moyennes et comptées « à corriger ».",
        "glance": "La promotion en un coup d'œil",
        "errors": "Rendus que la correction automatique n'a pas pu noter",
        "no_errors": "La correction automatique a noté tous les rendus.",
        "distribution": "Répartition des notes : {assignment}",
        "dist_alt": "Diagramme en barres des notes de {n} rendus entièrement corrigés de "
        "{assignment}, par tranches de 10 % : {bands}.",
        "no_scores": "Aucun rendu de {assignment} n'est encore entièrement corrigé.",
        "items": "Statistiques par question : {assignment}",
        "attention": "Stagiaires à suivre",
        "no_attention": "Aucun stagiaire n'a de travail manquant ni de moyenne sous {low:.0f} %.",
        "queue": "Réponses rédigées à corriger",
        "queue_empty": "Plus rien à corriger à la main.",
        "open": "ouvrir dans formgrader",
        "download": "Télécharger en CSV",
        "language": "English",
        "flag_easy": "trop facile : presque tout le monde a tous les points ; elle distingue "
        "peu les stagiaires",
        "flag_hard": "trop difficile : la plupart des stagiaires la manquent ; vérifier l'énoncé "
        "et le support de cours",
        "flag_negative": "discrimination négative : les stagiaires qui réussissent ailleurs la "
        "manquent plus souvent ; vérifier la réponse attendue et les tests",
        "flag_weak": "discrimination faible : elle dit peu de la réussite d'ensemble",
        "reason_missing": "{n} devoir(s) non rendu(s)",
        "reason_low": "moyenne {mean:.0f} % (sous {low:.0f} %)",
        "columns": {
            "assignment": "devoir", "trainees": "stagiaires", "submitted": "rendus",
            "not_submitted": "non rendus", "no_notebook": "sans notebook", "late": "en retard",
            "to_grade": "à corriger", "errors": "erreurs",
            "not_autograded": "pas encore corrigés", "mean_percent": "moyenne %",
            "median_percent": "médiane %", "student_id": "stagiaire", "reason": "raison",
            "question": "question", "points": "points", "mean": "moyenne",
            "mean_share": "difficulté (part moyenne)", "full_marks_share": "part au maximum",
            "discrimination": "discrimination", "n": "corrigés", "reading": "lecture",
            "name": "nom", "missing_work": "travail manquant", "graded": "devoirs corrigés",
            "reasons": "pourquoi", "notebook": "notebook", "answers": "réponses à corriger",
            "link": "formgrader",
        },
    },
}  # fmt: skip


@dataclass
class ClassData:
    """The gradebook, read once.

    Attributes:
        students: ``student_id``, ``first_name``, ``last_name``, ``email``.
        assignments: ``assignment``, ``max_score`` (natural order).
        submissions: one row per submission: ``student_id``, ``assignment``, ``timestamp``,
            ``late`` (after the due date plus any extension), ``status`` (the autograder's:
            ``graded``, ``missing`` = no notebook, ``error``, or ``not graded``), ``reason``,
            ``score`` (nbgrader's: manual over auto, plus extra credit; NaN for an error),
            ``to_grade`` (answers still to grade), ``percent``.
        grades: one row per grade cell of a submission: ``student_id``, ``assignment``,
            ``notebook``, ``cell``, ``question``, ``max_score``, ``value`` (NaN while to grade),
            ``to_grade``.
    """

    students: pd.DataFrame
    assignments: pd.DataFrame
    submissions: pd.DataFrame
    grades: pd.DataFrame


def raw_tables(course: Course) -> dict[str, pd.DataFrame]:
    """The gradebook's tables as they are (the baseline of the benchmark).

    Args:
        course: the course.

    Returns:
        Table name → frame, for nbgrader's student, assignment, submission and grade tables.
    """
    engine = _engine(course)
    names = ["student", "assignment", "notebook", "base_cell", "grade_cells", "task_cells",
             "submitted_assignment", "submitted_notebook", "grade"]  # fmt: skip
    with engine.connect() as connection:
        return {name: pd.read_sql_table(name, connection) for name in names}


def _engine(course: Course):
    import sqlalchemy

    return sqlalchemy.create_engine(course.db_url)


def load(course: Course) -> ClassData:
    """Read the gradebook and the autograder's records once.

    Args:
        course: the course (SQLite or any SQLAlchemy URL).

    Returns:
        The class data.
    """
    from sqlalchemy import text

    if course.is_sqlite and not course.db_path.is_file():
        return _empty()  # no gradebook yet: nothing graded, and no empty file left behind
    engine = _engine(course)
    with engine.connect() as connection:
        grades = pd.read_sql(text(GRADES_SQL), connection)
        subs = pd.read_sql(text(SUBMISSIONS_SQL), connection)
        maxima = pd.read_sql(text(MAX_SQL), connection)
        students = pd.read_sql(
            text("SELECT id AS student_id, first_name, last_name, email FROM student"), connection
        )
        names = pd.read_sql(text("SELECT name AS assignment FROM assignment"), connection)
    engine.dispose()
    order = sorted(names["assignment"], key=natural_key)
    assignments = (
        maxima.groupby("assignment")["max_score"].sum().reindex(order).fillna(0.0).reset_index()
    )
    students = students.fillna("").sort_values("student_id", key=_natural).reset_index(drop=True)

    # written answers not graded yet: unknown (NaN), not 0
    known = grades["manual_score"].notna() | grades["auto_score"].notna()
    base = grades["manual_score"].where(grades["manual_score"].notna(), grades["auto_score"])
    grades["to_grade"] = ~known
    grades["value"] = base.astype(float) + pd.to_numeric(grades["extra_credit"]).fillna(0.0)
    grades["question"] = [_question(name) for name in grades["cell"]]

    records = {name: load_records(course, name) for name in order}
    status = [records[a].get(s, {}).get("status", "not graded")
              for s, a in zip(subs["student_id"], subs["assignment"], strict=True)]  # fmt: skip
    reason = [
        "; ".join(records[a].get(s, {}).get("messages", []))
        for s, a in zip(subs["student_id"], subs["assignment"], strict=True)
    ]
    subs["status"], subs["reason"] = status, reason
    due = pd.to_datetime(subs["duedate"])
    extension = pd.to_timedelta([_interval(v) for v in subs["extension"]])
    subs["late"] = (pd.to_datetime(subs["timestamp"]) > due + extension).fillna(False)
    # nbgrader's score: an answer still to grade counts 0 in the submission's total
    per_sub = (
        grades.assign(points=grades["value"].fillna(0.0), known=~grades["to_grade"])
        .groupby("submission")
        .agg(score=("points", "sum"), to_grade=("to_grade", "sum"), known=("known", "sum"))
    )
    subs = subs.join(per_sub, on="submission")
    subs["score"] = subs["score"].fillna(0.0)
    # graded by plain `nbgrader autograde` (no course record): some grade is known
    by_nbgrader = (subs["status"] == "not graded") & (subs["known"].fillna(0) > 0)
    subs.loc[by_nbgrader, "status"] = "graded"
    subs = subs.drop(columns="known")
    subs["to_grade"] = subs["to_grade"].fillna(0).astype(int)
    # an error, or a submission collected but not autograded yet: no score to show, nothing
    # waiting for a person (nbgrader's grades of it are placeholders)
    ungraded = subs["status"].isin(UNSCORED)
    subs.loc[ungraded, ["score", "to_grade"]] = [np.nan, 0]
    maxima_by = assignments.set_index("assignment")["max_score"]
    subs["max_score"] = subs["assignment"].map(maxima_by)
    subs["percent"] = 100 * subs["score"] / subs["max_score"].where(subs["max_score"] > 0)
    subs = subs.drop(columns=["duedate", "extension"]).sort_values(
        ["assignment", "student_id"], key=_natural
    )
    grades = grades.merge(
        subs[["submission", "status"]], on="submission", how="left", validate="many_to_one"
    )
    return ClassData(
        students=students,
        assignments=assignments,
        submissions=subs.reset_index(drop=True),
        grades=grades,
    )


def _interval(value) -> timedelta:
    """An extension as read by plain SQL: None, a timedelta, or SQLite's epoch-based datetime."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return timedelta(0)
    if isinstance(value, timedelta):
        return value
    return pd.Timestamp(value) - pd.Timestamp(0)


def _empty() -> ClassData:
    return ClassData(
        students=pd.DataFrame(columns=["student_id", "first_name", "last_name", "email"]),
        assignments=pd.DataFrame(columns=["assignment", "max_score"]),
        submissions=pd.DataFrame(
            columns=["submission", "student_id", "assignment", "timestamp", "status", "reason",
                     "late", "score", "to_grade", "max_score", "percent"]
        ),
        grades=pd.DataFrame(
            columns=["submission", "student_id", "assignment", "notebook", "cell", "max_score",
                     "auto_score", "manual_score", "extra_credit", "needs_manual_grade",
                     "to_grade", "value", "question", "status"]
        ),
    )  # fmt: skip


def _natural(column: pd.Series) -> pd.Series:
    """A sort key for ``sort_values``: numbers zero-padded, so text order is natural order."""
    return column.map(
        lambda value: "".join(
            f"{part:012d}" if isinstance(part, int) else part for part in natural_key(str(value))
        )
    )


def glance(data: ClassData) -> pd.DataFrame:
    """Per assignment: how many submitted, not, late, to grade, in error; mean and median.

    Args:
        data: the class data.

    Returns:
        One row per assignment: ``assignment``, ``trainees``, ``submitted``, ``not_submitted``,
        ``no_notebook`` (the autograder found no notebook), ``late``, ``to_grade`` (submissions
        with written answers still to grade), ``errors``, ``not_autograded`` (collected, not
        autograded yet), ``mean_percent`` and
        ``median_percent`` (fully graded submissions only: none to grade, no error).
    """
    rows = []
    trainees = len(data.students)
    for assignment in data.assignments["assignment"]:
        subs = data.submissions[data.submissions["assignment"] == assignment]
        done = subs[~subs["status"].isin(UNSCORED) & (subs["to_grade"] == 0)]["percent"]
        rows.append({
            "assignment": assignment,
            "trainees": trainees,
            "submitted": len(subs),
            "not_submitted": trainees - len(subs),
            "no_notebook": int((subs["status"] == "missing").sum()),
            "late": int(subs["late"].sum()),
            "to_grade": int((subs["to_grade"] > 0).sum()),
            "errors": int((subs["status"] == "error").sum()),
            "not_autograded": int((subs["status"] == "not graded").sum()),
            "mean_percent": float(done.mean()) if len(done) else float("nan"),
            "median_percent": float(done.median()) if len(done) else float("nan"),
        })  # fmt: skip
    return pd.DataFrame(rows)


def errors(data: ClassData) -> pd.DataFrame:
    """The submissions the autograder could not grade, with its reason.

    Args:
        data: the class data.

    Returns:
        ``assignment``, ``student_id``, ``reason``.
    """
    subs = data.submissions
    return subs.loc[subs["status"] == "error", ["assignment", "student_id", "reason"]].reset_index(
        drop=True
    )


def distribution(data: ClassData, assignment: str) -> pd.Series:
    """How many fully graded submissions fall in each band of 10% (the last band holds 100%).

    Args:
        data: the class data.
        assignment: the assignment.

    Returns:
        Counts indexed ``"0-10"`` … ``"90-100"``.
    """
    subs = data.submissions[data.submissions["assignment"] == assignment]
    percent = subs[~subs["status"].isin(UNSCORED) & (subs["to_grade"] == 0)]["percent"].dropna()
    bands = np.minimum((percent // 10).astype(int), 9)
    counts = np.bincount(bands, minlength=10)[:10]
    return pd.Series(counts, index=[f"{10 * k}-{10 * k + 10}" for k in range(10)])


def item_frame(data: ClassData, assignment: str) -> tuple[pd.DataFrame, pd.Series]:
    """Students × questions scores of one assignment (NaN: to grade), errors left out.

    Args:
        data: the class data.
        assignment: the assignment.

    Returns:
        ``(scores, max_points)``, as :func:`course.grading.stats.item_scores` gives them.
    """
    rows = data.grades[
        (data.grades["assignment"] == assignment) & ~data.grades["status"].isin(UNSCORED)
    ]
    order = sorted(rows["question"].unique(), key=natural_key)
    grouped = rows.groupby(["student_id", "question"])
    values = grouped["value"].sum(min_count=1)
    values[grouped["to_grade"].any()] = np.nan  # one part to grade: the question is unknown
    scores = values.unstack("question").reindex(columns=order).astype(float).sort_index()
    maxima = (
        rows.drop_duplicates(["student_id", "cell"]).groupby(["student_id", "question"])[
            "max_score"
        ].sum().groupby("question").max().reindex(order)
    )  # fmt: skip
    return scores, maxima.astype(float)


def items(data: ClassData, assignment: str, lang: str = "en") -> pd.DataFrame:
    """Item statistics with flags and their plain-language reading.

    Args:
        data: the class data.
        assignment: the assignment.
        lang: ``"en"`` or ``"fr"``.

    Returns:
        :func:`course.grading.stats.item_statistics` plus ``flags`` (codes: ``too_easy``,
        ``too_hard``, ``negative``, ``weak``) and ``reading`` (sentences in ``lang``).
    """
    text = TEXT[lang]
    table = item_statistics(*item_frame(data, assignment))
    flags, readings = [], []
    for _, row in table.iterrows():
        codes = []
        if row["mean_share"] >= TOO_EASY:
            codes.append("too_easy")
        elif row["mean_share"] <= TOO_HARD:
            codes.append("too_hard")
        if row["discrimination"] < 0:
            codes.append("negative")
        elif row["discrimination"] < WEAK_DISCRIMINATION:
            codes.append("weak")
        names = {"too_easy": "flag_easy", "too_hard": "flag_hard", "negative": "flag_negative",
                 "weak": "flag_weak"}  # fmt: skip
        flags.append(" ".join(codes))
        readings.append("; ".join(text[names[c]] for c in codes))
    table["flags"], table["reading"] = flags, readings
    return table


def attention(data: ClassData, lang: str = "en", low: float = LOW_PERCENT) -> pd.DataFrame:
    """Trainees with missing work (not handed in, or no notebook) or a low mean.

    Args:
        data: the class data.
        lang: ``"en"`` or ``"fr"`` for the reasons.
        low: the mean percent under which a trainee needs attention.

    Returns:
        ``student_id``, ``name``, ``missing_work``, ``graded`` (fully graded assignments),
        ``mean_percent`` (over those), ``reasons``; most missing work first, then lowest mean.
    """
    text = TEXT[lang]
    n_assignments = len(data.assignments)
    subs = data.submissions
    handed = subs[subs["status"] != "missing"].groupby("student_id").size()
    done = subs[~subs["status"].isin(UNSCORED) & (subs["to_grade"] == 0)]
    means = done.groupby("student_id")["percent"].mean()
    counts = done.groupby("student_id").size()
    rows = []
    for _, student in data.students.iterrows():
        sid = student["student_id"]
        missing = n_assignments - int(handed.get(sid, 0))
        mean = float(means.get(sid, float("nan")))
        reasons = []
        if missing:
            reasons.append(text["reason_missing"].format(n=missing))
        if mean < low:
            reasons.append(text["reason_low"].format(mean=mean, low=low))
        if reasons:
            rows.append({
                "student_id": sid,
                "name": f"{student['first_name']} {student['last_name']}".strip(),
                "missing_work": missing,
                "graded": int(counts.get(sid, 0)),
                "mean_percent": mean,
                "reasons": "; ".join(reasons),
            })  # fmt: skip
    columns = ["student_id", "name", "missing_work", "graded", "mean_percent", "reasons"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(
        ["missing_work", "mean_percent"], ascending=[False, True], na_position="last"
    ).reset_index(drop=True)


def queue(data: ClassData, base_url: str | None = None) -> pd.DataFrame:
    """Written answers still to grade, per assignment, notebook and question.

    Args:
        data: the class data.
        base_url: formgrader's address (``COURSE_FORMGRADER_URL``, else ``/formgrader``).

    Returns:
        ``assignment``, ``notebook``, ``question``, ``answers``, ``link`` (formgrader's page
        of that notebook's submissions).
    """
    base = (base_url or os.environ.get(FORMGRADER_ENV) or "/formgrader").rstrip("/")
    waiting = data.grades[data.grades["to_grade"] & ~data.grades["status"].isin(UNSCORED)]
    counts = (
        waiting.groupby(["assignment", "notebook", "question"])
        .size()
        .rename("answers")
        .reset_index()
    )
    counts = counts.sort_values(["assignment", "notebook", "question"], key=_natural)
    counts["link"] = [
        f"{base}/gradebook/{quote(a)}/{quote(n)}"
        for a, n in zip(counts["assignment"], counts["notebook"], strict=True)
    ]
    return counts.reset_index(drop=True)


# ---------------------------------------------------------------------------- the page


def _fmt(value) -> str:
    if isinstance(value, float | np.floating):
        return "–" if np.isnan(value) else f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def table_html(frame: pd.DataFrame, caption: str, filename: str, lang: str) -> str:
    """An accessible table with a caption and its CSV as a download link.

    Args:
        frame: the table (its column codes are translated for display, not in the CSV).
        caption: the caption.
        filename: the CSV's file name.
        lang: ``"en"`` or ``"fr"``.

    Returns:
        HTML.
    """
    text = TEXT[lang]
    names = [text["columns"].get(c, c) for c in frame.columns]
    head = "".join(f"<th scope='col'>{html.escape(n)}</th>" for n in names)
    body = []
    for _, row in frame.iterrows():
        cells = []
        for column, value in row.items():
            if column == "link":
                cells.append(
                    f"<td><a href='{html.escape(value)}'>{html.escape(text['open'])}</a></td>"
                )
            else:
                cells.append(f"<td>{html.escape(_fmt(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    csv_text = frame.to_csv(index=False, lineterminator="\n")
    link = data_uri_link(csv_text, filename, "text/csv", f"{text['download']} ({filename})")
    return (
        f"<table class='cm-table'><caption>{html.escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table><p>{link}</p>"
    )


def distribution_html(data: ClassData, assignment: str, lang: str) -> str:
    """The score distribution of one assignment as a bar chart (inline SVG) with alt text.

    Drawn as SVG rather than with matplotlib: eight charts cost nothing to render, stay sharp
    when zoomed, and carry their text alternative as ``role="img"`` + ``aria-label``.

    Args:
        data: the class data.
        assignment: the assignment.
        lang: ``"en"`` or ``"fr"``.

    Returns:
        HTML (a ``<figure>`` with the SVG, or a sentence when nothing is fully graded).
    """
    text = TEXT[lang]
    counts = distribution(data, assignment)
    if counts.sum() == 0:
        return f"<p>{html.escape(text['no_scores'].format(assignment=assignment))}</p>"
    title = text["distribution"].format(assignment=assignment)
    bands = ", ".join(f"{band}%: {n}" for band, n in counts.items())
    alt = text["dist_alt"].format(n=int(counts.sum()), assignment=assignment, bands=bands)
    width, height, left, bottom, bar = 440, 170, 30, 30, 36
    top = int(counts.max())
    shapes = [f"<line x1='{left}' y1='{height - bottom}' x2='{width}' y2='{height - bottom}' "
              "stroke='#333'/>"]  # fmt: skip
    for k, (band, n) in enumerate(counts.items()):
        h = (height - bottom - 20) * n / top
        x = left + 4 + k * (bar + 5)
        y = height - bottom - h
        shapes.append(f"<rect x='{x}' y='{y:.1f}' width='{bar}' height='{h:.1f}' fill='{BLUE}'/>")
        if n:
            shapes.append(f"<text x='{x + bar / 2}' y='{y - 4:.1f}' text-anchor='middle' "
                          f"font-size='11'>{n}</text>")  # fmt: skip
        shapes.append(f"<text x='{x + bar / 2}' y='{height - bottom + 14}' text-anchor='middle' "
                      f"font-size='10'>{band}</text>")  # fmt: skip
    svg = (
        f"<svg role='img' aria-label='{html.escape(alt)}' viewBox='0 0 {width} {height}' "
        f"width='{width}' height='{height}' xmlns='http://www.w3.org/2000/svg'>"
        f"<title>{html.escape(alt)}</title>{''.join(shapes)}</svg>"
    )
    return (
        f"<figure class='cm-chart'>{svg}<figcaption>{html.escape(title)} (%)</figcaption></figure>"
    )


def page_html(data: ClassData, lang: str = "en") -> str:
    """The whole dashboard as one HTML fragment.

    Args:
        data: the class data.
        lang: ``"en"`` or ``"fr"``.

    Returns:
        HTML, in ``lang``.
    """
    lang = lang if lang in LANGUAGES else "en"
    text = TEXT[lang]
    other = "fr" if lang == "en" else "en"
    parts = [
        f"<main lang='{lang}' class='cm-instructor'><h1>{html.escape(text['title'])}</h1>",
        f"<p><a href='?lang={other}' lang='{other}'>{html.escape(text['language'])}</a></p>",
        f"<p>{html.escape(text['intro'])}</p>",
        f"<h2>{html.escape(text['glance'])}</h2>",
        table_html(glance(data), text["glance"], "class.csv", lang),
        f"<h3>{html.escape(text['errors'])}</h3>",
    ]
    failed = errors(data)
    parts.append(
        table_html(failed, text["errors"], "errors.csv", lang)
        if len(failed)
        else f"<p>{html.escape(text['no_errors'])}</p>"
    )
    for assignment in data.assignments["assignment"]:
        parts.append(distribution_html(data, assignment, lang))
    for assignment in data.assignments["assignment"]:
        title = text["items"].format(assignment=assignment)
        table = items(data, assignment, lang).reset_index()
        shown = table[["question", "points", "mean", "mean_share", "discrimination", "n",
                       "to_grade", "reading"]]  # fmt: skip
        parts += [f"<h2>{html.escape(title)}</h2>",
                  table_html(shown, title, f"items-{assignment}.csv", lang)]  # fmt: skip
    parts.append(f"<h2>{html.escape(text['attention'])}</h2>")
    people = attention(data, lang)
    parts.append(
        table_html(people, text["attention"], "attention.csv", lang)
        if len(people)
        else f"<p>{html.escape(text['no_attention'].format(low=LOW_PERCENT))}</p>"
    )
    parts.append(f"<h2>{html.escape(text['queue'])}</h2>")
    waiting = queue(data)
    parts.append(
        table_html(waiting, text["queue"], "to-grade.csv", lang)
        if len(waiting)
        else f"<p>{html.escape(text['queue_empty'])}</p>"
    )
    parts.append("</main>")
    return "\n".join(parts)


def course_for_dashboard(environ: dict[str, str] | None = None) -> Course:
    """The course the dashboard reads: ``COURSE_GRADING_DIR`` if set, else ``grading/``.

    Args:
        environ: the environment (``os.environ`` by default).

    Returns:
        The course.
    """
    environ = os.environ if environ is None else environ
    folder = environ.get(GRADING_DIR_ENV)
    return Course.from_repo(course_dir=folder) if folder else Course.from_repo()


def launch(environ: dict[str, str] | None = None) -> str:
    """Render the dashboard in Voilà: what ``dashboards/instructor.ipynb`` calls.

    Args:
        environ: where to read ``QUERY_STRING`` (``?lang=fr|en``) and the course settings.

    Returns:
        The HTML shown.
    """
    from IPython.display import HTML, display

    from course.assess.hr_auth import guard_mode

    environ = os.environ if environ is None else environ
    params = parse_qs(environ.get("QUERY_STRING", ""))
    lang = (params.get("lang") or ["en"])[0]
    if guard_mode() is None:  # not served behind the token nor JupyterHub: show nothing
        page = "<p role='alert'>This dashboard is served by `course apps --server instructor`.</p>"
    else:
        page = page_html(load(course_for_dashboard(environ)), lang)
    display(HTML(page))
    return page
