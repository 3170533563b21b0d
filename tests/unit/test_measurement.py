"""Unit tests of course.measurement: scorecard, trend, fair comparison, maturity progress."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import course.data
from course import measurement
from course.assess import maturity, privacy


def kpis_frame(**overrides) -> pd.DataFrame:
    """Two communities over three months, with hand-checkable counts."""
    frame = pd.DataFrame(
        {
            "community_id": ["B", "B", "B", "A", "A", "A"],
            "month": pd.to_datetime(["2025-03-01", "2025-01-01", "2025-02-01"] * 2),
            "members": [200, 100, 0, 50, 40, 10],
            "active_members": [80, 50, 0, 20, 0, 5],
            "interactive_members": [20, 10, 0, 5, 0, 0],
            "posts": [60, 30, 0, 15, 0, 0],
            "kind": ["internal"] * 3 + ["external"] * 3,
        }
    )
    for column, values in overrides.items():
        frame[column] = values
    return frame


# --------------------------------------------------------------------------- scorecard


def test_scorecard_ratios_and_their_denominators():
    """Does scorecard divide each count by its own denominator, per community and month?"""
    table = measurement.scorecard(kpis_frame())
    assert list(table["community_id"]) == ["A", "A", "A", "B", "B", "B"]
    assert list(table["month"].dt.month) == [1, 2, 3, 1, 2, 3]
    b_march = table.iloc[5]
    assert b_march["active_rate"] == pytest.approx(80 / 200)
    assert b_march["interactive_rate"] == pytest.approx(20 / 200)
    assert b_march["interactive_share"] == pytest.approx(20 / 80)
    assert b_march["posts_per_interactive"] == pytest.approx(60 / 20)
    # the counts stay beside the ratios, and other columns are kept
    assert {"members", "active_members", "interactive_members", "posts", "kind"} <= set(table)


def test_scorecard_gives_nan_not_zero_when_a_denominator_is_zero():
    """Is a ratio over zero members (or zero active, zero interactive) NaN rather than 0?"""
    table = measurement.scorecard(kpis_frame()).set_index(["community_id", "month"])
    empty = table.loc[("B", pd.Timestamp("2025-02-01"))]
    assert all(math.isnan(empty[r]) for r in measurement.RATIOS)
    nobody_active = table.loc[("A", pd.Timestamp("2025-01-01"))]
    assert nobody_active["active_rate"] == 0.0
    assert math.isnan(nobody_active["interactive_share"])
    readers_only = table.loc[("A", pd.Timestamp("2025-02-01"))]
    assert readers_only["interactive_share"] == 0.0
    assert math.isnan(readers_only["posts_per_interactive"])


def test_scorecard_leaves_its_input_alone():
    """Does scorecard work on a copy, leaving the caller's frame unchanged?"""
    frame = kpis_frame()
    before = frame.copy()
    measurement.scorecard(frame)
    pd.testing.assert_frame_equal(frame, before)


def test_scorecard_on_the_course_dataset():
    """On community_kpis, are the ratios consistent with each other (rate = share × active rate)?"""
    table = measurement.scorecard(course.data.load("community_kpis"))
    assert len(table) == 480
    np.testing.assert_allclose(
        table["interactive_rate"], table["interactive_share"] * table["active_rate"], rtol=1e-12
    )
    assert table["interactive_share"].between(0, 1).all()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"members": [200, 100, -1, 50, 40, 10]}, "negative"),
        ({"posts": [60, 30, None, 15, 0, 0]}, "missing"),
        ({"members": [200.5, 100, 0, 50, 40, 10]}, "whole numbers"),
        ({"members": ["200", "100", "0", "50", "40", "10"]}, "counts"),
        ({"active_members": [True] * 6}, "counts"),
        ({"interactive_members": [20, 60, 0, 5, 0, 0]}, "more interactive than active"),
        ({"month": pd.to_datetime(["2025-03-01", "2025-03-01", "2025-02-01"] * 2)}, "twice"),
    ],
)
def test_scorecard_rejects_bad_counts(overrides, message):
    """Does scorecard refuse impossible or ambiguous counts with a message that names the problem?"""
    with pytest.raises(ValueError, match=message):
        measurement.scorecard(kpis_frame(**overrides))


def test_scorecard_rejects_missing_columns_empty_input_and_non_frames():
    """Are a missing column, an empty table and a non-DataFrame refused clearly?"""
    with pytest.raises(ValueError, match=r"lacks column.*active_members"):
        measurement.scorecard(kpis_frame().drop(columns="active_members"))
    with pytest.raises(ValueError, match="empty"):
        measurement.scorecard(kpis_frame().iloc[0:0])
    with pytest.raises(TypeError, match="DataFrame"):
        measurement.scorecard([{"community_id": "A"}])


# --------------------------------------------------------------------------- trend


def linear_kpis(slope_a: float, slope_b: float, n: int = 24) -> pd.DataFrame:
    months = pd.date_range("2024-01-01", periods=n, freq="MS")
    return pd.DataFrame(
        {
            "community_id": ["A"] * n + ["B"] * n,
            "month": list(months) * 2,
            "score": list(10 + slope_a * np.arange(n)) + list(50 + slope_b * np.arange(n)),
        }
    )


def test_trend_recovers_an_exact_line():
    """On a straight line, is the slope exact and the relative change slope × 11 / start?"""
    table = measurement.trend(linear_kpis(0.5, -2.0), "score", months=12)
    assert table.loc["A", "slope"] == pytest.approx(0.5)
    assert table.loc["B", "slope"] == pytest.approx(-2.0)
    # the window is months 12..23: fitted start 10 + 0.5 × 12 = 16, change 0.5 × 11
    assert table.loc["A", "fitted_start"] == pytest.approx(16.0)
    assert table.loc["A", "relative_change"] == pytest.approx(0.5 * 11 / 16)
    assert table.loc["B", "relative_change"] == pytest.approx(-2.0 * 11 / (50 - 24))
    assert list(table["points"]) == [12, 12]


def test_trend_uses_only_the_last_months():
    """Does a break before the window leave the slope untouched (only the last months count)?"""
    frame = linear_kpis(1.0, 1.0)
    frame.loc[(frame["community_id"] == "A") & (frame["month"] < "2025-01-01"), "score"] = 999.0
    table = measurement.trend(frame, "score", months=12)
    assert table.loc["A", "slope"] == pytest.approx(1.0)
    assert measurement.trend(frame, "score", months=24).loc["A", "slope"] < 0


def test_trend_matches_scipy_on_noisy_data():
    """Is the slope the ordinary least-squares slope scipy's linregress finds?"""
    rng = np.random.default_rng(6)
    frame = linear_kpis(0.3, 0.0)
    frame["score"] += rng.normal(0, 2, len(frame))
    table = measurement.trend(frame, "score", months=9)
    for community in ("A", "B"):
        y = frame.loc[frame["community_id"] == community, "score"].to_numpy()[-9:]
        reference = stats.linregress(np.arange(9), y)
        assert table.loc[community, "slope"] == pytest.approx(reference.slope, rel=1e-9)
        assert table.loc[community, "fitted_start"] == pytest.approx(reference.intercept)


def test_trend_keeps_the_spacing_of_a_quarterly_indicator():
    """With values only every third month, does the slope stay per month (not per quarter)?"""
    frame = linear_kpis(0.1, 0.1)
    frame.loc[~frame["month"].dt.month.isin([3, 6, 9, 12]), "score"] = np.nan
    table = measurement.trend(frame, "score", months=12)
    assert table.loc["A", "slope"] == pytest.approx(0.1)
    assert table.loc["A", "points"] == 4


def test_trend_counts_months_not_rows_and_ignores_the_day():
    """Are months counted on the calendar (a missing month leaves a gap), whatever the day?"""
    frame = pd.DataFrame(
        {
            "community_id": ["A"] * 3,
            "month": pd.to_datetime(["2025-01-31", "2025-02-15", "2025-04-01"]),
            "score": [0.0, 1.0, 3.0],
        }
    )
    assert measurement.trend(frame, "score", months=4).loc["A", "slope"] == pytest.approx(1.0)


def test_trend_computes_scorecard_ratios_from_the_counts():
    """Can trend take a scorecard ratio by name on the raw counts?"""
    kpis = course.data.load("community_kpis")
    direct = measurement.trend(kpis, "interactive_share")
    via = measurement.trend(measurement.scorecard(kpis), "interactive_share")
    pd.testing.assert_frame_equal(direct, via)
    assert len(direct) == kpis["community_id"].nunique()


def test_trend_with_too_few_points_or_a_non_positive_start_gives_nan():
    """Is a community with one value NaN, and a relative change from a start ≤ 0 NaN?"""
    frame = pd.DataFrame(
        {
            "community_id": ["A", "B", "B", "B"],
            "month": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-02-01", "2025-03-01"]),
            "score": [5.0, -1.0, 0.0, 1.0],
        }
    )
    table = measurement.trend(frame, "score", months=3)
    assert math.isnan(table.loc["A", "slope"]) and table.loc["A", "points"] == 1
    assert table.loc["B", "slope"] == pytest.approx(1.0)
    assert math.isnan(table.loc["B", "relative_change"])


@pytest.mark.parametrize("months", [1, 0, -3, 2.5, True, "12"])
def test_trend_rejects_a_bad_window(months):
    """Is a window that is not a whole number of at least 2 months refused?"""
    with pytest.raises(ValueError, match="months"):
        measurement.trend(linear_kpis(1, 1), "score", months=months)


def test_trend_rejects_unknown_or_text_metrics_and_missing_columns():
    """Are an unknown metric, a text metric and a missing month column refused clearly?"""
    frame = linear_kpis(1, 1)
    with pytest.raises(ValueError, match="unknown metric 'engagement'"):
        measurement.trend(frame, "engagement")
    with pytest.raises(ValueError, match="numeric"):
        measurement.trend(frame, "community_id")
    with pytest.raises(ValueError, match=r"lacks column.*month"):
        measurement.trend(frame.drop(columns="month"), "score")
    with pytest.raises(ValueError, match="empty"):
        measurement.trend(frame.iloc[0:0], "score")
    with pytest.raises(ValueError, match="month must hold dates"):
        measurement.trend(frame.assign(month="soon"), "score")
    with pytest.raises(ValueError, match="month has missing values"):
        measurement.trend(frame.assign(month=pd.NaT), "score")


# --------------------------------------------------------------------------- compare_groups


def two_groups(rng=None) -> pd.DataFrame:
    rng = rng or np.random.default_rng(17)
    return pd.DataFrame(
        {
            "cm": [True] * 8 + [False] * 12,
            "kind": ["internal"] * 10 + ["external"] * 10,
            "share": np.concatenate([rng.normal(0.32, 0.04, 8), rng.normal(0.20, 0.07, 12)]),
        }
    )


def test_compare_groups_matches_scipy_welch():
    """Is the p-value scipy's ttest_ind(equal_var=False), and the difference first minus second?"""
    frame = two_groups()
    result = measurement.compare_groups(frame, "share", "cm")
    without, with_cm = frame.loc[~frame["cm"], "share"], frame.loc[frame["cm"], "share"]
    reference = stats.ttest_ind(without, with_cm, equal_var=False)
    assert result["groups"] == (False, True)
    assert result["difference"] == pytest.approx(without.mean() - with_cm.mean())
    assert result["p_value"] == pytest.approx(reference.pvalue, rel=1e-12)
    assert result["n"] == (12, 8)


def test_compare_groups_interval_is_welchs():
    """Is the interval difference ± t(df) × se, with Welch–Satterthwaite df, computed by hand?"""
    frame = two_groups()
    a = frame.loc[~frame["cm"], "share"].to_numpy()
    b = frame.loc[frame["cm"], "share"].to_numpy()
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = stats.t.ppf(0.95, df) * math.sqrt(va + vb)
    result = measurement.compare_groups(frame, "share", "cm", confidence=0.90)
    assert result["df"] == pytest.approx(df)
    assert result["low"] == pytest.approx(a.mean() - b.mean() - half)
    assert result["high"] == pytest.approx(a.mean() - b.mean() + half)
    wider = measurement.compare_groups(frame, "share", "cm", confidence=0.99)
    assert wider["low"] < result["low"] < result["difference"] < result["high"] < wider["high"]


def test_compare_groups_orders_text_groups_alphabetically():
    """With text groups, is the difference 'external' minus 'internal' (sorted first minus other)?"""
    frame = two_groups()
    result = measurement.compare_groups(frame, "share", "kind")
    assert result["groups"] == ("external", "internal")
    external = frame.loc[frame["kind"] == "external", "share"].mean()
    internal = frame.loc[frame["kind"] == "internal", "share"].mean()
    assert result["difference"] == pytest.approx(external - internal)


def test_compare_groups_leaves_out_missing_values():
    """Are rows with a missing metric or group left out rather than counted?"""
    frame = two_groups()
    clean = measurement.compare_groups(frame, "share", "cm")
    padded = pd.concat(
        [frame, pd.DataFrame({"cm": [None, True], "kind": ["x", "y"], "share": [0.9, np.nan]})],
        ignore_index=True,
    )
    assert measurement.compare_groups(padded, "share", "cm") == pytest.approx(clean)


def test_compare_groups_computes_a_scorecard_ratio():
    """Can compare_groups take a scorecard ratio by name on the raw counts?"""
    kpis = course.data.load("community_kpis")
    direct = measurement.compare_groups(kpis, "interactive_share", "has_dedicated_cm")
    via = measurement.compare_groups(
        measurement.scorecard(kpis), "interactive_share", "has_dedicated_cm"
    )
    assert direct == pytest.approx(via)


@pytest.mark.parametrize(
    ("frame", "by", "message"),
    [
        (
            two_groups().assign(g=list("abc") * 6 + ["a", "b"]),
            "g",
            "two groups to compare, found 3",
        ),
        (two_groups().assign(g="same"), "g", "two groups to compare, found 1"),
        (two_groups().assign(g=["x"] + ["y"] * 19), "g", "'x' has 1 value"),
        (two_groups().assign(share=1.0), "cm", "no variation"),
        (two_groups(), "missing", "lacks column"),
        (two_groups().iloc[0:0], "cm", "empty"),
    ],
)
def test_compare_groups_rejects_what_it_cannot_compare(frame, by, message):
    """Are anything but two groups, a single value, no spread, a missing column or no rows refused?"""
    with pytest.raises(ValueError, match=message):
        measurement.compare_groups(frame, "share", by)


@pytest.mark.parametrize("confidence", [0, 1, 95, -0.5, "0.95", True])
def test_compare_groups_rejects_a_bad_confidence(confidence):
    """Is a confidence level outside (0, 1), a percentage or text refused?"""
    with pytest.raises(ValueError, match="confidence"):
        measurement.compare_groups(two_groups(), "share", "cm", confidence=confidence)


def test_compare_groups_rejects_a_text_metric_and_a_non_frame():
    """Are a text metric and a non-DataFrame refused?"""
    with pytest.raises(ValueError, match="numeric"):
        measurement.compare_groups(two_groups(), "kind", "cm")
    with pytest.raises(TypeError, match="DataFrame"):
        measurement.compare_groups({"share": [1, 2]}, "share", "cm")
    with pytest.raises(ValueError, match="column names"):
        measurement.compare_groups(two_groups(), ["share"], "cm")


# --------------------------------------------------------------------------- maturity_progress


def rating(department: str, year: int, **stages) -> dict:
    return {"department": department, "year": year, **{d: 3 for d in maturity.DIMENSIONS}} | stages


def test_maturity_progress_rounds_each_median_down():
    """Is a dimension's median of 2 and 3 (2.5) shown as stage 2, and n the number of ratings?"""
    ratings = pd.DataFrame(
        [
            rating("Legal", 2025, culture=2, tools=4),
            rating("Legal", 2025, culture=3, tools=4),
            rating("Legal", 2024, culture=1),
        ]
    )
    table = measurement.maturity_progress(ratings)
    assert list(zip(table["department"], table["year"], strict=True)) == [
        ("Legal", 2024),
        ("Legal", 2025),
    ]
    legal_2025 = table.iloc[1]
    assert legal_2025["n"] == 2
    assert legal_2025["culture"] == 2
    assert legal_2025["tools"] == 4
    assert legal_2025["strategy"] == 3


def test_maturity_progress_uses_the_instruments_overall_rule():
    """Is the overall stage maturity.score's (median rounded down, capped at weakest + 1)?"""
    capped = rating("IT", 2025, strategy=4, leadership=4, culture=1, uses=4, tools=4)
    ratings = pd.DataFrame([capped])
    table = measurement.maturity_progress(ratings)
    stages = {d: capped[d] for d in maturity.DIMENSIONS}
    assert table.loc[0, "overall_stage"] == maturity.score(stages).overall_stage == 2


def test_maturity_progress_on_the_course_dataset():
    """On maturity_ratings, does every row's overall stage follow from its own medians?"""
    ratings = course.data.load("maturity_ratings")
    table = measurement.maturity_progress(ratings)
    assert table["n"].sum() == len(ratings)
    assert len(table) == ratings.groupby(["department", "year"]).ngroups
    for row in table.itertuples(index=False):
        stages = {d: int(getattr(row, d)) for d in maturity.DIMENSIONS}
        assert row.overall_stage == maturity.overall_stage(stages)
        group = ratings[(ratings["department"] == row.department) & (ratings["year"] == row.year)]
        assert row.culture == math.floor(group["culture"].median())


def test_maturity_progress_hides_small_groups_as_the_hr_view_does():
    """With k = 5, are groups under five (and any that subtraction would reveal) blanked?"""
    ratings = course.data.load("maturity_ratings")
    table = measurement.maturity_progress(ratings, k=privacy.K)
    full = measurement.maturity_progress(ratings)
    hidden = table["n"].isna()
    assert (full.loc[full["n"] < privacy.K].index.isin(table.index[hidden])).all()
    assert table.loc[hidden, [*maturity.DIMENSIONS, "overall_stage"]].isna().all().all()
    shown = table.loc[~hidden]
    assert (shown["n"] >= privacy.K).all()
    pd.testing.assert_frame_equal(shown, full.loc[~hidden])
    # the pattern is the HR view's own, complementary suppression included
    safe = privacy.safe_table(ratings, ["department", "year"])
    leaves = safe[(safe["department"] != privacy.ALL) & (safe["year"] != privacy.ALL)]
    assert int(hidden.sum()) == int(leaves["n"].isna().sum())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"culture": 5}, "culture: stages must be whole numbers from 1 to 4"),
        ({"tools": 0}, "tools"),
        ({"uses": 2.5}, "uses"),
        ({"strategy": np.nan}, "strategy: missing stage"),
        ({"year": np.nan}, "department and year"),
    ],
)
def test_maturity_progress_rejects_bad_stages(change, message):
    """Is a stage outside 1–4, a half stage, a missing stage or a missing year refused, by name?"""
    ratings = pd.DataFrame([rating("HR", 2025), rating("HR", 2025)])
    for column, value in change.items():
        ratings[column] = ratings[column].astype(float)
        ratings.loc[0, column] = value
    with pytest.raises(ValueError, match=message):
        measurement.maturity_progress(ratings)


def test_maturity_progress_rejects_missing_columns_empty_input_and_a_bad_k():
    """Are a missing dimension, no ratings and a bad threshold refused clearly?"""
    ratings = pd.DataFrame([rating("HR", 2025)])
    with pytest.raises(ValueError, match=r"lacks column.*measurement"):
        measurement.maturity_progress(ratings.drop(columns="measurement"))
    with pytest.raises(ValueError, match="empty"):
        measurement.maturity_progress(ratings.iloc[0:0])
    with pytest.raises(ValueError, match="k must be"):
        measurement.maturity_progress(ratings, k=0)
