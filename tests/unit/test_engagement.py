"""Unit tests of course.engagement: Gini, Lorenz, top share, engagement rates, bands."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course import engagement


def naive_gini(values) -> float:
    """The definition, G = Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² x̄), as a double sum."""
    x = np.asarray(values, dtype=float)
    n = x.size
    if x.sum() == 0:
        return 0.0
    return float(np.abs(x[:, None] - x[None, :]).sum() / (2 * n * n * x.mean()))


counts_strategy = st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=60)


# --------------------------------------------------------------------------- gini


def test_gini_known_values():
    """Does gini give the hand-worked values of small communities?"""
    assert engagement.gini([1, 1, 1, 1]) == 0.0
    # One member of four does everything: 1 - 1/4.
    assert engagement.gini([0, 0, 0, 8]) == pytest.approx(0.75)
    # [1, 2, 3]: pairwise |diffs| sum 8, 2 n² mean = 2·9·2 = 36.
    assert engagement.gini([1, 2, 3]) == pytest.approx(8 / 36)
    assert engagement.gini([3, 1, 2]) == pytest.approx(8 / 36)


def test_gini_all_zeros_and_single_value():
    """Is the Gini 0.0 when everyone contributed the same, nothing included, or n = 1?"""
    assert engagement.gini([0, 0, 0]) == 0.0
    assert engagement.gini([5]) == 0.0
    assert engagement.gini(np.full(1000, 7.0)) == 0.0


def test_gini_matches_double_sum_on_random_inputs():
    """Does the sorted formula equal the double-sum definition on random inputs?"""
    rng = np.random.default_rng(20140101)
    for _ in range(50):
        n = int(rng.integers(1, 80))
        values = rng.negative_binomial(1, 0.2, size=n) * rng.integers(0, 2, size=n)
        assert engagement.gini(values) == pytest.approx(naive_gini(values), abs=1e-12)
    floats = rng.pareto(1.2, size=200)
    assert engagement.gini(floats) == pytest.approx(naive_gini(floats), abs=1e-12)


def test_gini_counts_the_silent_members():
    """Does adding members with zero contributions raise the Gini (zeros are included)?"""
    writers = [3, 5, 8, 13]
    assert engagement.gini([*writers, 0, 0, 0, 0]) > engagement.gini(writers)


def test_gini_accepts_series_arrays_and_ints():
    """Do a list, a numpy array and a Series give the same Gini?"""
    values = [4, 0, 1, 9, 2]
    expected = naive_gini(values)
    assert engagement.gini(values) == pytest.approx(expected)
    assert engagement.gini(np.array(values)) == pytest.approx(expected)
    assert engagement.gini(pd.Series(values, index=list("abcde"))) == pytest.approx(expected)
    assert engagement.gini(v for v in values) == pytest.approx(expected)


@pytest.mark.parametrize(
    "bad, error",
    [
        ([], ValueError),
        ([1, -1, 3], ValueError),
        ([1.0, float("nan")], ValueError),
        ([1.0, float("inf")], ValueError),
        (pd.Series([1.0, None]), ValueError),
        ([[1, 2], [3, 4]], ValueError),
        ("12345", TypeError),
        (["a", "b"], TypeError),
        (None, TypeError),
        (42, TypeError),
        (pd.DataFrame({"a": [1, 2]}), TypeError),
    ],
)
def test_gini_rejects_bad_input(bad, error):
    """Does gini refuse empty, negative, NaN, infinite, 2-D and non-numeric input?"""
    with pytest.raises(error):
        engagement.gini(bad)


def test_gini_error_messages_say_what_is_wrong():
    """Do the errors name the problem (empty, negative, missing)?"""
    with pytest.raises(ValueError, match="empty"):
        engagement.gini([])
    with pytest.raises(ValueError, match="negative"):
        engagement.gini([2, -3])
    with pytest.raises(ValueError, match="NaN"):
        engagement.gini([2, float("nan")])


def test_gini_on_a_million_values_is_fast():
    """Does gini handle a million values in well under a second?"""
    import time

    values = np.random.default_rng(1).pareto(1.5, size=1_000_000)
    # CPU time of this process: other jobs on a shared machine do not count against gini.
    start = time.process_time()
    result = engagement.gini(values)
    assert time.process_time() - start < 1.0
    assert 0 < result < 1


@settings(max_examples=200, deadline=None)
@given(counts_strategy)
def test_gini_bounds(values):
    """Is the Gini always within [0, 1 − 1/n] and equal to the double sum?"""
    result = engagement.gini(values)
    n = len(values)
    assert 0.0 <= result <= 1.0 - 1.0 / n + 1e-12
    assert result == pytest.approx(naive_gini(values), abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(counts_strategy, st.floats(min_value=1e-3, max_value=1e6))
def test_gini_scale_invariance(values, factor):
    """Does multiplying every contribution by the same factor leave the Gini unchanged?"""
    scaled = np.asarray(values, dtype=float) * factor
    assert engagement.gini(scaled) == pytest.approx(engagement.gini(values), abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(counts_strategy, st.randoms(use_true_random=False))
def test_gini_ignores_order(values, random):
    """Does shuffling the members leave the Gini unchanged?"""
    shuffled = list(values)
    random.shuffle(shuffled)
    assert engagement.gini(shuffled) == pytest.approx(engagement.gini(values), abs=1e-12)


# --------------------------------------------------------------------------- lorenz


def test_lorenz_known_curve():
    """Does the Lorenz curve of [0, 1, 3] start at (0, 0), sort ascending and end at (1, 1)?"""
    curve = engagement.lorenz([3, 0, 1])
    assert list(curve.columns) == ["member_share", "contribution_share"]
    assert curve["member_share"].tolist() == pytest.approx([0, 1 / 3, 2 / 3, 1])
    assert curve["contribution_share"].tolist() == pytest.approx([0, 0, 0.25, 1])


def test_lorenz_all_zeros_is_the_diagonal():
    """With no contributions at all, is the curve the line of equality?"""
    curve = engagement.lorenz([0, 0, 0, 0])
    assert curve["contribution_share"].tolist() == curve["member_share"].tolist()


@settings(max_examples=100, deadline=None)
@given(counts_strategy)
def test_lorenz_is_convex_under_the_diagonal_and_matches_gini(values):
    """Is the curve non-decreasing, under the diagonal, and does 1 − 2·area equal the Gini?"""
    curve = engagement.lorenz(values)
    x = curve["member_share"].to_numpy()
    y = curve["contribution_share"].to_numpy()
    assert len(curve) == len(values) + 1
    assert (np.diff(y) >= -1e-12).all()
    assert (y <= x + 1e-12).all()
    assert y[0] == 0 and y[-1] == 1
    area = float(np.sum((y[1:] + y[:-1]) / 2 * np.diff(x)))
    assert 1 - 2 * area == pytest.approx(engagement.gini(values), abs=1e-9)


def test_lorenz_rejects_bad_input():
    """Does lorenz refuse empty and negative input like gini?"""
    with pytest.raises(ValueError):
        engagement.lorenz([])
    with pytest.raises(ValueError):
        engagement.lorenz([1, -2])


# --------------------------------------------------------------------------- top share


def test_top_share_known_values():
    """Does top_share give the share of the top ⌈fraction × n⌉ members?"""
    values = [50, 10, 10, 10, 10, 5, 5, 0, 0, 0]  # total 100, n = 10
    assert engagement.top_share(values, 0.1) == pytest.approx(0.50)
    assert engagement.top_share(values, 0.2) == pytest.approx(0.60)
    # ⌈0.01 × 10⌉ = 1 member: the top 1% is never nobody.
    assert engagement.top_share(values, 0.01) == pytest.approx(0.50)
    # ⌈0.15 × 10⌉ = 2 members.
    assert engagement.top_share(values, 0.15) == pytest.approx(0.60)
    assert engagement.top_share(values, 1.0) == pytest.approx(1.0)


def test_top_count_is_not_fooled_by_floating_point():
    """Is the top 7% of 100 members 7 members, not 8 (0.07 × 100 = 7.000000000000001)?"""
    assert engagement.top_count(100, 0.07) == 7
    assert engagement.top_count(1000, 0.01) == 10
    assert engagement.top_count(101, 0.01) == 2
    assert engagement.top_count(3, 1.0) == 3


def test_top_share_equal_values():
    """When everyone contributes the same, does the top 10% hold 10%?"""
    assert engagement.top_share([2] * 100, 0.1) == pytest.approx(0.1)


@pytest.mark.parametrize("fraction", [0, -0.1, 1.5, 50, float("nan")])
def test_top_share_rejects_bad_fraction(fraction):
    """Does top_share refuse a fraction outside (0, 1], e.g. 50 meaning 50%?"""
    with pytest.raises(ValueError):
        engagement.top_share([1, 2, 3], fraction)


def test_top_share_rejects_non_numeric_fraction_and_zero_total():
    """Does top_share refuse a string fraction and a community where nobody contributed?"""
    with pytest.raises(TypeError):
        engagement.top_share([1, 2, 3], "1%")
    with pytest.raises(ValueError, match="zero"):
        engagement.top_share([0, 0, 0])
    with pytest.raises(ValueError):
        engagement.top_share([])


def test_without_top_removes_the_most_active():
    """Does without_top drop the ⌈fraction × n⌉ largest values and keep the rest?"""
    rest = engagement.without_top([5, 1, 9, 0, 3], 0.4)
    assert rest.tolist() == [0, 1, 3]
    assert engagement.without_top([1], 1.0).size == 0


# --------------------------------------------------------------------------- engagement rate


def test_engagement_rate_scalar_in_percent():
    """Is the rate 100 × engagements / base, in percent?"""
    assert engagement.engagement_rate(25, 500) == pytest.approx(5.0)
    assert engagement.engagement_rate(0, 10) == 0.0
    # Engagements by reach can exceed the reach (one person reacts and comments).
    assert engagement.engagement_rate(12, 10) == pytest.approx(120.0)


def test_engagement_rate_series_keeps_index():
    """Does a Series of posts give a Series of rates on the same index, named for its unit?"""
    eng = pd.Series([10, 30], index=["p1", "p2"])
    reach = pd.Series([100, 600], index=["p1", "p2"])
    rates = engagement.engagement_rate(eng, reach)
    assert rates.name == "engagement_rate_pct"
    assert rates.to_dict() == pytest.approx({"p1": 10.0, "p2": 5.0})
    # A scalar base (followers of the page) applies to every post.
    by_followers = engagement.engagement_rate(eng, 1000)
    assert by_followers.tolist() == pytest.approx([1.0, 3.0])
    # Lists work too.
    assert engagement.engagement_rate([1, 2], [10, 10]).tolist() == pytest.approx([10.0, 20.0])


@pytest.mark.parametrize("base", [0, -5, float("nan"), None])
def test_engagement_rate_rejects_bad_scalar_base(base):
    """Does a zero, negative or missing denominator raise a clear error?"""
    with pytest.raises(ValueError, match="base"):
        engagement.engagement_rate(10, base)


def test_engagement_rate_rejects_bad_series():
    """Does a zero or missing base in a Series raise, naming the rows, and do misfits raise?"""
    eng = pd.Series([1, 2, 3], index=["a", "b", "c"])
    with pytest.raises(ValueError, match="b"):
        engagement.engagement_rate(eng, pd.Series([10, 0, 10], index=["a", "b", "c"]))
    with pytest.raises(ValueError, match="missing"):
        engagement.engagement_rate(eng, pd.Series([10, None, 10], index=["a", "b", "c"]))
    with pytest.raises(ValueError, match="indexes"):
        engagement.engagement_rate(eng, pd.Series([10, 10, 10], index=["a", "b", "z"]))
    with pytest.raises(ValueError, match="values"):
        engagement.engagement_rate([1, 2], [10, 10, 10])
    with pytest.raises(ValueError, match="engagements"):
        engagement.engagement_rate([-1, 2], [10, 10])
    with pytest.raises(TypeError):
        engagement.engagement_rate("12", 100)
    with pytest.raises(TypeError):
        engagement.engagement_rate(True, 100)
    with pytest.raises(TypeError):
        engagement.engagement_rate(pd.Series(["1", "2"]), 100)


# --------------------------------------------------------------------------- bands


def test_participation_bands_on_twenty_members():
    """Do 20 members split into 2 core, 4 active, the rest peripheral, zeros lurkers?"""
    counts = pd.Series([40, 30, 12, 11, 10, 9, 5, 4, 3, 2, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    bands = engagement.participation_bands(counts)
    assert bands.name == "band"
    assert list(bands.cat.categories) == ["core", "active", "peripheral", "lurker"]
    assert bands.cat.ordered
    assert bands.value_counts().to_dict() == {"core": 2, "active": 4, "peripheral": 8, "lurker": 6}
    assert bands.iloc[0] == "core" and bands.iloc[5] == "active" and bands.iloc[6] == "peripheral"


def test_participation_bands_ties_go_up_and_ignore_row_order():
    """Do members tied at a cut share the upper band, whatever the row order?"""
    counts = [9, 5, 5, 5, 1, 1, 1, 1, 1, 1]  # core cut at rank 1 (9); active cut at rank 3 (5)
    bands = engagement.participation_bands(counts)
    assert bands.tolist() == ["core", "active", "active", "active"] + ["peripheral"] * 6
    rng = np.random.default_rng(3)
    order = rng.permutation(len(counts))
    shuffled = engagement.participation_bands(pd.Series(counts).iloc[order])
    assert shuffled.sort_index().tolist() == bands.tolist()
    # Equal counts everywhere: everyone ties at the core cut.
    assert set(engagement.participation_bands([2, 2, 2, 2])) == {"core"}


def test_participation_bands_mostly_lurkers():
    """On a brand page where 95% never write, are all writers core or active, never lurkers?"""
    counts = np.zeros(100)
    counts[:5] = [7, 3, 2, 1, 1]
    bands = engagement.participation_bands(counts)
    assert (bands[counts == 0] == "lurker").all()
    assert set(bands[counts > 0]) <= {"core", "active"}


def test_participation_bands_keep_the_series_index_and_custom_cuts():
    """Is the input index kept, and do custom shares move the cuts?"""
    counts = pd.Series([10, 8, 6, 4, 2], index=list("vwxyz"))
    bands = engagement.participation_bands(counts, core=0.2, active=0.4)
    assert list(bands.index) == list("vwxyz")
    assert bands.to_dict() == {
        "v": "core",
        "w": "active",
        "x": "active",
        "y": "peripheral",
        "z": "peripheral",
    }


@pytest.mark.parametrize(
    "kwargs", [{"core": 0}, {"core": 1}, {"active": -0.1}, {"core": 0.7, "active": 0.5}]
)
def test_participation_bands_reject_bad_shares(kwargs):
    """Do shares outside (0, 1), or summing above 1, raise?"""
    with pytest.raises(ValueError):
        engagement.participation_bands([1, 2, 3], **kwargs)


def test_participation_bands_reject_bad_counts():
    """Do negative, missing or empty counts raise?"""
    for bad in ([], [1, -1], [1, float("nan")]):
        with pytest.raises(ValueError):
            engagement.participation_bands(bad)


def test_band_summary_adds_up():
    """Does the band summary count every member and every contribution once?"""
    counts = [40, 30, 12, 11, 10, 9, 5, 4, 3, 2, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    table = engagement.band_summary(counts)
    assert list(table.index) == ["core", "active", "peripheral", "lurker"]
    assert table["members"].sum() == 20
    assert table["contributions"].sum() == sum(counts)
    assert table["member_share"].sum() == pytest.approx(1.0)
    assert table["contribution_share"].sum() == pytest.approx(1.0)
    assert table.loc["core", "contribution_share"] == pytest.approx(70 / 130)
    assert table.loc["lurker", "contributions"] == 0
    with pytest.raises(ValueError):
        engagement.band_summary(counts, engagement.participation_bands(counts[:-1]))


# --------------------------------------------------------------------------- post rates


def _posts(followers):
    return pd.DataFrame(
        {
            "reactions": [8, 30],
            "comments": [2, 6],
            "shares": [0, 4],
            "clicks": [100, 100],
            "reach": [50, 400],
            "impressions": [100, 500],
            "followers_at_post": pd.array(followers, dtype="Int64"),
        },
        index=["P1", "P2"],
    )


def test_post_rates_three_denominators():
    """Are a post's three rates its reactions + comments + shares over each base, clicks left out?"""
    rates = engagement.post_rates(_posts([1000, 2000]))
    assert rates["engagements"].tolist() == [10, 40]
    assert rates["rate_by_reach"].tolist() == pytest.approx([20.0, 10.0])
    assert rates["rate_by_followers"].tolist() == pytest.approx([1.0, 2.0])
    assert rates["rate_by_impressions"].tolist() == pytest.approx([10.0, 8.0])
    assert list(rates.index) == ["P1", "P2"]


def test_post_rates_internal_needs_a_stated_audience():
    """Without followers (an RSE), does post_rates ask for the audience, and use it when given?"""
    internal = _posts([None, None])
    with pytest.raises(ValueError, match="followers"):
        engagement.post_rates(internal)
    rates = engagement.post_rates(internal, followers=200)
    assert rates["rate_by_followers"].tolist() == pytest.approx([5.0, 20.0])


def test_post_rates_missing_column():
    """Does a table without reach raise a KeyError naming the column?"""
    with pytest.raises(KeyError, match="reach"):
        engagement.post_rates(_posts([1, 1]).drop(columns="reach"))
