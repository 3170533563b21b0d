"""Scoring rules of the competency self-assessment (instruments.md, part A)."""

from __future__ import annotations

import pytest

from course.assess import competency
from course.assess.competency import (
    DIMENSIONS,
    ITEMS,
    band,
    instrument,
    orientation_index,
    orientation_profile,
    score,
)


def dim_answers(dim: str, values) -> dict:
    """Answers for one dimension's items, in order (None = N/A)."""
    return {f"{dim}.{i}": v for i, v in enumerate(values, start=1)}


def all_answers(value) -> dict:
    return dict.fromkeys(ITEMS, value)


# -- scores ------------------------------------------------------------------------------------


def test_score_formula_on_four_items():
    """Is a dimension score (mean − 1) / 4 × 100?"""
    result = score(dim_answers("D1", [1, 2, 3, 4]))
    assert result.scores["D1"] == pytest.approx(37.5)


def test_three_answered_items_are_enough():
    """Is a dimension with exactly three answered items scored (the fourth N/A)?"""
    result = score(dim_answers("D2", [5, 5, 4, None]))
    assert result.scores["D2"] == pytest.approx((14 / 3 - 1) / 4 * 100)
    assert result.answered["D2"] == 3


def test_two_answered_items_give_no_score_not_zero():
    """Does a dimension with two answers (N/A not counting) stay missing rather than 0?"""
    result = score(dim_answers("D3", [1, 1, None, "na"]))
    assert result.scores["D3"] is None
    assert result.bands["D3"] is None
    assert result.gaps["D3"] is None
    assert result.missing_dimensions == ["D1", "D2", "D3", "D4", "D5"]
    assert result.missing_answers("D3") == 1


@pytest.mark.parametrize("na", [None, "na", "N/A", "NA"])
def test_na_spellings_are_not_answers(na):
    """Are None, "na" and "N/A" all treated as N/A (not counted)?"""
    result = score(dim_answers("D4", [4, 4, na, na]))
    assert result.answered["D4"] == 2
    assert result.scores["D4"] is None


def test_extremes():
    """Do all-1 answers score 0 and all-5 answers score 100?"""
    assert score(all_answers(1)).scores == dict.fromkeys(DIMENSIONS, 0.0)
    assert score(all_answers(5)).scores == dict.fromkeys(DIMENSIONS, 100.0)


# -- bands -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "discovery"),
        (39.999, "discovery"),
        (40, "operational"),
        (69.999, "operational"),
        (70, "expert"),
        (100, "expert"),
        (None, None),
    ],
)
def test_band_boundaries(value, expected):
    """Are 40 and 70 the first scores of the operational and expert bands?"""
    assert band(value) == expected


def test_bands_of_scored_dimensions():
    """Do real answer sets land on either side of the boundaries (37.5 / 43.75 / 68.75 / 75)?"""
    answers = {
        **dim_answers("D1", [2, 2, 3, 3]),  # mean 2.5  -> 37.5
        **dim_answers("D2", [2, 3, 3, 3]),  # mean 2.75 -> 43.75
        **dim_answers("D3", [3, 4, 4, 4]),  # mean 3.75 -> 68.75
        **dim_answers("D4", [4, 4, 4, 4]),  # mean 4    -> 75
    }
    result = score(answers)
    assert result.scores["D1"] == pytest.approx(37.5)
    assert result.bands == {
        "D1": "discovery",
        "D2": "operational",
        "D3": "operational",
        "D4": "expert",
        "D5": None,
    }


# -- gaps and recommendations ------------------------------------------------------------------


def test_gap_uses_importance_and_defaults_to_three():
    """Is gap = importance × (100 − score) / 100 with importance 3 when not given?"""
    answers = {**dim_answers("D1", [3, 3, 3, 3]), **dim_answers("D2", [3, 3, 3, 3])}
    result = score(answers, importance={"D1": 5})
    assert result.gaps["D1"] == pytest.approx(5 * 0.5)
    assert result.gaps["D2"] == pytest.approx(3 * 0.5)
    assert result.importance["D2"] == 3


def test_two_largest_gaps_recommend_modules_in_gap_order():
    """Do the two largest gaps give their modules, largest first?"""
    answers = {
        **dim_answers("D1", [5, 5, 5, 4]),
        **dim_answers("D2", [4, 4, 4, 4]),
        **dim_answers("D3", [1, 1, 1, 1]),  # largest gap
        **dim_answers("D4", [2, 2, 2, 2]),  # second
        **dim_answers("D5", [3, 3, 3, 3]),
    }
    result = score(answers)
    assert result.focus == ["D3", "D4"]
    assert result.recommended_modules == ["M3", "M6"]


def test_ties_go_to_the_lower_dimension_number():
    """With equal gaps, does the lower dimension number come first?"""
    result = score({**dim_answers("D5", [2, 2, 2, 2]), **dim_answers("D2", [2, 2, 2, 2])})
    assert result.focus == ["D2", "D5"]
    assert result.recommended_modules == ["M2", "M4", "M7"]


def test_importance_can_reorder_the_gaps():
    """Does a higher importance turn a smaller deficit into the largest gap?"""
    answers = {**dim_answers("D1", [2, 2, 2, 2]), **dim_answers("D4", [3, 3, 3, 3])}
    result = score(answers, importance={"D1": 1, "D4": 5})
    assert result.focus == ["D4", "D1"]
    assert result.recommended_modules == ["M6", "M1"]


def test_modules_are_not_repeated():
    """Is M6 listed once when D1 (M1, M6) and D4 (M6) are both recommended?"""
    result = score({**dim_answers("D1", [1, 1, 1, 1]), **dim_answers("D4", [1, 1, 1, 1])})
    assert result.recommended_modules == ["M1", "M6"]


def test_zero_gap_recommends_nothing():
    """Does a perfect dimension (gap 0) stay out of the recommendations?"""
    result = score({**dim_answers("D1", [5, 5, 5, 5]), **dim_answers("D3", [5, 5, 5, 5])})
    assert result.gaps["D1"] == 0
    assert result.focus == []
    assert result.recommended_modules == []


def test_only_one_positive_gap_recommends_one_dimension():
    """With one positive gap and one zero gap, is only one dimension recommended?"""
    result = score({**dim_answers("D1", [5, 5, 5, 5]), **dim_answers("D2", [4, 4, 4, 4])})
    assert result.focus == ["D2"]
    assert result.recommended_modules == ["M2"]


def test_missing_scores_recommend_nothing():
    """Is a dimension without a score (no gap) skipped in favour of scored ones?"""
    answers = {**dim_answers("D1", [1, 1, None, None]), **dim_answers("D2", [3, 3, 3, 3])}
    result = score(answers)
    assert result.focus == ["D2"]


# -- orientation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("o1", "o2", "o3", "index", "profile"),
    [
        (5, 1, 5, 5.0, "internal"),
        (1, 5, 1, 1.0, "external"),
        (4, 3, 4, 11 / 3, "internal"),
        (4, None, 3, 3.5, "internal"),  # exactly 3.5
        (2, None, 3, 2.5, "external"),  # exactly 2.5
        (3, 3, 3, 3.0, "hybrid"),
        (3, None, None, None, None),  # fewer than two answered
        (None, None, None, None, None),
        ("na", 2, 4, 4.0, "internal"),
    ],
)
def test_orientation_rule(o1, o2, o3, index, profile):
    """Is the index mean(O1, O3, 6 − O2) over at least two answers, cut at 3.5 and 2.5?"""
    got = orientation_index(o1, o2, o3)
    assert got == (pytest.approx(index) if index is not None else None)
    assert orientation_profile(got) == profile


@pytest.mark.parametrize(
    ("index", "profile"), [(3.49, "hybrid"), (2.51, "hybrid"), (2.5, "external")]
)
def test_orientation_profile_boundaries(index, profile):
    """Are 3.5 and 2.5 inclusive boundaries, and values just inside them hybrid?"""
    assert orientation_profile(index) == profile


def test_profile_adds_its_modules_after_gaps():
    """Does an internal profile add M4, M5 after the gap modules, without repeats?"""
    answers = {**dim_answers("D5", [1, 1, 1, 1]), **dim_answers("D2", [2, 2, 2, 2])}
    result = score(answers, orientation={"O1": 5, "O2": 1, "O3": 5})
    assert result.profile == "internal"
    assert result.recommended_modules == ["M4", "M7", "M2", "M5"]


def test_external_profile_adds_m2_m3():
    """Does an external profile add M2 then M3?"""
    result = score(dim_answers("D1", [2, 2, 2, 2]), orientation={"O1": 1, "O2": 5})
    assert result.profile == "external"
    assert result.recommended_modules == ["M1", "M6", "M2", "M3"]


def test_hybrid_or_no_profile_adds_nothing():
    """Do hybrid and missing profiles add no module?"""
    base = dim_answers("D3", [2, 2, 2, 2])
    assert score(base, orientation={"O1": 3, "O2": 3}).recommended_modules == ["M3"]
    assert score(base, orientation={"O1": 5}).profile is None
    assert score(base, orientation={"O1": 5}).recommended_modules == ["M3"]


def test_strengths_are_the_two_highest_scores():
    """Are the strengths the two highest scores, ties to the lower number?"""
    answers = {
        **dim_answers("D1", [3, 3, 3, 3]),
        **dim_answers("D4", [5, 5, 5, 5]),
        **dim_answers("D5", [5, 5, 5, 5]),
    }
    assert score(answers).strengths == ["D4", "D5"]


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 6, -1, 2.5, "3", "x", True, [3], float("nan")])
def test_bad_answers_raise_naming_the_item(value):
    """Does an answer outside 1–5 or not a whole number raise ValueError naming the item?"""
    with pytest.raises(ValueError, match=r"D2\.3"):
        score({"D2.3": value})


def test_whole_floats_are_accepted():
    """Is 4.0 read as 4?"""
    assert score(dim_answers("D1", [4.0, 4, 4, 4])).scores["D1"] == 75.0


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"answers": {"D6.1": 3}}, "D6.1"),
        ({"answers": {"D1.5": 3}}, "D1.5"),
        ({"answers": {}, "importance": {"D9": 3}}, "D9"),
        ({"answers": {}, "orientation": {"O4": 3}}, "O4"),
    ],
)
def test_unknown_ids_raise_naming_them(kwargs, name):
    """Do unknown item, importance and orientation ids raise ValueError naming the id?"""
    with pytest.raises(ValueError, match=name):
        score(**kwargs)


def test_bad_importance_and_orientation_values_raise():
    """Are importance 0 and orientation 7 refused with the id in the message?"""
    with pytest.raises(ValueError, match="D1"):
        score({}, importance={"D1": 0})
    with pytest.raises(ValueError, match="O2"):
        score({}, orientation={"O2": 7})


# -- the instrument's wording ------------------------------------------------------------------


def _shape(node):
    if isinstance(node, dict):
        return {key: _shape(value) for key, value in node.items()}
    return type(node).__name__


def test_both_languages_have_the_same_ids():
    """Do French and English have exactly the same keys everywhere (items, scales, UI)?"""
    assert _shape(instrument("fr")) == _shape(instrument("en"))


def test_every_bilingual_leaf_has_both_languages():
    """Does every translated text exist, non-empty, in both languages?"""
    raw = competency._load_instrument()

    def walk(node, path):
        if isinstance(node, dict):
            if set(node) & {"fr", "en"}:
                assert set(node) == {"fr", "en"}, path
                assert all(isinstance(v, str) and v.strip() for v in node.values()), path
            else:
                for key, value in node.items():
                    walk(value, f"{path}/{key}")

    walk(raw, "")


def test_instrument_ids_match_the_scoring():
    """Do the instrument's items, dimensions and orientation ids match the scoring's ids?"""
    text = instrument("fr")
    assert tuple(text["dimensions"]) == DIMENSIONS
    assert tuple(i for d in text["dimensions"].values() for i in d["items"]) == ITEMS
    assert tuple(text["orientation"]) == ("O1", "O2", "O3")
    assert set(text["scale"]) == {"1", "2", "3", "4", "5", "na"}
    assert set(text["bands"]) == set(competency.BANDS)
    assert set(text["profiles"]) == set(competency.PROFILE_MODULES)
    modules = {m for ms in competency.MODULES_BY_DIMENSION.values() for m in ms}
    assert modules | {m for ms in competency.PROFILE_MODULES.values() for m in ms} <= set(
        text["modules"]
    )


def test_french_is_the_default_and_unknown_languages_fail():
    """Is French the default, and is an unknown language refused?"""
    assert instrument()["dimensions"]["D1"]["name"] == "Écoute"
    assert instrument("en")["dimensions"]["D1"]["name"] == "Listening"
    with pytest.raises(ValueError, match="de"):
        instrument("de")


def test_lesson_links_name_the_real_lesson_files(tmp_path):
    """Do the recommendations link to the lesson files that exist, M5 included, even when the
    modules folder cannot be listed (the defaults then)?"""
    from pathlib import Path

    from course.assess.report import DEFAULT_LESSONS, lesson_links

    modules = Path(__file__).resolve().parents[2] / "modules"
    found = lesson_links(base_url="", modules_dir=modules)
    assert found["M5"] == "m5_communities.ipynb"
    for module, name in found.items():
        if (modules / name).exists():
            assert DEFAULT_LESSONS[module] == name, f"stale default lesson name for {module}"
    unlisted = lesson_links(base_url="x/", modules_dir=tmp_path / "absent")
    assert unlisted["M5"] == "x/m5_communities.ipynb"


def test_report_chart_leaves_the_plotting_backend_alone():
    """Does drawing the report's chart keep the trainee's matplotlib backend as it was?"""
    import subprocess
    import sys

    code = (
        "import matplotlib; matplotlib.use('svg'); "
        "from course.assess import competency, report; "
        "answers = {f'D{d}.{i}': 3 for d in range(1, 6) for i in range(1, 5)}; "
        "png = report.chart_png(competency.score(answers), competency.instrument('en')); "
        "assert png[:4] == b'\\x89PNG', png[:8]; "
        "print(matplotlib.get_backend())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "svg"
