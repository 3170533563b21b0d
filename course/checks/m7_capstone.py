"""Practice checks of M7 · Capstone, on the internal track of the case (Cyclane).

The graded assignment works mostly on the external track; the lesson practises the same methods on
the staff network so that nothing here gives an assignment answer away. Expected values and the
data-built wrong answers are computed when a check runs, never at import.
"""

from __future__ import annotations

import functools

from course.checks.core import EqualityProblem, LazyWrong, Mistake, ThoughtProblem

# Code the lesson runs before its questions; the test suite runs it before each reference solution.
SETUP = """\
import numpy as np
import pandas as pd
from course import adoption, capstone, engagement, moderation
case = capstone.load_case()
people, activity = case["people"], case["activity"]
comments, survey, events = case["comments"], case["survey"], case["events"]
internal_comments = comments[comments["track"] == "internal"]
internal_survey = survey[survey["track"] == "internal"]
december = activity["Report Refresh Date"].max()
"""


@functools.lru_cache(maxsize=1)
def _case():
    from course import capstone

    return capstone.load_case()


def _internal(part: str):
    frame = _case()[part]
    return frame[frame["track"] == "internal"]


def _december():
    activity = _case()["activity"]
    return activity[activity["Report Refresh Date"] == activity["Report Refresh Date"].max()]


class InteractiveOfStaff(EqualityProblem):
    """Share of all staff (the headcount) who were *interactive* (posted or liked) in December."""

    var = "interactive_of_staff"

    def expected(self):
        from course import adoption

        case = _case()
        last = case["activity"]["Report Refresh Date"].max()
        return float(adoption.interactive_users(case["activity"]).loc[last] / len(case["people"]))

    hints = [
        "The export lists licensed users only: the headcount is the number of rows of `people`.",
        "`adoption.interactive_users(activity)` gives one count per export date; take the one "
        "at `december` and divide by `len(people)`.",
    ]
    solution = (
        "interactive_of_staff = adoption.interactive_users(activity).loc[december] / len(people)"
    )

    @staticmethod
    def _wrong():
        from course import adoption

        case = _case()
        activity, people = case["activity"], case["people"]
        last = activity["Report Refresh Date"].max()
        interactive = adoption.interactive_users(activity).loc[last]
        active = adoption.active_users(activity).loc[last]
        return [
            Mistake(
                interactive / len(_december()),
                "You divided by the users in the export: it lists licensed staff only. "
                "The sponsor's denominator is every employee (`len(people)`).",
            ),
            Mistake(
                active / len(people),
                "That counts active users, and a read is enough to be active. Interactive means "
                "posted or liked.",
            ),
            Mistake(
                interactive / active,
                "That is the share of active users who interacted (engagement), not a share of "
                "all staff.",
            ),
        ]

    wrong = LazyWrong(_wrong)


class PostersOfStaff(EqualityProblem):
    """Share of all staff who posted at least once in 2025 (staff without a licence count)."""

    var = "posters_of_staff"

    def expected(self):
        from course import capstone

        case = _case()
        return float((capstone.staff_posts(case["people"], case["activity"]) > 0).mean())

    hints = [
        "Sum `Posted Count` per user over the twelve exports, then look at the whole directory.",
        "`capstone.staff_posts(people, activity)` gives one total per employee, zeros included.",
    ]
    solution = "posters_of_staff = (capstone.staff_posts(people, activity) > 0).mean()"

    @staticmethod
    def _wrong():
        case = _case()
        totals = case["activity"].groupby("User Principal Name")["Posted Count"].sum()
        last = _december()
        return [
            Mistake(
                float((totals > 0).mean()),
                "That is a share of licensed users: staff without a licence posted nothing, and "
                "they count in the headcount.",
            ),
            Mistake(
                float((last["Posted Count"] > 0).mean()),
                "That is December only, among licensed users: sum the twelve exports per person, "
                "over the whole directory.",
            ),
            Mistake(
                100 * float((totals > 0).sum() / len(case["people"])),
                "That looks like a percentage: give a share between 0 and 1.",
            ),
        ]

    wrong = LazyWrong(_wrong)


class InternalKappa(EqualityProblem):
    """Cohen's kappa between rater A and rater B on the internal comments."""

    var = "internal_kappa"
    tolerance = 1e-4

    def expected(self):
        from course import moderation

        c = _internal("comments")
        return moderation.cohen_kappa(c["label_rater_a"], c["label_rater_b"])

    hints = [
        "Agreement by chance matters: kappa is not the share of identical labels.",
        "`moderation.cohen_kappa(internal_comments['label_rater_a'], "
        "internal_comments['label_rater_b'])`.",
    ]
    solution = (
        "internal_kappa = moderation.cohen_kappa(\n"
        '    internal_comments["label_rater_a"], internal_comments["label_rater_b"]\n)'
    )

    @staticmethod
    def _wrong():
        from course import moderation

        c = _internal("comments")
        everything = _case()["comments"]
        return [
            Mistake(
                float((c["label_rater_a"] == c["label_rater_b"]).mean()),
                "That is the raw agreement: kappa removes the agreement expected by chance.",
            ),
            Mistake(
                moderation.cohen_kappa(everything["label_rater_a"], everything["label_rater_b"]),
                "That is both tracks: keep the internal comments only.",
            ),
            Mistake(
                moderation.cohen_kappa(c["label_rater_a"], c["category"]),
                "You compared rater A with the adjudicated label: agreement is between the two "
                "raters.",
            ),
        ]

    wrong = LazyWrong(_wrong)


class InternalReplyTimes(EqualityProblem):
    """Internal comments: a dict with the median hours to a first reply and the share answered
    within 24 hours, unanswered comments counted as misses."""

    var = "internal_reply"

    def expected(self):
        from course import moderation

        stats = moderation.response_time_stats(_internal("comments")["hours_to_first_reply"])
        return {"median_h": float(stats["median_h"]), "within_24h": float(stats["within_24h"])}

    hints = [
        "A comment nobody answered is the worst wait of all: dropping it flatters the team.",
        "`moderation.response_time_stats(internal_comments['hours_to_first_reply'])` keeps "
        "them; read `median_h` and `within_24h`.",
    ]
    solution = """\
stats = moderation.response_time_stats(internal_comments["hours_to_first_reply"])
internal_reply = {"median_h": stats["median_h"], "within_24h": stats["within_24h"]}
"""

    @staticmethod
    def _wrong():
        from course import moderation

        hours = _internal("comments")["hours_to_first_reply"]
        kept = moderation.response_time_stats(hours)
        dropped = moderation.response_time_stats(hours.dropna())
        return [
            Mistake(
                {
                    "median_h": float(dropped["median_h"]),
                    "within_24h": float(dropped["within_24h"]),
                },
                "You dropped the comments nobody answered: they are the longest waits, and "
                "leaving them out flatters the team.",
            ),
            Mistake(
                {
                    "median_h": float(kept["median_h"]),
                    "within_24h": 100 * float(kept["within_24h"]),
                },
                "within_24h looks like a percentage: give a share between 0 and 1.",
            ),
            Mistake(
                {"median_h": float(hours.mean()), "within_24h": float(kept["within_24h"])},
                "That is a mean of the answered delays: a few very late replies pull it up, and "
                "the unanswered are missing. Use the median with the unanswered as misses.",
            ),
        ]

    wrong = LazyWrong(_wrong)


class InternalNps(EqualityProblem):
    """Net promoter score of the staff who answered the survey (-100 to 100)."""

    var = "internal_nps"

    def expected(self):
        from course import capstone

        return capstone.net_promoter_score(_internal("survey")["would_recommend"])

    hints = [
        "Promoters answer 9 or 10, detractors 0 to 6; passives (7, 8) count in the total only.",
        "`capstone.net_promoter_score(internal_survey['would_recommend'])`.",
    ]
    solution = "internal_nps = capstone.net_promoter_score(internal_survey['would_recommend'])"

    @staticmethod
    def _wrong():
        from course import capstone

        scores = _internal("survey")["would_recommend"]
        return [
            Mistake(
                float(scores.mean()),
                "That is the mean answer: the score is % promoters minus % detractors.",
            ),
            Mistake(
                100 * float((scores >= 9).mean()),
                "That is the share of promoters only: subtract the detractors (0 to 6).",
            ),
            Mistake(
                capstone.net_promoter_score(_case()["survey"]["would_recommend"]),
                "That is both tracks: keep the staff (track internal).",
            ),
            Mistake(
                100 * float((scores >= 9).mean() - (scores <= 7).mean()),
                "Passives (7 and 8) are not detractors: detractors answer 0 to 6.",
            ),
        ]

    wrong = LazyWrong(_wrong)


class ShowUpByLevel(EqualityProblem):
    """Internal events: attendance as a share of registrations, pooled per engagement level
    (a Series indexed 1, 2, 3, sorted by level)."""

    var = "show_up_by_level"

    def expected(self):
        events = _internal_events()
        totals = events.groupby("engagement_level")[["attended", "registered"]].sum()
        return totals["attended"] / totals["registered"]

    hints = [
        "Keep the events of internal communities: join on `community_id` with the communities "
        "whose `track` is internal.",
        "Pool: sum attendees and registrations per level, then divide (a big webinar weighs "
        "more than a small workshop).",
    ]
    solution = """\
internal_ids = case["communities"].query("track == 'internal'")["community_id"]
internal_events = events[events["community_id"].isin(internal_ids)]
totals = internal_events.groupby("engagement_level")[["attended", "registered"]].sum()
show_up_by_level = totals["attended"] / totals["registered"]
"""

    @staticmethod
    def _wrong():
        events = _internal_events()
        every = _case()["events"]
        per_event = (events["attended"] / events["registered"]).groupby(events["engagement_level"])
        pooled_all = every.groupby("engagement_level")[["attended", "registered"]].sum()
        return [
            Mistake(
                per_event.mean(),
                "That is a mean of the events' rates: a small workshop weighs as much as a big "
                "webinar. Sum attendees and registrations per level, then divide.",
            ),
            Mistake(
                pooled_all["attended"] / pooled_all["registered"],
                "That includes the customer community's events: keep the internal communities.",
            ),
        ]

    wrong = LazyWrong(_wrong)


def _internal_events():
    case = _case()
    ids = case["communities"].loc[case["communities"]["track"] == "internal", "community_id"]
    return case["events"][case["events"]["community_id"].isin(ids)]


class DiagnosisForTheSponsor(ThoughtProblem):
    """Write the first three sentences of your diagnosis for the HR director: what is going well,
    what is not, and what it means for her business goal, each with one figure and its
    denominator."""

    hints = [
        "Start from her goal (new technicians working alone sooner), not from the platform.",
        "Which figure would she quote to the executive committee, and which one flatters you?",
    ]
    solution = (
        "Model answer (the figures are those of the lesson's diagnosis): a third of all staff "
        "opened the network in December, but only about one in eight interacted and fewer than "
        "one in ten posted during the year; a quarter of staff have no licence at all, most of "
        "them frontline staff, where the new technicians are. Almost half of the posts come "
        "from 24 people (the top 1%): the know-how the goal needs is in few hands. So the network reaches "
        "offices, not the shop floor: before counting users, the plan must get technicians' "
        "questions answered where they work, and measure that (questions from technicians "
        "answered within a shift), not active users."
    )


class GoalTiedToBusiness(ThoughtProblem):
    """Turn the sponsor's business goal into one goal for the community for the first 90 days:
    a figure, a baseline, a target, a date, and the link to the business goal."""

    hints = [
        "A community goal the CM can influence, which plausibly moves the business goal.",
        "Baseline from the data, target you can defend, and a way to measure it every month.",
    ]
    solution = (
        "By the end of March, 70% of the questions posted in the plant's community by "
        "technicians in their first three months get a useful answer from a colleague within "
        "one shift (8 hours), from a baseline measured in the first two weeks. It serves the "
        "sponsor's goal (autonomy in 7 weeks instead of 10) because waiting for an answer is "
        "one of the delays a new technician suffers; the link is a hypothesis to test with the "
        "plant director, by comparing the autonomy dates of two hiring cohorts."
    )


class ScorecardChoice(ThoughtProblem):
    """Pick the four figures of the sponsor's monthly scorecard for the external track, and say
    for each why it is there and what it must never be read as."""

    hints = [
        "One figure for reach, one for participation, one for the service goal, one for value.",
        "Think of the staff accounts in the answers and of the comments nobody answered.",
    ]
    solution = (
        "1. Peer answer share: answers written by members who are not staff, of all answers "
        "(the goal is peer support; staff answers must not count). 2. Share of questions "
        "answered within 24 hours, unanswered counted as misses (the service promise; not a "
        "median of answered questions only). 3. Share of members who posted or answered this "
        "month (participation; not 'active users', which reading inflates). 4. Tickets per "
        "1,000 bikes sold, from customer service (the business goal; the community is one cause "
        "among others, so show the trend beside the launch calendar, never claim all of it)."
    )


QUESTIONS = [
    InteractiveOfStaff,
    PostersOfStaff,
    InternalKappa,
    InternalReplyTimes,
    InternalNps,
    ShowUpByLevel,
    DiagnosisForTheSponsor,
    GoalTiedToBusiness,
    ScorecardChoice,
]
