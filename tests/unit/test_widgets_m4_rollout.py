"""Tests of the M4 widgets: the Bass explorer and the rollout planner.

The pure functions are checked on small hand-made frames (known answers), the widgets on the
course datasets by setting control values in Python and reading what they show.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import course.data
from course import adoption
from course.widgets import m4_rollout as widgets


@pytest.fixture(scope="module")
def employees() -> pd.DataFrame:
    return course.data.load("employees")


@pytest.fixture(scope="module")
def site_curves(employees) -> pd.DataFrame:
    return adoption.adoption_curves(employees, course.data.load("rse_usage"), by="site")


def clean_curve(p=0.03, q=0.4, m=1000, months=18, group="Here") -> pd.DataFrame:
    """A curve drawn exactly from the Bass model (rounded to people)."""
    month = np.arange(1, months + 1)
    return pd.DataFrame(
        {
            "site": group,
            "month": month,
            "new_adopters": np.round(adoption.bass_adopters(month, p, q, m)).astype(int),
            "headcount": 1200,
        }
    )


# --------------------------------------------------------------------------- Bass explorer


def test_explorer_curve_matches_the_model():
    """Are the model columns the Bass counts, with the peak and half-way month worked by hand?"""
    rows = clean_curve()
    table = widgets.explorer_curve(rows, 0.03, 0.4, 1000)
    np.testing.assert_allclose(
        table["model"], adoption.bass_adopters(np.arange(1, 19), 0.03, 0.4, 1000)
    )
    assert table["observed_cumulative"].iloc[-1] == rows["new_adopters"].sum()
    assert table.attrs["r_squared"] > 0.999
    assert table.attrs["peak"] == pytest.approx(math.log(0.4 / 0.03) / 0.43)
    half = math.log(2 + 0.4 / 0.03) / 0.43  # F(t) = 1/2
    assert table.attrs["half_month"] == math.ceil(half)


def test_explorer_curve_r_squared_drops_off_the_fit():
    """Does a curve far from the data get a lower (even negative) R²?"""
    rows = clean_curve()
    assert widgets.explorer_curve(rows, 0.03, 1.2, 1000).attrs["r_squared"] < 0.5


def test_explorer_curve_refuses_empty_and_bad_parameters():
    """Are an empty curve and p = 0 refused?"""
    with pytest.raises(ValueError, match="no observed"):
        widgets.explorer_curve(clean_curve().iloc[:0], 0.03, 0.4, 1000)
    with pytest.raises(ValueError):
        widgets.explorer_curve(clean_curve(), 0.0, 0.4, 1000)


def test_bass_explorer_starts_at_the_fit_and_follows_the_sliders(site_curves):
    """Do the sliders start at the chosen site's fit, and does moving q change curve and text?"""
    box = widgets.bass_explorer(site_curves, by="site")
    controls = box.controls
    assert all(control.description for control in controls.values())
    first = controls["group"].value
    rows = site_curves[site_curves["site"] == first]
    fit = adoption.fit_bass(rows["month"], rows["new_adopters"])
    assert controls["q"].value == pytest.approx(fit.q, abs=0.01)
    assert controls["m"].value == round(fit.m)
    best = box.table.attrs["r_squared"]
    assert best == pytest.approx(fit.r_squared, abs=0.01)
    controls["q"].value = 1.2
    assert box.table.attrs["r_squared"] < best
    assert "q = 1.200" in box.children[-1].value
    controls["group"].value = "Lyon"
    lyon = site_curves[site_curves["site"] == "Lyon"]
    assert box.fit.q == pytest.approx(adoption.fit_bass(lyon["month"], lyon["new_adopters"]).q)
    assert controls["q"].value == pytest.approx(box.fit.q, abs=0.01)
    assert "Lyon" in box.children[-1].value
    controls["p"].value = 0.1
    controls["reset"].click()
    assert controls["p"].value == pytest.approx(box.fit.p, rel=0.02)
    assert box.children[3].value[:4] == b"\x89PNG"
    plt.close("all")


def test_bass_explorer_says_when_a_group_cannot_be_fitted():
    """For a group with adopters in a single month, is there no fit and a sentence saying so?"""
    flat = pd.DataFrame(
        {
            "site": "Nowhere",
            "month": [1, 2, 3, 4, 5],
            "new_adopters": [0, 9, 0, 0, 0],
            "headcount": 50,
        }
    )
    box = widgets.bass_explorer(pd.concat([flat, clean_curve(group="Somewhere")]))
    assert box.controls["group"].value == "Nowhere"
    assert box.fit is None
    assert "cannot identify" in box.children[-1].value
    assert box.controls["m"].value == 50
    box.controls["group"].value = "Somewhere"
    assert box.fit is not None
    plt.close("all")


# --------------------------------------------------------------------------- rollout planner


@pytest.fixture
def tiny_staff() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "site": ["B", "B", "B", "A", "A", "C"],
            "rollout_wave": [2, 2, 1, 1, 1, 3],
        }
    )


def test_site_plan_counts_and_orders(tiny_staff):
    """Is each site's headcount counted, its wave the most common one, sorted by wave then site?"""
    plan = widgets.site_plan(tiny_staff)
    assert plan["site"].tolist() == ["A", "B", "C"]
    assert plan["headcount"].tolist() == [2, 3, 1]
    assert plan["wave"].tolist() == [1, 2, 3]
    assert plan["champions"].tolist() == [0, 0, 0]
    with pytest.raises(ValueError, match="rollout_wave"):
        widgets.site_plan(tiny_staff.drop(columns="rollout_wave"))


def test_planner_forecast_sums_the_sites():
    """Is the planner's forecast the sum over sites of each site's own Bass curve from its launch?"""
    plan = pd.DataFrame(
        {"site": ["A", "B"], "headcount": [1000, 3000], "wave": [1, 2], "champions": [0, 60]}
    )
    forecast = widgets.planner_forecast(plan, {1: 0, 2: 4}, 0.03, 0.4, 24, 0.8, 0.7, 0.4)
    a = adoption.bass_cumulative(10, 0.03, 0.4, 800)
    b = adoption.bass_cumulative(10 - 4, 0.03, adoption.champion_q(0.4, 60, 3000), 2400)
    assert forecast.loc[10, "adopters"] == pytest.approx(a + b)
    assert forecast.loc[10, "active"] == pytest.approx(0.7 * (a + b))
    assert forecast.loc[10, "interactive"] == pytest.approx(0.4 * 0.7 * (a + b))
    with pytest.raises(ValueError, match="wave"):
        widgets.planner_forecast(plan, {1: 0}, 0.03, 0.4, 24)


def test_planner_summary_known_values():
    """On a hand-made forecast, are the target month's figures and the month reached right?"""
    forecast = pd.DataFrame(
        {"adopters": [10, 40, 80, 90], "active": [5, 30, 60, 70], "interactive": [2, 12, 24, 28]},
        index=pd.Index([1, 2, 3, 4], name="month"),
    )
    summary = widgets.planner_summary(forecast, headcount=100, target_month=2, target_share=0.5)
    assert summary == {
        "active": 30.0,
        "interactive": 12.0,
        "reach": 0.3,
        "met": False,
        "month_reached": 3,
    }
    never = widgets.planner_summary(forecast, 100, 4, 0.8)
    assert never["month_reached"] is None and not never["met"]
    with pytest.raises(ValueError, match="outside"):
        widgets.planner_summary(forecast, 100, 9, 0.5)
    with pytest.raises(ValueError, match="target_share"):
        widgets.planner_summary(forecast, 100, 2, 0)


def test_rollout_planner_reacts_to_champions_launches_and_target(employees):
    """Do champions bring more users by the target month, a later launch fewer, and an
    unreachable target say so?"""
    box = widgets.rollout_planner(employees, 0.02, 0.3, ceiling=0.83, retention=0.7, months=36)
    controls = box.controls
    assert all(control.description for control in controls.values())
    assert set(controls) >= {"launch_1", "launch_4", "wave:Lyon", "champions:Lyon", "target_month"}
    before = box.summary["active"]
    controls["champions:Paris La Défense"].value = 70
    with_champions = box.summary["active"]
    assert with_champions > before
    controls["launch_1"].value = 6
    assert box.summary["active"] < with_champions
    controls["wave:Lyon"].value = 4
    assert box.forecast.loc[1, "adopters"] < 1  # wave 1 now starts in month 6, Lyon in month 9
    controls["target_share"].value = 1.0
    assert box.summary["month_reached"] is None
    assert "never reached" in box.children[-1].value
    assert "Course's assumptions" in box.children[-1].value
    assert box.children[-2].value[:4] == b"\x89PNG"
    plt.close("all")


# --------------------------------------------------------------------------- static charts


def test_static_figures_are_titled_and_labelled():
    """Does every static chart carry a title and both axis labels?"""
    curves = pd.concat(
        [
            clean_curve(group=1).rename(columns={"site": "rollout_wave"}),
            clean_curve(0.05, 0.5, group=2).rename(columns={"site": "rollout_wave"}),
        ]
    )
    fits = {
        wave: adoption.fit_bass(rows["month"], rows["new_adopters"])
        for wave, rows in curves.groupby("rollout_wave")
    }
    summary = pd.DataFrame(
        {"active": [5, 8], "interactive": [2, 3], "reach": [0.5, 0.8], "engagement": [0.4, 0.375]},
        index=pd.to_datetime(["2024-01-31", "2024-02-29"]),
    )
    times = np.random.default_rng(3).normal(10, 2, 500)
    figures = [
        widgets.usage_figure(summary, headcount=10),
        widgets.curves_figure(curves, fits),
        widgets.rogers_figure(adoption.rogers_categories(times)),
        widgets.shapes_figure([(0.02, 0.3), (0.1, 0.05)]),
    ]
    for figure in figures:
        axes = figure.axes[0]
        assert axes.get_title() and axes.get_xlabel() and axes.get_ylabel()
        plt.close(figure)
