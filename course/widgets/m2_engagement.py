"""Widgets of M2 · Participation & engagement: a denominator switch and a Lorenz explorer.

Each widget is built by a function returning an ``ipywidgets.VBox``; the computation behind it is a
pure function next to it (:func:`denominator_ranking`, :func:`departure_table`) so that the tests
can check it without a browser. Charts are rendered to PNG into an ``ipywidgets.Image`` and every
chart is also given as text (an HTML table and a sentence) for screen readers.
"""

from __future__ import annotations

import html

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from course import engagement, plots

COMMUNITIES: tuple[str, ...] = ("internal", "external")

#: What counts as a member's contribution in the Lorenz explorer, as (label, columns).
MEASURES: dict[str, tuple[str, ...]] = {
    "posts": ("n_posts",),
    "posts + comments": ("n_posts", "n_comments"),
    "posts + comments + reactions": ("n_posts", "n_comments", "n_reactions"),
}

#: Labels of the denominators, for controls and charts.
DENOMINATOR_LABELS: dict[str, str] = {
    "reach": "by reach (people who saw it)",
    "followers": "by followers (audience that could see it)",
    "impressions": "by impressions (times it was shown)",
}


_png = plots.to_png


def _check_community(community: str) -> None:
    if community not in COMMUNITIES:
        raise ValueError(f"community must be one of {', '.join(COMMUNITIES)}, got {community!r}")


# --------------------------------------------------------------------------- static charts


def benchmark_figure(measured: dict[str, float]) -> plt.Figure:
    """Share of content written by the top 1%: published studies beside our own communities.

    Args:
        measured: label -> top-1% share (0 to 1) of the course's own communities.

    Returns:
        The matplotlib figure (the caller closes it).
    """
    published = {
        "van Mierlo 2014: superusers, 4 health networks": 0.747,
        "Joglekar et al. 2018: British Lung Foundation": 0.49,
        "Joglekar et al. 2018: Asthma UK": 0.32,
    }
    labels = [*published, *measured]
    values = [100 * v for v in (*published.values(), *measured.values())]
    figure, axes = plots.barh(
        labels,
        values,
        title="Share of all posts written by the top 1% of members",
        xlabel="share of posts (%)",
        ylabel="study or community",
    )
    bars = axes.patches
    for bar in bars[len(published) :]:
        bar.set_color(plots.PALETTE[1])
    for bar, value in zip(bars, values, strict=True):
        axes.text(
            bar.get_width() + 1, bar.get_y() + bar.get_height() / 2, f"{value:.0f} %", va="center"
        )
    axes.set_xlim(0, 100)
    return figure


def bands_figure(summaries: dict[str, pd.DataFrame]) -> plt.Figure:
    """Share of members and share of contributions per participation band, per community.

    Args:
        summaries: community -> :func:`course.engagement.band_summary` table.

    Returns:
        The matplotlib figure (the caller closes it).
    """
    figure, axes = plots.new_figure(
        "Participation bands: who they are, what they write",
        "participation band",
        "share (%)",
        size=(7.5, 4.0),
    )
    bands = list(engagement.BANDS)
    x = np.arange(len(bands))
    width = 0.2
    offset = -1.5
    for community, table in summaries.items():
        colour = plots.COMMUNITY_COLOURS.get(community, plots.PALETTE[2])
        axes.bar(
            x + offset * width,
            100 * table["member_share"].reindex(bands),
            width,
            color=colour,
            alpha=0.45,
            label=f"{community}: members",
        )
        axes.bar(
            x + (offset + 1) * width,
            100 * table["contribution_share"].reindex(bands),
            width,
            color=colour,
            label=f"{community}: contributions",
        )
        offset += 2
    axes.set_xticks(x, bands)
    axes.legend(fontsize="small")
    return figure


def rates_figure(rates: pd.DataFrame, community: str) -> plt.Figure:
    """Engagement rate by reach against rate by followers, post by post (log scales, density).

    Args:
        rates: a :func:`community_rates` or :func:`course.engagement.post_rates` table.
        community: the community, for the title.

    Returns:
        The matplotlib figure (the caller closes it).
    """
    figure, axes = plots.new_figure(
        f"Same {community} posts, two denominators",
        "engagement rate by reach (%, log scale)",
        "engagement rate by followers (%, log scale)",
        size=(6.0, 4.5),
    )
    shown = rates[(rates["rate_by_reach"] > 0) & (rates["rate_by_followers"] > 0)]
    # A density of hexagons rather than 24,000 dots: readable where posts pile up, and fast.
    cells = axes.hexbin(
        shown["rate_by_reach"],
        shown["rate_by_followers"],
        xscale="log",
        yscale="log",
        gridsize=40,
        mincnt=1,
        bins="log",
        cmap="cividis",
    )
    figure.colorbar(cells, ax=axes, label="posts per hexagon (log scale)")
    return figure


def levels_figure(posts: pd.DataFrame) -> plt.Figure:
    """Mean reactions and comments per post, by engagement level asked and community.

    Args:
        posts: the ``posts`` dataset (column ``engagement_level``: 1, 2 or 3).

    Returns:
        The matplotlib figure (the caller closes it).
    """
    figure, axes = plots.new_figure(
        "What each level of engagement brings back, per post",
        "engagement level asked of members (1 react · 2 contribute · 3 co-create)",
        "mean per post (log scale)",
        size=(7.5, 4.0),
    )
    table = posts.groupby(["community", "engagement_level"])[["reactions", "comments"]].mean()
    levels = sorted(posts["engagement_level"].unique())
    x = np.arange(len(levels))
    width = 0.2
    offset = -1.5
    for community in COMMUNITIES:
        if community not in table.index.get_level_values(0):
            continue
        part = table.loc[community].reindex(levels)
        colour = plots.COMMUNITY_COLOURS[community]
        axes.bar(
            x + offset * width,
            part["reactions"],
            width,
            color=colour,
            alpha=0.45,
            label=f"{community}: reactions",
        )
        axes.bar(
            x + (offset + 1) * width,
            part["comments"],
            width,
            color=colour,
            label=f"{community}: comments",
        )
        offset += 2
    axes.set_yscale("log")
    axes.set_xticks(x, [str(level) for level in levels])
    axes.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.0, 0.5))
    return figure


# --------------------------------------------------------------------------- denominator switch


def community_rates(posts: pd.DataFrame, members: pd.DataFrame, community: str) -> pd.DataFrame:
    """Every post of one community with its engagements, three rates and three ranks.

    On the brand page the "followers" denominator is ``followers_at_post``; on the internal
    network, where nobody follows anybody, it is the number of members of the community (everyone
    who could have seen the post): that is the course's convention, say it when you use it.

    Args:
        posts: the ``posts`` dataset.
        members: the ``members`` dataset (for the internal community's size).
        community: ``"internal"`` or ``"external"``.

    Returns:
        One row per post, indexed by ``post_id``, with ``format``, ``reach``, ``followers``,
        ``impressions``, ``engagements``, ``rate_by_<denominator>`` (percent) and
        ``rank_by_<denominator>`` (1 = highest rate; ties share the best rank).

    Raises:
        ValueError: an unknown community.
    """
    _check_community(community)
    subset = posts[posts["community"] == community].set_index("post_id")
    if community == "internal":
        followers = float((members["community"] == "internal").sum())
    else:
        followers = subset["followers_at_post"].astype(float)
    rates = engagement.post_rates(subset, followers=followers)
    table = subset[["format", "reach"]].copy()
    table["followers"] = followers
    table["impressions"] = subset["impressions"]
    table = table.join(rates)
    for name in engagement.DENOMINATORS:
        table[f"rank_by_{name}"] = (
            table[f"rate_by_{name}"].rank(ascending=False, method="min").astype(int)
        )
    return table


def denominator_ranking(
    posts: pd.DataFrame,
    members: pd.DataFrame,
    community: str = "external",
    denominator: str = "reach",
    top: int = 10,
    min_reach: int = 0,
) -> pd.DataFrame:
    """The top posts of a community by engagement rate under one denominator, with their ranks
    under the two others.

    Args:
        posts: the ``posts`` dataset.
        members: the ``members`` dataset.
        community: ``"internal"`` or ``"external"``.
        denominator: ``"reach"``, ``"followers"`` or ``"impressions"``.
        top: how many posts to show (1 or more).
        min_reach: leave out posts seen by fewer people (a rate over a handful of readers is
            mostly noise); ranks are computed among the posts kept.

    Returns:
        ``top`` rows (fewer if fewer posts qualify) sorted by the chosen rate, highest first
        (ties: ``post_id``), with the columns of :func:`community_rates`. ``attrs`` holds
        ``kept`` (posts ranked) and ``overlap``: for each other denominator, how many of these
        posts are also in its top ``top``.

    Raises:
        ValueError: an unknown community or denominator, ``top`` below 1 or negative
            ``min_reach``.
    """
    if denominator not in engagement.DENOMINATORS:
        raise ValueError(
            f"denominator must be one of {', '.join(engagement.DENOMINATORS)}, got {denominator!r}"
        )
    if top < 1:
        raise ValueError(f"top must be 1 or more, got {top}")
    if min_reach < 0:
        raise ValueError(f"min_reach must be 0 or more, got {min_reach}")
    table = community_rates(posts, members, community)
    table = table[table["reach"] >= min_reach].copy()
    for name in engagement.DENOMINATORS:
        table[f"rank_by_{name}"] = (
            table[f"rate_by_{name}"].rank(ascending=False, method="min").astype(int)
        )
    ordered = table.reset_index().sort_values(
        [f"rate_by_{denominator}", "post_id"], ascending=[False, True], kind="mergesort"
    )
    shown = ordered.head(top).set_index("post_id")
    shown.attrs["kept"] = len(table)
    shown.attrs["overlap"] = {
        name: int((shown[f"rank_by_{name}"] <= top).sum())
        for name in engagement.DENOMINATORS
        if name != denominator
    }
    return shown


def ranking_figure(ranking: pd.DataFrame, denominator: str, community: str) -> plt.Figure:
    """Where the top posts under one denominator land under the three: one line per post.

    Args:
        ranking: a :func:`denominator_ranking` table (non-empty).
        denominator: the denominator it was sorted by.
        community: the community, for the title.

    Returns:
        The matplotlib figure (the caller closes it).
    """
    figure, axes = plots.new_figure(
        f"Top {len(ranking)} {community} posts by {denominator}: ranks under each rate",
        "denominator of the engagement rate",
        "rank among the posts (1 = best, log scale)",
        size=(7.0, 4.2),
    )
    x = np.arange(len(engagement.DENOMINATORS))
    colours = plots.colours(len(ranking))
    for number, (colour, (post_id, row)) in enumerate(
        zip(colours, ranking.iterrows(), strict=True)
    ):
        ranks = [row[f"rank_by_{name}"] for name in engagement.DENOMINATORS]
        # Colours repeat after eight posts: change the marker so each line stays distinct.
        marker = "os^D"[(number // len(plots.PALETTE)) % 4]
        axes.plot(x, ranks, marker=marker, color=colour, alpha=0.8, label=str(post_id))
    axes.set_yscale("log")
    axes.invert_yaxis()
    axes.set_xticks(x, list(engagement.DENOMINATORS))
    if len(ranking) <= 10:
        axes.legend(title="post", fontsize="small", loc="center left", bbox_to_anchor=(1.0, 0.5))
    return figure


def ranking_html(ranking: pd.DataFrame, denominator: str, top: int) -> str:
    """The denominator switch's text: a sentence on overlaps, then the table (HTML)."""
    if ranking.empty:
        return "<p><strong>No post passes the minimum reach.</strong> Lower it.</p>"
    overlaps = ", ".join(
        f"{count} of them are also in the top {top} by {name}"
        for name, count in ranking.attrs["overlap"].items()
    )
    header = "".join(
        f"<th scope='col'>{label}</th>"
        for label in ("post", "format", "engagements", "reach", "followers", "impressions")
    ) + "".join(f"<th scope='col'>rate by {name} (%)</th>" for name in engagement.DENOMINATORS)
    header += "".join(f"<th scope='col'>rank by {name}</th>" for name in engagement.DENOMINATORS)
    rows = "".join(
        f"<tr><td>{html.escape(str(post_id))}</td><td>{html.escape(str(row['format']))}</td>"
        f"<td>{row['engagements']:.0f}</td><td>{row['reach']:.0f}</td>"
        f"<td>{row['followers']:.0f}</td><td>{row['impressions']:.0f}</td>"
        + "".join(f"<td>{row[f'rate_by_{n}']:.2f}</td>" for n in engagement.DENOMINATORS)
        + "".join(f"<td>{row[f'rank_by_{n}']}</td>" for n in engagement.DENOMINATORS)
        + "</tr>"
        for post_id, row in ranking.iterrows()
    )
    return (
        f"<p>Ranked by engagement rate {html.escape(DENOMINATOR_LABELS[denominator])} among "
        f"{ranking.attrs['kept']} posts: {overlaps}.</p>"
        f"<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"
    )


def denominator_switch(posts: pd.DataFrame, members: pd.DataFrame) -> w.VBox:
    """Re-rank the same posts by engagement rate per reach, per follower and per impression.

    Args:
        posts: the ``posts`` dataset.
        members: the ``members`` dataset.

    Returns:
        A ``VBox`` with the controls, the chart and its text version. Its ``controls`` attribute
        maps ``"community"``, ``"denominator"``, ``"top"`` and ``"min_reach"`` to the widgets;
        ``table`` holds the ranking currently shown.
    """
    style = {"description_width": "initial"}
    controls = {
        "community": w.ToggleButtons(
            options=list(COMMUNITIES), value="external", description="Community", style=style
        ),
        "denominator": w.ToggleButtons(
            options=[(name, name) for name in engagement.DENOMINATORS],
            value="reach",
            description="Rate by",
            tooltips=[DENOMINATOR_LABELS[name] for name in engagement.DENOMINATORS],
            style=style,
        ),
        "top": w.IntSlider(value=10, min=3, max=20, description="Posts shown", style=style),
        "min_reach": w.IntSlider(
            value=0, min=0, max=2000, step=50, description="Minimum reach", style=style
        ),
    }
    chart = w.Image(format="png", layout=w.Layout(max_width="720px"))
    text = w.HTML()
    box = w.VBox(
        [
            w.HBox([controls["community"], controls["denominator"]]),
            w.HBox([controls["top"], controls["min_reach"]]),
            chart,
            text,
        ]
    )

    def update(_change: object = None) -> None:
        denominator = controls["denominator"].value
        top = controls["top"].value
        ranking = denominator_ranking(
            posts,
            members,
            controls["community"].value,
            denominator,
            top,
            controls["min_reach"].value,
        )
        box.table = ranking
        text.value = ranking_html(ranking, denominator, top)
        if ranking.empty:
            chart.value = b""
            chart.layout.display = "none"
            return
        chart.value = _png(ranking_figure(ranking, denominator, controls["community"].value))
        chart.layout.display = None

    for control in controls.values():
        control.observe(update, names="value")
    box.controls = controls
    update()
    return box


# --------------------------------------------------------------------------- Lorenz explorer


def contributions(members: pd.DataFrame, community: str, measure: str = "posts") -> pd.Series:
    """Contributions per member of one community, under one definition of "contribution".

    Args:
        members: the ``members`` dataset.
        community: ``"internal"`` or ``"external"``.
        measure: a key of :data:`MEASURES`.

    Returns:
        A Series of counts indexed by ``member_id``, every member included (zeros too).

    Raises:
        ValueError: an unknown community or measure.
    """
    _check_community(community)
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}, got {measure!r}")
    subset = members[members["community"] == community].set_index("member_id")
    return subset[list(MEASURES[measure])].sum(axis=1).rename(measure)


def departure_table(
    members: pd.DataFrame, measure: str = "posts", leave_fraction: float = 0.0
) -> pd.DataFrame:
    """Inequality of both communities, before and after the most active members leave.

    Args:
        members: the ``members`` dataset.
        measure: a key of :data:`MEASURES`.
        leave_fraction: share of members who leave, from the most active down, in ``[0, 1)``;
            0 means nobody leaves. ``⌈leave_fraction × n⌉`` members leave.

    Returns:
        One row per community (index ``community``) with ``members``, ``contributions``,
        ``gini``, ``top1_share``, then ``left`` (members who left), ``content_lost`` (share of
        the contributions that leaves with them), ``gini_after`` and ``top1_share_after``
        (among those who stay; NaN when nobody who stays contributes).

    Raises:
        ValueError: an unknown measure or a ``leave_fraction`` outside ``[0, 1)``.
    """
    if not 0 <= leave_fraction < 1:
        raise ValueError(f"leave_fraction must be in [0, 1), got {leave_fraction!r}")
    rows = []
    for community in COMMUNITIES:
        values = contributions(members, community, measure).to_numpy(dtype=float)
        if leave_fraction > 0:
            rest = engagement.without_top(values, leave_fraction)
        else:
            rest = np.sort(values)
        total = values.sum()
        rest_total = rest.sum()
        rows.append(
            {
                "community": community,
                "members": values.size,
                "contributions": total,
                "gini": engagement.gini(values),
                "top1_share": engagement.top_share(values, 0.01) if total else np.nan,
                "left": values.size - rest.size,
                "content_lost": 1 - rest_total / total if total else 0.0,
                "gini_after": engagement.gini(rest) if rest.size else np.nan,
                "top1_share_after": engagement.top_share(rest, 0.01) if rest_total else np.nan,
            }
        )
    return pd.DataFrame(rows).set_index("community")


def _thin(curve: pd.DataFrame, points: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """A Lorenz curve resampled on ``points`` member shares, enough for a chart."""
    x = curve["member_share"].to_numpy()
    y = curve["contribution_share"].to_numpy()
    if len(x) <= points:
        return x, y
    grid = np.linspace(0.0, 1.0, points)
    return grid, np.interp(grid, x, y)


def lorenz_figure(
    members: pd.DataFrame, measure: str = "posts", leave_fraction: float = 0.0
) -> plt.Figure:
    """Lorenz curves of both communities, and dashed ones once the top members have left.

    Args:
        members: the ``members`` dataset.
        measure: a key of :data:`MEASURES`.
        leave_fraction: as in :func:`departure_table`.

    Returns:
        The matplotlib figure (the caller closes it).
    """
    figure, axes = plots.new_figure(
        f"Who contributes? Lorenz curves of {measure}",
        "cumulative share of members, least active first",
        f"cumulative share of {measure}",
        size=(6.0, 5.0),
    )
    axes.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect equality")
    for community in COMMUNITIES:
        values = contributions(members, community, measure).to_numpy(dtype=float)
        colour = plots.COMMUNITY_COLOURS[community]
        x, y = _thin(engagement.lorenz(values))
        axes.plot(x, y, color=colour, label=f"{community} (Gini {engagement.gini(values):.2f})")
        if leave_fraction > 0:
            rest = engagement.without_top(values, leave_fraction)
            if rest.size and rest.sum() > 0:
                x, y = _thin(engagement.lorenz(rest))
                axes.plot(
                    x, y, color=colour, linestyle="--", label=f"{community}, after departures"
                )
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.set_aspect("equal")
    axes.legend(fontsize="small", loc="upper left")
    return figure


def departure_html(table: pd.DataFrame, leave_fraction: float) -> str:
    """The Lorenz explorer's text: one sentence per community and the table (HTML)."""

    def pct(value: float) -> str:
        return "n/a" if pd.isna(value) else f"{100 * value:.1f} %"

    sentences = []
    for community, row in table.iterrows():
        sentence = f"{community}: Gini {row['gini']:.2f}, the top 1% hold {pct(row['top1_share'])}"
        if leave_fraction > 0:
            sentence += (
                f"; if the {int(row['left'])} most active leave, {pct(row['content_lost'])} of the "
                f"content goes with them"
            )
        sentences.append(html.escape(sentence) + ".")
    header = "".join(
        f"<th scope='col'>{label}</th>"
        for label in (
            "community",
            "members",
            "contributions",
            "Gini",
            "top 1% share",
            "members who leave",
            "content lost",
            "Gini after",
            "top 1% share after",
        )
    )
    rows = "".join(
        f"<tr><td>{html.escape(str(community))}</td><td>{int(row['members'])}</td>"
        f"<td>{row['contributions']:.0f}</td><td>{row['gini']:.3f}</td>"
        f"<td>{pct(row['top1_share'])}</td><td>{int(row['left'])}</td>"
        f"<td>{pct(row['content_lost'])}</td>"
        f"<td>{'n/a' if pd.isna(row['gini_after']) else format(row['gini_after'], '.3f')}</td>"
        f"<td>{pct(row['top1_share_after'])}</td></tr>"
        for community, row in table.iterrows()
    )
    return (
        "<p>" + "<br>".join(sentences) + "</p>"
        f"<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"
    )


def lorenz_explorer(members: pd.DataFrame) -> w.VBox:
    """Compare the Lorenz curves of the two communities; see what leaves with the top members.

    Args:
        members: the ``members`` dataset.

    Returns:
        A ``VBox`` with the controls, the chart and its text version. Its ``controls`` attribute
        maps ``"measure"`` and ``"leave"`` (percent of members who leave, 0-10) to the widgets;
        ``table`` holds the current :func:`departure_table`.
    """
    style = {"description_width": "initial"}
    controls = {
        "measure": w.Dropdown(
            options=list(MEASURES), value="posts", description="Contribution", style=style
        ),
        "leave": w.FloatSlider(
            value=0.0,
            min=0.0,
            max=10.0,
            step=0.5,
            description="Most active who leave (%)",
            readout_format=".1f",
            style=style,
            layout=w.Layout(width="420px"),
        ),
    }
    chart = w.Image(format="png", layout=w.Layout(max_width="560px"))
    text = w.HTML()
    box = w.VBox([w.HBox([controls["measure"], controls["leave"]]), chart, text])

    def update(_change: object = None) -> None:
        fraction = controls["leave"].value / 100
        measure = controls["measure"].value
        table = departure_table(members, measure, fraction)
        box.table = table
        text.value = departure_html(table, fraction)
        chart.value = _png(lorenz_figure(members, measure, fraction))

    for control in controls.values():
        control.observe(update, names="value")
    box.controls = controls
    update()
    return box
