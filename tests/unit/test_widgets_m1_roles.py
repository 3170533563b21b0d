"""Widgets of M1: the survey explorer and the orientation quiz, driven from Python."""

from __future__ import annotations

import ipywidgets as w
import matplotlib.pyplot as plt
import pandas as pd
import pytest

import course.data
from course import roles
from course.widgets import m1_roles as widgets

PNG_MAGIC = b"\x89PNG"


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return course.data.load("cm_survey")


# --------------------------------------------------------------------------- pure functions


def test_filter_survey_applies_every_filter(survey):
    """Does filter_survey keep exactly the rows matching employer, region and role?"""
    subset = widgets.filter_survey(survey, "large company", widgets.IDF, "internal")
    expected = survey[
        (survey["employer_type"] == "large company")
        & (survey["region"] == widgets.IDF)
        & (survey["role"] == "internal")
    ]
    assert subset["respondent_id"].tolist() == expected["respondent_id"].tolist()
    assert len(widgets.filter_survey(survey)) == len(survey)


def test_filter_survey_outside_paris_region_is_the_complement(survey):
    """Do 'Île-de-France' and 'outside Île-de-France' split the respondents in two?"""
    inside = widgets.filter_survey(survey, region=widgets.IDF)
    outside = widgets.filter_survey(survey, region=widgets.OUTSIDE_IDF)
    assert len(inside) + len(outside) == len(survey)
    assert len(inside) == round(0.496 * len(survey))


def test_explorer_table_without_filters_gives_the_published_share(survey):
    """Unfiltered, does the explorer show 300 women of 577 with their Wilson interval?"""
    table = widgets.explorer_table(survey, column="gender")
    assert table.attrs["n"] == 577
    assert table.loc["woman", "count"] == 300
    assert tuple(table.loc["woman", ["low", "high"]]) == pytest.approx(
        roles.wilson_interval(300, 577)
    )


def test_explorer_table_keeps_ordinal_order_and_drops_missing_salaries(survey):
    """Are salary bands in their natural order, with freelancers (no salary) out of n?"""
    table = widgets.explorer_table(survey, column="salary_band")
    assert list(table.index) == widgets.ORDERS["salary_band"]
    assert table.attrs["n"] == survey["salary_band"].notna().sum()
    assert (
        widgets.explorer_table(survey, employer="freelance", column="salary_band").attrs["n"] == 0
    )


def test_explorer_table_widens_with_z(survey):
    """Is the 99 % interval wider than the 90 % one for the same selection?"""
    narrow = widgets.explorer_table(survey, role="internal", column="reports_to", z=1.645)
    wide = widgets.explorer_table(survey, role="internal", column="reports_to", z=2.576)
    assert ((wide["high"] - wide["low"]) > (narrow["high"] - narrow["low"])).all()


def test_explorer_table_empty_selection_and_unknown_column(survey):
    """Does an empty selection give an empty table with n = 0, and a bad column a KeyError?"""
    empty = widgets.explorer_table(survey, employer="digital agency", role="internal")
    assert empty.empty and empty.attrs["n"] == 0
    assert list(empty.columns) == ["count", "share", "low", "high"]
    with pytest.raises(KeyError, match="salary"):
        widgets.explorer_table(survey, column="salary")


def test_explorer_summary_warns_on_small_groups(survey):
    """Does the text warn below 30 answers and say so when nobody matches?"""
    small = widgets.explorer_table(survey, region="Alsace", role="external")
    assert 0 < small.attrs["n"] < widgets.SMALL_SAMPLE
    assert "role='alert'" in widgets.explorer_summary(small)
    large = widgets.explorer_table(survey)
    assert "role='alert'" not in widgets.explorer_summary(large)
    assert "No respondent" in widgets.explorer_summary(
        widgets.explorer_table(survey, employer="digital agency", role="internal")
    )


def test_shares_figure_is_titled_and_labelled(survey):
    """Does the explorer's chart carry a title, axis labels and one error bar per answer?"""
    table = widgets.explorer_table(survey, column="age_band")
    figure = widgets.shares_figure(table, "Age band, n = 577")
    axes = figure.axes[0]
    assert axes.get_title() == "Age band, n = 577"
    assert "Wilson" in axes.get_xlabel() and axes.get_ylabel() == "age_band"
    assert len(axes.patches) == len(table)
    plt.close(figure)


def test_time_figure_draws_one_bar_per_task_and_group():
    """Does the time chart draw tasks × groups bars, with a legend, title and labels?"""
    shares = roles.time_shares(course.data.load("cm_task_log"), "role")
    figure = widgets.time_figure(shares)
    axes = figure.axes[0]
    assert len(axes.patches) == 2 * shares.shape[1]
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["internal", "external"]
    assert axes.get_title() and axes.get_xlabel() and axes.get_ylabel() == "task"
    plt.close(figure)
    with pytest.raises(KeyError, match="freelance"):
        widgets.time_figure(shares, groups=("internal", "freelance"))


def test_orientation_result_places_and_explains():
    """Does orientation_result give index, profile, meaning and the profile's modules?"""
    result = widgets.orientation_result(5, 1, 4)
    assert result["index"] == pytest.approx(14 / 3)
    assert result["profile"] == "internal"
    assert result["modules"] == ["M4", "M5"]
    assert "colleagues" in result["meaning"]
    assert widgets.orientation_result(3, 3, 3)["modules"] == []
    assert widgets.orientation_result(None, 2, None)["profile"] is None


def test_axis_figure_marks_the_trainee_only_when_placed():
    """Does the axis chart show a marker for an index and none without one?"""
    with_index = widgets.axis_figure(4.0)
    without = widgets.axis_figure(None)
    assert len(with_index.axes[0].lines) == 1 and len(without.axes[0].lines) == 0
    assert with_index.axes[0].get_title() and with_index.axes[0].get_xlabel()
    plt.close("all")


# --------------------------------------------------------------------------- live widgets


def test_survey_explorer_updates_when_filters_change(survey):
    """Does changing a dropdown recompute the table, the text and the chart?"""
    box = widgets.survey_explorer(survey)
    assert isinstance(box, w.VBox)
    chart, text = box.children[2], box.children[3]
    assert box.table.attrs["n"] == 577 and bytes(chart.value).startswith(PNG_MAGIC)
    first_png = bytes(chart.value)

    box.controls["role"].value = "internal"
    box.controls["question"].value = "reports_to"
    assert box.table.attrs["n"] == (survey["role"] == "internal").sum()
    assert "HR" in box.table.index and "freelance" not in " ".join(box.table.index)
    assert "<table>" in text.value and bytes(chart.value) != first_png


def test_survey_explorer_hides_the_chart_for_an_empty_selection(survey):
    """With no matching respondent, is the chart hidden and the text explicit?"""
    box = widgets.survey_explorer(survey)
    box.controls["employer"].value = "digital agency"
    box.controls["role"].value = "internal"
    chart, text = box.children[2], box.children[3]
    assert chart.layout.display == "none" and "No respondent" in text.value
    box.controls["role"].value = "external"
    assert chart.layout.display is None and bytes(chart.value).startswith(PNG_MAGIC)


def test_survey_explorer_confidence_changes_the_intervals(survey):
    """Does picking 99 % widen the intervals shown?"""
    box = widgets.survey_explorer(survey)
    width95 = (box.table["high"] - box.table["low"]).iloc[0]
    box.controls["confidence"].value = 2.576
    assert (box.table["high"] - box.table["low"]).iloc[0] > width95
    assert "99 % interval" in box.children[3].value


def test_orientation_quiz_moves_with_the_answers():
    """Does the quiz place the trainee as the three answers change, N/A included?"""
    quiz = widgets.orientation_quiz()
    assert quiz.result["profile"] is None
    quiz.controls["O1"].value = 1
    quiz.controls["O2"].value = 5
    assert quiz.result["profile"] == "external" and quiz.result["index"] == 1.0
    assert "external" in quiz.children[-1].value
    quiz.controls["O1"].value = 5
    quiz.controls["O2"].value = 1
    quiz.controls["O3"].value = 5
    assert quiz.result["profile"] == "internal" and "M4" in quiz.children[-1].value
    quiz.controls["O3"].value = "na"
    quiz.controls["O2"].value = "na"
    assert quiz.result["index"] is None
    assert bytes(quiz.children[-2].value).startswith(PNG_MAGIC)


def test_orientation_quiz_accepts_starting_answers_and_rejects_bad_ones():
    """Can the quiz start from given answers, and does it refuse a wrong number of them?"""
    quiz = widgets.orientation_quiz([3, 3, 3])
    assert quiz.result["profile"] == "hybrid"
    with pytest.raises(ValueError, match="three"):
        widgets.orientation_quiz([3, 3])


def test_every_control_has_an_accessible_label(survey):
    """Does every control of both widgets carry a description (its accessible name)?"""
    controls = [
        *widgets.survey_explorer(survey).controls.values(),
        *widgets.orientation_quiz().controls.values(),
    ]
    assert controls and all(c.description.strip() for c in controls)
