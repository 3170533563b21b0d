"""Practice checks of M0, Start here: one of each kind of question, to learn how checks work."""

from __future__ import annotations

from course.checks.core import (
    EqualityProblem,
    FunctionProblem,
    LazyWrong,
    Mistake,
    ThoughtProblem,
)

# Code a lesson runs before its questions; the test suite runs it before each reference solution.
SETUP = "import course.data\nsurvey = course.data.load('cm_survey')"


class RespondentCount(EqualityProblem):
    """How many people answered the 2012 survey of French community managers?"""

    var = "respondents"
    expected = 577
    hints = [
        "A DataFrame has one row per respondent: count the rows.",
        "`len(survey)` or `survey.shape[0]` gives the number of rows.",
    ]
    solution = "respondents = len(survey)"
    wrong = [
        Mistake(454, "That is the size of the 2011 edition; count the rows of this survey."),
        576,
        Mistake("577", "That is text (in quotes); give the number itself."),
    ]


class WomenFromShare(EqualityProblem):
    """52% of the 577 respondents are women: how many people is that, rounded?"""

    var = "women"
    expected = 300
    hints = [
        "A share times the total gives a count.",
        "`round(0.52 * 577)`: Python's round gives a whole number.",
    ]
    solution = "women = round(0.52 * 577)"
    wrong = [
        Mistake(52, "52 is the percentage itself; the question asks for a number of people."),
        Mistake(0.52, "0.52 is the share; multiply it by the number of respondents."),
        Mistake(
            0.52 * 577, "Right calculation, but a number of people is a whole number: round it."
        ),
        0.52 * 577 + 1,
        277,
    ]


class ShareFunction(FunctionProblem):
    """Write ``share(part, whole)`` returning part / whole, and 0.0 when whole is 0."""

    var = "share"
    cases = [((300, 577), 300 / 577), ((0, 10), 0.0), ((5, 0), 0.0), ((1, 4), 0.25)]
    hints = [
        "Divide part by whole, but test `whole == 0` first.",
        "`return part / whole if whole else 0.0`",
    ]
    solution = "def share(part, whole):\n    return part / whole if whole else 0.0"
    wrong = [
        lambda part, whole: part / whole,
        Mistake(
            lambda part, whole: 100 * part / whole if whole else 0.0,
            "Your function returns a percentage; a share is between 0 and 1.",
        ),
        Mistake(
            lambda part, whole: whole / part if part else 0.0,
            "Your function divides the whole by the part; the share is the part over the whole.",
        ),
    ]


class WhatASurveyCanSay(ThoughtProblem):
    """577 people answered an online survey. Can we say 52% of French CMs are women?"""

    hints = [
        "Who chose to answer? Who never saw the survey?",
        "Think of the difference between a self-selected sample and a random one.",
    ]
    solution = (
        "Not as such. The respondents chose to answer an online survey relayed by a job site and "
        "a blog, so the sample is self-selected: 52% describes those who answered. Even if the "
        "sample were random, 577 answers give a margin of error of about ±4 points around 52% "
        "(you will compute it in M1). Say: 'about half of the respondents were women'."
    )


def _survey():
    import course.data

    return course.data.load("cm_survey")


class CountInternal(EqualityProblem):
    """On-ramp: how many respondents are internal CMs (``role == "internal"``)?"""

    var = "n_internal"
    hints = [
        "`survey['role'] == 'internal'` gives one True/False per respondent.",
        "The `.sum()` of True/False values counts the True ones.",
    ]
    solution = 'n_internal = (survey["role"] == "internal").sum()'

    def expected(self) -> int:
        return int((_survey()["role"] == "internal").sum())

    wrong = [
        Mistake(
            577, "That counts every respondent; count only the rows where the role is internal."
        ),
        Mistake(72 / 577, "That is a share (the mean); the question asks for a count: use .sum()."),
    ]


class ShareAged26to35(EqualityProblem):
    """On-ramp: what share of respondents are aged 26–35 (``age_band == "26-35"``), from 0 to 1?"""

    var = "share_26_35"
    hints = [
        "Compare the column `age_band` with the text '26-35'.",
        "The `.mean()` of True/False values is the share of True.",
    ]
    solution = 'share_26_35 = (survey["age_band"] == "26-35").mean()'

    def expected(self) -> float:
        return float((_survey()["age_band"] == "26-35").mean())

    wrong = [
        Mistake(260, "That is a count; the mean of True/False values gives the share."),
        Mistake(45.06, "That looks like a percentage; give a share between 0 and 1.", 0.05),
    ]


class InternalHours(EqualityProblem):
    """On-ramp: the mean ``weekly_hours`` of internal CMs (rows filtered, then one column)."""

    var = "internal_hours"
    hints = [
        "`survey.loc[rows, column]` picks rows by a True/False condition and one column.",
        "`survey.loc[survey['role'] == 'internal', 'weekly_hours'].mean()`",
    ]
    solution = 'internal_hours = survey.loc[survey["role"] == "internal", "weekly_hours"].mean()'

    def expected(self) -> float:
        survey = _survey()
        return float(survey.loc[survey["role"] == "internal", "weekly_hours"].mean())

    wrong = [
        Mistake(
            24.7726,
            "That is the mean over every respondent; keep the internal CMs' rows first.",
        ),
    ]


class HoursByRole(EqualityProblem):
    """On-ramp: mean ``weekly_hours`` per role, as a Series indexed by role (``groupby``)."""

    var = "hours_by_role"
    ignore_order = True
    hints = [
        "`survey.groupby('role')` makes one group per role.",
        "`survey.groupby('role')['weekly_hours'].mean()`",
    ]
    solution = 'hours_by_role = survey.groupby("role")["weekly_hours"].mean()'

    def expected(self):
        return _survey().groupby("role")["weekly_hours"].mean()

    @staticmethod
    def _wrong():
        survey = _survey()
        return [
            Mistake(
                survey.groupby("role")["weekly_hours"].sum(),
                "Those are totals (.sum()); the question asks for the mean per role.",
            ),
            Mistake(
                float(survey["weekly_hours"].mean()),
                "That is one number for everyone; group by role to get one mean per role.",
            ),
        ]

    wrong = LazyWrong(_wrong)


class PercentFunction(FunctionProblem):
    """On-ramp: write ``to_percent(share)`` returning the share in percent, rounded to 1 decimal."""

    var = "to_percent"
    cases = [((0.52,), 52.0), ((0.123456,), 12.3), ((1,), 100.0), ((0,), 0.0)]
    hints = [
        "`def to_percent(share):` then, indented, `return ...`.",
        "`round(100 * share, 1)`",
    ]
    solution = "def to_percent(share):\n    return round(100 * share, 1)"
    wrong = [
        Mistake(
            lambda share: round(share, 1),
            "Your function rounds the share itself; multiply by 100 first.",
        ),
        Mistake(
            lambda share: 100 * share,
            "Right idea; now round to one decimal with round(..., 1).",
            tolerance=1e-9,
        ),
    ]


QUESTIONS = [
    RespondentCount,
    WomenFromShare,
    ShareFunction,
    WhatASurveyCanSay,
    # the Python and pandas on-ramp (section 7 of the lesson)
    CountInternal,
    ShareAged26to35,
    InternalHours,
    HoursByRole,
    PercentFunction,
]
