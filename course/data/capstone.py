"""The capstone case (M7): one invented organisation, its sponsor's brief and all its data.

The trainee meets an organisation never seen in M1-M6: Cyclane, an invented French maker of
electric bikes (case ``a``, shipped). Everything a community manager would be handed on day one is
here, for two tracks of the same organisation: **internal** (the staff network on Viva Engage) and
**external** (the customer community "Cyclane Riders"):

- ``capstone_brief``: the sponsors' brief (goal, constraints, budget, deadline), one field a row;
- ``capstone_people``: the staff directory (the headcount, the right denominator);
- ``capstone_activity``: 12 monthly Viva Engage activity user-detail exports (D30), exact columns;
- ``capstone_members``: the customer community's members with their activity counts;
- ``capstone_survey``: a member survey of both tracks;
- ``capstone_comments``: a moderation sample labelled by two raters, with the adjudicated label;
- ``capstone_communities`` and ``capstone_events``: the communities and their events.

A second case (``b``: Lumio, an invented maker of connected heating, another seed, other sizes and
figures) is the scenario ``capstone-b``: ``course data build --scenario capstone-b``. Calibration
reuses the course's published anchors (SWOOP Analytics' share of read-only staff, Joglekar et al.'s
top-1% shares, Sprout Social's reply times); every other figure is the course's assumption, stated
on the data cards.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from course.data._core import SCENARIOS, Col, Spec, register
from course.data._util import ids, pick
from course.data.comments import CATEGORIES, CONFUSION, flag

YEAR_START = np.datetime64("2025-01-01")
N_MONTHS = 12


@dataclass(frozen=True)
class Case:
    """The parameters of one capstone organisation (everything here is the course's invention)."""

    key: str
    seed: int
    organisation: str
    sector: str
    domain: str
    community: str
    headcount: int
    sites: dict[str, float]
    products: tuple[str, ...]
    customers: int
    bass_p: float  # monthly, the course's assumption for an internal rollout
    bass_q: float
    licensed_frontline: float  # share of frontline staff with a licence that includes Viva Engage
    internal_budget_eur: int
    external_budget_eur: int
    cm_fte: dict[str, float] = field(default_factory=dict)
    brief: dict[str, dict[str, str]] = field(default_factory=dict)


CASES: dict[str, Case] = {
    "a": Case(
        key="a",
        seed=20250317,
        organisation="Cyclane",
        sector="electric bikes, designed in Annecy, assembled in Chambéry, sold through 180 dealers",
        domain="cyclane.example",
        community="Cyclane Riders",
        headcount=2_400,
        sites={"Annecy": 0.30, "Chambéry": 0.35, "Lyon": 0.15, "Nantes": 0.12, "Bruxelles": 0.08},
        products=(
            "le vélo Alto",
            "le vélo Cargo C2",
            "la batterie 625 Wh",
            "l'appli Cyclane Ride",
            "le moteur M3",
            "le chargeur rapide",
            "le vélo Urbo",
        ),
        customers=12_000,
        bass_p=0.05,
        bass_q=0.40,
        licensed_frontline=0.55,
        internal_budget_eur=18_000,
        external_budget_eur=25_000,
        cm_fte={"internal": 0.5, "external": 1.0},
        brief={
            "internal": {
                "sponsor": "Claire Vidal, HR director (DRH), with the plant director of Chambéry",
                "business_goal": "cut the time a new assembly technician needs to work alone "
                "from 10 to 7 weeks by spreading know-how between the plant, after-sales and R&D",
                "why_now": "the Chambéry plant hires 150 technicians this year; the RSE opened "
                "in January 2025 and the executive committee asks whether it is worth keeping",
                "constraints": "frontline staff have a kiosk licence or none; no time on the line "
                "outside two 15-minute slots a day; works council wants a charter first",
                "budget": "18,000 EUR for the year (events, recognition, a survey), "
                "a half-time community manager",
                "deadline": "a plan for the first 90 days, then a review with the sponsor",
            },
            "external": {
                "sponsor": "Marc Olivier, customer service director",
                "business_goal": "answer more customer questions in the community (peer to peer) "
                "so that support tickets per 1,000 bikes sold stop rising, without hiding criticism",
                "why_now": "ticket volumes rose 30% with the Cargo C2 launch; the community's "
                "questions wait too long and a battery complaint went viral in the spring",
                "constraints": "one full-time community manager; legal review for any contest; "
                "DSA notice-and-action duties as an online platform; dealers must not be bypassed",
                "budget": "25,000 EUR for the year (ride-outs, ambassador kit, moderation tool)",
                "deadline": "a plan for the first 90 days, then a review with the sponsor",
            },
        },
    ),
    "b": Case(
        key="b",
        seed=20260112,
        organisation="Lumio",
        sector="connected heating (thermostats and heat pumps), made in Alsace, installed by "
        "certified installers",
        domain="lumio.example",
        community="Lumio Home Club",
        headcount=5_200,
        sites={
            "Strasbourg": 0.32,
            "Mulhouse": 0.28,
            "Colmar": 0.14,
            "Paris": 0.12,
            "Lille": 0.08,
            "Genève": 0.06,
        },
        products=(
            "le thermostat T2",
            "la pompe à chaleur Air 8",
            "l'appli Lumio Home",
            "le capteur de fenêtre",
            "la vanne connectée V3",
            "le boîtier Hub",
        ),
        customers=20_000,
        bass_p=0.03,
        bass_q=0.30,
        licensed_frontline=0.70,
        internal_budget_eur=30_000,
        external_budget_eur=40_000,
        cm_fte={"internal": 1.0, "external": 1.5},
        brief={
            "internal": {
                "sponsor": "Nadia Keller, chief operating officer",
                "business_goal": "halve the repeat field visits by spreading installers' fixes "
                "between the factories, the hotline and the field technicians",
                "why_now": "repeat visits cost 2.1 million EUR last year; the network opened in "
                "January 2025 with no community manager",
                "constraints": "field technicians work on the road; three languages (French, "
                "German, English); the union asks for no activity tracking per person",
                "budget": "30,000 EUR for the year and a full-time community manager",
                "deadline": "a plan for the first 90 days, then a review with the sponsor",
            },
            "external": {
                "sponsor": "Thomas Roth, marketing and customer experience director",
                "business_goal": "turn the club into the first place owners get answers about "
                "settings and savings, and a source of product ideas for R&D",
                "why_now": "an app update broke schedules for 8% of owners in the autumn; the "
                "club filled with anger and nobody answered at weekends",
                "constraints": "installers are partners, not competitors; personal data in posts "
                "(addresses, contracts); DSA duties",
                "budget": "40,000 EUR for the year and one and a half community managers",
                "deadline": "a plan for the first 90 days, then a review with the sponsor",
            },
        },
    ),
}

# Departments of the internal track: share of staff, frontline or not.
DEPARTMENTS = {
    "Production": (0.34, True),
    "After-sales": (0.12, True),
    "Logistics": (0.10, True),
    "Sales": (0.11, False),
    "R&D": (0.10, False),
    "IT": (0.05, False),
    "HR": (0.04, False),
    "Finance": (0.04, False),
    "Marketing": (0.05, False),
    "General management": (0.05, False),
}
# Usage types among adopters: share, P(active in a month), mean reads, likes, posts per month.
# The ~60% of readers follows SWOOP Analytics' 2022/23 finding (almost 60% of staff only read).
USER_TYPES = {
    "reader": (0.60, 0.70, 12.0, 0.0, 0.0),
    "liker": (0.25, 0.78, 20.0, 3.0, 0.0),
    "poster": (0.12, 0.85, 35.0, 5.0, 1.5),
    "champion": (0.03, 0.97, 100.0, 25.0, 6.0),
}
MONTH_ACTIVITY = np.array([1, 1, 1, 1, 0.95, 1, 0.85, 0.55, 1, 1, 1, 0.85])
COUNTRIES = {"FR": 0.70, "BE": 0.10, "CH": 0.07, "DE": 0.06, "other": 0.07}


def case(key: str) -> Case:
    """The parameters of a capstone case.

    Args:
        key: ``"a"`` (shipped) or ``"b"`` (scenario ``capstone-b``).

    Returns:
        The :class:`Case`.

    Raises:
        KeyError: an unknown case, naming the known ones.
    """
    if key not in CASES:
        raise KeyError(f"unknown capstone case {key!r}; known: {', '.join(CASES)}")
    return CASES[key]


def _rng(rng: np.random.Generator, the_case: Case, name: str) -> np.random.Generator:
    """The case's own generator for one dataset: the case seed mixed with the dataset's."""
    entropy = int(rng.integers(2**32))
    return np.random.default_rng(
        np.random.SeedSequence([the_case.seed, zlib.crc32(name.encode()), entropy])
    )


# --------------------------------------------------------------------------- brief


def generate_brief(rng: np.random.Generator, case_key: str = "a") -> pd.DataFrame:
    """The sponsors' brief, one field per row and track (``track = "both"`` for the organisation).

    Args:
        rng: the dataset's seeded generator (unused: the brief is written, not drawn).
        case_key: ``"a"`` or ``"b"``.

    Returns:
        Columns ``track``, ``field``, ``value``.
    """
    c = case(case_key)
    rows = [
        ("both", "organisation", c.organisation),
        ("both", "sector", c.sector),
        ("both", "headcount", f"{c.headcount:,}"),
        ("both", "sites", ", ".join(c.sites)),
        ("both", "customer_community", f"{c.community}, about {c.customers:,} registered members"),
        ("both", "internal_network", "Viva Engage, opened to staff in January 2025"),
    ]
    budgets = {"internal": c.internal_budget_eur, "external": c.external_budget_eur}
    for track in ("internal", "external"):
        for key, value in c.brief[track].items():
            rows.append((track, key, value))
        rows.append((track, "budget_eur", str(budgets[track])))
        rows.append((track, "cm_fte", f"{c.cm_fte[track]:.1f}"))
    frame = pd.DataFrame(rows, columns=["track", "field", "value"])
    frame.insert(0, "row", np.arange(1, len(frame) + 1, dtype=np.int64))
    return frame


# --------------------------------------------------------------------------- internal track


def generate_people(rng: np.random.Generator, case_key: str = "a") -> pd.DataFrame:
    """The staff directory: every employee, licensed for Viva Engage or not.

    Args:
        rng: the dataset's seeded generator.
        case_key: ``"a"`` or ``"b"``.

    Returns:
        One row per employee.
    """
    c = case(case_key)
    rng = _rng(rng, c, "capstone_people")
    n = c.headcount
    dept_names = list(DEPARTMENTS)
    dept = pick(rng, {d: DEPARTMENTS[d][0] for d in dept_names}, n)
    frontline = np.array([DEPARTMENTS[d][1] for d in dept])
    site = pick(rng, c.sites, n)
    plant = list(c.sites)[1]  # the second site is the plant: most frontline staff are there
    site = np.where(frontline & (rng.random(n) < 0.5), plant, site).astype(object)
    family = np.where(
        frontline,
        "technician",
        np.where(np.isin(dept, ["R&D", "IT"]), "engineer", "office"),
    ).astype(object)
    is_manager = rng.random(n) < np.where(frontline, 0.07, 0.15)
    licensed = np.where(frontline, rng.random(n) < c.licensed_frontline, rng.random(n) < 0.98)
    number = np.char.zfill(np.arange(1, n + 1).astype(str), 5)
    return pd.DataFrame(
        {
            "user_principal_name": np.char.add(np.char.add("u", number), "@" + c.domain).astype(
                object
            ),
            "department": dept,
            "site": site,
            "job_family": family,
            "is_manager": is_manager,
            "has_engage_licence": licensed,
        }
    )


def _bass_times(rng: np.random.Generator, p: float, q: float, size: int) -> np.ndarray:
    """Adoption times drawn from the Bass distribution by inverting F (months)."""
    u = rng.random(size)
    return -np.log((1 - u) / (1 + (q / p) * u)) / (p + q)


def generate_activity(
    rng: np.random.Generator, capstone_people: pd.DataFrame, case_key: str = "a"
) -> pd.DataFrame:
    """Twelve monthly D30 exports of the Viva Engage activity user-detail report (2025).

    Only licensed staff appear (the report lists licensed users); a user who leaves appears one
    last time as ``Deleted``. Adoption follows a Bass process from January 2025.

    Args:
        rng: the dataset's seeded generator.
        capstone_people: the staff directory.
        case_key: ``"a"`` or ``"b"``.

    Returns:
        One row per licensed user and month, the report's exact columns.
    """
    c = case(case_key)
    rng = _rng(rng, c, "capstone_activity")
    staff = capstone_people[capstone_people["has_engage_licence"]].reset_index(drop=True)
    n = len(staff)
    months = np.arange(N_MONTHS)
    frontline = (staff["job_family"] == "technician").to_numpy()
    potential = np.where(frontline, 0.70, 0.92)
    adopts = rng.random(n) < potential
    adopt_month = np.where(adopts, np.floor(_bass_times(rng, c.bass_p, c.bass_q, n)), np.inf)

    names = list(USER_TYPES)
    base = np.array([USER_TYPES[t][0] for t in names])
    weights = np.tile(base, (n, 1))
    weights[:, 3] *= np.where(adopt_month < 2, 3.0, 0.6)  # early adopters turn champion more
    weights[:, 0] *= np.where(frontline, 1.4, 1.0)  # frontline staff mostly read
    weights /= weights.sum(axis=1, keepdims=True)
    kind = (rng.random((n, 1)) > np.cumsum(weights, axis=1)).sum(axis=1)
    params = np.array([USER_TYPES[t][1:] for t in names])[kind]

    leave = np.where(rng.random(n) < 0.05, rng.integers(1, N_MONTHS, n), N_MONTHS + 1)
    grid = months[None, :]
    exists = grid <= leave[:, None]
    adopted = grid >= adopt_month[:, None]
    factor = MONTH_ACTIVITY[None, :]
    active = adopted & (rng.random((n, N_MONTHS)) < params[:, [0]] * factor)
    active |= grid == adopt_month[:, None]
    active &= exists
    intensity = rng.gamma(2.0, 0.5, (n, N_MONTHS))
    reads = np.where(active, 1 + rng.poisson(params[:, [1]] * intensity), 0)
    likes = np.where(active, rng.poisson(params[:, [2]] * intensity), 0)
    posts = np.where(active, rng.poisson(params[:, [3]] * intensity), 0)

    month_start = (np.datetime64("2025-01", "M") + months).astype("datetime64[D]")
    month_end = (np.datetime64("2025-01", "M") + months + 1).astype("datetime64[D]") - 1
    back = rng.integers(0, 20, (n, N_MONTHS))
    last = np.where(active, month_end.astype(np.int64)[None, :] - back, np.iinfo(np.int64).min)
    last = np.maximum.accumulate(last, axis=1)
    leave_day = month_start.astype(np.int64)[np.minimum(leave, N_MONTHS - 1)] + rng.integers(
        0, 28, n
    )
    deleted = grid == leave[:, None]

    user, month = np.nonzero(exists)
    order = np.lexsort((user, month))
    user, month = user[order], month[order]
    last_flat = last[user, month]
    last_dates = np.where(
        last_flat == np.iinfo(np.int64).min,
        np.datetime64("NaT"),
        last_flat.astype("datetime64[D]"),
    )
    state_change = np.where(
        deleted[user, month], leave_day[user], np.datetime64("2025-01-06").astype(np.int64)
    ).astype("datetime64[D]")
    upn = staff["user_principal_name"].to_numpy()
    display = np.array([f"Staff {u.split('@')[0].upper()}" for u in upn], dtype=object)
    product = np.where(frontline, "MICROSOFT 365 F3", "MICROSOFT 365 E3").astype(object)
    return pd.DataFrame(
        {
            "Report Refresh Date": month_end[month],
            "User Principal Name": upn[user],
            "Display Name": display[user],
            "User State": np.where(deleted[user, month], "Deleted", "Active").astype(object),
            "State Change Date": state_change,
            "Last Activity Date": last_dates,
            "Posted Count": posts[user, month],
            "Read Count": reads[user, month],
            "Liked Count": likes[user, month],
            "Assigned Products": product[user],
            "Report Period": np.full(user.size, 30, dtype=np.int64),
        }
    )


# --------------------------------------------------------------------------- external track


def generate_members(rng: np.random.Generator, case_key: str = "a") -> pd.DataFrame:
    """Members of the customer community with their activity over 2025.

    Posting follows the course's segment model (M2): a top 1% of superusers with a rank-size law,
    contributors, and a silent majority; answers to other members' questions concentrate even
    more. A few accounts are the brand's own staff (``is_staff``), who answer a lot: counting
    them as "peers" flatters the peer-answer rate.

    Args:
        rng: the dataset's seeded generator.
        case_key: ``"a"`` or ``"b"``.

    Returns:
        One row per member.
    """
    from course.data.communities import _post_counts

    c = case(case_key)
    rng = _rng(rng, c, "capstone_members")
    n = c.customers
    spec = {"n": n, "posts": round(0.9 * n), "super": 0.01, "contrib": 0.11,
            "super_posts": 0.42, "zipf": 0.95}  # fmt: skip
    posts, segment = _post_counts(rng, spec)
    answer_rate = np.select([segment == "superuser", segment == "contributor"], [6.0, 0.6], 0.01)
    answers = rng.poisson(answer_rate * rng.gamma(1.0, 2.0, n))
    reactions = rng.poisson(
        np.select([segment == "superuser", segment == "contributor"], [40.0, 8.0], 0.8)
        * rng.gamma(1.0, 1.0, n)
    )
    is_staff = np.zeros(n, dtype=bool)
    staff_rows = rng.choice(n, 12, replace=False)
    is_staff[staff_rows] = True
    answers[staff_rows] = rng.integers(150, 420, staff_rows.size)
    before = rng.random(n) < 0.65
    days = np.where(
        before,
        -(np.minimum(rng.exponential(500, n), 1800).astype(int) + 1),
        rng.integers(0, 365, n),
    )
    return pd.DataFrame(
        {
            "member_id": ids("R", n, 5),
            "joined_on": YEAR_START + days.astype("timedelta64[D]"),
            "country": pick(rng, COUNTRIES, n),
            "is_staff": is_staff,
            "n_posts": posts,
            "n_answers": answers,
            "n_reactions": reactions,
        }
    )


# --------------------------------------------------------------------------- survey

NEEDS = {
    "internal": {"find an expert": 0.30, "share know-how": 0.22, "company news": 0.25,
                 "meet other sites": 0.13, "give feedback": 0.10},
    "external": {"get an answer": 0.45, "tips and rides": 0.25, "product news": 0.15,
                 "meet other riders": 0.08, "give feedback": 0.07},
}  # fmt: skip
BARRIERS = {
    "internal": {"no time": 0.34, "do not know where to look": 0.22, "not for my job": 0.16,
                 "fear of judgement": 0.10, "no access on the shop floor": 0.12, "none": 0.06},
    "external": {"answers too slow": 0.30, "hard to search": 0.22, "not for me": 0.12,
                 "bad tone": 0.10, "no time": 0.14, "none": 0.12},
}  # fmt: skip


def generate_survey(rng: np.random.Generator, case_key: str = "a") -> pd.DataFrame:
    """A member survey of both tracks (autumn 2025), one row per respondent.

    Args:
        rng: the dataset's seeded generator.
        case_key: ``"a"`` or ``"b"``.

    Returns:
        One row per respondent.
    """
    c = case(case_key)
    rng = _rng(rng, c, "capstone_survey")
    frames = []
    for track, size in (("internal", round(0.25 * c.headcount)), ("external", 900)):
        if track == "internal":
            segment = pick(rng, {d: DEPARTMENTS[d][0] for d in DEPARTMENTS}, size)
            frontline = np.isin(segment, [d for d, (_, f) in DEPARTMENTS.items() if f])
            visits = rng.poisson(np.where(frontline, 1.5, 6.0))
        else:
            segment = pick(rng, {"owner": 0.78, "prospect": 0.12, "dealer": 0.10}, size)
            frontline = np.zeros(size, dtype=bool)
            visits = rng.poisson(np.where(segment == "dealer", 8.0, 3.0))
        need = pick(rng, NEEDS[track], size)
        barrier = pick(rng, BARRIERS[track], size)
        latent = rng.normal(0.0, 1.0, size) + 0.15 * np.minimum(visits, 10) - 0.5 * frontline
        latent -= np.where(np.isin(barrier, ["answers too slow", "bad tone"]), 0.8, 0.0)
        satisfaction = np.clip(np.round(3.1 + 0.8 * latent), 1, 5).astype(np.int64)
        usefulness = np.clip(np.round(3.0 + 0.7 * latent + rng.normal(0, 0.6, size)), 1, 5).astype(
            np.int64
        )
        recommend = np.clip(np.round(6.8 + 1.6 * latent + rng.normal(0, 1.0, size)), 0, 10)
        frames.append(
            pd.DataFrame(
                {
                    "track": track,
                    "segment": segment,
                    "visits_per_month": visits.astype(np.int64),
                    "main_need": need,
                    "main_barrier": barrier,
                    "satisfaction": satisfaction,
                    "usefulness": usefulness,
                    "would_recommend": recommend.astype(np.int64),
                    "submitted_on": np.datetime64("2025-10-06")
                    + rng.integers(0, 21, size).astype("timedelta64[D]"),
                }
            )
        )
    survey = pd.concat(frames, ignore_index=True)
    survey.insert(0, "respondent_id", ids("S", len(survey), 4))
    return survey


# --------------------------------------------------------------------------- comments

TEMPLATES = {
    "external": {
        "question": [
            "Bonjour, {product} est compatible avec le porte-bébé ?",
            "Quelqu'un sait comment mettre à jour {product} ?",
            "Quelle autonomie réelle pour {product} en montagne ?",
            "Hi, does {product} work with a child seat?",
        ],
        "praise": [
            "{product} est génial, 3000 km sans souci 👍",
            "Merci au SAV de {site}, réparé en deux jours.",
            "Love {product}, best purchase this year!",
        ],
        "fair_criticism": [
            "{product} perd 20% d'autonomie au bout de {n} mois, c'est décevant à ce prix.",
            "La notice de {product} est incompréhensible, pensez à la revoir.",
            "{product} fait un bruit de cliquetis depuis la mise à jour.",
        ],
        "fair_criticism/harsh": [
            "{product} tombe en panne au bout de {n} mois, franchement c'est nul.",
            "Batterie morte après {n} mois, c'est une honte pour ce prix!!!",
            "{product} lost half its range, honestly it's rubbish.",
        ],
        "complaint": [
            "Commande {order} toujours pas livrée, personne ne répond. Je veux une solution.",
            "Mon vélo est chez le revendeur depuis {n} semaines pour {product}. Que faites-vous ?",
            "Order {order} arrived broken. I want a refund.",
        ],
        "spam": [
            "Gagnez 500 € par jour depuis chez vous ➜ {url}",
            "Promo incroyable sur les batteries compatibles 👉 www.promo-{n}.example",
        ],
        "insult": [
            "Bande d'incapables !",
            "Quels guignols au service client.",
            "You bunch of clowns!",
        ],
        "insult/mixed": [
            "{product} encore en panne, bande d'incompétents.",
            "Remboursez-moi {product}, bande d'incapables !",
        ],
        "off_topic": ["Quelqu'un a vu le Tour hier ?", "Bon week-end à tous !", "Premier !"],
        "personal_data": [
            "Mon numéro c'est {phone}, rappelez-moi pour {product}.",
            "Mon adresse mail est {email}, envoyez le bon de retour.",
        ],
        "illegal": [
            "Je vends des batteries {brand} volées à moitié prix, écrivez sur Telegram.",
            "Débridage du moteur à 45 km/h, tuto ici : {url}",
        ],
    },
    "internal": {
        "question": [
            "Quelqu'un sait où trouver la gamme de montage de {product} ?",
            "Qui à {site} connaît le réglage du couple sur {product} ?",
            "Does anyone know who owns the test bench in {site}?",
        ],
        "praise": [
            "Merci à l'équipe de {site} pour la fiche sur {product}, super utile !",
            "Bravo au SAV, le tuto vidéo sur {product} est top.",
        ],
        "fair_criticism": [
            "La nouvelle fiche de poste arrive trop tard à {site}, on perd {n} minutes par vélo.",
            "L'outil de tickets demande {n} clics pour une pièce, c'est trop.",
        ],
        "fair_criticism/harsh": [
            "La gamme de {product} change encore sans prévenir, c'est nul.",
            "{n} jours pour une pièce de rechange, c'est une honte.",
        ],
        "complaint": [
            "Mon badge ne marche plus depuis {n} jours, ticket {order} sans réponse.",
            "Ma note de frais est bloquée depuis {n} jours.",
        ],
        "spam": ["Vérifiez votre compte ici avant vendredi : {url}"],
        "insult": ["Ceux de la logistique ? Bande de clowns.", "Quels branquignols à {site}."],
        "insult/mixed": ["La pièce n'est toujours pas là, bande d'incapables."],
        "off_topic": ["Qui vient rouler ce midi à {site} ?", "Vends vélo, {n}0 €, MP."],
        "personal_data": ["Pour me joindre c'est le {phone}, je n'ai pas accès à l'outil."],
        "illegal": ["Je peux vous passer le fichier clients complet pour vos projets perso, MP."],
    },
}
# Truth mix per track, in the order of CATEGORIES.
COMMENT_MIX = {
    "external": (0.26, 0.12, 0.17, 0.16, 0.08, 0.06, 0.08, 0.04, 0.03),
    "internal": (0.36, 0.15, 0.20, 0.08, 0.03, 0.03, 0.12, 0.02, 0.01),
}
MEDIAN_REPLY_HOURS = {"external": 9.0, "internal": 5.0}
REPLY_SHARE = {"external": 0.62, "internal": 0.75}


def _fill(rng: np.random.Generator, template: str, c: Case) -> str:
    """Fill the slots of a comment template."""
    values = {
        "product": lambda: c.products[int(rng.integers(len(c.products)))],
        "site": lambda: list(c.sites)[int(rng.integers(len(c.sites)))],
        "n": lambda: str(int(rng.integers(2, 13))),
        "order": lambda: str(int(rng.integers(1_000_000, 9_999_999))),
        "url": lambda: f"https://go.example/{int(rng.integers(10_000, 99_999))}",
        "phone": lambda: "06 " + " ".join(f"{d:02d}" for d in rng.integers(0, 100, 4)),
        "email": lambda: f"rider.{int(rng.integers(100, 9999))}@exemple.fr",
        "brand": lambda: c.organisation,
    }
    text = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)](), template)
    return text[0].upper() + text[1:]


def generate_comments(
    rng: np.random.Generator, case_key: str = "a", n_comments: int = 1_200
) -> pd.DataFrame:
    """A moderation sample of both tracks, labelled by two raters, with the adjudicated label.

    Raters err as in M3's ``comments`` (same confusion table: harsh but fair criticism is read as
    an insult, insults that criticise as criticism); the adjudicated ``category`` is the truth.
    The automated rule flags are M3's rules (:func:`course.data.comments.flag`).

    Args:
        rng: the dataset's seeded generator.
        case_key: ``"a"`` or ``"b"``.
        n_comments: sample size (60% external).

    Returns:
        One row per comment, ids in chronological order.
    """
    c = case(case_key)
    rng = _rng(rng, c, "capstone_comments")
    n = n_comments
    track = np.where(rng.random(n) < 0.6, "external", "internal").astype(object)
    texts, truth, variants = [], [], []
    for t in track:
        probs = np.array(COMMENT_MIX[t])
        category = CATEGORIES[int(rng.choice(len(CATEGORIES), p=probs / probs.sum()))]
        variant = category
        if category == "fair_criticism" and rng.random() < 0.35:
            variant = "fair_criticism/harsh"
        elif category == "insult" and rng.random() < 0.4:
            variant = "insult/mixed"
        pool = TEMPLATES[t][variant]
        texts.append(_fill(rng, pool[int(rng.integers(len(pool)))], c))
        truth.append(category)
        variants.append(variant)

    def rate(variant: str) -> str:
        table = CONFUSION[variant]
        keys = list(table)
        p = np.array(list(table.values()))
        return keys[int(rng.choice(len(keys), p=p / p.sum()))]

    label_a = [rate(v) for v in variants]
    label_b = [rate(v) for v in variants]
    day = rng.integers(0, 365, n)
    hour = np.where(
        track == "internal", rng.normal(13, 2.5, n).clip(7, 19.9), rng.normal(19, 3.5, n) % 24
    )
    posted = YEAR_START.astype("datetime64[s]") + (
        day * 86400 + (hour * 60).astype(np.int64) * 60
    ).astype("timedelta64[s]")
    share = np.array([REPLY_SHARE[t] for t in track])
    removed = np.isin(truth, ["spam", "illegal"])
    answered = (rng.random(n) < share) & ~removed
    median = np.array([MEDIAN_REPLY_HOURS[t] for t in track])
    hours = np.minimum(rng.lognormal(np.log(median), 1.3, n), 24 * 14)
    minutes = np.maximum(np.round(hours * 60), 1).astype(np.int64)
    reply = np.where(
        answered, posted + (minutes * 60).astype("timedelta64[s]"), np.datetime64("NaT")
    )
    frame = pd.DataFrame(
        {
            "track": track,
            "posted_at": posted,
            "text": texts,
            "label_rater_a": label_a,
            "label_rater_b": label_b,
            "category": truth,
            "flagged_by": [flag(t) for t in texts],
            "first_reply_at": reply,
            "hours_to_first_reply": np.where(answered, minutes / 60, np.nan),
        }
    )
    frame = frame.sort_values(["posted_at", "track", "text"], kind="mergesort")
    frame.insert(0, "comment_id", ids("K", n, 4))
    return frame.reset_index(drop=True)


# --------------------------------------------------------------------------- communities, events

COMMUNITY_TEMPLATES = [  # (track, name pattern, members share, has a CM, purpose)
    ("internal", "Montage et qualité {plant}", 0.12, False, "solve problems across shifts"),
    ("internal", "SAV terrain", 0.08, False, "spread fixes from the field"),
    ("internal", "Nouveaux arrivants", 0.05, True, "onboarding"),
    ("internal", "Vie du groupe", 0.60, True, "company news"),
    ("internal", "Data et outils", 0.04, False, "share tools"),
    ("external", "{community} - forum d'entraide", 0.70, True, "peer support"),
    ("external", "{community} - sorties et balades", 0.20, False, "rides and meet-ups"),
    ("external", "{community} - ambassadeurs", 0.01, True, "ambassadors"),
]
EVENT_FORMATS = {  # format -> (engagement level asked 1-3, mean registered, show-up rate)
    "webinar": (1, 60, 0.45),
    "live Q&A": (2, 40, 0.55),
    "site visit": (3, 18, 0.85),
    "workshop": (3, 15, 0.80),
    "ride-out": (2, 35, 0.70),
    "meet-the-experts": (2, 30, 0.60),
}
TRACK_FORMATS = {
    "internal": ("webinar", "live Q&A", "site visit", "workshop"),
    "external": ("webinar", "live Q&A", "ride-out", "meet-the-experts"),
}


def generate_communities(rng: np.random.Generator, case_key: str = "a") -> pd.DataFrame:
    """The organisation's communities, both tracks.

    Args:
        rng: the dataset's seeded generator.
        case_key: ``"a"`` or ``"b"``.

    Returns:
        One row per community.
    """
    c = case(case_key)
    rng = _rng(rng, c, "capstone_communities")
    plant = list(c.sites)[1]
    rows = []
    for number, (track, name, share, has_cm, purpose) in enumerate(COMMUNITY_TEMPLATES, 1):
        base = c.headcount if track == "internal" else c.customers
        rows.append(
            {
                "community_id": f"G{number}",
                "track": track,
                "name": name.format(plant=plant, community=c.community),
                "purpose": purpose,
                "launched_on": YEAR_START + np.timedelta64(int(rng.integers(0, 120)), "D")
                if track == "internal"
                else YEAR_START - np.timedelta64(int(rng.integers(200, 1400)), "D"),
                "members": round(base * share * rng.uniform(0.85, 1.15)),
                "has_dedicated_cm": has_cm,
            }
        )
    return pd.DataFrame(rows)


def generate_events(
    rng: np.random.Generator, capstone_communities: pd.DataFrame, case_key: str = "a"
) -> pd.DataFrame:
    """Events of the communities over 2025 (registrations, attendance, feedback).

    Args:
        rng: the dataset's seeded generator.
        capstone_communities: the communities.
        case_key: ``"a"`` or ``"b"``.

    Returns:
        One row per event, ids in chronological order.
    """
    c = case(case_key)
    rng = _rng(rng, c, "capstone_events")
    rows = []
    for community in capstone_communities.itertuples(index=False):
        count = int(rng.integers(6, 20)) if community.has_dedicated_cm else int(rng.integers(2, 8))
        for _ in range(count):
            fmt = TRACK_FORMATS[community.track][int(rng.integers(4))]
            level, mean_registered, show = EVENT_FORMATS[fmt]
            registered = int(max(3, rng.poisson(mean_registered)))
            attended = int(rng.binomial(registered, show))
            feedback = rng.normal(3.6 + 0.25 * level, 0.35) if attended else np.nan
            rows.append(
                {
                    "community_id": community.community_id,
                    "held_on": YEAR_START + np.timedelta64(int(rng.integers(0, 365)), "D"),
                    "format": fmt,
                    "engagement_level": level,
                    "registered": registered,
                    "attended": attended,
                    "feedback_mean": float(np.clip(feedback, 1, 5)),
                }
            )
    events = pd.DataFrame(rows).sort_values(["held_on", "community_id", "format"], kind="mergesort")
    events.insert(0, "event_id", ids("EV", len(events), 3))
    return events.reset_index(drop=True)


# --------------------------------------------------------------------------- registry

REPORT_COLUMNS = (
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
)
DEFAULT = {"case_key": "a"}

SPECS = [
    Spec(
        name="capstone_brief",
        summary="capstone case: the sponsors' brief (goal, constraints, budget), one field a row",
        columns=(Col("row", "int"), Col("track", "str"), Col("field", "str"), Col("value", "str")),
        sort_by=("row",),
        generate=generate_brief,
        sizes=DEFAULT,
    ),
    Spec(
        name="capstone_people",
        summary="capstone case: staff directory (the headcount), with Viva Engage licences",
        columns=(
            Col("user_principal_name", "str"),
            Col("department", "str"),
            Col("site", "str"),
            Col("job_family", "str"),
            Col("is_manager", "bool"),
            Col("has_engage_licence", "bool"),
        ),
        sort_by=("user_principal_name",),
        generate=generate_people,
        sizes=DEFAULT,
    ),
    Spec(
        name="capstone_activity",
        summary="capstone case: 12 monthly Viva Engage activity user-detail exports (D30), 2025",
        columns=REPORT_COLUMNS,
        sort_by=("Report Refresh Date", "User Principal Name"),
        generate=generate_activity,
        deps=("capstone_people",),
        sizes=DEFAULT,
    ),
    Spec(
        name="capstone_members",
        summary="capstone case: customer community members with posts, answers, reactions (2025)",
        columns=(
            Col("member_id", "str"),
            Col("joined_on", "date"),
            Col("country", "str"),
            Col("is_staff", "bool"),
            Col("n_posts", "int"),
            Col("n_answers", "int"),
            Col("n_reactions", "int"),
        ),
        sort_by=("member_id",),
        generate=generate_members,
        sizes=DEFAULT,
    ),
    Spec(
        name="capstone_survey",
        summary="capstone case: member survey of both tracks (satisfaction, need, barrier, NPS)",
        columns=(
            Col("respondent_id", "str"),
            Col("track", "str"),
            Col("segment", "str"),
            Col("visits_per_month", "int"),
            Col("main_need", "str"),
            Col("main_barrier", "str"),
            Col("satisfaction", "int"),
            Col("usefulness", "int"),
            Col("would_recommend", "int"),
            Col("submitted_on", "date"),
        ),
        sort_by=("respondent_id",),
        generate=generate_survey,
        sizes=DEFAULT,
    ),
    Spec(
        name="capstone_comments",
        summary="capstone case: moderation sample, two raters, adjudicated label, reply times",
        columns=(
            Col("comment_id", "str"),
            Col("track", "str"),
            Col("posted_at", "datetime"),
            Col("text", "str"),
            Col("label_rater_a", "str"),
            Col("label_rater_b", "str"),
            Col("category", "str"),
            Col("flagged_by", "str"),
            Col("first_reply_at", "datetime"),
            Col("hours_to_first_reply", "float", 4),
        ),
        sort_by=("comment_id",),
        generate=generate_comments,
        sizes=DEFAULT,
    ),
    Spec(
        name="capstone_communities",
        summary="capstone case: the organisation's communities, internal and external",
        columns=(
            Col("community_id", "str"),
            Col("track", "str"),
            Col("name", "str"),
            Col("purpose", "str"),
            Col("launched_on", "date"),
            Col("members", "int"),
            Col("has_dedicated_cm", "bool"),
        ),
        sort_by=("community_id",),
        generate=generate_communities,
        sizes=DEFAULT,
    ),
    Spec(
        name="capstone_events",
        summary="capstone case: community events of 2025 (format, level, registered, attended)",
        columns=(
            Col("event_id", "str"),
            Col("community_id", "str"),
            Col("held_on", "date"),
            Col("format", "str"),
            Col("engagement_level", "int"),
            Col("registered", "int"),
            Col("attended", "int"),
            Col("feedback_mean", "float", 2),
        ),
        sort_by=("event_id",),
        generate=generate_events,
        deps=("capstone_communities",),
        sizes=DEFAULT,
    ),
]
NAMES = tuple(spec.name for spec in SPECS)
for _spec in SPECS:
    register(_spec)

# The second case: another organisation from another seed (not shipped; built on demand).
SCENARIOS["capstone-b"] = {name: {"case_key": "b"} for name in NAMES}
