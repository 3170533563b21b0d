"""members and posts: an internal RSE community and an external brand community.

Participation inequality is built in by segment (lurkers, contributors, superusers) and
calibrated on published figures: Nielsen's 90-9-1 rule of thumb for the external community and
Joglekar et al. (2018), where the top 1% of users wrote 32% and 49% of posts. Inside the company
most members only read (SWOOP Analytics: almost 60% of staff only read). Everything else (reach,
reaction rates, rhythm) is the course's assumption, stated on the data cards.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from course.data._core import Col, Spec, register
from course.data._util import ids, pick

START = np.datetime64("2024-01-01")
END = np.datetime64("2026-01-01")  # exclusive: two full years of posts
N_DAYS = int((END - START).astype(int))

DEPARTMENTS = {
    "Operations": 0.22,
    "Sales": 0.15,
    "R&D": 0.11,
    "Customer service": 0.11,
    "IT": 0.09,
    "Logistics": 0.08,
    "Finance": 0.06,
    "Marketing": 0.05,
    "HR": 0.05,
    "Communication": 0.03,
    "Legal": 0.02,
    "General management": 0.03,
}
COUNTRIES = {"FR": 0.78, "BE": 0.07, "CH": 0.05, "CA": 0.04, "LU": 0.01, "MA": 0.02, "other": 0.03}

# Posting segments: (share of members, total share of posts) per community.
# zipf: exponent of the rank-size law of posting among superusers (weight of rank r = r^-zipf).
EXTERNAL = {
    "n": 50_000,
    "posts": 24_000,
    "super": 0.01,
    "contrib": 0.09,
    "super_posts": 0.53,
    "zipf": 1.0,
}
INTERNAL = {
    "n": 8_000,
    "posts": 16_000,
    "super": 0.015,
    "contrib": 0.235,
    "super_posts": 0.40,
    "zipf": 0.9,
}

FORMATS = {
    "external": {
        "image": 0.40,
        "video": 0.18,
        "link": 0.15,
        "text": 0.12,
        "poll": 0.06,
        "event": 0.04,
        "document": 0.05,
    },
    "internal": {
        "text": 0.35,
        "document": 0.20,
        "link": 0.15,
        "image": 0.14,
        "poll": 0.06,
        "event": 0.06,
        "video": 0.04,
    },
}
LEVEL_BY_FORMAT = {  # P(level 1, 2, 3)
    "image": (0.70, 0.25, 0.05),
    "video": (0.70, 0.20, 0.10),
    "link": (0.75, 0.22, 0.03),
    "text": (0.45, 0.45, 0.10),
    "poll": (0.85, 0.15, 0.00),
    "event": (0.20, 0.30, 0.50),
    "document": (0.50, 0.40, 0.10),
}
# Weekly rhythm (Mon..Sun) and hourly rhythm (0..23), relative weights.
WEEKDAY = {
    "internal": np.array([1.0, 1.05, 1.05, 1.0, 0.8, 0.04, 0.03]),
    "external": np.array([0.95, 0.95, 1.0, 1.0, 1.0, 0.9, 0.85]),
}
HOURLY = {
    "internal": np.array(
        [
            0,
            0,
            0,
            0,
            0,
            0,
            0.1,
            0.5,
            2.5,
            4.0,
            4.2,
            3.5,
            1.6,
            1.8,
            3.6,
            3.8,
            3.2,
            2.2,
            0.9,
            0.3,
            0.15,
            0.1,
            0.05,
            0.02,
        ]
    ),
    "external": np.array(
        [
            0.4,
            0.2,
            0.1,
            0.05,
            0.05,
            0.1,
            0.4,
            1.0,
            1.6,
            1.8,
            1.9,
            2.2,
            3.0,
            2.8,
            1.9,
            1.8,
            1.9,
            2.2,
            2.8,
            3.4,
            3.6,
            3.2,
            2.0,
            1.0,
        ]
    ),
}
MONTH_FACTOR = {  # August is quiet inside the company
    "internal": np.array([1, 1, 1, 1, 0.9, 1, 0.85, 0.45, 1, 1, 1, 0.8]),
    "external": np.array([1, 1, 1, 1, 1, 1, 0.95, 0.9, 1, 1, 1, 1.05]),
}


def _join_dates(rng, n: int, community: str) -> np.ndarray:
    """Join dates: the external page grows from ~35k followers (2024) to 50k (end 2025)."""
    if community == "external":
        before = rng.random(n) < 0.70
        days_before = np.minimum(rng.exponential(700, n), 2900).astype(int) + 1
        days_in = rng.integers(0, N_DAYS, n)
        day = np.where(before, -days_before, days_in)
    else:  # RSE launched in September 2019, most members joined in its first year
        launch = int((np.datetime64("2019-09-02") - START).astype(int))
        day = launch + np.minimum(rng.gamma(1.2, 220, n), N_DAYS - launch - 1).astype(int)
    return START + day.astype("timedelta64[D]")


def _post_counts(rng, spec: dict) -> tuple[np.ndarray, np.ndarray]:
    """Posts per member by segment, with exact totals; returns (counts, segment labels).

    Superusers follow a rank-size (Zipf) law so that the top shares are stable across seeds.
    """
    n, total = spec["n"], spec["posts"]
    n_super = round(spec["super"] * n)
    n_contrib = round(spec["contrib"] * n)
    super_total = round(spec["super_posts"] * total)
    weights = np.arange(1, n_super + 1, dtype=float) ** -spec["zipf"]
    super_counts = 1 + rng.multinomial(super_total - n_super, weights / weights.sum())
    contrib_counts = 1 + rng.multinomial(
        total - super_total - n_contrib, np.full(n_contrib, 1 / n_contrib)
    )
    counts = np.zeros(n, dtype=np.int64)
    segment = np.full(n, "reader", dtype=object)
    order = rng.permutation(n)
    counts[order[:n_super]] = super_counts
    segment[order[:n_super]] = "superuser"
    counts[order[n_super : n_super + n_contrib]] = contrib_counts
    segment[order[n_super : n_super + n_contrib]] = "contributor"
    return counts, segment


def generate_members(rng: np.random.Generator, n_internal: int = 8_000, n_external: int = 50_000):
    """Generate the members of both communities with their activity counts.

    Args:
        rng: the dataset's seeded generator.
        n_internal: members of the internal RSE community.
        n_external: followers of the external brand community.

    Returns:
        One row per member; ``n_posts`` equals the member's rows in ``posts``.
    """
    frames = []
    for community, spec, n in (
        ("internal", INTERNAL, n_internal),
        ("external", EXTERNAL, n_external),
    ):
        scale = n / spec["n"]
        spec = {**spec, "n": n, "posts": round(spec["posts"] * scale)}
        counts, segment = _post_counts(rng, spec)
        activity = np.where(
            segment == "superuser", 8.0, np.where(segment == "contributor", 1.5, 0.12)
        )
        if community == "internal":
            activity = activity * 1.6  # colleagues comment more than followers do
        comments = rng.poisson(activity * rng.gamma(1.0, 3.0, n))
        reactions = rng.poisson(activity * rng.gamma(1.0, 12.0, n) + 0.4)
        frames.append(
            pd.DataFrame(
                {
                    "member_id": ids("I" if community == "internal" else "X", n, 5),
                    "community": community,
                    "joined_on": _join_dates(rng, n, community),
                    "department": pick(rng, DEPARTMENTS, n) if community == "internal" else None,
                    "country": pick(rng, COUNTRIES, n) if community == "external" else None,
                    "n_posts": counts,
                    "n_comments": comments,
                    "n_reactions": reactions,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _post_times(rng, first_day: np.ndarray, community: str) -> np.ndarray:
    """Timestamps with the community's weekly, daily and seasonal rhythm (rejection sampling)."""
    n = first_day.size
    day = np.empty(n, dtype=np.int64)
    todo = np.arange(n)
    weekday_of_start = 0  # 2024-01-01 is a Monday
    months = (START + np.arange(N_DAYS).astype("timedelta64[D]")).astype("datetime64[M]")
    month_of_day = (months.astype(int) % 12).astype(int)
    accept_weight = WEEKDAY[community][(np.arange(N_DAYS) + weekday_of_start) % 7]
    accept_weight = accept_weight * MONTH_FACTOR[community][month_of_day]
    accept_weight = accept_weight / accept_weight.max()
    while todo.size:
        candidate = rng.integers(first_day[todo], N_DAYS)
        ok = rng.random(todo.size) < accept_weight[candidate]
        day[todo[ok]] = candidate[ok]
        todo = todo[~ok]
    hourly = HOURLY[community] / HOURLY[community].sum()
    seconds = rng.choice(24, n, p=hourly) * 3600 + rng.integers(0, 60, n) * 60
    return START.astype("datetime64[s]") + (day * 86400 + seconds).astype("timedelta64[s]")


def generate_posts(rng: np.random.Generator, members: pd.DataFrame) -> pd.DataFrame:
    """Generate every post of both communities, authored as ``members.n_posts`` says.

    Args:
        rng: the dataset's seeded generator.
        members: the ``members`` frame (authors, join dates, segment sizes).

    Returns:
        One row per post, ids in chronological order.
    """
    frames = []
    for community in ("internal", "external"):
        group = members[members["community"] == community]
        counts = group["n_posts"].to_numpy()
        author_idx = np.repeat(np.arange(len(group)), counts)
        n = author_idx.size
        joined = group["joined_on"].to_numpy().astype("datetime64[D]")
        first_day = np.maximum((joined - START).astype(int), 0)[author_idx]
        posted = _post_times(rng, first_day, community)
        fmt = pick(rng, FORMATS[community], n)
        level = np.empty(n, dtype=np.int64)
        for name, probs in LEVEL_BY_FORMAT.items():
            rows = np.flatnonzero(fmt == name)
            level[rows] = rng.choice([1, 2, 3], rows.size, p=probs)

        fmt_reach = np.select(
            [fmt == "video", fmt == "image", fmt == "link", fmt == "text"],
            [1.3, 1.1, 0.8, 0.7],
            1.0,
        )
        level_react = np.array([0, 1.2, 0.8, 0.6])[level]
        level_comment = np.array([0, 0.6, 2.0, 1.5])[level]
        if community == "external":
            joins = np.sort(group["joined_on"].to_numpy().astype("datetime64[s]"))
            followers = np.searchsorted(joins, posted, side="right").astype(np.int64)
            rate = np.minimum(rng.lognormal(np.log(0.06), 0.6, n) * fmt_reach, 0.9)
            viral = rng.random(n) < 0.01
            reach = rng.binomial(followers, rate) + viral * rng.integers(5_000, 60_000, n)
            react_p, comment_p, share_p = 0.03, 0.004, 0.003
            followers_col = pd.array(followers, dtype="Int64")
        else:
            rate = np.minimum(rng.lognormal(np.log(0.03), 0.8, n) * fmt_reach, 0.9)
            reach = rng.binomial(len(group), rate)
            react_p, comment_p, share_p = 0.12, 0.03, 0.004
            followers_col = pd.array([None] * n, dtype="Int64")
        reach = np.maximum(reach, 1)
        impressions = reach + rng.binomial(reach, 0.35) + rng.poisson(0.05 * reach)
        quality = rng.lognormal(0.0, 0.5, n)  # some posts simply land better
        reactions = rng.binomial(reach, np.minimum(react_p * level_react * quality, 0.9))
        comments = rng.binomial(reach, np.minimum(comment_p * level_comment * quality, 0.5))
        shares = rng.binomial(reach, np.minimum(share_p * fmt_reach * quality, 0.3))
        click_p = np.select(
            [fmt == "link", fmt == "document", fmt == "event"], [0.03, 0.04, 0.02], 0.005
        )
        clicks = rng.binomial(impressions, click_p)
        frames.append(
            pd.DataFrame(
                {
                    "community": community,
                    "author_id": group["member_id"].to_numpy()[author_idx],
                    "posted_at": posted,
                    "format": fmt,
                    "engagement_level": level,
                    "followers_at_post": followers_col,
                    "impressions": impressions,
                    "reach": reach,
                    "reactions": reactions,
                    "comments": comments,
                    "shares": shares,
                    "clicks": clicks,
                }
            )
        )
    posts = pd.concat(frames, ignore_index=True)
    posts = posts.sort_values(["posted_at", "community", "author_id"], kind="mergesort")
    posts.insert(0, "post_id", ids("P", len(posts), 6))
    return posts.reset_index(drop=True)


MEMBERS = register(
    Spec(
        name="members",
        summary="members of an internal RSE community (~8k) and an external brand community (~50k)",
        columns=(
            Col("member_id", "str"),
            Col("community", "str"),
            Col("joined_on", "date"),
            Col("department", "str"),
            Col("country", "str"),
            Col("n_posts", "int"),
            Col("n_comments", "int"),
            Col("n_reactions", "int"),
        ),
        sort_by=("member_id",),
        generate=generate_members,
    )
)

POSTS = register(
    Spec(
        name="posts",
        summary="posts of both communities with format, engagement level and reach metrics",
        columns=(
            Col("post_id", "str"),
            Col("community", "str"),
            Col("author_id", "str"),
            Col("posted_at", "datetime"),
            Col("format", "str"),
            Col("engagement_level", "int"),
            Col("followers_at_post", "Int64"),
            Col("impressions", "int"),
            Col("reach", "int"),
            Col("reactions", "int"),
            Col("comments", "int"),
            Col("shares", "int"),
            Col("clicks", "int"),
        ),
        sort_by=("post_id",),
        generate=generate_posts,
        deps=("members",),
    )
)
