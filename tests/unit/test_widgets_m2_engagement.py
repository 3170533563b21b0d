"""Tests of the M2 widgets: the denominator switch and the Lorenz explorer.

The pure functions are checked on small hand-made frames (known answers), the widgets on the
course datasets by setting control values in Python and reading what they show.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import course.data
from course import engagement
from course.widgets import m2_engagement as widgets


@pytest.fixture(scope="module")
def members() -> pd.DataFrame:
    return course.data.load("members")


@pytest.fixture(scope="module")
def posts() -> pd.DataFrame:
    return course.data.load("posts")


@pytest.fixture
def tiny_members() -> pd.DataFrame:
    """Two tiny communities: internal (4 members) and external (5 members)."""
    return pd.DataFrame(
        {
            "member_id": ["I1", "I2", "I3", "I4", "X1", "X2", "X3", "X4", "X5"],
            "community": ["internal"] * 4 + ["external"] * 5,
            "n_posts": [6, 2, 0, 0, 10, 0, 0, 0, 0],
            "n_comments": [1, 1, 1, 0, 0, 2, 0, 0, 0],
            "n_reactions": [0, 3, 2, 1, 0, 0, 1, 1, 0],
        }
    )


@pytest.fixture
def tiny_posts() -> pd.DataFrame:
    """Three external posts whose order flips with the denominator, and two internal posts."""
    return pd.DataFrame(
        {
            "post_id": ["P1", "P2", "P3", "P4", "P5"],
            "community": ["external"] * 3 + ["internal"] * 2,
            "format": ["image", "video", "text", "text", "poll"],
            "followers_at_post": pd.array([1000, 1000, 1000, None, None], dtype="Int64"),
            # P1: 10/50 by reach (20%), 10 by followers; P2: 40/400 (10%), 40; P3: 5/20 (25%), 5.
            "reach": [50, 400, 20, 2, 3],
            "impressions": [100, 500, 80, 2, 6],
            "reactions": [8, 30, 5, 1, 2],
            "comments": [2, 6, 0, 1, 0],
            "shares": [0, 4, 0, 0, 1],
        }
    )


# --------------------------------------------------------------------------- denominator switch


def test_community_rates_on_known_posts(tiny_posts, tiny_members):
    """Are the three rates and ranks those worked by hand, and internal 'followers' the members?"""
    table = widgets.community_rates(tiny_posts, tiny_members, "external")
    assert table["rate_by_reach"].to_dict() == pytest.approx({"P1": 20.0, "P2": 10.0, "P3": 25.0})
    assert table["rate_by_followers"].to_dict() == pytest.approx({"P1": 1.0, "P2": 4.0, "P3": 0.5})
    assert table["rank_by_reach"].to_dict() == {"P3": 1, "P1": 2, "P2": 3}
    assert table["rank_by_followers"].to_dict() == {"P2": 1, "P1": 2, "P3": 3}
    internal = widgets.community_rates(tiny_posts, tiny_members, "internal")
    assert internal["followers"].tolist() == [4.0, 4.0]
    assert internal["rate_by_followers"].to_dict() == pytest.approx({"P4": 50.0, "P5": 75.0})


def test_denominator_ranking_flips_and_counts_overlap(tiny_posts, tiny_members):
    """Does the top post change with the denominator, with the overlap counted?"""
    by_reach = widgets.denominator_ranking(tiny_posts, tiny_members, "external", "reach", top=1)
    by_followers = widgets.denominator_ranking(
        tiny_posts, tiny_members, "external", "followers", top=1
    )
    assert list(by_reach.index) == ["P3"]
    assert list(by_followers.index) == ["P2"]
    assert by_reach.attrs["overlap"] == {"followers": 0, "impressions": 0}
    assert by_reach.attrs["kept"] == 3


def test_denominator_ranking_minimum_reach(tiny_posts, tiny_members):
    """Does a minimum reach drop small posts and rank among the rest?"""
    ranking = widgets.denominator_ranking(
        tiny_posts, tiny_members, "external", "reach", top=5, min_reach=30
    )
    assert list(ranking.index) == ["P1", "P2"]
    assert ranking["rank_by_reach"].tolist() == [1, 2]
    empty = widgets.denominator_ranking(
        tiny_posts, tiny_members, "external", "reach", min_reach=10_000
    )
    assert empty.empty
    assert "No post" in widgets.ranking_html(empty, "reach", 10)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"community": "brand"},
        {"denominator": "clicks"},
        {"top": 0},
        {"min_reach": -1},
    ],
)
def test_denominator_ranking_rejects_bad_arguments(tiny_posts, tiny_members, kwargs):
    """Do an unknown community or denominator, top 0 and a negative reach raise?"""
    with pytest.raises(ValueError):
        widgets.denominator_ranking(tiny_posts, tiny_members, **kwargs)


def test_denominator_switch_updates_when_controls_change(posts, members):
    """Does switching the denominator re-rank the real posts and relabel the text?"""
    box = widgets.denominator_switch(posts, members)
    controls = box.controls
    assert all(control.description for control in controls.values())
    first = list(box.table.index)
    assert len(first) == 10
    assert box.table["rate_by_reach"].is_monotonic_decreasing
    controls["denominator"].value = "followers"
    assert box.table["rate_by_followers"].is_monotonic_decreasing
    assert list(box.table.index) != first
    assert "by followers" in box.children[-1].value
    controls["community"].value = "internal"
    internal_ids = set(posts.loc[posts["community"] == "internal", "post_id"])
    assert set(box.table.index) <= internal_ids
    assert set(box.table["followers"]) == {float((members["community"] == "internal").sum())}
    controls["top"].value = 5
    assert len(box.table) == 5
    assert box.children[2].value[:4] == b"\x89PNG"
    plt.close("all")


# --------------------------------------------------------------------------- Lorenz explorer


def test_contributions_measures(tiny_members):
    """Does each measure add the right columns, zeros included?"""
    posts_only = widgets.contributions(tiny_members, "internal", "posts")
    assert posts_only.to_dict() == {"I1": 6, "I2": 2, "I3": 0, "I4": 0}
    writing = widgets.contributions(tiny_members, "internal", "posts + comments")
    assert writing.tolist() == [7, 3, 1, 0]
    everything = widgets.contributions(tiny_members, "internal", "posts + comments + reactions")
    assert everything.tolist() == [7, 6, 3, 1]
    with pytest.raises(ValueError):
        widgets.contributions(tiny_members, "internal", "likes")
    with pytest.raises(ValueError):
        widgets.contributions(tiny_members, "partners", "posts")


def test_departure_table_known_values(tiny_members):
    """When the top 25% leave, are the members who leave and the content lost as worked by hand?"""
    table = widgets.departure_table(tiny_members, "posts", 0.25)
    internal = table.loc["internal"]
    # ⌈0.25 × 4⌉ = 1 member (6 of 8 posts) leaves; ⌈0.25 × 5⌉ = 2 external members leave.
    assert internal["left"] == 1
    assert internal["content_lost"] == pytest.approx(0.75)
    assert internal["gini"] == pytest.approx(engagement.gini([6, 2, 0, 0]))
    assert internal["gini_after"] == pytest.approx(engagement.gini([0, 0, 2]))
    external = table.loc["external"]
    assert external["left"] == 2
    assert external["content_lost"] == pytest.approx(1.0)
    assert pd.isna(external["top1_share_after"])
    nobody = widgets.departure_table(tiny_members, "posts", 0.0)
    assert (nobody["left"] == 0).all() and (nobody["content_lost"] == 0).all()
    assert nobody["gini_after"].tolist() == pytest.approx(nobody["gini"].tolist())


@pytest.mark.parametrize("fraction", [-0.1, 1.0, 5])
def test_departure_table_rejects_bad_fraction(tiny_members, fraction):
    """Does a share of leavers outside [0, 1) raise (5 meaning 5% is a mistake)?"""
    with pytest.raises(ValueError):
        widgets.departure_table(tiny_members, "posts", fraction)


def test_departure_html_handles_empty_communities(tiny_members):
    """Does the text show n/a rather than crash when nobody who stays contributes?"""
    text = widgets.departure_html(widgets.departure_table(tiny_members, "posts", 0.25), 0.25)
    assert "n/a" in text and "external" in text


def test_lorenz_figure_is_labelled(tiny_members):
    """Does the Lorenz chart carry a title, axis labels and one curve per community?"""
    figure = widgets.lorenz_figure(tiny_members, "posts", 0.25)
    axes = figure.axes[0]
    assert axes.get_title() and axes.get_xlabel() and axes.get_ylabel()
    labels = [line.get_label() for line in axes.get_lines()]
    assert any(label.startswith("internal") for label in labels)
    assert any(label.startswith("external") for label in labels)
    plt.close(figure)


def test_lorenz_explorer_slider_changes_the_story(members):
    """Does moving the slider show content lost and a lower top-1% share among those who stay?"""
    box = widgets.lorenz_explorer(members)
    controls = box.controls
    assert all(control.description for control in controls.values())
    assert (box.table["left"] == 0).all()
    controls["leave"].value = 1.0
    table = box.table
    assert (table["left"] > 0).all()
    assert (table["content_lost"] > 0.2).all()
    assert (table["top1_share_after"] < table["top1_share"]).all()
    assert "content goes with them" in box.children[-1].value
    controls["measure"].value = "posts + comments + reactions"
    assert (box.table["contributions"] > 0).all()
    assert box.children[1].value[:4] == b"\x89PNG"
    plt.close("all")


# --------------------------------------------------------------------------- static charts


def test_static_charts_are_titled_and_labelled(members, posts):
    """Does every static chart of the lesson carry a title and both axis labels?"""
    internal = members[members["community"] == "internal"]
    figures = [
        widgets.benchmark_figure({"our internal community": 0.36}),
        widgets.bands_figure({"internal": engagement.band_summary(internal["n_posts"])}),
        widgets.rates_figure(widgets.community_rates(posts, members, "external"), "external"),
        widgets.levels_figure(posts),
    ]
    for figure in figures:
        axes = figure.axes[0]
        assert axes.get_title() and axes.get_xlabel() and axes.get_ylabel()
        plt.close(figure)


def test_benchmark_figure_shows_published_and_own_figures():
    """Does the benchmark chart hold the three published shares and ours, in percent?"""
    figure = widgets.benchmark_figure({"ours": 0.5})
    widths = sorted(round(bar.get_width(), 1) for bar in figure.axes[0].patches)
    assert widths == [32.0, 49.0, 50.0, 74.7]
    plt.close(figure)


def test_departure_html_counts_people_in_whole_numbers(members):
    """Does the explorer's text say '80 most active', never '80.0'?"""
    text = widgets.departure_html(widgets.departure_table(members, "posts", 0.01), 0.01)
    assert ".0 most active" not in text
    n_internal = int((members["community"] == "internal").sum())
    assert f"<td>{n_internal}</td>" in text
