"""Unit tests of course.capstone: the case, the diagnosis, the rubric, its calibration, the plan's
length and the certificate's pieces."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from course import capstone
from course.data import capstone as case_data

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "exercises" / "source" / "m7_capstone" / "m7_capstone.ipynb"
RUBRIC_MD = REPO / "grading" / "rubrics" / "m7_capstone.md"
CALIBRATION = REPO / "exercises" / "fixtures" / "m7_capstone" / "calibration.toml"


@pytest.fixture(scope="module")
def case():
    return capstone.load_case()


@pytest.fixture(scope="module")
def calibration():
    return tomllib.loads(CALIBRATION.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- the case


def test_case_has_the_eight_parts_and_both_tracks(case):
    """Does the case hold its eight datasets, with both tracks where a track applies?"""
    assert set(case) == set(capstone.PARTS)
    for part in ("brief", "survey", "comments", "communities"):
        assert set(capstone.TRACKS) <= set(case[part]["track"]), part


def test_activity_export_lists_licensed_staff_only(case):
    """Does the export list licensed people of the directory only, in the report's columns?"""
    people, activity = case["people"], case["activity"]
    licensed = set(people.loc[people["has_engage_licence"], "user_principal_name"])
    assert set(activity["User Principal Name"]) <= licensed
    assert not people["has_engage_licence"].all()  # the denominator trap exists
    assert list(activity.columns)[:3] == [
        "Report Refresh Date",
        "User Principal Name",
        "Display Name",
    ]
    assert activity["Report Refresh Date"].nunique() == 12


def test_second_case_is_another_organisation_from_another_seed():
    """Does case b differ from case a in seed, organisation and figures?"""
    from course.data._core import SCENARIOS, rng_for

    a, b = case_data.case("a"), case_data.case("b")
    assert a.seed != b.seed and a.organisation != b.organisation and a.headcount != b.headcount
    assert set(SCENARIOS["capstone-b"]) == set(case_data.NAMES)
    brief_b = case_data.generate_brief(rng_for("capstone_brief"), "b")
    assert "Lumio" in set(brief_b["value"])
    people_b = case_data.generate_people(rng_for("capstone_people"), "b")
    assert len(people_b) == b.headcount
    with pytest.raises(KeyError, match="known: a, b"):
        case_data.case("z")


@pytest.mark.slow
def test_capstone_b_scenario_builds_and_loads(tmp_path, monkeypatch):
    """Does `course data build --scenario capstone-b` build a case that load_case reads?"""
    from course import data

    monkeypatch.setenv("COURSE_DATA_CACHE", str(tmp_path))
    data.build(scenario="capstone-b", progress=False)
    other = capstone.load_case("capstone-b")
    monkeypatch.setenv(capstone.SCENARIO_VARIABLE, "capstone-b")
    assert capstone.load_case()["people"].equals(other["people"])
    assert len(other["people"]) == 5_200
    assert capstone.brief(other["brief"])["organisation"] == "Lumio"
    assert data.verify(scenario="capstone-b") == []
    figures = capstone.diagnosis(other, "external")
    assert figures["members"] == 20_000


# --------------------------------------------------------------------------- brief and NPS


def test_brief_gives_the_organisation_then_the_track(case):
    """Does brief() return the organisation's fields and the chosen track's, in order?"""
    internal = capstone.brief(case["brief"], "internal")
    assert internal["organisation"] == "Cyclane"
    assert "HR director" in internal["sponsor"]
    assert float(internal["budget_eur"]) > 0
    external = capstone.brief(case["brief"], "external")
    assert "customer service" in external["sponsor"]
    assert "sponsor" not in capstone.brief(case["brief"])
    text = capstone.brief_markdown(case["brief"], "external")
    assert text.startswith("### Brief · Cyclane · external track")
    assert "budget_eur" not in text


def test_brief_rejects_an_unknown_track_and_a_wrong_frame(case):
    """Does brief() refuse an unknown track and a frame that is not a brief?"""
    with pytest.raises(ValueError, match="track"):
        capstone.brief(case["brief"], "both")
    with pytest.raises(ValueError, match="missing column"):
        capstone.brief(case["people"], "internal")


@pytest.mark.parametrize(
    ("scores", "expected"),
    [([10, 9, 8, 7, 0], 20.0), ([10, 10], 100.0), ([0, 6], -100.0), ([7, 8], 0.0), ([9], 100.0)],
)
def test_net_promoter_score(scores, expected):
    """Is the NPS promoters (9-10) minus detractors (0-6), in points?"""
    assert capstone.net_promoter_score(scores) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("scores", "error"),
    [([], ValueError), ([5, 11], ValueError), ([5, -1], ValueError), ([5.5], ValueError),
     ([5, np.nan], ValueError), ("9", TypeError), ([5, "x"], TypeError)],
)  # fmt: skip
def test_net_promoter_score_rejects_bad_input(scores, error):
    """Does the NPS refuse empty, out-of-range, fractional, missing and non-numeric answers?"""
    with pytest.raises(error):
        capstone.net_promoter_score(scores)


# --------------------------------------------------------------------------- diagnosis


def test_internal_diagnosis_uses_the_headcount(case):
    """Are the internal shares divided by all staff, computed here from the raw columns?"""
    people, activity = case["people"], case["activity"]
    figures = capstone.diagnosis(case, "internal")
    december = activity[activity["Report Refresh Date"] == activity["Report Refresh Date"].max()]
    interactive = ((december["Posted Count"] > 0) | (december["Liked Count"] > 0)).sum()
    assert figures["interactive_share"] == pytest.approx(interactive / len(people))
    assert figures["interactive_share"] < figures["active_share"] < len(december) / len(people)
    posted = set(activity.loc[activity["Posted Count"] > 0, "User Principal Name"])
    assert figures["posters_share"] == pytest.approx(len(posted) / len(people))


def test_external_diagnosis_leaves_staff_out_of_peer_answers(case):
    """Is the peer answer share computed without the staff accounts, and unanswered kept?"""
    members, comments = case["members"], case["comments"]
    figures = capstone.diagnosis(case, "external")
    peers = members.loc[~members["is_staff"], "n_answers"].sum()
    assert figures["peer_answer_share"] == pytest.approx(peers / members["n_answers"].sum())
    assert figures["peer_answer_share"] < 0.6  # staff write a large part: the trap is there
    external = comments[comments["track"] == "external"]
    answered = external["hours_to_first_reply"].notna()
    assert figures["answered"] == pytest.approx(answered.mean())
    assert figures["within_24h"] == pytest.approx((external["hours_to_first_reply"] <= 24).mean())


def test_diagnosis_rejects_an_unknown_track(case):
    """Does diagnosis() refuse a track that does not exist?"""
    with pytest.raises(ValueError, match="track"):
        capstone.diagnosis(case, "hybrid")


def test_staff_posts_counts_everyone(case):
    """Does staff_posts give one total per employee, zero for the unlicensed?"""
    totals = capstone.staff_posts(case["people"], case["activity"])
    assert len(totals) == len(case["people"])
    unlicensed = case["people"].loc[~case["people"]["has_engage_licence"], "user_principal_name"]
    assert (totals.loc[unlicensed] == 0).all()
    assert totals.sum() == case["activity"]["Posted Count"].sum()


# --------------------------------------------------------------------------- rubric


def _rubric_rows() -> dict[str, list[int]]:
    """criterion title -> points per level, read from the rubric's table."""
    rows = {}
    for line in RUBRIC_MD.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| ([^|`]+?) \(`(m7_q\d+_\w+)`\) \|", line)
        if match:
            rows[match.group(2)] = [int(p) for p in re.findall(r"\*\*(\d+) pts?\*\*", line)]
    return rows


def test_rubric_table_agrees_with_the_data_and_adds_up():
    """Do the rubric's table and course.capstone.RUBRIC give the same points, 24 in all?"""
    rows = _rubric_rows()
    assert set(rows) == {c.grade_id for c in capstone.RUBRIC}
    for criterion in capstone.RUBRIC:
        assert tuple(rows[criterion.grade_id]) == criterion.points, criterion.key
        assert list(criterion.points) == sorted(criterion.points, reverse=True)
        assert criterion.points[-1] == 0
    assert capstone.rubric_points() == 24
    assert "Total: 24 points" in RUBRIC_MD.read_text(encoding="utf-8")


def test_assignment_matches_the_rubric_and_weights():
    """Does the notebook grade each criterion in its own cell, with ≥ 6 autograded questions,
    ≥ 20 autograded points and a plan worth at least half of all points?"""
    nb = nbformat.read(SOURCE, as_version=4)
    manual, auto = {}, {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("grade"):
            continue
        target = manual if meta.get("solution") else auto
        target[meta["grade_id"]] = meta["points"]
    assert manual == {c.grade_id: c.max_points for c in capstone.RUBRIC}
    questions = {grade_id.split("_")[1] for grade_id in auto}
    assert len(questions) >= 6 and sum(auto.values()) >= 20
    assert sum(manual.values()) >= 0.5 * (sum(manual.values()) + sum(auto.values()))
    assert all(re.fullmatch(r"m7_q\d+_[a-z0-9_]+", g) for g in [*manual, *auto])


def test_calibration_samples_strong_above_80_weak_below_50(calibration):
    """Does the strong sample score above 80% and the weak one below 50% on the rubric?"""
    scores = {s["name"]: capstone.rubric_score(s["levels"]) for s in calibration["sample"]}
    assert scores["strong"]["percent"] > 80
    assert scores["weak"]["percent"] < 50
    text = RUBRIC_MD.read_text(encoding="utf-8")
    for name, label in (("strong", "Sample 1, strong"), ("weak", "Sample 2, weak")):
        points = int(scores[name]["points"])
        assert (
            f"{label} ({'external' if name == 'strong' else 'internal'} track): {points} / 24"
            in (text)
        )


def test_rubric_score_refuses_incomplete_or_unknown_grades():
    """Does rubric_score refuse a missing criterion, an unknown one and an unknown level?"""
    full = {c.key: "proficient" for c in capstone.RUBRIC}
    with pytest.raises(ValueError, match="missing risks"):
        capstone.rubric_score({k: v for k, v in full.items() if k != "risks"})
    with pytest.raises(ValueError, match="unknown style"):
        capstone.rubric_score({**full, "style": "exemplary"})
    with pytest.raises(ValueError, match="level must be one of"):
        capstone.rubric_score({**full, "goals": "excellent"})
    best = capstone.rubric_score({c.key: "exemplary" for c in capstone.RUBRIC})
    worst = capstone.rubric_score({c.key: "insufficient" for c in capstone.RUBRIC})
    assert (best["percent"], worst["percent"]) == (100.0, 0.0)


def test_grader_agreement_on_the_worked_example(calibration):
    """Does the worked example give the kappa, agreement and spread the rubric quotes?"""
    example = calibration["agreement"]
    result = capstone.grader_agreement(example["grader_a"], example["grader_b"])
    assert result["pairs"] == 30
    assert result["kappa"] == pytest.approx(example["kappa"], abs=0.005)
    assert result["agreement"] == pytest.approx(example["agreement"], abs=0.005)
    assert result["far_apart"] == example["far_apart"]
    same = capstone.grader_agreement(example["grader_a"], example["grader_a"])
    assert same["kappa"] == pytest.approx(1.0) and same["agreement"] == 1.0


def test_grader_agreement_refuses_mismatched_plans(calibration):
    """Does grader_agreement refuse different numbers of plans and a plan not fully graded?"""
    a = calibration["agreement"]["grader_a"]
    with pytest.raises(ValueError, match="same plans"):
        capstone.grader_agreement(a, a[:-1])
    broken = [dict(a[0]), *a[1:]]
    del broken[0]["risks"]
    with pytest.raises(ValueError, match="plan 1, grader B"):
        capstone.grader_agreement(a, broken)


# --------------------------------------------------------------------------- plan length


def test_model_plan_respects_every_word_limit():
    """Is the model plan of the source within each section's limit and the total?"""
    table = capstone.plan_length(SOURCE)
    assert not table["over"].any()
    assert table.iloc[-1]["limit"] == capstone.PLAN_WORD_LIMIT == 1500
    assert table.iloc[-1]["words"] > 600  # a real plan, not a stub


def test_plan_length_flags_a_long_section(tmp_path):
    """Does plan_length flag a section over its limit and ignore the release's placeholder?"""
    nb = nbformat.read(SOURCE, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id == "m7_q13_risks":
            cell.source = "word " * 151
        elif grade_id == "m7_q8_diagnosis":
            cell.source = "YOUR ANSWER HERE"
    path = tmp_path / "m7_capstone.ipynb"
    nbformat.write(nb, path)
    table = capstone.plan_length(path).set_index("section")
    assert table.loc["Risks and what you would stop", "over"]
    assert table.loc["Diagnosis with numbers", "words"] == 0
    with pytest.raises(FileNotFoundError):
        capstone.plan_length(tmp_path / "missing.ipynb")


def test_count_words():
    """Does count_words count words, with numbers, elisions and hyphens as one each?"""
    assert capstone.count_words("L'équipe a 43% de réponses en 24 h — day-to-day.") == 9
    assert capstone.count_words("**Goals.** 1. Two") == 3
    assert capstone.count_words("") == 0


# --------------------------------------------------------------------------- certificate pieces


def _payload(level: int) -> dict:
    from course.assess.competency import ITEMS

    return {"answers": {item: level for item in ITEMS}, "importance": {}, "orientation": {}}


def test_competency_change_per_dimension():
    """Does competency_change give each dimension's start, end and change?"""
    start, end = _payload(2), _payload(4)
    end["answers"]["D5.1"] = end["answers"]["D5.2"] = "na"
    end["answers"]["D5.3"] = None
    table = capstone.competency_change(start, end)
    assert list(table.index) == ["D1", "D2", "D3", "D4", "D5"]
    assert table.loc["D1", "dimension"] == "Listening"
    assert table.loc["D1", ["start", "end", "change"]].tolist() == [25.0, 75.0, 50.0]
    assert np.isnan(table.loc["D5", "end"]) and np.isnan(table.loc["D5", "change"])
    assert capstone.competency_change(start, None) is None
    with pytest.raises(ValueError):
        capstone.competency_change(start, {"answers": {"D1.1": 9}})


@pytest.mark.parametrize(
    ("percent", "status", "manual", "verdict"),
    [
        (85.0, "graded", False, "passed with distinction"),
        (80.0, "graded", False, "passed with distinction"),
        (60.0, "graded", False, "passed"),
        (59.9, "graded", False, "not yet passed"),
        (90.0, "graded", True, "awaiting the grader"),
        (float("nan"), "graded", False, "awaiting the grader"),
        (0.0, "not submitted", False, "not submitted"),
    ],
)
def test_capstone_verdict(percent, status, manual, verdict):
    """Are the verdict's thresholds the course's (80 and 60%), pending grading said as such?"""
    assert capstone.capstone_verdict(percent, status, manual) == verdict


def _grades(student="ana", first="Ana", last="Martin"):
    rows = []
    for assignment, score, max_score, status in (
        ("m1_roles", 20.0, 24.0, "graded"),
        ("m7_capstone", 40.0, 46.0, "graded"),
        ("m2_engagement", 0.0, 26.0, "not submitted"),
    ):
        rows.append(
            {
                "student_id": student,
                "first_name": first,
                "last_name": last,
                "assignment": assignment,
                "status": status,
                "score": score,
                "max_score": max_score,
                "percent": round(100 * score / max_score, 1),
                "autograded_score": min(score, 22.0),
                "written_score": max(score - 22.0, 0.0),
                "needs_manual_grading": False,
            }
        )
    rows.append({**rows[0], "student_id": "other", "first_name": "Zoé"})
    return pd.DataFrame(rows)


def test_certificate_record_and_html():
    """Does the record list the student's modules, the capstone's verdict and escape names?"""
    grades = _grades(first="<script>alert(1)</script>")
    record = capstone.certificate_record(grades, "ana")
    assert list(record["modules"]["assignment"]) == ["m1_roles", "m2_engagement", "m7_capstone"]
    assert record["capstone"]["verdict"] == "passed with distinction"
    assert record["capstone"]["plan"] == 18.0
    page = capstone.certificate_html(record, None)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "passed with distinction" in page and "not taken at both" in page
    assert "Zoé" not in page
    change = capstone.competency_change(_payload(2), _payload(3))
    page = capstone.certificate_html(record, change)
    assert "Strategy" in page and "+25" in page
    with pytest.raises(KeyError, match="no student 'nobody'"):
        capstone.certificate_record(grades, "nobody")


def test_certificate_without_a_capstone_says_so():
    """Does a trainee with no capstone row get 'not released' rather than a score?"""
    grades = _grades()
    record = capstone.certificate_record(grades[grades["assignment"] != "m7_capstone"], "ana")
    assert record["capstone"]["verdict"] == "not released"
    assert "not released" in capstone.certificate_html(record)


def test_self_assessment_recommendation_links_to_the_capstone():
    """Does the self-assessment's link for M7 point at the capstone lesson that exists?"""
    from course.assess.report import lesson_links

    link = lesson_links(base_url="../modules/")["M7"]
    assert link == "../modules/m7_capstone.ipynb"
    assert (REPO / "modules" / "m7_capstone.ipynb").exists()


def test_case_is_calibrated_on_the_cited_figures(case):
    """Do about 60% of active staff only read (SWOOP), and does the customer community's top 1%
    write between Joglekar et al.'s 32% and 49% of posts?"""
    activity = case["activity"]
    december = activity[activity["Report Refresh Date"] == activity["Report Refresh Date"].max()]
    active = december[(december[["Posted Count", "Read Count", "Liked Count"]] > 0).any(axis=1)]
    read_only = ((active["Posted Count"] == 0) & (active["Liked Count"] == 0)).mean()
    assert 0.5 < read_only < 0.7
    top1 = capstone.diagnosis(case, "external")["top1_posts_share"]
    assert 0.32 <= top1 <= 0.49
