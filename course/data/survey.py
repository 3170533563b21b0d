"""cm_survey: respondents of a 2012-style survey of community managers in France.

The six published marginals (RegionsJob & ANOV Agency survey, 2012, 577 respondents) are
reproduced exactly as ``round(share x 577)``; every other column is the course's assumption,
drawn conditionally so that the rows stay coherent (freelancers have no salary band, internal
CMs report to communication, HR or IT and use the enterprise social network, and so on).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from course.data._core import Col, Spec, register
from course.data._util import exact_counts, ids, pick, pick_by

N_RESPONDENTS = 577

# Published marginals (S2) as exact counts; the other categories are the course's split.
GENDER = {"woman": 300, "man": 277}
AGE_BAND = {"under 26": 180, "26-35": 260, "36-45": 100, "over 45": 37}
EMPLOYER = {
    "SME": 156,
    "digital agency": 87,
    "large company": 150,
    "freelance": 70,
    "start-up": 45,
    "public or non-profit": 69,
}
IDF = "Île-de-France"
OTHER_REGIONS = {  # 2012 regions (before the 2016 merger)
    "Rhône-Alpes": 0.20,
    "Provence-Alpes-Côte d'Azur": 0.12,
    "Nord-Pas-de-Calais": 0.09,
    "Aquitaine": 0.08,
    "Midi-Pyrénées": 0.08,
    "Pays de la Loire": 0.08,
    "Bretagne": 0.07,
    "Alsace": 0.05,
    "other region": 0.19,
    "outside France": 0.04,
}
JOB_BOARD = "job board"
OTHER_CHANNELS = {
    "professional network": 0.26,
    "internal move": 0.18,
    "spontaneous application": 0.17,
    "internship or work-study": 0.17,
    "social media": 0.13,
    "recruitment firm": 0.09,
}
ROLE_BY_EMPLOYER = {
    "SME": {"external": 0.72, "hybrid": 0.22, "internal": 0.06},
    "digital agency": {"external": 0.95, "hybrid": 0.05},
    "large company": {"external": 0.42, "hybrid": 0.28, "internal": 0.30},
    "freelance": {"external": 0.90, "hybrid": 0.10},
    "start-up": {"external": 0.80, "hybrid": 0.20},
    "public or non-profit": {"external": 0.50, "hybrid": 0.25, "internal": 0.25},
}
REPORTS_TO_BY_ROLE = {
    "external": {
        "marketing": 0.46,
        "communication": 0.38,
        "general management": 0.11,
        "customer service": 0.05,
    },
    "hybrid": {"communication": 0.58, "marketing": 0.20, "HR": 0.10, "general management": 0.12},
    "internal": {"communication": 0.45, "HR": 0.25, "IT": 0.20, "general management": 0.10},
}
SALARY_BANDS = ["under 25k", "25-30k", "30-35k", "35-45k", "over 45k"]
TOOLS = {  # tool -> probability of use for (external, hybrid, internal) CMs
    "facebook": (0.96, 0.85, 0.35),
    "twitter": (0.86, 0.80, 0.45),
    "linkedin": (0.52, 0.60, 0.55),
    "viadeo": (0.33, 0.35, 0.30),
    "youtube": (0.42, 0.35, 0.20),
    "google_plus": (0.30, 0.25, 0.10),
    "blog": (0.50, 0.55, 0.45),
    "hootsuite": (0.42, 0.35, 0.12),
    "google_analytics": (0.58, 0.50, 0.25),
    "rse": (0.03, 0.55, 0.92),
}
ROLE_INDEX = {"external": 0, "hybrid": 1, "internal": 2}
EXPERIENCE_BY_AGE = {
    "under 26": (1.0, 3),
    "26-35": (2.0, 6),
    "36-45": (2.8, 8),
    "over 45": (3.2, 8),
}
MEAN_HOURS = {
    "SME": 19.0,
    "digital agency": 34.0,
    "large company": 28.0,
    "freelance": 24.0,
    "start-up": 27.0,
    "public or non-profit": 21.0,
}


def generate_cm_survey(
    rng: np.random.Generator, n_respondents: int = N_RESPONDENTS
) -> pd.DataFrame:
    """Generate the survey respondents.

    Args:
        rng: the dataset's seeded generator.
        n_respondents: number of rows; the published counts are scaled as round(share x n).

    Returns:
        One row per respondent (columns in :data:`SPEC`).
    """
    n = n_respondents

    def scaled(counts: dict[str, int]) -> dict[str, int]:
        if n == N_RESPONDENTS:
            return counts
        out = {k: round(v / N_RESPONDENTS * n) for k, v in counts.items()}
        last = list(out)[-1]
        out[last] = n - sum(v for k, v in out.items() if k != last)
        return out

    gender = exact_counts(rng, scaled(GENDER))
    age = exact_counts(rng, scaled(AGE_BAND))
    employer = exact_counts(rng, scaled(EMPLOYER))
    n_idf = round(0.496 * n)
    region = pick(rng, OTHER_REGIONS, n)
    region[rng.permutation(n)[:n_idf]] = IDF

    freelance = employer == "freelance"
    role = pick_by(rng, employer, ROLE_BY_EMPLOYER)

    # Hiring channel: exactly round(23% x n) through job boards, never for freelancers;
    # internal moves are likelier for internal CMs in large organisations.
    channel = pick(rng, OTHER_CHANNELS, n)
    internal_like = (role != "external") & np.isin(
        employer, ["large company", "public or non-profit"]
    )
    channel[(channel == "internal move") & ~internal_like & (rng.random(n) < 0.6)] = (
        "professional network"
    )
    hired = np.flatnonzero(~freelance)
    weights = np.where(employer[hired] == "SME", 1.3, 1.0)
    n_board = round(0.23 * n)
    board = rng.choice(hired, size=n_board, replace=False, p=weights / weights.sum())
    channel[board] = JOB_BOARD
    channel[freelance] = "not applicable (freelance)"

    reports_to = pick_by(rng, role, REPORTS_TO_BY_ROLE)
    reports_to[freelance] = "none (freelance)"

    # Years as CM: young profession (few years), more with age, capped by its history.
    experience = np.zeros(n, dtype=np.int64)
    for band, (mean, cap) in EXPERIENCE_BY_AGE.items():
        rows = np.flatnonzero(age == band)
        experience[rows] = np.minimum(rng.poisson(mean, rows.size), cap)

    # Salary band: a latent score from experience, region, employer; none for freelancers.
    latent = (
        0.45 * experience
        + 0.8 * (region == IDF)
        + 0.7 * (employer == "large company")
        - 0.6 * (employer == "digital agency")
        - 0.3 * (employer == "public or non-profit")
        + 0.5 * np.isin(age, ["36-45", "over 45"])
        + rng.normal(0.0, 0.8, n)
    )
    salary = np.array(SALARY_BANDS, dtype=object)[np.digitize(latent, [0.4, 1.3, 2.2, 3.3])]
    salary[freelance] = None

    role_idx = np.array([ROLE_INDEX[r] for r in role])
    used = {tool: rng.random(n) < np.array(p)[role_idx] for tool, p in TOOLS.items()}
    tool_names = np.array(list(TOOLS), dtype=object)
    matrix = np.column_stack(list(used.values()))
    matrix[~matrix.any(axis=1), 0] = True  # everyone uses at least one tool
    tools = np.array([";".join(tool_names[row]) for row in matrix], dtype=object)

    mean_hours = np.array([MEAN_HOURS[e] for e in employer])
    hours = np.clip(rng.normal(mean_hours, 7.0), 3.0, 55.0).round(1)

    start = np.datetime64("2012-04-12")
    days = np.minimum(rng.exponential(7.0, n).astype(int), 26)  # 12 April to 8 May 2012
    responded = start + days.astype("timedelta64[D]")

    return pd.DataFrame(
        {
            "respondent_id": ids("R", n, 4),
            "responded_on": responded,
            "gender": gender,
            "age_band": age,
            "region": region,
            "employer_type": employer,
            "hiring_channel": channel,
            "role": role,
            "reports_to": reports_to,
            "experience_years": experience,
            "salary_band": salary,
            "tools": tools,
            "weekly_hours": hours,
        }
    )


SPEC = register(
    Spec(
        name="cm_survey",
        summary="respondents of a 2012-style survey of French community managers",
        columns=(
            Col("respondent_id", "str"),
            Col("responded_on", "date"),
            Col("gender", "str"),
            Col("age_band", "str"),
            Col("region", "str"),
            Col("employer_type", "str"),
            Col("hiring_channel", "str"),
            Col("role", "str"),
            Col("reports_to", "str"),
            Col("experience_years", "int"),
            Col("salary_band", "str"),
            Col("tools", "str"),
            Col("weekly_hours", "float", 1),
        ),
        sort_by=("respondent_id",),
        generate=generate_cm_survey,
    )
)
