"""Tests of the M3 widgets: the labelling drill and the rule workbench, without a browser."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import course.data
from course import moderation
from course.widgets import m3_moderation as widgets


@pytest.fixture(scope="module")
def comments() -> pd.DataFrame:
    return course.data.load("comments")


@pytest.fixture
def toy() -> pd.DataFrame:
    """Six comments whose figures are easy to work by hand."""
    return pd.DataFrame(
        {
            "comment_id": [f"C{i}" for i in range(1, 7)],
            "channel": ["brand_page"] * 4 + ["rse"] * 2,
            "text": [
                "Bande de clowns !",
                "C'est nul, ça fuit au bout de 2 mois",
                "Gagnez 500 € https://promo.example/1",
                "Merci, super produit",
                "L'intranet est nul depuis la mise à jour",
                "Où trouver la fiche de paie ?",
            ],
            "category": [
                "insult",
                "fair_criticism",
                "spam",
                "praise",
                "fair_criticism",
                "question",
            ],
            "label_mod_a": ["insult", "insult", "spam", "praise", "fair_criticism", "question"],
            "label_mod_b": ["insult", "fair_criticism", "spam", "praise", "insult", "question"],
            "flagged_by": [None, None, "link", None, None, None],
        }
    )


# --------------------------------------------------------------------------- drill


def test_drill_sample_is_reproducible_and_over_samples_the_boundary(comments):
    """Does the same seed give the same 20 comments, with fair criticism and insults over-represented?"""
    first = widgets.drill_sample(comments, n=20, rng=7)
    again = widgets.drill_sample(comments, n=20, rng=np.random.default_rng(7))
    other = widgets.drill_sample(comments, n=20, rng=8)
    assert list(first["comment_id"]) == list(again["comment_id"])
    assert list(first["comment_id"]) != list(other["comment_id"])
    assert len(first) == 20 and first["comment_id"].is_unique
    assert list(first.index) == list(range(1, 21))
    counts = first["category"].value_counts()
    assert counts["fair_criticism"] == 7 and counts["insult"] == 4
    with pytest.raises(ValueError):
        widgets.drill_sample(comments, n=1)


def test_drill_scores_by_hand(toy):
    """Do the drill's scores match a hand count against moderator A, moderator B and the reference?"""
    sample = toy.copy()
    sample.index = pd.RangeIndex(1, 7)
    labels = ["insult", "fair_criticism", "spam", "praise", "fair_criticism", ""]
    scores = widgets.drill_scores(sample, labels)
    assert list(scores.index) == ["moderator A", "moderator B", "reference"]
    assert (scores["labelled"] == 5).all()
    assert scores.loc["reference", "agreement"] == pytest.approx(1.0)
    assert scores.loc["moderator A", "agreement"] == pytest.approx(4 / 5)
    assert scores.loc["moderator B", "agreement"] == pytest.approx(4 / 5)
    expected = moderation.cohen_kappa(labels[:5], list(sample["label_mod_a"][:5]))
    assert scores.loc["moderator A", "kappa"] == pytest.approx(expected)
    assert scores.attrs["moderators_kappa"] == pytest.approx(
        moderation.cohen_kappa(sample["label_mod_a"], sample["label_mod_b"])
    )


def test_drill_differences_and_bad_labels(toy):
    """Does the drill list only labelled items that differ from a moderator, and refuse bad labels?"""
    sample = toy.copy()
    sample.index = pd.RangeIndex(1, 7)
    labels = ["insult", "fair_criticism", "spam", None, "fair_criticism", ""]
    differences = widgets.drill_differences(sample, labels)
    assert list(differences.index) == [2, 5]
    assert list(differences.columns) == ["text", "yours", "moderator A", "moderator B", "reference"]
    with pytest.raises(ValueError, match="unknown"):
        widgets.drill_scores(sample, ["rude"] * 6)
    with pytest.raises(ValueError):
        widgets.drill_scores(sample, ["insult"])
    empty = widgets.drill_scores(sample, [""] * 6)
    assert math.isnan(empty.loc["moderator A", "kappa"])


def test_labelling_drill_callback(comments):
    """Does pressing Compare after labelling show the trainee's scores and the moderators' kappa?"""
    box = widgets.labelling_drill(comments, n=20, rng=2024)
    assert len(box.choices) == 20
    assert all(choice.description.startswith("Comment ") for choice in box.choices)
    assert box.button.description
    for choice, truth in zip(box.choices, box.sample["category"], strict=True):
        choice.value = truth
    box.button.click()
    assert "You labelled 20 of 20" in box.feedback.value
    assert "moderator A" in box.feedback.value and "reference" in box.feedback.value
    # all labels equal to the reference: kappa 1.00 against it
    assert "<th scope='row'>reference</th><td>100%</td><td>1.00</td>" in box.feedback.value


def test_drill_html_asks_for_labels_first(toy):
    """Does the drill ask for labels when none is given instead of showing empty scores?"""
    sample = toy.copy()
    sample.index = pd.RangeIndex(1, 7)
    assert "Label at least" in widgets.drill_html(sample, [""] * 6)


# --------------------------------------------------------------------------- workbench


def test_workbench_result_by_hand(toy):
    """Does the workbench report what a hand count gives on six comments?"""
    result = widgets.workbench_result(toy, ["clowns", "nul"], threshold=1)
    report = result["report"]
    # flagged: 1 (insult), 2 and 5 (fair criticism); should go: 1 and 3 (spam)
    assert report["flagged"] == 3
    assert report["precision"] == pytest.approx(1 / 3)
    assert report["recall"] == pytest.approx(1 / 2)
    assert report["protected_flagged"] == 2
    assert report["protected_rate"] == pytest.approx(1.0)
    assert list(result["casualties"]["comment_id"]) == ["C2", "C5"]
    by_category = result["by_category"]
    assert by_category.loc["fair_criticism", "flagged"] == 2
    assert bool(by_category.loc["spam", "remove"]) and not bool(by_category.loc["praise", "remove"])


def test_workbench_signals_threshold_and_channel(toy):
    """Do signals add to the score, does the threshold cut, and does the channel filter apply?"""
    with_link = widgets.workbench_result(toy, ["clowns"], signals=["link"], threshold=1)
    assert with_link["report"]["recall"] == pytest.approx(1.0)
    strict = widgets.workbench_result(toy, ["clowns"], signals=["link", "shouting"], threshold=2)
    assert strict["report"]["flagged"] == 0
    rse = widgets.workbench_result(toy, ["nul"], channel="rse")
    assert rse["by_category"]["items"].sum() == 2
    with pytest.raises(ValueError):
        widgets.workbench_result(toy, ["nul"], threshold=0)
    with pytest.raises(ValueError):
        widgets.workbench_result(toy, ["nul"], channel="twitter")
    with pytest.raises(KeyError):
        widgets.workbench_result(toy, ["nul"], signals=["emoji"])


def test_workbench_reproduces_the_dataset_rules(comments):
    """With every signal on, does the workbench flag exactly what the dataset's rules flagged?"""
    result = widgets.workbench_result(
        comments, moderation.STARTER_KEYWORDS, signals=list(moderation.SIGNALS), threshold=1
    )
    flagged_by_dataset = int(comments["flagged_by"].notna().sum())
    assert result["report"]["flagged"] == flagged_by_dataset
    keywords_only = moderation.keyword_rule(comments["text"], moderation.STARTER_KEYWORDS)
    assert keywords_only.sum() == (comments["flagged_by"] == "keywords").sum()


def test_rule_workbench_callback(comments):
    """Does editing the keywords and moving the threshold update the figures shown?"""
    box = widgets.rule_workbench(comments)
    assert all(control.description for control in box.controls.values())
    before = box.result["report"]["protected_flagged"]
    assert before > 0
    assert box.chart.value[:4] == b"\x89PNG"
    box.controls["keywords"].value = "clowns, incapable*, bras cassés"
    after = box.result["report"]["protected_flagged"]
    assert after < before
    assert "fair criticism flagged" in box.text.value
    box.controls["threshold"].value = 4
    assert box.result["report"]["flagged"] == 0
    assert "—" in box.text.value  # precision undefined when nothing is flagged


def test_parse_keywords():
    """Are keywords split on commas and new lines, blanks dropped?"""
    assert widgets.parse_keywords("nul, honte\n arnaq* ,,\n") == ["nul", "honte", "arnaq*"]


# --------------------------------------------------------------------------- charts


def test_charts_have_titles_and_labels(comments):
    """Do the lesson's charts carry a title and both axis labels?"""
    table = moderation.confusion(comments["label_mod_a"], comments["label_mod_b"])
    result = widgets.workbench_result(comments, moderation.STARTER_KEYWORDS)
    for figure in (
        widgets.confusion_figure(table, "Moderators"),
        widgets.response_time_figure(comments),
        widgets.flag_rate_figure(result["by_category"], "Rule"),
    ):
        axes = figure.axes[0]
        assert axes.get_title() and axes.get_xlabel() and axes.get_ylabel()
        plt.close(figure)
