"""Unit tests of course.moderation: agreement, rules, response times and staffing."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from course import moderation


def _expand(table: dict[tuple, int]) -> tuple[list, list]:
    """Two label lists from a table of counts {(first, second): items}."""
    first, second = [], []
    for (x, y), n in table.items():
        first += [x] * n
        second += [y] * n
    return first, second


# --------------------------------------------------------------------------- cohen_kappa


def test_kappa_hand_worked_two_by_two():
    """Does kappa match a 2×2 table worked by hand?

    10 comments: both "keep" 4, both "remove" 3, A keep/B remove 2, A remove/B keep 1.
    p_o = 7/10; A keeps 6, B keeps 5; p_e = 0.6·0.5 + 0.4·0.5 = 0.5; kappa = 0.2/0.5 = 0.4.
    """
    a, b = _expand(
        {("keep", "keep"): 4, ("remove", "remove"): 3, ("keep", "remove"): 2, ("remove", "keep"): 1}
    )
    assert moderation.cohen_kappa(a, b) == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # Textbook example (as on Wikipedia's "Cohen's kappa" page): 50 grant proposals,
        # yes/yes 20, yes/no 5, no/yes 10, no/no 15: p_o = 0.7, p_e = 0.5·0.6 + 0.5·0.4 = 0.5.
        ((20, 5, 10, 15), 0.4),
        # Same observed agreement 0.6, different margins (the "kappa paradox" pair):
        # p_e = 0.6·0.7 + 0.4·0.3 = 0.54 → 0.06/0.46; p_e = 0.6·0.3 + 0.4·0.7 = 0.46 → 0.14/0.54.
        ((45, 15, 25, 15), 0.06 / 0.46),
        ((25, 35, 5, 35), 0.14 / 0.54),
    ],
)
def test_kappa_published_examples(counts, expected):
    """Does kappa reproduce the classic published 2×2 examples computed by hand?"""
    yy, yn, ny, nn = counts
    a, b = _expand({("yes", "yes"): yy, ("yes", "no"): yn, ("no", "yes"): ny, ("no", "no"): nn})
    assert moderation.cohen_kappa(a, b) == pytest.approx(expected)


def test_kappa_three_categories_by_hand():
    """Does kappa handle three categories, including one only one rater used?

    6 items: a = [x, x, y, y, z, z], b = [x, y, y, y, x, w]. p_o = 3/6.
    Shares a: x 2, y 2, z 2; b: x 2, y 3, w 1. p_e = (2·2 + 2·3 + 2·0)/36 = 10/36.
    kappa = (1/2 − 10/36)/(1 − 10/36) = (8/36)/(26/36) = 4/13.
    """
    a = ["x", "x", "y", "y", "z", "z"]
    b = ["x", "y", "y", "y", "x", "w"]
    assert moderation.cohen_kappa(a, b) == pytest.approx(4 / 13)


def test_kappa_mixed_hashable_labels():
    """Do labels of mixed types (int, str, tuple, None-free) work and keep their identity?"""
    a = [1, "1", ("fr", 2), 1, "1", ("fr", 2)]
    b = [1, "1", ("fr", 2), "1", "1", ("fr", 2)]
    # p_o = 5/6; a: 1→2, "1"→2, tuple→2; b: 1→1, "1"→3, tuple→2; p_e = (2+6+4)/36 = 1/3.
    assert moderation.cohen_kappa(a, b) == pytest.approx((5 / 6 - 1 / 3) / (2 / 3))
    # 1 and "1" are different labels: swapping them everywhere in b breaks agreement.
    assert moderation.cohen_kappa(a, ["1", 1, ("fr", 2), 1, 1, ("fr", 2)]) < 0.5


def test_kappa_accepts_series_and_arrays():
    """Do Series, numpy arrays and lists give the same kappa?"""
    a = ["ok", "ok", "rm", "rm", "ok"]
    b = ["ok", "rm", "rm", "rm", "ok"]
    expected = moderation.cohen_kappa(a, b)
    assert moderation.cohen_kappa(pd.Series(a), np.array(b)) == pytest.approx(expected)
    assert expected == pytest.approx((0.8 - 0.48) / 0.52)


def test_kappa_perfect_and_symmetric():
    """Is kappa 1 for identical varied labels, and the same when raters are swapped?"""
    a = ["spam", "insult", "ok", "ok", "fair"]
    b = ["spam", "ok", "ok", "insult", "fair"]
    assert moderation.cohen_kappa(a, a) == pytest.approx(1.0)
    assert moderation.cohen_kappa(a, b) == pytest.approx(moderation.cohen_kappa(b, a))


def test_kappa_can_be_negative():
    """Does systematic disagreement give a kappa below zero (−1 for a perfect swap)?"""
    assert moderation.cohen_kappa(["a", "b"] * 5, ["b", "a"] * 5) == pytest.approx(-1.0)


def test_kappa_degenerate_is_nan():
    """Is kappa nan (not an error, not 1) when both raters used one single label?"""
    assert math.isnan(moderation.cohen_kappa(["ok"] * 4, ["ok"] * 4))


def test_kappa_one_rater_constant_is_zero():
    """Is kappa 0 when one rater gives the same label to everything (p_o equals p_e)?"""
    assert moderation.cohen_kappa(["ok"] * 4, ["ok", "rm", "ok", "rm"]) == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("a", "b", "error"),
    [
        (["a", "b"], ["a"], ValueError),
        ([], [], ValueError),
        (["a", None], ["a", "b"], ValueError),
        (["a", float("nan")], ["a", "b"], ValueError),
        ("ab", "ab", TypeError),
        ([["a"], ["b"]], [["a"], ["b"]], TypeError),
    ],
)
def test_kappa_rejects_bad_input(a, b, error):
    """Does kappa refuse different lengths, empty input, missing, string or unhashable labels?"""
    with pytest.raises(error):
        moderation.cohen_kappa(a, b)


def test_kappa_agrees_with_matrix_formula():
    """Does kappa agree with the matrix formula on random labellings?"""
    rng = np.random.default_rng(7)
    for _ in range(20):
        a = rng.choice(["k", "r", "e"], size=50)
        b = np.where(rng.random(50) < 0.6, a, rng.choice(["k", "r", "e"], size=50))
        table = moderation.confusion(a, b).to_numpy(dtype=float)
        p = table / table.sum()
        p_o, p_e = np.trace(p), p.sum(axis=1) @ p.sum(axis=0)
        assert moderation.cohen_kappa(a, b) == pytest.approx((p_o - p_e) / (1 - p_e))


# --------------------------------------------------------------------------- confusion


def test_confusion_counts_and_names():
    """Does confusion count pairs, cover every label on both axes and use the Series names?"""
    a = pd.Series(["keep", "keep", "remove", "spam"], name="moderator_a")
    b = pd.Series(["keep", "remove", "remove", "keep"], name="moderator_b")
    table = moderation.confusion(a, b)
    assert list(table.index) == ["keep", "remove", "spam"]
    assert list(table.columns) == ["keep", "remove", "spam"]
    assert table.loc["keep", "remove"] == 1
    assert table.loc["spam", "keep"] == 1
    assert table.to_numpy().sum() == 4
    assert np.trace(table.to_numpy()) == 2
    assert table.index.name == "moderator_a"
    assert table.columns.name == "moderator_b"


def test_confusion_label_order_and_mixed_types():
    """Does confusion follow a given label order, and accept mixed unsortable labels?"""
    table = moderation.confusion(["b", "a"], ["a", "a"], labels=["b", "a", "c"])
    assert list(table.index) == ["b", "a", "c"]
    assert table.loc["c"].sum() == 0
    mixed = moderation.confusion([1, "x"], ["x", 1])
    assert set(mixed.index) == {1, "x"}
    assert mixed.loc[1, "x"] == 1


def test_confusion_rejects_unknown_label_and_bad_input():
    """Does confusion refuse a label missing from `labels`, and unequal lengths?"""
    with pytest.raises(ValueError, match="missing"):
        moderation.confusion(["a", "b"], ["a", "a"], labels=["a"])
    with pytest.raises(ValueError):
        moderation.confusion(["a"], ["a", "b"])


def test_disagreements_sorted_with_shares():
    """Does disagreements list the off-diagonal pairs, most frequent first, shares summing to 1?"""
    a = ["fair", "fair", "fair", "insult", "ok"]
    b = ["insult", "insult", "fair", "fair", "ok"]
    table = moderation.disagreements(a, b)
    assert list(table.columns) == ["first", "second", "items", "share"]
    assert table.iloc[0][["first", "second", "items"]].tolist() == ["fair", "insult", 2]
    assert table["share"].sum() == pytest.approx(1.0)
    assert moderation.disagreements(a, a).empty


# --------------------------------------------------------------------------- rules


def test_precision_recall_by_hand():
    """Do precision and recall match a hand count (TP 2, FP 1, FN 1)?"""
    truth = ["insult", "insult", "insult", "ok", "ok"]
    predicted = ["insult", "insult", "ok", "insult", "ok"]
    assert moderation.precision_recall(truth, predicted, "insult") == pytest.approx((2 / 3, 2 / 3))
    truth_b = [True, True, False, False]
    pred_b = [True, False, False, False]
    assert moderation.precision_recall(truth_b, pred_b, True) == pytest.approx((1.0, 0.5))


def test_precision_recall_undefined_cases():
    """Is precision nan when nothing is flagged, and recall nan when nothing is positive?"""
    precision, recall = moderation.precision_recall(["x", "y"], ["y", "y"], "x")
    assert math.isnan(precision) and recall == 0.0
    precision, recall = moderation.precision_recall(["y", "y"], ["x", "y"], "x")
    assert precision == 0.0 and math.isnan(recall)


def test_precision_recall_rejects_bad_input():
    """Does precision_recall refuse unequal lengths and empty input?"""
    with pytest.raises(ValueError):
        moderation.precision_recall([1, 0], [1], 1)
    with pytest.raises(ValueError):
        moderation.precision_recall([], [], 1)


def test_keyword_rule_accents_words_and_wildcards():
    """Does the keyword rule ignore case and accents, match whole words and honour `*`?"""
    texts = [
        "C'est une ARNAQUE !",
        "Arnaqueurs.",
        "Nullement déçu",
        "Service nul",
        None,
        "Très décevant",
    ]
    assert moderation.keyword_rule(texts, ["arnaque"]).tolist() == [
        True,
        False,
        False,
        False,
        False,
        False,
    ]
    assert moderation.keyword_rule(texts, ["arnaq*"]).tolist()[:2] == [True, True]
    assert moderation.keyword_rule(texts, ["nul"]).tolist() == [
        False,
        False,
        False,
        True,
        False,
        False,
    ]
    assert moderation.keyword_rule(texts, ["decevant"]).tolist()[-1]
    assert not moderation.keyword_rule(texts, []).any()
    assert not moderation.keyword_rule(texts, ["  ", "*"]).any()
    with pytest.raises(TypeError):
        moderation.keyword_rule(texts, "arnaque")


def test_keyword_hits_and_signal_score():
    """Do hits count different keywords once each, and do signals add one point each?"""
    texts = ["Nul, nul et NUL !!!", "Arnaque : www.promo.example", "Très bien", None]
    assert moderation.keyword_hits(texts, ["nul", "arnaq*", "NUL"]).tolist() == [1, 1, 0, 0]
    assert moderation.keyword_hits(texts, ["nul", "arnaq*", "honte"]).tolist() == [1, 1, 0, 0]
    assert moderation.signal_score(texts, ["nul"], ["shouting", "link"]).tolist() == [2, 1, 0, 0]
    assert moderation.signal_score(texts, [], ["contact_details"]).tolist() == [0, 0, 0, 0]
    with pytest.raises(KeyError):
        moderation.signal_score(texts, [], ["emoji"])
    with pytest.raises(TypeError):
        moderation.keyword_hits(texts, "nul")


def test_rule_report_counts_protected_class():
    """Does rule_report give precision, recall and the fair-criticism casualties on their own?"""
    truth = ["insult", "insult", "fair_criticism", "fair_criticism", "ok", "spam"]
    flagged = [True, False, True, False, False, True]
    report = moderation.rule_report(
        truth, flagged, remove={"insult", "spam"}, protected="fair_criticism"
    )
    assert report["flagged"] == 3
    assert report["precision"] == pytest.approx(2 / 3)
    assert report["recall"] == pytest.approx(2 / 3)
    assert report["false_positives"] == 1
    assert report["protected_flagged"] == 1
    assert report["protected_rate"] == pytest.approx(0.5)
    with pytest.raises(ValueError):
        moderation.rule_report(truth, ["yes"] * 6, remove={"insult"})
    with pytest.raises(ValueError):
        moderation.rule_report(truth, flagged[:3], remove={"insult"})


# --------------------------------------------------------------------------- response times


def test_response_time_stats_counts_unanswered_as_misses():
    """Are unanswered items misses in every share and infinite waits for the quantiles?"""
    stats = moderation.response_time_stats([0.5, 2.0, None, 30.0, np.nan])
    assert stats["items"] == 5
    assert stats["answered"] == pytest.approx(0.6)
    assert stats["within_1h"] == pytest.approx(0.2)
    assert stats["within_24h"] == pytest.approx(0.4)
    # Sorted waits 0.5, 2, 30, inf, inf: the median is the third, the p90 falls among the infs.
    assert stats["median_h"] == pytest.approx(30.0)
    assert math.isinf(stats["p90_h"])


def test_response_time_stats_matches_numpy_when_all_answered():
    """With every item answered, do median and p90 equal numpy's default quantiles?"""
    rng = np.random.default_rng(3)
    hours = rng.exponential(5.0, size=101)
    stats = moderation.response_time_stats(hours, targets=("1h", "24h", 3))
    assert stats["median_h"] == pytest.approx(np.median(hours))
    assert stats["p90_h"] == pytest.approx(np.quantile(hours, 0.9))
    assert stats["within_3h"] == pytest.approx(np.mean(hours <= 3))
    assert stats["answered"] == 1.0


def test_response_time_stats_median_infinite_when_half_unanswered():
    """Is the median infinite when half the items were never answered?"""
    stats = moderation.response_time_stats([1.0, None])
    assert math.isinf(stats["median_h"])


def test_response_time_stats_reads_timedeltas():
    """Do timedelta Series, pd.Timedelta and datetime.timedelta values read as durations?"""
    series = pd.Series(pd.to_timedelta([30, 90, None], unit="min"))
    stats = moderation.response_time_stats(series, targets=("1h", pd.Timedelta("2h")))
    assert stats["median_h"] == pytest.approx(1.5)
    assert stats["within_1h"] == pytest.approx(1 / 3)
    assert stats["within_2h"] == pytest.approx(2 / 3)
    mixed = moderation.response_time_stats([dt.timedelta(minutes=30), pd.Timedelta("1h"), pd.NaT])
    assert mixed["within_1h"] == pytest.approx(2 / 3)  # the bound itself counts as within


@pytest.mark.parametrize(
    ("durations", "targets", "error"),
    [
        ([], ("1h",), ValueError),
        ([1.0, -0.5], ("1h",), ValueError),
        ([1.0], ("0h",), ValueError),
        ([1.0], ("soon",), ValueError),
        (["1h"], ("1h",), TypeError),
        ("1h", ("1h",), TypeError),
    ],
)
def test_response_time_stats_rejects_bad_input(durations, targets, error):
    """Does response_time_stats refuse empty input, negative waits, bad targets and text?"""
    with pytest.raises(error):
        moderation.response_time_stats(durations, targets)


def test_response_time_table_by_group():
    """Does the table give one row per group with the same figures as the function?"""
    frame = pd.DataFrame({"channel": ["brand", "brand", "rse"], "hours": [0.5, np.nan, 10.0]})
    table = moderation.response_time_table(frame, "channel", "hours")
    assert list(table.index) == ["brand", "rse"]
    assert table.loc["brand", "within_1h"] == pytest.approx(0.5)
    assert table.loc["rse", "median_h"] == pytest.approx(10.0)
    with pytest.raises(KeyError):
        moderation.response_time_table(frame, "network", "hours")


# --------------------------------------------------------------------------- staffing


def test_service_level_single_moderator_closed_form():
    """With one moderator, is the service level 1 − ρ·exp(−(1−ρ)T/h) (M/M/1)?"""
    rho = 10 * 3 / 60  # 10 items an hour, 3 minutes each
    expected = 1 - rho * math.exp(-(1 - rho) * 5 / 3)
    assert moderation.service_level(1, 10, 3, 5) == pytest.approx(expected)


def test_service_level_known_erlang_c_value():
    """Does the Erlang C probability of waiting match a hand-computed value (A=2, N=3)?

    Erlang C for A = 2, N = 3: (A^N/N!·N/(N−A)) / (1 + A + A²/2 + A^N/N!·N/(N−A))
    = (8/6·3) / (1 + 2 + 2 + 4) = 4/9. With target 0: service level = 1 − 4/9.
    """
    assert moderation.service_level(3, 40, 3, 0) == pytest.approx(5 / 9)


def test_service_level_edges_and_errors():
    """Is an overloaded team at 0, an idle one at 1, and are bad inputs refused?"""
    assert moderation.service_level(1, 30, 3, 60) == 0.0
    assert moderation.service_level(2, 0, 3, 60) == 1.0
    for bad in [(0, 10, 3, 60), (1.5, 10, 3, 60), (1, -1, 3, 60), (1, 10, 0, 60)]:
        with pytest.raises(ValueError):
            moderation.service_level(*bad)


def test_moderators_needed_is_minimal_and_monotone():
    """Is the team the smallest that meets the target, and does a tighter target never need fewer?"""
    team = moderation.moderators_needed(60, 4, 5, 0.9)
    assert moderation.service_level(team, 60, 4, 5) >= 0.9
    occupancy_floor = math.ceil(4 / 0.85)  # 4 moderators' worth of work, 85% occupancy at most
    assert team == occupancy_floor or moderation.service_level(team - 1, 60, 4, 5) < 0.9
    assert moderation.moderators_needed(60, 4, 1, 0.95) >= team
    # Occupancy cap: 20 items × 3 min = 1 moderator busy; capped at 85% that needs 2.
    assert moderation.moderators_needed(20, 3, 600, 0.5) == 2
    assert moderation.moderators_needed(0, 3, 60, 0.9) == 1
    with pytest.raises(ValueError):
        moderation.moderators_needed(10, 3, 60, 1.5)


def test_fte_needed_round_the_clock():
    """Does one seat round the clock cost 168 / (35 × 0.7) = 6.86 FTE?"""
    assert moderation.fte_needed(1, 168) == pytest.approx(168 / 24.5)
    assert moderation.fte_needed(2, 50, shrinkage=0.0) == pytest.approx(100 / 35)
    for bad in [(-1, 50), (1, 200), (1, 50, 35, 1.0)]:
        with pytest.raises(ValueError):
            moderation.fte_needed(*bad)
