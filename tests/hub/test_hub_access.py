"""Who reaches what on the hub (deploy/jupyterhub): the HR view, other people's servers, and the
self-assessment keyed by the hub identity. The access rules are checked in Chromium, logged in
through the hub's login page, as people meet them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import requests
from conftest import HR

from course.assess.hub_identity import hub_resume_code
from course.assess.store import Store
from course.localhub import PASSWORD

pytestmark = [pytest.mark.hub, pytest.mark.slow]
HR_PAGE = "/services/hr-view/voila/render/hr.ipynb"
SELF_ASSESSMENT = "voila/render/cm-course/apps/self_assessment.ipynb"
REFUSED = "not served behind authentication"  # the HR app's refusal, shown with no data


def _dashboard_conftest():
    """Chromium's path and flags, from the dashboards' fixtures (one place for them)."""
    path = Path(__file__).resolve().parents[1] / "dashboards" / "conftest.py"
    spec = importlib.util.spec_from_file_location("dashboards_conftest", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium through Playwright (never downloads a browser)."""
    from playwright.sync_api import sync_playwright

    dashboards = _dashboard_conftest()
    if not Path(dashboards.CHROMIUM).exists():
        pytest.fail(f"{dashboards.CHROMIUM} is missing: install Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=dashboards.CHROMIUM, args=dashboards.CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def login(hub, chromium):
    """Factory: ``login(user)`` → a page logged in to the hub as ``user`` (own browser context)."""
    contexts = []

    def log_in(user: str):
        context = chromium.new_context()
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{hub.url}/hub/login?next=%2Fhub%2Fhome")
        page.fill("#username_input", user)
        page.fill("#password_input", PASSWORD)
        page.click("#login_submit")
        page.wait_for_url("**/hub/home")
        return page

    yield log_in
    for context in contexts:
        context.close()


def test_trainee_is_refused_the_hr_view_in_the_browser(hub, login):
    """Does a logged-in trainee get 403 from the HR view, and no HR data on the page?"""
    page = login("tom")
    response = page.goto(hub.url + HR_PAGE)
    assert response.status == 403
    assert "Vue RH" not in page.content() and "HR view:" not in page.content()


def test_hr_user_reaches_the_hr_view_in_the_browser(hub, login):
    """Does an HR user get the HR view, rendered by Voilà, with the hub as its guard?"""
    page = login(HR)
    response = page.goto(hub.url + HR_PAGE, timeout=120_000)
    assert response.status == 200
    page.wait_for_selector(".cm-hr-status", timeout=120_000)
    text = page.inner_text("body")
    assert "Vue RH" in text or "HR view" in text
    assert REFUSED not in text and "servie derrière une authentification" not in text


def test_trainee_is_refused_another_trainees_server_in_the_browser(hub, login):
    """Does tom get 403 on tina's running server (her files, her kernels)?"""
    page = login("tom")
    response = page.goto(f"{hub.url}/user/tina/api/contents")
    assert response.status == 403
    assert "tina" not in page.content() or "403" in page.content()


def test_anonymous_is_sent_to_login(hub):
    """Is a page asked for without login redirected to the hub, and an API call refused?"""
    for path in (HR_PAGE, f"/user/tom/{SELF_ASSESSMENT}", "/user/tina/lab"):
        response = requests.get(hub.url + path, allow_redirects=False, timeout=30)
        assert response.status_code == 302, path
        assert "/hub/" in response.headers["location"], response.headers["location"]
    response = requests.get(hub.url + "/user/tina/api/contents", allow_redirects=False, timeout=30)
    assert response.status_code == 403


def test_trainee_token_is_refused_the_hr_service(hub):
    """Does a trainee's own API token open the HR view? (It must not: 403.)"""
    token = hub.user_token("tina")
    response = requests.get(
        hub.url + HR_PAGE, headers={"Authorization": f"token {token}"}, timeout=60
    )
    assert response.status_code == 403


def test_self_assessment_resumes_from_the_hub_identity_in_the_browser(hub, login):
    """Does tom's self-assessment open on the draft saved under his hub identity, code shown?"""
    secret = {"COURSE_IDENTITY_SECRET": hub.identity_secret}
    tom_code = hub_resume_code({"JUPYTERHUB_USER": "tom", **secret})
    tina_code = hub_resume_code({"JUPYTERHUB_USER": "tina", **secret})
    assert tom_code != tina_code
    store = Store(hub.store_url)
    store.save_draft("competency", tom_code, {"answers": {"D1.1": 4, "D1.2": 2}, "lang": "en"})
    store.dispose()
    page = login("tom")
    response = page.goto(f"{hub.url}/user/tom/{SELF_ASSESSMENT}", timeout=120_000)
    assert response.status == 200
    page.wait_for_selector(f".cm-code-display:has-text('{tom_code}')", timeout=120_000)
    assert "cm-msg-ok" in page.inner_html(".cm-code-status")  # "answers restored"
    assert tina_code not in page.content()
    # the answers came back: D1.1 and D1.2 are checked, D1.3 (never answered) is not
    page.wait_for_selector("input[name='cm-D1.3']", timeout=60_000)
    assert page.locator("input[name='cm-D1.1']:checked").count() == 1
    assert page.locator("input[name='cm-D1.2']:checked").count() == 1
    assert page.locator("input[name='cm-D1.3']:checked").count() == 0
