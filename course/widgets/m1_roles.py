"""Widgets of M1 · Roles: a survey explorer and an orientation quiz.

Each widget is built by a function returning an ``ipywidgets.VBox``; the computation behind it is a
pure function next to it (:func:`explorer_table`, :func:`orientation_result`) so that the tests can
check it without a browser. Charts are rendered to PNG into an ``ipywidgets.Image`` (works the same
in JupyterLab, Voilà and a static export), and every figure is also given as text (an HTML table or
sentence) for screen readers.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import ipywidgets as w
import matplotlib.pyplot as plt
import pandas as pd

from course import plots, roles
from course.assess.competency import PROFILE_MODULES

ALL = "all"
IDF = "Île-de-France"
OUTSIDE_IDF = "outside Île-de-France"

#: Questions of the survey the explorer can show, as (label, column).
EXPLORER_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("Gender", "gender"),
    ("Age band", "age_band"),
    ("Employer", "employer_type"),
    ("Hiring channel", "hiring_channel"),
    ("Reports to (where the role sits)", "reports_to"),
    ("Salary band (course's assumption)", "salary_band"),
    ("Role: internal, external, hybrid", "role"),
)
#: Ordinal answers keep their natural order instead of being sorted by frequency.
ORDERS: dict[str, list[str]] = {
    "age_band": ["under 26", "26-35", "36-45", "over 45"],
    "salary_band": ["under 25k", "25-30k", "30-35k", "35-45k", "over 45k"],
    "role": ["external", "hybrid", "internal"],
}
#: Confidence levels offered, as (label, z).
CONFIDENCE: tuple[tuple[str, float], ...] = (("90 %", 1.645), ("95 %", 1.96), ("99 %", 2.576))
#: Below this many answers, the explorer warns that groups cannot be compared.
SMALL_SAMPLE = 30


# --------------------------------------------------------------------------- survey explorer


def filter_survey(
    survey: pd.DataFrame, employer: str = ALL, region: str = ALL, role: str = ALL
) -> pd.DataFrame:
    """The respondents matching the three filters (``"all"`` keeps everyone).

    Args:
        survey: the ``cm_survey`` dataset.
        employer: a value of ``employer_type`` or ``"all"``.
        region: a value of ``region``, ``"outside Île-de-France"`` or ``"all"``.
        role: ``"external"``, ``"hybrid"``, ``"internal"`` or ``"all"``.

    Returns:
        The matching rows (a new DataFrame; ``survey`` is not modified).
    """
    keep = pd.Series(True, index=survey.index)
    if employer != ALL:
        keep &= survey["employer_type"] == employer
    if region == OUTSIDE_IDF:
        keep &= survey["region"] != IDF
    elif region != ALL:
        keep &= survey["region"] == region
    if role != ALL:
        keep &= survey["role"] == role
    return survey.loc[keep].copy()


def explorer_table(
    survey: pd.DataFrame,
    employer: str = ALL,
    region: str = ALL,
    role: str = ALL,
    column: str = "gender",
    z: float = 1.96,
) -> pd.DataFrame:
    """Shares of one survey question among the filtered respondents, with Wilson intervals.

    Args:
        survey: the ``cm_survey`` dataset.
        employer: see :func:`filter_survey`.
        region: see :func:`filter_survey`.
        role: see :func:`filter_survey`.
        column: the question to tabulate (a column of ``survey``).
        z: the normal quantile of the confidence level.

    Returns:
        The :func:`course.roles.share_table` of ``column`` among the matching respondents who
        answered it (``attrs["n"]`` is that number); an empty table with the same columns and
        ``attrs["n"] == 0`` when nobody matches.

    Raises:
        KeyError: ``column`` is not a column of the survey.
    """
    if column not in survey.columns:
        raise KeyError(
            f"unknown question {column!r}; the survey's columns are {list(survey.columns)}"
        )
    subset = filter_survey(survey, employer, region, role)[column]
    if subset.notna().sum() == 0:
        empty = pd.DataFrame(
            {
                "count": pd.Series(dtype=int),
                **{c: pd.Series(dtype=float) for c in ("share", "low", "high")},
            },
            index=pd.Index([], name=column, dtype=object),
        )
        empty.attrs["n"] = 0
        return empty
    return roles.share_table(subset, z=z, order=ORDERS.get(column))


def shares_figure(table: pd.DataFrame, title: str, confidence: str = "95 %") -> plt.Figure:
    """A horizontal bar chart of shares (in %) with their intervals as error bars.

    Args:
        table: a :func:`course.roles.share_table` (non-empty).
        title: the chart's title.
        confidence: the confidence level, for the axis label.

    Returns:
        The matplotlib figure (the caller closes it).
    """
    figure, axes = plots.barh(
        [str(label) for label in table.index],
        list(100 * table["share"]),
        title=title,
        xlabel=f"share of respondents (%), bars: {confidence} Wilson interval",
        ylabel=str(table.index.name or ""),
        errors=list(zip(100 * table["low"], 100 * table["high"], strict=True)),
    )
    axes.set_xlim(0, 100)
    return figure


_png = plots.to_png


def _table_html(table: pd.DataFrame, confidence: str) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(str(label))}</td><td>{row['count']}</td>"
        f"<td>{100 * row['share']:.1f} %</td>"
        f"<td>{100 * row['low']:.1f} – {100 * row['high']:.1f} %</td></tr>"
        for label, row in table.iterrows()
    )
    return (
        "<table><thead><tr><th scope='col'>answer</th><th scope='col'>count</th>"
        f"<th scope='col'>share</th><th scope='col'>{confidence} interval</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def explorer_summary(table: pd.DataFrame, confidence: str = "95 %") -> str:
    """The explorer's text: how many answers, a warning on small groups, and the table (HTML)."""
    n = table.attrs.get("n", int(table["count"].sum()) if len(table) else 0)
    if n == 0:
        return "<p><strong>No respondent matches these filters.</strong> Widen one of them.</p>"
    widest = 100 * float((table["high"] - table["low"]).max())
    parts = [
        f"<p><strong>{n}</strong> respondent{'s' if n != 1 else ''} answered. "
        f"The widest {confidence} interval spans {widest:.0f} points.</p>"
    ]
    if n < SMALL_SAMPLE:
        parts.append(
            f"<p role='alert'><strong>Fewer than {SMALL_SAMPLE} answers:</strong> the intervals "
            "are too wide to compare this group with another one.</p>"
        )
    parts.append(_table_html(table, confidence))
    return "".join(parts)


def survey_explorer(survey: pd.DataFrame) -> w.VBox:
    """Filter the 2012 survey by employer, region and role; shares and intervals update live.

    Args:
        survey: the ``cm_survey`` dataset.

    Returns:
        A ``VBox`` with the controls, the chart and its text version. Its ``controls``
        attribute maps ``"employer"``, ``"region"``, ``"role"``, ``"question"``, ``"confidence"``
        to the widgets, and ``table`` holds the table currently shown (for tests and reuse).
    """
    style = {"description_width": "initial"}
    regions = sorted(r for r in survey["region"].dropna().unique() if r != IDF)
    controls = {
        "employer": w.Dropdown(
            options=[ALL, *sorted(survey["employer_type"].dropna().unique())],
            value=ALL,
            description="Employer",
            style=style,
        ),
        "region": w.Dropdown(
            options=[ALL, IDF, OUTSIDE_IDF, *regions], value=ALL, description="Region", style=style
        ),
        "role": w.Dropdown(
            options=[ALL, *ORDERS["role"]], value=ALL, description="Role", style=style
        ),
        "question": w.Dropdown(
            options=list(EXPLORER_QUESTIONS), value="gender", description="Show", style=style
        ),
        "confidence": w.Dropdown(
            options=list(CONFIDENCE), value=1.96, description="Confidence", style=style
        ),
    }
    chart = w.Image(format="png", layout=w.Layout(max_width="640px"))
    text = w.HTML()
    box = w.VBox(
        [
            w.HBox([controls["employer"], controls["region"], controls["role"]]),
            w.HBox([controls["question"], controls["confidence"]]),
            chart,
            text,
        ]
    )

    def update(_change: object = None) -> None:
        column = controls["question"].value
        z = controls["confidence"].value
        level = controls["confidence"].label
        table = explorer_table(
            survey,
            controls["employer"].value,
            controls["region"].value,
            controls["role"].value,
            column,
            z,
        )
        box.table = table
        text.value = explorer_summary(table, level)
        if table.attrs["n"] == 0:
            chart.value = b""
            chart.layout.display = "none"
            return
        label = controls["question"].label
        title = f"{label}: {table.attrs['n']} respondents answered"
        chart.value = _png(shares_figure(table.rename_axis(label), title, level))
        chart.layout.display = None

    for control in controls.values():
        control.observe(update, names="value")
    box.controls = controls
    update()
    return box


# --------------------------------------------------------------------------- time


def time_figure(
    shares: pd.DataFrame,
    groups: Sequence[str] = ("internal", "external"),
    title: str = "Where the week goes: share of logged hours by task",
) -> plt.Figure:
    """Grouped horizontal bars comparing the time shares of a few groups, task by task.

    Args:
        shares: a :func:`course.roles.time_shares` table indexed by role.
        groups: the rows to compare, in the order drawn; colours follow
            :data:`course.plots.COMMUNITY_COLOURS` for ``internal``/``external``/``hybrid``.
        title: the chart's title.

    Returns:
        The matplotlib figure (the caller closes it).

    Raises:
        KeyError: a group is not a row of ``shares``.
    """
    missing = [g for g in groups if g not in shares.index]
    if missing:
        raise KeyError(f"group(s) {missing} not in the table; its rows are {list(shares.index)}")
    tasks = list(shares.columns)
    figure, axes = plots.new_figure(
        title, "share of logged hours (%)", "task", size=(7.0, 0.5 * len(tasks) + 1.5)
    )
    height = 0.8 / len(groups)
    fallback = plots.colours(len(groups) + 3)[3:]
    for number, group in enumerate(groups):
        positions = [i + (number - (len(groups) - 1) / 2) * height for i in range(len(tasks))]
        colour = plots.COMMUNITY_COLOURS.get(group, fallback[number % len(fallback)])
        axes.barh(positions, 100 * shares.loc[group], height=height, color=colour, label=str(group))
    axes.set_yticks(range(len(tasks)), tasks)
    axes.invert_yaxis()
    axes.legend(title="role", frameon=False)
    return figure


# --------------------------------------------------------------------------- orientation quiz


def orientation_result(o1: object = None, o2: object = None, o3: object = None) -> dict:
    """Place a trainee on the internal–external axis and say what it means.

    Args:
        o1: agreement 1–5 with "my members are mostly colleagues", or ``None`` (N/A).
        o2: agreement 1–5 with "I speak for a brand", or ``None``.
        o3: agreement 1–5 with "my content is mostly job-specific", or ``None``.

    Returns:
        ``{"index": float | None, "profile": str | None, "meaning": str, "modules": list[str]}``,
        ``modules`` being the modules the self-assessment adds for that profile.

    Raises:
        ValueError: an answer outside 1–5 (from :func:`course.roles.orientation_index`).
    """
    index = roles.orientation_index(o1, o2, o3)
    profile = roles.orientation_profile(index)
    return {
        "index": index,
        "profile": profile,
        "meaning": roles.PROFILE_MEANINGS[profile],
        "modules": list(PROFILE_MODULES.get(profile, ())) if profile else [],
    }


def axis_figure(index: float | None) -> plt.Figure:
    """The internal–external axis with its three zones and, if given, the trainee's position.

    Args:
        index: the internal-orientation index (1–5), or ``None`` to draw the axis only.

    Returns:
        The matplotlib figure (the caller closes it).
    """
    figure, axes = plots.new_figure(
        "Your place on the internal–external axis",
        "internal-orientation index (1 = brand, public networks · 5 = colleagues, RSE)",
        "",
        size=(7.0, 2.0),
    )
    colours = plots.COMMUNITY_COLOURS
    for (start, end), profile in (
        ((1, 2.5), "external"),
        ((2.5, 3.5), "hybrid"),
        ((3.5, 5), "internal"),
    ):
        axes.axvspan(start, end, color=colours[profile], alpha=0.25, label=profile)
        axes.text((start + end) / 2, 0.8, profile, ha="center", va="center")
    if index is not None:
        axes.plot([index], [0.4], marker="v", markersize=14, color="black", linestyle="none")
        axes.text(index, 0.15, f"you: {index:.2f}", ha="center", va="center")
    axes.set_xlim(1, 5)
    axes.set_ylim(0, 1)
    axes.set_yticks([])
    axes.set_ylabel("you")
    return figure


_STATEMENTS = (
    ("O1", "My members are mostly colleagues."),
    ("O2", "I speak on behalf of a brand."),
    ("O3", "My content is mostly about the job itself (métier)."),
)
_AGREEMENT = (
    ("N/A", "na"),
    ("1 · disagree", 1),
    ("2", 2),
    ("3 · neither agree nor disagree", 3),
    ("4", 4),
    ("5 · agree", 5),
)


def orientation_text(result: dict) -> str:
    """The quiz's verdict as HTML: index, profile, what it means, modules to read next."""
    if result["profile"] is None:
        return f"<p>{html.escape(result['meaning'])}</p>"
    modules = ", ".join(result["modules"]) or "none in particular: read both kinds of example"
    return (
        f"<p>Internal-orientation index <strong>{result['index']:.2f}</strong> out of 5: "
        f"profile <strong>{html.escape(result['profile'])}</strong>.</p>"
        f"<p>{html.escape(result['meaning'])}</p><p>Modules to read next: {modules}.</p>"
    )


def orientation_quiz(answers: Sequence[object] | None = None) -> w.VBox:
    """Three statements answered 1–5 (or N/A) place the trainee on the internal–external axis.

    Args:
        answers: optional starting answers for O1, O2, O3 (1–5 or ``None``).

    Returns:
        A ``VBox``; its ``controls`` attribute maps ``"O1"``, ``"O2"``, ``"O3"`` to the toggle
        groups (value 1–5 or ``"na"``) and ``result`` holds the current
        :func:`orientation_result`.
    """
    start = list(answers) if answers is not None else [None, None, None]
    if len(start) != 3:
        raise ValueError(f"answers must hold three values (O1, O2, O3), got {len(start)}")
    controls = {}
    rows = []
    for (item, statement), value in zip(_STATEMENTS, start, strict=True):
        toggle = w.ToggleButtons(
            options=list(_AGREEMENT),
            value="na" if value is None else value,
            description=f"{item} agreement",
            tooltips=[label for label, _ in _AGREEMENT],
            # wide enough for "1 · disagree" and "3 · neither agree nor disagree" uncut
            style={"description_width": "initial", "button_width": "auto"},
        )
        controls[item] = toggle
        rows.append(w.HTML(f"<strong>{item}</strong> · {html.escape(statement)}"))
        rows.append(toggle)
    chart = w.Image(format="png", layout=w.Layout(max_width="640px"))
    text = w.HTML()
    box = w.VBox([*rows, chart, text])

    def update(_change: object = None) -> None:
        values = [None if c.value == "na" else c.value for c in controls.values()]
        result = orientation_result(*values)
        box.result = result
        text.value = orientation_text(result)
        chart.value = _png(axis_figure(result["index"]))

    for control in controls.values():
        control.observe(update, names="value")
    box.controls = controls
    update()
    return box
