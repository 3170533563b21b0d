"""Tests of the M6 widgets: the scorecard builder and the fair-comparison explorer.

The pure functions are checked on small hand-made frames (known answers) and on the course
dataset; the widgets by setting control values in Python and reading what they show.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import course.data
from course import measurement
from course.widgets import m6_measurement as widgets


@pytest.fixture(scope="module")
def kpis() -> pd.DataFrame:
    return course.data.load("community_kpis")


def tiny_kpis() -> pd.DataFrame:
    """Two communities, four months; C2's last month has no members at all."""
    months = pd.date_range("2025-01-01", periods=4, freq="MS")
    return pd.DataFrame(
        {
            "community_id": ["C1"] * 4 + ["C2"] * 4,
            "community": ["One"] * 4 + ["Two"] * 4,
            "kind": ["internal"] * 8,
            "has_dedicated_cm": [True] * 4 + [False] * 4,
            "month": list(months) * 2,
            "members": [100, 100, 100, 100, 50, 50, 50, 0],
            "active_members": [40, 50, 60, 70, 10, 10, 10, 0],
            "interactive_members": [10, 10, 10, 10, 5, 5, 5, 0],
            "posts": [20, 20, 20, 20, 5, 5, 5, 0],
            "reply_rate": [0.5] * 8,
            "median_hours_to_first_reply": [4.0] * 8,
            "satisfaction": [np.nan, np.nan, 3.5, np.nan] * 2,
        }
    )


# --------------------------------------------------------------------------- scorecard builder


def test_scorecard_view_shows_each_ratio_with_its_denominator():
    """Does the view give the latest value, its numerator and denominator, and the window trend?"""
    view = widgets.scorecard_view(tiny_kpis(), ["C1"], ["active_rate", "satisfaction"], months=4)
    active = view[view["indicator"] == "active_rate"].iloc[0]
    assert active["latest"] == pytest.approx(0.7)
    assert (active["numerator"], active["denominator"]) == (70, 100)
    assert active["denominator_name"] == "members"
    assert active["window_mean"] == pytest.approx(0.55)
    assert active["slope"] == pytest.approx(0.1)
    pulse = view[view["indicator"] == "satisfaction"].iloc[0]
    assert pulse["latest"] == 3.5 and pulse["latest_month"] == pd.Timestamp("2025-03-01")
    assert np.isnan(pulse["denominator"]) and pulse["denominator_name"] == ""


def test_scorecard_view_skips_a_month_without_a_denominator():
    """When the last month has no members, is the latest value the last month that has one?"""
    view = widgets.scorecard_view(tiny_kpis(), ["C2"], ["interactive_share"], months=4)
    row = view.iloc[0]
    assert row["latest_month"] == pd.Timestamp("2025-03-01")
    assert row["latest"] == pytest.approx(0.5)


def test_scorecard_view_refuses_empty_or_unknown_choices():
    """Are no community, no indicator, an unknown id or an unknown indicator refused clearly?"""
    with pytest.raises(ValueError, match="at least one community"):
        widgets.scorecard_view(tiny_kpis(), [], ["active_rate"])
    with pytest.raises(ValueError, match="at least one indicator"):
        widgets.scorecard_view(tiny_kpis(), ["C1"], [])
    with pytest.raises(ValueError, match="unknown community id"):
        widgets.scorecard_view(tiny_kpis(), ["C9"], ["active_rate"])
    with pytest.raises(ValueError, match="unknown indicator"):
        widgets.scorecard_view(tiny_kpis(), ["C1"], ["engagement"])


def test_scorecard_html_names_every_denominator():
    """Does the table print 'numerator / denominator name' for ratios and say when it is not one?"""
    view = widgets.scorecard_view(tiny_kpis(), ["C1"], ["interactive_share", "reply_rate"], 4)
    text = widgets.scorecard_html(view)
    assert "10 / 70 active members" in text
    assert "not a ratio of counts" in text
    assert "<caption>" in text and "<th scope='col'>" in text


def test_scorecard_builder_follows_its_controls(kpis):
    """Does the builder recompute when communities, indicators or the window change?"""
    box = widgets.scorecard_builder(kpis)
    assert set(box.view["community_id"]) == {"K01", "K10", "K17"}
    box.controls["indicators"].value = ("posts_per_interactive",)
    box.controls["communities"].value = ("K05",)
    box.controls["months"].value = 24
    assert list(box.view["indicator"]) == ["posts_per_interactive"]
    expected = measurement.trend(kpis, "posts_per_interactive", months=24).loc["K05", "slope"]
    assert box.view.iloc[0]["slope"] == pytest.approx(expected)
    box.controls["communities"].value = ()
    assert box.view is None and "at least one community" in box.message


# --------------------------------------------------------------------------- fair comparison


def test_per_community_averages_each_community_over_the_year(kpis):
    """Is there one row per community, holding the mean of its monthly values in the year?"""
    table = widgets.per_community(kpis, "interactive_share", 2025)
    assert len(table) == 20
    card = measurement.scorecard(kpis)
    k03 = card[(card["community_id"] == "K03") & (card["month"].dt.year == 2025)]
    row = table.set_index("community_id").loc["K03"]
    assert row["interactive_share"] == pytest.approx(k03["interactive_share"].mean())
    internal = widgets.per_community(kpis, "interactive_share", 2025, "similar_size")
    assert (internal["kind"] == "internal").all()
    assert internal["members"].between(300, 2500).all()


def test_fair_comparison_per_community_is_welch_on_community_means(kpis):
    """Is the explorer's result Welch's test on one value per community?"""
    result = widgets.fair_comparison(kpis, "interactive_share", "has_dedicated_cm")
    rows = widgets.per_community(kpis, "interactive_share")
    without = rows.loc[~rows["has_dedicated_cm"], "interactive_share"]
    with_cm = rows.loc[rows["has_dedicated_cm"], "interactive_share"]
    assert result["p_value"] == pytest.approx(
        stats.ttest_ind(without, with_cm, equal_var=False).pvalue
    )
    assert result["n"] == (12, 8) and result["error"] is None


def test_counting_months_as_communities_narrows_the_interval(kpis):
    """Does the 'per month' unit give twelve times the rows and a narrower, misleading interval?"""
    honest = widgets.fair_comparison(kpis, "interactive_share", "has_dedicated_cm")
    inflated = widgets.fair_comparison(kpis, "interactive_share", "has_dedicated_cm", unit="month")
    assert inflated["n"] == tuple(12 * n for n in honest["n"])
    assert inflated["high"] - inflated["low"] < (honest["high"] - honest["low"]) / 2
    assert "counted 12" in widgets.comparison_html(inflated)


def test_a_restriction_that_leaves_one_group_is_said_not_raised(kpis):
    """Comparing by kind among internal communities only: is the reason shown instead of a crash?"""
    result = widgets.fair_comparison(kpis, "interactive_share", "kind", restrict="internal")
    assert result["error"] and "exactly two groups" in result["error"]
    assert np.isnan(result["difference"])
    assert "No comparison" in widgets.comparison_html(result)
    plt.close(widgets.comparison_figure(result))


def test_fair_comparison_refuses_unknown_choices(kpis):
    """Are an unknown grouping, restriction, unit or metric refused clearly?"""
    with pytest.raises(ValueError, match="grouping"):
        widgets.fair_comparison(kpis, "interactive_share", "site")
    with pytest.raises(ValueError, match="restriction"):
        widgets.fair_comparison(kpis, "interactive_share", "kind", restrict="big")
    with pytest.raises(ValueError, match="unit"):
        widgets.fair_comparison(kpis, "interactive_share", "kind", unit="week")
    with pytest.raises(ValueError, match="metric"):
        widgets.fair_comparison(kpis, "engagement", "kind")


def test_explorer_follows_its_controls_and_warns_about_causality(kpis):
    """Does the explorer recompute on each control, and always say the comparison is not proof?"""
    box = widgets.fair_comparison_explorer(kpis)
    assert box.result["n"] == (12, 8)
    box.controls["restrict"].value = "external"
    assert box.result["n"] == (3, 3)
    assert box.result["low"] < 0 < box.result["high"]  # six communities: the interval spans 0
    box.controls["metric"].value = "reply_rate"
    assert box.result["metric"] == "reply_rate"
    assert "not the effect" in widgets.comparison_html(box.result)


def test_static_figures_are_titled_and_labelled(kpis):
    """Do the lesson's charts carry a title and both axis labels?"""
    card = measurement.scorecard(kpis)
    progress = measurement.maturity_progress(course.data.load("maturity_ratings"), k=5)
    figures = [
        widgets.rates_figure(card),
        widgets.progress_figure(progress),
        widgets.comparison_figure(widgets.fair_comparison(kpis, "reply_rate", "kind")),
    ]
    for figure in figures:
        axes = figure.axes[0]
        assert axes.get_title() and axes.get_xlabel() and axes.get_ylabel()
        plt.close(figure)
    multiples = widgets.small_multiples_figure(kpis, ["K01"], ["active_rate", "satisfaction"])
    assert multiples.get_suptitle()
    assert all(a.get_title() and a.get_xlabel() and a.get_ylabel() for a in multiples.axes)
    plt.close(multiples)


def test_progress_figure_marks_hidden_groups():
    """Does the heatmap print 'hidden' where the small-group rule blanked a department-year?"""
    progress = measurement.maturity_progress(course.data.load("maturity_ratings"), k=5)
    figure = widgets.progress_figure(progress)
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert texts.count("hidden") == int(progress["overall_stage"].isna().sum())
    plt.close(figure)
