"""Unit tests of course.roles: Wilson intervals, shares, time shares, orientation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from course import roles
from course.assess import competency

# --------------------------------------------------------------------------- wilson_interval


@pytest.mark.parametrize(
    ("successes", "n", "z", "expected"),
    [
        # Worked by hand with z = 2 so that z² = 4 keeps the arithmetic exact:
        # 0/4: denominator 1 + 4/4 = 2, centre (0 + 4/8)/2 = 1/4, half 1·√(0 + 4/64) = 1/4.
        (0, 4, 2.0, (0.0, 0.5)),
        # 2/4: centre (1/2 + 1/2)/2 = 1/2, half √(1/16 + 1/16) = √2/4.
        (2, 4, 2.0, (0.5 - math.sqrt(2) / 4, 0.5 + math.sqrt(2) / 4)),
        # 1/4: centre (1/4 + 1/2)/2 = 3/8, half √(3/64 + 4/64) = √7/8.
        (1, 4, 2.0, (3 / 8 - math.sqrt(7) / 8, 3 / 8 + math.sqrt(7) / 8)),
    ],
)
def test_wilson_matches_hand_worked_values(successes, n, z, expected):
    """Does wilson_interval give the values worked by hand with z = 2?"""
    assert roles.wilson_interval(successes, n, z) == pytest.approx(expected, abs=1e-12)


def test_wilson_matches_the_survey_example():
    """Is the 95 % interval of 300 women among 577 about 47.9 % to 56.0 %?"""
    low, high = roles.wilson_interval(300, 577)
    assert (round(low, 4), round(high, 4)) == (0.4792, 0.5604)


@pytest.mark.parametrize(
    ("successes", "n"), [(0, 1), (1, 1), (0, 30), (7, 30), (300, 577), (577, 577), (1, 1000)]
)
@pytest.mark.parametrize("confidence", [0.90, 0.95, 0.99])
def test_wilson_agrees_with_scipy(successes, n, confidence):
    """Does wilson_interval agree with scipy's binomtest(...).proportion_ci(method='wilson')?"""
    z = stats.norm.ppf(0.5 + confidence / 2)
    reference = stats.binomtest(successes, n).proportion_ci(confidence, method="wilson")
    assert roles.wilson_interval(successes, n, z) == pytest.approx(
        (reference.low, reference.high), abs=1e-12
    )


def test_wilson_agrees_with_the_closed_formula_written_independently():
    """Does wilson_interval match the (p̂ + z²/2n ± z√(p̂q̂/n + z²/4n²)) / (1 + z²/n) form?"""
    z = 1.96
    for k, n in [(3, 17), (52, 100), (99, 100)]:
        p = k / n
        root = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
        expected = (
            (p + z**2 / (2 * n) - root) / (1 + z**2 / n),
            (p + z**2 / (2 * n) + root) / (1 + z**2 / n),
        )
        assert roles.wilson_interval(k, n, z) == pytest.approx(expected, rel=1e-12)


def test_wilson_is_exact_at_zero_and_n():
    """Are the intervals of 0 and n successes pinned at exactly 0 and exactly 1?"""
    low, high = roles.wilson_interval(0, 577)
    assert low == 0.0 and 0 < high < 0.01
    low, high = roles.wilson_interval(577, 577)
    assert high == 1.0 and 0.99 < low < 1


@pytest.mark.parametrize(("k", "n"), [(0, 1), (3, 10), (288, 577), (50, 100)])
def test_wilson_is_symmetric_under_complement(k, n):
    """Is the interval of n−k the mirror image (1 − high, 1 − low) of the interval of k?"""
    low, high = roles.wilson_interval(k, n)
    mirror_low, mirror_high = roles.wilson_interval(n - k, n)
    assert (mirror_low, mirror_high) == pytest.approx((1 - high, 1 - low), abs=1e-12)


def test_wilson_is_centred_at_one_half_for_half_successes():
    """Is the interval of 50 of 100 symmetric around 0.5?"""
    low, high = roles.wilson_interval(50, 100)
    assert (low + high) / 2 == pytest.approx(0.5, abs=1e-12)


def test_wilson_narrows_with_n_and_widens_with_z():
    """Does the interval shrink with more answers and grow with the confidence level?"""
    width = lambda k, n, z=1.96: np.subtract(*roles.wilson_interval(k, n, z)[::-1])  # noqa: E731
    assert width(52, 100) > width(520, 1000) > width(5200, 10000)
    assert width(300, 577, 1.645) < width(300, 577, 1.96) < width(300, 577, 2.576)


def test_wilson_accepts_numpy_integers():
    """Can wilson_interval take numpy integers, as a groupby count returns?"""
    assert roles.wilson_interval(np.int64(3), np.int64(10)) == roles.wilson_interval(3, 10)


@given(n=st.integers(1, 5000), data=st.data())
def test_wilson_contains_the_share_and_stays_in_unit_interval(n, data):
    """For any k of n, is 0 ≤ low ≤ k/n ≤ high ≤ 1?"""
    k = data.draw(st.integers(0, n))
    low, high = roles.wilson_interval(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0


@pytest.mark.parametrize(("successes", "n"), [(1, 0), (0, 0), (0, -5), (-1, 10), (11, 10)])
def test_wilson_rejects_impossible_counts(successes, n):
    """Does wilson_interval raise ValueError for n ≤ 0 or successes outside 0..n?"""
    with pytest.raises(ValueError, match=r"successes|n must"):
        roles.wilson_interval(successes, n)


@pytest.mark.parametrize(
    ("successes", "n"), [(0.5, 10), (3, 10.0), ("3", 10), (True, 10), (None, 10)]
)
def test_wilson_rejects_non_integer_counts(successes, n):
    """Does wilson_interval raise TypeError on shares, strings, booleans or None as counts?"""
    with pytest.raises(TypeError, match="whole number"):
        roles.wilson_interval(successes, n)


@pytest.mark.parametrize("z", [0, -1.96, math.inf, math.nan])
def test_wilson_rejects_bad_z(z):
    """Does wilson_interval refuse a z that is not positive and finite?"""
    with pytest.raises(ValueError, match="z must"):
        roles.wilson_interval(3, 10, z)


# --------------------------------------------------------------------------- margin_of_error


def test_margin_of_error_of_the_survey():
    """Is the textbook margin on 52 % of 577 about ±4.1 points?"""
    assert roles.margin_of_error(0.52, 577) == pytest.approx(1.96 * math.sqrt(0.52 * 0.48 / 577))
    assert round(roles.margin_of_error(0.52, 577), 3) == 0.041


def test_margin_of_error_is_zero_at_the_ends_unlike_wilson():
    """Does the Wald margin collapse to 0 at 0 %, where the Wilson interval does not?"""
    assert roles.margin_of_error(0.0, 20) == 0.0
    assert roles.wilson_interval(0, 20)[1] > 0.1


@pytest.mark.parametrize(
    ("share", "n", "error"),
    [
        (52, 577, ValueError),
        (-0.1, 10, ValueError),
        (0.5, 0, ValueError),
        ("0.5", 10, TypeError),
        (0.5, 10.5, TypeError),
    ],
)
def test_margin_of_error_rejects_bad_input(share, n, error):
    """Does margin_of_error refuse percentages, negative shares, n ≤ 0 and non-numbers?"""
    with pytest.raises(error):
        roles.margin_of_error(share, n)


# --------------------------------------------------------------------------- share_table


def test_share_table_counts_shares_and_intervals():
    """Does share_table give counts, shares summing to 1 and each share's Wilson interval?"""
    values = pd.Series(["a", "b", "a", "c", "a", None], name="letter")
    table = roles.share_table(values)
    assert list(table.index) == ["a", "b", "c"]
    assert table.index.name == "letter"
    assert table["count"].tolist() == [3, 1, 1]
    assert table.attrs["n"] == 5
    assert table["share"].sum() == pytest.approx(1.0)
    assert tuple(table.loc["a", ["low", "high"]]) == pytest.approx(roles.wilson_interval(3, 5))


def test_share_table_breaks_ties_alphabetically_and_keeps_a_given_order():
    """Are ties sorted by name, and does `order` fix the rows, with 0 for absent categories?"""
    values = pd.Series(["b", "a", "c", "c"])
    assert list(roles.share_table(values).index) == ["c", "a", "b"]
    table = roles.share_table(values, order=["a", "b", "c", "d"])
    assert list(table.index) == ["a", "b", "c", "d"]
    assert table.loc["d", "count"] == 0 and table.loc["d", "low"] == 0.0


def test_share_table_can_count_missing_answers():
    """With dropna=False, do missing answers get their own row and enter the denominator?"""
    table = roles.share_table(pd.Series(["a", None, "a", None]), dropna=False)
    assert table.attrs["n"] == 4
    assert table.loc["(no answer)", "share"] == 0.5


def test_share_table_rejects_bad_input():
    """Does share_table refuse a list and an empty selection?"""
    with pytest.raises(TypeError):
        roles.share_table(["a", "b"])
    with pytest.raises(ValueError, match="empty"):
        roles.share_table(pd.Series([None, None]))


# --------------------------------------------------------------------------- published shares


def _survey_like() -> pd.DataFrame:
    n = 100
    return pd.DataFrame(
        {
            "gender": ["woman"] * 52 + ["man"] * 48,
            "age_band": ["26-35"] * 45 + ["under 26"] * 55,
            "region": ["Île-de-France"] * 50 + ["Bretagne"] * 50,
            "employer_type": ["SME"] * 27 + ["digital agency"] * 15 + ["freelance"] * 58,
            "hiring_channel": ["job board"] * 23 + ["other"] * 19 + [None] * 58,
            "weekly_hours": np.full(n, 30.0),
        }
    )


def test_published_shares_uses_each_question_s_own_denominator():
    """Does published_shares count each figure over those who answered that question?"""
    table = roles.published_shares(_survey_like())
    assert list(table["figure"]) == [figure for *_, figure in roles.PUBLISHED_2012]
    by_figure = table.set_index("figure")
    assert by_figure.loc["a woman", "share"] == pytest.approx(0.52)
    assert by_figure.loc["was hired through a job board", "n"] == 42
    assert by_figure.loc["was hired through a job board", "share"] == pytest.approx(23 / 42)
    assert (table["low"] <= table["share"]).all() and (table["share"] <= table["high"]).all()


def test_published_shares_rejects_a_survey_without_the_columns():
    """Does published_shares name the missing column?"""
    with pytest.raises(KeyError, match="gender"):
        roles.published_shares(pd.DataFrame({"x": [1]}))
    with pytest.raises(TypeError):
        roles.published_shares([1, 2])


# --------------------------------------------------------------------------- time_shares


def _log() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "role": ["internal"] * 3 + ["external"] * 3,
            "task": ["facilitate", "facilitate", "moderate", "moderate", "engage", "coffee"],
            "hours": [3.0, 3.0, 2.0, 6.0, 2.0, 0.0],
        }
    )


def test_time_shares_rows_sum_to_one_with_known_values():
    """Does time_shares sum hours per group and task and divide by the group's total?"""
    shares = roles.time_shares(_log(), "role")
    assert shares.loc["internal", "facilitate"] == pytest.approx(0.75)
    assert shares.loc["internal", "moderate"] == pytest.approx(0.25)
    assert shares.loc["internal", "engage"] == 0.0
    assert shares.loc["external", "moderate"] == pytest.approx(0.75)
    assert np.allclose(shares.sum(axis=1), 1.0)


def test_time_shares_orders_tasks_as_the_course_does():
    """Are the known tasks in CM_TASKS order, and unknown ones after them alphabetically?"""
    shares = roles.time_shares(_log(), "role")
    assert list(shares.columns) == ["facilitate", "engage", "coffee", "moderate"]


def test_time_shares_weighs_people_by_their_hours():
    """Is the share one of total time, not the mean of each person's shares?"""
    log = pd.DataFrame(
        {
            "team": ["a", "a", "a", "a"],
            "cm": ["x", "x", "y", "y"],
            "task": ["watch", "engage", "watch", "engage"],
            "hours": [30.0, 10.0, 0.0, 10.0],
        }
    )
    shares = roles.time_shares(log, "team")
    assert shares.loc["a", "watch"] == pytest.approx(0.6)  # not (0.75 + 0) / 2


def test_time_shares_groups_by_several_columns_and_custom_names():
    """Can time_shares group by two columns and read other column names?"""
    log = pd.DataFrame(
        {
            "r": ["i", "i", "e"],
            "w": [1, 2, 1],
            "activity": ["watch", "watch", "alert"],
            "h": [1.0, 2.0, 4.0],
        }
    )
    shares = roles.time_shares(log, ["r", "w"], task="activity", hours="h")
    assert shares.index.names == ["r", "w"]
    assert shares.loc[("e", 1), "alert"] == 1.0


def test_time_shares_on_the_course_dataset():
    """On cm_task_log, do internal CMs facilitate a larger share of their time than external ones?"""
    import course.data

    shares = roles.time_shares(course.data.load("cm_task_log"), "role")
    assert set(shares.index) == {"internal", "external", "hybrid"}
    assert np.allclose(shares.sum(axis=1), 1.0)
    assert shares.loc["internal", "facilitate"] > shares.loc["external", "facilitate"]
    assert shares.loc["external", "moderate"] > shares.loc["internal", "moderate"]


def test_time_shares_does_not_modify_its_input():
    """Is the task log left untouched?"""
    log = _log()
    before = log.copy()
    roles.time_shares(log, "role")
    pd.testing.assert_frame_equal(log, before)


@pytest.mark.parametrize(
    ("log", "by", "error", "match"),
    [
        ("not a frame", "role", TypeError, "DataFrame"),
        (pd.DataFrame({"role": ["a"], "task": ["x"]}), "role", KeyError, "hours"),
        (pd.DataFrame({"role": ["a"], "task": ["x"], "hours": [1.0]}), "team", KeyError, "team"),
        (
            pd.DataFrame({"role": ["a"], "task": ["x"], "hours": ["1"]}),
            "role",
            TypeError,
            "numbers",
        ),
        (
            pd.DataFrame({"role": ["a"], "task": ["x"], "hours": [-1.0]}),
            "role",
            ValueError,
            "negative",
        ),
        (
            pd.DataFrame({"role": ["a"], "task": ["x"], "hours": [np.nan]}),
            "role",
            ValueError,
            "missing",
        ),
        (
            pd.DataFrame({"role": ["a", "b"], "task": ["x", "x"], "hours": [1.0, 0.0]}),
            "role",
            ValueError,
            "b",
        ),
        (
            pd.DataFrame({"role": ["a"], "task": ["x"], "hours": [1.0]}),
            [],
            ValueError,
            "at least one",
        ),
    ],
)
def test_time_shares_rejects_bad_input(log, by, error, match):
    """Does time_shares say clearly what is wrong with a bad log?"""
    with pytest.raises(error, match=match):
        roles.time_shares(log, by)


# --------------------------------------------------------------------------- crisis_weeks


def test_crisis_weeks_counts_worked_weeks_only():
    """Are weeks off left out of the denominator, and each crisis week counted once?"""
    log = pd.DataFrame(
        {
            "role": ["e"] * 6,
            "cm_id": ["a"] * 6,
            "week": [1, 1, 2, 2, 3, 3],
            "task": ["alert", "moderate"] * 3,
            "hours": [2.0, 3.0, 0.0, 0.0, 1.0, 1.0],
            "crisis": [True, True, False, False, False, False],
        }
    )
    table = roles.crisis_weeks(log)
    assert table.loc["e", "weeks"] == 2
    assert table.loc["e", "crisis_weeks"] == 1
    assert table.loc["e", "share"] == 0.5
    assert tuple(table.loc["e", ["low", "high"]]) == pytest.approx(roles.wilson_interval(1, 2))


def test_crisis_weeks_rejects_bad_input():
    """Does crisis_weeks refuse a list and name a missing column?"""
    with pytest.raises(TypeError):
        roles.crisis_weeks([])
    with pytest.raises(KeyError, match="crisis"):
        roles.crisis_weeks(pd.DataFrame({"role": [], "cm_id": [], "week": [], "hours": []}))


# --------------------------------------------------------------------------- orientation


def test_orientation_is_the_self_assessment_s_single_implementation():
    """Does course.roles re-export the self-assessment's functions rather than copy them?"""
    assert roles.orientation_index is competency.orientation_index
    assert roles.orientation_profile is competency.orientation_profile


@pytest.mark.parametrize(
    ("answers", "index", "profile"),
    [
        ((5, 1, 5), 5.0, "internal"),
        ((1, 5, 1), 1.0, "external"),
        ((3, 3, 3), 3.0, "hybrid"),
        ((4, 2, None), 4.0, "internal"),  # O2 reversed: 6 − 2 = 4
        ((4, 3, 3), 10 / 3, "hybrid"),
        ((4, 3, 4), 11 / 3, "internal"),
        ((None, 4, 3), 2.5, "external"),  # boundary: ≤ 2.5 is external
        ((4, None, 3), 3.5, "internal"),  # boundary: ≥ 3.5 is internal
        ((5, None, None), None, None),  # fewer than two answers
        ((None, None, None), None, None),
    ],
)
def test_orientation_follows_the_instrument(answers, index, profile):
    """Do orientation_index/profile follow instruments.md, boundaries and N/A included?"""
    got = roles.orientation_index(*answers)
    assert got == (pytest.approx(index) if index is not None else None)
    assert roles.orientation_profile(got) == profile


@pytest.mark.parametrize("bad", [0, 6, 2.5, "high"])
def test_orientation_rejects_answers_outside_the_scale(bad):
    """Does orientation_index refuse answers that are not whole numbers from 1 to 5?"""
    with pytest.raises(ValueError):
        roles.orientation_index(bad, 3, 3)


def test_profile_meanings_cover_every_profile_and_agree_with_the_recommendations():
    """Does each profile's meaning name the modules the self-assessment recommends for it?"""
    assert set(roles.PROFILE_MEANINGS) == {"internal", "external", "hybrid", None}
    for profile, modules in competency.PROFILE_MODULES.items():
        for module in modules:
            assert module in roles.PROFILE_MEANINGS[profile]


def test_cm_tasks_are_the_practitioner_s_seven():
    """Are the seven tasks of the source listed, in order, each with its French word?"""
    assert list(roles.CM_TASKS) == [
        "watch",
        "study",
        "detect",
        "alert",
        "facilitate",
        "engage",
        "monitor",
    ]
    assert roles.CM_TASKS["watch"] == "veille"
