"""Practice checks of M5 · Communities of practice: what a CoP is, bands, answers, brokers, launch.

Each likely wrong answer is declared as a :class:`~course.checks.core.Mistake` with the message a
trainee who made that mistake needs; the values are computed from the data when asked, never at
import.
"""

from __future__ import annotations

from functools import cache
from typing import ClassVar

from course.checks.core import (
    EqualityProblem,
    FunctionProblem,
    LazyWrong,
    Mistake,
    ThoughtProblem,
)

# Code the lesson runs before its questions; the test suite runs it before each reference solution.
SETUP = (
    "import pandas as pd\n"
    "import course.data\n"
    "from course import communities\n"
    "cops = course.data.load('cops')\n"
    "members = course.data.load('cop_members')\n"
    "events = course.data.load('cop_events')"
)


# Cached: check() and the mistakes compare against these many times; they are read, never changed.
@cache
def _events():
    import course.data

    return course.data.load("cop_events")


@cache
def _members():
    import course.data

    return course.data.load("cop_members")


@cache
def _first_answers():
    from course import communities

    return communities.first_answer_hours(_events())


@cache
def _top_broker(cop_id: str):
    from course import communities

    graph = communities.answer_network(_events(), cop_id)
    return graph, communities.brokers(graph, top=1)[0]


@cache
def _removal_of_top_broker(cop_id: str):
    from course import communities

    graph, (member, _) = _top_broker(cop_id)
    return communities.member_removal(graph, member)


class WhatIsACop(ThoughtProblem):
    """Four groups in a company: which one is a community of practice, and what are the other
    three? (a) the six people rolling out the new payroll tool by June; (b) the "all-technicians"
    distribution list of 900 addresses; (c) the maintenance team of the Lyon plant; (d) forty
    welders from five plants who post their weld defects on the RSE and answer each other's."""

    hints = [
        "Look for the three parts: a shared domain, a community that learns together, and a "
        "shared practice members improve.",
        "A team and a project owe a deliverable to a manager; a list only broadcasts. Who joins "
        "by interest, and who learns from whom?",
    ]
    solution = (
        "(d) is a community of practice: a domain (welding quality), a community (they answer "
        "each other across five plants) and a practice (the defects and fixes they share); they "
        "belong by interest, not by order. (a) is a project: a deliverable and an end date. "
        "(b) is a mailing list: people receive, nobody has to learn together. (c) is a team: "
        "a manager, shared objectives, one site. Teams and projects can feed a community, and a "
        "list can be its channel, but none of them is one."
    )


class CrossSiteShareAll(EqualityProblem):
    """Over the whole dataset, what share of answers connect two different sites
    (``author_site != linked_site``)?"""

    var = "cross_share_all"
    hints = [
        "Keep the answers first: `events[events['event_type'] == 'answer']`.",
        "Compare `author_site` with `linked_site` row by row; the mean of booleans is a share.",
    ]
    solution = (
        'answers = events[events["event_type"] == "answer"]\n'
        'cross_share_all = (answers["author_site"] != answers["linked_site"]).mean()'
    )

    def expected(self):
        answers = _events().query("event_type == 'answer'")
        return float((answers["author_site"] != answers["linked_site"]).mean())

    def _wrong():
        from course import communities

        events = _events()
        answers = events[events["event_type"] == "answer"]
        share = float((answers["author_site"] != answers["linked_site"]).mean())
        return [
            Mistake(
                float((events["author_site"] != events["linked_site"]).mean()),
                "You compared on every event: questions, documents and meetups have no "
                "linked_site, so they all count as 'different'. Keep the answers only.",
            ),
            Mistake(
                1 - share,
                "That is the share of answers that stay on the same site: flip the comparison.",
            ),
            Mistake(
                float(communities.cross_site_share(events).mean()),
                "That is the average of the 30 communities' shares, each community weighing the "
                "same; the question asks for the share of all answers.",
            ),
            Mistake(100 * share, "That looks like a percentage: give a share between 0 and 1."),
        ]

    wrong = LazyWrong(_wrong)


class CoreShareOfEvents(EqualityProblem):
    """What share of all events (questions, answers, documents, meetups) are written by core
    members of the community in which they are posted?"""

    var = "core_event_share"
    hints = [
        "Bring each event's author band in from `members`: a merge.",
        "A person can belong to several communities with different bands: merge on both "
        "`cop_id` and the author (`left_on=['cop_id', 'author_id']`, "
        "`right_on=['cop_id', 'employee_id']`).",
        "Then the share of rows whose band is 'core'.",
    ]
    solution = (
        'with_band = events.merge(members[["cop_id", "employee_id", "band"]],\n'
        '                         left_on=["cop_id", "author_id"],\n'
        '                         right_on=["cop_id", "employee_id"], how="left")\n'
        'core_event_share = (with_band["band"] == "core").mean()'
    )

    def expected(self):
        events, members = _events(), _members()
        merged = events.merge(
            members[["cop_id", "employee_id", "band"]],
            left_on=["cop_id", "author_id"],
            right_on=["cop_id", "employee_id"],
            how="left",
        )
        return float((merged["band"] == "core").mean())

    def _wrong():
        events, members = _events(), _members()
        loose = events.merge(
            members[["employee_id", "band"]], left_on="author_id", right_on="employee_id"
        )
        return [
            Mistake(
                float((loose["band"] == "core").mean()),
                "You merged on the author only: someone in three communities then appears "
                "three times per event, with the band of each. Merge on cop_id and the author.",
            ),
            Mistake(
                float((members["band"] == "core").mean()),
                "That is the share of members who are core, not the share of events they write. "
                "The gap between the two is the point of the question.",
            ),
        ]

    wrong = LazyWrong(_wrong)


class InReferenceBands(FunctionProblem):
    """Write ``in_reference_bands(core, active)``: ``True`` when a community's core share is
    within 10–15% and its active share within 15–20% (shares between 0 and 1, bounds included),
    the bands of Wenger, McDermott & Snyder (2002)."""

    var = "in_reference_bands"
    cases: ClassVar[list] = [
        ((0.12, 0.17), True),
        ((0.10, 0.20), True),
        ((0.15, 0.15), True),
        ((0.09, 0.17), False),
        ((0.12, 0.25), False),
        ((0.30, 0.17), False),
        ((0.12, 0.05), False),
    ]
    hints = [
        "Two conditions, both required: `0.10 <= core <= 0.15` and `0.15 <= active <= 0.20`.",
        "Return the boolean itself: `return (...) and (...)`.",
    ]
    solution = (
        "def in_reference_bands(core, active):\n"
        "    return 0.10 <= core <= 0.15 and 0.15 <= active <= 0.20"
    )
    wrong: ClassVar[list] = [
        Mistake(
            lambda core, active: 0.10 <= core <= 0.15,
            "You test the core only: the active band (15–20%) must hold too.",
        ),
        Mistake(
            lambda core, active: 10 <= core <= 15 and 15 <= active <= 20,
            "The shares are between 0 and 1: 10–15% is 0.10 to 0.15.",
        ),
        Mistake(
            lambda core, active: 0.10 < core < 0.15 and 0.15 < active < 0.20,
            "The bounds are included: a core of exactly 10% is in the band.",
        ),
    ]


class MedianFirstAnswer(EqualityProblem):
    """In community COP01, what is the median number of hours from a question to its *first*
    answer (questions never answered left out)?"""

    var = "median_first_cop01"
    tolerance = 1e-3  # a value read in a table rounded to 3 decimals is accepted
    hints = [
        "`communities.first_answer_hours(events)` gives one row per community.",
        "Read the `median_hours` of the row `COP01`.",
    ]
    solution = (
        'median_first_cop01 = communities.first_answer_hours(events).loc["COP01", "median_hours"]'
    )

    def expected(self):
        return float(_first_answers().loc["COP01", "median_hours"])

    def _wrong():
        import numpy as np
        import pandas as pd

        events = _events()
        cop = events[events["cop_id"] == "COP01"]
        questions = cop[cop["event_type"] == "question"].set_index("event_id")
        answers = cop[cop["event_type"] == "answer"]
        asked = questions.loc[answers["reply_to"], "occurred_at"].to_numpy()
        delay = pd.Series(
            (answers["occurred_at"].to_numpy() - asked) / np.timedelta64(1, "h"),
            index=answers["reply_to"].to_numpy(),
        )
        first = delay.groupby(level=0).min()
        return [
            Mistake(
                float(np.median(delay)),
                "You timed every answer; the question asks for the first answer to each "
                "question (later answers are slower and pull the median up).",
            ),
            Mistake(
                float(first.mean()),
                "That is the mean: a few questions answered days later drag it up. Use the median.",
            ),
        ]

    wrong = LazyWrong(_wrong)


class AnsweredShare(EqualityProblem):
    """In community COP01, what share of questions got at least one answer?"""

    var = "answered_cop01"
    tolerance = 1e-3  # a value read in a table rounded to 3 decimals is accepted
    hints = [
        "`communities.first_answer_hours(events)` has an `answered_share` column.",
        "Or by hand: the questions whose `event_id` appears in some answer's `reply_to`.",
    ]
    solution = (
        'answered_cop01 = communities.first_answer_hours(events).loc["COP01", "answered_share"]'
    )

    def expected(self):
        return float(_first_answers().loc["COP01", "answered_share"])

    def _wrong():
        events = _events()
        cop = events[events["cop_id"] == "COP01"]
        questions = int((cop["event_type"] == "question").sum())
        answers = cop[cop["event_type"] == "answer"]
        return [
            Mistake(
                len(answers) / questions,
                "That is answers per question: a question answered three times counts three "
                "times. Count the questions with at least one answer.",
            ),
            Mistake(
                answers["reply_to"].nunique(),
                "That is the number of answered questions: divide by the number of questions.",
            ),
        ]

    wrong = LazyWrong(_wrong)


class TopBroker(EqualityProblem):
    """Who is the top broker of COP01 (the member with the highest betweenness centrality)?
    Give the member id as a string."""

    var = "top_broker_cop01"
    hints = [
        "`graph = communities.answer_network(events, 'COP01')`.",
        "`communities.brokers(graph, top=1)` returns `[(member_id, betweenness)]`.",
    ]
    solution = (
        'graph = communities.answer_network(events, "COP01")\n'
        "top_broker_cop01 = communities.brokers(graph, top=1)[0][0]"
    )

    def expected(self):
        return _top_broker("COP01")[1][0]

    def _wrong():
        events = _events()
        answers = events[(events["cop_id"] == "COP01") & (events["event_type"] == "answer")]
        counts = answers["author_id"].value_counts()
        most = sorted(counts[counts == counts.max()].index)
        mistakes = [
            Mistake(
                member,
                "That member gives the most answers, but answering much is not brokering: a "
                "broker links people who would otherwise not be connected. Use betweenness.",
            )
            for member in most
        ]
        pair = _top_broker("COP01")[1]
        mistakes.append(
            Mistake(pair, "brokers() returns (member, score) pairs: keep the member id only.")
        )
        return mistakes

    wrong = LazyWrong(_wrong)


class SitePairsLost(EqualityProblem):
    """What-if: COP20's top broker leaves. How many pairs of sites that answers linked directly
    are no longer linked by any answer?"""

    var = "pairs_lost_cop20"
    hints = [
        "Find the top broker with `communities.brokers(graph, top=1)`.",
        "`communities.member_removal(graph, member)` returns `site_pairs_lost` (a list).",
        "The question asks for a number: the length of that list.",
    ]
    solution = (
        'graph20 = communities.answer_network(events, "COP20")\n'
        "broker20 = communities.brokers(graph20, top=1)[0][0]\n"
        'pairs_lost_cop20 = len(communities.member_removal(graph20, broker20)["site_pairs_lost"])'
    )

    def expected(self):
        return len(_removal_of_top_broker("COP20")["site_pairs_lost"])

    def _wrong():
        result = _removal_of_top_broker("COP20")
        return [
            Mistake(
                result["site_pairs_after"],
                "That is the number of site pairs still linked after the departure; the "
                "question asks how many are lost.",
            ),
            Mistake(
                result["cross_site_answers_lost"],
                "That counts cross-site answers lost; several answers can link the same pair "
                "of sites. Count the pairs of sites no longer linked.",
            ),
        ]

    wrong = LazyWrong(_wrong)


class LaunchDecision(ThoughtProblem):
    """The head of digital transformation asks you to launch a community of practice on
    "generative AI at work" next month, with a budget, a platform space and a kick-off speech by
    the CEO. Nobody has yet exchanged on the subject across sites. What do you answer?"""

    hints = [
        "The sources give two conditions for a launch: an important theme, and an embryonic "
        "network. Which one is met?",
        "What can you do in the potential stage to grow the missing condition, before anything "
        "is opened on the RSE?",
    ]
    solution = (
        "The theme is important, but there is no embryonic network: launching now would give a "
        "space with a speech and no one who already helps anyone. Propose a potential stage of "
        "six to eight weeks instead: find the people who already use such tools (an RSE search, "
        "the IT helpdesk's tickets, a short call for volunteers), meet them, note the problems "
        "they share, and recruit a core of three to five from more than one site. Launch when "
        "that core exists, around a concrete problem, with the CEO's message as a sign that "
        "time spent there counts, not as the community's content. Business before tools: the "
        "platform space is the last thing to open."
    )


class ClosingWell(ThoughtProblem):
    """COP20 is in the transformation stage: it had 100 questions in 2024 and 21 in 2025, and its
    coordinator is leaving. The sponsor wants to "just switch it off". What do you recommend?"""

    hints = [
        "Transformation can end in a merge, a refocus or a closure: which fits, and who decides?",
        "Closing well: what happens to members, to the knowledge, and to the story?",
    ]
    solution = (
        "Check first whether the domain still matters: if the questions moved to a neighbouring "
        "community, propose a merge; if the practice changed, a refocus with a new coordinator; "
        "if neither, a closure, decided with the members. Close well rather than switch off: "
        "announce it with a date, thank the core by name, archive and label the useful "
        "threads and documents so that search still finds them, point members to where their "
        "questions go now, and write a short account of what the community achieved for the "
        "sponsor. Wenger's 1998 names for this end, dispersed then memorable, say the goal: "
        "the people scatter, the knowledge and the memory stay."
    )


QUESTIONS = [
    WhatIsACop,
    LaunchDecision,
    ClosingWell,
    InReferenceBands,
    CoreShareOfEvents,
    CrossSiteShareAll,
    AnsweredShare,
    MedianFirstAnswer,
    TopBroker,
    SitePairsLost,
]
