"""community_kpis and maturity_ratings: the scorecard and maturity data of module M6.

The KPI definitions follow the course (active = any activity including reading; interactive =
posted, replied or liked, as SWOOP Analytics distinguishes them; engagement around 20% of those
reached in SWOOP's 2016 benchmark). The maturity ratings use the course's eight-dimension
instrument (stages 1-4), itself anchored on The Community Roundtable's Community Maturity Model.
All trajectories and levels are the course's assumption.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from course.assess.maturity import DIMENSIONS  # the instrument's own list, in its order
from course.data._core import Col, Spec, register
from course.data._util import ids

FIRST_MONTH = np.datetime64("2024-01", "M")
COMMUNITIES = [  # (name, kind, dedicated CM, trajectory)
    ("Réseau des managers", "internal", True, "growing"),
    ("Sécurité au quotidien", "internal", True, "steady"),
    ("Support IT entre pairs", "internal", True, "growing"),
    ("Nouveaux arrivants", "internal", False, "steady"),
    ("Projet Atlas", "internal", False, "declining"),
    ("Ventes B2B", "internal", True, "steady"),
    ("Qualité et amélioration continue", "internal", False, "steady"),
    ("RH de proximité", "internal", False, "growing"),
    ("Innovation ouverte", "internal", False, "declining"),
    ("Site de Lyon", "internal", False, "steady"),
    ("Site de Lille", "internal", False, "growing"),
    ("Communication interne", "internal", True, "steady"),
    ("Data et reporting", "internal", False, "growing"),
    ("Télétravail", "internal", False, "declining"),
    ("Page de marque Vellor", "external", True, "growing"),
    ("Club des utilisateurs Vellor", "external", True, "steady"),
    ("Forum d'entraide produits", "external", True, "growing"),
    ("Ambassadeurs Vellor", "external", False, "steady"),
    ("Recettes et astuces", "external", False, "declining"),
    ("Vellor Pro (revendeurs)", "external", False, "steady"),
]
GROWTH = {"growing": 0.035, "steady": 0.008, "declining": -0.02}  # monthly member growth

# Offset of each dimension from a department's overall level: tools run ahead, culture and
# measurement lag (the course's reading of The Community Roundtable's SOCM findings).
DIMENSION_OFFSET = (0.0, -0.1, -0.4, 0.1, 0.2, 0.0, 0.5, -0.5)
MATURITY_DEPARTMENTS = {  # department -> (level in 2022, yearly progress, respondents per year)
    "Operations": (1.5, 0.30, 6),
    "Sales": (1.8, 0.25, 5),
    "R&D": (2.1, 0.30, 5),
    "Customer service": (2.0, 0.35, 5),
    "IT": (2.4, 0.30, 6),
    "Logistics": (1.4, 0.20, 4),
    "Finance": (1.6, 0.15, 3),
    "Marketing": (2.3, 0.25, 4),
    "HR": (2.0, 0.35, 4),
    "Communication": (2.6, 0.30, 4),
    "Legal": (1.3, 0.10, 2),
    "General management": (1.9, 0.20, 3),
}
YEARS = (2022, 2023, 2024, 2025)
RESPONDENT_ROLES = {
    "community manager": 0.35,
    "manager": 0.35,
    "HR": 0.10,
    "IT": 0.10,
    "communication": 0.10,
}


def generate_community_kpis(
    rng: np.random.Generator, n_communities: int = 20, n_months: int = 24
) -> pd.DataFrame:
    """Generate monthly KPIs per community.

    Args:
        rng: the dataset's seeded generator.
        n_communities: number of communities (at most 20 named ones).
        n_months: months from January 2024.

    Returns:
        One row per community and month.
    """
    frames = []
    months = np.arange(n_months)
    for i, (name, kind, has_cm, trend) in enumerate(COMMUNITIES[:n_communities]):
        base = rng.lognormal(np.log(900 if kind == "internal" else 6000), 0.7)
        members = base * np.exp(GROWTH[trend] * months + np.cumsum(rng.normal(0, 0.01, n_months)))
        members = np.round(members).astype(np.int64)
        seasonal = np.where((months % 12) == 7, 0.7, 1.0)  # August
        active_share = np.clip(rng.normal(0.45 if has_cm else 0.33, 0.05), 0.15, 0.8)
        drift = {"growing": 0.004, "steady": 0.0, "declining": -0.006}[trend]
        active_rate = np.clip(
            active_share + drift * months + rng.normal(0, 0.02, n_months), 0.05, 0.9
        )
        active = rng.binomial(members, active_rate * seasonal)
        inter_share = np.clip(rng.normal(0.30 if has_cm else 0.20, 0.05), 0.05, 0.6)
        interactive = rng.binomial(
            active, np.clip(inter_share + rng.normal(0, 0.02, n_months), 0.02, 0.9)
        )
        posts = rng.poisson(interactive * (1.2 if kind == "internal" else 0.4) + 1)
        reply_rate = np.clip(
            rng.normal(0.85 if has_cm else 0.65, 0.05) + rng.normal(0, 0.04, n_months), 0.2, 1.0
        )
        median_hours = rng.lognormal(
            np.log((4.0 if has_cm else 14.0) * (1.6 if kind == "internal" else 1.0)), 0.25, n_months
        )
        satisfaction = np.clip(
            3.2 + 0.6 * has_cm + 0.4 * (reply_rate - 0.75) * 5 + rng.normal(0, 0.15, n_months), 1, 5
        )
        quarterly = (months % 3) == 2  # the pulse survey runs in March, June, September, December
        frames.append(
            pd.DataFrame(
                {
                    "community_id": f"K{i + 1:02d}",
                    "community": name,
                    "kind": kind,
                    "has_dedicated_cm": has_cm,
                    "month": (FIRST_MONTH + months).astype("datetime64[D]"),
                    "members": members,
                    "active_members": active,
                    "interactive_members": interactive,
                    "posts": posts,
                    "reply_rate": np.round(reply_rate, 3),
                    "median_hours_to_first_reply": np.round(median_hours, 1),
                    "satisfaction": np.where(quarterly, np.round(satisfaction, 2), np.nan),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def generate_maturity_ratings(rng: np.random.Generator, n_years: int = 4) -> pd.DataFrame:
    """Generate maturity self-ratings (stages 1-4 on eight dimensions) per department and year.

    Args:
        rng: the dataset's seeded generator.
        n_years: number of yearly campaigns, ending in 2025.

    Returns:
        One row per completed rating (some department-years have fewer than five).
    """
    rows = []
    years = YEARS[-n_years:]
    for department, (level, progress, per_year) in MATURITY_DEPARTMENTS.items():
        for k, year in enumerate(years):
            n = max(1, int(rng.poisson(per_year)))
            latent = level + progress * k
            stages = latent + np.array(DIMENSION_OFFSET) + rng.normal(0, 0.55, (n, len(DIMENSIONS)))
            stages = np.clip(np.round(stages), 1, 4).astype(np.int64)
            day = rng.integers(0, 30, n)
            submitted = np.datetime64(f"{year}-11-03") + day.astype("timedelta64[D]")
            roles = np.array(list(RESPONDENT_ROLES), dtype=object)
            weights = np.array(list(RESPONDENT_ROLES.values()))
            role = roles[rng.choice(len(roles), n, p=weights)]
            for j in range(n):
                rows.append((year, department, role[j], submitted[j], *stages[j]))
    frame = pd.DataFrame(
        rows, columns=["year", "department", "respondent_role", "submitted_on", *DIMENSIONS]
    )
    frame = frame.sort_values(["year", "department", "submitted_on"], kind="mergesort")
    frame.insert(0, "rating_id", ids("MR", len(frame), 4))
    return frame.reset_index(drop=True)


COMMUNITY_KPIS = register(
    Spec(
        name="community_kpis",
        summary="monthly KPIs of 20 communities over 24 months (members, active, replies, satisfaction)",
        columns=(
            Col("community_id", "str"),
            Col("community", "str"),
            Col("kind", "str"),
            Col("has_dedicated_cm", "bool"),
            Col("month", "date"),
            Col("members", "int"),
            Col("active_members", "int"),
            Col("interactive_members", "int"),
            Col("posts", "int"),
            Col("reply_rate", "float", 3),
            Col("median_hours_to_first_reply", "float", 1),
            Col("satisfaction", "float", 2),
        ),
        sort_by=("community_id", "month"),
        generate=generate_community_kpis,
    )
)

MATURITY_RATINGS = register(
    Spec(
        name="maturity_ratings",
        summary="RSE maturity stages (1-4) on eight dimensions per department and year",
        columns=(
            Col("rating_id", "str"),
            Col("year", "int"),
            Col("department", "str"),
            Col("respondent_role", "str"),
            Col("submitted_on", "date"),
            *(Col(d, "int") for d in DIMENSIONS),
        ),
        sort_by=("rating_id",),
        generate=generate_maturity_ratings,
    )
)
