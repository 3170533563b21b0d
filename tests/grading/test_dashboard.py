"""The instructor's dashboard: every figure against nbgrader's own API on a synthetic class."""

from __future__ import annotations

import base64
import re
from collections import Counter

import pandas as pd
import pytest

from course.grading import dashboard, stats
from course.grading.autograde import load_records

ASSIGNMENTS = ["m1_synthetic", "m2_synthetic"]


@pytest.fixture(scope="module")
def data(synthetic_course):
    """The dashboard's data, read once (plain SQL)."""
    return dashboard.load(synthetic_course)


@pytest.fixture(scope="module")
def orm(synthetic_course):
    """The same gradebook through nbgrader's ORM: one dict per submission."""
    subs = []
    with synthetic_course.gradebook() as gb:
        n_students = len(gb.students)
        for name in ASSIGNMENTS:
            records = load_records(synthetic_course, name)
            assignment = gb.find_assignment(name)
            for sub in assignment.submissions:
                record = records.get(sub.student.id, {})
                waiting = Counter()
                for notebook in sub.notebooks:
                    for grade in notebook.grades:
                        if grade.needs_manual_grade and grade.manual_score is None:
                            waiting[(notebook.name, stats._question(grade.name))] += 1
                subs.append({
                    "assignment": name, "student": sub.student.id, "score": sub.score,
                    "max": assignment.max_score, "late": sub.total_seconds_late > 0,
                    "manual": bool(sub.needs_manual_grade), "status": record.get("status"),
                    "messages": record.get("messages", []), "waiting": waiting,
                })  # fmt: skip
    return {"n_students": n_students, "subs": subs}


def fully_graded(orm, name):
    return [s for s in orm["subs"]
            if s["assignment"] == name and s["status"] != "error" and not s["manual"]]  # fmt: skip


def test_class_at_a_glance_matches_the_gradebook(data, orm):
    """Are submitted / not submitted / no notebook / late / to grade / errors / mean nbgrader's?"""
    table = dashboard.glance(data).set_index("assignment")
    assert list(table.index) == ASSIGNMENTS
    for name in ASSIGNMENTS:
        subs = [s for s in orm["subs"] if s["assignment"] == name]
        row = table.loc[name]
        assert row["submitted"] == len(subs)
        assert row["not_submitted"] == orm["n_students"] - len(subs)
        assert row["late"] == sum(s["late"] for s in subs)
        assert row["errors"] == sum(s["status"] == "error" for s in subs)
        assert row["no_notebook"] == sum(s["status"] == "missing" for s in subs)
        assert row["to_grade"] == sum(s["manual"] and s["status"] != "error" for s in subs)
        done = [100 * s["score"] / s["max"] for s in fully_graded(orm, name)]
        assert row["mean_percent"] == pytest.approx(sum(done) / len(done))
    # the synthetic class exercises every count
    assert table[["not_submitted", "late", "to_grade", "errors", "no_notebook"]].sum().gt(0).all()


def test_errors_carry_the_autograders_reason(data, orm):
    """Is every submission the autograder could not grade listed with its reason?"""
    listed = dashboard.errors(data)
    expected = {(s["assignment"], s["student"], "; ".join(s["messages"]))
                for s in orm["subs"] if s["status"] == "error"}  # fmt: skip
    assert expected and set(map(tuple, listed.to_numpy())) == expected


def test_distribution_counts_fully_graded_submissions(data, orm):
    """Does each band of the score distribution hold the submissions nbgrader scores there?"""
    for name in ASSIGNMENTS:
        bands = dashboard.distribution(data, name)
        expected = Counter(min(int(100 * s["score"] / s["max"] // 10), 9)
                           for s in fully_graded(orm, name))  # fmt: skip
        assert list(bands.values) == [expected.get(k, 0) for k in range(10)]


def test_item_statistics_match_the_report(data, synthetic_course):
    """Are the dashboard's item statistics (SQL) those of the report (nbgrader's ORM)?"""
    for name in ASSIGNMENTS:
        table = dashboard.items(data, name)
        report = stats.item_statistics(*stats.item_scores(synthetic_course, name))
        pd.testing.assert_frame_equal(table[report.columns], report, check_dtype=False)
        for question, row in table.iterrows():
            flags = set(row["flags"].split())
            assert ("too_easy" in flags) == (row["mean_share"] >= dashboard.TOO_EASY), question
            assert ("too_hard" in flags) == (row["mean_share"] <= dashboard.TOO_HARD), question
            assert ("negative" in flags) == (row["discrimination"] < 0), question
    flagged = pd.concat(dashboard.items(data, name, "fr") for name in ASSIGNMENTS)
    # the synthetic class's very easy and reversed questions are caught, and read in French
    assert {"too_easy", "too_hard", "negative", "weak"} <= set(" ".join(flagged["flags"]).split())
    assert flagged["reading"].str.contains("trop facile").any()
    assert flagged["reading"].str.contains("discrimination négative").any()


def test_trainees_who_need_attention(data, orm):
    """Is every trainee with missing work or a mean under 50% listed, and only them?"""
    listed = dashboard.attention(data).set_index("student_id")
    expected = {}
    students = {f"t{k:04d}" for k in range(1, orm["n_students"] + 1)}
    for student in students:
        handed = [s for s in orm["subs"] if s["student"] == student and s["status"] != "missing"]
        missing = len(ASSIGNMENTS) - len(handed)
        done = [100 * s["score"] / s["max"] for s in orm["subs"] if s["student"] == student
                and s["status"] != "error" and not s["manual"]]  # fmt: skip
        mean = sum(done) / len(done) if done else None
        if missing or (mean is not None and mean < dashboard.LOW_PERCENT):
            expected[student] = (missing, mean)
    assert set(listed.index) == set(expected) and expected
    for student, (missing, mean) in expected.items():
        assert listed.loc[student, "missing_work"] == missing
        if mean is not None:
            assert listed.loc[student, "mean_percent"] == pytest.approx(mean)


def test_written_answer_queue_links_to_formgrader(data, orm):
    """Does the queue count nbgrader's answers awaiting a grader, with formgrader links?"""
    table = dashboard.queue(data, base_url="https://hub.example/user/ana/formgrader/")
    expected = Counter()
    for s in orm["subs"]:
        if s["status"] != "error":
            for (notebook, question), n in s["waiting"].items():
                expected[(s["assignment"], notebook, question)] += n
    got = {(r.assignment, r.notebook, r.question): r.answers for r in table.itertuples()}
    assert got == dict(expected) and got
    assert table["link"].iloc[0] == (
        "https://hub.example/user/ana/formgrader/gradebook/m1_synthetic/m1_synthetic"
    )


@pytest.mark.parametrize("lang, title", [("en", "Instructor dashboard"),
                                         ("fr", "Tableau de bord du formateur")])  # fmt: skip
def test_page_tables_are_exportable_and_charts_described(data, lang, title):
    """In each language: is every table downloadable as its CSV and every chart given alt text?"""
    page = dashboard.page_html(data, lang)
    assert title in page and f"lang='{lang}'" in page
    tables = page.count("<table")
    links = re.findall(
        r'download="([^"]+)" href="data:text/csv;charset=utf-8;base64,([^"]+)"', page
    )
    assert tables == len(links) >= 5  # glance, errors, 2 × items, attention, queue
    files = {name: base64.b64decode(payload).decode("utf-8") for name, payload in links}
    assert files["class.csv"] == dashboard.glance(data).to_csv(index=False, lineterminator="\n")
    charts = re.findall(r"<svg role='img' aria-label='([^']*)'", page)
    assert len(charts) == page.count("<svg") == len(ASSIGNMENTS)
    for name, alt in zip(ASSIGNMENTS, charts, strict=True):
        counts = dashboard.distribution(data, name)
        assert f"{int(counts.sum())} " in alt and f"90-100%: {counts['90-100']}" in alt
    assert "nan" not in re.sub(r"data:[^\"']+", "", page).lower().replace("financ", "")


def test_dashboard_shows_nothing_outside_a_protected_server(synthetic_course, monkeypatch):
    """Run in a kernel whose server set no guard, does the dashboard withhold every figure?"""
    monkeypatch.delenv("COURSE_HR_GUARD", raising=False)
    page = dashboard.launch({"COURSE_GRADING_DIR": str(synthetic_course.root)})
    assert "<table" not in page and "course apps --server instructor" in page
    monkeypatch.setenv("COURSE_HR_GUARD", "token")
    page = dashboard.launch({"COURSE_GRADING_DIR": str(synthetic_course.root),
                             "QUERY_STRING": "lang=fr"})  # fmt: skip
    assert "Tableau de bord du formateur" in page and "<table" in page


def test_no_gradebook_yet(tmp_path):
    """With no gradebook file, is the page empty but whole, and no file created?"""
    from grading_support import make_course

    course = make_course(tmp_path)
    page = dashboard.page_html(dashboard.load(course), "en")
    assert "Nothing left to grade" in page and not course.db_path.exists()


def test_collected_but_not_autograded_is_not_to_grade(synthetic_course, tmp_path):
    """A submission collected but not autograded yet: counted apart, nothing "to grade"?"""
    import shutil

    from course.grading.settings import Course

    copy = Course.create(tmp_path / "grading", synthetic_course.source)
    shutil.copytree(synthetic_course.root, copy.root, dirs_exist_ok=True)
    with copy.gradebook() as gb:  # as `course grade collect` leaves it: placeholders only
        gb.add_student("late_comer")
        gb.add_submission("m1_synthetic", "late_comer")
    data = dashboard.load(copy)
    row = dashboard.glance(data).set_index("assignment").loc["m1_synthetic"]
    before = dashboard.glance(dashboard.load(synthetic_course)).set_index("assignment")
    assert row["not_autograded"] == 1 and row["to_grade"] == before.loc["m1_synthetic", "to_grade"]
    assert "late_comer" not in set(dashboard.queue(data).get("student_id", []))
    assert (
        dashboard.queue(data)["answers"].sum()
        == dashboard.queue(dashboard.load(synthetic_course))["answers"].sum()
    )
    assert "late_comer" not in dashboard.item_frame(data, "m1_synthetic")[0].index
