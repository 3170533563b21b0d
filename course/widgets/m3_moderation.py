"""Widgets and charts of M3 · Moderation: a labelling drill and a rule workbench.

Each widget is built by a function returning an ``ipywidgets.VBox``; the computation behind it is a
pure function next to it (:func:`drill_sample`, :func:`drill_scores`, :func:`drill_differences`,
:func:`workbench_result`) so that the tests can check it without a browser. Charts are rendered to
PNG into an ``ipywidgets.Image`` and every chart is also given as text for screen readers. The
lesson's static charts (:func:`confusion_figure`, :func:`response_time_figure`,
:func:`flag_rate_figure`) live here too.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from course import moderation, plots
from course.data.comments import CATEGORIES  # the dataset's labels, in the drill's order

CHANNELS: tuple[str, ...] = ("both", "brand_page", "rse")
#: Raters the drill compares the trainee with: label column → name shown.
RATERS: dict[str, str] = {
    "label_mod_a": "moderator A",
    "label_mod_b": "moderator B",
    "category": "reference",
}
_REMOVE_COLOUR, _PROTECTED_COLOUR, _OTHER_COLOUR = plots.PALETTE[0], plots.PALETTE[5], "#999999"


_png = plots.to_png


def _check_columns(comments: pd.DataFrame, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in comments.columns]
    if missing:
        raise KeyError(f"the comments table lacks column(s) {', '.join(missing)}")


def _fmt(value: float, pattern: str = "{:.2f}") -> str:
    return (
        "—"
        if value is None or (isinstance(value, float) and np.isnan(value))
        else pattern.format(value)
    )


# --------------------------------------------------------------------------- labelling drill


def drill_sample(
    comments: pd.DataFrame, n: int = 20, rng: np.random.Generator | int | None = 2024
) -> pd.DataFrame:
    """Comments for the labelling drill, with the hard cases over-represented.

    About a third of the sample is fair criticism and a fifth insults, because that boundary is
    where moderators disagree; the rest is drawn from the other categories. The order is shuffled.

    Args:
        comments: the ``comments`` dataset.
        n: how many comments (2 to 60).
        rng: a ``numpy.random.Generator`` or a seed (the same seed gives the same sample).

    Returns:
        ``n`` rows numbered 1… with ``comment_id``, ``channel``, ``text``, ``label_mod_a``,
        ``label_mod_b`` and ``category``.

    Raises:
        ValueError: ``n`` out of range. KeyError: a column is missing.
    """
    _check_columns(comments, ["comment_id", "channel", "text", *RATERS])
    if not 2 <= n <= 60:
        raise ValueError(f"n must be between 2 and 60, got {n}")
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    quotas = {"fair_criticism": round(n / 3), "insult": round(n / 5)}
    parts = []
    for category, quota in quotas.items():
        pool = comments.index[comments["category"] == category]
        parts.append(generator.choice(pool, size=min(quota, len(pool)), replace=False))
    taken = np.concatenate(parts)
    rest = comments.index[~comments["category"].isin(list(quotas))]
    parts.append(generator.choice(rest, size=n - len(taken), replace=False))
    chosen = generator.permutation(np.concatenate(parts))
    sample = comments.loc[chosen, ["comment_id", "channel", "text", *RATERS]]
    sample.index = pd.RangeIndex(1, n + 1, name="item")
    return sample


def _clean_labels(sample: pd.DataFrame, labels: Sequence[str | None]) -> pd.Series:
    if len(labels) != len(sample):
        raise ValueError(f"expected {len(sample)} labels, got {len(labels)}")
    series = pd.Series(list(labels), index=sample.index, dtype=object)
    series = series.where(series.map(lambda x: isinstance(x, str) and x != ""), None)
    unknown = sorted(set(series.dropna()) - set(CATEGORIES))
    if unknown:
        raise ValueError(f"unknown label(s) {', '.join(unknown)}; use {', '.join(CATEGORIES)}")
    return series


def drill_scores(sample: pd.DataFrame, labels: Sequence[str | None]) -> pd.DataFrame:
    """How the trainee's labels agree with moderator A, moderator B and the reference.

    Args:
        sample: a :func:`drill_sample` table.
        labels: the trainee's label per row (a category, or ``None``/``""`` when not labelled).

    Returns:
        One row per rater (``moderator A``, ``moderator B``, ``reference``) with ``labelled``
        (items compared), ``agreement`` (share of identical labels) and ``kappa`` (Cohen's,
        ``nan`` when fewer than two items are labelled or kappa is undefined). The moderators'
        own kappa on the same items is in ``attrs["moderators_kappa"]``.

    Raises:
        ValueError: wrong number of labels or an unknown label.
    """
    mine = _clean_labels(sample, labels)
    done = mine.notna()
    rows = {}
    for column, name in RATERS.items():
        theirs = sample.loc[done, column]
        count = int(done.sum())
        agreement = float((mine[done] == theirs).mean()) if count else np.nan
        kappa = moderation.cohen_kappa(mine[done], theirs) if count >= 2 else np.nan
        rows[name] = {"labelled": count, "agreement": agreement, "kappa": kappa}
    table = pd.DataFrame(rows).T
    table["labelled"] = table["labelled"].astype(int)
    table.index.name = "compared with"
    table.attrs["moderators_kappa"] = moderation.cohen_kappa(
        sample["label_mod_a"], sample["label_mod_b"]
    )
    return table


def drill_differences(sample: pd.DataFrame, labels: Sequence[str | None]) -> pd.DataFrame:
    """The labelled items on which the trainee differs from at least one moderator.

    Args:
        sample: a :func:`drill_sample` table.
        labels: the trainee's labels, as in :func:`drill_scores`.

    Returns:
        The rows concerned, with ``text``, ``yours``, ``moderator A``, ``moderator B`` and
        ``reference``.

    Raises:
        ValueError: as :func:`drill_scores`.
    """
    mine = _clean_labels(sample, labels)
    table = pd.DataFrame(
        {
            "text": sample["text"],
            "yours": mine,
            **{name: sample[column] for column, name in RATERS.items()},
        }
    )
    differs = mine.notna() & ((mine != sample["label_mod_a"]) | (mine != sample["label_mod_b"]))
    return table[differs]


def drill_html(sample: pd.DataFrame, labels: Sequence[str | None]) -> str:
    """The drill's feedback as HTML: the scores table, a sentence, the differences."""
    scores = drill_scores(sample, labels)
    count = int(scores["labelled"].iloc[0])
    if count == 0:
        return "<p role='status'>Label at least two comments, then compare.</p>"
    score_rows = "".join(
        f"<tr><th scope='row'>{html.escape(name)}</th><td>{_fmt(row['agreement'], '{:.0%}')}</td>"
        f"<td>{_fmt(row['kappa'])}</td></tr>"
        for name, row in scores.iterrows()
    )
    differences = drill_differences(sample, labels)
    diff_rows = "".join(
        f"<tr><td>{item}</td><td>{html.escape(row['text'])}</td>"
        + "".join(
            f"<td>{html.escape(str(row[c]))}</td>"
            for c in ("yours", "moderator A", "moderator B", "reference")
        )
        + "</tr>"
        for item, row in differences.iterrows()
    )
    return (
        f"<div role='status'><p>You labelled {count} of {len(sample)} comments. "
        f"The two moderators' own kappa on these {len(sample)} comments is "
        f"{_fmt(scores.attrs['moderators_kappa'])}.</p></div>"
        "<table><thead><tr><th scope='col'>compared with</th><th scope='col'>same label</th>"
        f"<th scope='col'>Cohen's kappa</th></tr></thead><tbody>{score_rows}</tbody></table>"
        f"<p>{len(differences)} comment(s) where you differ from at least one moderator:</p>"
        "<table><thead><tr><th scope='col'>#</th><th scope='col'>comment</th>"
        "<th scope='col'>yours</th><th scope='col'>moderator A</th>"
        "<th scope='col'>moderator B</th><th scope='col'>reference</th></tr></thead>"
        f"<tbody>{diff_rows}</tbody></table>"
    )


def labelling_drill(
    comments: pd.DataFrame, n: int = 20, rng: np.random.Generator | int | None = 2024
) -> w.VBox:
    """Label ``n`` comments yourself, then see your kappa against each moderator and the reference.

    Args:
        comments: the ``comments`` dataset.
        n: how many comments to label.
        rng: generator or seed of :func:`drill_sample`.

    Returns:
        A ``VBox``; its ``choices`` attribute is the list of label dropdowns (one per comment),
        ``button`` the compare button, ``sample`` the comments and ``feedback`` the result area.
    """
    sample = drill_sample(comments, n, rng)
    options = [("— choose —", "")] + [(c.replace("_", " "), c) for c in CATEGORIES]
    rows, choices = [], []
    for item, row in sample.iterrows():
        text = w.HTML(
            f"<p><strong>{item}.</strong> <em>{html.escape(row['channel'].replace('_', ' '))}</em>"
            f" — {html.escape(row['text'])}</p>",
            layout=w.Layout(width="65%"),
        )
        choice = w.Dropdown(
            options=options,
            value="",
            description=f"Comment {item}",
            style={"description_width": "initial"},
            layout=w.Layout(width="33%"),
        )
        choices.append(choice)
        rows.append(w.HBox([text, choice]))
    button = w.Button(
        description="Compare with the moderators",
        tooltip="Compute your agreement and kappa with each moderator",
        button_style="primary",
        layout=w.Layout(width="auto"),
    )
    feedback = w.HTML("<p role='status'>Label the comments, then compare.</p>")

    def compare(_button: w.Button | None = None) -> None:
        feedback.value = drill_html(sample, [c.value for c in choices])

    button.on_click(compare)
    box = w.VBox([*rows, button, feedback])
    box.choices, box.button, box.sample, box.feedback = choices, button, sample, feedback
    box.compare = compare
    return box


# --------------------------------------------------------------------------- rule workbench


def parse_keywords(text: str) -> list[str]:
    """Keywords typed in a text box: separated by commas or new lines, blanks dropped."""
    return [
        part.strip() for chunk in text.splitlines() for part in chunk.split(",") if part.strip()
    ]


def workbench_result(
    comments: pd.DataFrame,
    keywords: Iterable[str],
    signals: Iterable[str] = (),
    threshold: int = 1,
    channel: str = "both",
    casualties_shown: int = 8,
) -> dict:
    """Evaluate a score rule against the reference categories of the ``comments`` dataset.

    The score is :func:`course.moderation.signal_score` (different keywords found, plus one per
    chosen signal); a comment is flagged when its score reaches ``threshold``. "Should be
    removed" means a category in :data:`course.moderation.REMOVE_CATEGORIES`.

    Args:
        comments: the ``comments`` dataset.
        keywords: the keywords (see :func:`course.moderation.keyword_rule` for the matching).
        signals: other signals added to the score (names of :data:`course.moderation.SIGNALS`).
        threshold: the score from which a comment is flagged (1 or more).
        channel: ``"both"``, ``"brand_page"`` or ``"rse"``.
        casualties_shown: how many flagged fair criticisms to return as examples.

    Returns:
        A dict with ``report`` (:func:`course.moderation.rule_report`, fair criticism protected),
        ``by_category`` (per category: ``items``, ``flagged``, ``flagged_share``, ``remove``)
        and ``casualties`` (up to ``casualties_shown`` fair criticisms flagged: id, channel, text).

    Raises:
        ValueError: ``threshold`` below 1 or an unknown channel. KeyError: a missing column or
            an unknown signal.
    """
    _check_columns(comments, ["comment_id", "channel", "text", "category"])
    if threshold < 1:
        raise ValueError(f"threshold must be 1 or more, got {threshold}")
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}, got {channel!r}")
    subset = comments if channel == "both" else comments[comments["channel"] == channel]
    score = moderation.signal_score(subset["text"], list(keywords), list(signals))
    flagged = score >= threshold
    report = moderation.rule_report(
        subset["category"],
        flagged,
        moderation.REMOVE_CATEGORIES,
        protected=moderation.PROTECTED_CATEGORY,
    )
    frame = pd.DataFrame({"category": subset["category"].to_numpy(), "flagged": flagged})
    by_category = frame.groupby("category").agg(
        items=("flagged", "size"), flagged=("flagged", "sum")
    )
    by_category = by_category.reindex([c for c in CATEGORIES if c in by_category.index])
    by_category["flagged_share"] = by_category["flagged"] / by_category["items"]
    by_category["remove"] = by_category.index.isin(moderation.REMOVE_CATEGORIES)
    protected = flagged & (subset["category"] == moderation.PROTECTED_CATEGORY).to_numpy()
    casualties = subset.loc[protected, ["comment_id", "channel", "text"]].head(casualties_shown)
    return {"report": report, "by_category": by_category, "casualties": casualties}


def flag_rate_figure(by_category: pd.DataFrame, title: str) -> plt.Figure:
    """Share of each category a rule flags: removable categories in blue, fair criticism in
    vermillion, the rest in grey.

    Args:
        by_category: the ``by_category`` table of :func:`workbench_result`.
        title: the chart title.

    Returns:
        The matplotlib figure (the caller closes it).
    """
    figure, axes = plots.new_figure(
        title, "share of the category flagged by the rule", "reference category", size=(7.0, 3.8)
    )
    colours = [
        _PROTECTED_COLOUR
        if name == moderation.PROTECTED_CATEGORY
        else (_REMOVE_COLOUR if remove else _OTHER_COLOUR)
        for name, remove in by_category["remove"].items()
    ]
    labels = [name.replace("_", " ") for name in by_category.index]
    axes.barh(labels, by_category["flagged_share"], color=colours)
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(plt.FuncFormatter(lambda x, _: f"{x:.0%}"))
    handles = [
        plt.Rectangle((0, 0), 1, 1, color=c)
        for c in (_REMOVE_COLOUR, _PROTECTED_COLOUR, _OTHER_COLOUR)
    ]
    axes.legend(
        handles,
        ["should be removed", "fair criticism (must stay)", "should stay"],
        fontsize="small",
        loc="lower right",
    )
    return figure


def workbench_html(result: dict) -> str:
    """The workbench's figures as text: one sentence and the casualties (HTML)."""
    report = result["report"]
    casualties = result["casualties"]
    items = "".join(
        f"<li>{html.escape(row['comment_id'])} ({html.escape(row['channel'].replace('_', ' '))}): "
        f"{html.escape(row['text'])}</li>"
        for _, row in casualties.iterrows()
    )
    shown = (
        f"<p>Fair criticism this rule would silence (first {len(casualties)}):</p><ul>{items}</ul>"
        if len(casualties)
        else "<p>No fair criticism flagged.</p>"
    )
    return (
        f"<div role='status'><p>Flagged <strong>{report['flagged']:.0f}</strong> comments · "
        f"precision <strong>{_fmt(report['precision'])}</strong> · recall "
        f"<strong>{_fmt(report['recall'])}</strong> · fair criticism flagged "
        f"<strong>{report['protected_flagged']:.0f}</strong> "
        f"({_fmt(report['protected_rate'], '{:.1%}')} of all fair criticism).</p></div>" + shown
    )


def rule_workbench(
    comments: pd.DataFrame, keywords: Sequence[str] = moderation.STARTER_KEYWORDS
) -> w.VBox:
    """Edit a keyword list, add signals or move the threshold; precision, recall and the
    fair-criticism casualties update as you go.

    Args:
        comments: the ``comments`` dataset.
        keywords: the starting keyword list.

    Returns:
        A ``VBox``; its ``controls`` attribute maps ``"keywords"``, ``"threshold"``,
        ``"channel"`` and one ``"signal:<name>"`` checkbox per signal to the widgets; ``result``
        holds the current :func:`workbench_result`, ``chart`` and ``text`` the outputs.
    """
    style = {"description_width": "initial"}
    controls: dict[str, w.ValueWidget] = {
        "keywords": w.Textarea(
            value=", ".join(keywords),
            description="Keywords (comma-separated; word* = any ending)",
            continuous_update=False,
            style=style,
            layout=w.Layout(width="95%", height="80px"),
        ),
        "threshold": w.IntSlider(
            value=1, min=1, max=4, description="Flag from this score", style=style
        ),
        "channel": w.Dropdown(
            options=[
                ("both channels", "both"),
                ("brand page", "brand_page"),
                ("internal RSE", "rse"),
            ],
            value="both",
            description="Channel",
            style=style,
        ),
    }
    signal_labels = {
        "shouting": "+1 for shouting (!!! or a word in capitals)",
        "link": "+1 for a link",
        "contact_details": "+1 for a phone number or an e-mail address",
    }
    for name in moderation.SIGNALS:
        controls[f"signal:{name}"] = w.Checkbox(
            value=False, description=signal_labels.get(name, name), style=style
        )
    chart = w.Image(format="png", layout=w.Layout(max_width="720px"))
    text = w.HTML()
    box = w.VBox(
        [
            controls["keywords"],
            w.HBox([controls["threshold"], controls["channel"]]),
            w.HBox([controls[f"signal:{name}"] for name in moderation.SIGNALS]),
            text,
            chart,
        ]
    )

    def update(_change: dict | None = None) -> None:
        signals = [name for name in moderation.SIGNALS if controls[f"signal:{name}"].value]
        result = workbench_result(
            comments,
            parse_keywords(controls["keywords"].value),
            signals,
            controls["threshold"].value,
            controls["channel"].value,
        )
        box.result = result
        text.value = workbench_html(result)
        report = result["report"]
        chart.value = _png(
            flag_rate_figure(
                result["by_category"],
                f"What the rule flags: precision {_fmt(report['precision'])}, "
                f"recall {_fmt(report['recall'])}",
            )
        )

    for control in controls.values():
        control.observe(update, names="value")
    update()
    box.controls, box.chart, box.text = controls, chart, text
    return box


# --------------------------------------------------------------------------- lesson charts


def confusion_figure(table: pd.DataFrame, title: str) -> plt.Figure:
    """A confusion table as a heat map, counts written in every cell.

    Args:
        table: a :func:`course.moderation.confusion` table.
        title: the chart title.

    Returns:
        The matplotlib figure.
    """
    figure, axes = plots.new_figure(
        title,
        f"label given by {table.columns.name or 'the second rater'}",
        f"label given by {table.index.name or 'the first rater'}",
        size=(7.5, 6.0),
    )
    values = table.to_numpy()
    # A log-like scale so that the small off-diagonal counts stay visible next to the diagonal.
    axes.imshow(np.log1p(values), cmap="Blues")
    labels = [str(x).replace("_", " ") for x in table.columns]
    axes.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    axes.set_yticks(range(len(table.index)), [str(x).replace("_", " ") for x in table.index])
    threshold = np.log1p(values).max() * 0.6
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            colour = "white" if np.log1p(values[i, j]) > threshold else "black"
            axes.text(j, i, str(values[i, j]), ha="center", va="center", fontsize=8, color=colour)
    axes.spines[["left", "bottom"]].set_visible(False)
    return figure


def response_time_figure(
    comments: pd.DataFrame, column: str = "hours_to_first_reply", max_hours: float = 72.0
) -> plt.Figure:
    """Share of comments answered within x hours, per channel (unanswered never reach 1).

    Args:
        comments: one row per comment with ``channel`` and the time-to-reply column in hours.
        column: the time-to-first-reply column (hours, NaN when unanswered).
        max_hours: right end of the x axis.

    Returns:
        The matplotlib figure, with the 1 h and 24 h targets marked.
    """
    figure, axes = plots.new_figure(
        "Time to first reply, unanswered comments counted as never answered",
        "hours since the comment (log scale)",
        "share of all comments answered",
    )
    grid = np.logspace(-1, np.log10(max_hours), 200)
    colours = {
        "brand_page": plots.COMMUNITY_COLOURS["external"],
        "rse": plots.COMMUNITY_COLOURS["internal"],
    }
    for channel, part in comments.groupby("channel", sort=True):
        hours = part[column].to_numpy(dtype=float)
        share = [(hours <= x).sum() / hours.size for x in grid]
        axes.plot(
            grid,
            share,
            label=str(channel).replace("_", " "),
            color=colours.get(channel, plots.PALETTE[2]),
        )
    for target in (1, 24):
        axes.axvline(target, color="#555555", linestyle=":", linewidth=1)
        axes.text(target, 0.02, f" {target} h", color="#555555", fontsize=8)
    axes.set_xscale("log")
    ticks = [t for t in (0.1, 0.25, 0.5, 1, 2, 6, 12, 24, 48, 72, 168) if t <= max_hours]
    axes.set_xticks(ticks, [f"{t:g}" for t in ticks])
    axes.set_ylim(0, 1)
    axes.yaxis.set_major_formatter(plt.FuncFormatter(lambda y, _: f"{y:.0%}"))
    axes.legend(title="channel", fontsize="small", loc="upper left")
    return figure
