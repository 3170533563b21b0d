"""The capstone (module M7): the case, its diagnosis, the plan's rubric and the course certificate.

Only what the earlier modules do not already provide lives here. The analysis itself reuses the
course's functions (:mod:`course.engagement`, :mod:`course.moderation`, :mod:`course.adoption`);
this module loads the case, renders the sponsor's brief, gathers a diagnosis, holds the plan's
rubric as data (so that its points and the calibration samples can be tested), measures agreement
between graders, counts the plan's words, and builds the one-page certificate a trainee takes away
(``course certificate STUDENT``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

TRACKS: tuple[str, ...] = ("internal", "external")
#: The eight datasets of a case, by short name (``"activity"`` is ``capstone_activity``).
PARTS: tuple[str, ...] = (
    "brief", "people", "activity", "members", "survey", "comments", "communities", "events",
)  # fmt: skip


# --------------------------------------------------------------------------- the case


#: Environment variable that picks the case for a whole class (lessons, assignment, grader).
SCENARIO_VARIABLE = "COURSE_CAPSTONE_SCENARIO"


def load_case(scenario: str | None = None) -> dict[str, pd.DataFrame]:
    """Load the eight datasets of a capstone case.

    Args:
        scenario: ``"default"`` (case a, Cyclane, shipped) or ``"capstone-b"`` (case b, Lumio,
            built with ``course data build --scenario capstone-b``); ``None`` reads
            ``$COURSE_CAPSTONE_SCENARIO`` (so an instructor switches a whole class, grader
            included, without editing a notebook), else ``"default"``.

    Returns:
        Short name (see :data:`PARTS`) → DataFrame.

    Raises:
        KeyError: an unknown scenario.
        course.data.DatasetMissingError: the scenario has not been built (the message says how).
    """
    import os

    import course.data

    if scenario is None:
        scenario = os.environ.get(SCENARIO_VARIABLE) or "default"
    return {part: course.data.load(f"capstone_{part}", scenario=scenario) for part in PARTS}


def brief(frame: pd.DataFrame, track: str | None = None) -> dict[str, str]:
    """The sponsor's brief as a dict of fields.

    Args:
        frame: the ``capstone_brief`` dataset.
        track: ``"internal"``, ``"external"`` or ``None`` (the organisation's fields only).

    Returns:
        Field → value: the organisation's fields, then the track's (in the brief's order).

    Raises:
        ValueError: an unknown track, or a frame without the brief's columns.
    """
    if track is not None and track not in TRACKS:
        raise ValueError(f"track must be one of {', '.join(TRACKS)} or None, got {track!r}")
    missing = {"row", "track", "field", "value"} - set(frame.columns)
    if missing:
        raise ValueError(f"not a capstone brief: missing column(s) {', '.join(sorted(missing))}")
    keep = frame[frame["track"].isin(["both", track])].sort_values("row")
    return dict(zip(keep["field"], keep["value"], strict=True))


FIELD_LABELS = {
    "organisation": "Organisation",
    "sector": "What it does",
    "headcount": "Staff",
    "sites": "Sites",
    "customer_community": "Customer community",
    "internal_network": "Staff network",
    "sponsor": "Sponsor",
    "business_goal": "Business goal",
    "why_now": "Why now",
    "constraints": "Constraints",
    "budget": "Budget",
    "budget_eur": "Budget (EUR)",
    "cm_fte": "Community manager time (FTE)",
    "deadline": "What is expected",
}


def brief_markdown(frame: pd.DataFrame, track: str) -> str:
    """The sponsor's brief of one track as Markdown, ready for ``IPython.display.Markdown``.

    Args:
        frame: the ``capstone_brief`` dataset.
        track: ``"internal"`` or ``"external"``.

    Returns:
        A heading and one line per field.
    """
    fields = brief(frame, track)
    title = f"Brief · {fields.get('organisation', '?')} · {track} track"
    lines = [f"### {title}", ""]
    for key, value in fields.items():
        if key == "budget_eur":
            continue  # the prose budget says it better; the number is for computations
        lines.append(f"- **{FIELD_LABELS.get(key, key)}:** {value}")
    return "\n".join(lines) + "\n"


def net_promoter_score(scores: Any) -> float:
    """Net promoter score of 0-10 answers: % promoters (9-10) minus % detractors (0-6).

    Args:
        scores: answers to "how likely are you to recommend…", whole numbers from 0 to 10.

    Returns:
        A number from -100 to 100.

    Raises:
        ValueError: no answers, a missing answer or one outside 0-10.
        TypeError: answers that are not numbers.
    """
    if isinstance(scores, str | bytes):
        raise TypeError("scores must be a list, array or Series of numbers, not a string")
    try:
        values = np.asarray(list(scores), dtype=float)
    except (TypeError, ValueError):
        raise TypeError("scores must be numbers from 0 to 10") from None
    if values.size == 0:
        raise ValueError("scores is empty: no answers to score")
    if np.isnan(values).any():
        raise ValueError("scores contains missing answers: drop them first, and say how many")
    if ((values < 0) | (values > 10) | (values != np.round(values))).any():
        raise ValueError("scores must be whole numbers from 0 to 10")
    return float(100 * (np.mean(values >= 9) - np.mean(values <= 6)))


def staff_posts(people: pd.DataFrame, activity: pd.DataFrame) -> pd.Series:
    """Posts of the year per employee, every employee included (zeros for the unlicensed).

    Args:
        people: the ``capstone_people`` directory.
        activity: the ``capstone_activity`` exports.

    Returns:
        A Series indexed by ``user_principal_name`` in the directory's order.
    """
    totals = activity.groupby("User Principal Name")["Posted Count"].sum()
    return totals.reindex(people["user_principal_name"], fill_value=0).astype(np.int64)


def diagnosis(case: Mapping[str, pd.DataFrame], track: str) -> pd.Series:
    """The key figures of one track, each computed with the course's own functions.

    Args:
        case: the :func:`load_case` dict.
        track: ``"internal"`` or ``"external"``.

    Returns:
        A float Series of figures (shares between 0 and 1, hours, kappa, NPS from -100 to 100).
        Internal: ``headcount``, ``licensed_share``, ``active_share``, ``interactive_share``
        (last month, of the headcount), ``posters_share`` and ``top1_posts_share`` (year, all
        staff). External: ``members``, ``posters_share``, ``top1_posts_share``,
        ``peer_answer_share`` (answers by members who are not staff). Both: ``kappa``,
        ``answered``, ``median_reply_h``, ``within_24h``, ``insult_rule_precision``, ``nps``.

    Raises:
        ValueError: an unknown track.
    """
    from course import adoption, engagement, moderation

    if track not in TRACKS:
        raise ValueError(f"track must be one of {', '.join(TRACKS)}, got {track!r}")
    figures: dict[str, float] = {}
    if track == "internal":
        people, activity = case["people"], case["activity"]
        headcount = len(people)
        last = activity["Report Refresh Date"].max()
        posts = staff_posts(people, activity)
        figures.update(
            headcount=headcount,
            licensed_share=float(people["has_engage_licence"].mean()),
            active_share=float(adoption.active_users(activity).loc[last] / headcount),
            interactive_share=float(adoption.interactive_users(activity).loc[last] / headcount),
            posters_share=float((posts > 0).mean()),
            top1_posts_share=engagement.top_share(posts, 0.01),
        )
    else:
        members = case["members"]
        peers = members[~members["is_staff"]]
        figures.update(
            members=len(members),
            posters_share=float((members["n_posts"] > 0).mean()),
            top1_posts_share=engagement.top_share(members["n_posts"], 0.01),
            peer_answer_share=float(peers["n_answers"].sum() / members["n_answers"].sum()),
        )
    comments = case["comments"][case["comments"]["track"] == track]
    times = moderation.response_time_stats(comments["hours_to_first_reply"], ("24h",))
    precision, _ = moderation.precision_recall(
        comments["category"] == "insult", comments["flagged_by"] == "keywords", True
    )
    survey = case["survey"][case["survey"]["track"] == track]
    figures.update(
        kappa=moderation.cohen_kappa(comments["label_rater_a"], comments["label_rater_b"]),
        answered=float(times["answered"]),
        median_reply_h=float(times["median_h"]),
        within_24h=float(times["within_24h"]),
        insult_rule_precision=float(precision),
        nps=net_promoter_score(survey["would_recommend"]),
    )
    return pd.Series(figures, dtype=float, name=track)


# --------------------------------------------------------------------------- the plan's rubric

#: The four levels of the rubric, best first.
LEVELS: tuple[str, ...] = ("exemplary", "proficient", "developing", "insufficient")


@dataclass(frozen=True)
class Criterion:
    """One row of the plan's analytic rubric: a plan section, graded in one notebook cell."""

    key: str
    title: str
    grade_id: str
    points: tuple[int, int, int, int]  # per level, in the order of LEVELS
    word_limit: int

    @property
    def max_points(self) -> int:
        return self.points[0]


#: The plan's rubric (its descriptors are in grading/rubrics/m7_capstone.md; the tests check that
#: both agree). Points: full, three quarters, about half, nothing.
RUBRIC: tuple[Criterion, ...] = (
    Criterion("diagnosis", "Diagnosis with numbers", "m7_q8_diagnosis", (5, 4, 2, 0), 300),
    Criterion("goals", "Goals tied to the business goal", "m7_q9_goals", (3, 2, 1, 0), 200),
    Criterion("charter", "Charter and moderation rules", "m7_q10_charter", (4, 3, 2, 0), 250),
    Criterion("first_90_days", "The first 90 days", "m7_q11_first_90_days", (5, 4, 2, 0), 350),
    Criterion("scorecard", "Scorecard and value story", "m7_q12_scorecard", (4, 3, 2, 0), 250),
    Criterion("risks", "Risks and what you would stop", "m7_q13_risks", (3, 2, 1, 0), 150),
)
PLAN_WORD_LIMIT = sum(c.word_limit for c in RUBRIC)


def rubric_points() -> int:
    """The plan's total points (the sum of each criterion's top level)."""
    return sum(c.max_points for c in RUBRIC)


def rubric_score(levels: Mapping[str, str]) -> dict[str, float]:
    """Score a plan from the level given on each criterion.

    Args:
        levels: criterion key (``"diagnosis"``, …) → level (one of :data:`LEVELS`); every
            criterion must be graded.

    Returns:
        ``{"points": …, "max_points": …, "percent": …}``.

    Raises:
        ValueError: a criterion missing or unknown, or an unknown level.
    """
    keys = {c.key for c in RUBRIC}
    unknown = sorted(set(levels) - keys)
    missing = sorted(keys - set(levels))
    if unknown or missing:
        raise ValueError(
            "grade every criterion once: "
            + "; ".join(
                part
                for part in (
                    f"unknown {', '.join(unknown)}" if unknown else "",
                    f"missing {', '.join(missing)}" if missing else "",
                )
                if part
            )
        )
    points = 0
    for criterion in RUBRIC:
        level = levels[criterion.key]
        if level not in LEVELS:
            raise ValueError(
                f"{criterion.key}: level must be one of {', '.join(LEVELS)}, got {level!r}"
            )
        points += criterion.points[LEVELS.index(level)]
    total = rubric_points()
    return {"points": float(points), "max_points": float(total), "percent": 100 * points / total}


def grader_agreement(
    grader_a: Sequence[Mapping[str, str]], grader_b: Sequence[Mapping[str, str]]
) -> dict[str, float]:
    """How far two graders agree on the same plans, criterion by criterion.

    Pools every (plan, criterion) level of both graders and computes Cohen's kappa with M3's
    :func:`course.moderation.cohen_kappa`, plus the raw agreement and the share of pairs more than
    one level apart (the disagreements a calibration meeting must discuss first).

    Args:
        grader_a: one dict of levels per plan (as for :func:`rubric_score`), in plan order.
        grader_b: the other grader's levels for the same plans, in the same order.

    Returns:
        ``{"kappa": …, "agreement": …, "far_apart": …, "pairs": …}``.

    Raises:
        ValueError: different numbers of plans, or a plan not graded on every criterion.
    """
    from course.moderation import cohen_kappa

    if len(grader_a) != len(grader_b) or not grader_a:
        raise ValueError("give both graders' levels for the same plans (at least one)")
    a, b = [], []
    for number, (plan_a, plan_b) in enumerate(zip(grader_a, grader_b, strict=True), start=1):
        for grader, plan in (("A", plan_a), ("B", plan_b)):
            try:
                rubric_score(plan)
            except ValueError as exc:
                raise ValueError(f"plan {number}, grader {grader}: {exc}") from None
        for criterion in RUBRIC:
            a.append(plan_a[criterion.key])
            b.append(plan_b[criterion.key])
    gaps = np.abs(np.array([LEVELS.index(x) for x in a]) - np.array([LEVELS.index(y) for y in b]))
    return {
        "kappa": float(cohen_kappa(a, b)),
        "agreement": float(np.mean(gaps == 0)),
        "far_apart": float(np.mean(gaps > 1)),
        "pairs": float(len(a)),
    }


def count_words(text: str) -> int:
    """Words in a Markdown answer: runs of letters or digits (headings and bullets not counted)."""
    import re

    return len(re.findall(r"[\w’'-]*\w[\w’'-]*", text.replace("YOUR ANSWER HERE", "")))


def plan_length(notebook: str | Path) -> pd.DataFrame:
    """Words per plan section of a saved capstone notebook, against each section's limit.

    Args:
        notebook: path of the ``m7_capstone.ipynb`` being written (save it first).

    Returns:
        One row per section (``section``, ``words``, ``limit``, ``over``) and a ``total`` row.

    Raises:
        FileNotFoundError: no such notebook.
    """
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    texts = {
        cell.metadata.get("nbgrader", {}).get("grade_id"): cell.source
        for cell in nb.cells
        if cell.cell_type == "markdown"
    }
    rows = []
    for criterion in RUBRIC:
        words = count_words(texts.get(criterion.grade_id, ""))
        rows.append((criterion.title, words, criterion.word_limit))
    total = sum(r[1] for r in rows)
    rows.append(("total", total, PLAN_WORD_LIMIT))
    table = pd.DataFrame(rows, columns=["section", "words", "limit"])
    table["over"] = table["words"] > table["limit"]
    return table


# --------------------------------------------------------------------------- the certificate

CAPSTONE = "m7_capstone"
#: The course's own verdicts on the capstone's percentage (not a national standard).
VERDICTS = ((80.0, "passed with distinction"), (60.0, "passed"), (0.0, "not yet passed"))


def capstone_verdict(percent: float | None, status: str, needs_manual: bool) -> str:
    """The capstone's verdict from its gradebook row.

    Args:
        percent: score as a percentage of the maximum (``None`` or NaN when not graded).
        status: the export's status (``graded``, ``not submitted``, …).
        needs_manual: the plan still awaits its grader.

    Returns:
        ``"not submitted"``, ``"awaiting the grader"``, or a verdict of :data:`VERDICTS`.
    """
    if status == "not submitted":
        return "not submitted"
    if needs_manual or percent is None or (isinstance(percent, float) and math.isnan(percent)):
        return "awaiting the grader"
    return next(label for threshold, label in VERDICTS if percent >= threshold)


def competency_change(
    start: Mapping[str, Any] | None, end: Mapping[str, Any] | None
) -> pd.DataFrame | None:
    """Change per dimension between two competency self-assessments (start and end of course).

    Args:
        start: the draft payload saved by the self-assessment app at the start
            (``{"answers": …, "importance": …, "orientation": …}``), or ``None``.
        end: the same at the end, or ``None``.

    Returns:
        ``None`` unless both are given; else one row per dimension (``D1`` … ``D5``) with
        ``dimension`` (its English name), ``start``, ``end`` (scores 0-100 or NaN when too few
        items were answered) and ``change`` (NaN when either is missing).

    Raises:
        ValueError: a payload whose answers the instrument rejects.
    """
    from course.assess import competency

    if start is None or end is None:
        return None
    names = competency.instrument("en")["dimensions"]
    scored = []
    for payload in (start, end):
        orientation = {
            k: None if v == "na" else v for k, v in dict(payload.get("orientation") or {}).items()
        }
        result = competency.score(
            dict(payload.get("answers") or {}), payload.get("importance"), orientation
        )
        scored.append(result.scores)
    rows = []
    for dim in competency.DIMENSIONS:
        first, last = scored[0][dim], scored[1][dim]
        rows.append(
            {
                "id": dim,
                "dimension": names[dim]["name"],
                "start": np.nan if first is None else float(first),
                "end": np.nan if last is None else float(last),
            }
        )
    table = pd.DataFrame(rows).set_index("id")
    table["change"] = table["end"] - table["start"]
    return table


def certificate_record(grades: pd.DataFrame, student: str) -> dict[str, Any]:
    """One trainee's record from the gradebook export.

    Args:
        grades: :func:`course.grading.stats.export_frame` of the course.
        student: the student id.

    Returns:
        ``{"student", "name", "modules": DataFrame, "capstone": dict}``; ``modules`` has one row
        per assignment (``assignment``, ``status``, ``score``, ``max_score``, ``percent``).

    Raises:
        KeyError: the student is not in the gradebook (the message lists how many are).
    """
    mine = grades[grades["student_id"] == student]
    if mine.empty:
        known = sorted(grades["student_id"].unique())
        raise KeyError(
            f"no student {student!r} in the gradebook ({len(known)} students; "
            f"e.g. {', '.join(known[:5]) or 'none'})"
        )
    first = mine.iloc[0]
    name = " ".join(str(x) for x in (first["first_name"], first["last_name"]) if str(x).strip())
    modules = mine.sort_values("assignment")[
        ["assignment", "status", "score", "max_score", "percent", "needs_manual_grading"]
    ].reset_index(drop=True)
    cap = mine[mine["assignment"] == CAPSTONE]
    if cap.empty:
        capstone = {"verdict": "not released", "score": None, "max_score": None, "percent": None}
    else:
        row = cap.iloc[0]
        percent = None if pd.isna(row["percent"]) else float(row["percent"])
        capstone = {
            "verdict": capstone_verdict(
                percent, str(row["status"]), bool(row["needs_manual_grading"])
            ),
            "score": float(row["score"]),
            "max_score": float(row["max_score"]),
            "percent": percent,
            "analysis": float(row["autograded_score"]),
            "plan": float(row["written_score"]),
        }
    return {"student": student, "name": name or student, "modules": modules, "capstone": capstone}


def _cell(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return html.escape(str(value))


def certificate_html(
    record: Mapping[str, Any],
    change: pd.DataFrame | None = None,
    issued: dt.date | None = None,
    course_title: str = "Community management, external and internal",
) -> str:
    """The one-page HTML record of a trainee (self-contained, printable).

    Args:
        record: :func:`certificate_record`.
        change: :func:`competency_change`, or ``None`` when the trainee did not take the
            self-assessment twice.
        issued: the date printed (today by default).
        course_title: the course's name.

    Returns:
        An HTML document (no script, no external resource).
    """
    issued = issued or dt.date.today()
    cap = record["capstone"]
    rows = "".join(
        "<tr>"
        f"<td>{_cell(r.assignment)}</td><td>{_cell(r.status)}</td>"
        f"<td>{_cell(r.score)} / {_cell(r.max_score)}</td><td>{_cell(r.percent)}</td>"
        "</tr>"
        for r in record["modules"].itertuples(index=False)
    )
    if cap.get("score") is None:
        capstone = f"<p>Capstone: <strong>{_cell(cap['verdict'])}</strong>.</p>"
    else:
        capstone = (
            f"<p>Capstone ({CAPSTONE}): <strong>{_cell(cap['verdict'])}</strong> — "
            f"{_cell(cap['score'])} / {_cell(cap['max_score'])} points "
            f"({_cell(cap['percent'])} %): analysis {_cell(cap['analysis'])}, "
            f"plan {_cell(cap['plan'])}.</p>"
        )
    if change is None:
        growth = (
            "<p>Competency self-assessment: not taken at both the start and the end of the "
            "course, so no change is shown.</p>"
        )
    else:
        lines = "".join(
            f"<tr><td>{_cell(r.dimension)}</td><td>{_cell(r.start, 0)}</td>"
            f"<td>{_cell(r.end, 0)}</td><td>{'' if pd.isna(r.change) else f'{r.change:+.0f}'}</td>"
            "</tr>"
            for r in change.itertuples(index=False)
        )
        growth = (
            "<h2>Competency self-assessment, start and end</h2>"
            "<table><thead><tr><th scope='col'>dimension</th><th scope='col'>start (0-100)</th>"
            "<th scope='col'>end (0-100)</th><th scope='col'>change</th></tr></thead>"
            f"<tbody>{lines}</tbody></table>"
            "<p class='note'>Self-reported scores (the course's instrument): they show how the "
            "trainee's view of their own practice changed, not a test result.</p>"
        )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Course record · {_cell(record['name'])}</title>"
        "<style>body{font-family:sans-serif;max-width:46rem;margin:2rem auto;color:#111}"
        "table{border-collapse:collapse;width:100%;margin:.5rem 0}"
        "th,td{border:1px solid #767676;padding:.25rem .5rem;text-align:left}"
        ".note{font-size:.9em;color:#333}@media print{body{margin:0}}</style></head><body>"
        f"<h1>Course record</h1><p><strong>{_cell(record['name'])}</strong> "
        f"({_cell(record['student'])}) · {html.escape(course_title)} · issued "
        f"{issued.isoformat()}</p>"
        f"{capstone}"
        "<h2>Modules</h2><table><thead><tr><th scope='col'>assignment</th>"
        "<th scope='col'>status</th><th scope='col'>score</th><th scope='col'>%</th></tr>"
        f"</thead><tbody>{rows}</tbody></table>"
        f"{growth}"
        "<p class='note'>Scores come from the course gradebook (nbgrader): automatic tests for "
        "the analysis, an instructor with the published rubric for written work. Verdicts: 80 % "
        "or more with distinction, 60 % or more passed (the course's rule).</p>"
        "</body></html>\n"
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``course certificate``.

    Args:
        parser: the ``certificate`` sub-parser.
    """
    parser.add_argument("student", help="the student id, as in the gradebook")
    parser.add_argument("--course-dir", metavar="DIR", help="nbgrader course folder (grading/)")
    parser.add_argument("--out", metavar="FILE", help="where to write (default: <student>.html)")
    parser.add_argument("--start-code", metavar="CODE", help="resume code of the first self-test")
    parser.add_argument("--end-code", metavar="CODE", help="resume code of the last self-test")
    parser.add_argument("--db-url", metavar="URL", help="self-assessment database (default: env)")


def run(args: argparse.Namespace) -> int:
    """Write a trainee's one-page record.

    Args:
        args: parsed arguments.

    Returns:
        0 when written; 1 when the gradebook or the self-assessments cannot be read; 2 on bad
        input (unknown student, one code without the other, a malformed code).
    """
    from course.grading.settings import Course
    from course.grading.stats import export_frame

    if bool(args.start_code) != bool(args.end_code):
        print(
            "course certificate: give both --start-code and --end-code, or neither", file=sys.stderr
        )
        return 2
    if args.course_dir and not Path(args.course_dir).is_dir():
        print(f"course certificate: no course folder {args.course_dir}", file=sys.stderr)
        return 2
    try:
        course = Course.from_repo(course_dir=Path(args.course_dir) if args.course_dir else None)
        if course.db_path is not None and not course.db_path.exists():
            print(
                f"course certificate: no gradebook at {course.db_path}: grade an assignment first",
                file=sys.stderr,
            )
            return 1
        record = certificate_record(export_frame(course), args.student)
    except KeyError as exc:
        print(f"course certificate: {exc.args[0]}", file=sys.stderr)
        return 2
    except Exception as exc:  # a missing or unreadable gradebook: say so in one line
        print(f"course certificate: cannot read the gradebook: {exc}", file=sys.stderr)
        return 1
    change = None
    if args.start_code:
        from course.assess.app import INSTRUMENT
        from course.assess.store import InvalidCode, Store, StoreError

        try:
            store = Store(args.db_url)
            start = store.load_draft(INSTRUMENT, args.start_code)
            end = store.load_draft(INSTRUMENT, args.end_code)
        except InvalidCode:
            print("course certificate: a resume code is malformed", file=sys.stderr)
            return 2
        except StoreError as exc:
            print(f"course certificate: self-assessments unavailable: {exc}", file=sys.stderr)
            return 1
        if start is None or end is None:
            which = "start" if start is None else "end"
            print(f"course certificate: no self-assessment for the {which} code", file=sys.stderr)
            return 2
        change = competency_change(start, end)
    out = Path(args.out) if args.out else Path(f"{args.student}.html")
    out.write_text(certificate_html(record, change), encoding="utf-8")
    print(f"wrote {out}")
    return 0
