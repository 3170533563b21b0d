"""The maturity app's widgets, driven in Python (no browser): answers, result, saving, export."""

from __future__ import annotations

import base64
import re

import pytest

from course.assess.maturity import DIMENSIONS
from course.assess.maturity_app import MaturityApp
from course.assess.org import OrgConfig
from course.assess.store import Store

ORG = OrgConfig(departments=("Sales", "<b>R&D</b>"), sites=("Lyon", "Paris"))


@pytest.fixture
def store(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'assess.sqlite3'}")
    yield store
    store.dispose()


def answer_all(app: MaturityApp, stages: dict[str, int]) -> None:
    for dim, stage in stages.items():
        app.radios[dim].value = stage


def test_eight_questions_with_four_stage_descriptors(store):
    """Does the app show the eight dimensions, each with four options naming stage and descriptor?"""
    app = MaturityApp("en", store=store, org=ORG)
    assert list(app.radios) == list(DIMENSIONS)
    for dim in DIMENSIONS:
        labels = [label for label, _ in app.radios[dim].options]
        assert [value for _, value in app.radios[dim].options] == [1, 2, 3, 4]
        assert labels[0].startswith("1 · Hierarchy") and " — " in labels[0]
    assert "Strategy" in app.labels["strategy"].value


def test_result_appears_only_when_all_eight_are_answered(store):
    """Is the overall stage shown once all eight are answered, with next actions and a CSV?"""
    app = MaturityApp("en", store=store, org=ORG)
    answer_all(app, {d: 3 for d in DIMENSIONS[:7]})
    assert "overall-stage" not in app.results.value
    assert "unanswered" in app.results.value
    app.radios["measurement"].value = 1
    assert re.search(r"data-testid='overall-stage'>2<", app.results.value)
    assert 'alt="Bar chart of the stage' in app.results.value
    # measurement is at 1: its next action is the action toward stage 2, listed first
    assert "Track active members and posts every month" in app.results.value
    assert app.results.value.index("Measurement") < app.results.value.index("Strategy")
    payload = re.search(r"base64,([^\"]+)\">", app.downloads.value).group(1)
    csv_text = base64.b64decode(payload).decode("utf-8")
    assert "overall,Overall stage,2" in csv_text
    assert csv_text.splitlines()[0] == "dimension,name,stage,next_stage,next_action"


def test_answers_are_saved_as_given_and_resumed(store):
    """Is every answer saved under the resume code, and restored in a new app from the code?"""
    app = MaturityApp("fr", store=store, org=ORG)
    app.radios["culture"].value = 2
    assert app.code is not None
    assert store.load_draft("maturity", app.code)["stages"] == {"culture": 2}
    other = MaturityApp("en", store=store, org=ORG)
    assert other.resume(app.code)
    assert other.radios["culture"].value == 2 and other.radios["tools"].value is None
    assert not other.resume("not-a-code")
    assert "format" in other.code_status.value or "form" in other.code_status.value


def test_contribution_needs_consent_and_lists_and_is_withdrawable(store):
    """Does contributing need consent, listed department and site, and can it be withdrawn?"""
    app = MaturityApp("en", store=store, org=ORG)
    answer_all(app, {d: 2 for d in DIMENSIONS})
    assert not app.contribute()
    app.consent.value = True
    assert not app.contribute()
    app.department.value, app.site.value = "<b>R&D</b>", "Lyon"
    assert not app.contribute()  # a code the page made itself was never issued
    assert "personal code" in app.contribute_status.value
    assert app.resume(store.invite(1)[0])
    assert app.contribute()
    frame = store.contributions_frame("maturity")
    assert frame.loc[0, "department"] == "<b>R&D</b>" and frame.loc[0, "overall"] == 2
    assert app.withdraw()
    assert store.count_contributions("maturity") == 0


def test_language_switch_keeps_answers(store):
    """Does switching to French keep the answers and translate the texts?"""
    app = MaturityApp("en", store=store, org=ORG)
    answer_all(app, {d: 4 for d in DIMENSIONS})
    app.set_language("fr")
    assert app.radios["tools"].value == 4
    assert "Étape globale" in app.results.value
    app.apply_query("lang=en")
    assert "Overall stage" in app.results.value


def test_unavailable_database_keeps_answers_and_says_so(tmp_path):
    """With a database that cannot be opened, is the person told and the answer kept?"""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = Store(f"sqlite:///{blocker / 'sub' / 'db.sqlite3'}")
    app = MaturityApp("en", store=store, org=ORG)
    app.radios["uses"].value = 3
    assert app.radios["uses"].value == 3
    assert "not saved" in app.code_status.value


def test_two_pages_on_one_code_lose_no_stage(store):
    """With one code open in two pages, are both pages' stages kept and the person warned?"""
    code = store.invite(1)[0]
    first = MaturityApp("en", store=store, org=ORG)
    second = MaturityApp("en", store=store, org=ORG)
    assert first.resume(code) and second.resume(code)
    first.radios["culture"].value = 2
    second.radios["tools"].value = 4
    assert store.load_draft("maturity", code)["stages"] == {"culture": 2, "tools": 4}
    assert "other page" in second.code_status.value
    assert second.radios["culture"].value == 2


def test_overall_stage_reads_once(store):
    """Does the result read "Overall stage: 1 · Hierarchy (ad hoc)", the number once?"""
    import re

    app = MaturityApp("en", store=store, org=ORG)
    answer_all(app, {d: 1 for d in DIMENSIONS})
    text = re.sub(r"<[^>]+>", "", app.results.value)
    assert "Overall stage: 1 · Hierarchy (ad hoc)" in text
    assert "1 · 1" not in text
