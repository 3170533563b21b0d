"""Practice checks of M6 · Measuring value and maturity.

Expected values are computed from the datasets when a check runs, never at import; so are the
likely wrong answers, each declared as a :class:`~course.checks.core.Mistake` with the message
aimed at it: members as the denominator, active and interactive swapped, an average of ratios,
a trend over the wrong window or per year, empty pulse months read as zeros, community-months
counted as independent communities, Student's instead of Welch's interval, the sign of a
difference, the overall stage taken as a mean or a pooled median, and the small-group rule read
as "more than five".
"""

from __future__ import annotations

import functools
import math

import numpy as np

from course.checks.core import EqualityProblem, LazyWrong, Mistake, ThoughtProblem

# Code the lesson runs before its questions; the test suite runs it before each reference solution.
SETUP = """\
import numpy as np
import pandas as pd
import course.data
from course import measurement
from course.assess import maturity, privacy
kpis = course.data.load("community_kpis")
ratings = course.data.load("maturity_ratings")
card = measurement.scorecard(kpis)
"""

LAST_MONTH = "2025-12-01"
TREND_COMMUNITY = "K10"
YEAR = 2025


@functools.lru_cache(maxsize=2)
def _load(name: str):
    # Loaded once per session for the checks; callers never modify the frames.
    import course.data

    return course.data.load(name)


@functools.lru_cache(maxsize=1)
def _card():
    from course import measurement

    return measurement.scorecard(_load("community_kpis"))


def _december():
    card = _card()
    return card[card["month"] == LAST_MONTH]


def _internal_year(per_month: bool = False):
    """Internal communities over 2025: one row per community (its monthly mean) or per month."""
    card = _card()
    rows = card[(card["month"].dt.year == YEAR) & (card["kind"] == "internal")]
    if per_month:
        return rows
    return rows.groupby(["community_id", "has_dedicated_cm"], as_index=False)[
        "interactive_share"
    ].mean()


class MembersSlide(ThoughtProblem):
    """The sponsor's quarterly slide says: "Our communities now have 62,000 members, +18% in a
    year." What would you put on the slide instead, and why does "members" flatter?"""

    hints = [
        "Who counts as a member? Someone who joined once, two years ago, and never came back?",
        "Go up the measurement stages of the maturity instrument: activity, engagement, value.",
        "A ratio needs its denominator on the slide: active of members, interactive of active.",
    ]
    solution = (
        "A model answer. Members only grow: people join and rarely leave, so the count rises "
        "even in a dying community, and it says nothing about use. I would show, per community "
        "and for the network: active members as a share of members (the Viva Engage report "
        "counts a read as activity, so this is reach), interactive members (posted, replied or "
        "reacted) as a share of active members (engagement), both as twelve-month trends so "
        "that August does not look like a crisis, and the quarterly satisfaction pulse. Then "
        "one value indicator tied to the business goal of each community (questions answered "
        "within a day for a support community, re-used solutions for a community of practice) "
        "and one short value story. Every ratio with its denominator written next to it."
    )


class InteractiveShare(EqualityProblem):
    """Across all 20 communities in December 2025, what share of the active members were
    interactive? One share for the whole network, between 0 and 1."""

    var = "interactive_share_dec"

    def expected(self):
        dec = _december()
        return float(dec["interactive_members"].sum() / dec["active_members"].sum())

    hints = [
        "Keep the rows of `card` (or `kpis`) whose month is 2025-12-01.",
        "Interactive members are part of the active members: the denominator is the active "
        "members, summed over the communities.",
        "Sum the numerators and sum the denominators, then divide: a network-wide share weighs "
        "each community by its size.",
    ]
    solution = """\
dec = card[card["month"] == "2025-12-01"]
interactive_share_dec = dec["interactive_members"].sum() / dec["active_members"].sum()"""

    @staticmethod
    def _wrong():
        dec = _december()
        share = dec["interactive_members"].sum() / dec["active_members"].sum()
        return [
            Mistake(
                float(dec["interactive_members"].sum() / dec["members"].sum()),
                "You divided by all members: that is the interactive rate. The question asks "
                "for a share of the active members (those who did anything, reading included).",
            ),
            Mistake(
                float(dec["active_members"].sum() / dec["members"].sum()),
                "That is the active rate (active members / members). Active includes reading; "
                "interactive means posted, replied or reacted: put the interactive members on "
                "top and the active members below.",
            ),
            Mistake(
                float(dec["interactive_share"].mean()),
                "You averaged the 20 communities' shares, so a community of 300 weighs as much "
                "as one of 24,000. For the network, sum the interactive members and the active "
                "members first, then divide.",
            ),
            Mistake(float(100 * share), "That looks like a percentage: give a share (0 to 1)."),
        ]

    wrong = LazyWrong(_wrong)


class CommunityTrend(EqualityProblem):
    """Community K10: by how much does its interactive share change per month, on the
    least-squares line over its last 12 months? (A slope per month; negative if it falls.)"""

    var = "k10_slope"
    tolerance = 1e-6

    def expected(self):
        from course import measurement

        return float(
            measurement.trend(_load("community_kpis"), "interactive_share").loc["K10"]["slope"]
        )

    hints = [
        "`measurement.trend(kpis, 'interactive_share')` fits one line per community over its "
        "last 12 months; `months=12` is the default.",
        "Take the `slope` column at the row `'K10'`: it is a change per month.",
    ]
    solution = """\
k10_slope = measurement.trend(kpis, "interactive_share", months=12).loc["K10", "slope"]"""

    @staticmethod
    def _wrong():
        from course import measurement

        kpis = _load("community_kpis")
        year = measurement.trend(kpis, "interactive_share").loc["K10"]
        return [
            Mistake(
                float(measurement.trend(kpis, "interactive_share", months=24).loc["K10", "slope"]),
                "That line runs over all 24 months: the question asks for the last 12, the "
                "recent trend, with each season counted once.",
            ),
            Mistake(
                float(12 * year["slope"]),
                "That is a change per year (slope × 12): give the slope per month.",
            ),
            Mistake(
                float(year["relative_change"]),
                "That is the relative change over the window (fitted change / fitted start), "
                "not the slope: take the `slope` column.",
            ),
            Mistake(
                float(measurement.trend(kpis, "interactive_rate").loc["K10", "slope"]),
                "That is the trend of the interactive rate (interactive / members). The "
                "interactive share divides by the active members.",
            ),
        ]

    wrong = LazyWrong(_wrong)


class PulseCorrelation(EqualityProblem):
    """The satisfaction pulse runs once a quarter. Over the community-months that have a pulse,
    what is the (Pearson) correlation between `reply_rate` and `satisfaction`?"""

    var = "pulse_correlation"
    tolerance = 1e-6

    def expected(self):
        card = _card()
        pulse = card.dropna(subset=["satisfaction"])
        return float(pulse["reply_rate"].corr(pulse["satisfaction"]))

    hints = [
        "The pulse is empty (NaN) in eight months out of twelve: those months have no score, "
        "not a score of zero.",
        "Keep the rows with a satisfaction score (`dropna(subset=['satisfaction'])`), then "
        "`.corr()` between the two columns.",
    ]
    solution = """\
pulse = card.dropna(subset=["satisfaction"])
pulse_correlation = pulse["reply_rate"].corr(pulse["satisfaction"])"""

    @staticmethod
    def _wrong():
        card = _card()
        pulse = card.dropna(subset=["satisfaction"])
        return [
            Mistake(
                float(card["reply_rate"].corr(card["satisfaction"].fillna(0))),
                "You read the months without a pulse as a satisfaction of 0. They have no "
                "score at all: keep only the rows where satisfaction was measured.",
            ),
            Mistake(
                float(pulse["median_hours_to_first_reply"].corr(pulse["satisfaction"])),
                "That is the correlation with the time to the first reply; the question asks "
                "for the reply rate.",
            ),
        ]

    wrong = LazyWrong(_wrong)


class CmInterval(EqualityProblem):
    """Internal communities only, one value per community: its mean monthly interactive share in
    2025. Give the 95% Welch interval of (with a dedicated CM − without) as a tuple
    `(low, high)`."""

    var = "cm_interval"
    tolerance = 1e-6

    def expected(self):
        from course import measurement

        result = measurement.compare_groups(
            _internal_year(), "interactive_share", "has_dedicated_cm"
        )
        return (-result["high"], -result["low"])

    hints = [
        "Keep the internal communities and the months of 2025, then one row per community: "
        "`groupby(['community_id', 'has_dedicated_cm'], as_index=False)['interactive_share']"
        ".mean()`.",
        "`measurement.compare_groups(per_community, 'interactive_share', 'has_dedicated_cm')` "
        "gives the interval of the group that sorts first (False, without a CM) minus the other.",
        "With minus without is the opposite difference: flip the signs and swap the bounds, "
        "`(-result['high'], -result['low'])`.",
    ]
    solution = """\
internal = card[(card["kind"] == "internal") & (card["month"].dt.year == 2025)]
per_community = internal.groupby(["community_id", "has_dedicated_cm"], as_index=False)[
    "interactive_share"
].mean()
result = measurement.compare_groups(per_community, "interactive_share", "has_dedicated_cm")
cm_interval = (-result["high"], -result["low"])"""

    @staticmethod
    def _wrong():
        from scipy import stats

        from course import measurement

        per = _internal_year()
        right = measurement.compare_groups(per, "interactive_share", "has_dedicated_cm")
        months = measurement.compare_groups(
            _internal_year(per_month=True), "interactive_share", "has_dedicated_cm"
        )
        with_cm = per.loc[per["has_dedicated_cm"], "interactive_share"]
        without = per.loc[~per["has_dedicated_cm"], "interactive_share"]
        student = stats.ttest_ind(with_cm, without, equal_var=True).confidence_interval()
        return [
            Mistake(
                (right["low"], right["high"]),
                "Right interval, wrong direction: compare_groups subtracts the group that sorts "
                "first (False, without a CM). With minus without flips the signs and swaps the "
                "bounds.",
            ),
            Mistake(
                (-months["high"], -months["low"]),
                "You compared community-months: each community counted 12 times, as if they "
                "were 12 independent communities, so the interval is far too narrow. Average "
                "each community over the year first: one row per community.",
            ),
            Mistake(
                (float(student.low), float(student.high)),
                "That is Student's interval, which assumes both groups vary alike. Use Welch's "
                "(compare_groups, or equal_var=False in scipy).",
            ),
        ]

    wrong = LazyWrong(_wrong)


class NotProof(ThoughtProblem):
    """Communities with a dedicated CM have a higher interactive share, and the interval excludes
    0. Your HR director concludes: "a CM raises engagement by 12 points; let us hire one per
    community." What do you answer?"""

    hints = [
        "Who decided which communities got a CM? Before or after they were lively?",
        "Name what else differs between the two groups: size, age, topic, sponsor, kind.",
        "What design would let you measure the CM's effect rather than a difference?",
    ]
    solution = (
        "A model answer. The difference is real in these data, but it is an association, not "
        "an effect. CMs were not assigned at random: a company gives a CM to communities it "
        "already cares about (strategic topic, a sponsor, an engaged core), or a lively "
        "community earns one; either way the CM follows engagement as much as it creates it. "
        "Other confounders: size (a small community has a higher share of interactive members), "
        "age and lifecycle stage, topic (a support community asks and answers by nature), kind "
        "(internal vs external), and the sponsor's own participation. Restricting to comparable "
        "communities (internal only, similar size) is a first step; to measure the effect, give "
        "CMs to some communities in a staggered way (a pilot with a comparison group, before and "
        "after for both). Until then I would say: communities with a CM engage about 12 points "
        "more, consistent with the 52% of companies in the French survey who named community "
        "management their first success lever, and we will test it with the next hires."
    )


class OverallStages(EqualityProblem):
    """For the 2025 campaign, give each department's overall maturity stage by the instrument's
    rule (each dimension's median rounded down, then the overall stage of those medians), as a
    Series indexed by department (alphabetical order)."""

    var = "overall_2025"

    def expected(self):
        from course import measurement

        progress = measurement.maturity_progress(_load("maturity_ratings"))
        rows = progress[progress["year"] == YEAR].set_index("department")
        return rows["overall_stage"].astype(int).rename("overall_stage")

    hints = [
        "`measurement.maturity_progress(ratings)` gives one row per department and year with "
        "the eight medians and `overall_stage`.",
        "Keep the year 2025, set `department` as the index, take `overall_stage`.",
    ]
    solution = """\
progress = measurement.maturity_progress(ratings)
overall_2025 = progress[progress["year"] == 2025].set_index("department")["overall_stage"]"""

    @staticmethod
    def _wrong():
        from course.assess import maturity

        ratings = _load("maturity_ratings")
        rows = ratings[ratings["year"] == YEAR]
        dims = list(maturity.DIMENSIONS)
        medians = np.floor(rows.groupby("department")[dims].median())
        mean_rounded = medians.mean(axis=1).round().astype(int)
        pooled = rows.groupby("department")[dims].apply(
            lambda g: math.floor(np.median(g.to_numpy()))
        )
        per_rating = (
            rows.assign(
                stage=[maturity.overall_stage(dict(r)) for r in rows[dims].to_dict("records")]
            )
            .groupby("department")["stage"]
            .median()
            .apply(math.floor)
        )
        up = rows.groupby("department")[dims].median().apply(np.ceil).astype(int)
        rounded_up = up.apply(lambda r: maturity.overall_stage(dict(r)), axis=1)
        wrong = [
            Mistake(
                mean_rounded.rename("overall_stage"),
                "One department comes out a stage too high: you averaged the eight medians (or "
                "pooled every answer into one median) and rounded. The instrument takes the "
                "median of the eight medians, rounded down, capped at the weakest stage + 1: "
                "maturity.score (or maturity_progress) applies it for you.",
            ),
            Mistake(
                per_rating.astype(int).rename("overall_stage"),
                "You scored each rating, then took the median of the overall stages. The "
                "instrument scores the department's eight medians instead.",
            ),
        ]
        if not rounded_up.equals(mean_rounded) and not rounded_up.equals(per_rating):
            wrong.append(
                Mistake(
                    rounded_up.astype(int).rename("overall_stage"),
                    "A median of 2.5 is not stage 3: a stage is reached, not approached. Round "
                    "each dimension's median down.",
                )
            )
        if not pooled.equals(mean_rounded):  # the same slip on the shipped data: one message
            wrong.append(
                Mistake(
                    pooled.astype(int).rename("overall_stage"),
                    "You pooled every answer of the department into one median. First take each "
                    "dimension's median (rounded down), then the overall stage of those eight.",
                )
            )
        return wrong

    wrong = LazyWrong(_wrong)


class ShownDepartments(EqualityProblem):
    """Apply the HR view's small-group rule (groups of at least 5 people) to the 2025 maturity
    table: which departments can be shown? A list of names in alphabetical order."""

    var = "shown_2025"

    def expected(self):
        from course import measurement
        from course.assess import privacy

        safe = measurement.maturity_progress(_load("maturity_ratings"), k=privacy.K)
        rows = safe[(safe["year"] == YEAR) & safe["n"].notna()]
        return sorted(rows["department"])

    hints = [
        "`measurement.maturity_progress(ratings, k=privacy.K)` blanks the groups the HR view "
        "would hide (n is missing there).",
        "Keep 2025 and the rows where `n` is not missing; list their departments, sorted.",
        "At least 5 means 5 is enough.",
    ]
    solution = """\
safe = measurement.maturity_progress(ratings, k=privacy.K)
shown_2025 = sorted(safe.loc[(safe["year"] == 2025) & safe["n"].notna(), "department"])"""

    @staticmethod
    def _wrong():
        from course import measurement

        progress = measurement.maturity_progress(_load("maturity_ratings"))
        year = progress[progress["year"] == YEAR]
        return [
            Mistake(
                sorted(year.loc[year["n"] > 5, "department"]),
                "The rule is at least five people: a group of exactly five can be shown.",
            ),
            Mistake(
                sorted(year["department"]),
                "That is every department: the HR view never shows a group of fewer than five "
                "raters, because two or three ratings are as good as individual answers.",
            ),
        ]

    wrong = LazyWrong(_wrong)


class ValueStory(ThoughtProblem):
    """Write a value story of 80–120 words for one community of your choice, with the one number
    that supports it and the uncertainty of that number."""

    hints = [
        "A value story names a person, a problem, what the community did, and what it saved or "
        "made possible.",
        "The number is not the story: it shows the story is not an exception (how often it "
        "happens, with its denominator).",
        "Say how sure you are: a range, a sample size, or what the number does not show.",
    ]
    solution = (
        "A model answer (invented for the exercise). In March, a maintenance technician in "
        "Lyon posted a photo of a fault on a pump nobody on site had seen before. Within two "
        "hours, a colleague in Ghent who had fixed the same model replied with the procedure; "
        "the line restarted the same day instead of waiting for the supplier (three days, by "
        "the site manager's estimate). Such answers are not rare: in 2025, 78% of the questions "
        "in the maintenance community got a reply, half of them within 5 hours. The saving is "
        "the manager's estimate, not a measurement: we now ask each asker, a week later, "
        "whether the answer was used."
    )


QUESTIONS = [
    MembersSlide,
    InteractiveShare,
    CommunityTrend,
    PulseCorrelation,
    CmInterval,
    NotProof,
    OverallStages,
    ShownDepartments,
    ValueStory,
]
