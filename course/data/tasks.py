"""cm_task_log: weekly time logs of community managers by task (the course's own model).

The task list is one practitioner's (watch, study, detect, alert, facilitate, engage, monitor)
plus moderate, create content and report; the split of time between them, and the contrast
between internal and external CMs, is the course's assumption drawn from the qualitative
sources (internal CMs facilitate and write job-specific content, external ones moderate and
handle crises).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from course.data._core import Col, Spec, register
from course.data._util import exact_counts, ids

TASKS = (
    "watch",
    "study",
    "detect",
    "alert",
    "facilitate",
    "engage",
    "monitor",
    "moderate",
    "create content",
    "report",
)
# Mean share of a normal (no-crisis) week spent on each task, in the order of TASKS.
SHARES = {
    "external": (0.12, 0.05, 0.06, 0.04, 0.07, 0.14, 0.08, 0.18, 0.18, 0.08),
    "internal": (0.07, 0.07, 0.04, 0.02, 0.24, 0.12, 0.06, 0.05, 0.23, 0.10),
    "hybrid": (0.10, 0.06, 0.05, 0.03, 0.15, 0.13, 0.07, 0.12, 0.20, 0.09),
}
ROLE_COUNTS = {"external": 50, "internal": 40, "hybrid": 30}
PART_TIME_SHARE = {"external": 0.15, "internal": 0.45, "hybrid": 0.30}
CRISIS_RATE = {"external": 0.08, "internal": 0.015, "hybrid": 0.04}  # per CM-week
# Extra hours in a crisis week: task -> (low, high)
CRISIS_HOURS = {"alert": (3, 8), "moderate": (4, 10), "monitor": (2, 5), "report": (1, 3)}
FIRST_WEEK = np.datetime64("2025-03-03")  # a Monday


def generate_cm_task_log(
    rng: np.random.Generator, n_cms: int = 120, n_weeks: int = 12
) -> pd.DataFrame:
    """Generate weekly hours per CM and task.

    Args:
        rng: the dataset's seeded generator.
        n_cms: number of CMs (split external / internal / hybrid as 50 / 40 / 30 per 120).
        n_weeks: number of consecutive weeks.

    Returns:
        One row per CM, week and task (``n_cms x n_weeks x 10`` rows; a week off gives zeros).
    """
    counts = {k: round(v * n_cms / 120) for k, v in ROLE_COUNTS.items()}
    counts["hybrid"] = n_cms - counts["external"] - counts["internal"]
    role = exact_counts(rng, counts)
    part_time = rng.random(n_cms) < np.array([PART_TIME_SHARE[r] for r in role])
    fte = np.where(part_time, rng.choice([0.5, 0.6, 0.8], n_cms), 1.0)
    base_hours = fte * rng.normal(37.5, 2.5, n_cms)

    shares = np.array([SHARES[r] for r in role])  # (cm, task)
    # Each CM has a personal profile around the role's mean, and each week varies around it.
    profile = np.array([rng.dirichlet(s * 60) for s in shares])
    weekly = rng.gamma(80 * profile[:, None, :] + 1e-3, 1.0)  # (cm, week, task)
    weekly /= weekly.sum(axis=2, keepdims=True)
    total = base_hours[:, None] * rng.normal(1.0, 0.08, (n_cms, n_weeks))
    off = rng.random((n_cms, n_weeks)) < 0.05  # leave or training week
    total[off] = 0.0
    hours = weekly * total[:, :, None]

    crisis_rate = np.array([CRISIS_RATE[r] for r in role])
    crisis = (rng.random((n_cms, n_weeks)) < crisis_rate[:, None]) & ~off
    for task, (low, high) in CRISIS_HOURS.items():
        t = TASKS.index(task)
        hours[:, :, t] += crisis * rng.uniform(low, high, (n_cms, n_weeks))
    hours = np.round(hours * 4) / 4  # logged in quarter hours

    n_tasks = len(TASKS)
    cm_index = np.repeat(np.arange(n_cms), n_weeks * n_tasks)
    week_index = np.tile(np.repeat(np.arange(n_weeks), n_tasks), n_cms)
    cm_ids = ids("CM", n_cms, 3)
    return pd.DataFrame(
        {
            "cm_id": cm_ids[cm_index],
            "role": role[cm_index],
            "fte": fte[cm_index],
            "week": week_index + 1,
            "week_start": FIRST_WEEK + (7 * week_index).astype("timedelta64[D]"),
            "task": np.tile(np.array(TASKS, dtype=object), n_cms * n_weeks),
            "hours": hours.reshape(-1),
            "crisis": crisis[cm_index, week_index],
        }
    )


SPEC = register(
    Spec(
        name="cm_task_log",
        summary="weekly hours of 120 CMs by task over 12 weeks (internal / external / hybrid)",
        columns=(
            Col("cm_id", "str"),
            Col("role", "str"),
            Col("fte", "float", 1),
            Col("week", "int"),
            Col("week_start", "date"),
            Col("task", "str"),
            Col("hours", "float", 2),
            Col("crisis", "bool"),
        ),
        sort_by=("cm_id", "week", "task"),
        generate=generate_cm_task_log,
    )
)
