"""The M0 widget: a first slider, to see that moving a control re-runs a small computation."""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd


def share_table(survey: pd.DataFrame, column: str) -> pd.DataFrame:
    """Count and share of respondents per value of one survey column.

    Args:
        survey: the ``cm_survey`` dataset.
        column: a categorical column, e.g. ``"gender"``.

    Returns:
        One row per value, most frequent first, with ``respondents`` and ``share`` (0–1).

    Raises:
        KeyError: when the column is not in the survey.
    """
    if column not in survey.columns:
        raise KeyError(f"No column {column!r}; choose one of {', '.join(survey.columns)}")
    counts = survey[column].value_counts().rename("respondents")
    table = counts.to_frame()
    table["share"] = (table["respondents"] / len(survey)).round(3)
    table.index.name = column
    return table


def column_explorer(survey: pd.DataFrame) -> widgets.VBox:
    """A drop-down of survey columns and the table of their shares, redrawn on every change.

    Args:
        survey: the ``cm_survey`` dataset.

    Returns:
        A ``VBox`` holding the drop-down and an ``HTML`` widget with the table.
    """
    choices = [c for c in survey.columns if survey[c].dtype == object and survey[c].nunique() <= 15]
    picker = widgets.Dropdown(options=choices, value=choices[0], description="Column")
    table = widgets.HTML()

    def refresh(*_):
        table.value = share_table(survey, picker.value).to_html()

    picker.observe(refresh, names="value")
    refresh()
    return widgets.VBox([picker, table])
