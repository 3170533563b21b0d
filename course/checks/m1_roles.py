"""Practice checks of M1 · Roles: where the role sits, reading a survey, time, orientation.

Expected values that need data are computed lazily, from the shipped datasets, when a check runs.
The ``wrong`` answers are typical trainee mistakes (inverted conditional, wrong denominator,
percentage instead of share, rounding down a sample size, forgetting to reverse O2 …); numbers
among them were computed once from the shipped datasets with the mistaken method.
"""

from __future__ import annotations

import math

from course.checks.core import EqualityProblem, FunctionProblem, Mistake, ThoughtProblem

# Code the lesson runs before its questions; the test suite runs it before each reference solution.
SETUP = """\
import math
import pandas as pd
import course.data
from course import roles
survey = course.data.load("cm_survey")
task_log = course.data.load("cm_task_log")
"""


def _survey():
    import course.data

    return course.data.load("cm_survey")


def _task_log():
    import course.data

    return course.data.load("cm_task_log")


class InternalReportingToHR(EqualityProblem):
    """Among internal CMs, what share report to HR?"""

    var = "internal_hr_share"
    hints = [
        "Keep the internal CMs first (`survey['role'] == 'internal'`), then look at `reports_to`.",
        "The denominator is the number of internal CMs, not the number of people reporting to HR.",
        "`(survey.loc[survey['role'] == 'internal', 'reports_to'] == 'HR').mean()`",
    ]
    solution = (
        "internal = survey[survey['role'] == 'internal']\n"
        "internal_hr_share = (internal['reports_to'] == 'HR').mean()"
    )
    # Inverted conditional (internal among HR reporters), HR among everyone, a percentage, a count.
    wrong = [
        Mistake(
            0.575,
            "You divided by the people reporting to HR: that is the share of internal CMs among "
            "them. The question starts from the internal CMs: divide by them.",
            tolerance=1e-3,
        ),
        Mistake(
            0.0693,
            "You divided by every respondent: the question is among internal CMs only.",
            tolerance=1e-3,
        ),
        31.94,
        Mistake(23, "That is a count of people; the question asks for a share."),
    ]

    def expected(self) -> float:
        survey = _survey()
        internal = survey[survey["role"] == "internal"]
        return float((internal["reports_to"] == "HR").mean())


class ShareOfWomen(EqualityProblem):
    """What share of the survey's respondents are women (a number between 0 and 1)?"""

    var = "share_women"
    hints = [
        "A share is a count divided by the number of respondents who answered.",
        "`(survey['gender'] == 'woman').mean()`: the mean of True/False values is a share.",
    ]
    solution = "share_women = (survey['gender'] == 'woman').mean()"
    wrong = [
        Mistake(300, "That is the number of women; divide it by the number of respondents."),
        Mistake(52.0, "52 is the published percentage; give a share between 0 and 1."),
        Mistake(
            0.52,
            "0.52 is the published figure typed in; compute the share from the data (the "
            "file's count gives a slightly different number).",
            tolerance=1e-6,
        ),
        277 / 577,
        Mistake(300 / 454, "454 is the 2011 edition; divide by this survey's respondents."),
    ]

    def expected(self) -> float:
        survey = _survey()
        return float((survey["gender"] == "woman").mean())


class WomenInterval(EqualityProblem):
    """The 95 % Wilson interval of the share of women, as a ``(low, high)`` tuple of shares."""

    var = "women_interval"
    tolerance = 1e-4
    hints = [
        "`roles.wilson_interval(successes, n)` takes two counts, not a share.",
        "successes = number of women, n = number of respondents.",
        "`roles.wilson_interval(int((survey['gender'] == 'woman').sum()), len(survey))`",
    ]
    solution = (
        "women = int((survey['gender'] == 'woman').sum())\n"
        "women_interval = roles.wilson_interval(women, len(survey))"
    )
    # Share ± margin (Wald, or the ± 4 points rule), percentages, the men's interval.
    wrong = [
        Mistake(
            (0.48, 0.56),
            "That is share ± margin (about ± 4 points, the Wald interval); the course uses the "
            "Wilson interval: roles.wilson_interval from the two counts.",
            tolerance=0.006,
        ),
        Mistake((47.92, 56.04), "Those are percentages; give the bounds as shares (0 to 1).", 0.2),
        Mistake(
            (0.43957, 0.52083),
            "That is the interval of the men; count the women as successes.",
        ),
    ]

    def expected(self) -> tuple[float, float]:
        from course import roles

        survey = _survey()
        return roles.wilson_interval(int((survey["gender"] == "woman").sum()), len(survey))


class MajorityShown(EqualityProblem):
    """Does the survey show that most French CMs are women (True or False)?"""

    var = "women_majority_shown"
    hints = [
        "Look at the low end of your interval: is it above 0.5?",
        "Even for a random sample, an interval that contains 0.5 cannot exclude a minority; and "
        "this sample is not random.",
    ]
    solution = "women_majority_shown = women_interval[0] > 0.5  # False: the interval contains 0.5"
    setup = (
        "women_interval = roles.wilson_interval(int((survey['gender'] == 'woman').sum()), "
        "len(survey))"
    )
    wrong = [
        Mistake(
            True,
            "52% is above one half, but look at the low end of the interval: is it above 0.5?",
        ),
        Mistake("False", "That is text (in quotes); give the boolean False or True."),
        0,
    ]

    def expected(self) -> bool:
        from course import roles

        survey = _survey()
        low, _ = roles.wilson_interval(int((survey["gender"] == "woman").sum()), len(survey))
        return bool(low > 0.5)


class JobBoardAmongHired(EqualityProblem):
    """Among respondents who were hired (freelancers were not), what share came through a job board?"""

    var = "job_board_hired"
    hints = [
        "The published 23 % is over all 577 respondents, freelancers included.",
        "Freelancers have `hiring_channel == 'not applicable (freelance)'`: drop them from the "
        "denominator.",
        "`hired = survey[survey['hiring_channel'] != 'not applicable (freelance)']`",
    ]
    solution = (
        "hired = survey[survey['hiring_channel'] != 'not applicable (freelance)']\n"
        "job_board_hired = (hired['hiring_channel'] == 'job board').mean()"
    )
    # Over all respondents (the published denominator), a percentage, a count.
    wrong = [
        Mistake(
            133 / 577,
            "You kept the freelancers in the denominator; they were not hired, so leave them out.",
        ),
        0.23,
        26.23,
        Mistake(133, "That is a count; divide it by the number of hired respondents."),
    ]

    def expected(self) -> float:
        survey = _survey()
        hired = survey[survey["hiring_channel"] != "not applicable (freelance)"]
        return float((hired["hiring_channel"] == "job board").mean())


def _needed_n(margin: float) -> int:
    return math.ceil(1.96**2 * 0.25 / margin**2)


class SampleSizeFunction(FunctionProblem):
    """Write ``needed_n(margin)``: answers needed for a 95 % margin of ± ``margin`` at worst (p = 0.5)."""

    var = "needed_n"
    cases = [((0.03,), 1068), ((0.05,), 385), ((0.10,), 97), ((0.041,), 572)]
    hints = [
        "Solve margin = z·√(p(1 − p)/n) for n, with z = 1.96 and p = 0.5 (the widest case).",
        "n = z² · p(1 − p) / margin². A sample size is a whole number of people: round *up*.",
        "`return math.ceil(1.96**2 * 0.25 / margin**2)`",
    ]
    solution = (
        "def needed_n(margin):\n"
        "    # worst case p = 0.5; round up: 1067.1 people are not enough, 1068 are\n"
        "    return math.ceil(1.96**2 * 0.25 / margin**2)"
    )
    wrong = [
        Mistake(
            lambda margin: round(1.96**2 * 0.25 / margin**2),
            "You rounded to the nearest whole number (or cut the decimals): 1067.1 answers "
            "rounded down miss the margin. Round a sample size up.",
        ),
        lambda margin: int(1.96**2 * 0.25 / margin**2),  # truncates: same cases as round
        lambda margin: math.ceil(1.96**2 * 0.25 / margin),  # forgot to square the margin
        lambda margin: math.ceil(1.96 * 0.25 / margin**2),  # forgot to square z
    ]


class TwoEditions(ThoughtProblem):
    """454 answers in 2011, 577 in 2012: has the profession grown by about a quarter?"""

    hints = [
        "What does the number of answers to an online survey measure: the profession, or the "
        "survey's reach?",
        "What would you need to compare the two editions fairly?",
    ]
    solution = (
        "No. The count of answers measures how far the survey travelled (the job site's and the "
        "blog's audience, the dates, how long it stayed open: 17 June–8 August 2011 against "
        "12 April–8 May 2012), not how many CMs there are. What a second edition does give you "
        "is a second point for the *shares*: if the share of women or of Paris-region CMs is "
        "about the same in two samples gathered the same way, the figure is stable for this kind "
        "of sample (not necessarily for the profession). Compare shares with their intervals, and "
        "say that both samples are self-selected."
    )


class InternalFacilitationShare(EqualityProblem):
    """What share of internal CMs' logged hours goes to facilitation (animation)?"""

    var = "internal_facilitate"
    hints = [
        "`roles.time_shares(task_log, 'role')` gives one row per role, one column per task.",
        "Pick the row 'internal' and the column 'facilitate' with `.loc`.",
    ]
    solution = (
        "internal_facilitate = roles.time_shares(task_log, 'role').loc['internal', 'facilitate']"
    )
    # External CMs' share; the mean of each CM's share; facilitation among all roles; a percentage.
    wrong = [
        Mistake(
            0.0755,
            "That is the external CMs' share; take the row of the internal CMs.",
            tolerance=1e-3,
        ),
        Mistake(
            0.2583,
            "That is the mean of each CM's own share (a typical CM's week); the question asks "
            "for the share of the internal team's logged hours.",
            tolerance=1e-3,
        ),
        0.1456,
        Mistake(26.24, "That looks like a percentage; give a share between 0 and 1.", 0.05),
    ]

    def expected(self) -> float:
        from course import roles

        return float(roles.time_shares(_task_log(), "role").loc["internal", "facilitate"])


class BiggestGapTask(EqualityProblem):
    """Which task's share of time differs most between internal and external CMs (either way)?"""

    var = "biggest_gap_task"
    hints = [
        "Subtract the 'external' row from the 'internal' row of the time shares.",
        "Either way means the absolute value: `.abs()`, then `.idxmax()` gives the task's name.",
    ]
    solution = (
        "shares = roles.time_shares(task_log, 'role')\n"
        "biggest_gap_task = (shares.loc['internal'] - shares.loc['external']).abs().idxmax()"
    )
    # Without abs() one gets the external CMs' largest lead, or the internal largest share.
    wrong = [
        Mistake(
            "moderate",
            "That is where external CMs lead by the most; compare the gap whichever way "
            "(take its absolute value).",
        ),
        "create content",
        "watch",
    ]

    def expected(self) -> str:
        from course import roles

        shares = roles.time_shares(_task_log(), "role")
        return str((shares.loc["internal"] - shares.loc["external"]).abs().idxmax())


class ClaireIndex(EqualityProblem):
    """Claire answers O1 = 4, O2 = 2 and leaves O3 blank: what is her internal-orientation index?"""

    var = "claire_index"
    hints = [
        "O2 ('I speak for a brand') points the other way: it enters as 6 − O2.",
        "A blank answer is left out: average over the answered items only (two here).",
        "`roles.orientation_index(4, 2, None)`",
    ]
    solution = "claire_index = roles.orientation_index(4, 2, None)  # (4 + (6 - 2)) / 2 = 4.0"
    # O2 not reversed; blank read as 3; blank read as 0.
    wrong = [
        Mistake(3.0, "O2 points the other way: use 6 − O2, not O2."),
        Mistake(11 / 3, "A blank is not a 3: average only the statements answered."),
        Mistake(8 / 3, "A blank is not a 0: average only the statements answered."),
    ]
    expected = 4.0


class WhatACMCannotDo(ThoughtProblem):
    """A director asks you to "turn the 3,000 sales staff into a community" on the RSE to push a
    new CRM, in a division where posting criticism is punished. What do you answer?"""

    hints = [
        "Is a group of people who share an employer and a tool a community? What would they "
        "share, learn or do together?",
        "What happens to a community manager's work when the organisation punishes open speech?",
        "What could you propose instead: a smaller group with a real shared problem, a sponsor, "
        "clear rules?",
    ]
    solution = (
        "Say no to the framing, yes to the need. Three thousand people sharing a tool are a "
        "target audience, not a community: a community needs a shared domain and practice its "
        "members care about. And where criticism is punished, no facilitation will make people "
        "speak; the CM would end up broadcasting. Propose instead to start from a business need "
        "(e.g. the sales teams' recurring questions about the CRM), with a small group that "
        "already exchanges, champions among early adopters, a published charte that protects "
        "fair criticism, and a sponsor who answers openly. Measure after three months and decide."
    )


QUESTIONS = [
    InternalReportingToHR,
    ShareOfWomen,
    WomenInterval,
    MajorityShown,
    JobBoardAmongHired,
    SampleSizeFunction,
    TwoEditions,
    InternalFacilitationShare,
    BiggestGapTask,
    ClaireIndex,
    WhatACMCannotDo,
]
