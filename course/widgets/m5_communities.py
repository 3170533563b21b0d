"""Widgets and charts of M5 · Communities of practice: a network explorer and a lifecycle planner.

Each widget is built by a function returning an ``ipywidgets.VBox``; the computation behind it is a
pure function next to it (:func:`site_layout`, :func:`explorer_result`, :func:`explorer_html`,
:func:`planner_html`) so that the tests can check it without a browser. Charts are rendered to PNG
into an ``ipywidgets.Image`` and every chart is also given as text for screen readers. The lesson's
static charts (:func:`band_figure`, :func:`response_figure`, :func:`network_figure`) live here too.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import ipywidgets as w
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd

from course import communities, plots

#: Colours for the sites of one community: the six most represented get an Okabe–Ito colour
#: (yellow left out: too pale on white), the others share grey. Position also tells the site
#: (members are drawn in one cluster per site, labelled), so colour is never the only cue.
SITE_COLOURS: tuple[str, ...] = plots.PALETTE[:6]
OTHER_SITES = "#999999"
_BROKER_EDGE = "#000000"


# --------------------------------------------------------------------------- network explorer


def site_layout(graph: nx.Graph, seed: int = 5) -> dict[str, tuple[float, float]]:
    """Positions that group members by site: one cluster per site, sites on a circle.

    The sites are placed by ``networkx.circular_layout`` (largest first, clockwise) and the
    members of each site by ``networkx.spring_layout`` around their site's centre, so that the
    answers between sites are the long edges.

    Args:
        graph: an :func:`course.communities.answer_network` graph (nodes carry ``site``).
        seed: seed of the spring layout (the same seed gives the same picture).

    Returns:
        ``{member: (x, y)}`` for every node.

    Raises:
        ValueError: an empty graph.
    """
    if graph.number_of_nodes() == 0:
        raise ValueError("the graph has no members: nothing to draw")
    by_site: dict[str, list[str]] = {}
    for node, site in graph.nodes(data="site"):
        by_site.setdefault(str(site), []).append(node)
    order = sorted(by_site, key=lambda s: (-len(by_site[s]), s))
    centres = nx.circular_layout(nx.path_graph(len(order)), scale=1.0) if len(order) > 1 else {}
    positions: dict[str, tuple[float, float]] = {}
    for index, site in enumerate(order):
        centre = np.asarray(centres.get(index, (0.0, 0.0)))
        nodes = sorted(by_site[site])
        radius = 0.08 + 0.03 * math.sqrt(len(nodes)) if len(order) > 1 else 1.0
        local = nx.spring_layout(graph.subgraph(nodes).to_undirected(), seed=seed, scale=radius)
        for node in nodes:
            x, y = centre + np.asarray(local[node])
            positions[node] = (float(x), float(y))
    return positions


def site_colours(graph: nx.Graph) -> dict[str, str]:
    """Colour of each site of a network: palette for the six largest, grey for the rest."""
    counts = pd.Series([str(site) for _, site in graph.nodes(data="site")]).value_counts()
    order = sorted(counts.index, key=lambda s: (-counts[s], s))
    return {
        site: (SITE_COLOURS[i] if i < len(SITE_COLOURS) else OTHER_SITES)
        for i, site in enumerate(order)
    }


def explorer_result(
    events: pd.DataFrame, cop_id: str, removed: str | None = None, top: int = 5
) -> dict:
    """Everything the network explorer shows for one community, and the what-if of a departure.

    Args:
        events: the ``cop_events`` dataset (or any table shaped like it).
        cop_id: the community.
        removed: a member who leaves (``None``: nobody).
        top: how many brokers to highlight.

    Returns:
        A dict with ``graph`` (:func:`course.communities.answer_network`), ``brokers``,
        ``members``, ``answers``, ``cross_site_share`` (answers crossing sites, NaN without
        answers), ``site_links`` (:func:`course.communities.site_links`) and ``removal``
        (:func:`course.communities.member_removal`, or ``None``).

    Raises:
        KeyError: unknown community or member. ValueError: as the domain functions.
    """
    graph = communities.answer_network(events, cop_id)
    subset = events[events["cop_id"] == cop_id]
    return {
        "cop_id": cop_id,
        "graph": graph,
        "brokers": communities.brokers(graph, top=top),
        "members": graph.number_of_nodes(),
        "answers": int((subset["event_type"] == "answer").sum()),
        "cross_site_share": float(communities.cross_site_share(subset).iloc[0]),
        "site_links": communities.site_links(graph),
        "removal": None if removed is None else communities.member_removal(graph, removed),
    }


def network_figure(
    graph: nx.Graph,
    title: str,
    highlight: Sequence[str] = (),
    removed: str | None = None,
    seed: int = 5,
) -> plt.Figure:
    """The answer network drawn by site: one cluster per site, brokers ringed in black.

    Args:
        graph: an :func:`course.communities.answer_network` graph.
        title: the chart title.
        highlight: members to ring and label (the brokers).
        removed: a member drawn as a cross, with the edges they carried dashed.
        seed: layout seed.

    Returns:
        The matplotlib figure (the caller closes it).
    """
    positions = site_layout(graph, seed)
    colours = site_colours(graph)
    figure, axes = plots.new_figure(title, "", "", size=(7.5, 6.0))
    axes.set_axis_off()
    undirected = nx.Graph()
    undirected.add_nodes_from(graph.nodes(data=True))
    for u, v, data in graph.edges(data=True):
        if u != v:
            weight = data.get("weight", 1)
            if undirected.has_edge(u, v):
                undirected[u][v]["weight"] += weight
            else:
                undirected.add_edge(u, v, weight=weight)
    kept = [(u, v) for u, v in undirected.edges if removed not in (u, v)]
    lost = [(u, v) for u, v in undirected.edges if removed in (u, v)]
    widths = [0.4 + 0.5 * math.log1p(undirected[u][v]["weight"]) for u, v in kept]
    nx.draw_networkx_edges(
        undirected, positions, edgelist=kept, width=widths, edge_color="#bbbbbb", ax=axes
    )
    if lost:
        nx.draw_networkx_edges(
            undirected,
            positions,
            edgelist=lost,
            width=1.2,
            style="dashed",
            edge_color=plots.PALETTE[5],
            ax=axes,
        )
    nodes = [n for n in graph.nodes if n != removed]
    degree = dict(undirected.degree(weight="weight"))
    nx.draw_networkx_nodes(
        graph,
        positions,
        nodelist=nodes,
        node_color=[colours[str(graph.nodes[n]["site"])] for n in nodes],
        node_size=[18 + 6 * math.sqrt(degree.get(n, 0)) for n in nodes],
        linewidths=[2.2 if n in highlight else 0.0 for n in nodes],
        edgecolors=_BROKER_EDGE,
        ax=axes,
    )
    if removed is not None and removed in graph:
        x, y = positions[removed]
        axes.scatter([x], [y], marker="X", s=160, color=_BROKER_EDGE, zorder=5)
    for rank, member in enumerate(highlight, start=1):
        if member in positions and member != removed:
            x, y = positions[member]
            axes.annotate(
                f"#{rank} {member}",
                (x, y),
                xytext=(4, 4),
                textcoords="offset points",
                fontsize=8,
                color=_BROKER_EDGE,
            )
    # site labels at each cluster's centre, so position carries the site without colour
    frame = pd.DataFrame(
        [(str(graph.nodes[n]["site"]), *positions[n]) for n in graph.nodes],
        columns=["site", "x", "y"],
    )
    for site, part in frame.groupby("site"):
        axes.text(
            part["x"].mean(), part["y"].max() + 0.06, site, ha="center", fontsize=8, color="#333333"
        )
    handles = [
        plt.Line2D([], [], marker="o", linestyle="", color=colour, label=site)
        for site, colour in colours.items()
        if colour != OTHER_SITES
    ]
    if any(colour == OTHER_SITES for colour in colours.values()):
        handles.append(
            plt.Line2D([], [], marker="o", linestyle="", color=OTHER_SITES, label="other sites")
        )
    handles.append(
        plt.Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor="white",
            markeredgecolor=_BROKER_EDGE,
            markeredgewidth=2,
            label="broker",
        )
    )
    axes.legend(handles=handles, fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return figure


def explorer_html(result: dict, name: str = "") -> str:
    """The explorer's figures as text (HTML): size, cross-site share, brokers, the what-if."""
    brokers = "".join(
        f"<li>{html.escape(member)} (betweenness {score:.3f})</li>"
        for member, score in result["brokers"][:5]
    )
    share = result["cross_site_share"]
    share_text = "no answers yet" if math.isnan(share) else f"{share:.0%} of answers cross sites"
    links = result["site_links"]
    text = (
        f"<div role='status'><p><strong>{html.escape(result['cop_id'])}</strong>"
        f"{' · ' + html.escape(name) if name else ''}: {result['members']} members who posted, "
        f"{result['answers']} answers, {share_text}; {len(links)} pairs of sites linked by at "
        f"least one answer.</p><p>Top brokers:</p><ol>{brokers}</ol>"
    )
    removal = result["removal"]
    if removal is not None:
        lost = ", ".join(f"{a}–{b}" for a, b in removal["site_pairs_lost"]) or "none"
        text += (
            f"<p>If <strong>{html.escape(removal['member'])}</strong> leaves: "
            f"{removal['answers_lost']} answers given or received disappear, "
            f"{removal['cross_site_answers_lost']} of them across sites; site pairs linked go "
            f"from {removal['site_pairs_before']} to {removal['site_pairs_after']} "
            f"(lost: {html.escape(lost)}); {removal['connected_pairs_lost']} pairs of members "
            "are no longer joined by any chain of answers.</p>"
        )
    return text + "</div>"


def network_explorer(
    events: pd.DataFrame, cops: pd.DataFrame | None = None, cop_id: str = "COP01"
) -> w.VBox:
    """Choose a community: its answer network by site, brokers ringed; remove a member to see
    the cross-site links lost.

    Args:
        events: the ``cop_events`` dataset.
        cops: the ``cops`` dataset, for the communities' names (optional).
        cop_id: the community shown first.

    Returns:
        A ``VBox``; its ``controls`` attribute maps ``"community"`` and ``"remove"`` to the
        dropdowns; ``result`` holds the current :func:`explorer_result`, ``chart`` and ``text``
        the outputs.
    """
    names = dict(zip(cops["cop_id"], cops["name"], strict=True)) if cops is not None else {}
    ids = sorted(events["cop_id"].dropna().unique())
    style = {"description_width": "initial"}
    community = w.Dropdown(
        options=[(f"{c} · {names[c]}" if c in names else c, c) for c in ids],
        value=cop_id,
        description="Community",
        style=style,
    )
    remove = w.Dropdown(options=[("nobody", "")], value="", description="Remove", style=style)
    chart = w.Image(format="png", layout=w.Layout(max_width="760px"))
    text = w.HTML()
    box = w.VBox([w.HBox([community, remove]), text, chart])
    box.controls, box.chart, box.text = {"community": community, "remove": remove}, chart, text

    shown: dict[str, dict] = {}  # per community, computed once: switching back is instant

    def draw() -> None:
        cop = community.value
        if cop not in shown:
            shown[cop] = explorer_result(events, cop, top=10)
        result = dict(shown[cop])
        graph = result["graph"]
        if remove.value:
            result["removal"] = communities.member_removal(graph, remove.value)
        box.result = result
        text.value = explorer_html(result, names.get(cop, ""))
        chart.value = plots.to_png(
            network_figure(
                graph,
                f"{cop}: who answers whom, by site",
                [m for m, _ in result["brokers"][:5]],
                remove.value or None,
            )
        )

    def on_community(_change: dict | None = None) -> None:
        remove.unobserve(on_remove, names="value")
        remove.value = ""
        draw()
        ranked = box.result["brokers"]
        remove.options = [("nobody", "")] + [
            (f"{m} (broker #{i})", m) for i, (m, _) in enumerate(ranked, start=1)
        ]
        remove.value = ""
        remove.observe(on_remove, names="value")

    def on_remove(_change: dict | None = None) -> None:
        draw()

    community.observe(on_community, names="value")
    remove.observe(on_remove, names="value")
    on_community()
    return box


# --------------------------------------------------------------------------- lifecycle planner


def planner_html(plan: dict) -> str:
    """A :func:`course.communities.lifecycle_plan` as HTML: focus, actions, indicators, risks."""
    actions = "".join(f"<li>{html.escape(a)}</li>" for a in plan["actions"])
    indicators = "".join(f"<li>{html.escape(i)}</li>" for i in plan["indicators"])
    warnings = "".join(f"<li>{html.escape(x)}</li>" for x in plan["warnings"])
    return (
        f"<div role='status'><p><strong>{html.escape(plan['stage'])}</strong> "
        f"(1998 name: {html.escape(plan['stage_1998'])}) — focus: {html.escape(plan['focus'])}."
        f"</p><p>Next actions, most urgent first:</p><ol>{actions}</ol>"
        f"<p>Indicators to watch:</p><ul>{indicators}</ul>"
        + (f"<p>Risks:</p><ul>{warnings}</ul>" if warnings else "<p>No risk flagged.</p>")
        + "<p><em>Stage names: Wenger, McDermott &amp; Snyder (2002); the plan is the "
        "course's own.</em></p></div>"
    )


def community_profile(cops: pd.DataFrame, members: pd.DataFrame, cop_id: str) -> dict:
    """A community's stage, size and whether it has a sponsor, from the course's datasets.

    Args:
        cops: the ``cops`` dataset. members: the ``cop_members`` dataset.
        cop_id: the community.

    Returns:
        ``{"stage": str, "members": int, "sponsor": bool}``.

    Raises:
        KeyError: unknown community.
    """
    row = cops[cops["cop_id"] == cop_id]
    if row.empty:
        raise KeyError(f"unknown community {cop_id!r}")
    return {
        "stage": str(row["lifecycle_stage"].iloc[0]),
        "members": int((members["cop_id"] == cop_id).sum()),
        "sponsor": bool(row["sponsor_id"].notna().iloc[0]),
    }


def lifecycle_planner(
    cops: pd.DataFrame | None = None, members: pd.DataFrame | None = None
) -> w.VBox:
    """Stage, size, sponsor: the coordinator's next actions and the indicators to watch.

    Args:
        cops: the ``cops`` dataset (optional): adds a dropdown that fills the controls from a
            real community.
        members: the ``cop_members`` dataset, needed with ``cops`` for the sizes.

    Returns:
        A ``VBox``; ``controls`` maps ``"stage"``, ``"members"``, ``"sponsor"`` (and
        ``"community"`` when ``cops`` is given) to the widgets; ``plan`` holds the current
        :func:`course.communities.lifecycle_plan`, ``text`` the output.
    """
    style = {"description_width": "initial"}
    controls: dict[str, w.ValueWidget] = {
        "stage": w.Dropdown(
            options=list(communities.STAGES), value="coalescing", description="Stage", style=style
        ),
        "members": w.IntSlider(
            value=60, min=0, max=400, step=5, description="Members", style=style
        ),
        "sponsor": w.Checkbox(value=True, description="Has an executive sponsor", style=style),
    }
    text = w.HTML()
    rows = [w.HBox([controls["stage"], controls["members"], controls["sponsor"]]), text]
    if cops is not None and members is not None:
        controls["community"] = w.Dropdown(
            options=[("— your own —", "")]
            + [(f"{c} · {n}", c) for c, n in zip(cops["cop_id"], cops["name"], strict=True)],
            value="",
            description="Start from",
            style=style,
        )
        rows.insert(0, controls["community"])
    box = w.VBox(rows)
    box.controls, box.text = controls, text

    def update(_change: dict | None = None) -> None:
        plan = communities.lifecycle_plan(
            controls["stage"].value, int(controls["members"].value), bool(controls["sponsor"].value)
        )
        box.plan = plan
        text.value = planner_html(plan)

    def fill(_change: dict | None = None) -> None:
        if not controls["community"].value:
            return
        profile = community_profile(cops, members, controls["community"].value)
        controls["stage"].value = profile["stage"]
        controls["members"].value = profile["members"]
        controls["sponsor"].value = profile["sponsor"]

    for name in ("stage", "members", "sponsor"):
        controls[name].observe(update, names="value")
    if "community" in controls:
        controls["community"].observe(fill, names="value")
    update()
    return box


# --------------------------------------------------------------------------- lesson charts


def band_figure(shares: pd.DataFrame, title: str) -> plt.Figure:
    """Stacked bars of core, active and peripheral shares per community, reference bands marked.

    Args:
        shares: a :func:`course.communities.band_shares` table.
        title: the chart title.

    Returns:
        The matplotlib figure.
    """
    figure, axes = plots.new_figure(
        title, "share of members", "community", size=(7.0, 0.22 * len(shares) + 1.6)
    )
    left = np.zeros(len(shares))
    labels = [str(i) for i in shares.index]
    hatches = {"core": "", "active": "//", "peripheral": ""}
    for colour, band in zip(plots.PALETTE[:3], communities.BANDS, strict=True):
        axes.barh(
            labels,
            shares[band],
            left=left,
            color=colour,
            label=band,
            hatch=hatches[band],
            edgecolor="white",
        )
        left += shares[band].to_numpy()
    for edge in (0.10, 0.15, 0.30, 0.35):
        axes.axvline(edge, color="#000000", linestyle=":", linewidth=1, zorder=3)
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(plt.FuncFormatter(lambda x, _: f"{x:.0%}"))
    axes.legend(
        title="band (dotted lines: edges of the reference bands)",
        fontsize="small",
        ncols=3,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.35 / (0.22 * len(shares) + 1.6) - 0.04),
    )
    return figure


def response_figure(table: pd.DataFrame, stages: pd.Series, title: str) -> plt.Figure:
    """Each community: share of questions answered against median hours to the first answer.

    Args:
        table: a :func:`course.communities.first_answer_hours` table (index: ``cop_id``).
        stages: lifecycle stage per ``cop_id``.
        title: the chart title.

    Returns:
        The matplotlib figure; one marker shape and colour per stage.
    """
    figure, axes = plots.new_figure(
        title, "median hours from a question to its first answer", "share of questions answered"
    )
    markers = ["o", "s", "^", "D", "v"]
    for colour, marker, stage in zip(plots.PALETTE, markers, communities.STAGES, strict=False):
        ids = [i for i in table.index if stages.get(i) == stage]
        part = table.loc[ids]
        axes.scatter(
            part["median_hours"],
            part["answered_share"],
            color=colour,
            marker=marker,
            label=stage,
            s=40,
        )
    axes.set_ylim(0, 1)
    axes.yaxis.set_major_formatter(plt.FuncFormatter(lambda y, _: f"{y:.0%}"))
    axes.legend(title="stage", fontsize="small")
    return figure
