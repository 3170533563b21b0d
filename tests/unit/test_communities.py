"""Tests of course.communities: answer networks, brokers, cross-site exchange, bands, lifecycle."""

from __future__ import annotations

import math

import networkx as nx
import pandas as pd
import pytest

import course.data
from course import communities


def _event(event_id, cop, when, kind, author, site, reply_to=None, linked=None):
    return {
        "event_id": event_id,
        "cop_id": cop,
        "occurred_at": pd.Timestamp(when),
        "event_type": kind,
        "author_id": author,
        "author_site": site,
        "reply_to": reply_to,
        "linked_site": linked,
        "attendees": None,
    }


@pytest.fixture
def toy() -> pd.DataFrame:
    """Two communities whose figures are easy to work by hand.

    C1: Ana (Lyon) asks Q1 and Q2; Bea (Lyon) asks Q3; Carl (Nantes) answers Q1 twice and Q3;
    Ana answers Q3 and her own Q2; Dan (Lille) shares a document and asks Q4 (never answered).
    C2: one question (Q5, Eve, Rennes), no answer. C3: a meetup only.
    """
    rows = [
        _event("Q1", "C1", "2025-01-06 09:00", "question", "ana", "Lyon"),
        _event("Q2", "C1", "2025-01-06 10:00", "question", "ana", "Lyon"),
        _event("Q3", "C1", "2025-01-07 09:00", "question", "bea", "Lyon"),
        _event("A1", "C1", "2025-01-06 11:00", "answer", "carl", "Nantes", "Q1", "Lyon"),
        _event("A2", "C1", "2025-01-06 15:00", "answer", "carl", "Nantes", "Q1", "Lyon"),
        _event("A3", "C1", "2025-01-07 13:00", "answer", "carl", "Nantes", "Q3", "Lyon"),
        _event("A4", "C1", "2025-01-07 10:00", "answer", "ana", "Lyon", "Q3", "Lyon"),
        _event("A5", "C1", "2025-01-06 16:00", "answer", "ana", "Lyon", "Q2", "Lyon"),
        _event("D1", "C1", "2025-01-08 09:00", "document", "dan", "Lille"),
        _event("Q4", "C1", "2025-01-08 10:00", "question", "dan", "Lille"),
        _event("Q5", "C2", "2025-01-06 09:00", "question", "eve", "Rennes"),
        _event("M1", "C3", "2025-01-06 09:00", "meetup", "fay", "Paris"),
    ]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return course.data.load("cop_events")


# --------------------------------------------------------------------------- answer_network


def test_answer_network_by_hand(toy):
    """Does the network have one node per author, answerer→asker edges weighted by answers, sites?"""
    graph = communities.answer_network(toy, "C1")
    assert isinstance(graph, nx.DiGraph)
    assert sorted(graph.nodes) == ["ana", "bea", "carl", "dan"]
    assert graph.nodes["carl"]["site"] == "Nantes" and graph.nodes["dan"]["site"] == "Lille"
    assert graph["carl"]["ana"]["weight"] == 2
    assert graph["carl"]["bea"]["weight"] == 1
    assert graph["ana"]["bea"]["weight"] == 1
    assert graph["ana"]["ana"]["weight"] == 1  # her answer to her own question
    assert not graph.has_edge("ana", "carl")  # direction: from the answerer
    assert graph.degree("dan") == 0
    assert graph.graph["cop_id"] == "C1"


def test_answer_network_without_cop_id_uses_every_row(toy):
    """Without cop_id, are all communities' authors in one graph?"""
    graph = communities.answer_network(toy.drop(columns="cop_id"))
    assert set(graph.nodes) == {"ana", "bea", "carl", "dan", "eve", "fay"}


def test_answer_network_bad_input(toy):
    """Are an unknown community, a missing column, empty input and orphan answers refused clearly?"""
    with pytest.raises(KeyError, match="unknown community 'C9'"):
        communities.answer_network(toy, "C9")
    with pytest.raises(KeyError, match="reply_to"):
        communities.answer_network(toy.drop(columns="reply_to"))
    with pytest.raises(KeyError, match="cop_id"):
        communities.answer_network(toy.drop(columns="cop_id"), "C1")
    with pytest.raises(ValueError, match="empty"):
        communities.answer_network(toy.iloc[0:0])
    with pytest.raises(ValueError, match=r"2 answer.*Q3"):
        communities.answer_network(toy[toy["event_id"] != "Q3"], "C1")
    with pytest.raises(TypeError):
        communities.answer_network(toy.to_dict("records"))


def test_answer_network_counts_every_answer_of_the_dataset(events):
    """Do the edge weights of a real community add up to its answers?"""
    graph = communities.answer_network(events, "COP01")
    answers = events[(events["cop_id"] == "COP01") & (events["event_type"] == "answer")]
    assert graph.size(weight="weight") == len(answers)
    assert graph.number_of_nodes() == events.loc[events["cop_id"] == "COP01", "author_id"].nunique()


# --------------------------------------------------------------------------- brokers


def test_brokers_on_a_path():
    """On a path a–b–c, is b the only broker, with betweenness 1?"""
    graph = nx.DiGraph()
    graph.add_edge("a", "b", weight=1)
    graph.add_edge("c", "b", weight=3)
    ranked = communities.brokers(graph, top=3)
    assert ranked[0] == ("b", pytest.approx(1.0))
    assert ranked[1:] == [("a", 0.0), ("c", 0.0)]  # tie broken by member id


def test_brokers_sum_both_directions_and_use_inverse_weights():
    """Does a pair answering each other a lot make a shorter path than a single answer?

    x–y–z with many answers both ways (3 + 2 per edge) against x–w–z with one answer each: the
    shortest path from x to z goes through y (distance 1/5 + 1/5 < 1 + 1), so y is the broker.
    """
    graph = nx.DiGraph()
    for u, v, n in [("x", "y", 3), ("y", "x", 2), ("y", "z", 3), ("z", "y", 2)]:
        graph.add_edge(u, v, weight=n)
    graph.add_edge("x", "w", weight=1)
    graph.add_edge("w", "z", weight=1)
    ranked = dict(communities.brokers(graph, top=4))
    assert ranked["y"] > 0 and ranked["w"] == 0.0
    # with equal weights, y and w would share the role
    flat = nx.DiGraph([("x", "y"), ("y", "z"), ("x", "w"), ("w", "z")])
    flat_ranked = dict(communities.brokers(flat, top=4))
    assert flat_ranked["y"] == pytest.approx(flat_ranked["w"])
    assert flat_ranked["y"] > 0


def test_brokers_ignore_self_answers(toy):
    """Does a self-answer leave betweenness unchanged?"""
    graph = communities.answer_network(toy, "C1")
    without = graph.copy()
    without.remove_edge("ana", "ana")
    assert communities.brokers(graph, top=4) == communities.brokers(without, top=4)


def test_brokers_match_networkx_on_the_dataset(events):
    """Are the brokers networkx's betweenness on the merged undirected graph, best first?"""
    graph = communities.answer_network(events, "COP10")
    merged = nx.Graph()
    merged.add_nodes_from(graph)
    for u, v, d in graph.edges(data=True):
        if u != v:
            w = d["weight"] + (graph[v][u]["weight"] if graph.has_edge(v, u) else 0)
            merged.add_edge(u, v, distance=1 / w)
    expected = nx.betweenness_centrality(merged, weight="distance")
    ranked = communities.brokers(graph, top=100)
    assert len(ranked) == graph.number_of_nodes()
    for member, score in ranked:
        assert score == pytest.approx(expected[member])
    scores = [s for _, s in ranked]
    assert scores == sorted(scores, reverse=True)


def test_brokers_bad_input():
    """Are an empty graph, a bad top, a non-graph and a zero weight refused?"""
    with pytest.raises(ValueError, match="no members"):
        communities.brokers(nx.DiGraph())
    graph = nx.DiGraph([("a", "b")])
    with pytest.raises(ValueError, match="top"):
        communities.brokers(graph, top=0)
    with pytest.raises(TypeError):
        communities.brokers(graph, top=2.5)
    with pytest.raises(TypeError):
        communities.brokers({"a": ["b"]})
    graph["a"]["b"]["weight"] = 0
    with pytest.raises(ValueError, match="positive"):
        communities.brokers(graph)


# --------------------------------------------------------------------------- site links, removal


def test_site_links_and_member_removal_by_hand(toy):
    """Does removing carl cut the only Lyon–Nantes link, with 3 cross-site answers lost?"""
    graph = communities.answer_network(toy, "C1")
    links = communities.site_links(graph)
    assert links.to_dict("records") == [{"site_a": "Lyon", "site_b": "Nantes", "answers": 3}]
    what_if = communities.member_removal(graph, "carl")
    assert what_if["answers_lost"] == 3
    assert what_if["cross_site_answers_lost"] == 3
    assert what_if["site_pairs_before"] == 1 and what_if["site_pairs_after"] == 0
    assert what_if["site_pairs_lost"] == [("Lyon", "Nantes")]
    # ana–bea stay joined; carl's pairs with others are not counted
    assert what_if["connected_pairs_lost"] == 0
    bridge = communities.member_removal(graph, "ana")
    assert bridge["answers_lost"] == 3  # to bea, from carl ×2; her self-answer excluded
    assert bridge["connected_pairs_lost"] == 0  # carl still links bea


def test_member_removal_of_a_bridge():
    """Does removing the middle of a path disconnect the two ends (one pair lost)?"""
    graph = nx.DiGraph()
    graph.add_node("a", site="X")
    graph.add_node("b", site="Y")
    graph.add_node("c", site="Z")
    graph.add_edge("b", "a", weight=2)
    graph.add_edge("c", "b", weight=1)
    result = communities.member_removal(graph, "b")
    assert result["connected_pairs_lost"] == 1
    assert result["site_pairs_lost"] == [("X", "Y"), ("Y", "Z")]
    with pytest.raises(KeyError, match="not a member"):
        communities.member_removal(graph, "zz")


# --------------------------------------------------------------------------- cross_site_share


def test_cross_site_share_by_hand(toy):
    """Is C1's share 3 of 5 answers, NaN for communities without answers?"""
    shares = communities.cross_site_share(toy)
    assert list(shares.index) == ["C1", "C2", "C3"]
    assert shares["C1"] == pytest.approx(3 / 5)
    assert math.isnan(shares["C2"]) and math.isnan(shares["C3"])
    assert shares.name == "cross_site_share" and shares.index.name == "cop_id"


def test_cross_site_share_matches_the_data_card(events):
    """Do about 74% of all answers cross sites, as the data card says?"""
    shares = communities.cross_site_share(events.assign(all="all"), by="all")
    assert shares["all"] == pytest.approx(0.74, abs=0.01)
    assert len(communities.cross_site_share(events)) == 30


def test_cross_site_share_bad_input(toy):
    """Are a missing column, a bad by, empty input and an answer without a site refused?"""
    with pytest.raises(KeyError, match="linked_site"):
        communities.cross_site_share(toy.drop(columns="linked_site"))
    with pytest.raises(KeyError, match="nope"):
        communities.cross_site_share(toy, by="nope")
    with pytest.raises(ValueError, match="empty"):
        communities.cross_site_share(toy.iloc[0:0])
    broken = toy.copy()
    broken.loc[broken["event_id"] == "A1", "linked_site"] = None
    with pytest.raises(ValueError, match="linked_site"):
        communities.cross_site_share(broken)


# --------------------------------------------------------------------------- first_answer_hours


def test_first_answer_hours_by_hand(toy):
    """Are only first answers timed and unanswered questions kept out of the median only?

    Q1: first answer after 2 h (the second, after 6 h, is ignored); Q2: 6 h; Q3: 1 h (ana's,
    before carl's 4 h); Q4: never. Median of 2, 6, 1 = 2 h; 3 of 4 answered.
    """
    table = communities.first_answer_hours(toy)
    assert list(table.columns) == ["questions", "answered_share", "median_hours"]
    assert table.loc["C1", "questions"] == 4
    assert table.loc["C1", "answered_share"] == pytest.approx(0.75)
    assert table.loc["C1", "median_hours"] == pytest.approx(2.0)
    assert table.loc["C2", "questions"] == 1 and table.loc["C2", "answered_share"] == 0
    assert math.isnan(table.loc["C2", "median_hours"])
    assert table.loc["C3", "questions"] == 0 and math.isnan(table.loc["C3", "answered_share"])


def test_first_answer_hours_by_site(toy):
    """Grouped by the question's site, does Lyon hold Q1–Q3 and Lille Q4?"""
    table = communities.first_answer_hours(toy, by="author_site")
    assert table.loc["Lyon", "questions"] == 3 and table.loc["Lyon", "answered_share"] == 1
    assert table.loc["Lille", "questions"] == 1 and table.loc["Lille", "answered_share"] == 0


def test_first_answer_hours_bad_input(toy):
    """Are an answer before its question, a missing column and an orphan answer refused?"""
    early = toy.copy()
    early.loc[early["event_id"] == "A1", "occurred_at"] = pd.Timestamp("2025-01-01")
    with pytest.raises(ValueError, match="before"):
        communities.first_answer_hours(early)
    with pytest.raises(KeyError, match="occurred_at"):
        communities.first_answer_hours(toy.drop(columns="occurred_at"))
    with pytest.raises(ValueError, match="not in the table"):
        communities.first_answer_hours(toy[toy["event_id"] != "Q1"])


def test_first_answer_hours_on_the_dataset(events):
    """On the data, do about 65% of questions get an answer, with a median near 6 h or below?"""
    table = communities.first_answer_hours(events)
    assert table["questions"].sum() == (events["event_type"] == "question").sum()
    overall = (table["answered_share"] * table["questions"]).sum() / table["questions"].sum()
    assert overall == pytest.approx(0.65, abs=0.03)
    assert (table["median_hours"].dropna() < 12).all()


# --------------------------------------------------------------------------- band_shares


def test_band_shares_by_hand():
    """Do rows sum to 1, with a band absent from a community at 0?"""
    members = pd.DataFrame(
        {
            "cop_id": ["B", "B", "B", "B", "A", "A"],
            "band": ["core", "active", "peripheral", "peripheral", "peripheral", "peripheral"],
        }
    )
    table = communities.band_shares(members)
    assert list(table.columns) == ["core", "active", "peripheral"]
    assert list(table.index) == ["A", "B"]
    assert table.loc["B"].tolist() == [0.25, 0.25, 0.5]
    assert table.loc["A"].tolist() == [0.0, 0.0, 1.0]
    assert table.sum(axis=1).tolist() == pytest.approx([1.0, 1.0])


def test_band_shares_bad_input():
    """Are an unknown band, a missing band, a missing column and empty input refused?"""
    members = pd.DataFrame({"cop_id": ["A", "A"], "band": ["core", "lurker"]})
    with pytest.raises(ValueError, match="lurker"):
        communities.band_shares(members)
    with pytest.raises(ValueError, match="no band"):
        communities.band_shares(members.assign(band=["core", None]))
    with pytest.raises(KeyError, match="band"):
        communities.band_shares(members.drop(columns="band"))
    with pytest.raises(KeyError, match="site"):
        communities.band_shares(members, by="site")
    with pytest.raises(ValueError, match="empty"):
        communities.band_shares(members.iloc[0:0])


def test_band_shares_on_the_dataset_fall_in_the_reference_bands():
    """Does every community have 10–15% core and 15–20% active members, as its card says?"""
    table = communities.band_shares(course.data.load("cop_members"))
    assert len(table) == 30
    low, high = communities.REFERENCE_BANDS["core"]
    assert table["core"].between(low - 0.005, high + 0.005).all()
    low, high = communities.REFERENCE_BANDS["active"]
    assert table["active"].between(low - 0.005, high + 0.005).all()


# --------------------------------------------------------------------------- stewardship


def test_lifecycle_plan_covers_every_stage():
    """Does every stage give actions, indicators and its 1998 name?"""
    for stage in communities.STAGES:
        plan = communities.lifecycle_plan(stage, 50, True)
        assert plan["actions"] and plan["indicators"] and plan["focus"]
        assert plan["stage_1998"] == communities.STAGES_1998[stage]
        assert plan["warnings"] == []
    assert "memorable" in communities.lifecycle_plan("transformation", 80, True)["stage_1998"]
    assert any("clos" in a.lower() for a in communities.LIFECYCLE["transformation"]["actions"])


def test_lifecycle_plan_reacts_to_sponsor_and_size():
    """Does a missing sponsor put finding one first, and do thin or huge sizes raise warnings?"""
    plan = communities.lifecycle_plan("coalescing", 10, False)
    assert "sponsor" in plan["actions"][0].lower()
    assert len(plan["warnings"]) == 2
    assert any("10 members" in w for w in plan["warnings"])
    big = communities.lifecycle_plan("stewardship", 200, True)
    assert any("200 members" in w for w in big["warnings"])
    assert "core of 20–30 members (10–15%)" in big["indicators"]


def test_lifecycle_plan_bad_input():
    """Are an unknown stage, a negative or non-integer size and a non-boolean sponsor refused?"""
    with pytest.raises(ValueError, match="active"):
        communities.lifecycle_plan("active", 10, True)
    with pytest.raises(ValueError, match="negative"):
        communities.lifecycle_plan("maturing", -1, True)
    with pytest.raises(TypeError):
        communities.lifecycle_plan("maturing", 10.5, True)
    with pytest.raises(TypeError):
        communities.lifecycle_plan("maturing", 10, "yes")


def test_launch_review():
    """Is a launch without an embryonic network 'not yet', and one with gaps 'with gaps to close'?"""
    yes = dict.fromkeys(communities.LAUNCH_CHECKLIST, True)
    assert communities.launch_review(yes)["verdict"] == "launch"
    review = communities.launch_review({**yes, "embryonic_network": False, "sponsor": False})
    assert review["verdict"] == "not yet"
    assert review["missing_required"] == ["embryonic_network"]
    assert review["missing_advised"] == ["sponsor"]
    assert communities.launch_review({**yes, "sponsor": False})["verdict"] == (
        "launch, with gaps to close"
    )
    with pytest.raises(KeyError, match="missing item"):
        communities.launch_review({"important_theme": True})
    with pytest.raises(KeyError, match="unknown item"):
        communities.launch_review({**yes, "budget": True})
    with pytest.raises(TypeError):
        communities.launch_review({**yes, "sponsor": "yes"})


def test_tiny_networks():
    """Do one- and two-member networks give zero betweenness, and can the last member leave?"""
    graph = nx.DiGraph()
    graph.add_node("a", site="X")
    graph.add_edge("a", "a", weight=1)  # a self-answer only
    assert communities.brokers(graph) == [("a", 0.0)]
    alone = communities.member_removal(graph, "a")
    assert alone["answers_lost"] == 0 and alone["site_pairs_after"] == 0
    graph.add_node("b", site="Y")
    graph.add_edge("b", "a", weight=2)
    assert communities.brokers(graph) == [("a", 0.0), ("b", 0.0)]
    assert communities.member_removal(graph, "a")["site_pairs_lost"] == [("X", "Y")]
