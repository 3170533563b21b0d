"""Widgets of M6 · Measuring value and maturity: a scorecard builder and a fair-comparison explorer.

Each widget is built by a function returning an ``ipywidgets.VBox`` whose ``controls`` attribute
maps names to its controls; the computation behind it is a pure function next to it
(:func:`scorecard_view`, :func:`fair_comparison`) so that the tests can check it without a
browser. Charts are rendered to PNG into an ``ipywidgets.Image``, and what they show is also
given as text (an HTML table or sentence) for screen readers.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from course import measurement, plots
from course.assess import maturity

_STYLE = {"description_width": "initial"}

#: Indicators the scorecard builder offers → (label, numerator, denominator); ``None`` for a
#: measured value that is not a ratio of two counts.
INDICATORS: dict[str, tuple[str, str | None, str | None]] = {
    "active_rate": ("active rate", "active_members", "members"),
    "interactive_rate": ("interactive rate", "interactive_members", "members"),
    "interactive_share": ("interactive share", "interactive_members", "active_members"),
    "posts_per_interactive": ("posts per interactive member", "posts", "interactive_members"),
    "reply_rate": ("reply rate (questions answered)", None, None),
    "median_hours_to_first_reply": ("median hours to first reply", None, None),
    "satisfaction": ("satisfaction pulse (1–5, quarterly)", None, None),
    "members": ("members (a count, not a ratio)", None, None),
}

#: Restrictions the fair-comparison explorer offers → label.
RESTRICTIONS: dict[str, str] = {
    "all": "all communities",
    "internal": "internal communities only",
    "external": "external communities only",
    "similar_size": "internal, 300 to 2,500 members (similar size)",
}

GROUPINGS: dict[str, str] = {
    "has_dedicated_cm": "dedicated CM (with vs without)",
    "kind": "kind (external vs internal)",
}


# --------------------------------------------------------------------------- static charts


def rates_figure(card: pd.DataFrame) -> plt.Figure:
    """Network-wide active rate, interactive rate and interactive share per month.

    Args:
        card: a :func:`course.measurement.scorecard` table.

    Returns:
        The matplotlib figure (the caller closes it).
    """
    totals = card.groupby("month")[["members", "active_members", "interactive_members"]].sum()
    figure, axes = plots.new_figure(
        "All communities: three ratios, three denominators",
        "month",
        "share (0–1)",
        size=(7.5, 3.8),
    )
    axes.plot(totals.index, totals["active_members"] / totals["members"], label="active / members")
    axes.plot(
        totals.index,
        totals["interactive_members"] / totals["members"],
        label="interactive / members",
    )
    axes.plot(
        totals.index,
        totals["interactive_members"] / totals["active_members"],
        ls="--",
        label="interactive / active",
    )
    axes.set_ylim(0, None)
    axes.legend(fontsize="small", loc="upper left")
    return figure


def progress_figure(progress: pd.DataFrame, dimension: str = "overall_stage") -> plt.Figure:
    """A department × campaign heatmap of one maturity stage; hidden groups are marked, not coloured.

    Args:
        progress: a :func:`course.measurement.maturity_progress` table (rows hidden by the
            small-group rule have missing values).
        dimension: ``"overall_stage"`` or one of the eight dimensions.

    Returns:
        The matplotlib figure (the caller closes it). The colour scale is cividis (readable with
        the common colour-vision deficiencies), and every cell also prints its stage.
    """
    grid = progress.pivot(index="department", columns="year", values=dimension)
    values = grid.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    figure, axes = plots.new_figure(
        f"Maturity by department and campaign: {dimension.replace('_', ' ')}",
        "campaign year",
        "department",
        size=(7.0, 0.32 * len(grid) + 1.6),
    )
    image = axes.imshow(values, cmap="cividis", vmin=1, vmax=4, aspect="auto")
    for (row, column), value in np.ndenumerate(values):
        text = "hidden" if np.isnan(value) else f"{value:.0f}"
        colour = "black" if np.isnan(value) or value >= 3 else "white"
        axes.text(column, row, text, ha="center", va="center", fontsize="small", color=colour)
    axes.set_xticks(range(grid.shape[1]), [str(c) for c in grid.columns])
    axes.set_yticks(range(grid.shape[0]), list(grid.index))
    figure.colorbar(
        image, ax=axes, ticks=list(maturity.STAGES), label="stage (1 ad hoc … 4 networked)"
    )
    return figure


# --------------------------------------------------------------------------- scorecard builder


def scorecard_view(
    kpis: pd.DataFrame, communities: Sequence[str], indicators: Sequence[str], months: int = 12
) -> pd.DataFrame:
    """What the scorecard builder shows: per community and indicator, the latest value with its
    denominator, the mean over the window and the trend.

    Args:
        kpis: the ``community_kpis`` table (or its :func:`course.measurement.scorecard`).
        communities: community ids to show (at least one).
        indicators: keys of :data:`INDICATORS` (at least one).
        months: window of the mean and the trend, in months (≥ 2).

    Returns:
        One row per community and indicator (in the order given) with ``community_id``,
        ``community``, ``indicator``, ``latest_month`` (the last month with a value),
        ``latest``, ``numerator`` and ``denominator`` (counts behind ``latest``; NaN for an
        indicator that is not a ratio), ``denominator_name``, ``window_mean``, ``slope`` (per
        month, from :func:`course.measurement.trend`) and ``relative_change``.

    Raises:
        ValueError: no community or indicator chosen, an unknown community or indicator, or a
            bad window (see :func:`course.measurement.trend`).
    """
    if not communities:
        raise ValueError("choose at least one community")
    if not indicators:
        raise ValueError("choose at least one indicator")
    unknown = [i for i in indicators if i not in INDICATORS]
    if unknown:
        raise ValueError(
            f"unknown indicator(s) {', '.join(unknown)}; known: {', '.join(INDICATORS)}"
        )
    card = measurement.scorecard(kpis)
    missing = sorted(set(communities) - set(card["community_id"]))
    if missing:
        raise ValueError(f"unknown community id(s): {', '.join(missing)}")
    card = card[card["community_id"].isin(communities)]
    last = card["month"].max()
    window = card[card["month"] > last - pd.DateOffset(months=months)]
    rows = []
    for indicator in indicators:
        trends = measurement.trend(card, indicator, months=months)
        _, numerator, denominator = INDICATORS[indicator]
        for community in communities:
            own = card[(card["community_id"] == community) & card[indicator].notna()]
            latest = own.iloc[-1] if len(own) else None
            rows.append(
                {
                    "community_id": community,
                    "community": card.loc[card["community_id"] == community, "community"].iloc[0]
                    if "community" in card.columns
                    else community,
                    "indicator": indicator,
                    "latest_month": latest["month"] if latest is not None else pd.NaT,
                    "latest": float(latest[indicator]) if latest is not None else np.nan,
                    "numerator": float(latest[numerator])
                    if latest is not None and numerator
                    else np.nan,
                    "denominator": float(latest[denominator])
                    if latest is not None and denominator
                    else np.nan,
                    "denominator_name": denominator or "",
                    "window_mean": float(
                        window.loc[window["community_id"] == community, indicator].mean()
                    ),
                    "slope": float(trends.loc[community, "slope"]),
                    "relative_change": float(trends.loc[community, "relative_change"]),
                }
            )
    return pd.DataFrame(rows)


def _number(value: float, indicator: str) -> str:
    if pd.isna(value):
        return "—"
    if indicator in ("active_rate", "interactive_rate", "interactive_share", "reply_rate"):
        return f"{value:.1%}"
    if indicator == "members":
        return f"{value:,.0f}"
    return f"{value:.2f}"


def scorecard_html(view: pd.DataFrame) -> str:
    """The scorecard as an accessible HTML table: every ratio with its numerator and denominator.

    Args:
        view: a :func:`scorecard_view` table.

    Returns:
        An HTML ``<table>`` with a caption and header cells.
    """
    head = (
        "<tr><th scope='col'>community</th><th scope='col'>indicator</th>"
        "<th scope='col'>latest</th><th scope='col'>= numerator / denominator</th>"
        "<th scope='col'>window mean</th><th scope='col'>trend per month</th>"
        "<th scope='col'>change over window</th></tr>"
    )
    body = []
    for row in view.itertuples(index=False):
        label = INDICATORS[row.indicator][0]
        if row.denominator_name:
            ratio = (
                f"{row.numerator:,.0f} / {row.denominator:,.0f} "
                f"{html.escape(row.denominator_name.replace('_', ' '))}"
                if not pd.isna(row.denominator)
                else "—"
            )
        else:
            ratio = "(measured, not a ratio of counts)"
        when = "" if pd.isna(row.latest_month) else f" ({row.latest_month:%b %Y})"
        change = "—" if pd.isna(row.relative_change) else f"{row.relative_change:+.1%}"
        slope = "—" if pd.isna(row.slope) else f"{row.slope:+.4g}"
        body.append(
            f"<tr><td>{html.escape(str(row.community))} ({html.escape(row.community_id)})</td>"
            f"<td>{html.escape(label)}</td><td>{_number(row.latest, row.indicator)}{when}</td>"
            f"<td>{ratio}</td><td>{_number(row.window_mean, row.indicator)}</td>"
            f"<td>{slope}</td><td>{change}</td></tr>"
        )
    return (
        "<table class='cm-results'><caption>Scorecard: each ratio beside its denominator; trend "
        "= least-squares slope over the window</caption>"
        f"<thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"
    )


def small_multiples_figure(
    kpis: pd.DataFrame, communities: Sequence[str], indicators: Sequence[str], months: int = 12
) -> plt.Figure:
    """One panel per indicator, one line per community, over the last ``months`` months.

    Args:
        kpis: the ``community_kpis`` table.
        communities: community ids (colours follow their order).
        indicators: keys of :data:`INDICATORS`.
        months: months shown.

    Returns:
        The matplotlib figure (the caller closes it).
    """
    card = measurement.scorecard(kpis)
    card = card[card["community_id"].isin(communities)]
    last = card["month"].max()
    card = card[card["month"] > last - pd.DateOffset(months=months)]
    count = len(indicators)
    figure, grid = plt.subplots(
        1, count, figsize=(3.4 * count + 0.6, 3.4), layout="constrained", squeeze=False
    )
    figure.suptitle(f"Scorecard, last {months} months: one panel per indicator")
    for axes, indicator in zip(grid[0], indicators, strict=True):
        label, _, denominator = INDICATORS[indicator]
        axes.set_title(label, fontsize="medium")
        axes.set_xlabel("month")
        axes.set_ylabel(f"{label} (÷ {denominator.replace('_', ' ')})" if denominator else label)
        axes.spines[["top", "right"]].set_visible(False)
        for colour, community in zip(plots.colours(len(communities)), communities, strict=True):
            rows = card[(card["community_id"] == community) & card[indicator].notna()]
            axes.plot(
                rows["month"], rows[indicator], marker="o", ms=2, color=colour, label=community
            )
        axes.tick_params(axis="x", labelrotation=45, labelsize="small")
    grid[0][0].legend(fontsize="small")
    return figure


def scorecard_builder(kpis: pd.DataFrame) -> w.VBox:
    """Choose communities, indicators and a window: a table with denominators and small multiples.

    Args:
        kpis: the ``community_kpis`` table.

    Returns:
        A ``VBox``; ``controls`` maps ``"communities"``, ``"indicators"`` and ``"months"`` to the
        widgets; ``view`` holds the current :func:`scorecard_view` table (None while a choice
        is empty) and ``message`` what the text says.
    """
    names = kpis.drop_duplicates("community_id").set_index("community_id")["community"]
    options = [(f"{cid} · {name}", cid) for cid, name in names.sort_index().items()]
    controls = {
        "communities": w.SelectMultiple(
            options=options, value=("K01", "K10", "K17"), rows=8, description="Communities",
            style=_STYLE,
        ),
        "indicators": w.SelectMultiple(
            options=[(label, key) for key, (label, _, _) in INDICATORS.items()],
            value=("active_rate", "interactive_share"), rows=8, description="Indicators",
            style=_STYLE,
        ),
        "months": w.IntSlider(value=12, min=3, max=24, description="Window (months)", style=_STYLE),
    }  # fmt: skip
    chart = w.Image(format="png", layout=w.Layout(max_width="900px"))
    table = w.HTML()
    box = w.VBox(
        [
            w.HBox([controls["communities"], controls["indicators"]]),
            controls["months"],
            chart,
            table,
        ]
    )

    def update(_change: object = None) -> None:
        communities = list(controls["communities"].value)
        indicators = list(controls["indicators"].value)
        months = controls["months"].value
        try:
            view = scorecard_view(kpis, communities, indicators, months)
        except ValueError as error:
            box.view, box.message = None, str(error)
            table.value = f"<p role='status'>{html.escape(str(error))}</p>"
            chart.value = b""
            return
        box.view = view
        box.message = ""
        chart.value = plots.to_png(small_multiples_figure(kpis, communities, indicators, months))
        table.value = scorecard_html(view)

    for control in controls.values():
        control.observe(update, names="value")
    box.controls = controls
    update()
    return box


# --------------------------------------------------------------------------- fair comparison


def per_community(
    kpis: pd.DataFrame, metric: str, year: int = 2025, restrict: str = "all"
) -> pd.DataFrame:
    """One row per community: the mean of a metric over the months of ``year``.

    Args:
        kpis: the ``community_kpis`` table.
        metric: a column of the scorecard (ratio or measured indicator).
        year: the calendar year averaged.
        restrict: a key of :data:`RESTRICTIONS`.

    Returns:
        A DataFrame with ``community_id``, ``kind``, ``has_dedicated_cm``, ``members`` (mean
        over the year) and the metric (mean of its monthly values, missing months left out).

    Raises:
        ValueError: an unknown restriction or metric, or no months in ``year``.
    """
    if restrict not in RESTRICTIONS:
        raise ValueError(f"unknown restriction {restrict!r}; known: {', '.join(RESTRICTIONS)}")
    card = measurement.scorecard(kpis)
    if metric not in card.columns:
        raise ValueError(f"unknown metric {metric!r}")
    rows = card[card["month"].dt.year == year]
    if rows.empty:
        raise ValueError(f"no months in {year}")
    keys = ["community_id", "kind", "has_dedicated_cm"]
    columns = list(dict.fromkeys(["members", metric]))
    means = rows.groupby(keys, as_index=False)[columns].mean()
    if restrict in ("internal", "external"):
        means = means[means["kind"] == restrict]
    elif restrict == "similar_size":
        means = means[(means["kind"] == "internal") & means["members"].between(300, 2500)]
    return means.reset_index(drop=True)


def fair_comparison(
    kpis: pd.DataFrame,
    metric: str,
    by: str,
    restrict: str = "all",
    unit: str = "community",
    year: int = 2025,
    confidence: float = 0.95,
) -> dict:
    """The explorer's computation: a difference between two groups of communities, with its interval.

    Args:
        kpis: the ``community_kpis`` table.
        metric: a scorecard column (e.g. ``"interactive_share"``).
        by: a key of :data:`GROUPINGS`.
        restrict: a key of :data:`RESTRICTIONS`.
        unit: ``"community"`` (one row per community, its mean over ``year``: the honest unit)
            or ``"month"`` (one row per community and month: counts each community twelve
            times, shown to see why the interval then shrinks).
        year: the calendar year compared.
        confidence: level of the interval.

    Returns:
        The dict of :func:`course.measurement.compare_groups`, plus ``rows`` (the table
        compared), ``restrict``, ``unit`` and ``error`` (``None``, or the reason the comparison
        cannot be made, e.g. a single group left after the restriction; the numbers are then
        NaN).

    Raises:
        ValueError: an unknown grouping, restriction, unit or metric.
    """
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}; known: {', '.join(GROUPINGS)}")
    if unit not in ("community", "month"):
        raise ValueError(f"unit must be 'community' or 'month', got {unit!r}")
    communities = per_community(kpis, metric, year, restrict)
    if unit == "community":
        rows = communities
    else:
        card = measurement.scorecard(kpis)
        rows = card[
            (card["month"].dt.year == year) & card["community_id"].isin(communities["community_id"])
        ]
    base = {"rows": rows, "restrict": restrict, "unit": unit, "metric": metric, "by": by}
    try:
        result = measurement.compare_groups(rows, metric, by, confidence=confidence)
    except ValueError as error:
        nan = float("nan")
        return base | {
            "difference": nan, "low": nan, "high": nan, "p_value": nan, "df": nan,
            "groups": (), "means": (), "n": (), "confidence": confidence, "error": str(error),
        }  # fmt: skip
    return base | result | {"error": None}


def comparison_html(result: dict) -> str:
    """The explorer's sentence: the difference with its interval, and what it does not prove."""
    label = INDICATORS.get(result["metric"], (result["metric"],))[0]
    scope = RESTRICTIONS[result["restrict"]]
    if result["error"]:
        return (
            f"<p role='status'>No comparison for {html.escape(scope)}: "
            f"{html.escape(result['error'])}</p>"
        )
    first, second = (html.escape(str(g)) for g in result["groups"])
    by = html.escape(result["by"])
    unit = (
        "one value per community (its mean over the year)"
        if result["unit"] == "community"
        else "<strong>one value per community and month</strong>: each community counted 12 "
        "times as if independent, so the interval is too narrow"
    )
    return (
        f"<p>{html.escape(scope).capitalize()}, {unit}. Mean {html.escape(label)}: "
        f"{result['means'][0]:.3g} where {by} = {first} (n = {result['n'][0]}), "
        f"{result['means'][1]:.3g} where {by} = {second} (n = {result['n'][1]}). "
        f"Difference ({first} − {second}): <strong>{result['difference']:+.3g}</strong>, "
        f"{result['confidence']:.0%} Welch interval [{result['low']:+.3g}, {result['high']:+.3g}], "
        f"p = {result['p_value']:.2g}.</p>"
        "<p>An observational comparison: the groups may differ in size, age, topic or sponsor as "
        "well. A difference here is an association, not the effect of the grouping.</p>"
    )


def comparison_figure(result: dict) -> plt.Figure:
    """Each unit as a dot, per group, with each group's mean and the difference's interval."""
    label = INDICATORS.get(result["metric"], (result["metric"],))[0]
    figure, axes = plots.new_figure(
        f"{label}: {GROUPINGS[result['by']]}, {RESTRICTIONS[result['restrict']]}",
        result["by"].replace("_", " "),
        label,
        size=(7.0, 3.8),
    )
    rows = result["rows"]
    if result["error"] or rows.empty:
        axes.text(0.5, 0.5, "no comparison possible", ha="center", transform=axes.transAxes)
        return figure
    rng = np.random.default_rng(0)  # fixed jitter: the chart does not move between redraws
    for position, (group, colour) in enumerate(zip(result["groups"], plots.PALETTE, strict=False)):
        values = rows.loc[rows[result["by"]] == group, result["metric"]].dropna()
        axes.scatter(
            position + rng.uniform(-0.12, 0.12, len(values)), values, s=14, alpha=0.7,
            color=colour, label=f"{group} (n = {len(values)})",
        )  # fmt: skip
        axes.hlines(result["means"][position], position - 0.25, position + 0.25, color="black")
    # the interval of the difference, drawn from the second group's mean
    anchor = result["means"][1]
    axes.errorbar(
        [0.5], [anchor + result["difference"]],
        yerr=[[result["difference"] - result["low"]], [result["high"] - result["difference"]]],
        fmt="D", color=plots.PALETTE[5], capsize=4,
        label=f"{result['groups'][0]} mean, with the interval of the difference",
    )  # fmt: skip
    axes.set_xticks([0, 1], [str(g) for g in result["groups"]])
    axes.legend(fontsize="small")
    return figure


def fair_comparison_explorer(kpis: pd.DataFrame, year: int = 2025) -> w.VBox:
    """Choose a metric, a grouping, a restriction and the unit: the difference and its interval.

    Args:
        kpis: the ``community_kpis`` table.
        year: the calendar year compared.

    Returns:
        A ``VBox``; ``controls`` maps ``"metric"``, ``"by"``, ``"restrict"`` and ``"unit"`` to
        the widgets; ``result`` holds the current :func:`fair_comparison` dict.
    """
    metrics = [k for k in INDICATORS if k != "members"]
    controls = {
        "metric": w.Dropdown(
            options=[(INDICATORS[k][0], k) for k in metrics], value="interactive_share",
            description="Metric", style=_STYLE,
        ),
        "by": w.Dropdown(
            options=[(label, key) for key, label in GROUPINGS.items()],
            value="has_dedicated_cm", description="Compare by", style=_STYLE,
        ),
        "restrict": w.Dropdown(
            options=[(label, key) for key, label in RESTRICTIONS.items()], value="all",
            description="Communities", style=_STYLE,
        ),
        "unit": w.ToggleButtons(
            options=[("one row per community", "community"), ("one row per month", "month")],
            value="community", description="Unit", style=_STYLE,
        ),
    }  # fmt: skip
    chart = w.Image(format="png", layout=w.Layout(max_width="720px"))
    text = w.HTML()
    box = w.VBox(
        [
            w.HBox([controls["metric"], controls["by"]]),
            w.HBox([controls["restrict"], controls["unit"]]),
            chart,
            text,
        ]
    )

    def update(_change: object = None) -> None:
        result = fair_comparison(
            kpis,
            controls["metric"].value,
            controls["by"].value,
            controls["restrict"].value,
            controls["unit"].value,
            year,
        )
        box.result = result
        chart.value = plots.to_png(comparison_figure(result))
        text.value = comparison_html(result)

    for control in controls.values():
        control.observe(update, names="value")
    box.controls = controls
    update()
    return box
