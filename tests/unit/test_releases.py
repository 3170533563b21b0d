"""HR releases: attacks by comparing exports over time, padding, and what a release shows."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from course.assess import competency
from course.assess.hr_app import HRApp
from course.assess.maturity import DIMENSIONS as STAGES
from course.assess.store import NotInvited, Store, new_code
from course.cli import main

DEPARTMENTS = ["Communication", "Finance", "IT", "Sales"]
SITES = ["Lyon", "Paris", "Nantes"]


@pytest.fixture
def store(tmp_path, monkeypatch):
    path = tmp_path / "assess.sqlite3"
    monkeypatch.setenv("COURSE_DB_PATH", str(path))
    db = Store(f"sqlite:///{path}")
    yield db
    db.dispose()


def scores(rng, value=None):
    return {
        d: float(rng.integers(0, 101) if value is None else value) for d in competency.DIMENSIONS
    }


def populate(
    store, rng, per_cell=6, extra=((("Communication", "Lyon"), 3), (("Legal", "Paris"), 3))
):
    """Groups of ``per_cell`` in every department × site, plus small extra groups; returns codes."""
    codes = {}
    for department in DEPARTMENTS:
        for site in SITES:
            for code in store.invite(per_cell):
                store.contribute(
                    "competency", code, department=department, site=site, values=scores(rng)
                )
                codes[code] = (department, site)
    for (department, site), n in extra:
        for code in store.invite(n):
            store.contribute(
                "competency", code, department=department, site=site, values=scores(rng)
            )
            codes[code] = (department, site)
    for code in store.invite(12):
        values = {d: int(rng.integers(1, 5)) for d in STAGES} | {"overall": 2}
        store.contribute("maturity", code, department="IT", site="Lyon", values=values)
    return codes


def exported(store, out) -> dict[str, str]:
    assert main(["hr", "export", "--out", str(out)]) == 0
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(out.iterdir())}


def test_nothing_published_yet_is_said_and_exported_nothing(store, tmp_path, capsys):
    """Before any release, does export exit 2 and the HR app say how many contributions wait?"""
    populate(store, np.random.default_rng(0))
    assert main(["hr", "export", "--out", str(tmp_path / "x")]) == 2
    app = HRApp("en", "store", store=store, authenticated=True)
    assert "Nothing published yet" in app.status.value and app.views == []
    assert "90 contribution(s) wait" in app.status.value


@pytest.mark.parametrize("change", ["contribute", "withdraw", "change_answer"])
def test_one_person_between_two_exports_is_held_back(store, tmp_path, capsys, change):
    """Around one contribution, withdrawal or changed answer, are the exports identical (held back)?"""
    rng = np.random.default_rng(1)
    codes = populate(store, rng)
    assert main(["hr", "publish"]) == 0
    before = exported(store, tmp_path / "before")
    member = next(c for c, group in codes.items() if group == ("Communication", "Lyon"))
    if change == "contribute":
        newcomer = store.invite(1)[0]
        store.contribute(
            "competency", newcomer, department="Communication", site="Lyon", values=scores(rng)
        )
    elif change == "withdraw":
        assert store.withdraw("competency", member)
    else:
        store.contribute(
            "competency", member, department="Communication", site="Lyon", values=scores(rng, 99)
        )
    capsys.readouterr()
    assert main(["hr", "publish"]) == 2
    err = capsys.readouterr().err
    assert "held back" in err and "department=Communication" in err and "1 change(s)" in err
    assert exported(store, tmp_path / "after") == before
    app = HRApp("en", "store", store=store, authenticated=True)
    assert "Release 1 of" in app.status.value and "1 contribution(s) wait" in app.status.value


def test_five_people_joining_a_group_publish_the_new_numbers(store, tmp_path):
    """When five people join a group, is a release published with the new numbers?"""
    rng = np.random.default_rng(2)
    populate(store, rng)
    assert main(["hr", "publish"]) == 0
    first = store.latest_release()
    before = exported(store, tmp_path / "before")
    shown = {
        r["department"]: r["n"] for r in csv.DictReader(before["by_department.csv"].splitlines())
    }
    department = next(d for d in DEPARTMENTS if shown.get(d))
    for code in store.invite(5):
        store.contribute(
            "competency", code, department=department, site="Paris", values=scores(rng, 90)
        )
    assert main(["hr", "publish"]) == 0
    second = store.latest_release()
    assert second["number"] == first["number"] + 1
    files = exported(store, tmp_path / "out")
    rows = list(csv.DictReader(files["by_department.csv"].splitlines()))
    row = next(r for r in rows if r["department"] == department)
    truth = [c["D1"] for c in store.contributions("competency") if c["department"] == department]
    assert int(row["n"]) == len(truth) == int(shown[department]) + 5
    assert float(row["D1"]) == pytest.approx(np.mean(truth), abs=0.01)
    app = HRApp("fr", "store", store=store, authenticated=True)
    assert "Publication n° 2" in app.status.value and "0 contribution(s)" in app.status.value


def test_export_has_one_file_per_view_with_n_and_empty_hidden_cells(store, tmp_path):
    """Does the export hold one CSV per view, a column n, and empty cells for hidden groups?"""
    populate(store, np.random.default_rng(3))
    assert main(["hr", "publish"]) == 0
    files = exported(store, tmp_path / "out")
    assert set(files) == {
        "counts.csv",
        "by_department.csv",
        "by_site.csv",
        "trend.csv",
        "distribution.csv",
        "maturity.csv",
        "maturity_trend.csv",
        "release.csv",
    }
    for name, content in files.items():
        if name != "release.csv":
            assert "n" in next(csv.reader(content.splitlines())), name
    counts = list(csv.DictReader(files["counts.csv"].splitlines()))
    lyon = next(r for r in counts if (r["department"], r["site"]) == ("Communication", "Lyon"))
    assert lyon["n"] in ("", "9") and all(r["n"] == "" or int(r["n"]) >= 5 for r in counts)
    assert "hidden" not in "".join(files.values())


def test_padding_a_group_without_issued_codes_gains_nothing(store, tmp_path):
    """Do four contributions under codes nobody issued make a group of one visible? (No.)"""
    rng = np.random.default_rng(4)
    populate(store, rng, extra=())
    real = store.invite(1)[0]
    store.contribute("competency", real, department="Legal", site="Lyon", values=scores(rng, 17))
    assert main(["hr", "publish"]) == 0
    for _ in range(4):
        with pytest.raises(NotInvited):
            store.contribute(
                "competency", new_code(), department="Legal", site="Lyon", values=scores(rng, 0)
            )
    assert store.count_contributions("competency") == 73
    files = exported(store, tmp_path / "out")
    legal = next(
        r
        for r in csv.DictReader(files["by_department.csv"].splitlines())
        if r["department"] == "Legal"
    )
    assert legal["n"] == "" and legal["D1"] == ""


def test_invite_prints_codes_that_work(store, capsys):
    """Does `course hr invite --count 3` print three working codes, one per line?"""
    assert main(["hr", "invite", "--count", "3"]) == 0
    codes = capsys.readouterr().out.split()
    assert len(codes) == 3 and all(store.is_invited(c) for c in codes)
    assert main(["hr", "invite", "--count", "0"]) == 2


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_consent_texts_say_what_hr_sees_and_when(lang):
    """Do both apps' consent texts name releases, the k = 5 rule and when changes take effect?"""
    from course.assess.competency import instrument
    from course.assess.maturity_app import UI

    words = {
        "fr": (
            "publications numérotées et datées",
            "au moins 5 personnes",
            "prochaine publication",
        ),
        "en": ("numbered, dated releases", "at least 5 people", "next release"),
    }[lang]
    for text in (instrument(lang)["ui"]["contribute_text"], UI[lang]["contribute_text"]):
        for word in words:
            assert word in text, (lang, word)
