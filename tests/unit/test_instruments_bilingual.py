"""The self-assessment instruments say the same thing in French and in English."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

INSTRUMENTS = Path(__file__).resolve().parents[2] / "course" / "assess" / "instruments"
NAMES = ("competency", "maturity")


def _load(name: str) -> dict:
    return json.loads((INSTRUMENTS / f"{name}.json").read_text(encoding="utf-8"))


def _pairs(node, path=""):
    """Every {fr, en} pair of the instrument, with its path."""
    if isinstance(node, dict):
        if {"fr", "en"} & set(node):
            yield path, node
            return
        for key, value in node.items():
            yield from _pairs(value, f"{path}/{key}")


@pytest.mark.parametrize("name", NAMES)
def test_every_string_has_both_languages_with_the_same_numbers_and_placeholders(name):
    """Has every text both languages, with the same figures, placeholders and citations?"""
    pairs = list(_pairs(_load(name)))
    assert len(pairs) > 40
    for path, pair in pairs:
        assert set(pair) == {"fr", "en"}, path
        fr, en = pair["fr"], pair["en"]
        assert fr.strip() and en.strip(), path
        assert re.findall(r"\{(\w+)\}", fr) == re.findall(r"\{(\w+)\}", en), path
        assert sorted(re.findall(r"\d+", fr)) == sorted(re.findall(r"\d+", en)), path
        assert re.findall(r"\[src:[\w-]+\]", fr) == re.findall(r"\[src:[\w-]+\]", en), path


def test_competency_items_scales_and_orientation_match_the_instrument():
    """Are there 5 dimensions of 4 items, the 1-5 + N/A scales and O1-O3, in both languages?"""
    data = _load("competency")
    assert list(data["dimensions"]) == ["D1", "D2", "D3", "D4", "D5"]
    for dim, body in data["dimensions"].items():
        assert list(body["items"]) == [f"{dim}.{i}" for i in range(1, 5)]
    assert list(data["scale"]) == ["1", "2", "3", "4", "5", "na"]
    assert list(data["agreement_scale"]) == ["1", "2", "3", "4", "5", "na"]
    assert list(data["importance_scale"]) == ["1", "2", "3", "4", "5"]
    assert list(data["orientation"]) == ["O1", "O2", "O3"]
    assert list(data["bands"]) == ["discovery", "operational", "expert"]


def test_maturity_dimensions_have_four_stages_and_an_action_for_each_step():
    """Has each of the 8 dimensions 4 descriptors and 3 actions that are not the descriptors?"""
    data = _load("maturity")
    assert len(data["dimensions"]) == 8
    assert list(data["stages"]) == ["1", "2", "3", "4"]
    for key, body in data["dimensions"].items():
        assert list(body["descriptors"]) == ["1", "2", "3", "4"], key
        assert list(body["actions"]) == ["2", "3", "4"], key
        for stage, action in body["actions"].items():
            for lang in ("fr", "en"):
                assert action[lang] != body["descriptors"][stage][lang], (key, stage, lang)


def test_one_vocabulary_across_the_two_instruments():
    """Do both instruments use active/interactive (never 'engaged'), and Animation = Facilitation?"""
    competency, maturity = _load("competency"), _load("maturity")
    for data in (competency, maturity):
        text = json.dumps(data, ensure_ascii=False).lower()
        assert "engagé" not in text and "engaged" not in text
    assert competency["dimensions"]["D2"]["name"] == {"fr": "Animation", "en": "Facilitation"}
    assert maturity["dimensions"]["facilitation"]["name"] == {
        "fr": "Animation",
        "en": "Facilitation",
    }
    assert "interacti" in competency["dimensions"]["D4"]["items"]["D4.1"]["en"]


def test_the_two_apps_name_the_same_things_the_same_way():
    """Do the two apps use the same words for the language, the resume code and its button?"""
    competency, maturity = _load("competency")["ui"], _load("maturity")["ui"]
    assert competency["language"] == maturity["language"]
    assert competency["code_input"] == maturity["resume_code"]
    assert competency["code_button"] == maturity["resume"]


def test_french_wording_fixed_in_issue_20():
    """Is the French idiomatic and consistent (veille, the neutral point, inclusive forms)?"""
    competency = _load("competency")
    assert competency["dimensions"]["D1"]["items"]["D1.1"]["fr"].startswith(
        "Je fais de la veille sur"
    )
    assert "ni d'accord ni pas d'accord" in competency["agreement_scale"]["3"]["fr"]
    assert "·e" in competency["scale"]["3"]["fr"]
    assert competency["bands"]["operational"]["fr"].endswith("·le")
