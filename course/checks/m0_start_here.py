"""Practice checks of M0, Start here: one of each kind of question, to learn how checks work."""

from __future__ import annotations

from course.checks.core import EqualityProblem, FunctionProblem, Mistake, ThoughtProblem

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


QUESTIONS = [RespondentCount, WomenFromShare, ShareFunction, WhatASurveyCanSay]
