"""The source register: every cited key is registered, every entry is cited, the docs are fresh."""

from __future__ import annotations

import json

import pytest

from course import sources


def test_every_cited_key_is_in_the_register_and_every_entry_is_cited():
    """Does the course text cite only registered keys, and is every register entry cited?"""
    assert sources.problems() == []


def test_a_key_missing_from_the_register_is_reported(tmp_path):
    """Is a lesson citing an unknown key reported with the file that cites it?"""
    (tmp_path / "modules").mkdir()
    cell = {"cell_type": "markdown", "metadata": {}, "source": ["As shown [src:no-such-key]."]}
    (tmp_path / "modules" / "m9_test.ipynb").write_text(json.dumps({"cells": [cell]}))
    found = sources.problems(tmp_path)
    assert any("[src:no-such-key]" in line and "m9_test.ipynb" in line for line in found)


def test_an_entry_nothing_cites_is_reported(tmp_path):
    """Is a register entry that no file cites reported as unused?"""
    found = sources.problems(tmp_path)  # an empty course cites nothing
    assert any("[regionsjob-anov-2012]" in line and "cited nowhere" in line for line in found)


def test_citations_are_found_in_cards_rubrics_and_instrument_strings():
    """Are citations found in data cards, rubrics and the instruments' JSON strings?"""
    used = sources.citations()
    assert "datasets/cm_survey.md" in used["regionsjob-anov-2012"]
    assert "grading/rubrics/m1_roles.md" in used["regionsjob-anov-2012"]
    assert "course/assess/instruments/maturity.json" in used["cr-socm"]


def test_every_entry_has_author_title_outlet_date_and_what_it_supports(tmp_path):
    """Does the register refuse an entry without a date?"""
    bad = tmp_path / "sources.toml"
    bad.write_text('[x]\nauthor = "a"\ntitle = "t"\noutlet = "o"\nsupports = "s"\n')
    with pytest.raises(ValueError, match="lacks date"):
        sources.load(bad)


def test_register_says_the_base_of_the_2012_shares_is_ambiguous():
    """Does the register record the survey's base ambiguity instead of hiding it?"""
    entry = sources.load()["regionsjob-anov-2012"]
    assert "en poste" in entry.supports and "ambiguous" in entry.supports


def test_attributions_found_wrong_in_issue_20_stay_fixed():
    """Is the EDF article credited to My Community Manager, the contrast to the blog post?"""
    entries = sources.load()
    assert entries["mcm-edf-2012"].outlet == "My Community Manager"
    assert entries["mcm-edf-2012"].date == "2012-10-15"
    assert "deux types" in entries["deux-types-cm"].title
    assert "not given" in entries["rse-success-study"].supports
    lessons = {
        name: "\n".join(sources._texts(sources.ROOT / "modules" / f"{name}.ipynb"))
        for name in ("m1_roles", "m2_engagement", "m3_moderation", "m4_rollout")
    }
    assert "Journal du Net (JDN), article on EDF" not in lessons["m4_rollout"]
    assert "2012 French study" not in lessons["m4_rollout"]
    assert "one in five" not in lessons["m3_moderation"]
    assert "(2013–2014)" not in lessons["m2_engagement"]
    assert "differences the ANVIE working group" not in lessons["m1_roles"]
