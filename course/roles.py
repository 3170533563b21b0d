"""M1 · Roles: reading the community-manager job market and placing oneself on it.

Domain functions of module ``m1_roles``:

- :func:`wilson_interval` — a confidence interval for a share read from a survey, honest at small
  counts and near 0 % or 100 % (where the textbook "± margin" fails);
- :func:`margin_of_error` — the textbook normal-approximation margin, to compare with;
- :func:`share_table` — counts and shares of a categorical column, each with its Wilson interval;
- :func:`time_shares` — how a week's hours split between the CM's tasks, per group;
- :func:`crisis_weeks` — how often a group's weeks are crisis weeks;
- :func:`orientation_index` and :func:`orientation_profile` — the self-assessment's
  internal–external axis, re-exported from :mod:`course.assess.competency` so that the course has
  exactly one implementation of the rule.

Everything here is pure: no plotting, no I/O, inputs never modified.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real

import pandas as pd

from course.assess.competency import orientation_index, orientation_profile

__all__ = [
    "CM_TASKS",
    "PROFILE_MEANINGS",
    "PUBLISHED_2012",
    "crisis_weeks",
    "margin_of_error",
    "orientation_index",
    "orientation_profile",
    "published_shares",
    "share_table",
    "time_shares",
    "wilson_interval",
]

#: The tasks of a community manager in one practitioner's list, with the French word used on the
#: job. The course keeps this order everywhere (tables, charts) so that charts can be compared.
CM_TASKS: dict[str, str] = {
    "watch": "veille",
    "study": "étudier",
    "detect": "détecter",
    "alert": "alerter",
    "facilitate": "animer",
    "engage": "engager",
    "monitor": "surveiller, mesurer",
}

#: The survey's published headline shares (RegionsJob & ANOV Agency, survey of community managers
#: in France, 2012, 577 respondents, relayed by My Community Manager), as
#: ``(column of cm_survey, category, published share, what the publication said)``.
PUBLISHED_2012: tuple[tuple[str, str, float, str], ...] = (
    ("gender", "woman", 0.52, "a woman"),
    ("age_band", "26-35", 0.45, "aged 26 to 35"),
    ("region", "Île-de-France", 0.496, "lives in the Paris region"),
    ("employer_type", "SME", 0.27, "works for an SME"),
    ("employer_type", "digital agency", 0.15, "works for a digital agency"),
    ("hiring_channel", "job board", 0.23, "was hired through a job board"),
)

#: What each orientation profile means for the trainee's next steps (the course's own reading).
PROFILE_MEANINGS: dict[str | None, str] = {
    "internal": (
        "You work mostly for colleagues, on job-specific content: an RSE community manager. "
        "Your clock is slower and crises rarer, but management watches and you must show value. "
        "M4 (RSE rollout) and M5 (communities of practice) are written for you."
    ),
    "external": (
        "You speak for a brand to a public audience: an external community manager. Your clock "
        "is fast, crises and virality are part of the job, and you bring the customer's voice "
        "back inside. M2 (participation) and M3 (moderation) are written for you."
    ),
    "hybrid": (
        "Your answers sit between the two jobs: perhaps an ambassador programme, a partner or "
        "alumni network, or a role that is still being defined. Read both kinds of examples, and "
        "ask who your members are before choosing your methods."
    ),
    None: "Answer at least two of the three statements to be placed on the axis.",
}


def _check_count(name: str, value: object) -> int:
    # bool is an Integral in Python, but True answers would be a bug in the caller.
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be a whole number, got {type(value).__name__} {value!r}")
    return int(value)


def _check_z(z: object) -> float:
    if isinstance(z, bool) or not isinstance(z, Real):
        raise TypeError(f"z must be a number, got {type(z).__name__} {z!r}")
    if not math.isfinite(z) or z <= 0:
        raise ValueError(f"z must be a positive finite number, got {z!r}")
    return float(z)


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval for a proportion.

    Unlike the textbook interval ``p ± z·√(p(1−p)/n)``, Wilson's interval never leaves [0, 1],
    is not empty at 0 or n successes, and keeps close to its stated coverage for small samples.
    It is centred on ``(p + z²/2n) / (1 + z²/n)``, a share pulled slightly toward one half.

    Args:
        successes: number of answers in the category (0 to ``n``).
        n: number of answers (at least 1).
        z: the normal quantile of the confidence level (1.96 for 95 %, 2.576 for 99 %).

    Returns:
        ``(low, high)``, two shares between 0 and 1 with ``low ≤ successes/n ≤ high``.

    Raises:
        TypeError: ``successes`` or ``n`` is not a whole number, or ``z`` not a number.
        ValueError: ``n ≤ 0``, ``successes`` outside 0..n, or ``z`` not positive and finite.

    Example:
        >>> low, high = wilson_interval(300, 577)
        >>> round(low, 3), round(high, 3)
        (0.479, 0.56)
    """
    successes = _check_count("successes", successes)
    n = _check_count("n", n)
    z = _check_z(z)
    if n <= 0:
        raise ValueError(f"n must be at least 1, got {n}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n={n}, got {successes}")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # The formula gives exactly 0 and 1 at the ends in exact arithmetic; floats may miss by 1e-17.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def margin_of_error(share: float, n: int, z: float = 1.96) -> float:
    """The textbook (normal-approximation, "Wald") margin of error of a share: ``z·√(p(1−p)/n)``.

    This is the "± 4 points" a press article quotes. It assumes a random sample; it says nothing
    about the bias of a self-selected one. Prefer :func:`wilson_interval` for the interval itself.

    Args:
        share: the observed share, between 0 and 1 (not a percentage).
        n: the number of answers (at least 1).
        z: the normal quantile of the confidence level (1.96 for 95 %).

    Returns:
        The half-width of the interval, as a share (0.04 means ± 4 points).

    Raises:
        TypeError: ``n`` not a whole number or ``share``/``z`` not numbers.
        ValueError: ``share`` outside [0, 1], ``n ≤ 0`` or a bad ``z``.
    """
    if isinstance(share, bool) or not isinstance(share, Real):
        raise TypeError(f"share must be a number, got {type(share).__name__} {share!r}")
    if not 0 <= share <= 1:
        raise ValueError(f"share must be between 0 and 1 (not a percentage), got {share!r}")
    n = _check_count("n", n)
    z = _check_z(z)
    if n <= 0:
        raise ValueError(f"n must be at least 1, got {n}")
    return z * math.sqrt(share * (1 - share) / n)


def share_table(
    values: pd.Series,
    z: float = 1.96,
    order: Sequence[str] | None = None,
    dropna: bool = True,
) -> pd.DataFrame:
    """Counts and shares of a categorical column, each with its Wilson interval.

    Args:
        values: one answer per respondent (e.g. ``survey["employer"]``).
        z: the normal quantile of the confidence level.
        order: categories in the order wanted (categories missing from the data get 0 answers);
            by default, the most frequent first (ties: alphabetical).
        dropna: leave unanswered (missing) values out of the denominator, as surveys report.

    Returns:
        A DataFrame indexed by category, with columns ``count`` (int), ``share``, ``low`` and
        ``high`` (shares between 0 and 1). Its ``attrs["n"]`` holds the denominator.

    Raises:
        TypeError: ``values`` is not a pandas Series.
        ValueError: no answer to count.
    """
    if not isinstance(values, pd.Series):
        raise TypeError(f"values must be a pandas Series, got {type(values).__name__}")
    answered = values.dropna() if dropna else values.astype(object).fillna("(no answer)")
    n = len(answered)
    if n == 0:
        raise ValueError("no answers to count: the selection is empty")
    counts = answered.astype(str).value_counts()
    if order is None:
        frame = counts.rename_axis("category").reset_index(name="count")
        frame = frame.sort_values(["count", "category"], ascending=[False, True])
        counts = frame.set_index("category")["count"]
    else:
        counts = counts.reindex(list(order), fill_value=0)
    intervals = [wilson_interval(int(c), n, z) for c in counts]
    table = pd.DataFrame(
        {
            "count": counts.astype(int).to_numpy(),
            "share": counts.to_numpy() / n,
            "low": [lo for lo, _ in intervals],
            "high": [hi for _, hi in intervals],
        },
        index=pd.Index(counts.index, name=values.name),
    )
    table.attrs["n"] = n
    return table


def time_shares(
    task_log: pd.DataFrame,
    by: str | Sequence[str],
    task: str = "task",
    hours: str = "hours",
) -> pd.DataFrame:
    """The share of hours spent on each task, per group: each row sums to 1.

    Hours are summed within each group before dividing, so a person who logs more hours weighs
    more. That is the share of the group's *time*, not the mean of each person's shares.

    Args:
        task_log: one row per logged entry, with the grouping column(s), a task and hours.
        by: the column (or columns) defining the groups, e.g. ``"role"``.
        task: the column naming the task.
        hours: the column of hours (non-negative numbers).

    Returns:
        A DataFrame with one row per group (index: the ``by`` values) and one column per task
        (columns in the order of :data:`CM_TASKS` for the tasks it knows, then the others
        alphabetically), holding shares between 0 and 1; a task a group never logs gets 0.

    Raises:
        TypeError: ``task_log`` is not a DataFrame, or the hours are not numeric.
        KeyError: a named column is missing (the message lists the columns there are).
        ValueError: negative or missing hours, or a group with no hours at all.
    """
    if not isinstance(task_log, pd.DataFrame):
        raise TypeError(f"task_log must be a pandas DataFrame, got {type(task_log).__name__}")
    keys = [by] if isinstance(by, str) else list(by)
    if not keys:
        raise ValueError("by must name at least one column")
    missing = [c for c in [*keys, task, hours] if c not in task_log.columns]
    if missing:
        raise KeyError(
            f"column(s) {', '.join(map(repr, missing))} not in the task log; "
            f"its columns are {', '.join(map(str, task_log.columns))}"
        )
    spent = task_log[hours]
    if not pd.api.types.is_numeric_dtype(spent) or pd.api.types.is_bool_dtype(spent):
        raise TypeError(f"column {hours!r} must hold numbers of hours, got {spent.dtype}")
    if spent.isna().any():
        raise ValueError(f"column {hours!r} has missing values: fill or drop them first")
    if (spent < 0).any():
        raise ValueError(f"column {hours!r} has negative hours")
    table = task_log.pivot_table(
        index=keys, columns=task, values=hours, aggfunc="sum", fill_value=0, observed=True
    )
    totals = table.sum(axis=1)
    if (totals <= 0).any():
        empty = ", ".join(map(str, totals.index[totals <= 0]))
        raise ValueError(f"no hours logged for group(s): {empty}")
    known = [t for t in CM_TASKS if t in table.columns]
    others = sorted((t for t in table.columns if t not in CM_TASKS), key=str)
    shares = table[known + others].div(totals, axis=0).astype(float)
    shares.columns.name = task
    return shares


def published_shares(survey: pd.DataFrame, z: float = 1.96) -> pd.DataFrame:
    """The survey's published headline shares next to the course dataset, with Wilson intervals.

    Args:
        survey: the ``cm_survey`` dataset (one row per respondent).
        z: the normal quantile of the confidence level.

    Returns:
        One row per figure of :data:`PUBLISHED_2012`, in that order, with columns ``figure``
        (what was published), ``published`` (share), ``count`` and ``share`` (in ``survey``),
        ``low`` and ``high`` (Wilson interval of ``share``) and ``n`` (the denominator: every
        respondent who answered that question).

    Raises:
        TypeError: ``survey`` is not a DataFrame.
        KeyError: a column of :data:`PUBLISHED_2012` is missing from ``survey``.
    """
    if not isinstance(survey, pd.DataFrame):
        raise TypeError(f"survey must be a pandas DataFrame, got {type(survey).__name__}")
    rows = []
    for column, category, published, figure in PUBLISHED_2012:
        if column not in survey.columns:
            raise KeyError(
                f"column {column!r} not in the survey; its columns are {list(survey.columns)}"
            )
        answered = survey[column].dropna()
        count = int((answered == category).sum())
        low, high = wilson_interval(count, len(answered), z)
        rows.append(
            {
                "figure": figure,
                "published": published,
                "count": count,
                "share": count / len(answered),
                "low": low,
                "high": high,
                "n": len(answered),
            }
        )
    return pd.DataFrame(rows)


def crisis_weeks(
    task_log: pd.DataFrame,
    by: str = "role",
    person: str = "cm_id",
    week: str = "week",
    crisis: str = "crisis",
    hours: str = "hours",
    z: float = 1.96,
) -> pd.DataFrame:
    """How many worked weeks were crisis weeks, per group, with a Wilson interval.

    A week counts when the person logged some hours that week (weeks off are left out of the
    denominator). Weeks of the same person are not independent draws, so read the interval as a
    lower bound on the uncertainty, not as its exact size.

    Args:
        task_log: one row per person, week and task, with a boolean crisis flag per week.
        by: the grouping column, e.g. ``"role"``.
        person: the column identifying a person.
        week: the column identifying a week.
        crisis: the boolean column flagging a crisis week.
        hours: the column of hours.
        z: the normal quantile of the confidence level.

    Returns:
        One row per group (index: the ``by`` values, sorted) with columns ``weeks`` (worked
        person-weeks), ``crisis_weeks``, ``share``, ``low`` and ``high``.

    Raises:
        TypeError: ``task_log`` is not a DataFrame.
        KeyError: a named column is missing.
        ValueError: a group has no worked week.
    """
    if not isinstance(task_log, pd.DataFrame):
        raise TypeError(f"task_log must be a pandas DataFrame, got {type(task_log).__name__}")
    missing = [c for c in (by, person, week, crisis, hours) if c not in task_log.columns]
    if missing:
        raise KeyError(
            f"column(s) {', '.join(map(repr, missing))} not in the task log; "
            f"its columns are {', '.join(map(str, task_log.columns))}"
        )
    weeks = task_log.groupby([by, person, week], observed=True).agg(
        worked=(hours, "sum"), crisis=(crisis, "any")
    )
    weeks = weeks[weeks["worked"] > 0]
    counts = weeks.groupby(level=by, observed=True)["crisis"].agg(["size", "sum"])
    if counts.empty or (counts["size"] == 0).any():
        raise ValueError("no worked week to count")
    intervals = [
        wilson_interval(int(k), int(n), z)
        for k, n in zip(counts["sum"], counts["size"], strict=True)
    ]
    return pd.DataFrame(
        {
            "weeks": counts["size"].astype(int),
            "crisis_weeks": counts["sum"].astype(int),
            "share": counts["sum"] / counts["size"],
            "low": [lo for lo, _ in intervals],
            "high": [hi for _, hi in intervals],
        },
        index=counts.index,
    )
