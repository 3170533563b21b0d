"""The organisation maturity instrument: its data file and ``course.assess.maturity.score``."""

from __future__ import annotations

import itertools
import math
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course.assess import maturity
from course.assess.maturity import DIMENSIONS, score


def stages_of(*values: int) -> dict[str, int]:
    return dict(zip(DIMENSIONS, values, strict=True))


def test_dimension_keys_are_the_instruments():
    """Are the eight dimension keys exactly those of instruments.md, in order?"""
    assert DIMENSIONS == (
        "strategy",
        "leadership",
        "culture",
        "facilitation",
        "uses",
        "governance",
        "tools",
        "measurement",
    )


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_instrument_is_complete_in_both_languages(lang):
    """Does every dimension have a name, a prompt and four non-empty stage descriptors?"""
    wording = maturity.instrument(lang)
    assert list(wording["dimensions"]) == list(DIMENSIONS)
    assert list(wording["stages"]) == ["1", "2", "3", "4"]
    for dim in DIMENSIONS:
        entry = wording["dimensions"][dim]
        assert entry["name"].strip() and entry["prompt"].strip()
        assert list(entry["descriptors"]) == ["1", "2", "3", "4"]
        assert all(text.strip() for text in entry["descriptors"].values())


def test_languages_differ_and_stage_names_match_the_brief():
    """Are French and English texts distinct translations with the brief's stage names?"""
    fr, en = maturity.instrument("fr"), maturity.instrument("en")
    assert "Hiérarchie" in fr["stages"]["1"] and "Réseau" in fr["stages"]["4"]
    assert "Hierarchy" in en["stages"]["1"] and "Network" in en["stages"]["4"]
    assert fr["dimensions"]["strategy"]["prompt"] != en["dimensions"]["strategy"]["prompt"]


def test_unknown_language_is_refused():
    """Does an unknown language raise ValueError?"""
    with pytest.raises(ValueError, match="language"):
        maturity.instrument("de")
    with pytest.raises(ValueError, match="language"):
        score(stages_of(1, 1, 1, 1, 1, 1, 1, 1), lang="de")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ((1, 1, 1, 1, 1, 1, 1, 1), 1),
        ((4, 4, 4, 4, 4, 4, 4, 4), 4),
        ((2, 2, 2, 2, 3, 3, 3, 3), 2),  # median 2.5 rounds down
        ((3, 3, 3, 3, 4, 4, 4, 4), 3),  # median 3.5 rounds down
        ((1, 4, 4, 4, 4, 4, 4, 4), 2),  # median 4, capped at weakest 1 + 1
        ((2, 4, 4, 4, 4, 4, 4, 4), 3),  # capped at 2 + 1
        ((3, 4, 4, 4, 4, 4, 4, 4), 4),  # cap 4 does not bite
        ((1, 1, 1, 1, 4, 4, 4, 4), 2),  # median 2.5 → 2, cap 2
        ((1, 1, 1, 3, 3, 4, 4, 4), 2),  # median 3, capped at 2
        ((1, 2, 2, 2, 2, 2, 2, 2), 2),  # cap equals median
        ((4, 3, 4, 3, 4, 3, 4, 3), 3),  # order of dimensions does not matter
    ],
)
def test_overall_stage_boundaries(values, expected):
    """Is the overall stage the floored median, capped at the weakest + 1, on boundary cases?"""
    assert score(stages_of(*values)).overall_stage == expected


@given(st.lists(st.integers(1, 4), min_size=8, max_size=8))
def test_overall_stage_matches_statistics_median(values):
    """Does the overall stage equal min(floor(statistics.median), min + 1) for any answers?"""
    result = score(stages_of(*values))
    expected = min(math.floor(statistics.median(values)), min(values) + 1)
    assert result.overall_stage == expected
    assert result.median == statistics.median(values)
    assert min(values) <= result.overall_stage <= max(values)


def test_overall_stage_over_every_combination():
    """Over all 4^8 answer sets, is the stage in 1–4 and never more than one above the weakest?"""
    for values in itertools.product(range(1, 5), repeat=8):
        stage = maturity.overall_stage(stages_of(*values))
        assert 1 <= stage <= min(values) + 1


def test_weakest_lists_every_dimension_at_the_lowest_stage():
    """Does .weakest name all the dimensions tied at the lowest stage, in instrument order?"""
    result = score(stages_of(3, 2, 4, 2, 3, 3, 4, 2))
    assert result.weakest_stage == 2
    assert result.weakest == ("leadership", "facilitation", "measurement")


def test_next_actions_are_the_next_stage_actions_weakest_first():
    """Are next actions the instrument's actions toward the next stage, weakest first?"""
    en = maturity.instrument("en")["dimensions"]
    result = score(stages_of(3, 1, 4, 2, 4, 4, 4, 4))
    assert list(result.next_actions) == ["leadership", "facilitation", "strategy"]
    assert result.next_stages == {"leadership": 2, "facilitation": 3, "strategy": 4}
    assert result.next_actions["leadership"] == en["leadership"]["actions"]["2"]
    assert result.next_actions["strategy"] == en["strategy"]["actions"]["4"]
    # An action says what to do, not what the next stage looks like.
    for dim, stage in result.next_stages.items():
        assert result.next_actions[dim] != en[dim]["descriptors"][str(stage)]


def test_next_actions_in_french_and_none_at_the_top():
    """Are next actions given in French on request, and empty when every stage is 4?"""
    fr = maturity.instrument("fr")["dimensions"]
    result = score(stages_of(4, 4, 4, 4, 4, 4, 4, 3), lang="fr")
    assert result.next_actions == {"measurement": fr["measurement"]["actions"]["4"]}
    assert score(stages_of(4, 4, 4, 4, 4, 4, 4, 4)).next_actions == {}


def test_missing_dimension_is_refused():
    """Does a missing (or None) dimension raise ValueError naming it?"""
    stages = stages_of(2, 2, 2, 2, 2, 2, 2, 2)
    del stages["tools"]
    with pytest.raises(ValueError, match="tools"):
        score(stages)
    with pytest.raises(ValueError, match="culture"):
        score(stages_of(2, 2, 2, 2, 2, 2, 2, 2) | {"culture": None})
    with pytest.raises(ValueError, match="missing"):
        score({})


@pytest.mark.parametrize("bad", [0, 5, -1, 2.5, "3", True, float("nan")])
def test_stage_outside_one_to_four_is_refused(bad):
    """Does a stage outside 1–4 or not a whole number raise ValueError naming the dimension?"""
    with pytest.raises(ValueError, match="uses"):
        score(stages_of(2, 2, 2, 2, 2, 2, 2, 2) | {"uses": bad})


def test_unknown_dimension_and_non_mapping_are_refused():
    """Do an unknown dimension key and a non-mapping raise ValueError?"""
    with pytest.raises(ValueError, match="unknown"):
        score(stages_of(2, 2, 2, 2, 2, 2, 2, 2) | {"budget": 3})
    with pytest.raises(ValueError, match="mapping"):
        score([1, 2, 3, 4, 1, 2, 3, 4])


def test_whole_floats_and_numpy_integers_are_accepted():
    """Are 3.0 and numpy integers accepted as stages and returned as int?"""
    import numpy as np

    result = score(stages_of(3.0, np.int64(2), 2, 2, 2, 2, 2, 2))
    assert result.stages["strategy"] == 3 and type(result.stages["leadership"]) is int
