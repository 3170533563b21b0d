"""Presenting a competency result: chart, table, lesson links, CSV and a printable summary.

Everything returned here is escaped HTML or plain text built from the instrument's wording and
the numbers of a :class:`~course.assess.competency.CompetencyResult`; nothing is fetched from
the network (the chart is an inline PNG with alt text).
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import html
import io
import os
from pathlib import Path

from course.assess.competency import DIMENSIONS, CompetencyResult

__all__ = [
    "BAND_COLOURS",
    "chart_html",
    "lesson_links",
    "result_csv",
    "results_table_html",
    "summary_html",
]

#: Okabe–Ito colours (safe for the common colour-vision deficiencies), one per band, and a hatch
#: so that bands differ without colour too.
BAND_COLOURS = {"discovery": "#D55E00", "operational": "#E69F00", "expert": "#009E73"}
BAND_HATCHES = {"discovery": "//", "operational": "..", "expert": ""}

#: Lesson file of each module, used when the repository's modules/ folder cannot be listed.
DEFAULT_LESSONS = {
    "M1": "m1_roles.ipynb",
    "M2": "m2_engagement.ipynb",
    "M3": "m3_moderation.ipynb",
    "M4": "m4_rollout.ipynb",
    "M5": "m5_communities.ipynb",
    "M6": "m6_measurement.ipynb",
    "M7": "m7_capstone.ipynb",
}


def _fmt(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def lesson_links(base_url: str | None = None, modules_dir: Path | None = None) -> dict[str, str]:
    """Where each module's lesson is: module id → URL of ``modules/mN_*.ipynb``.

    Args:
        base_url: prefix of the lesson files; ``None`` means ``COURSE_LESSONS_URL`` if set, else
            ``"../modules/"`` (the repository layout, relative to ``dashboards/``).
        modules_dir: the folder to look for lesson files in; default: the repository's
            ``modules/`` next to the ``course`` package.

    Returns:
        A dict ``{"M1": "../modules/m1_roles.ipynb", …}``.
    """
    base = base_url if base_url is not None else os.environ.get("COURSE_LESSONS_URL", "../modules/")
    if base and not base.endswith("/"):
        base += "/"
    folder = modules_dir or Path(__file__).resolve().parents[2] / "modules"
    links = {}
    for module, default in DEFAULT_LESSONS.items():
        found = sorted(folder.glob(f"{module.lower()}_*.ipynb")) if folder.is_dir() else []
        links[module] = base + (found[0].name if found else default)
    return links


def chart_png(result: CompetencyResult, text: dict) -> bytes:
    """A horizontal bar chart of the five scores as PNG bytes (missing scores are left empty)."""
    # A bare Figure renders to PNG without pyplot, so the trainee's backend is never switched.
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    names = [f"{dim} {text['dimensions'][dim]['name']}" for dim in DIMENSIONS]
    figure = Figure(figsize=(7, 3.2), dpi=100)
    axes = figure.add_subplot()
    for position, dim in enumerate(DIMENSIONS):
        value = result.scores[dim]
        if value is None:
            axes.text(1, position, text["ui"]["not_scored"], va="center", fontsize=8)
            continue
        band = result.bands[dim]
        axes.barh(
            position,
            value,
            color=BAND_COLOURS[band],
            hatch=BAND_HATCHES[band],
            edgecolor="#333333",
        )
        axes.text(min(value + 1, 92), position, f"{value:.0f}", va="center", fontsize=9)
    for boundary in (40, 70):
        axes.axvline(boundary, color="#555555", linestyle="--", linewidth=0.8)
    axes.set_yticks(range(len(DIMENSIONS)), names)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel(text["ui"]["chart_xlabel"])
    axes.set_title(text["ui"]["chart_title"])
    axes.legend(
        handles=[
            Patch(
                facecolor=BAND_COLOURS[b], hatch=BAND_HATCHES[b], edgecolor="#333333", label=label
            )
            for b, label in text["bands"].items()
        ],
        loc="lower right",
        fontsize=8,
        framealpha=0.9,
    )
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def chart_alt(result: CompetencyResult, text: dict) -> str:
    """The chart's alt text: every dimension with its score and band, in words."""
    parts = []
    for dim in DIMENSIONS:
        name = text["dimensions"][dim]["name"]
        value = result.scores[dim]
        if value is None:
            parts.append(f"{name} : {text['ui']['not_scored']}")
        else:
            parts.append(f"{name} {value:.0f} ({text['bands'][result.bands[dim]]})")
    return text["ui"]["chart_alt"].format(values="; ".join(parts))


def chart_html(result: CompetencyResult, text: dict) -> str:
    """The chart as an inline ``<img>`` with alt text, in a ``<figure>``."""
    payload = base64.b64encode(chart_png(result, text)).decode("ascii")
    alt = html.escape(chart_alt(result, text))
    return (
        f'<figure class="cm-chart"><img src="data:image/png;base64,{payload}" alt="{alt}" '
        f'style="max-width:100%;height:auto"></figure>'
    )


def results_table_html(result: CompetencyResult, text: dict) -> str:
    """The results table: dimension, score, band, importance, gap (escaped HTML)."""
    ui = text["ui"]
    head = "".join(
        f'<th scope="col">{html.escape(ui[key])}</th>'
        for key in ("col_dimension", "col_score", "col_band", "col_importance", "col_gap")
    )
    rows = []
    for dim in DIMENSIONS:
        band = result.bands[dim]
        band_text = text["bands"][band] if band else ui["not_scored"]
        rows.append(
            "<tr>"
            f'<th scope="row">{html.escape(dim)} · {html.escape(text["dimensions"][dim]["name"])}</th>'
            f"<td>{_fmt(result.scores[dim])}</td>"
            f"<td>{html.escape(band_text)}</td>"
            f"<td>{result.importance[dim]}</td>"
            f"<td>{_fmt(result.gaps[dim], 2)}</td>"
            "</tr>"
        )
    return (
        f'<table class="cm-results"><caption>{html.escape(ui["results"])}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def modules_html(result: CompetencyResult, text: dict, links: dict[str, str] | None = None) -> str:
    """Recommended modules as a list of links to their lessons, and the profile."""
    ui = text["ui"]
    links = links if links is not None else lesson_links()
    if result.recommended_modules:
        items = "".join(
            f'<li><a href="{html.escape(links[m])}" target="_blank" rel="noopener">'
            f"{html.escape(text['modules'][m])}</a></li>"
            for m in result.recommended_modules
        )
        modules = f"<ol class='cm-modules'>{items}</ol>"
    else:
        modules = f"<p>{html.escape(ui['no_recommendation'])}</p>"
    profile = text["profiles"][result.profile] if result.profile else ui["no_profile"]
    strengths = ", ".join(text["dimensions"][d]["name"] for d in result.strengths) or "—"
    return (
        f"<h3>{html.escape(ui['recommended'])}</h3>{modules}"
        f"<p><strong>{html.escape(ui['profile'])}</strong> : {html.escape(profile)}</p>"
        f"<p><strong>{html.escape(ui['strengths'])}</strong> : {html.escape(strengths)}</p>"
    )


def result_csv(result: CompetencyResult, text: dict) -> str:
    """One's own result as CSV text: one row per dimension, then the profile and modules."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["dimension", "name", "score", "band", "importance", "gap", "answered"])
    for dim in DIMENSIONS:
        writer.writerow(
            [
                dim,
                text["dimensions"][dim]["name"],
                "" if result.scores[dim] is None else round(result.scores[dim], 2),
                result.bands[dim] or "",
                result.importance[dim],
                "" if result.gaps[dim] is None else round(result.gaps[dim], 4),
                result.answered[dim],
            ]
        )
    writer.writerow([])
    writer.writerow(["profile", result.profile or ""])
    writer.writerow(["recommended_modules", " ".join(result.recommended_modules)])
    return buffer.getvalue()


def summary_html(
    result: CompetencyResult,
    text: dict,
    lang: str,
    *,
    today: dt.date | None = None,
    links: dict[str, str] | None = None,
) -> str:
    """A standalone, printable HTML page of one's result (no script, no external resource)."""
    ui = text["ui"]
    today = today or dt.date.today()
    return (
        f'<!DOCTYPE html><html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(ui['summary_title'])}</title>"
        "<style>body{font-family:sans-serif;max-width:48rem;margin:2rem auto;color:#111}"
        "table{border-collapse:collapse}th,td{border:1px solid #767676;padding:.25em .6em;"
        "text-align:left}@media print{.noprint{display:none}}</style></head><body>"
        f"<h1>{html.escape(ui['summary_title'])}</h1>"
        f"<p>{html.escape(ui['summary_date'])} : {today.isoformat()}</p>"
        f"{chart_html(result, text)}{results_table_html(result, text)}"
        f"{modules_html(result, text, links)}"
        f"<p class='noprint'>{html.escape(ui['summary_print'])}</p></body></html>"
    )
