"""Tests of the M5 widgets: the network explorer and the lifecycle planner, without a browser."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import networkx as nx
import pandas as pd
import pytest

import course.data
from course import communities
from course.widgets import m5_communities as widgets


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return course.data.load("cop_events")


@pytest.fixture(scope="module")
def cops() -> pd.DataFrame:
    return course.data.load("cops")


@pytest.fixture(scope="module")
def members() -> pd.DataFrame:
    return course.data.load("cop_members")


def _toy_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for node, site in [("a", "Lyon"), ("b", "Lyon"), ("c", "Lille"), ("d", "Nantes")]:
        graph.add_node(node, site=site)
    graph.add_edge("c", "a", weight=2)
    graph.add_edge("a", "b", weight=1)
    graph.add_edge("d", "c", weight=1)
    return graph


def test_site_layout_clusters_members_by_site():
    """Is every member placed, and are members of one site closer to each other than to others?"""
    graph = _toy_graph()
    positions = widgets.site_layout(graph, seed=1)
    assert set(positions) == set(graph.nodes)
    assert widgets.site_layout(graph, seed=1) == positions  # deterministic

    def distance(u, v):
        return math.dist(positions[u], positions[v])

    assert distance("a", "b") < min(distance("a", "c"), distance("a", "d"))
    with pytest.raises(ValueError, match="no members"):
        widgets.site_layout(nx.DiGraph())


def test_site_colours_grey_beyond_six_sites():
    """Do the six largest sites get distinct palette colours and the others the shared grey?"""
    graph = nx.DiGraph()
    for i in range(8):
        for j in range(8 - i):  # site S0 is the largest
            graph.add_node(f"m{i}_{j}", site=f"S{i}")
    colours = widgets.site_colours(graph)
    assert [colours[f"S{i}"] for i in range(6)] == list(widgets.SITE_COLOURS)
    assert colours["S6"] == colours["S7"] == widgets.OTHER_SITES


def test_explorer_result_agrees_with_the_domain_functions(events):
    """Does the explorer show the domain's brokers, cross-site share and what-if, unchanged?"""
    result = widgets.explorer_result(events, "COP10", removed=None, top=3)
    graph = communities.answer_network(events, "COP10")
    assert result["brokers"] == communities.brokers(graph, top=3)
    assert result["cross_site_share"] == pytest.approx(
        communities.cross_site_share(events).loc["COP10"]
    )
    assert result["removal"] is None
    broker = result["brokers"][0][0]
    what_if = widgets.explorer_result(events, "COP10", removed=broker)["removal"]
    assert what_if == communities.member_removal(graph, broker)
    assert what_if["site_pairs_after"] < what_if["site_pairs_before"]
    with pytest.raises(KeyError):
        widgets.explorer_result(events, "COP99")
    with pytest.raises(KeyError):
        widgets.explorer_result(events, "COP10", removed="E-nobody")


def test_explorer_html_says_what_is_lost(events):
    """Does the text give the brokers and the site pairs lost when a member leaves?"""
    result = widgets.explorer_result(events, "COP10", removed=None)
    result["removal"] = communities.member_removal(result["graph"], result["brokers"][0][0])
    text = widgets.explorer_html(result, "Name <b>")
    assert "Name &lt;b&gt;" in text  # escaped
    assert result["brokers"][0][0] in text
    first_pair = "–".join(result["removal"]["site_pairs_lost"][0])
    assert first_pair in text
    assert f"from {result['removal']['site_pairs_before']} to" in text


def test_network_figure_has_a_title_and_marks_brokers():
    """Does the network chart carry its title, a legend with the broker marker, and close cleanly?"""
    before = len(plt.get_fignums())
    figure = widgets.network_figure(_toy_graph(), "Toy network", highlight=["c"], removed="a")
    axes = figure.axes[0]
    assert axes.get_title() == "Toy network"
    labels = [t.get_text() for t in axes.get_legend().get_texts()]
    assert "broker" in labels and "Lyon" in labels
    png = widgets.plots.to_png(figure)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(plt.get_fignums()) == before


def test_network_explorer_redraws_on_removal(events, cops):
    """Does removing the top broker update the result, the text and the chart; nobody undo it?"""
    box = widgets.network_explorer(events, cops, cop_id="COP10")
    remove = box.controls["remove"]
    assert remove.value == "" and len(remove.options) > 1
    assert box.result["removal"] is None
    first_chart = box.chart.value
    broker = remove.options[1][1]
    remove.value = broker
    assert box.result["removal"]["member"] == broker
    assert "leaves" in box.text.value and box.chart.value != first_chart
    remove.value = ""
    assert box.result["removal"] is None
    box.controls["community"].value = "COP03"
    assert box.result["cop_id"] == "COP03" and remove.value == ""
    assert "COP03 · " in box.text.value or "COP03</strong>" in box.text.value


def test_planner_html_lists_actions_indicators_and_risks():
    """Does the planner's text carry the stage, its 1998 name, every action and the risks?"""
    plan = communities.lifecycle_plan("maturing", 10, False)
    text = widgets.planner_html(plan)
    assert "maturing" in text and "1998 name: active" in text
    for action in plan["actions"]:
        assert action.replace("'", "&#x27;") in text
    assert "Risks" in text
    calm = widgets.planner_html(communities.lifecycle_plan("maturing", 60, True))
    assert "No risk flagged" in calm


def test_community_profile(cops, members):
    """Does a community's profile give its stage, its member count and whether it has a sponsor?"""
    profile = widgets.community_profile(cops, members, "COP10")
    row = cops.set_index("cop_id").loc["COP10"]
    assert profile["stage"] == row["lifecycle_stage"]
    assert profile["members"] == int((members["cop_id"] == "COP10").sum())
    assert profile["sponsor"] is bool(pd.notna(row["sponsor_id"]))
    with pytest.raises(KeyError):
        widgets.community_profile(cops, members, "COP99")


def test_lifecycle_planner_follows_its_controls(cops, members):
    """Do the controls change the plan, and does choosing a community fill them from the data?"""
    box = widgets.lifecycle_planner(cops, members)
    box.controls["stage"].value = "transformation"
    assert box.plan["stage"] == "transformation"
    box.controls["sponsor"].value = False
    assert "sponsor" in box.plan["actions"][0].lower()
    box.controls["community"].value = "COP10"
    profile = widgets.community_profile(cops, members, "COP10")
    assert box.plan["stage"] == profile["stage"]
    assert box.controls["members"].value == profile["members"]
    assert "Risks" in box.text.value or "No risk" in box.text.value
    plain = widgets.lifecycle_planner()
    assert "community" not in plain.controls and plain.plan["stage"] == "coalescing"


def test_band_and_response_figures_are_titled_and_labelled(events, cops, members):
    """Do the lesson's charts carry a title and both axis labels?"""
    shares = communities.band_shares(members)
    band = widgets.band_figure(shares, "Bands per community")
    response = widgets.response_figure(
        communities.first_answer_hours(events),
        cops.set_index("cop_id")["lifecycle_stage"],
        "Answers per community",
    )
    for figure in (band, response):
        axes = figure.axes[0]
        assert axes.get_title() and axes.get_xlabel() and axes.get_ylabel()
        plt.close(figure)
