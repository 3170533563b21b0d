"""The self-assessment app driven through its widgets, without a browser."""

from __future__ import annotations

import base64
import re
import urllib.parse

import pytest

from course.assess.app import INSTRUMENT, CompetencyApp
from course.assess.competency import DIMENSIONS, ITEMS
from course.assess.org import OrgConfig
from course.assess.store import Store, StoreUnavailable, new_code

ORG = OrgConfig(departments=("Sales", "HR"), sites=("Lyon", "Paris"))


@pytest.fixture
def store(tmp_path):
    db = Store(f"sqlite:///{tmp_path / 'assess.sqlite3'}")
    yield db
    db.dispose()


@pytest.fixture
def app(store):
    return CompetencyApp(store=store, org=ORG, lesson_base_url="/lessons/")


def answer_all(app: CompetencyApp, value=4) -> None:
    for radio in app.item_radios.values():
        radio.value = value


def test_first_answer_creates_a_code_and_saves(app, store):
    """Does the first answer create a resume code and save the draft at once?"""
    assert app.code is None
    app.item_radios["D1.1"].value = 4
    assert app.code is not None and len(app.code) == 22
    assert app.code in app.code_display.value
    assert store.load_draft(INSTRUMENT, app.code)["answers"] == {"D1.1": 4}


def test_every_answer_is_saved_as_given(app, store):
    """Is each later answer (and an N/A) in the store without pressing anything?"""
    app.item_radios["D1.1"].value = 4
    app.item_radios["D1.2"].value = "na"
    app.importance_radios["D2"].value = 5
    app.orientation_radios["O2"].value = 1
    draft = store.load_draft(INSTRUMENT, app.code)
    assert draft["answers"] == {"D1.1": 4, "D1.2": "na"}
    assert draft["importance"] == {"D2": 5}
    assert draft["orientation"] == {"O2": 1}


def test_progress_counts_answers(app):
    """Does the progress indicator count answered questions out of 28?"""
    app.item_radios["D1.1"].value = 2
    app.orientation_radios["O1"].value = "na"
    assert app.progress_bar.value == 2
    assert app.progress_bar.max == 28
    assert "2" in app.progress_text.value and "28" in app.progress_text.value


def test_validation_names_the_dimensions_lacking_answers(app):
    """Does "show results" say which dimensions still lack answers, and how many?"""
    for item in ("D1.1", "D1.2", "D1.3"):
        app.item_radios[item].value = 3
    app.item_radios["D2.1"].value = 3
    app.show_results()
    message = app.status.value
    assert "Animation (2 de plus)" in message
    assert "Écoute" not in message
    assert 'role="alert"' in message


def test_no_scorable_dimension_shows_no_results(app):
    """With fewer than three answers everywhere, are no results or downloads shown?"""
    app.item_radios["D1.1"].value = 3
    app.show_results()
    assert "<table" not in app.results.value
    assert app.downloads.value == ""


def test_results_show_chart_table_modules_profile(app):
    """Do results contain the chart with alt text, the bands, linked modules and the profile?"""
    answer_all(app, 4)
    for item in ("D3.1", "D3.2", "D3.3", "D3.4"):
        app.item_radios[item].value = 1
    app.orientation_radios["O1"].value = 5
    app.orientation_radios["O2"].value = 1
    result = app.show_results()
    html = app.results.value
    assert re.search(
        r'<img src="data:image/png;base64,[^"]+" alt="[^"]*Moderation|Modération', html
    )
    assert "expert" in html and "découverte" in html
    assert result.recommended_modules[0] == "M3"
    assert 'href="/lessons/m3_' in html
    assert "interne" in html
    assert app.status.value == ""


def test_downloads_are_data_uris_with_csv_and_summary(app):
    """Are the CSV and the printable summary offered as data-URI downloads with the right content?"""
    answer_all(app, 3)
    app.show_results()
    links = dict(
        re.findall(
            r'download="([^"]+)" href="data:[^;]+;charset=utf-8;base64,([^"]+)"',
            app.downloads.value,
        )
    )
    csv_text = base64.b64decode(links["competency-result.csv"]).decode()
    assert csv_text.splitlines()[0].startswith("dimension,name,score,band")
    assert "D1,Écoute,50.0,operational" in csv_text
    summary = base64.b64decode(links["competency-summary.html"]).decode()
    assert summary.startswith("<!DOCTYPE html>") and "<script" not in summary


def test_language_switch_keeps_answers(app):
    """Does switching to English change the wording and keep every answer and the code?"""
    app.item_radios["D1.1"].value = 5
    code = app.code
    app.language.value = "en"
    assert "I keep watch" in app.item_radios["D1.1"].description
    assert app.item_radios["D1.1"].value == 5
    assert app.item_radios["D1.1"].options[0][0].endswith("never done")
    assert app.code == code
    app.language.value = "fr"
    assert app.item_radios["D1.1"].value == 5


def test_language_switch_does_not_resave(app, store, monkeypatch):
    """Is relabelling the options not mistaken for new answers (no save per option change)?"""
    app.item_radios["D1.1"].value = 5
    calls = []
    monkeypatch.setattr(store, "save_draft", lambda *a, **k: calls.append(a))
    app.set_language("en")
    assert calls == []


def test_query_restores_answers_and_language(app, store):
    """Does ?code=…&lang=en in a new app restore every answer and switch to English?"""
    answer_all(app, 2)
    app.importance_radios["D4"].value = 5
    fresh = CompetencyApp(store=store, org=ORG)
    fresh.apply_query(urllib.parse.urlencode({"code": app.code, "lang": "en"}))
    assert fresh.lang == "en"
    assert fresh.code == app.code
    assert fresh.answers() == app.answers()
    assert fresh.progress_bar.value == 21


def test_forged_code_is_refused_without_echo(app):
    """Is a forged code with HTML refused, and not echoed into the page?"""
    app.apply_query("code=%3Cscript%3Ealert(1)%3C/script%3E")
    assert "<script" not in app.code_status.value
    assert "pas valide" in app.code_status.value
    assert app.code is None


def test_unknown_code_says_so(app):
    """Does a well-formed but unknown code say that nothing is saved under it?"""
    assert app.resume(new_code()) is False
    assert "Aucune réponse" in app.code_status.value


def test_tampered_draft_values_are_ignored(app, store):
    """Are out-of-range or non-numeric values in a stored draft dropped on restore?"""
    code = new_code()
    store.save_draft(
        INSTRUMENT,
        code,
        {"answers": {"D1.1": 9, "D1.2": "x", "D1.3": 3, "D9.9": 1}, "importance": "?"},
    )
    assert app.resume(code)
    assert app.answers()["answers"] == {"D1.3": 3}


def test_contribution_needs_consent_and_listed_department(app, store):
    """Is nothing stored without consent or without a department and site from the lists?"""
    answer_all(app, 4)
    assert app.contribute() is False
    assert "consentement" in app.contribute_status.value
    app.consent.value = True
    assert app.contribute() is False
    assert "service" in app.contribute_status.value
    assert store.count_contributions(INSTRUMENT) == 0


def test_contribute_and_withdraw(app, store):
    """Does a consented contribution store department, site, day and scores, and withdraw remove it?"""
    answer_all(app, 4)
    app.orientation_radios["O1"].value = 5
    app.orientation_radios["O3"].value = 5
    app.consent.value = True
    app.department.value = "Sales"
    app.site.value = "Lyon"
    assert app.contribute() is False  # the code made by the page was not issued
    assert "personal code" in app.contribute_status.value or "code personnel" in (
        app.contribute_status.value
    )
    assert store.count_contributions(INSTRUMENT) == 0
    issued = store.invite(1)[0]
    answered = app.answered_count()
    assert app.resume(issued)  # the issued code becomes the resume code, answers kept
    assert app.code == issued and app.answered_count() == answered
    assert store.load_draft(INSTRUMENT, issued)["answers"]["D1.1"] == 4
    assert app.contribute() is True
    frame = store.contributions_frame(INSTRUMENT)
    assert len(frame) == 1
    row = frame.iloc[0]
    assert (row["department"], row["site"], row["D1"], row["profile"]) == (
        "Sales",
        "Lyon",
        75.0,
        "internal",
    )
    assert set(frame.columns) >= {"contributed_on", *DIMENSIONS}
    assert not {"code", "code_hash", "name", "email"} & set(frame.columns)
    assert app.contribute() is True  # a second contribution replaces the first
    assert store.count_contributions(INSTRUMENT) == 1
    assert app.withdraw() is True
    assert store.count_contributions(INSTRUMENT) == 0
    assert app.consent.value is False
    assert app.withdraw() is False


def test_unlisted_department_is_refused(app, store):
    """Is a department that is not in the configured list refused (forged widget state)?"""
    answer_all(app, 4)
    app.consent.value = True
    app.department.options = [("x", "<b>Evil</b>")]
    app.department.value = "<b>Evil</b>"
    app.site.value = "Lyon"
    assert app.contribute() is False
    assert store.count_contributions(INSTRUMENT) == 0


class BrokenStore(Store):
    """A store whose database is locked."""

    def __init__(self):
        super().__init__("sqlite:///:memory:")
        self.broken = True

    def save_draft(self, *args, **kwargs):
        if self.broken:
            raise StoreUnavailable("database busy")
        return None

    def contribute(self, *args, **kwargs):
        raise StoreUnavailable("database busy")


def test_locked_database_keeps_answers_and_tells(tmp_path):
    """With a locked database, is the person told, the answer kept, and saved on the next answer?"""
    store = BrokenStore()
    app = CompetencyApp(store=store, org=ORG)
    app.item_radios["D1.1"].value = 4
    assert "database busy" in app.code_status.value
    assert app.unsaved
    assert app.answers()["answers"] == {"D1.1": 4}
    store.broken = False
    app.item_radios["D1.2"].value = 4
    assert not app.unsaved
    assert "enregistrées" in app.code_status.value


def test_locked_database_on_contribution_tells(tmp_path):
    """Does a failed contribution say nothing was saved?"""
    store = BrokenStore()
    store.broken = False
    app = CompetencyApp(store=store, org=ORG)
    answer_all(app, 4)
    app.consent.value = True
    app.department.value = "HR"
    app.site.value = "Paris"
    assert app.contribute() is False
    assert "rien n'a été enregistré" in app.contribute_status.value.replace("&#x27;", "'")


def test_missing_database_folder_is_reported(tmp_path):
    """Is a database path that cannot be created reported as a message, not an exception?"""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    app = CompetencyApp(store=Store(f"sqlite:///{blocker}/sub/db.sqlite3"), org=ORG)
    app.item_radios["D1.1"].value = 4
    assert 'role="alert"' in app.code_status.value
    assert app.answers()["answers"] == {"D1.1": 4}


def test_every_radio_is_tagged_for_accessibility(app):
    """Does every radio group carry the classes the accessibility script needs, with unique labels?"""
    radios = {**app.item_radios, **app.importance_radios, **app.orientation_radios}
    assert len(radios) == len(ITEMS) + 5 + 3
    for radio in radios.values():
        assert "cm-radiogroup" in radio._dom_classes
        assert any(c.startswith("cm-key-") for c in radio._dom_classes)
        labels = [label for label, _value in radio.options]
        assert len(labels) == len(set(labels))


def test_unexpected_error_in_a_callback_is_shown(app, store, monkeypatch):
    """Does an unexpected failure while saving show a message instead of vanishing in a log?"""

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store, "save_draft", boom)
    app.item_radios["D1.1"].value = 3
    assert "Erreur inattendue" in app.status.value
    assert "disk on fire" not in app.status.value
    assert app.item_radios["D1.1"].value == 3


def test_two_pages_on_one_code_lose_no_answer(store):
    """With one code open in two pages, are both pages' answers kept and the person warned?"""
    code = store.invite(1)[0]
    first = CompetencyApp(store=store, org=ORG)
    second = CompetencyApp(store=store, org=ORG)
    assert first.resume(code) and second.resume(code)
    first.item_radios["D1.1"].value = 2
    second.item_radios["D2.1"].value = 5  # saved on a stale version: merged, not overwritten
    stored = store.load_draft(INSTRUMENT, code)["answers"]
    assert stored == {"D1.1": 2, "D2.1": 5}
    assert "cm-msg-error" in second.code_status.value
    assert "other page" in second.code_status.value or "autre page" in second.code_status.value
    assert second.item_radios["D1.1"].value == 2  # the other page's answer is shown too
    first.item_radios["D1.1"].value = 3  # and the first page merges the second's answer
    assert store.load_draft(INSTRUMENT, code)["answers"] == {"D1.1": 3, "D2.1": 5}


def test_contribute_saves_the_draft_again_after_the_database_was_lost(tmp_path):
    """If the database file is deleted, does Contribute save the draft again so the code restores?"""
    path = tmp_path / "db.sqlite3"
    store = Store(f"sqlite:///{path}")
    app = CompetencyApp(store=store, org=ORG)
    code = store.invite(1)[0]
    assert app.resume(code)
    answer_all(app, 3)
    store.dispose()
    path.unlink()
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"db.sqlite3{suffix}").unlink(missing_ok=True)
    app.consent.value = True
    app.department.value, app.site.value = "Sales", "Lyon"
    assert app.contribute() is False  # the invitations went with the file: refused, told why
    assert store.load_draft(INSTRUMENT, code)["answers"]["D1.1"] == 3  # the draft is back
    store.dispose()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_label_is_cut(store, lang):
    """Does every description (e.g. « Code de reprise ») take the width of its text?"""
    from course.assess.hr_app import HRApp
    from course.assess.maturity_app import MaturityApp

    apps = [
        CompetencyApp(lang, store=store, org=ORG),
        MaturityApp(lang, store=store, org=ORG),
        HRApp(lang, "store", store=store, authenticated=True),
    ]
    checked = 0
    for app in apps:
        stack = [app.widget]
        while stack:
            widget = stack.pop()
            stack.extend(getattr(widget, "children", ()) or ())
            style = getattr(widget, "style", None)
            if getattr(widget, "description", "") and hasattr(style, "description_width"):
                assert style.description_width == "initial", widget.description
                checked += 1
    assert checked >= 5


def test_hub_identity_contributes_without_a_code(store):
    """Behind JupyterHub, does the app contribute and withdraw under the hub user, no code issued?"""
    app = CompetencyApp(store=store, org=ORG, identity="alice")
    answer_all(app, 4)
    app.consent.value = True
    app.department.value, app.site.value = "Sales", "Lyon"
    assert app.contribute() is True and app.contribute() is True
    assert store.count_contributions(INSTRUMENT) == 1
    assert app.withdraw() is True and store.count_contributions(INSTRUMENT) == 0
