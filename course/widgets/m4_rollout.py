"""Widgets of M4 · RSE rollout: a Bass explorer and a rollout planner.

Each widget is built by a function returning an ``ipywidgets.VBox`` whose ``controls`` attribute
maps names to its controls; the computation behind it is a pure function next to it
(:func:`explorer_curve`, :func:`planner_forecast`, :func:`planner_summary`) so that the tests can
check it without a browser. Charts are rendered to PNG into an ``ipywidgets.Image`` and every
chart is also given as text (an HTML sentence and table) for screen readers.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from course import adoption, plots

_STYLE = {"description_width": "initial"}
# Sliders with long descriptions get a short track unless the whole widget is given room.
_SLIDER = {"width": "560px"}


_png = plots.to_png


# --------------------------------------------------------------------------- static charts


def usage_figure(summary: pd.DataFrame, headcount: int) -> plt.Figure:
    """Active and interactive users per month, against the headcount.

    Args:
        summary: a :func:`course.adoption.usage_summary` table.
        headcount: all employees, drawn as a line for scale.

    Returns:
        The matplotlib figure (the caller closes it).
    """
    figure, axes = plots.new_figure(
        "Monthly (D30) users of the RSE: active counts a read, interactive does not",
        "report refresh date (end of month)",
        "users",
        size=(7.5, 4.0),
    )
    dates = summary.index
    axes.plot(dates, summary["active"], marker="o", ms=3, label="active (posted, read or liked)")
    axes.plot(
        dates, summary["interactive"], marker="o", ms=3, label="interactive (posted or liked)"
    )
    axes.axhline(
        headcount, color=plots.PALETTE[7], lw=1, ls=":", label=f"headcount ({headcount:,})"
    )
    axes.fill_between(dates, summary["interactive"], summary["active"], alpha=0.15, color="grey")
    axes.set_ylim(0, headcount * 1.05)
    axes.legend(fontsize="small", loc="upper left")
    return figure


def shapes_figure(
    pairs: list[tuple[float, float]], m: float = 1000, months: int = 36
) -> plt.Figure:
    """New adopters per month of Bass curves with the same m and different p and q.

    Args:
        pairs: ``(p, q)`` monthly coefficients, one curve each.
        m: eventual adopters, shared by all curves.
        months: months drawn.

    Returns:
        The matplotlib figure (the caller closes it).
    """
    figure, axes = plots.new_figure(
        f"Same m = {m:,.0f}, different p and q: who adopts when",
        "months since launch",
        "new adopters in the month",
        size=(7.5, 3.8),
    )
    month = np.arange(1, months + 1)
    for colour, (p, q) in zip(plots.colours(len(pairs)), pairs, strict=True):
        label = f"p = {p:g}, q = {q:g} (peak at {adoption.peak_time(p, q):.1f})"
        axes.plot(month, adoption.bass_adopters(month, p, q, m), color=colour, label=label)
    axes.legend(fontsize="small")
    return figure


def curves_figure(curves: pd.DataFrame, fits: Mapping, by: str = "rollout_wave") -> plt.Figure:
    """New adopters per month since launch for each group, with each group's fitted Bass curve.

    Args:
        curves: a :func:`course.adoption.adoption_curves` table.
        fits: group -> :class:`course.adoption.BassFit`.
        by: the grouping column of ``curves``.

    Returns:
        The matplotlib figure (the caller closes it).
    """
    figure, axes = plots.new_figure(
        "New adopters per month since launch: data (dots), Bass fit (lines)",
        "months since the wave's launch",
        "new adopters in the month",
        size=(7.5, 4.2),
    )
    for colour, (group, rows) in zip(plots.colours(len(fits)), curves.groupby(by), strict=False):
        fit = fits[group]
        axes.plot(rows["month"], rows["new_adopters"], "o", color=colour, ms=4)
        fine = np.linspace(1, rows["month"].max(), 200)
        axes.plot(
            fine,
            adoption.bass_density(fine - 0.5, fit.p, fit.q, fit.m),
            color=colour,
            label=f"{by.replace('_', ' ')} {group}: p={fit.p:.3f}, q={fit.q:.2f}",
        )
    axes.legend(fontsize="small")
    return figure


def rogers_figure(categories: pd.Series) -> plt.Figure:
    """Observed shares of Rogers' categories beside the shares the definition implies.

    Args:
        categories: a :func:`course.adoption.rogers_categories` Series.

    Returns:
        The matplotlib figure (the caller closes it).
    """
    figure, axes = plots.new_figure(
        "Rogers' categories: shares found vs shares implied by the cut-offs",
        "adopter category",
        "share of adopters (%)",
        size=(7.5, 3.8),
    )
    names = list(adoption.ROGERS_CATEGORIES)
    observed = categories.value_counts(normalize=True).reindex(names, fill_value=0)
    x = np.arange(len(names))
    axes.bar(x - 0.2, 100 * observed.to_numpy(), 0.4, label="our adopters")
    axes.bar(
        x + 0.2,
        [100 * adoption.ROGERS_SHARES[n] for n in names],
        0.4,
        label="normal curve (by definition)",
        color=plots.PALETTE[1],
    )
    axes.set_xticks(x, names)
    axes.legend(fontsize="small")
    return figure


# --------------------------------------------------------------------------- Bass explorer


def explorer_curve(observed: pd.DataFrame, p: float, q: float, m: float) -> pd.DataFrame:
    """One group's observed new adopters beside a Bass curve with the chosen parameters.

    Args:
        observed: rows of one group from :func:`course.adoption.adoption_curves` (columns
            ``month`` and ``new_adopters``).
        p: innovation coefficient per month (> 0).
        q: imitation coefficient per month (≥ 0).
        m: eventual adopters (> 0).

    Returns:
        A DataFrame indexed by ``month`` with ``observed``, ``model`` (new adopters per month),
        ``observed_cumulative`` and ``model_cumulative``. ``attrs`` holds ``r_squared`` of the
        model on the monthly counts, ``peak`` (peak time in months) and ``half_month`` (first
        month by which half of ``m`` has adopted under the model, or None within 120 months).

    Raises:
        ValueError: bad parameters (see :func:`course.adoption.bass_adopters`) or an empty curve.
    """
    if observed.empty:
        raise ValueError("no observed months for this group")
    month = observed["month"].to_numpy()
    model = adoption.bass_adopters(month, p, q, m)
    table = pd.DataFrame(
        {
            "observed": observed["new_adopters"].to_numpy(),
            "model": model,
            "observed_cumulative": observed["new_adopters"].cumsum().to_numpy(),
            "model_cumulative": adoption.bass_cumulative(month, p, q, m),
        },
        index=pd.Index(month, name="month"),
    )
    residual = ((table["observed"] - table["model"]) ** 2).sum()
    spread = ((table["observed"] - table["observed"].mean()) ** 2).sum()
    table.attrs["r_squared"] = float(1 - residual / spread) if spread > 0 else math.nan
    table.attrs["peak"] = adoption.peak_time(p, q)
    horizon = np.arange(1, 121)
    reached = np.flatnonzero(adoption.bass_cumulative(horizon, p, q, 1.0) >= 0.5)
    table.attrs["half_month"] = int(horizon[reached[0]]) if reached.size else None
    return table


def explorer_figure(table: pd.DataFrame, group: str, fitted: pd.Series | None = None) -> plt.Figure:
    """Observed new adopters (bars), the chosen curve and the least-squares fit (dashed)."""
    figure, axes = plots.new_figure(
        f"{group}: new adopters per month since launch",
        "months since launch",
        "new adopters in the month",
        size=(7.0, 3.8),
    )
    axes.bar(table.index, table["observed"], color=plots.PALETTE[4], label="observed")
    axes.plot(table.index, table["model"], color=plots.PALETTE[5], lw=2, label="your curve")
    if fitted is not None:
        axes.plot(fitted.index, fitted, color=plots.PALETTE[7], ls="--", lw=1, label="best fit")
    axes.axvline(table.attrs["peak"] + 0.5, color=plots.PALETTE[5], ls=":", lw=1)
    axes.legend(fontsize="small")
    return figure


def explorer_html(table: pd.DataFrame, group: str, p: float, q: float, m: float, fit) -> str:
    """The explorer's text: the chosen parameters against the fit, and what they imply."""
    half = table.attrs["half_month"]
    half_text = f"month {half}" if half is not None else "not within 10 years"
    r2 = table.attrs["r_squared"]
    fit_text = (
        f"Least-squares fit: p = {fit.p:.4f}, q = {fit.q:.3f}, m = {fit.m:,.0f} "
        f"(R² = {fit.r_squared:.3f})."
        if fit is not None
        else "No fit for this group (the data cannot identify the model)."
    )
    return (
        f"<p><strong>{html.escape(str(group))}</strong>: with p = {p:.4f}, q = {q:.3f} and "
        f"m = {m:,.0f}, adoption peaks about {table.attrs['peak']:.1f} months after launch; half "
        f"of the eventual adopters are on board by {half_text}; R² on the monthly counts = "
        f"{r2:.3f}. Observed so far: {int(table['observed_cumulative'].iloc[-1]):,} adopters "
        f"in {len(table)} months. {fit_text}</p>"
    )


def bass_explorer(curves: pd.DataFrame, by: str = "site") -> w.VBox:
    """Sliders for p, q and m over the observed adoption curve of a chosen group.

    The least-squares fit of each group is computed when the group is first shown, and the
    sliders start from it: move them to feel what p, q and m each do, and see the fit is the
    curve that no slider move can improve.

    Args:
        curves: a :func:`course.adoption.adoption_curves` table.
        by: its grouping column (``"site"`` or ``"rollout_wave"``).

    Returns:
        A ``VBox``; ``controls`` maps ``"group"``, ``"p"``, ``"q"``, ``"m"`` and ``"reset"`` to
        the widgets, ``table`` holds the current :func:`explorer_curve` table and ``fit`` the
        current group's :class:`course.adoption.BassFit` (None when it cannot be fitted).
    """
    groups = [str(g) for g in curves[by].drop_duplicates().sort_values()]
    by_name = {str(g): rows for g, rows in curves.groupby(by)}
    largest = int(curves.groupby(by)["headcount"].first().max())
    controls = {
        "group": w.Dropdown(options=groups, value=groups[0], description="Group", style=_STYLE),
        "p": w.FloatLogSlider(
            value=0.03,
            base=10,
            min=-3,
            max=-0.5,
            step=0.01,
            readout_format=".4f",
            description="p (innovation)",
            style=_STYLE,
            layout=w.Layout(**_SLIDER),
        ),
        "q": w.FloatSlider(
            value=0.4,
            min=0.0,
            max=1.5,
            step=0.01,
            description="q (imitation)",
            style=_STYLE,
            layout=w.Layout(**_SLIDER),
        ),
        "m": w.IntSlider(
            value=largest,
            min=1,
            max=largest,
            step=1,
            description="m (eventual adopters)",
            style=_STYLE,
            layout=w.Layout(**_SLIDER),
        ),
        "reset": w.Button(description="Back to the best fit", tooltip="Set p, q, m to the fit"),
    }
    chart = w.Image(format="png", layout=w.Layout(max_width="720px"))
    text = w.HTML()
    box = w.VBox(
        [
            controls["group"],
            w.HBox([controls["p"], controls["q"]]),
            w.HBox([controls["m"], controls["reset"]]),
            chart,
            text,
        ]
    )
    fits: dict[str, adoption.BassFit | None] = {}
    state = {"quiet": False}

    def fit_of(group: str) -> adoption.BassFit | None:
        if group not in fits:
            rows = by_name[group]
            try:
                fits[group] = adoption.fit_bass(rows["month"], rows["new_adopters"])
            except ValueError:
                fits[group] = None
        return fits[group]

    def update(_change: object = None) -> None:
        if state["quiet"]:
            return
        group = controls["group"].value
        rows = by_name[group]
        p, q, m = controls["p"].value, controls["q"].value, controls["m"].value
        table = explorer_curve(rows, p, q, m)
        fit = fit_of(group)
        box.table, box.fit = table, fit
        fitted = pd.Series(fit.adopters(table.index), index=table.index) if fit else None
        chart.value = _png(explorer_figure(table, group, fitted))
        text.value = explorer_html(table, group, p, q, m, fit)

    def to_fit(_change: object = None) -> None:
        group = controls["group"].value
        fit = fit_of(group)
        headcount = int(by_name[group]["headcount"].iloc[0])
        state["quiet"] = True
        try:
            controls["m"].max = max(headcount, math.ceil(fit.m) if fit else headcount)
            if fit is not None:
                controls["p"].value = fit.p
                controls["q"].value = min(fit.q, controls["q"].max)
                controls["m"].value = round(fit.m)
            else:
                controls["m"].value = headcount
        finally:
            state["quiet"] = False
        update()

    controls["group"].observe(to_fit, names="value")
    for name in ("p", "q", "m"):
        controls[name].observe(update, names="value")
    controls["reset"].on_click(to_fit)
    box.controls = controls
    to_fit()
    return box


# --------------------------------------------------------------------------- rollout planner


def site_plan(employees: pd.DataFrame) -> pd.DataFrame:
    """Sites with their headcount and rollout wave, as the planner's starting point.

    Args:
        employees: one row per employee with ``site`` and ``rollout_wave``.

    Returns:
        One row per site: ``site``, ``headcount``, ``wave`` (the most common wave of its staff)
        and ``champions`` (0), sorted by wave then site.

    Raises:
        ValueError: missing columns.
    """
    missing = [c for c in ("site", "rollout_wave") if c not in employees.columns]
    if missing:
        raise ValueError(f"employees lacks column(s) {', '.join(missing)}")
    grouped = employees.groupby("site")
    plan = pd.DataFrame(
        {
            "headcount": grouped.size(),
            "wave": grouped["rollout_wave"].agg(lambda s: int(s.mode().iloc[0])),
        }
    ).reset_index()
    plan["champions"] = 0
    return plan.sort_values(["wave", "site"], ignore_index=True)


def planner_forecast(
    plan: pd.DataFrame,
    wave_launch: Mapping[int, int],
    p: float,
    q: float,
    months: int,
    ceiling: float = 1.0,
    retention: float = 1.0,
    interactive_share: float = 0.4,
) -> pd.DataFrame:
    """Total forecast of a rollout plan per month (sites summed).

    Args:
        plan: a :func:`site_plan` table (``site``, ``headcount``, ``wave``, ``champions``).
        wave_launch: wave -> launch month (0 = the programme's first month).
        p, q: monthly Bass coefficients (q before champions).
        months: months to forecast.
        ceiling, retention, interactive_share: see :func:`course.adoption.rollout_forecast`.

    Returns:
        A DataFrame indexed by ``month`` with ``adopters``, ``active`` and ``interactive``.

    Raises:
        ValueError: a wave of the plan without a launch month, or as
            :func:`course.adoption.rollout_forecast`.
    """
    unknown = sorted(set(plan["wave"]) - set(wave_launch))
    if unknown:
        raise ValueError(f"no launch month for wave(s) {', '.join(map(str, unknown))}")
    sites = plan.assign(launch_month=plan["wave"].map(wave_launch))
    table = adoption.rollout_forecast(
        sites, p, q, months, ceiling=ceiling, retention=retention,
        interactive_share=interactive_share,
    )  # fmt: skip
    return table.groupby("month")[["adopters", "active", "interactive"]].sum()


def planner_summary(
    forecast: pd.DataFrame, headcount: int, target_month: int, target_share: float
) -> dict:
    """What the forecast says about a target: active users (D30) as a share of all staff.

    Args:
        forecast: a :func:`planner_forecast` table.
        headcount: all employees.
        target_month: the month by which the target should be met (within the forecast).
        target_share: share of all staff to be active in that month (0–1).

    Returns:
        ``{"active", "interactive", "reach", "met", "month_reached"}``: active and interactive
        users in the target month, reach (active / headcount), whether it meets the target, and
        the first month the target is met (None if never within the forecast).

    Raises:
        ValueError: a target month outside the forecast or a share outside (0, 1].
    """
    if target_month not in forecast.index:
        raise ValueError(f"target month {target_month} is outside the forecast")
    if not 0 < target_share <= 1:
        raise ValueError(f"target_share must be in (0, 1], got {target_share}")
    row = forecast.loc[target_month]
    reach = forecast["active"] / headcount
    hit = reach.index[reach >= target_share]
    return {
        "active": float(row["active"]),
        "interactive": float(row["interactive"]),
        "reach": float(reach.loc[target_month]),
        "met": bool(reach.loc[target_month] >= target_share),
        "month_reached": int(hit[0]) if len(hit) else None,
    }


def planner_figure(
    forecast: pd.DataFrame, headcount: int, target_month: int, target_share: float
) -> plt.Figure:
    """Forecast adopters, active and interactive users with the target marked."""
    figure, axes = plots.new_figure(
        f"Rollout forecast for {headcount:,} employees (course's assumptions)",
        "months since the programme's start",
        "people",
        size=(7.5, 4.0),
    )
    axes.plot(forecast.index, forecast["adopters"], ls="--", label="adopters to date")
    axes.plot(forecast.index, forecast["active"], lw=2, label="active (D30)")
    axes.plot(forecast.index, forecast["interactive"], lw=2, label="interactive (D30)")
    axes.axvline(target_month, color=plots.PALETTE[7], ls=":", lw=1)
    axes.axhline(target_share * headcount, color=plots.PALETTE[7], ls=":", lw=1)
    axes.annotate(
        f"target: {target_share:.0%} active by month {target_month}",
        (target_month, target_share * headcount),
        textcoords="offset points",
        xytext=(4, 4),
        fontsize="small",
    )
    axes.set_ylim(0, headcount * 1.02)
    axes.legend(fontsize="small", loc="upper left")
    return figure


def planner_html(summary: dict, headcount: int, target_month: int, target_share: float) -> str:
    """The planner's text: the target met or not, and when it would be."""
    verdict = "meets" if summary["met"] else "misses"
    when = (
        f"the target is reached in month {summary['month_reached']}"
        if summary["month_reached"] is not None
        else "the target is never reached within the forecast"
    )
    return (
        f"<p>In month {target_month}, the plan gives about {summary['active']:,.0f} active users "
        f"({summary['reach']:.0%} of {headcount:,} employees) and {summary['interactive']:,.0f} "
        f"interactive users. It <strong>{verdict}</strong> the target of "
        f"{target_share:.0%} active; {when}.</p>"
        f"<p><em>Course's assumptions:</em> each champion per 100 colleagues raises a site's q by "
        f"{adoption.CHAMPION_UPLIFT:.0%}, up to {adoption.CHAMPION_SATURATION:g} per 100; "
        "adoption ceiling, monthly retention and interactive share as calibrated in the lesson.</p>"
    )


def rollout_planner(
    employees: pd.DataFrame,
    p: float,
    q: float,
    ceiling: float = 1.0,
    retention: float = 1.0,
    interactive_share: float = 0.4,
    months: int = 36,
) -> w.VBox:
    """Plan a rollout by site waves with champions, and see the forecast against a target.

    Args:
        employees: one row per employee with ``site`` and ``rollout_wave`` (any scenario).
        p, q: monthly Bass coefficients (q before champions), e.g. from a fit.
        ceiling, retention, interactive_share: calibrated assumptions (see
            :func:`course.adoption.rollout_forecast`).
        months: forecast horizon.

    Returns:
        A ``VBox``; ``controls`` maps ``"launch_<wave>"``, ``"wave:<site>"``,
        ``"champions:<site>"``, ``"target_month"`` and ``"target_share"`` to the widgets;
        ``forecast`` and ``summary`` hold what is shown.
    """
    plan = site_plan(employees)
    headcount = int(plan["headcount"].sum())
    waves = sorted(int(v) for v in plan["wave"].unique())
    controls: dict[str, w.Widget] = {}
    for index, wave in enumerate(waves):
        controls[f"launch_{wave}"] = w.IntSlider(
            value=3 * index,
            min=0,
            max=months - 1,
            description=f"Wave {wave} launch (month)",
            style=_STYLE,
            layout=w.Layout(**_SLIDER),
        )
    for _, row in plan.iterrows():
        site = row["site"]
        controls[f"wave:{site}"] = w.Dropdown(
            options=waves,
            value=int(row["wave"]),
            description=f"{site}: wave",
            style=_STYLE,
            layout=w.Layout(width="260px"),
        )
        controls[f"champions:{site}"] = w.BoundedIntText(
            value=0,
            min=0,
            max=int(row["headcount"]),
            description=f"{site}: champions ({int(row['headcount']):,} staff)",
            style=_STYLE,
            layout=w.Layout(width="340px"),
        )
    controls["target_month"] = w.IntSlider(
        value=min(18, months),
        min=1,
        max=months,
        description="Target month",
        style=_STYLE,
        layout=w.Layout(**_SLIDER),
    )
    controls["target_share"] = w.FloatSlider(
        value=0.5,
        min=0.05,
        max=1.0,
        step=0.05,
        readout_format=".0%",
        description="Target share of staff active",
        style=_STYLE,
        layout=w.Layout(**_SLIDER),
    )
    site_rows = [
        w.HBox([controls[f"wave:{site}"], controls[f"champions:{site}"]]) for site in plan["site"]
    ]
    sites_box = w.Accordion(children=[w.VBox(site_rows)], titles=("Sites: wave and champions",))
    chart = w.Image(format="png", layout=w.Layout(max_width="720px"))
    text = w.HTML()
    box = w.VBox(
        [
            w.HBox([controls[f"launch_{wave}"] for wave in waves[:2]]),
            w.HBox([controls[f"launch_{wave}"] for wave in waves[2:]]),
            sites_box,
            w.HBox([controls["target_month"], controls["target_share"]]),
            chart,
            text,
        ]
    )

    def update(_change: object = None) -> None:
        current = plan.assign(
            wave=[controls[f"wave:{site}"].value for site in plan["site"]],
            champions=[controls[f"champions:{site}"].value for site in plan["site"]],
        )
        launches = {wave: controls[f"launch_{wave}"].value for wave in waves}
        forecast = planner_forecast(
            current, launches, p, q, months, ceiling, retention, interactive_share
        )
        target_month = controls["target_month"].value
        target_share = controls["target_share"].value
        summary = planner_summary(forecast, headcount, target_month, target_share)
        box.forecast, box.summary = forecast, summary
        chart.value = _png(planner_figure(forecast, headcount, target_month, target_share))
        text.value = planner_html(summary, headcount, target_month, target_share)

    for control in controls.values():
        control.observe(update, names="value")
    box.controls = controls
    update()
    return box
