"""assessments_demo: completed competency self-assessments for the HR view (course's own data).

Item ids, scales and orientation items are those of the course's instrument (instruments.md):
items D1.1 … D5.4 answered 1-5 or N/A (missing), importance D1 … D5 (1-5), orientation O1 … O3.
Several department or site groups are deliberately smaller than five, so that the HR view's
small-group suppression has something to do.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from course.data._core import Col, Spec, register
from course.data._util import exact_counts, ids, pick

ITEMS = tuple(f"D{d}.{i}" for d in range(1, 6) for i in range(1, 5))
IMPORTANCE = tuple(f"D{d}" for d in range(1, 6))
ORIENTATION = ("O1", "O2", "O3")
# Department sizes for 400 respondents: Legal and General management stay under five.
DEPARTMENT_COUNTS = {
    "Operations": 62,
    "Sales": 58,
    "Customer service": 52,
    "IT": 48,
    "Marketing": 46,
    "Communication": 44,
    "HR": 40,
    "R&D": 22,
    "Logistics": 12,
    "Finance": 9,
    "General management": 4,
    "Legal": 3,
}
SITES = {
    "Paris La Défense": 0.34,
    "Lyon": 0.12,
    "Lille": 0.08,
    "Toulouse": 0.08,
    "Nantes": 0.07,
    "Bordeaux": 0.06,
    "Marseille": 0.07,
    "Strasbourg": 0.04,
    "Rennes": 0.04,
    "Grenoble": 0.04,
    "Montpellier": 0.03,
    "Bruxelles": 0.015,
    "Madrid": 0.01,
    "Clermont-Ferrand": 0.008,
    "Montréal": 0.005,
}
PROFILE_BY_DEPARTMENT = {  # P(internal, external, hybrid) orientation
    "Marketing": (0.10, 0.70, 0.20),
    "Communication": (0.45, 0.25, 0.30),
    "Customer service": (0.20, 0.55, 0.25),
    "Sales": (0.25, 0.45, 0.30),
}
DEFAULT_PROFILE = (0.70, 0.05, 0.25)
# Mean skill (1-5 scale) per dimension by profile: D1 listening … D5 strategy.
SKILL = {
    "internal": (2.8, 3.0, 2.4, 2.3, 2.6),
    "external": (3.4, 3.3, 3.2, 2.8, 2.4),
    "hybrid": (3.0, 3.1, 2.8, 2.6, 2.6),
}
ORIENTATION_MEAN = {
    "internal": (4.3, 1.6, 4.0),
    "external": (1.7, 4.4, 2.0),
    "hybrid": (3.0, 3.0, 3.0),
}
NA_RATE = 0.06


def generate_assessments_demo(rng: np.random.Generator, n_respondents: int = 400) -> pd.DataFrame:
    """Generate completed self-assessments.

    Args:
        rng: the dataset's seeded generator.
        n_respondents: number of completed assessments (the department sizes are scaled).

    Returns:
        One row per respondent; N/A answers and skipped questions are missing values.
    """
    n = n_respondents
    counts = {k: max(1, round(v * n / 400)) for k, v in DEPARTMENT_COUNTS.items()}
    counts["Operations"] += n - sum(counts.values())
    department = exact_counts(rng, counts)
    site = pick(rng, SITES, n)
    profiles = np.array(["internal", "external", "hybrid"], dtype=object)
    profile = np.empty(n, dtype=object)
    for dep in counts:
        rows = np.flatnonzero(department == dep)
        profile[rows] = profiles[
            rng.choice(3, rows.size, p=PROFILE_BY_DEPARTMENT.get(dep, DEFAULT_PROFILE))
        ]

    ability = rng.normal(0.0, 0.6, n)  # a person's general level
    skill = np.array([SKILL[p] for p in profile]) + ability[:, None]  # (n, 5)
    answers = skill.repeat(4, axis=1) + rng.normal(0, 0.6, (n, 20))
    answers = np.clip(np.round(answers), 1, 5)
    answers[rng.random((n, 20)) < NA_RATE] = np.nan
    # A few respondents skip most of a dimension (score becomes missing, never 0).
    skipper = rng.random(n) < 0.04
    dim = rng.integers(0, 5, n)
    for r in np.flatnonzero(skipper):
        answers[r, dim[r] * 4 : dim[r] * 4 + 3] = np.nan

    importance = np.clip(np.round(rng.normal(3.6, 0.9, (n, 5)) + 0.3 * (5 - skill) / 2), 1, 5)
    importance[rng.random((n, 5)) < 0.03] = np.nan
    orientation = np.array([ORIENTATION_MEAN[p] for p in profile]) + rng.normal(0, 0.7, (n, 3))
    orientation = np.clip(np.round(orientation), 1, 5)
    orientation[rng.random((n, 3)) < 0.04] = np.nan

    submitted = np.datetime64("2025-09-01") + rng.integers(0, 91, n).astype("timedelta64[D]")
    frame = pd.DataFrame({"department": department, "site": site, "submitted_on": submitted})
    for j, item in enumerate(ITEMS):
        frame[item] = pd.array(answers[:, j], dtype="Int64")
    for j, item in enumerate(IMPORTANCE):
        frame[item] = pd.array(importance[:, j], dtype="Int64")
    for j, item in enumerate(ORIENTATION):
        frame[item] = pd.array(orientation[:, j], dtype="Int64")
    frame = frame.sort_values(["submitted_on", "department", "site"], kind="mergesort")
    frame.insert(0, "respondent_id", ids("A", n, 4))
    return frame.reset_index(drop=True)


SPEC = register(
    Spec(
        name="assessments_demo",
        summary="completed CM competency self-assessments (items, importance, orientation)",
        columns=(
            Col("respondent_id", "str"),
            Col("department", "str"),
            Col("site", "str"),
            Col("submitted_on", "date"),
            *(Col(c, "Int64") for c in ITEMS + IMPORTANCE + ORIENTATION),
        ),
        sort_by=("respondent_id",),
        generate=generate_assessments_demo,
    )
)
