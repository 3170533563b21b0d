"""Practice checks of M2 · Participation & engagement.

Expected values that need the datasets are computed when a check runs, never at import; so are the
wrong answers built from the data (the typical mistakes: zeros left out, percentage instead of
share, the wrong denominator).
"""

from __future__ import annotations

import functools

import numpy as np

from course.checks.core import EqualityProblem, FunctionProblem, LazyWrong, Mistake, ThoughtProblem

# Code the lesson runs before its questions; the test suite runs it before each reference solution.
SETUP = """\
import numpy as np
import pandas as pd
import course.data
from course import engagement
members = course.data.load("members")
posts = course.data.load("posts")
internal = members[members["community"] == "internal"]
external = members[members["community"] == "external"]
external_posts = posts[posts["community"] == "external"]
"""


@functools.lru_cache(maxsize=2)
def _load(name: str):
    # Loaded once per session for the checks; callers only ever get filtered copies.
    import course.data

    return course.data.load(name)


def _members(community: str):
    members = _load("members")
    return members[members["community"] == community]


def _external_posts():
    posts = _load("posts")
    return posts[posts["community"] == "external"]


def _engagements(posts):
    return posts["reactions"] + posts["comments"] + posts["shares"]


class GiniInternal(EqualityProblem):
    """Gini coefficient of the number of posts per member in the internal community."""

    var = "gini_internal"

    def expected(self):
        from course import engagement

        return engagement.gini(_members("internal")["n_posts"])

    hints = [
        "Every member counts, including the ones who never posted: do not filter the zeros out.",
        "Select the column `n_posts` of `internal` and give it to `engagement.gini`.",
    ]
    solution = 'gini_internal = engagement.gini(internal["n_posts"])'

    @staticmethod
    def _wrong():
        from course import engagement

        internal = _members("internal")
        posters = internal.loc[internal["n_posts"] > 0, "n_posts"]
        return [
            Mistake(
                engagement.gini(posters),
                "You left out the members who never posted: among posters only, posting looks "
                "far more equal. The question counts every member, zeros included.",
            ),
            Mistake(
                engagement.gini(_members("external")["n_posts"]),
                "That is the external community; the question is about the internal one.",
            ),
            0.9,
        ]

    wrong = LazyWrong(_wrong)


def _sample_gini(values):
    """Wrong: n (n − 1) instead of n², the "sample" variant, a common mix-up."""
    x = np.asarray(values, dtype=float)
    n = len(x)
    if x.sum() == 0:
        return 0.0
    return float(np.abs(x[:, None] - x[None, :]).sum() / (2 * n * (n - 1) * x.mean()))


def _no_two(values):
    """Wrong: the factor 2 forgotten (every pair is counted twice in the double sum)."""
    x = np.asarray(values, dtype=float)
    if x.sum() == 0:
        return 0.0
    return float(np.abs(x[:, None] - x[None, :]).sum() / (len(x) ** 2 * x.mean()))


def _no_zero_guard(values):
    """Wrong: divides by a mean of zero when nobody contributed."""
    x = np.asarray(values, dtype=float)
    return float(np.abs(x[:, None] - x[None, :]).sum()) / float(2 * len(x) ** 2 * x.mean())


class GiniByDefinition(FunctionProblem):
    """Write ``gini_by_definition(values)``: the double sum Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² x̄), 0.0 if all are 0."""

    var = "gini_by_definition"
    cases = [
        (([1, 1, 1, 1],), 0.0),
        (([0, 0, 0, 8],), 0.75),
        (([1, 2, 3],), 8 / 36),
        (([5, 0, 1, 0, 2, 0],), 2 / 3),
        (([0, 0],), 0.0),
    ]
    hints = [
        "With numpy, `x[:, None] - x[None, :]` builds every difference xᵢ − xⱼ in one table.",
        "Take `np.abs(...).sum()`, divide by `2 * n**2 * x.mean()`; test `x.sum() == 0` first.",
        "Check yourself: [0, 0, 0, 8] gives 0.75 = 1 − 1/4, the maximum for four members.",
    ]
    solution = """\
def gini_by_definition(values):
    x = np.asarray(values, dtype=float)
    n = len(x)
    if x.sum() == 0:
        return 0.0
    return float(np.abs(x[:, None] - x[None, :]).sum() / (2 * n**2 * x.mean()))
"""

    wrong = [
        _sample_gini,
        Mistake(_no_two, "Your result is twice too large: the definition divides by 2 n² x̄."),
        _no_zero_guard,
    ]


class TopOnePercentExternal(EqualityProblem):
    """Share of the external community's posts written by its top 1% of members (a share, 0 to 1)."""

    var = "top1_external"

    def expected(self):
        from course import engagement

        return engagement.top_share(_members("external")["n_posts"], 0.01)

    hints = [
        "The top 1% of 50,000 members is 500 members, whoever they are: count everyone.",
        "`engagement.top_share(values, 0.01)` returns a share between 0 and 1.",
    ]
    solution = 'top1_external = engagement.top_share(external["n_posts"], 0.01)'

    @staticmethod
    def _wrong():
        from course import engagement

        posts = _members("external")["n_posts"]
        share = engagement.top_share(posts, 0.01)
        return [
            Mistake(
                100 * share, "That looks like a percentage; give a share between 0 and 1.", 0.05
            ),
            Mistake(
                engagement.top_share(posts[posts > 0], 0.01),
                "You took the top 1% of the posters only; the question is the top 1% of all "
                "members, silent ones included.",
            ),
            engagement.top_share(posts, 0.10),  # top 10%
        ]

    wrong = LazyWrong(_wrong)


class CoreContentShare(EqualityProblem):
    """Share of the internal community's posts + comments written by its core band."""

    var = "core_content_share"

    def expected(self):
        from course import engagement

        internal = _members("internal")
        writing = internal["n_posts"] + internal["n_comments"]
        return float(engagement.band_summary(writing).loc["core", "contribution_share"])

    hints = [
        "Build one count per member: `internal['n_posts'] + internal['n_comments']`.",
        "`engagement.band_summary(counts)` gives, per band, the share of members and the share of "
        "contributions: you want the second one, on the `core` row.",
    ]
    solution = """\
internal_writing = internal["n_posts"] + internal["n_comments"]
core_content_share = engagement.band_summary(internal_writing).loc["core", "contribution_share"]
"""

    @staticmethod
    def _wrong():
        from course import engagement

        internal = _members("internal")
        writing = internal["n_posts"] + internal["n_comments"]
        table = engagement.band_summary(writing)
        return [
            Mistake(
                float(table.loc["core", "member_share"]),
                "That is the core's share of the members; the question asks for its share of "
                "the content (posts + comments).",
            ),
            float(engagement.band_summary(internal["n_posts"]).loc["core", "contribution_share"]),
            100 * float(table.loc["core", "contribution_share"]),
        ]

    wrong = LazyWrong(_wrong)


class MedianRateByReach(EqualityProblem):
    """Median engagement rate by reach of the external posts, in percent (engagements = reactions
    + comments + shares)."""

    var = "median_rate_reach"

    def expected(self):
        from course import engagement

        posts = _external_posts()
        return float(engagement.engagement_rate(_engagements(posts), posts["reach"]).median())

    hints = [
        "One rate per post first: engagements of the post divided by its own reach, times 100.",
        "`engagement.engagement_rate(engaged, external_posts['reach'])` returns one rate per "
        "post; then take `.median()`.",
    ]
    solution = """\
engaged = external_posts["reactions"] + external_posts["comments"] + external_posts["shares"]
median_rate_reach = engagement.engagement_rate(engaged, external_posts["reach"]).median()
"""

    @staticmethod
    def _wrong():
        from course import engagement

        posts = _external_posts()
        engaged = _engagements(posts)
        by_reach = engagement.engagement_rate(engaged, posts["reach"])
        return [
            float(engagement.engagement_rate(engaged, posts["impressions"]).median()),
            Mistake(
                float(by_reach.median() / 100),
                "The rate is asked in percent here (times 100), not as a share.",
            ),
            Mistake(
                float(by_reach.mean()),
                "That is the mean, pulled up by a few viral posts; the question asks for the "
                "median.",
            ),
            float(engagement.engagement_rate(posts["reactions"], posts["reach"]).median()),
        ]

    wrong = LazyWrong(_wrong)


class RankAgreement(EqualityProblem):
    """Spearman correlation between the external posts' rates by reach and by followers."""

    var = "rank_agreement"
    tolerance = 1e-4

    def expected(self):
        from course import engagement

        rates = engagement.post_rates(_external_posts())
        return float(rates["rate_by_reach"].corr(rates["rate_by_followers"], method="spearman"))

    hints = [
        "`engagement.post_rates(external_posts)` gives the three rates of every post.",
        "A rank correlation compares orders, not values: "
        "`rates['rate_by_reach'].corr(rates['rate_by_followers'], method='spearman')`.",
    ]
    solution = """\
rates = engagement.post_rates(external_posts)
rank_agreement = rates["rate_by_reach"].corr(rates["rate_by_followers"], method="spearman")
"""

    @staticmethod
    def _wrong():
        from course import engagement

        rates = engagement.post_rates(_external_posts())
        return [
            float(rates["rate_by_reach"].corr(rates["rate_by_impressions"], method="spearman")),
            Mistake(
                float(rates["rate_by_reach"].corr(rates["rate_by_followers"])),
                "That is Pearson's correlation of the values; the question asks for Spearman's "
                "rank correlation (method='spearman').",
            ),
            1.0,
        ]

    wrong = LazyWrong(_wrong)


class InteractiveVersusWriting(EqualityProblem):
    """In the internal community: the share of members *interactive* (at least one post, comment
    or reaction) and the share who *write* (at least one post or comment), as a dict."""

    var = "activity"

    def expected(self):
        internal = _members("internal")
        interactive = (internal["n_posts"] + internal["n_comments"] + internal["n_reactions"]) > 0
        writing = (internal["n_posts"] + internal["n_comments"]) > 0
        return {"interactive": float(interactive.mean()), "writing": float(writing.mean())}

    hints = [
        "A boolean Series such as `(internal['n_posts'] + internal['n_comments']) > 0` has a "
        "`.mean()`: the share of True.",
        "Build the dict `{'interactive': ..., 'writing': ...}` with two shares between 0 and 1. "
        "'Active' would include readers, and `members` holds no reads.",
    ]
    solution = """\
is_interactive = (internal["n_posts"] + internal["n_comments"] + internal["n_reactions"]) > 0
is_writing = (internal["n_posts"] + internal["n_comments"]) > 0
activity = {"interactive": is_interactive.mean(), "writing": is_writing.mean()}
"""

    @staticmethod
    def _wrong():
        internal = _members("internal")
        interactive = float(
            ((internal["n_posts"] + internal["n_comments"] + internal["n_reactions"]) > 0).mean()
        )
        writing = float(((internal["n_posts"] + internal["n_comments"]) > 0).mean())
        posting = float((internal["n_posts"] > 0).mean())
        return [
            Mistake(
                {"interactive": writing, "writing": interactive},
                "The two shares are swapped: interactive members (any post, comment or reaction) "
                "are at least as many as writing ones.",
            ),
            {"interactive": interactive, "writing": posting},  # comments forgotten
            {
                "interactive": round(interactive * len(internal)),
                "writing": round(writing * len(internal)),
            },
        ]

    wrong = LazyWrong(_wrong)


class WhichDenominator(ThoughtProblem):
    """Your director asks "is our page doing better than last year?", the content team asks "which
    of this month's posts worked best?", and a partner asks "how much of your audience actually
    interacts?". Which engagement rate do you report to each, and what do you write next to it?"""

    hints = [
        "Which denominator changes when the audience grows? Which one only counts people who saw "
        "the post?",
        "Impressions count displays, so one person can count several times.",
    ]
    solution = (
        "Director, year on year: the rate by followers, because it relates interactions to the "
        "audience you built and pay to keep; give the follower count beside it, since a page that "
        "grows fast can see this rate fall while interactions rise. Content team, post against "
        "post: the rate by reach, because it judges each post on the people who actually saw it "
        "and is not punished by the algorithm's distribution; leave out posts with a tiny reach. "
        "Partner, how much of the audience interacts: engagements by reach again, but unique "
        "interactors by reach if the platform gives them (SWOOP's definition), since one person "
        "can react and comment. Impressions are for paid campaigns billed per display. Every time: "
        "name the denominator, the period, and what counts as an engagement (here reactions + "
        "comments + shares, clicks left out)."
    )


class ChampionsPlan(ThoughtProblem):
    """You take over the internal community: a quarter of the members post, the top 1% write a
    third of the posts, and most of the rest react without writing. Write three actions for your
    first quarter, and the one figure you would watch to know they work."""

    hints = [
        "Yammer's advice, relayed by a French blog post: a CM should not do everything; the job is to "
        "make others active. Who could you make more active, and who is easy to recruit?",
        "Think in levels: someone who already reacts may answer a question before writing a post.",
        "What happens to the community if two or three superusers change jobs?",
    ]
    solution = (
        "1. Recruit champions among the early and easy adopters: members who already post or "
        "comment regularly outside the top 1%, from several departments and sites, rather than "
        "only the superusers who already carry the network. Give them a role and recognition "
        "(visible next to recognised experts), not a quota. "
        "2. Turn reactors into contributors with low-effort formats (a question to answer, a "
        "poll with a 'why?' comment), then invite the most responsive to co-create: a series, an "
        "event, a shared document (the course's levels 2 and 3). "
        "3. Reduce the dependency on the top 1%: pair each superuser with a champion, ask them to "
        "answer less and tag a colleague more. "
        "Watch the share of members who wrote at least once in the quarter (and the top-1% share "
        "falling while total contributions hold), not the number of 'active' users, which reading "
        "and liking inflate."
    )


QUESTIONS = [
    GiniInternal,
    GiniByDefinition,
    TopOnePercentExternal,
    CoreContentShare,
    MedianRateByReach,
    RankAgreement,
    WhichDenominator,
    InteractiveVersusWriting,
    ChampionsPlan,
]
