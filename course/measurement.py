"""Measuring communities: scorecards, trends, fair comparisons and maturity, used by M6.

Four tools, each answering a question a sponsor asks:

- :func:`scorecard` — *how is each community doing this month?* Ratios with their denominators:
  ``active_rate`` (active members / members), ``interactive_rate`` (interactive members /
  members), ``interactive_share`` (interactive members / active members) and
  ``posts_per_interactive``. *Active* follows the Viva Engage (Yammer) report's definition: any
  activity, reading included; *interactive* means posted, replied or reacted. A ratio whose
  denominator is 0 is NaN, never 0: "no members" is not "no engagement".
- :func:`trend` — *is it getting better?* The least-squares slope of an indicator per month over
  a community's last months, and the fitted change relative to the fitted start.
- :func:`compare_groups` — *do communities with a dedicated CM do better?* The difference of two
  group means with Welch's confidence interval and p-value. The comparison is observational: it
  measures a difference, not the effect of a community manager.
- :func:`maturity_progress` — *where does each department stand, year after year?* The median
  stage of each dimension of the course's maturity instrument, and the overall stage of those
  medians by the instrument's one rule (:func:`course.assess.maturity.score`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy import stats

from course.assess import maturity, privacy

__all__ = [
    "COUNT_COLUMNS",
    "KEY_COLUMNS",
    "RATIOS",
    "compare_groups",
    "maturity_progress",
    "scorecard",
    "trend",
]

#: The columns that identify a row of a monthly scorecard.
KEY_COLUMNS: tuple[str, ...] = ("community_id", "month")
#: The counts a scorecard is computed from.
COUNT_COLUMNS: tuple[str, ...] = ("members", "active_members", "interactive_members", "posts")
#: Each ratio of :func:`scorecard` → (numerator, denominator).
RATIOS: dict[str, tuple[str, str]] = {
    "active_rate": ("active_members", "members"),
    "interactive_rate": ("interactive_members", "members"),
    "interactive_share": ("interactive_members", "active_members"),
    "posts_per_interactive": ("posts", "interactive_members"),
}
RATING_KEYS: tuple[str, ...] = ("department", "year")


# --------------------------------------------------------------------------- validation


def _require_frame(frame: object, name: str, columns: Sequence[str]) -> pd.DataFrame:
    """Check that ``frame`` is a non-empty DataFrame holding ``columns``."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{name} lacks column(s) {', '.join(missing)} "
            f"(it has: {', '.join(map(str, frame.columns))})"
        )
    if frame.empty:
        raise ValueError(f"{name} is empty: there is nothing to measure")
    return frame


def _whole_number(value: object, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, got {value!r}")
    return int(value)


def _month_numbers(months: pd.Series) -> np.ndarray:
    """Months as consecutive integers (year × 12 + month), whatever the day in the month."""
    try:
        dates = (
            months
            if pd.api.types.is_datetime64_any_dtype(months)
            else pd.to_datetime(months, errors="raise", format="ISO8601")
        )
    except (ValueError, TypeError) as exc:
        raise ValueError(f"month must hold dates (the first day of each month): {exc}") from None
    if dates.isna().any():
        raise ValueError("month has missing values: every row needs its month")
    return (dates.dt.year * 12 + dates.dt.month - 1).to_numpy(dtype=np.int64)


# --------------------------------------------------------------------------- scorecard


def scorecard(kpis: pd.DataFrame) -> pd.DataFrame:
    """Per community and month, the four ratios of a scorecard beside their counts.

    Args:
        kpis: one row per community and month with ``community_id``, ``month``, ``members``,
            ``active_members`` (any activity, reading included), ``interactive_members``
            (posted, replied or reacted) and ``posts``; other columns (``community``, ``kind``,
            ``has_dedicated_cm``, ``satisfaction``…) are kept.

    Returns:
        A copy of ``kpis`` sorted by ``community_id`` then ``month`` (fresh index), with four
        columns added: ``active_rate = active_members / members``, ``interactive_rate =
        interactive_members / members``, ``interactive_share = interactive_members /
        active_members`` and ``posts_per_interactive = posts / interactive_members``; each is
        NaN where its denominator is 0. The counts stay beside the ratios, so that every
        ratio shows its denominator.

    Raises:
        TypeError: ``kpis`` is not a DataFrame.
        ValueError: empty input, a missing column, a missing or negative count, a count that
            is not a whole number, a community listed twice for the same month, or more
            interactive than active members (every interactive member is active).
    """
    frame = _require_frame(kpis, "kpis", (*KEY_COLUMNS, *COUNT_COLUMNS))
    for column in COUNT_COLUMNS:
        values = frame[column]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            raise ValueError(f"{column} must hold counts (numbers), got dtype {values.dtype}")
        if values.isna().any():
            raise ValueError(f"{column} has missing values: a count cannot be unknown here")
        if (values < 0).any():
            raise ValueError(f"{column} has negative values: counts are ≥ 0")
        if not np.array_equal(values.to_numpy(dtype=float), np.round(values.to_numpy(dtype=float))):
            raise ValueError(f"{column} must hold whole numbers (people or posts)")
    duplicated = frame.duplicated(list(KEY_COLUMNS))
    if duplicated.any():
        first = frame.loc[duplicated, list(KEY_COLUMNS)].iloc[0]
        raise ValueError(
            f"community {first['community_id']} appears twice for month {first['month']}: "
            "one row per community and month"
        )
    impossible = frame["interactive_members"] > frame["active_members"]
    if impossible.any():
        first = frame.loc[impossible, list(KEY_COLUMNS)].iloc[0]
        raise ValueError(
            f"{first['community_id']} has more interactive than active members in "
            f"{first['month']}: every member who posts, replies or reacts is active"
        )
    table = frame.sort_values(list(KEY_COLUMNS), kind="mergesort").reset_index(drop=True)
    for ratio, (numerator, denominator) in RATIOS.items():
        below = table[denominator].astype(float)
        table[ratio] = table[numerator].astype(float) / below.where(below > 0)
    return table


def _with_metric(kpis: pd.DataFrame, metric: str) -> pd.DataFrame:
    """``kpis`` itself when it holds ``metric``, else its scorecard (for the four ratios)."""
    if not isinstance(metric, str):
        raise ValueError(f"metric must be a column name, got {metric!r}")
    if isinstance(kpis, pd.DataFrame) and metric in kpis.columns:
        return kpis
    if metric in RATIOS:
        return scorecard(kpis)
    columns = list(kpis.columns) if isinstance(kpis, pd.DataFrame) else []
    raise ValueError(
        f"unknown metric {metric!r}: give a column of the table ({', '.join(map(str, columns))}) "
        f"or a scorecard ratio ({', '.join(RATIOS)})"
    )


# --------------------------------------------------------------------------- trend


def trend(kpis: pd.DataFrame, metric: str, months: int = 12) -> pd.DataFrame:
    """Per community, the least-squares slope of an indicator over its last ``months`` months.

    The window of a community is the ``months`` calendar months ending at its latest month. Months
    are counted as consecutive integers (0 for the window's first month), so a quarterly
    indicator such as ``satisfaction`` keeps its spacing; rows where the metric is missing are
    left out of the fit. The line is fitted with :func:`numpy.polyfit` (degree 1).

    Args:
        kpis: one row per community and month (``community_id``, ``month`` and the metric; for
            a scorecard ratio the counts of :func:`scorecard` are enough).
        metric: a numeric column of ``kpis`` (``members``, ``satisfaction``…) or one of the
            ratios of :func:`scorecard` (``active_rate``, ``interactive_rate``,
            ``interactive_share``, ``posts_per_interactive``).
        months: length of the window in months (≥ 2); 12 takes a year, so every season
            counts once.

    Returns:
        A DataFrame indexed by ``community_id`` (sorted) with ``slope`` (change of the metric per
        month), ``relative_change`` (the fitted change over the window, ``slope × (months − 1)``,
        divided by the fitted value at the window's first month; NaN when that fitted value is
        ≤ 0, where a relative change means nothing), ``fitted_start``, ``fitted_end`` and
        ``points`` (values fitted). A community with fewer than two values in its window gets
        NaN slope and change.

    Raises:
        TypeError: ``kpis`` is not a DataFrame.
        ValueError: empty input, missing columns, an unknown or non-numeric metric, or
            ``months`` not a whole number ≥ 2.
    """
    months = _whole_number(months, "months", 2)
    _require_frame(kpis, "kpis", KEY_COLUMNS)
    frame = _with_metric(kpis, metric)
    values = frame[metric]
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise ValueError(f"metric {metric!r} must be numeric, got dtype {values.dtype}")
    month_number = pd.Series(_month_numbers(frame["month"]), index=frame.index)
    last = month_number.groupby(frame["community_id"]).transform("max")
    start = last - (months - 1)
    inside = month_number >= start
    rows = []
    for community, position in month_number[inside].groupby(frame.loc[inside, "community_id"]):
        y = values.loc[position.index].astype(float)
        known = y.notna().to_numpy()
        x = (position - start.loc[position.index]).to_numpy(dtype=float)[known]
        y = y.to_numpy()[known]
        row = {"community_id": community, "points": int(known.sum())}
        if len(np.unique(x)) >= 2:
            slope, intercept = np.polyfit(x, y, 1)
            end = intercept + slope * (months - 1)
            row |= {
                "slope": float(slope),
                "fitted_start": float(intercept),
                "fitted_end": float(end),
                "relative_change": float((end - intercept) / intercept)
                if intercept > 0
                else math.nan,
            }
        rows.append(row)
    columns = ["slope", "relative_change", "fitted_start", "fitted_end", "points"]
    table = pd.DataFrame(rows).set_index("community_id").reindex(columns=columns)
    table["points"] = table["points"].astype("int64")
    return table.sort_index()


# --------------------------------------------------------------------------- comparison


def compare_groups(frame: pd.DataFrame, metric: str, by: str, confidence: float = 0.95) -> dict:
    """The difference of a metric's mean between two groups, with Welch's interval and p-value.

    Welch's t-test does not assume equal variances in the two groups (communities with and without
    a CM need not vary alike). Rows are taken as independent observations: give one row per
    community (e.g. its mean over a year), not one per community and month, or the interval
    will be far too narrow. A difference found this way is an association, not the effect of
    the grouping: the groups may differ in size, age, topic or sponsor too.

    Args:
        frame: one row per unit compared, with the ``metric`` and ``by`` columns.
        metric: a numeric column (or a ratio of :func:`scorecard`, computed when absent).
        by: a column with exactly two groups (e.g. ``has_dedicated_cm``, ``kind``); rows where
            ``by`` or the metric is missing are left out.
        confidence: level of the interval, strictly between 0 and 1.

    Returns:
        A dict with ``difference`` (mean of the group that sorts first by value, minus the
        mean of the other: ``False`` before ``True``, ``"external"`` before ``"internal"``),
        ``low`` and ``high`` (Welch's confidence interval of that difference), ``p_value``
        (two-sided, equal to ``scipy.stats.ttest_ind(first, second, equal_var=False)``),
        ``df`` (Welch–Satterthwaite degrees of freedom), ``confidence``, ``groups`` (the two
        group values, first one first), ``means`` and ``n`` (per group, in that order).

    Raises:
        TypeError: ``frame`` is not a DataFrame.
        ValueError: empty input, missing columns, a non-numeric metric, a ``by`` column without
            exactly two groups, a group with fewer than two values, no variation at all in
            either group, or a confidence level outside (0, 1).
    """
    if isinstance(confidence, bool) or not isinstance(confidence, Real):
        raise ValueError(f"confidence must be a number between 0 and 1, got {confidence!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence!r}")
    if not isinstance(by, str) or not isinstance(metric, str):
        raise ValueError(f"metric and by must be column names, got {metric!r} and {by!r}")
    _require_frame(frame, "frame", [by] if metric in RATIOS else [by, metric])
    data = _with_metric(frame, metric)
    values = data[metric]
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise ValueError(f"metric {metric!r} must be numeric, got dtype {values.dtype}")
    kept = data.loc[values.notna() & data[by].notna(), [by, metric]]
    groups = sorted(pd.unique(kept[by]))
    if len(groups) != 2:
        shown = ", ".join(map(repr, groups[:6])) + (" …" if len(groups) > 6 else "")
        raise ValueError(
            f"{by!r} must have exactly two groups to compare, found {len(groups)} ({shown}); "
            "filter the rows or build a two-valued column first"
        )
    first = kept.loc[kept[by] == groups[0], metric].to_numpy(dtype=float)
    second = kept.loc[kept[by] == groups[1], metric].to_numpy(dtype=float)
    for label, sample in zip(groups, (first, second), strict=True):
        if len(sample) < 2:
            raise ValueError(
                f"group {label!r} has {len(sample)} value(s): at least 2 per group are needed "
                "to estimate its spread"
            )
    if np.var(first) == 0 and np.var(second) == 0:
        raise ValueError(
            "no variation within either group: the interval and the test are undefined"
        )
    result = stats.ttest_ind(first, second, equal_var=False)
    interval = result.confidence_interval(confidence_level=confidence)
    return {
        "difference": float(first.mean() - second.mean()),
        "low": float(interval.low),
        "high": float(interval.high),
        "p_value": float(result.pvalue),
        "df": float(result.df),
        "confidence": float(confidence),
        "groups": (_plain(groups[0]), _plain(groups[1])),
        "means": (float(first.mean()), float(second.mean())),
        "n": (len(first), len(second)),
    }


def _plain(value: object) -> object:
    """A numpy scalar as the Python value it holds (so ``groups`` reads ``(False, True)``)."""
    return value.item() if isinstance(value, np.generic) else value


# --------------------------------------------------------------------------- maturity


def maturity_progress(ratings: pd.DataFrame, k: int | None = None) -> pd.DataFrame:
    """Per department and campaign year: the median stage of each dimension and the overall stage.

    Each dimension's median over the department's ratings of the year is rounded down to a whole
    stage (a median of 2.5 is stage 2: a stage is reached, not approached); the overall stage of
    those eight medians is computed by :func:`course.assess.maturity.score`, the instrument's one
    rule (median rounded down, capped at the weakest stage + 1).

    Args:
        ratings: one row per rating with ``department``, ``year`` and the eight dimensions of
            :data:`course.assess.maturity.DIMENSIONS`, each a whole stage 1–4.
        k: ``None`` (default) to show every group, as an analyst's working table; or the
            small-group threshold of the HR view (``course.assess.privacy.K`` = 5): groups
            hidden by :func:`course.assess.privacy.safe_table` on department × year (the small
            ones, plus any whose size could be recovered by subtraction) keep their row with
            ``n``, the stages and the overall stage missing (``<NA>``).

    Returns:
        A DataFrame with ``department``, ``year``, ``n`` (ratings), the eight dimensions (median
        stage rounded down) and ``overall_stage``, sorted by department then year, with
        nullable integer columns (``Int64``).

    Raises:
        TypeError: ``ratings`` is not a DataFrame.
        ValueError: empty input, missing columns, a missing department or year, a stage that is
            missing, not a whole number or outside 1–4, or a bad ``k``.
    """
    frame = _require_frame(ratings, "ratings", (*RATING_KEYS, *maturity.DIMENSIONS))
    if frame[list(RATING_KEYS)].isna().any().any():
        raise ValueError("every rating needs its department and year")
    for dimension in maturity.DIMENSIONS:
        stages = frame[dimension]
        if not pd.api.types.is_numeric_dtype(stages) or pd.api.types.is_bool_dtype(stages):
            raise ValueError(f"{dimension}: stages must be whole numbers 1–4, got {stages.dtype}")
        if stages.isna().any():
            raise ValueError(f"{dimension}: missing stage (all eight are required in a rating)")
        as_float = stages.to_numpy(dtype=float)
        if (
            not np.array_equal(as_float, np.round(as_float))
            or not ((as_float >= maturity.STAGES[0]) & (as_float <= maturity.STAGES[-1])).all()
        ):
            raise ValueError(f"{dimension}: stages must be whole numbers from 1 to 4")
    grouped = frame.groupby(list(RATING_KEYS), sort=True)
    medians = grouped[list(maturity.DIMENSIONS)].median()
    # Rounded down: the median of an even number of ratings can end in .5.
    table = np.floor(medians).astype("int64")
    table.insert(0, "n", grouped.size().astype("int64"))
    table["overall_stage"] = [
        maturity.score(row).overall_stage
        for row in table[list(maturity.DIMENSIONS)].to_dict("records")
    ]
    table = table.reset_index().astype({c: "Int64" for c in ("n", *maturity.DIMENSIONS)})
    table["overall_stage"] = table["overall_stage"].astype("Int64")
    if k is not None:
        k = _whole_number(k, "k", 1)
        safe = privacy.safe_table(frame, list(RATING_KEYS), k=k)
        leaves = safe[(safe["department"] != privacy.ALL) & (safe["year"] != privacy.ALL)]
        hidden = {
            (d, y)
            for d, y, n in leaves[["department", "year", "n"]].itertuples(False)
            if pd.isna(n)
        }
        mask = [
            (str(d), str(y)) in hidden
            for d, y in zip(table["department"], table["year"], strict=True)
        ]
        table.loc[mask, ["n", *maturity.DIMENSIONS, "overall_stage"]] = pd.NA
    return table
