"""Widgets of M7 · Capstone: a diagnosis dashboard of the case and a 90-day plan builder.

Each widget is a function returning an ``ipywidgets.VBox``; the computation behind it is a pure
function next to it (:func:`diagnosis_table`, :func:`monthly_shares`, :func:`reply_curve`,
:func:`plan_check`), tested without a browser. Charts are PNG images with a text version beside
them (a table and a sentence), for screen readers.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from course import adoption, capstone, plots

# --------------------------------------------------------------------------- diagnosis dashboard

#: How each figure of :func:`course.capstone.diagnosis` is shown: label, kind, denominator, and a
#: reference point with its source (or the course's own reading when nothing is published).
FIGURES: dict[str, tuple[str, str, str, str]] = {
    "headcount": ("Staff", "count", "—", "the denominator of every staff share"),
    "licensed_share": (
        "Staff with a Viva Engage licence",
        "share",
        "all staff",
        "the export lists licensed users only: the rest are invisible in it",
    ),
    "active_share": (
        "Active in December (post, read or like)",
        "share",
        "all staff",
        "reading counts: SWOOP Analytics (2022/23) found 80-85% opened Yammer, almost 60% only read",
    ),
    "interactive_share": (
        "Interactive in December (post or like)",
        "share",
        "all staff",
        "the figure that says who takes part",
    ),
    "members": ("Registered members", "count", "—", "the denominator of every member share"),
    "posters_share": (
        "Posted at least once in 2025",
        "share",
        "all staff / all members",
        "Nielsen's 90-9-1 is a rule of thumb, not a measure: compare, do not quote",
    ),
    "top1_posts_share": (
        "Posts written by the top 1%",
        "share",
        "all posts",
        "Joglekar et al. (2018): 32% (Asthma UK), 49% (British Lung Foundation)",
    ),
    "peer_answer_share": (
        "Answers written by members, not staff",
        "share",
        "all answers",
        "the brand's staff accounts answer too: they are not peer support",
    ),
    "kappa": (
        "Agreement between the two raters (Cohen's κ)",
        "kappa",
        "comments of the track",
        "the course's target for trained moderators: 0.55 to 0.80 (M3)",
    ),
    "answered": ("Comments that got a reply", "share", "comments of the track", ""),
    "median_reply_h": (
        "Median hours to a first reply (unanswered = never)",
        "hours",
        "comments of the track",
        "Sprout Social Index 2013: brands' average first reply 10.9 h then 11.3 h",
    ),
    "within_24h": ("Answered within 24 hours", "share", "comments of the track", ""),
    "insult_rule_precision": (
        "Precision of the keyword rule for insults",
        "share",
        "comments the rule flags",
        "a rule that also flags fair criticism silences customers (M3)",
    ),
    "nps": (
        "Net promoter score of the survey",
        "score",
        "respondents of the track",
        "a convention, from -100 to 100; respondents chose to answer",
    ),
}


def _shown(value: float, kind: str) -> str:
    if kind == "share":
        return f"{100 * value:.1f} %"
    if kind == "count":
        return f"{value:,.0f}"
    if kind == "hours":
        return "never (over half unanswered)" if np.isinf(value) else f"{value:.1f} h"
    if kind == "kappa":
        return f"{value:.2f}"
    return f"{value:+.0f}"


def diagnosis_table(case: Mapping[str, pd.DataFrame], track: str) -> pd.DataFrame:
    """The diagnosis of one track as a table a sponsor can read.

    Args:
        case: :func:`course.capstone.load_case`.
        track: ``"internal"`` or ``"external"``.

    Returns:
        One row per figure (index: the figure's key) with ``figure``, ``value`` (a float),
        ``shown`` (formatted), ``denominator`` and ``reference``.

    Raises:
        ValueError: an unknown track.
    """
    figures = capstone.diagnosis(case, track)
    rows = []
    for key, value in figures.items():
        label, kind, denominator, reference = FIGURES[key]
        rows.append(
            {
                "key": key,
                "figure": label,
                "value": float(value),
                "shown": _shown(float(value), kind),
                "denominator": denominator,
                "reference": reference,
            }
        )
    return pd.DataFrame(rows).set_index("key")


def monthly_shares(people: pd.DataFrame, activity: pd.DataFrame) -> pd.DataFrame:
    """Active and interactive users per month, as shares of licensed users and of all staff.

    Args:
        people: the ``capstone_people`` directory (the headcount).
        activity: the ``capstone_activity`` exports.

    Returns:
        Indexed by ``Report Refresh Date``: ``licensed`` (users in the export), ``active`` and
        ``interactive`` counts, ``active_of_staff``, ``interactive_of_staff`` and
        ``active_of_licensed`` (shares).
    """
    headcount = len(people)
    table = adoption.usage_summary(activity, headcount)[["active", "interactive"]]
    table.insert(0, "licensed", activity.groupby("Report Refresh Date").size())
    table["active_of_staff"] = table["active"] / headcount
    table["interactive_of_staff"] = table["interactive"] / headcount
    table["active_of_licensed"] = table["active"] / table["licensed"]
    return table


def reply_curve(comments: pd.DataFrame, track: str, hours: Sequence[float]) -> pd.Series:
    """Share of a track's comments answered within each delay, unanswered ones counted as misses.

    Args:
        comments: the ``capstone_comments`` sample.
        track: ``"internal"`` or ``"external"``.
        hours: the delays, in hours (positive).

    Returns:
        A Series indexed by the delays (hours), named ``answered_within``.

    Raises:
        ValueError: an unknown track or a delay that is not positive.
    """
    if track not in capstone.TRACKS:
        raise ValueError(f"track must be one of {', '.join(capstone.TRACKS)}, got {track!r}")
    if any(h <= 0 for h in hours):
        raise ValueError("every delay must be a positive number of hours")
    waits = comments.loc[comments["track"] == track, "hours_to_first_reply"].fillna(np.inf)
    values = [float((waits <= h).mean()) for h in hours]
    return pd.Series(values, index=pd.Index(list(hours), name="hours"), name="answered_within")


def diagnosis_figure(case: Mapping[str, pd.DataFrame], track: str) -> plt.Figure:
    """The track's chart: monthly shares of staff (internal), or the reply curve (external).

    Args:
        case: :func:`course.capstone.load_case`.
        track: ``"internal"`` or ``"external"``.

    Returns:
        The matplotlib figure (the caller closes it).
    """
    if track == "internal":
        table = monthly_shares(case["people"], case["activity"])
        figure, axes = plots.new_figure(
            "Staff network, 2025: who takes part, of all staff",
            "month (export date)",
            "share (%)",
        )
        x = table.index.strftime("%b")
        axes.plot(x, 100 * table["active_of_licensed"], marker="s", label="active, of licensed")
        axes.plot(x, 100 * table["active_of_staff"], marker="o", label="active, of all staff")
        axes.plot(
            x, 100 * table["interactive_of_staff"], marker="^", label="interactive, of all staff"
        )
        axes.set_ylim(0, 100)
        axes.legend(fontsize="small")
        return figure
    delays = np.array([1, 2, 4, 8, 12, 24, 48, 72, 168], dtype=float)
    figure, axes = plots.new_figure(
        "Customer community: comments answered within a delay",
        "hours after the comment (log scale)",
        "share of all comments answered (%)",
    )
    for name, colour in (("external", plots.PALETTE[1]), ("internal", plots.PALETTE[0])):
        curve = reply_curve(case["comments"], name, delays)
        axes.plot(delays, 100 * curve, marker="o", color=colour, label=f"{name} comments")
    axes.axvline(24, color=plots.PALETTE[7], linestyle="--", linewidth=1)
    axes.set_xscale("log")
    axes.set_xticks(delays, [f"{d:g}" for d in delays])
    axes.set_ylim(0, 100)
    axes.legend(fontsize="small")
    return figure


def diagnosis_html(table: pd.DataFrame, track: str) -> str:
    """The dashboard's text: one sentence and the figures with their denominators (HTML)."""
    header = "".join(
        f"<th scope='col'>{h}</th>" for h in ("figure", "value", "out of", "reference point")
    )
    rows = "".join(
        f"<tr><td>{html.escape(r.figure)}</td><td>{html.escape(r.shown)}</td>"
        f"<td>{html.escape(r.denominator)}</td><td>{html.escape(r.reference)}</td></tr>"
        for r in table.itertuples()
    )
    return (
        f"<p>Diagnosis of the <strong>{html.escape(track)}</strong> track, every figure computed "
        "with the course's functions on the case's data (synthetic, invented organisation).</p>"
        f"<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"
    )


def diagnosis_dashboard(case: Mapping[str, pd.DataFrame]) -> w.VBox:
    """Switch between the two tracks of the case and read their key figures.

    Args:
        case: :func:`course.capstone.load_case`.

    Returns:
        A ``VBox``; ``controls["track"]`` is the toggle, ``table`` the figures shown.
    """
    toggle = w.ToggleButtons(options=list(capstone.TRACKS), value="internal", description="Track")
    chart = w.Image(format="png", layout=w.Layout(max_width="720px"))
    text = w.HTML()
    box = w.VBox([toggle, chart, text])

    def update(_change: object = None) -> None:
        table = diagnosis_table(case, toggle.value)
        box.table = table
        text.value = diagnosis_html(table, toggle.value)
        chart.value = plots.to_png(diagnosis_figure(case, toggle.value))

    toggle.observe(update, names="value")
    box.controls = {"track": toggle}
    update()
    return box


# --------------------------------------------------------------------------- 90-day plan builder


@dataclass(frozen=True)
class Action:
    """One action a plan can schedule in a month (figures are the course's estimates)."""

    label: str
    kind: str  # governance, champions, format, ritual, moderation, measurement, access
    level: int | None  # engagement level asked of members (formats only)
    cm_hours_per_week: float
    cost_eur: int
    tracks: tuple[str, ...] = ("internal", "external")


#: What a 90-day plan can be made of. Hours and costs are the course's estimates, not benchmarks.
ACTIONS: dict[str, Action] = {
    "charter": Action("Write the charter and moderation rules with members", "governance", None, 4, 0),
    "champions": Action("Recruit ten champions across sites or among superusers", "champions", None, 3, 500),
    "champion_club": Action("Monthly champions' meeting with visible recognition", "ritual", None, 2, 300),
    "question_of_week": Action("Question of the week (poll with a 'why?')", "format", 1, 1, 0),
    "digest": Action("Weekly digest of the best answers", "format", 1, 2, 0),
    "welcome_path": Action("Welcome path for newcomers", "format", 1, 2, 0),
    "live_qa": Action("Monthly live Q&A with an expert", "format", 2, 3, 200),
    "show_and_tell": Action("Show-and-tell: members present a fix or a ride", "format", 2, 2, 100),
    "workshop": Action("Co-creation workshop: write a guide together", "format", 3, 5, 800),
    "site_visit": Action("Cross-site visit of the plant", "format", 3, 4, 1500, ("internal",)),
    "ride_out": Action("Ride-out organised with ambassadors", "format", 3, 4, 2000, ("external",)),
    "contest": Action("Photo contest with prizes (legal review)", "format", 3, 4, 3000, ("external",)),
    "reply_rota": Action("Reply rota: every question answered within 24 h", "moderation", None, 5, 0),
    "moderation_audit": Action("Double-rate 100 comments, compute κ, fix the rules", "moderation", None, 2, 0),
    "kiosks": Action("Shop-floor kiosks and QR codes for frontline staff", "access", None, 2, 4000, ("internal",)),
    "scorecard": Action("Monthly scorecard and value story to the sponsor", "measurement", None, 2, 0),
    "pulse_survey": Action("Pulse survey (recommendation, barriers)", "measurement", None, 2, 1000),
}  # fmt: skip
HOURS_PER_FTE_WEEK = 35.0  # French legal working week
QUARTER_BUDGET_SHARE = 0.40  # the course's rule: launching may use up to 40% of the year's budget


def plan_check(
    plan: Mapping[int, Sequence[str]], track: str, cm_fte: float, budget_eur: float
) -> dict:
    """Check a 90-day plan: CM load per month, cost, and what a demanding trainer would miss.

    Args:
        plan: month (1, 2, 3) → action keys of :data:`ACTIONS` run that month (an action run in
            two months counts in both).
        track: ``"internal"`` or ``"external"``.
        cm_fte: the community manager's time from the brief (full-time equivalents, > 0).
        budget_eur: the track's annual budget from the brief (≥ 0).

    Returns:
        ``{"months": DataFrame, "cost": …, "quarter_budget": …, "levels": [...],
        "warnings": [...]}``: per month, the actions, the CM hours a week they need and the
        hours available; the cost over the quarter and the share of the budget it may use; the
        engagement levels the formats cover; one sentence per problem found (empty: none).

    Raises:
        ValueError: a month other than 1-3, an unknown action, an action of the other track,
            or a non-positive ``cm_fte`` or negative budget.
    """
    if track not in capstone.TRACKS:
        raise ValueError(f"track must be one of {', '.join(capstone.TRACKS)}, got {track!r}")
    if not cm_fte > 0:
        raise ValueError(f"cm_fte must be positive, got {cm_fte!r}")
    if budget_eur < 0:
        raise ValueError(f"budget_eur cannot be negative, got {budget_eur!r}")
    for month, keys in plan.items():
        if month not in (1, 2, 3):
            raise ValueError(f"months are 1, 2 and 3 (the first 90 days), got {month!r}")
        for key in keys:
            if key not in ACTIONS:
                raise ValueError(f"unknown action {key!r}; known: {', '.join(ACTIONS)}")
            if track not in ACTIONS[key].tracks:
                raise ValueError(f"{key!r} is for the {ACTIONS[key].tracks[0]} track only")
    available = cm_fte * HOURS_PER_FTE_WEEK
    rows, warnings = [], []
    for month in (1, 2, 3):
        keys = list(dict.fromkeys(plan.get(month, ())))
        hours = sum(ACTIONS[k].cm_hours_per_week for k in keys)
        rows.append(
            {
                "month": month,
                "actions": len(keys),
                "cm_hours_per_week": float(hours),
                "available_hours": available,
                "cost_eur": float(sum(ACTIONS[k].cost_eur for k in keys)),
            }
        )
        if hours > available:
            warnings.append(
                f"Month {month} asks {hours:g} h a week of the community manager, who has "
                f"{available:g}: drop or delegate something."
            )
        if not any(ACTIONS[k].kind in ("format", "ritual") for k in keys):
            warnings.append(f"Month {month} has no format or ritual: a community needs a rhythm.")
    months = pd.DataFrame(rows).set_index("month")
    chosen = {k for keys in plan.values() for k in keys}
    first = set(plan.get(1, ()))
    cost = float(months["cost_eur"].sum())
    quarter_budget = QUARTER_BUDGET_SHARE * budget_eur
    if cost > quarter_budget:
        warnings.append(
            f"The quarter costs {cost:,.0f} EUR, more than {100 * QUARTER_BUDGET_SHARE:.0f}% of "
            f"the year's budget ({quarter_budget:,.0f} EUR)."
        )
    if "champions" not in first:
        warnings.append(
            "No champions recruited in month 1: the job is making others active (Yammer's advice, "
            "relayed in the French sources), and champions come from early adopters."
        )
    if "charter" not in first:
        warnings.append(
            "No charter in month 1: clearly stated rules are a key success factor (ANVIE working "
            "group), and the moderation rules must exist before the first hard case."
        )
    levels = sorted({ACTIONS[k].level for k in chosen if ACTIONS[k].level is not None})
    missing = [level for level in (1, 2, 3) if level not in levels]
    if missing:
        warnings.append(
            "No format at level "
            + " or ".join(map(str, missing))
            + " (the course's react / contribute / co-create model): members cannot move up."
        )
    if not any(ACTIONS[k].kind == "measurement" for k in chosen):
        warnings.append("Nothing measures the plan: the sponsor will get no value story.")
    if track == "external" and "reply_rota" not in chosen:
        warnings.append("No reply rota: the diagnosis shows questions waiting days for an answer.")
    return {
        "months": months,
        "cost": cost,
        "quarter_budget": quarter_budget,
        "levels": levels,
        "warnings": warnings,
    }


def plan_html(result: dict, plan: Mapping[int, Sequence[str]]) -> str:
    """The plan builder's text: the months, the totals and the warnings (HTML)."""
    rows = "".join(
        f"<tr><td>{month}</td><td>"
        + html.escape("; ".join(ACTIONS[k].label for k in plan.get(month, ())) or "—")
        + f"</td><td>{r.cm_hours_per_week:g} / {r.available_hours:g}</td>"
        f"<td>{r.cost_eur:,.0f}</td></tr>"
        for month, r in result["months"].iterrows()
    )
    warnings = "".join(f"<li>{html.escape(text)}</li>" for text in result["warnings"])
    verdict = (
        f"<p><strong>{len(result['warnings'])} point(s) to fix:</strong></p><ul>{warnings}</ul>"
        if result["warnings"]
        else "<p><strong>No warning.</strong> Now write why each action serves the goal.</p>"
    )
    return (
        "<table><thead><tr><th scope='col'>month</th><th scope='col'>actions</th>"
        "<th scope='col'>CM hours a week (needed / available)</th><th scope='col'>cost (EUR)</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
        f"<p>Quarter: {result['cost']:,.0f} EUR of the {result['quarter_budget']:,.0f} EUR it "
        f"may use; engagement levels covered: {', '.join(map(str, result['levels'])) or 'none'}."
        f"</p>{verdict}"
    )


def plan_builder(brief_frame: pd.DataFrame) -> w.VBox:
    """Pick the actions of each of the first three months and see the load, cost and gaps.

    Args:
        brief_frame: the ``capstone_brief`` dataset (for the CM time and the budget).

    Returns:
        A ``VBox``; ``controls`` maps ``"track"`` and ``"month_1"`` … ``"month_3"`` to widgets,
        ``result`` holds the last :func:`plan_check`.
    """
    track = w.ToggleButtons(options=list(capstone.TRACKS), value="internal", description="Track")
    months = {
        f"month_{m}": w.SelectMultiple(
            description=f"Month {m}",
            rows=8,
            layout=w.Layout(width="32%"),
            style={"description_width": "initial"},
        )
        for m in (1, 2, 3)
    }
    text = w.HTML()
    box = w.VBox([track, w.HBox(list(months.values())), text])

    refreshing = {"now": False}

    def refresh_options(_change: object = None) -> None:
        # Options change one list at a time: hold the checks until all three are consistent.
        refreshing["now"] = True
        options = [(a.label, k) for k, a in ACTIONS.items() if track.value in a.tracks]
        for control in months.values():
            kept = tuple(v for v in control.value if track.value in ACTIONS[v].tracks)
            control.options = options
            control.value = kept
        refreshing["now"] = False
        update()

    def update(_change: object = None) -> None:
        if refreshing["now"]:
            return
        fields = capstone.brief(brief_frame, track.value)
        plan = {m: list(months[f"month_{m}"].value) for m in (1, 2, 3)}
        result = plan_check(plan, track.value, float(fields["cm_fte"]), float(fields["budget_eur"]))
        box.result = result
        text.value = plan_html(result, plan)

    track.observe(refresh_options, names="value")
    for control in months.values():
        control.observe(update, names="value")
    box.controls = {"track": track, **months}
    refresh_options()
    return box
