"""employees and rse_usage: a company rolling out its enterprise social network (RSE) site by site.

``rse_usage`` uses the exact column layout of the Viva Engage (Yammer) activity user-detail
report of Microsoft Graph (reportroot-getyammeractivityuserdetail), one D30 snapshot per month.
Adoption follows a Bass process per rollout wave whose monthly ``p`` and ``q`` are the course's
assumption (:data:`WAVES`); the share of read-only users at maturity is calibrated on SWOOP
Analytics' 2022/23 benchmark (almost 60% of staff only read).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from course.data._core import SCENARIOS, Col, Spec, register
from course.data._util import pick, pick_by

N_EMPLOYEES = 12_000
N_MONTHS = 24
FIRST_MONTH = np.datetime64("2024-01", "M")
DOMAIN = "entreprise.example"

# site -> (country, share of staff, rollout wave)
SITES = {
    "Paris La Défense": ("FR", 0.22, 1),
    "Lyon": ("FR", 0.10, 1),
    "Lille": ("FR", 0.08, 2),
    "Toulouse": ("FR", 0.08, 2),
    "Nantes": ("FR", 0.07, 2),
    "Bordeaux": ("FR", 0.06, 2),
    "Marseille": ("FR", 0.07, 3),
    "Strasbourg": ("FR", 0.05, 3),
    "Rennes": ("FR", 0.05, 3),
    "Grenoble": ("FR", 0.05, 3),
    "Montpellier": ("FR", 0.04, 4),
    "Clermont-Ferrand": ("FR", 0.03, 4),
    "Bruxelles": ("BE", 0.04, 4),
    "Madrid": ("ES", 0.04, 4),
    "Montréal": ("CA", 0.02, 4),
}
# wave -> (first month index, monthly Bass p, monthly Bass q): the course's assumption.
WAVES = {1: (0, 0.02, 0.30), 2: (3, 0.03, 0.40), 3: (6, 0.04, 0.45), 4: (9, 0.05, 0.50)}
DEPARTMENTS = {
    "Operations": 0.24,
    "Sales": 0.13,
    "R&D": 0.10,
    "Customer service": 0.10,
    "IT": 0.08,
    "Logistics": 0.09,
    "Finance": 0.06,
    "Marketing": 0.05,
    "HR": 0.05,
    "Communication": 0.03,
    "Legal": 0.03,
    "General management": 0.04,
}
HQ_ONLY_BOOST = {"General management", "Legal", "Communication", "Marketing", "Finance"}
JOB_FAMILY = {
    "Operations": {"technician": 0.60, "engineer": 0.15, "administrative": 0.10, "expert": 0.15},
    "Logistics": {"technician": 0.60, "administrative": 0.25, "expert": 0.15},
    "R&D": {"engineer": 0.60, "expert": 0.30, "technician": 0.10},
    "IT": {"engineer": 0.55, "expert": 0.30, "technician": 0.15},
    "Sales": {"sales": 0.80, "administrative": 0.10, "expert": 0.10},
    "Customer service": {"sales": 0.35, "administrative": 0.45, "expert": 0.20},
    "Marketing": {"expert": 0.60, "sales": 0.25, "administrative": 0.15},
}
CORPORATE_FAMILY = {"expert": 0.55, "administrative": 0.40, "executive": 0.05}
LANGUAGE_BY_COUNTRY = {
    "FR": {"fr": 0.97, "en": 0.03},
    "BE": {"fr": 0.60, "nl": 0.30, "en": 0.10},
    "ES": {"es": 0.80, "en": 0.20},
    "CA": {"fr": 0.70, "en": 0.30},
}
# Ultimate share of adopters by job family (frontline staff adopt less).
POTENTIAL = {
    "technician": 0.68,
    "engineer": 0.90,
    "sales": 0.85,
    "administrative": 0.88,
    "expert": 0.92,
    "executive": 0.95,
}
PRODUCT = {"technician": "MICROSOFT 365 F3", "executive": "MICROSOFT 365 E5"}
DEFAULT_PRODUCT = "MICROSOFT 365 E3"
# Usage types among adopters: share, P(active in a month), mean reads, likes, posts per month.
USER_TYPES = {
    "reader": (0.58, 0.70, 14.0, 0.0, 0.0),
    "liker": (0.27, 0.80, 24.0, 4.0, 0.0),
    "poster": (0.125, 0.85, 40.0, 6.0, 1.6),
    "champion": (0.025, 0.97, 120.0, 30.0, 16.0),
}
MONTH_ACTIVITY = np.array([1, 1, 1, 1, 0.95, 1, 0.85, 0.6, 1, 1, 1, 0.85])  # Jan..Dec
ANNUAL_LEAVING = 0.04


def bass_cdf(t, p: float, q: float):
    """Bass cumulative adoption F(t) (share of eventual adopters by time t)."""
    decay = np.exp(-(p + q) * np.asarray(t, dtype=float))
    return (1 - decay) / (1 + (q / p) * decay)


def bass_sample(rng: np.random.Generator, p: float, q: float, size: int) -> np.ndarray:
    """Adoption times drawn from the Bass distribution by inverting F."""
    u = rng.random(size)
    return -np.log((1 - u) / (1 + (q / p) * u)) / (p + q)


def generate_employees(rng: np.random.Generator, n_employees: int = N_EMPLOYEES) -> pd.DataFrame:
    """Generate pseudonymous employees with their site's rollout wave.

    Args:
        rng: the dataset's seeded generator.
        n_employees: number of employees (12,000 shipped; 160,000 in the ``edf-160k`` scenario).

    Returns:
        One row per employee.
    """
    n = n_employees
    site_names = np.array(list(SITES), dtype=object)
    site_share = np.array([s[1] for s in SITES.values()])
    site_idx = rng.choice(len(SITES), n, p=site_share / site_share.sum())
    site = site_names[site_idx]
    country = np.array([s[0] for s in SITES.values()], dtype=object)[site_idx]
    wave = np.array([s[2] for s in SITES.values()])[site_idx]

    department = pick(rng, DEPARTMENTS, n)
    # Head-office functions sit mostly at La Défense: move most of them there.
    corporate = np.isin(department, list(HQ_ONLY_BOOST)) & (site != "Paris La Défense")
    moved = corporate & (rng.random(n) < 0.55)
    site[moved] = "Paris La Défense"
    country[moved] = "FR"
    wave[moved] = 1

    family = pick_by(rng, department, {**{d: CORPORATE_FAMILY for d in DEPARTMENTS}, **JOB_FAMILY})
    manager_rate = np.where(site == "Paris La Défense", 0.16, 0.10)
    is_manager = (rng.random(n) < manager_rate) | (family == "executive")
    language = pick_by(rng, country, LANGUAGE_BY_COUNTRY)
    rollout = FIRST_MONTH + np.array([WAVES[w][0] for w in wave]).astype("timedelta64[M]")
    number = np.char.zfill(np.arange(1, n + 1).astype(str), 6)
    return pd.DataFrame(
        {
            "employee_id": np.char.add("E", number).astype(object),
            "user_principal_name": np.char.add(np.char.add("e", number), "@" + DOMAIN).astype(
                object
            ),
            "department": department,
            "site": site,
            "country": country,
            "job_family": family,
            "is_manager": is_manager,
            "language": language,
            "rollout_wave": wave.astype(np.int64),
            "rollout_date": rollout.astype("datetime64[D]"),
        }
    )


BLOCK_USERS = 20_000  # users simulated at a time: bounds memory in the 160k scenario


def generate_rse_usage(
    rng: np.random.Generator, employees: pd.DataFrame, n_months: int = N_MONTHS
) -> pd.DataFrame:
    """Generate monthly D30 snapshots of the Viva Engage activity user-detail report.

    Args:
        rng: the dataset's seeded generator.
        employees: the ``employees`` frame (user principal names, sites, waves).
        n_months: number of monthly snapshots from January 2024.

    Returns:
        One row per licensed user and month, from the site's rollout to the user's departure,
        with the report's exact column names.
    """
    blocks = [
        _usage_block(rng, employees.iloc[first : first + BLOCK_USERS], n_months, first)
        for first in range(0, len(employees), BLOCK_USERS)
    ]
    columns = {key: np.concatenate([b[key] for b in blocks]) for key in blocks[0]}
    del blocks  # free each block's arrays before the copies below
    order = np.lexsort((columns["user"], columns["month"]))  # by month, then user
    for key in columns:  # one column at a time: at most one extra copy alive
        columns[key] = columns[key][order]
    user, month = columns["user"], columns["month"]

    # Index arrays of distinct Python strings, so that millions of rows share a few objects.
    upn = employees["user_principal_name"].to_numpy()
    display = np.array(["Employee " + e for e in employees["employee_id"]], dtype=object)
    state = np.array(["Active", "Deleted"], dtype=object)
    family = employees["job_family"].to_numpy()
    products = np.array([PRODUCT.get(f, DEFAULT_PRODUCT) for f in family], dtype=object)
    month_end = (FIRST_MONTH + np.arange(n_months) + 1).astype("datetime64[D]") - 1
    return pd.DataFrame(
        {
            "Report Refresh Date": month_end[month],
            "User Principal Name": upn[user],
            "Display Name": display[user],
            "User State": state[columns["deleted"].astype(np.int64)],
            "State Change Date": columns["state_change"].astype("datetime64[D]"),
            "Last Activity Date": columns["last_activity"],
            "Posted Count": columns["posts"],
            "Read Count": columns["reads"],
            "Liked Count": columns["likes"],
            "Assigned Products": products[user],
            "Report Period": np.full(user.size, 30, dtype=np.int64),
        },
        copy=False,  # the arrays are fresh: no need for pandas' defensive copy
    )


def _usage_block(
    rng: np.random.Generator, employees: pd.DataFrame, n_months: int, first: int
) -> dict[str, np.ndarray]:
    """Simulate one block of users; returns flat per-row arrays (``user`` is a global index)."""
    n = len(employees)
    wave = employees["rollout_wave"].to_numpy()
    family = employees["job_family"].to_numpy()
    start = np.array([WAVES[w][0] for w in wave])
    months = np.arange(n_months)

    # Adoption: a share POTENTIAL adopts, at a Bass-distributed time after their site's rollout.
    adopts = rng.random(n) < np.array([POTENTIAL[f] for f in family])
    adopt_time = np.full(n, np.inf)
    for w, (_, p, q) in WAVES.items():
        rows = np.flatnonzero(wave == w)
        adopt_time[rows] = bass_sample(rng, p, q, rows.size)
    adopt_time[~adopts] = np.inf
    adopt_month = start + np.floor(adopt_time)  # month index of first activity (inf: never)

    # Usage type: early adopters and managers are likelier champions.
    type_names = list(USER_TYPES)
    base = np.array([USER_TYPES[t][0] for t in type_names])
    early = adopt_time < 2
    weights = np.tile(base, (n, 1))
    weights[:, 3] *= np.where(early, 3.0, 0.6) * np.where(
        employees["is_manager"].to_numpy(), 1.5, 1
    )
    weights /= weights.sum(axis=1, keepdims=True)
    kind = (rng.random((n, 1)) > np.cumsum(weights, axis=1)).sum(axis=1)
    params = np.array([USER_TYPES[t][1:] for t in type_names])[kind]  # (n, 4)

    # Departures: a constant monthly hazard; the user's last row says Deleted.
    leave_month = np.floor(rng.exponential(12 / ANNUAL_LEAVING, n)).astype(np.int64)
    leave_month = np.where(leave_month > start, leave_month, n_months + 1)

    grid = months[None, :]
    exists = (grid >= start[:, None]) & (grid <= leave_month[:, None])
    adopted = grid >= adopt_month[:, None]
    month_factor = MONTH_ACTIVITY[(months + FIRST_MONTH.astype(int)) % 12][None, :]
    ramp = np.clip((grid - adopt_month[:, None] + 1) / 3, 0.5, 1.0)  # habits build over a quarter
    active = adopted & (rng.random((n, n_months)) < params[:, [0]] * month_factor)
    active |= grid == adopt_month[:, None]  # the adoption month has activity by definition
    active &= exists & adopted

    intensity = rng.gamma(2.0, 0.5, (n, n_months)) * ramp
    reads = np.where(active, 1 + rng.poisson(params[:, [1]] * intensity), 0)
    likes = np.where(active, rng.poisson(params[:, [2]] * intensity), 0)
    posts = np.where(active, rng.poisson(params[:, [3]] * intensity), 0)

    month_start = (FIRST_MONTH + months).astype("datetime64[D]")
    month_end = (FIRST_MONTH + months + 1).astype("datetime64[D]") - 1
    days_in = (month_end - month_start).astype(int) + 1
    # Last activity: late in an active month (heavy users later), carried forward otherwise.
    back = np.minimum(rng.exponential(4.0, (n, n_months)).astype(int), days_in[None, :] - 1)
    day_num = month_end.astype(int)[None, :] - back
    last = np.where(active, day_num, np.iinfo(np.int64).min)
    last = np.maximum.accumulate(last, axis=1)

    leave_day = month_start.astype(int)[np.minimum(leave_month, n_months - 1)] + rng.integers(
        0, 28, n
    )
    deleted = grid == leave_month[:, None]
    state_change = np.where(
        deleted,
        leave_day[:, None],
        (FIRST_MONTH + start).astype("datetime64[D]").astype(int)[:, None],
    )

    user_idx, month_idx = np.nonzero(exists)  # row-major: by user, then month
    order = np.lexsort((user_idx, month_idx))  # sort by month, then user
    user_idx, month_idx = user_idx[order], month_idx[order]
    last_flat = last[user_idx, month_idx]
    last_dates = np.where(
        last_flat == np.iinfo(np.int64).min, np.datetime64("NaT"), last_flat.astype("datetime64[D]")
    )
    return {
        "user": user_idx + first,
        "month": month_idx,
        "deleted": deleted[user_idx, month_idx],
        "state_change": state_change[user_idx, month_idx],
        "last_activity": last_dates,
        "posts": posts[user_idx, month_idx],
        "reads": reads[user_idx, month_idx],
        "likes": likes[user_idx, month_idx],
    }


EMPLOYEES = register(
    Spec(
        name="employees",
        summary="pseudonymous employees of a 15-site company with their RSE rollout wave",
        columns=(
            Col("employee_id", "str"),
            Col("user_principal_name", "str"),
            Col("department", "str"),
            Col("site", "str"),
            Col("country", "str"),
            Col("job_family", "str"),
            Col("is_manager", "bool"),
            Col("language", "str"),
            Col("rollout_wave", "int"),
            Col("rollout_date", "date"),
        ),
        sort_by=("employee_id",),
        generate=generate_employees,
    )
)

RSE_USAGE = register(
    Spec(
        name="rse_usage",
        summary="monthly Viva Engage activity user-detail report (D30) per user over 24 months",
        columns=(
            Col("Report Refresh Date", "date"),
            Col("User Principal Name", "str"),
            Col("Display Name", "str"),
            Col("User State", "str"),
            Col("State Change Date", "date"),
            Col("Last Activity Date", "date"),
            Col("Posted Count", "int"),
            Col("Read Count", "int"),
            Col("Liked Count", "int"),
            Col("Assigned Products", "str"),
            Col("Report Period", "int"),
        ),
        sort_by=("Report Refresh Date", "User Principal Name"),
        generate=generate_rse_usage,
        deps=("employees",),
    )
)

# EDF's intranet 2.0 was to serve about 160,000 registered users (JDN, S1).
SCENARIOS["edf-160k"] = {"employees": {"n_employees": 160_000}, "rse_usage": {}}
