"""Communities of practice in numbers: who answers whom, across which sites, how fast, in which bands.

The functions are pure: they read tables shaped like the course's ``cop_events`` and ``cop_members``
datasets and return new objects, so that a lesson, a widget and a test call exactly the same code.

- Networks: :func:`answer_network` (networkx), :func:`brokers`, :func:`site_links`,
  :func:`member_removal` (what a community loses when a member leaves).
- Exchange: :func:`cross_site_share`, :func:`first_answer_hours`.
- Participation: :func:`band_shares`, with the reference bands of Wenger, McDermott & Snyder
  (2002, ch. 3) in :data:`REFERENCE_BANDS`.
- Stewardship: the lifecycle stages in :data:`STAGES` and :data:`STAGES_1998`, the course's
  stage-by-stage plan in :data:`LIFECYCLE`, :func:`lifecycle_plan`, and the launch checklist
  :data:`LAUNCH_CHECKLIST` with :func:`launch_review`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

__all__ = [
    "BANDS",
    "LAUNCH_CHECKLIST",
    "LIFECYCLE",
    "REFERENCE_BANDS",
    "STAGES",
    "STAGES_1998",
    "answer_network",
    "band_shares",
    "brokers",
    "cross_site_share",
    "first_answer_hours",
    "launch_review",
    "lifecycle_plan",
    "member_removal",
    "site_links",
]

#: Participation bands, from the most to the least involved.
BANDS: tuple[str, ...] = ("core", "active", "peripheral")
#: Shares of members per band in a healthy community (Wenger, McDermott & Snyder 2002, ch. 3):
#: a core of about 10–15%, an active group of 15–20%, the rest peripheral (65–75%).
REFERENCE_BANDS: dict[str, tuple[float, float]] = {
    "core": (0.10, 0.15),
    "active": (0.15, 0.20),
    "peripheral": (0.65, 0.75),
}
#: Lifecycle stages of Wenger, McDermott & Snyder (2002), in order.
STAGES: tuple[str, ...] = ("potential", "coalescing", "maturing", "stewardship", "transformation")
#: The names of Wenger's 1998 article, matched to the 2002 stages by the course (a reading, not
#: the authors' own table): "active" spans maturing and stewardship; "dispersed" and "memorable"
#: are two ends of transformation.
STAGES_1998: dict[str, str] = {
    "potential": "potential",
    "coalescing": "coalescing",
    "maturing": "active",
    "stewardship": "active",
    "transformation": "dispersed, then memorable",
}

#: The course's own stage-by-stage plan for a coordinator: what to do and what to watch. The
#: stage names are Wenger, McDermott & Snyder's (2002); the actions and indicators are the
#: course's, written for an internal community on an RSE.
LIFECYCLE: dict[str, dict[str, Any]] = {
    "potential": {
        "focus": "find the people who already talk about the theme and the problem they share",
        "actions": [
            "Interview ten practitioners: which problem costs them time, whom do they already ask?",
            "Map the embryonic network: who answers whom today, on which sites, by which channel.",
            "Write the domain in one sentence the members would sign, not the sponsor's slogan.",
            "Recruit a core of three to five volunteers before opening anything on the RSE.",
        ],
        "indicators": [
            "people who say they would take part",
            "questions already asked informally (mail, phone, corridor)",
            "sites represented among the volunteers",
        ],
    },
    "coalescing": {
        "focus": "create value early, so that members come back",
        "actions": [
            "Hold a launch event, on site and online, around one concrete problem.",
            "Answer every question quickly: ask the core to watch new threads for the first weeks.",
            "Publish a first useful document (a checklist, a fix) within a month.",
            "Introduce newcomers to one person on another site who faces the same issue.",
        ],
        "indicators": [
            "share of questions answered and median hours to the first answer",
            "members who come back a second month",
            "answers that cross sites",
        ],
    },
    "maturing": {
        "focus": "organise the knowledge and widen the core without losing the spirit",
        "actions": [
            "Turn recurring answers into a shared reference (FAQ, guides) owned by members.",
            "Give roles: topic leaders, welcomers, a deputy coordinator.",
            "Decide the community's boundaries with its sponsor: what is in, what is out.",
            "Watch that a few brokers do not carry every cross-site exchange alone.",
        ],
        "indicators": [
            "band shares against 10–15% core and 15–20% active",
            "dependence on the top brokers (what a departure would cut)",
            "documents reused or cited in answers",
        ],
    },
    "stewardship": {
        "focus": "keep the practice fresh and the community relevant to the business",
        "actions": [
            "Renew the core: invite active members to lead a topic or a meetup.",
            "Bring in new questions from the business: a sponsor review twice a year.",
            "Prune the reference: archive what is out of date.",
            "Plan the succession of the coordinator and of the main brokers.",
        ],
        "indicators": [
            "new members and new answerers per quarter",
            "median hours to the first answer (creeping up is an early warning)",
            "questions per member, against the community's own past",
        ],
    },
    "transformation": {
        "focus": "decide openly: merge, split, refocus or close well",
        "actions": [
            "Review with members and sponsor: is the domain still a shared problem?",
            "If it is, refocus or merge with a neighbouring community; if not, close it.",
            "Closing well: thank the members, archive and label the knowledge, point members to "
            "where the questions now go.",
            "Tell the story of what the community achieved (it helps the next launch).",
        ],
        "indicators": [
            "questions per member, against the previous year",
            "share of unanswered questions",
            "members active in a neighbouring community",
        ],
    },
}

#: A launch checklist a coordinator can defend to a sponsor. The first two items are the sources'
#: conditions for launching (an important theme and an embryonic network, as relayed by the French
#: sources on communities of practice); the others are the course's own.
LAUNCH_CHECKLIST: dict[str, str] = {
    "important_theme": "The theme matters to the business and to the members (sources' condition).",
    "embryonic_network": "People already exchange on the theme, even informally (sources' "
    "condition).",
    "domain_statement": "The domain fits in one sentence that members recognise (course).",
    "core_volunteers": "Three to five volunteers will form the core (course).",
    "coordinator_time": "The coordinator has time set aside for the role (course).",
    "sponsor": "A sponsor will protect time and remove obstacles, without running it (course).",
    "not_a_team": "It is not a team, a project or a mailing list in disguise: no deliverable "
    "owed, membership by interest (course).",
}
_REQUIRED_TO_LAUNCH = ("important_theme", "embryonic_network")


# --------------------------------------------------------------------------- input checks


def _require(table: Any, columns: Iterable[str], name: str) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(table).__name__}")
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise KeyError(f"{name} lacks column(s) {', '.join(missing)}")
    if table.empty:
        raise ValueError(f"{name} is empty: nothing to measure")
    return table


def _answers(events: pd.DataFrame) -> pd.DataFrame:
    return events[events["event_type"] == "answer"]


def _question_of_answers(events: pd.DataFrame) -> pd.DataFrame:
    """Each answer joined to the question it replies to; refuses answers whose question is absent."""
    answers = _answers(events)
    questions = events[events["event_type"] == "question"].set_index("event_id")
    missing = answers.loc[~answers["reply_to"].isin(questions.index), "reply_to"]
    if len(missing):
        example = ", ".join(map(str, missing.drop_duplicates().head(3)))
        raise ValueError(
            f"{len(missing)} answer(s) reply to a question that is not in the table ({example}); "
            "keep the questions together with their answers"
        )
    return answers.join(questions, on="reply_to", rsuffix="_question")


def _check_by(events: pd.DataFrame, by: str) -> None:
    if not isinstance(by, str) or by not in events.columns:
        raise KeyError(f"cannot group by {by!r}: not a column of the events table")


# --------------------------------------------------------------------------- networks


def answer_network(events: pd.DataFrame, cop_id: str | None = None) -> nx.DiGraph:
    """The question-and-answer network of a community: who answers whom.

    Args:
        events: a table shaped like ``cop_events`` (columns ``event_id``, ``event_type``,
            ``author_id``, ``author_site``, ``reply_to``, and ``cop_id`` when ``cop_id`` is given).
        cop_id: keep this community only; ``None`` uses every row given.

    Returns:
        A ``networkx.DiGraph`` with one node per author of any event kept (a member who only
        shares documents is a node without edges), node attribute ``site`` (the author's most
        frequent ``author_site``), and an edge from each answerer to the author of the question
        answered, with ``weight`` = the number of such answers. Someone answering their own
        question gives a self-loop. ``graph.graph["cop_id"]`` records the community.

    Raises:
        TypeError: ``events`` is not a DataFrame. KeyError: a missing column, or a ``cop_id``
        absent from ``events``. ValueError: empty input, or answers whose question is missing.
    """
    columns = ["event_id", "event_type", "author_id", "author_site", "reply_to"]
    events = _require(events, columns + (["cop_id"] if cop_id is not None else []), "events")
    if cop_id is not None:
        known = sorted(events["cop_id"].dropna().unique())
        if cop_id not in set(known):
            raise KeyError(f"unknown community {cop_id!r}; known: {', '.join(map(str, known))}")
        events = events[events["cop_id"] == cop_id]
    if events["author_id"].isna().any():
        raise ValueError("events has rows without an author_id")
    joined = _question_of_answers(events)
    graph = nx.DiGraph(cop_id=cop_id)
    # each author's most frequent site (ties: the first alphabetically); None when never given
    counts = events.groupby(["author_id", "author_site"]).size().rename("n").reset_index()
    counts = counts.sort_values(["author_id", "n", "author_site"], ascending=[True, False, True])
    sites = dict.fromkeys(events["author_id"].unique())
    sites.update(counts.drop_duplicates("author_id").set_index("author_id")["author_site"])
    for author, site in sorted(sites.items()):
        graph.add_node(author, site=site)
    counts = joined.groupby(["author_id", "author_id_question"]).size()
    graph.add_weighted_edges_from(
        (str(answerer), str(asker), int(n)) for (answerer, asker), n in counts.items()
    )
    return graph


def _undirected(graph: nx.Graph) -> nx.Graph:
    """Both directions merged (weights summed), self-loops dropped, distance = 1 / weight."""
    merged = nx.Graph()
    merged.add_nodes_from(graph.nodes(data=True))
    for u, v, data in graph.edges(data=True):
        if u == v:
            continue
        weight = data.get("weight", 1)
        if merged.has_edge(u, v):
            merged[u][v]["weight"] += weight
        else:
            merged.add_edge(u, v, weight=weight)
    for _, _, data in merged.edges(data=True):
        data["distance"] = 1.0 / data["weight"]
    return merged


def _check_graph(graph: Any) -> nx.Graph:
    if not isinstance(graph, nx.Graph):
        raise TypeError(f"expected a networkx graph, got {type(graph).__name__}")
    if graph.number_of_nodes() == 0:
        raise ValueError("the graph has no members: nothing to measure")
    for u, v, data in graph.edges(data=True):
        weight = data.get("weight", 1)
        if not isinstance(weight, int | float | np.number) or not weight > 0:
            raise ValueError(f"edge {u!r}–{v!r} has weight {weight!r}: weights must be positive")
    return graph


def brokers(graph: nx.Graph, top: int = 5) -> list[tuple[str, float]]:
    """The members who connect the others most: highest betweenness centrality first.

    Betweenness is networkx's (normalised) on the undirected graph whose edge weight is the sum of
    both directions' answers, with distance = 1 / weight (many answers = a short path);
    self-answers are left out. A broker sits on many of the shortest paths between other members.

    Args:
        graph: an :func:`answer_network` graph (any networkx graph whose edges carry a positive
            ``weight``, 1 when absent).
        top: how many members to return (all of them when the graph has fewer).

    Returns:
        ``[(member_id, betweenness), ...]``, highest first, ties broken by member id.

    Raises:
        TypeError: not a networkx graph, or ``top`` not an integer. ValueError: an empty graph,
        ``top`` below 1 or a non-positive weight.
    """
    _check_graph(graph)
    if isinstance(top, bool) or not isinstance(top, int | np.integer):
        raise TypeError(f"top must be a whole number, got {type(top).__name__}")
    if top < 1:
        raise ValueError(f"top must be 1 or more, got {top}")
    scores = nx.betweenness_centrality(_undirected(graph), weight="distance", normalized=True)
    # Rounding the key only: floating-point noise must not decide a tie.
    ranked = sorted(scores.items(), key=lambda item: (-round(item[1], 12), str(item[0])))
    return [(str(member), float(score)) for member, score in ranked[: int(top)]]


def site_links(graph: nx.Graph) -> pd.DataFrame:
    """The pairs of sites that answers connect directly, with the number of answers between them.

    Args:
        graph: an :func:`answer_network` graph (nodes carry ``site``).

    Returns:
        One row per unordered pair of different sites with at least one answer between their
        members: ``site_a``, ``site_b`` (alphabetical) and ``answers``, most answers first.

    Raises:
        TypeError, ValueError: as :func:`brokers`.
    """
    _check_graph(graph)
    totals: dict[tuple[str, str], int] = {}
    for u, v, data in graph.edges(data=True):
        a, b = graph.nodes[u].get("site"), graph.nodes[v].get("site")
        if a is None or b is None or a == b:
            continue
        pair = tuple(sorted((str(a), str(b))))
        totals[pair] = totals.get(pair, 0) + int(data.get("weight", 1))
    table = pd.DataFrame(
        [(a, b, n) for (a, b), n in totals.items()], columns=["site_a", "site_b", "answers"]
    )
    table["answers"] = table["answers"].astype("int64")
    return table.sort_values(
        ["answers", "site_a", "site_b"], ascending=[False, True, True]
    ).reset_index(drop=True)


def member_removal(graph: nx.Graph, member: str) -> dict[str, Any]:
    """What-if: what the community's exchange loses when one member leaves.

    Args:
        graph: an :func:`answer_network` graph.
        member: the id of the member who leaves.

    Returns:
        A dict with ``answers_lost`` (answers given or received by the member, self-answers
        excluded), ``cross_site_answers_lost`` (those between two different sites),
        ``site_pairs_before`` and ``site_pairs_after`` (number of pairs of sites linked directly
        by at least one answer), ``site_pairs_lost`` (the pairs no longer linked, as sorted
        tuples) and ``connected_pairs_lost`` (pairs of other members joined by some chain of
        answers before and by none after: the broker's bridging role).

    Raises:
        KeyError: ``member`` is not in the graph. TypeError, ValueError: as :func:`brokers`.
    """
    _check_graph(graph)
    if member not in graph:
        raise KeyError(f"{member!r} is not a member of this network")
    answers = cross = 0
    incident = (
        list(graph.in_edges(member, data=True)) + list(graph.out_edges(member, data=True))
        if graph.is_directed()
        else list(graph.edges(member, data=True))
    )
    for u, v, data in incident:
        if u == v:
            continue
        weight = int(data.get("weight", 1))
        answers += weight
        if graph.nodes[u].get("site") != graph.nodes[v].get("site"):
            cross += weight
    before = site_links(graph)
    remaining = graph.copy()
    remaining.remove_node(member)
    after = (
        site_links(remaining)
        if remaining.number_of_nodes()
        else pd.DataFrame(columns=["site_a", "site_b", "answers"])
    )
    pairs_before = set(zip(before["site_a"], before["site_b"], strict=True))
    pairs_after = set(zip(after["site_a"], after["site_b"], strict=True))
    return {
        "member": member,
        "answers_lost": answers,
        "cross_site_answers_lost": cross,
        "site_pairs_before": len(pairs_before),
        "site_pairs_after": len(pairs_after),
        "site_pairs_lost": sorted(pairs_before - pairs_after),
        "connected_pairs_lost": _connected_pairs(_undirected(graph), exclude=member)
        - (_connected_pairs(_undirected(remaining)) if remaining.number_of_nodes() else 0),
    }


def _connected_pairs(graph: nx.Graph, exclude: str | None = None) -> int:
    """Pairs of members (``exclude`` left out) joined by a path in ``graph``."""
    total = 0
    for component in nx.connected_components(graph):
        size = len(component) - (1 if exclude is not None and exclude in component else 0)
        total += size * (size - 1) // 2
    return total


# --------------------------------------------------------------------------- exchange


def cross_site_share(events: pd.DataFrame, by: str = "cop_id") -> pd.Series:
    """Per community, the share of answers that cross sites (``author_site != linked_site``).

    Args:
        events: a table shaped like ``cop_events`` (``event_type``, ``author_site``,
            ``linked_site`` and the ``by`` column).
        by: the column to group by (``"cop_id"`` by default).

    Returns:
        A float Series indexed by every value of ``by`` present in ``events`` (sorted), named
        ``cross_site_share``: answers only; ``NaN`` for a group without answers.

    Raises:
        TypeError: not a DataFrame. KeyError: a missing column or ``by`` not a column.
        ValueError: empty input, or an answer without ``author_site`` or ``linked_site``.
    """
    events = _require(events, ["event_type", "author_site", "linked_site"], "events")
    _check_by(events, by)
    answers = _answers(events)
    if answers[["author_site", "linked_site"]].isna().any().any():
        raise ValueError("some answers lack author_site or linked_site: cannot tell if they cross")
    crossing = (answers["author_site"] != answers["linked_site"]).groupby(answers[by]).mean()
    groups = sorted(events[by].dropna().unique())
    result = crossing.reindex(groups).astype(float)
    result.index.name = by
    return result.rename("cross_site_share")


def first_answer_hours(events: pd.DataFrame, by: str = "cop_id") -> pd.DataFrame:
    """Per community: questions asked, share answered, median hours to the first answer.

    Only the *first* answer to each question counts, and the median is taken over answered
    questions only: an unanswered question has no delay, so read ``median_hours`` together with
    ``answered_share`` (a fast median over half the questions is not a responsive community).

    Args:
        events: a table shaped like ``cop_events`` (``event_id``, ``event_type``,
            ``occurred_at``, ``reply_to`` and the ``by`` column, taken from the question).
        by: the column to group by (``"cop_id"`` by default).

    Returns:
        A DataFrame indexed by every value of ``by`` present in ``events`` (sorted), with
        ``questions`` (int), ``answered_share`` (NaN without questions) and ``median_hours``
        (NaN without an answered question).

    Raises:
        TypeError: not a DataFrame. KeyError: a missing column or ``by`` not a column.
        ValueError: empty input, answers whose question is missing, or an answer dated before
        its question.
    """
    events = _require(events, ["event_id", "event_type", "occurred_at", "reply_to"], "events")
    _check_by(events, by)
    joined = _question_of_answers(events)
    delay = (joined["occurred_at"] - joined["occurred_at_question"]).dt.total_seconds() / 3600
    if (delay < 0).any():
        raise ValueError("an answer is dated before the question it replies to")
    first = delay.groupby(joined["reply_to"]).min()
    questions = events[events["event_type"] == "question"].set_index("event_id")
    hours = first.reindex(questions.index)
    table = pd.DataFrame({"group": questions[by], "hours": hours})
    summary = table.groupby("group").agg(
        questions=("hours", "size"),
        answered_share=("hours", lambda h: h.notna().mean()),
        median_hours=("hours", "median"),
    )
    groups = sorted(events[by].dropna().unique())
    summary = summary.reindex(groups)
    summary["questions"] = summary["questions"].fillna(0).astype("int64")
    summary["answered_share"] = summary["answered_share"].astype(float)
    summary["median_hours"] = summary["median_hours"].astype(float)
    summary.index.name = by
    return summary


# --------------------------------------------------------------------------- participation


def band_shares(members: pd.DataFrame, by: str = "cop_id") -> pd.DataFrame:
    """Per community, the shares of core, active and peripheral members.

    Args:
        members: a table shaped like ``cop_members`` (``band`` and the ``by`` column).
        by: the column to group by (``"cop_id"`` by default).

    Returns:
        A DataFrame indexed by ``by`` (sorted) with columns ``core``, ``active``, ``peripheral``;
        each row sums to 1. Compare with :data:`REFERENCE_BANDS`.

    Raises:
        TypeError: not a DataFrame. KeyError: a missing column. ValueError: empty input, a
        missing band or a band other than core, active, peripheral.
    """
    members = _require(members, ["band"], "members")
    if not isinstance(by, str) or by not in members.columns:
        raise KeyError(f"cannot group by {by!r}: not a column of the members table")
    if members["band"].isna().any():
        raise ValueError("some members have no band")
    unknown = sorted(set(members["band"]) - set(BANDS))
    if unknown:
        raise ValueError(f"unknown band(s) {', '.join(map(str, unknown))}; use {', '.join(BANDS)}")
    table = pd.crosstab(members[by], members["band"], normalize="index")
    table = table.reindex(columns=list(BANDS), fill_value=0.0).astype(float)
    table.columns.name = None
    return table.sort_index()


# --------------------------------------------------------------------------- stewardship


def lifecycle_plan(stage: str, members: int, sponsor: bool) -> dict[str, Any]:
    """The coordinator's next actions and the indicators to watch, for one community.

    The stage names are Wenger, McDermott & Snyder's (2002); the plan is the course's own
    (:data:`LIFECYCLE`), adjusted for size and sponsorship.

    Args:
        stage: one of :data:`STAGES`.
        members: the number of members (0 or more).
        sponsor: whether the community has an executive sponsor.

    Returns:
        A dict with ``stage``, ``stage_1998`` (the 1998 article's name), ``focus``, ``actions``
        (list of sentences, most urgent first), ``indicators`` (list) and ``warnings`` (list of
        risks raised by the size or the missing sponsor).

    Raises:
        ValueError: an unknown stage or a negative size. TypeError: ``members`` not a number or
        ``sponsor`` not a boolean.
    """
    if stage not in LIFECYCLE:
        raise ValueError(f"unknown stage {stage!r}; use one of {', '.join(STAGES)}")
    if isinstance(members, bool) or not isinstance(members, int | np.integer):
        raise TypeError(f"members must be a whole number, got {type(members).__name__}")
    if members < 0:
        raise ValueError(f"members cannot be negative, got {members}")
    if not isinstance(sponsor, bool | np.bool_):
        raise TypeError(f"sponsor must be True or False, got {type(sponsor).__name__}")
    plan = LIFECYCLE[stage]
    actions = list(plan["actions"])
    warnings = []
    if not sponsor:
        if stage in ("potential", "coalescing"):
            actions.insert(
                0,
                "Find a sponsor before the launch grows: someone who protects members' time "
                "and can carry the community's results to management.",
            )
        else:
            actions.insert(0, "Find a sponsor, or say openly that the community runs without one.")
        warnings.append("No sponsor: members' time is not protected and value has no audience.")
    if members < 15 and stage not in ("potential", "transformation"):
        warnings.append(
            f"{members} members is thin for a {stage} community: with a core of 10–15% that is "
            "one or two people; widen the circle before adding structure."
        )
    if members > 150:
        warnings.append(
            f"{members} members: a single coordinator cannot know everyone; split into "
            "sub-topics with their own leaders and watch the brokers."
        )
    if stage == "potential" and members > 60:
        warnings.append("A large potential community: check that it is a community, not a list.")
    core_low, core_high = REFERENCE_BANDS["core"]
    core = f"core of {round(members * core_low)}–{round(members * core_high)} members (10–15%)"
    return {
        "stage": stage,
        "stage_1998": STAGES_1998[stage],
        "focus": plan["focus"],
        "actions": actions,
        "indicators": [*plan["indicators"], core],
        "warnings": warnings,
    }


def launch_review(answers: Mapping[str, bool]) -> dict[str, Any]:
    """Review a launch proposal against :data:`LAUNCH_CHECKLIST`.

    The sources' two conditions (an important theme, an embryonic network) are required; the
    course's other items are advice whose absence is listed, not a veto.

    Args:
        answers: ``{item: True/False}`` for every key of :data:`LAUNCH_CHECKLIST`.

    Returns:
        A dict with ``verdict`` (``"launch"``, ``"launch, with gaps to close"`` or
        ``"not yet"``), ``missing_required`` and ``missing_advised`` (lists of item keys).

    Raises:
        KeyError: an item missing from or unknown to the checklist. TypeError: a value that is
        not a boolean.
    """
    unknown = sorted(set(answers) - set(LAUNCH_CHECKLIST))
    missing = [key for key in LAUNCH_CHECKLIST if key not in answers]
    if unknown or missing:
        parts = ([f"unknown item(s) {', '.join(unknown)}"] if unknown else []) + (
            [f"missing item(s) {', '.join(missing)}"] if missing else []
        )
        raise KeyError("; ".join(parts))
    for key, value in answers.items():
        if not isinstance(value, bool | np.bool_):
            raise TypeError(f"{key} must be True or False, got {type(value).__name__}")
    required = [key for key in _REQUIRED_TO_LAUNCH if not answers[key]]
    advised = [
        key for key in LAUNCH_CHECKLIST if key not in _REQUIRED_TO_LAUNCH and not answers[key]
    ]
    verdict = "not yet" if required else ("launch, with gaps to close" if advised else "launch")
    return {"verdict": verdict, "missing_required": required, "missing_advised": advised}
