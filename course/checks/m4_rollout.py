"""Practice checks of M4 · RSE rollout.

Expected values that need the datasets are computed when a check runs, never at import; so are the
wrong answers built from the data (the typical mistakes: licensed users as the denominator,
percentage instead of share, the other wave, the peak taken for the median, the textbook share
instead of the measured one).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from course.checks.core import EqualityProblem, FunctionProblem, LazyWrong, Mistake, ThoughtProblem

# Code the lesson runs before its questions; the test suite runs it before each reference solution.
SETUP = """\
import numpy as np
import pandas as pd
import course.data
from course import adoption
employees = course.data.load("employees")
usage = course.data.load("rse_usage")
"""


@functools.lru_cache(maxsize=2)
def _load(name: str):
    # Loaded once per session for the checks; callers never modify the frames.
    import course.data

    return course.data.load(name)


def _last_month():
    usage = _load("rse_usage")
    return usage[usage["Report Refresh Date"] == usage["Report Refresh Date"].max()]


@functools.lru_cache(maxsize=1)
def _wave_curves():
    from course import adoption

    return adoption.adoption_curves(_load("employees"), _load("rse_usage"), by="rollout_wave")


@functools.lru_cache(maxsize=4)
def _wave_fit(wave: int):
    from course import adoption

    curves = _wave_curves()
    rows = curves[curves["rollout_wave"] == wave]
    return adoption.fit_bass(rows["month"], rows["new_adopters"])


class BigBangLaunch(ThoughtProblem):
    """The CIO's plan: all 12,000 licences on day one, a launch e-mail, no community manager
    ("the tool is intuitive"), usage rules to be written "if problems arise". What do you change
    first, and on what evidence?"""

    hints = [
        "Go back to the success factors: which one did 52% of companies cite first?",
        "The ANVIE working group lists four factors; the plan ignores at least three of them.",
        "Think also of the order: uses and needs first, then the tool; rules before the first "
        "incident, not after.",
    ]
    solution = (
        "First, put community management in the plan: a French study of companies with an RSE "
        "(relayed online, year not given) found facilitation by community managers was the first success lever (52% of companies), "
        "ahead of meeting needs. Second, start from two or three business uses (a community of "
        "practice that already exists, a cross-site problem) rather than from the licence count, "
        "as the ANVIE working group advises, and recruit champions there. Third, get a named "
        "executive to take part visibly, not just sign the launch e-mail. Fourth, publish a short "
        "charte before launch: rules stated up front make self-regulation possible. Finally, a "
        "big bang is a choice of waves too: launching everywhere at once gives imitation (q) no "
        "local examples to copy, and gives you no early wave to learn from."
    )


class ReadOnlyShare(EqualityProblem):
    """In the last month of the export, what share of the active users only read (no post, no
    like)? A share between 0 and 1."""

    var = "read_only_share"

    def expected(self):
        last = _last_month()
        active = (last["Posted Count"] + last["Read Count"] + last["Liked Count"]) > 0
        readers = active & (last["Posted Count"] == 0) & (last["Liked Count"] == 0)
        return float(readers.sum() / active.sum())

    hints = [
        "Keep the rows of the last Report Refresh Date, then count two groups of users: active "
        "ones (any post, read or like) and read-only ones (active, but no post and no like).",
        "The denominator is the active users of that month, not every licensed user in the export.",
        "`last = usage[usage['Report Refresh Date'] == usage['Report Refresh Date'].max()]`, then "
        "two boolean Series and `.sum()` of each.",
    ]
    solution = """\
last = usage[usage["Report Refresh Date"] == usage["Report Refresh Date"].max()]
active = (last["Posted Count"] + last["Read Count"] + last["Liked Count"]) > 0
read_only = active & (last["Posted Count"] == 0) & (last["Liked Count"] == 0)
read_only_share = read_only.sum() / active.sum()"""

    @staticmethod
    def _wrong():
        last = _last_month()
        active = (last["Posted Count"] + last["Read Count"] + last["Liked Count"]) > 0
        readers = active & (last["Posted Count"] == 0) & (last["Liked Count"] == 0)
        share = readers.sum() / active.sum()
        return [
            Mistake(
                float(readers.sum() / len(last)),
                "You divided by every licensed user; the question asks for a share of the "
                "month's active users.",
            ),
            Mistake(float(100 * share), "That looks like a percentage; give a share.", 0.05),
            Mistake(
                float(1 - share),
                "That is the interactive share (posted or liked); the question asks for those "
                "who only read.",
            ),
        ]

    wrong = LazyWrong(_wrong)


class ReachLastMonth(EqualityProblem):
    """Reach in the last month, as SWOOP defines it at network level: active users (D30) divided
    by all employees."""

    var = "reach_last"

    def expected(self):
        from course import adoption

        return float(adoption.active_users(_load("rse_usage")).iloc[-1] / len(_load("employees")))

    hints = [
        "`adoption.active_users(usage)` gives one count per month: take the last one.",
        "Divide by everyone who could use the network: the number of rows of `employees`, not "
        "the licensed users of the month.",
    ]
    solution = "reach_last = adoption.active_users(usage).iloc[-1] / len(employees)"

    @staticmethod
    def _wrong():
        from course import adoption

        usage, employees = _load("rse_usage"), _load("employees")
        active = adoption.active_users(usage).iloc[-1]
        return [
            Mistake(
                float(active / len(_last_month())),
                "You divided by the users in the export; reach divides by all employees.",
            ),
            Mistake(
                float(adoption.interactive_users(usage).iloc[-1] / len(employees)),
                "That counts interactive users only; reach counts every active user, readers "
                "included.",
            ),
            float(adoption.active_users(usage).iloc[0] / len(employees)),  # the first month
        ]

    wrong = LazyWrong(_wrong)


def _peak_swapped(p, q):
    """Wrong: ln(p/q) instead of ln(q/p)."""
    return max(0.0, math.log(p / q) / (p + q))


def _peak_difference(p, q):
    """Wrong: divides by q − p instead of p + q."""
    return math.log(q / p) / (q - p) if q > p else 0.0


def _peak_no_guard(p, q):
    """Wrong: forgets that the peak is at launch when q ≤ p."""
    return math.log(q / p) / (p + q)


class PeakFunction(FunctionProblem):
    """Write ``peak(p, q)``: the month at which Bass adoption peaks, ln(q/p) / (p + q), and 0.0
    when q ≤ p (the rate is highest at launch)."""

    var = "peak"
    cases = [
        ((0.02, 0.30), math.log(15) / 0.32),
        ((0.05, 0.50), math.log(10) / 0.55),
        ((0.03, 0.38), math.log(0.38 / 0.03) / 0.41),
        ((0.3, 0.1), 0.0),
        ((0.2, 0.2), 0.0),
    ]
    hints = [
        "`math.log` is the natural logarithm.",
        "Test `q <= p` first and return 0.0; otherwise `math.log(q / p) / (p + q)`.",
    ]
    solution = """\
import math

def peak(p, q):
    if q <= p:
        return 0.0
    return math.log(q / p) / (p + q)"""
    wrong = [
        _peak_swapped,
        Mistake(_peak_difference, "The formula divides by p + q, not by q − p."),
        _peak_no_guard,
    ]


class WaveTwoImitation(EqualityProblem):
    """Fit the Bass model to wave 2 (new adopters per month since its launch) and give its q."""

    var = "wave2_q"
    tolerance = 1e-3

    def expected(self):
        return _wave_fit(2).q

    hints = [
        "`adoption.adoption_curves(employees, usage, by='rollout_wave')` gives new adopters per "
        "month since each wave's own launch.",
        "Keep the rows of wave 2 and pass `month` and `new_adopters` to `adoption.fit_bass`.",
    ]
    solution = """\
waves = adoption.adoption_curves(employees, usage, by="rollout_wave")
wave2 = waves[waves["rollout_wave"] == 2]
wave2_q = adoption.fit_bass(wave2["month"], wave2["new_adopters"]).q"""

    @staticmethod
    def _wrong():
        from course import adoption

        curves = _wave_curves()
        wave2 = curves[curves["rollout_wave"] == 2]
        # Calendar months from the programme's start: three empty months before the launch.
        calendar = np.concatenate([[0, 0, 0], wave2["new_adopters"].to_numpy()])
        shifted = adoption.fit_bass(np.arange(1, len(calendar) + 1), calendar)
        return [
            Mistake(_wave_fit(1).q, "That is wave 1's q; fit the wave-2 rows."),
            Mistake(_wave_fit(2).p, "That is p, innovation; the question asks for q, imitation."),
            Mistake(
                shifted.q,
                "You counted months from the programme's start; count them from the wave's own "
                "launch.",
            ),
        ]

    wrong = LazyWrong(_wrong)


class HalfTime(EqualityProblem):
    """With wave 1's fitted p and q, after how many months has half of the eventual adopters
    adopted? Solve F(t) = 1/2 (a decimal number of months)."""

    var = "half_time"
    tolerance = 1e-3

    def expected(self):
        fit = _wave_fit(1)
        return math.log(2 + fit.q / fit.p) / (fit.p + fit.q)

    hints = [
        "Write F(t) = 1/2 with the closed form and solve for e^{−(p+q)t}.",
        "You should find e^{−(p+q)t} = 1 / (2 + q/p), so t = ln(2 + q/p) / (p + q).",
        "It is later than the peak: at the peak, F = (q − p) / (2q), less than one half.",
    ]
    solution = """\
waves = adoption.adoption_curves(employees, usage, by="rollout_wave")
wave1 = waves[waves["rollout_wave"] == 1]
fit1 = adoption.fit_bass(wave1["month"], wave1["new_adopters"])
half_time = np.log(2 + fit1.q / fit1.p) / (fit1.p + fit1.q)"""

    @staticmethod
    def _wrong():
        fit = _wave_fit(1)
        return [
            Mistake(
                math.log(fit.q / fit.p) / (fit.p + fit.q),
                "That is the peak; half-way comes later (at the peak F is below one half).",
            ),
            math.log(1 + fit.q / fit.p) / (fit.p + fit.q),  # algebra slip
            math.log(2 + fit.q / fit.p) / (fit.p + fit.q) + 1,  # counted from month 1, not 0
        ]

    wrong = LazyWrong(_wrong)


class LaggardShare(EqualityProblem):
    """Pool the adopters of all waves by months since their own wave's launch and cut them into
    Rogers' categories: what share of the adopters are laggards?"""

    var = "laggard_share"

    def expected(self):
        from course import adoption

        curves = _wave_curves()
        times = np.repeat(curves["month"].to_numpy(), curves["new_adopters"].to_numpy())
        return float((adoption.rogers_categories(times) == "laggards").mean())

    hints = [
        "You need one adoption time per adopter: `np.repeat(waves['month'], "
        "waves['new_adopters'])` turns the monthly counts back into people.",
        "`adoption.rogers_categories(times)` labels each one; the share is the mean of "
        "`labels == 'laggards'`.",
        "Measure it: the textbook 16% is what a normal curve gives by definition.",
    ]
    solution = """\
waves = adoption.adoption_curves(employees, usage, by="rollout_wave")
times = np.repeat(waves["month"].to_numpy(), waves["new_adopters"].to_numpy())
laggard_share = (adoption.rogers_categories(times) == "laggards").mean()"""

    @staticmethod
    def _wrong():
        from course import adoption

        curves = _wave_curves()
        times = np.repeat(curves["month"].to_numpy(), curves["new_adopters"].to_numpy())
        laggards = (adoption.rogers_categories(times) == "laggards").sum()
        share = laggards / len(times)
        return [
            Mistake(
                0.16,
                "16% is the textbook share, true by definition on a normal curve; measure it on "
                "these adopters.",
                tolerance=1e-6,
            ),
            Mistake(float(100 * share), "That looks like a percentage; give a share.", 0.05),
            float(laggards / len(_load("employees"))),  # every employee as the denominator
        ]

    wrong = LazyWrong(_wrong)


class ExecutiveCase(ThoughtProblem):
    """Draft your one-page case for the executive committee of a 160,000-person group: which
    three numbers from this lesson go on it, and which assumption do you state next to them?"""

    hints = [
        "An executive reads a page in two minutes: one ask, three numbers, one risk.",
        "Use interactive users, not only active ones, and say what reach means.",
        "The forecast depends on the course's assumptions (champions raise q): say so.",
    ]
    solution = (
        "A model answer. The ask: fund a community-management team (one CM per wave of sites, a "
        "champion network of about 2 per 100 staff) for 24 months, with an executive sponsor who "
        "posts. Number 1: in the pilot (12,000 people), about half of the staff read the network "
        "each month, but only about four in ten of them post or like: the platform reaches, the "
        "conversation is still thin. Number 2: each wave adopted faster than the previous one "
        "(imitation q from about 0.30 to 0.50 a month): waves give local examples to copy. "
        "Number 3: at 160,000 people, waves three months apart forecast half of the staff active "
        "by about month 16 with two champions per 100 colleagues (month 20 without), and some "
        "37,000 interactive users by month 24; champions move the date, not the ceiling. "
        "Assumption stated beside it: champions are assumed to raise imitation by 25% "
        "per champion per 100 colleagues (the course's assumption, to be checked on the first "
        "wave). Risk: counting readers as adoption would flatter the figures; we report "
        "interactive users and one business use per community every quarter."
    )


QUESTIONS = [
    BigBangLaunch,
    ReadOnlyShare,
    ReachLastMonth,
    PeakFunction,
    WaveTwoImitation,
    HalfTime,
    LaggardShare,
    ExecutiveCase,
]
