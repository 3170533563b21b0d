"""Charts shared by the lessons and dashboards: one colour-blind-safe palette, titled and labelled.

The palette is Okabe & Ito's (2008), safe for the common colour-vision deficiencies.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use(matplotlib.get_backend())  # respect MPLBACKEND (Agg in tests, inline in Jupyter)
import matplotlib.pyplot as plt

#: Okabe-Ito colours, in the order charts use them.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)

#: Fixed colours for the two kinds of community, so every chart of the course agrees.
COMMUNITY_COLOURS = {"internal": PALETTE[0], "external": PALETTE[1], "hybrid": PALETTE[2]}


def colours(n: int) -> list[str]:
    """The first ``n`` palette colours (cycling if more are needed)."""
    return [PALETTE[i % len(PALETTE)] for i in range(n)]


def new_figure(
    title: str, xlabel: str, ylabel: str, size: tuple[float, float] = (7.0, 4.0)
) -> tuple[plt.Figure, plt.Axes]:
    """A figure with one axes, its title and both axis labels set.

    Args:
        title: what the chart shows, in a sentence fragment.
        xlabel: x-axis label, with its unit.
        ylabel: y-axis label, with its unit.
        size: width and height in inches.

    Returns:
        ``(figure, axes)``.
    """
    figure, axes = plt.subplots(figsize=size, layout="constrained")
    axes.set_title(title)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_prop_cycle(color=list(PALETTE))
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def barh(
    labels: Sequence[str],
    values: Sequence[float],
    title: str,
    xlabel: str,
    ylabel: str = "",
    errors: Sequence[tuple[float, float]] | None = None,
) -> tuple[plt.Figure, plt.Axes]:
    """A horizontal bar chart, optionally with asymmetric error bars ``(low, high)`` per bar."""
    figure, axes = new_figure(title, xlabel, ylabel, size=(7.0, 0.45 * len(labels) + 1.5))
    xerr = None
    if errors is not None:
        xerr = [
            [v - lo for v, (lo, _) in zip(values, errors, strict=True)],
            [hi - v for v, (_, hi) in zip(values, errors, strict=True)],
        ]
    axes.barh(list(labels), list(values), xerr=xerr, color=PALETTE[0], capsize=3)
    axes.invert_yaxis()
    return figure, axes


def to_png(figure: plt.Figure, dpi: int = 90) -> bytes:
    """Render a figure to PNG bytes (for an ``ipywidgets.Image``) and close it.

    Args:
        figure: the matplotlib figure; it is closed afterwards, so widgets redrawn many times
            do not pile up open figures.
        dpi: resolution.

    Returns:
        The PNG file's bytes.
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    plt.close(figure)
    return buffer.getvalue()
