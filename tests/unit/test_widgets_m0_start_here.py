"""The M0 column explorer: a pure table function and a widget whose callback refreshes it."""

from __future__ import annotations

import pandas as pd
import pytest

from course.widgets.m0_start_here import column_explorer, share_table


@pytest.fixture
def survey() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "gender": ["woman", "man", "woman", "woman"],
            "role": ["internal", "external", "external", "hybrid"],
        }
    )


def test_share_table_counts_and_shares(survey):
    """Does the table give counts and shares, most frequent first?"""
    table = share_table(survey, "gender")
    assert list(table.index) == ["woman", "man"]
    assert table["respondents"].tolist() == [3, 1]
    assert table["share"].tolist() == [0.75, 0.25]


def test_share_table_unknown_column_names_the_choices(survey):
    """Does an unknown column raise a KeyError listing the real columns?"""
    with pytest.raises(KeyError, match="gender"):
        share_table(survey, "salary")


def test_explorer_callback_refreshes_the_table(survey):
    """Does choosing another column in the drop-down redraw the table for that column?"""
    box = column_explorer(survey)
    picker, table = box.children
    assert picker.description == "Column"
    assert "woman" in table.value
    picker.value = "role"
    assert "hybrid" in table.value and "woman" not in table.value
