"""The glossary: one meaning per term, linked from each lesson at the term's first mention."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from course import glossary

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "modules").glob("m*.ipynb"))


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_each_term_is_linked_at_its_first_mention(lesson):
    """Is every glossary term's first mention in the lesson a link to the glossary?"""
    missing = glossary.missing_links(lesson)
    assert not missing, "run `course sources --link` on the lesson:\n" + "\n".join(missing)
    assert glossary.unknown_links(lesson) == []


def test_every_term_is_used_by_a_lesson():
    """Is each glossary term linked from at least one lesson?"""
    linked = {
        match.group(2)
        for lesson in LESSONS
        for match in glossary.LINK_RE.finditer(lesson.read_text(encoding="utf-8"))
    }
    assert set(glossary.terms()) - linked == set()


def test_every_term_has_both_languages():
    """Has every term a French and an English name and definition?"""
    for term in glossary.terms().values():
        assert term.en and term.fr and term.def_en and term.def_fr, term.key


def _notebook(tmp_path: Path, *texts: str) -> Path:
    cells = [
        {"cell_type": "markdown", "id": f"c{i}", "metadata": {}, "source": [t]}
        for i, t in enumerate(texts)
    ]
    path = tmp_path / "m9.ipynb"
    path.write_text(
        json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    )
    return path


def test_linking_skips_headings_code_and_citations_and_is_idempotent(tmp_path):
    """Are headings, code spans and citations left alone, and does a second pass add nothing?"""
    path = _notebook(
        tmp_path,
        "# The Gini of an RSE\n`gini(x)` and [src:rse-x]",
        "The Gini coefficient of the RSE, then the Gini again.",
    )
    assert glossary.missing_links(path)
    glossary.link_file(path)
    cells = json.loads(path.read_text())["cells"]
    first, second = ("".join(c["source"]) for c in cells)
    assert first == "# The Gini of an RSE\n`gini(x)` and [src:rse-x]"
    assert second == (
        "The [Gini](../docs/glossary.md#gini) coefficient of the [RSE](../docs/glossary.md#rse),"
        " then the Gini again."
    )
    assert glossary.link_file(path) == 0
    assert glossary.missing_links(path) == []


def test_a_later_link_does_not_excuse_an_earlier_plain_mention(tmp_path):
    """Is a term mentioned plainly before its link reported as missing?"""
    path = _notebook(tmp_path, "A champion helps.", "A [champion](../docs/glossary.md#champion).")
    assert any("#champion" in line for line in glossary.missing_links(path))
