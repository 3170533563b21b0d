"""Practice checks of M3 · Moderation: agreement, rules, response times, staffing, the law."""

from __future__ import annotations

from typing import ClassVar

from course.checks.core import EqualityProblem, FunctionProblem, Mistake, ThoughtProblem

# Code the lesson runs before its questions; the test suite runs it before each reference solution.
SETUP = "import course.data\nfrom course import moderation\ncomments = course.data.load('comments')"


def _comments():
    import course.data

    return course.data.load("comments")


def _kappa_2x2(table):
    (a, b), (c, d) = table
    n = a + b + c + d
    observed = (a + d) / n
    expected = ((a + b) * (a + c) + (c + d) * (b + d)) / (n * n)
    return (observed - expected) / (1 - expected)


class RawAgreement(EqualityProblem):
    """Share of comments to which moderators A and B gave the same label."""

    var = "raw_agreement"
    hints = [
        "Compare the two label columns row by row: that gives True/False per comment.",
        "The mean of a True/False column is the share of True.",
    ]
    solution = 'raw_agreement = (comments["label_mod_a"] == comments["label_mod_b"]).mean()'
    wrong: ClassVar[list] = [
        Mistake(3059, "That is a number of comments; divide by the number of comments."),
        Mistake(76.475, "That looks like a percentage; give a share between 0 and 1.", 0.05),
        Mistake(
            0.7238588249518055,
            "That is Cohen's kappa; the question asks for the raw share of identical labels.",
        ),
    ]

    def expected(self):
        comments = _comments()
        return float((comments["label_mod_a"] == comments["label_mod_b"]).mean())


class KappaFromTable(FunctionProblem):
    """Write ``kappa_2x2(table)``: Cohen's kappa from a 2×2 table ``[[a, b], [c, d]]``
    (rows: first rater's yes/no; columns: second rater's yes/no)."""

    var = "kappa_2x2"
    cases: ClassVar[list] = [
        (([[20, 5], [10, 15]],), 0.4),
        (([[45, 15], [25, 15]],), 0.06 / 0.46),
        (([[25, 35], [5, 35]],), 0.14 / 0.54),
        (([[4, 2], [1, 3]],), 0.4),
    ]
    hints = [
        "Observed agreement p_o: the diagonal (a + d) over the total n.",
        "Chance agreement p_e: (share of 'yes' for rater 1 × share of 'yes' for rater 2) + the "
        "same for 'no'. Row totals are rater 1's counts, column totals rater 2's.",
        "kappa = (p_o − p_e) / (1 − p_e).",
    ]
    solution = (
        "def kappa_2x2(table):\n"
        "    (a, b), (c, d) = table\n"
        "    n = a + b + c + d\n"
        "    p_o = (a + d) / n\n"
        "    p_e = ((a + b) * (a + c) + (c + d) * (b + d)) / n**2\n"
        "    return (p_o - p_e) / (1 - p_e)"
    )
    wrong: ClassVar[list] = [
        Mistake(
            lambda t: (t[0][0] + t[1][1]) / (t[0][0] + t[0][1] + t[1][0] + t[1][1]),
            "Your function returns the observed agreement p_o; kappa removes the agreement "
            "expected by chance: (p_o − p_e) / (1 − p_e).",
        ),
        # chance agreement from the "yes" cell alone
        lambda t: (
            (((t[0][0] + t[1][1]) / sum(map(sum, t))) - (t[0][0] / sum(map(sum, t))) ** 2)
            / (1 - (t[0][0] / sum(map(sum, t))) ** 2)
        ),
    ]


class KappaInternal(EqualityProblem):
    """Cohen's kappa between moderators A and B on the internal network (channel "rse") only."""

    var = "kappa_rse"
    hints = [
        'Keep the rows whose channel is "rse" first.',
        "`moderation.cohen_kappa(rse['label_mod_a'], rse['label_mod_b'])`.",
    ]
    solution = (
        'rse = comments[comments["channel"] == "rse"]\n'
        'kappa_rse = moderation.cohen_kappa(rse["label_mod_a"], rse["label_mod_b"])'
    )
    wrong: ClassVar[list] = [
        Mistake(
            0.7238588249518055,
            "That is kappa over both channels; keep the internal network's rows first.",
        ),
        0.7345698132408821,
        0.7501988862370724,
    ]

    def expected(self):
        from course import moderation

        rse = _comments().query("channel == 'rse'")
        return moderation.cohen_kappa(rse["label_mod_a"], rse["label_mod_b"])


class BoundaryShare(EqualityProblem):
    """Of all the comments on which the moderators disagree, what share is insult against
    fair criticism (in either direction)?"""

    var = "boundary_share"
    hints = [
        "`moderation.disagreements(a, b)` lists the pairs of labels with their counts.",
        "Keep the pairs (insult, fair_criticism) and (fair_criticism, insult): both directions.",
        "Divide by the number of disagreements, not by the number of comments.",
    ]
    solution = (
        'pairs = moderation.disagreements(comments["label_mod_a"], comments["label_mod_b"])\n'
        'pair = ["insult", "fair_criticism"]\n'
        'boundary = pairs[pairs["first"].isin(pair) & pairs["second"].isin(pair)]\n'
        'boundary_share = boundary["share"].sum()'
    )
    wrong: ClassVar[list] = [
        0.12752391073326248,
        Mistake(
            0.0545,
            "You divided by all the comments; the question asks for a share of the disagreements.",
        ),
        Mistake(218, "That is a count; give it as a share of the disagreements."),
    ]

    def expected(self):
        comments = _comments()
        a, b = comments["label_mod_a"], comments["label_mod_b"]
        disagree = a != b
        pair = (a == "insult") & (b == "fair_criticism") | (a == "fair_criticism") & (b == "insult")
        return float(pair.sum() / disagree.sum())


class KeywordRulePrecisionRecall(EqualityProblem):
    """Precision and recall of the dataset's keyword rule (``flagged_by == "keywords"``) at
    catching what the course's charter removes (``moderation.REMOVE_CATEGORIES``), as a tuple
    ``(precision, recall)``."""

    var = "keyword_pr"
    hints = [
        "Truth: `comments['category'].isin(moderation.REMOVE_CATEGORIES)` (True = should go).",
        "Prediction: `comments['flagged_by'] == 'keywords'`.",
        "`moderation.precision_recall(truth, predicted, True)` returns (precision, recall).",
    ]
    solution = (
        'should_go = comments["category"].isin(moderation.REMOVE_CATEGORIES)\n'
        'by_keywords = comments["flagged_by"] == "keywords"\n'
        "keyword_pr = moderation.precision_recall(should_go, by_keywords, True)"
    )
    wrong: ClassVar[list] = [
        Mistake(
            (0.23265306122448978, 0.49421965317919075),
            "The two numbers are swapped: give (precision, recall) in that order.",
        ),
        Mistake(
            (0.6204545454545455, 0.7428571428571429),
            "That is every rule together; the question is about the keyword rule only.",
        ),
    ]

    def expected(self):
        from course import moderation

        comments = _comments()
        should_go = comments["category"].isin(moderation.REMOVE_CATEGORIES)
        return moderation.precision_recall(should_go, comments["flagged_by"] == "keywords", True)


class SilencedFairCriticism(EqualityProblem):
    """How many fair criticisms does the dataset's whole set of rules flag (any ``flagged_by``)?"""

    var = "silenced"
    hints = [
        "A comment is flagged by some rule when `flagged_by` is not missing: `.notna()`.",
        "Combine with `comments['category'] == 'fair_criticism'` and count the True values.",
    ]
    solution = (
        'silenced = int((comments["flagged_by"].notna() '
        '& (comments["category"] == "fair_criticism")).sum())'
    )
    wrong: ClassVar[list] = [
        Mistake(175, "That is the keyword rule alone; count what any of the rules flags."),
        Mistake(0.2565104166666667, "That is a share; the question asks how many comments."),
        Mistake(880, "That counts every flagged comment; keep the fair criticisms only."),
    ]

    def expected(self):
        comments = _comments()
        return int(
            (comments["flagged_by"].notna() & (comments["category"] == "fair_criticism")).sum()
        )


class BrandWithin24h(EqualityProblem):
    """Share of brand-page comments answered within 24 hours, unanswered ones counted as misses."""

    var = "within_24h_brand"
    hints = [
        "Keep the brand-page rows; the column is `hours_to_first_reply` (NaN = never answered).",
        "`moderation.response_time_stats(hours)` returns a Series with `within_24h`.",
        "Dropping the NaN first answers another question: the share of *answered* comments.",
    ]
    solution = (
        'brand = comments[comments["channel"] == "brand_page"]\n'
        'within_24h_brand = moderation.response_time_stats(brand["hours_to_first_reply"])["within_24h"]'
    )
    wrong: ClassVar[list] = [
        Mistake(
            0.9140577041129527,
            "You left out the comments nobody answered: they count as misses, not as gaps.",
        ),
        Mistake(54.28363105359096, "That looks like a percentage; give a share.", 0.05),
        0.5680190930787589,
    ]

    def expected(self):
        brand = _comments().query("channel == 'brand_page'")
        return float((brand["hours_to_first_reply"] <= 24).mean())


class BrandOffHours(EqualityProblem):
    """Share of brand-page comments posted outside office hours (office hours: Monday to Friday,
    from 9:00 to 17:59)."""

    var = "off_hours_share"
    hints = [
        "`posted_at.dt.weekday` is 0 on Monday … 6 on Sunday; `posted_at.dt.hour` gives the hour.",
        "Office hours: weekday < 5 and 9 <= hour < 18. The question asks for the rest.",
    ]
    solution = (
        'brand = comments[comments["channel"] == "brand_page"]\n'
        'day, hour = brand["posted_at"].dt.weekday, brand["posted_at"].dt.hour\n'
        "off_hours_share = 1 - ((day < 5) & (hour >= 9) & (hour < 18)).mean()"
    )
    wrong: ClassVar[list] = [
        Mistake(
            0.24024790375501276,
            "That is the share posted during office hours; the question asks for the rest.",
        ),
        Mistake(75.97520962449872, "That looks like a percentage; give a share.", 0.05),
    ]

    def expected(self):
        brand = _comments().query("channel == 'brand_page'")
        day, hour = brand["posted_at"].dt.weekday, brand["posted_at"].dt.hour
        return float(1 - ((day < 5) & (hour >= 9) & (hour < 18)).mean())


class EveningCoverFte(EqualityProblem):
    """Full-time equivalents needed to keep one moderator on duty from 8:00 to 23:00 every day of
    the week, with the course's assumptions (35-hour contracts, 30% shrinkage)."""

    var = "fte_evenings"
    hints = [
        "Covered hours per week: 15 hours a day × 7 days.",
        "`moderation.fte_needed(moderators_on_duty, covered_hours_per_week)` applies the 35 h "
        "contract and the 30% shrinkage for you.",
    ]
    solution = "fte_evenings = moderation.fte_needed(1, 15 * 7)"
    wrong: ClassVar[list] = [
        Mistake(
            3.0,
            "You divided the covered hours by 35: holidays, sickness and training (the 30% "
            "shrinkage) are missing.",
        ),
        75 / 24.5,
        Mistake(1, "One person on duty all those hours is more than one full-time contract."),
    ]
    expected = 105 / 24.5
    tolerance = 1e-3


class CharterDistinctions(ThoughtProblem):
    """A brand page's charter says: a keyword filter hides matching comments until a moderator
    reviews them; members can report a comment; removed comments disappear without notice.
    Place each practice on Grimmelmann's four distinctions, then name one change you would make."""

    hints = [
        "The four distinctions: automatic or manual; transparent or secret; ex ante (before "
        "anyone sees it) or ex post; centralised (the team) or distributed (the members).",
        "Ask for each practice: who decides, when, and does the author know?",
    ]
    solution = (
        "The keyword filter is automatic and ex ante (it acts before the public sees the comment), "
        "centralised (the brand's rule), and secret if authors are not told. Reports by members "
        "are distributed and ex post: the community flags, the team decides. Silent removal is "
        "secret and ex post. The change: make it transparent — tell the author what was removed, "
        "under which rule of the charter and how to contest (the DSA's statement of reasons is "
        "the model) — and send harsh-but-fair comments caught by the filter to a human quickly, "
        "since a filter on words like 'nul' or 'honte' hides fair criticism."
    )


class WhoOwesWhatUnderTheDsa(ThoughtProblem):
    """Under the Digital Services Act, who must offer notice-and-action and statements of reasons
    for comments on your brand's Facebook page? And on your company's internal network?"""

    hints = [
        "The DSA's duties fall on the provider of the hosting service, not on each page owner.",
        "Who hosts the brand page? Who hosts the RSE: the company itself, or a vendor's cloud "
        "service used by the company for its staff?",
    ]
    solution = (
        "On Facebook, Meta is the hosting provider (and a very large online platform): it owes "
        "the notice-and-action mechanism (art. 16) and the statements of reasons (art. 17). The "
        "brand is a user of that service; it moderates its own page under the platform's tools "
        "and its own charter, and would do well to copy the DSA's discipline (say what was "
        "removed, why, how to contest). For the internal network, whether the DSA applies at all "
        "is debatable: a tool that an employer runs for its own staff is hardly a service offered "
        "to the public, and the vendor hosts it for the company. Say so honestly; in practice the "
        "charter, labour law and the works council frame internal moderation, and the same "
        "discipline of reasons and appeal builds trust."
    )


QUESTIONS = [
    CharterDistinctions,
    RawAgreement,
    KappaFromTable,
    KappaInternal,
    BoundaryShare,
    KeywordRulePrecisionRecall,
    SilencedFairCriticism,
    BrandWithin24h,
    BrandOffHours,
    EveningCoverFte,
    WhoOwesWhatUnderTheDsa,
]
