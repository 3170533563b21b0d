"""Tests of the M7 widgets: the diagnosis dashboard and the 90-day plan builder."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from course import capstone
from course.widgets import m7_capstone as widgets

GOOD_PLAN = {
    1: ["charter", "champions", "question_of_week", "scorecard"],
    2: ["live_qa", "champion_club"],
    3: ["site_visit", "champion_club", "pulse_survey"],
}


@pytest.fixture(scope="module")
def case():
    return capstone.load_case()


def test_diagnosis_table_shows_every_figure_with_its_denominator(case):
    """Does the table carry each diagnosis figure, formatted, with a denominator?"""
    for track in capstone.TRACKS:
        table = widgets.diagnosis_table(case, track)
        figures = capstone.diagnosis(case, track)
        assert list(table.index) == list(figures.index)
        assert np.allclose(table["value"], figures.to_numpy())
        assert (table["denominator"] != "").all()
    internal = widgets.diagnosis_table(case, "internal")
    share = internal.loc["interactive_share", "value"]
    assert internal.loc["interactive_share", "shown"] == f"{100 * share:.1f} %"


def test_monthly_shares_separate_the_three_denominators(case):
    """Are shares of licensed users always above shares of all staff, month by month?"""
    table = widgets.monthly_shares(case["people"], case["activity"])
    assert len(table) == 12
    assert (table["active_of_licensed"] > table["active_of_staff"]).all()
    assert (table["interactive_of_staff"] <= table["active_of_staff"]).all()
    assert (table["licensed"] < len(case["people"])).all()


def test_reply_curve_counts_the_unanswered_as_misses(case):
    """Does the curve rise with the delay and stay below the share ever answered?"""
    curve = widgets.reply_curve(case["comments"], "external", [1, 24, 10_000])
    external = case["comments"][case["comments"]["track"] == "external"]
    assert curve.is_monotonic_increasing
    assert curve.iloc[-1] == pytest.approx(external["hours_to_first_reply"].notna().mean())
    with pytest.raises(ValueError, match="positive"):
        widgets.reply_curve(case["comments"], "external", [0])
    with pytest.raises(ValueError, match="track"):
        widgets.reply_curve(case["comments"], "both", [1])


def test_dashboard_switches_track(case):
    """Does the dashboard redraw its chart and table when the track changes?"""
    box = widgets.diagnosis_dashboard(case)
    first_chart = box.children[1].value
    assert "members" not in box.table.index
    box.controls["track"].value = "external"
    assert "peer_answer_share" in box.table.index
    assert box.children[1].value != first_chart and len(box.children[1].value) > 1000
    assert "Joglekar" in box.children[2].value  # reference points carry their source
    assert "out of" in box.children[2].value


def test_a_sound_plan_gets_no_warning():
    """Does a plan with champions, a charter, three levels and measurement pass?"""
    result = widgets.plan_check(GOOD_PLAN, "internal", cm_fte=0.5, budget_eur=18_000)
    assert result["warnings"] == []
    assert result["levels"] == [1, 2, 3]
    assert result["months"].loc[1, "cm_hours_per_week"] == 10
    assert result["months"].loc[1, "available_hours"] == 17.5
    assert result["cost"] == 500 + 300 + 200 + 1500 + 300 + 1000


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({1: ["question_of_week", "scorecard"]}, "No champions recruited in month 1"),
        ({1: ["champions", "question_of_week", "scorecard"]}, "No charter in month 1"),
        ({3: ["champion_club", "pulse_survey"]}, "No format at level 3"),
        ({2: ["scorecard"]}, "Month 2 has no format or ritual"),
        ({3: ["site_visit", "kiosks", "champion_club", "workshop"]}, "more than 40%"),
    ],
)
def test_plan_check_names_what_is_missing(change, expected):
    """Does each typical gap of a 90-day plan produce its warning?"""
    plan = {**GOOD_PLAN, **change}
    result = widgets.plan_check(plan, "internal", cm_fte=0.5, budget_eur=18_000)
    assert any(expected in text for text in result["warnings"]), result["warnings"]


def test_plan_check_counts_the_cm_hours():
    """Does a month asking more hours than the brief gives raise a warning?"""
    busy = {**GOOD_PLAN, 1: [*GOOD_PLAN[1], "reply_rota", "workshop"]}
    result = widgets.plan_check(busy, "internal", cm_fte=0.5, budget_eur=18_000)
    assert any("Month 1 asks 20 h a week" in t for t in result["warnings"])
    assert not widgets.plan_check(busy, "internal", cm_fte=1.0, budget_eur=18_000)["warnings"]


def test_external_plan_needs_a_reply_rota():
    """Does the external track warn when nothing answers the waiting questions?"""
    plan = {1: ["charter", "champions", "question_of_week", "scorecard"], 2: ["live_qa"],
            3: ["ride_out"]}  # fmt: skip
    result = widgets.plan_check(plan, "external", cm_fte=1.0, budget_eur=25_000)
    assert any("reply rota" in t for t in result["warnings"])


@pytest.mark.parametrize(
    ("plan", "track", "fte", "budget", "message"),
    [
        ({4: ["charter"]}, "internal", 0.5, 1000, "months are 1, 2 and 3"),
        ({1: ["dance"]}, "internal", 0.5, 1000, "unknown action"),
        ({1: ["ride_out"]}, "internal", 0.5, 1000, "external track only"),
        ({1: ["charter"]}, "internal", 0, 1000, "cm_fte"),
        ({1: ["charter"]}, "internal", 0.5, -1, "budget"),
        ({1: ["charter"]}, "both", 0.5, 1000, "track"),
    ],
)
def test_plan_check_rejects_bad_input(plan, track, fte, budget, message):
    """Does plan_check refuse bad months, actions, tracks, time and budget?"""
    with pytest.raises(ValueError, match=message):
        widgets.plan_check(plan, track, fte, budget)


def test_plan_builder_follows_the_brief_and_the_track(case):
    """Does the builder use the brief's time and budget, and drop the other track's actions?"""
    box = widgets.plan_builder(case["brief"])
    assert box.result["months"].loc[1, "available_hours"] == 17.5  # a half-time CM inside
    for month, keys in GOOD_PLAN.items():
        box.controls[f"month_{month}"].value = tuple(keys)
    assert box.result["warnings"] == []
    box.controls["track"].value = "external"
    assert box.result["months"].loc[1, "available_hours"] == 35.0
    assert "site_visit" not in box.controls["month_3"].value
    assert any("reply rota" in t for t in box.result["warnings"])
    assert "point(s) to fix" in box.children[-1].value
