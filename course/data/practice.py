"""cops, cop_members, cop_events: communities of practice across the company's sites.

Lifecycle stages follow Wenger, McDermott & Snyder (2002): potential, coalescing, maturing,
stewardship, transformation; participation bands follow the same book (ch. 3): a core group of
10-15% of members, an active group of 15-20%, the rest peripheral. The goals of a community of
practice (represent a profession, manage across silos, link distant sites, solve problems and
innovate, spread skills) are those listed in the French sources (S0, S3). Sizes, activity rates
and timings are the course's assumption.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from course.data._core import Col, Spec, register
from course.data._util import exact_counts, ids

STAGES = ("potential", "coalescing", "maturing", "stewardship", "transformation")
STAGE_COUNTS = {
    "potential": 4,
    "coalescing": 6,
    "maturing": 9,
    "stewardship": 8,
    "transformation": 3,
}
# stage -> (min size, max size, questions per member over the window, time profile Beta(a, b))
STAGE_PROFILE = {
    "potential": (20, 35, 0.6, (1.5, 1.0)),
    "coalescing": (40, 90, 1.4, (2.0, 1.0)),
    "maturing": (90, 200, 2.4, (1.0, 1.0)),
    "stewardship": (120, 220, 2.1, (1.0, 1.0)),
    "transformation": (50, 120, 1.2, (1.0, 2.5)),
}
# Launch window per stage (days before 2026-01-01): young communities are recent.
LAUNCH_AGE = {
    "potential": (60, 240),
    "coalescing": (200, 500),
    "maturing": (500, 1300),
    "stewardship": (1000, 2200),
    "transformation": (1500, 2600),
}
TOPICS = [  # (name, domain, department most concerned)
    ("Maintenance prédictive", "operations", "Operations"),
    ("Sécurité sur les chantiers", "safety", "Operations"),
    ("Lean et amélioration continue", "operations", "Operations"),
    ("Qualité fournisseurs", "purchasing", "Logistics"),
    ("Supply chain et prévisions", "logistics", "Logistics"),
    ("Data et tableaux de bord", "data", "IT"),
    ("Cybersécurité au quotidien", "IT", "IT"),
    ("Développeurs Python", "IT", "IT"),
    ("Automatisation bureautique", "IT", "Finance"),
    ("Relation client difficile", "customer", "Customer service"),
    ("Vente de solutions", "sales", "Sales"),
    ("Grands comptes", "sales", "Sales"),
    ("Marketing local", "marketing", "Marketing"),
    ("Réseaux sociaux de la marque", "marketing", "Communication"),
    ("Communication interne", "communication", "Communication"),
    ("Onboarding des nouveaux", "HR", "HR"),
    ("Managers de proximité", "management", "Operations"),
    ("Formateurs internes", "HR", "HR"),
    ("Contrôle de gestion", "finance", "Finance"),
    ("Achats responsables", "purchasing", "Finance"),
    ("Juristes contrats", "legal", "Legal"),
    ("Conformité RGPD", "legal", "Legal"),
    ("Innovation produit", "R&D", "R&D"),
    ("Essais et prototypes", "R&D", "R&D"),
    ("Éco-conception", "sustainability", "R&D"),
    ("Sobriété énergétique des sites", "sustainability", "Operations"),
    ("Télétravail et outils", "HR", "IT"),
    ("Accessibilité numérique", "IT", "Communication"),
    ("Gestion de projet agile", "management", "R&D"),
    ("Service après-vente terrain", "customer", "Customer service"),
]
GOALS = (
    "represent a profession",
    "manage across silos",
    "link distant sites",
    "solve problems and innovate",
    "spread skills",
)
BAND_WEIGHT = {  # relative chance to author an event of each type, by band
    "question": {"core": 2.0, "active": 2.0, "peripheral": 0.6},
    "answer": {"core": 10.0, "active": 3.0, "peripheral": 0.15},
    "document": {"core": 8.0, "active": 2.0, "peripheral": 0.05},
    "meetup": {"core": 1.0, "active": 0.0, "peripheral": 0.0},
}
WINDOW_START = np.datetime64("2024-01-01")
WINDOW_END = np.datetime64("2026-01-01")


def _band_sizes(n: int) -> tuple[int, int]:
    """Core (10-15%) and active (15-20%) counts for a community of n >= 20 members."""
    core = min(max(round(0.125 * n), math.ceil(0.10 * n)), math.floor(0.15 * n))
    active = min(max(round(0.175 * n), math.ceil(0.15 * n)), math.floor(0.20 * n))
    return core, active


def generate_cops(
    rng: np.random.Generator, employees: pd.DataFrame, n_cops: int = 30
) -> pd.DataFrame:
    """Generate the communities of practice.

    Args:
        rng: the dataset's seeded generator.
        employees: the ``employees`` frame (sponsors are managers).
        n_cops: number of communities (at most 30 topics).

    Returns:
        One row per community.
    """
    counts = {k: round(v * n_cops / 30) for k, v in STAGE_COUNTS.items()}
    counts["maturing"] += n_cops - sum(counts.values())
    stage = exact_counts(rng, counts)
    topics = [TOPICS[i] for i in rng.permutation(len(TOPICS))[:n_cops]]
    age = np.array([rng.integers(*LAUNCH_AGE[s]) for s in stage])
    launched = WINDOW_END - age.astype("timedelta64[D]")
    sites = employees["site"].value_counts()
    home = rng.choice(sites.index.to_numpy(), n_cops, p=(sites / sites.sum()).to_numpy())
    managers = employees[employees["is_manager"]]
    sponsor = np.empty(n_cops, dtype=object)
    for i, (_, _, department) in enumerate(topics):
        pool = managers[managers["department"] == department]["employee_id"].to_numpy()
        sponsor[i] = pool[int(rng.integers(pool.size))]
    # A community still at the potential stage often has no sponsor yet.
    sponsor[(stage == "potential") & (rng.random(n_cops) < 0.5)] = None
    deliberate = rng.random(n_cops) < np.where(
        np.isin(stage, ["potential", "coalescing"]), 0.5, 0.6
    )
    return pd.DataFrame(
        {
            "cop_id": ids("COP", n_cops, 2),
            "name": [t[0] for t in topics],
            "domain": [t[1] for t in topics],
            "department": [t[2] for t in topics],
            "goal": np.array(GOALS, dtype=object)[rng.integers(0, len(GOALS), n_cops)],
            "origin": np.where(deliberate, "deliberate", "spontaneous").astype(object),
            "lifecycle_stage": stage,
            "launched_on": launched,
            "home_site": home,
            "sponsor_id": sponsor,
        }
    )


def generate_cop_members(
    rng: np.random.Generator, cops: pd.DataFrame, employees: pd.DataFrame
) -> pd.DataFrame:
    """Generate memberships with exact core / active / peripheral bands per community.

    Args:
        rng: the dataset's seeded generator.
        cops: the ``cops`` frame.
        employees: the ``employees`` frame (members are employees).

    Returns:
        One row per (community, member).
    """
    frames = []
    emp_site = employees["site"].to_numpy()
    emp_dept = employees["department"].to_numpy()
    emp_id = employees["employee_id"].to_numpy()
    for cop in cops.itertuples(index=False):
        low, high, _, _ = STAGE_PROFILE[cop.lifecycle_stage]
        n = int(rng.integers(low, high + 1))
        # Half from the home site, the department concerned is over-represented.
        weight = 1.0 + 4.0 * (emp_site == cop.home_site) + 3.0 * (emp_dept == cop.department)
        chosen = rng.choice(emp_id.size, n, replace=False, p=weight / weight.sum())
        core, active = _band_sizes(n)
        band = np.array(
            ["core"] * core + ["active"] * active + ["peripheral"] * (n - core - active),
            dtype=object,
        )
        # Core members joined early, the periphery over the whole life of the community.
        launched = np.datetime64(cop.launched_on, "D")
        life = int((WINDOW_END - launched).astype(int))
        position = np.sort(rng.beta(1.0, 1.6, n))
        position[:core] *= 0.15
        joined = launched + (position * (life - 1)).astype(int).astype("timedelta64[D]")
        coordinator = np.zeros(n, dtype=bool)
        coordinator[0] = True
        frames.append(
            pd.DataFrame(
                {
                    "cop_id": cop.cop_id,
                    "employee_id": emp_id[chosen],
                    "site": emp_site[chosen],
                    "department": emp_dept[chosen],
                    "band": band,
                    "is_coordinator": coordinator,
                    "joined_on": joined,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _work_times(rng, start_day: np.ndarray, end_day: np.ndarray, beta: tuple) -> np.ndarray:
    """Timestamps between two day numbers, on weekdays in office hours, shaped by a Beta profile."""
    n = start_day.size
    day = start_day + (rng.beta(beta[0], beta[1], n) * (end_day - start_day)).astype(np.int64)
    weekday = (day + 3) % 7  # day 0 (1970-01-01) was a Thursday
    # Quiet weekends: move a weekend day to a random weekday of the same week.
    day = np.where(weekday >= 5, day - weekday + rng.integers(0, 5, n), day)
    day = np.maximum(day, start_day)
    day = np.minimum(day, end_day - 1)
    seconds = (np.clip(rng.normal(12.5, 2.5, n), 8, 18.9) * 60).astype(np.int64) * 60
    return (day * 86400 + seconds).astype("datetime64[s]")


def generate_cop_events(
    rng: np.random.Generator, cops: pd.DataFrame, cop_members: pd.DataFrame
) -> pd.DataFrame:
    """Generate questions, answers, documents and meetups of each community.

    Args:
        rng: the dataset's seeded generator.
        cops: the ``cops`` frame.
        cop_members: the ``cop_members`` frame.

    Returns:
        One row per event; an answer names the question it answers and that question's site.
    """
    frames = []
    for cop in cops.itertuples(index=False):
        members = cop_members[cop_members["cop_id"] == cop.cop_id]
        band = members["band"].to_numpy()
        member_id = members["employee_id"].to_numpy()
        member_site = members["site"].to_numpy()
        joined = members["joined_on"].to_numpy().astype("datetime64[D]").astype(np.int64)
        _, _, per_member, beta = STAGE_PROFILE[cop.lifecycle_stage]
        start = max(
            int(np.datetime64(cop.launched_on, "D").astype(int)), int(WINDOW_START.astype(int))
        )
        end = int(WINDOW_END.astype(int))

        def authors(kind: str, size: int, band: np.ndarray = band) -> np.ndarray:
            w = np.array([BAND_WEIGHT[kind][b] for b in band]) * rng.gamma(2.0, 0.5, band.size)
            return rng.choice(band.size, size, p=w / w.sum())

        n_q = rng.poisson(per_member * len(members))
        q_author = authors("question", n_q)
        q_time = _work_times(rng, np.maximum(joined[q_author], start), np.full(n_q, end), beta)
        n_answers = rng.poisson(1.4, n_q) * (rng.random(n_q) > 0.12)  # some go unanswered
        a_question = np.repeat(np.arange(n_q), n_answers)
        a_author = authors("answer", a_question.size)
        delay = (rng.lognormal(np.log(6.0), 1.3, a_question.size) * 3600).astype(np.int64)
        a_time = q_time[a_question] + delay.astype("timedelta64[s]")
        # Nobody answers before joining: fall back on the coordinator (a founding member).
        too_early = joined[a_author] > a_time.astype("datetime64[D]").astype(np.int64)
        a_author[too_early] = 0
        n_d = rng.poisson(0.45 * n_q)
        d_author = authors("document", n_d)
        d_time = _work_times(rng, np.maximum(joined[d_author], start), np.full(n_d, end), beta)
        months = max(1, (end - start) // 30)
        n_m = rng.binomial(
            months, 0.8 if cop.lifecycle_stage in ("maturing", "stewardship") else 0.4
        )
        m_author = authors("meetup", n_m)
        m_time = _work_times(rng, np.full(n_m, start), np.full(n_m, end), (1.0, 1.0))
        attendees = rng.binomial(len(members), 0.18, n_m)

        q_ids = np.char.add(f"{cop.cop_id}-Q", np.arange(n_q).astype(str)).astype(object)
        frame = pd.DataFrame(
            {
                "cop_id": cop.cop_id,
                "occurred_at": np.concatenate([q_time, a_time, d_time, m_time]),
                "event_type": np.repeat(
                    ["question", "answer", "document", "meetup"], [n_q, a_question.size, n_d, n_m]
                ).astype(object),
                "author_id": member_id[np.concatenate([q_author, a_author, d_author, m_author])],
                "author_site": member_site[
                    np.concatenate([q_author, a_author, d_author, m_author])
                ],
                "_key": np.concatenate([q_ids, np.full(a_question.size + n_d + n_m, None)]),
                "_answers": np.concatenate(
                    [np.full(n_q, None), q_ids[a_question], np.full(n_d + n_m, None)]
                ),
                "linked_site": np.concatenate(
                    [
                        np.full(n_q, None),
                        member_site[q_author][a_question],
                        np.full(n_d + n_m, None),
                    ]
                ),
                "attendees": pd.array(
                    np.concatenate([np.full(n_q + a_question.size + n_d, -1), attendees]),
                    dtype="Int64",
                ),
            }
        )
        frame.loc[frame["attendees"] < 0, "attendees"] = pd.NA
        frames.append(frame[frame["occurred_at"] < WINDOW_END])
    events = pd.concat(frames, ignore_index=True)
    events = events.sort_values(
        ["occurred_at", "cop_id", "event_type", "author_id"], kind="mergesort"
    )
    events = events.reset_index(drop=True)
    events.insert(0, "event_id", ids("EV", len(events), 6))
    # Answers point to their question's event id.
    key_to_id = dict(
        zip(events["_key"].dropna(), events.loc[events["_key"].notna(), "event_id"], strict=True)
    )
    events.insert(6, "reply_to", events["_answers"].map(key_to_id))
    return events.drop(columns=["_key", "_answers"])


COPS = register(
    Spec(
        name="cops",
        summary="communities of practice: domain, goal, sponsor, lifecycle stage",
        columns=(
            Col("cop_id", "str"),
            Col("name", "str"),
            Col("domain", "str"),
            Col("department", "str"),
            Col("goal", "str"),
            Col("origin", "str"),
            Col("lifecycle_stage", "str"),
            Col("launched_on", "date"),
            Col("home_site", "str"),
            Col("sponsor_id", "str"),
        ),
        sort_by=("cop_id",),
        generate=generate_cops,
        deps=("employees",),
    )
)

COP_MEMBERS = register(
    Spec(
        name="cop_members",
        summary="members of each community of practice with their core / active / peripheral band",
        columns=(
            Col("cop_id", "str"),
            Col("employee_id", "str"),
            Col("site", "str"),
            Col("department", "str"),
            Col("band", "str"),
            Col("is_coordinator", "bool"),
            Col("joined_on", "date"),
        ),
        sort_by=("cop_id", "employee_id"),
        generate=generate_cop_members,
        deps=("cops", "employees"),
    )
)

COP_EVENTS = register(
    Spec(
        name="cop_events",
        summary="questions, answers, documents and meetups of the communities of practice",
        columns=(
            Col("event_id", "str"),
            Col("cop_id", "str"),
            Col("occurred_at", "datetime"),
            Col("event_type", "str"),
            Col("author_id", "str"),
            Col("author_site", "str"),
            Col("reply_to", "str"),
            Col("linked_site", "str"),
            Col("attendees", "Int64"),
        ),
        sort_by=("event_id",),
        generate=generate_cop_events,
        deps=("cops", "cop_members"),
    )
)
