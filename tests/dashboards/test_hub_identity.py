"""The hub identity as a resume code (course.assess.hub_identity) and its use by the apps."""

from __future__ import annotations

import pytest

from course.assess.app import INSTRUMENT, CompetencyApp
from course.assess.hub_identity import hub_resume_code
from course.assess.maturity_app import MaturityApp
from course.assess.org import OrgConfig
from course.assess.store import CODE_PATTERN, Store

ORG = OrgConfig(departments=("Sales", "HR"), sites=("Lyon", "Paris"))
SECRET = "s" * 32


def env(user: str | None, secret: str | None = SECRET) -> dict[str, str]:
    out = {}
    if user is not None:
        out["JUPYTERHUB_USER"] = user
    if secret is not None:
        out["COURSE_IDENTITY_SECRET"] = secret
    return out


@pytest.fixture
def store(tmp_path):
    db = Store(f"sqlite:///{tmp_path / 'assess.sqlite3'}")
    yield db
    db.dispose()


def test_code_is_stable_per_user_and_of_the_usual_form():
    """Is a user's code the same at every visit, different per user, and a valid resume code?"""
    tom = hub_resume_code(env("tom"))
    assert tom == hub_resume_code(env("tom"))
    assert CODE_PATTERN.fullmatch(tom)
    assert tom != hub_resume_code(env("tina"))


def test_code_depends_on_the_site_secret():
    """Would a user name alone (another site's secret, or none) give someone's code away?"""
    assert hub_resume_code(env("tom")) != hub_resume_code(env("tom", "t" * 32))
    assert "tom" not in hub_resume_code(env("tom"))


@pytest.mark.parametrize(
    "environ", [env(None), env("tom", None), env("tom", "short"), env("", SECRET), {}]
)
def test_no_code_outside_a_configured_hub(environ):
    """Without a hub user or a secret of 16+ characters, is there no hub code (typed codes then)?"""
    assert hub_resume_code(environ) is None


def test_competency_app_restores_the_draft_of_the_hub_identity(store):
    """Does the app, signed in with a hub code, restore that draft and save new answers there?"""
    code = hub_resume_code(env("tom"))
    store.save_draft(INSTRUMENT, code, {"answers": {"D1.1": 4}, "lang": "fr"})
    app = CompetencyApp(store=store, org=ORG)
    app.use_identity(code)
    assert app.code == code
    assert app.item_radios["D1.1"].value == 4
    app.item_radios["D1.2"].value = 2
    assert store.load_draft(INSTRUMENT, code)["answers"] == {"D1.1": 4, "D1.2": 2}


def test_competency_app_with_a_new_identity_starts_empty(store):
    """Is a first visit under a hub code empty, with the code shown, and nothing saved yet?"""
    code = hub_resume_code(env("tina"))
    app = CompetencyApp(store=store, org=ORG)
    app.use_identity(code)
    assert app.code == code and app.answered_count() == 0
    assert code in app.code_display.value
    assert store.load_draft(INSTRUMENT, code) is None


def test_maturity_app_uses_the_hub_identity(store):
    """Does the maturity app key its draft by the hub code too?"""
    code = hub_resume_code(env("tom"))
    app = MaturityApp(store=store, org=ORG)
    app.use_identity(code)
    assert app.code == code
