"""Who reaches what on the hub (deploy/jupyterhub): the HR view, other people's servers, and the
self-assessment keyed by the hub identity. The access rules are checked in Chromium, logged in
through the hub's login page, as people meet them; the self-assessment through its kernel's
widget states (what the page's script receives)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import requests
from hub_support import HR

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


@pytest.mark.browser
def test_trainee_is_refused_the_hr_view_in_the_browser(hub, login):
    """Does a logged-in trainee get 403 from the HR view, and no HR data on the page?"""
    page = login("tom")
    response = page.goto(hub.url + HR_PAGE)
    assert response.status == 403
    assert "Vue RH" not in page.content() and "HR view:" not in page.content()


@pytest.mark.browser
def test_hr_user_reaches_the_hr_view_in_the_browser(hub, login):
    """Does an HR user get the HR view, rendered by Voilà, with the hub as its guard?"""
    page = login(HR)
    response = page.goto(hub.url + HR_PAGE, timeout=120_000)
    assert response.status == 200
    page.wait_for_selector(".cm-hr-status", timeout=120_000)
    text = page.inner_text("body")
    assert "Vue RH" in text or "HR view" in text
    assert REFUSED not in text and "servie derrière une authentification" not in text


@pytest.mark.browser
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


def widget_states(hub, user: str, page_html: str) -> dict[str, dict]:
    """The widget states of the Voilà kernel behind a page, asked for as the page's script does.

    Returns:
        The first CSS class starting with ``cm-`` of each widget → its state.
    """
    import json
    import re
    import uuid

    import websocket

    kernel = re.search(r'"kernelId": "([0-9a-f-]+)"', page_html).group(1)
    socket = websocket.create_connection(
        f"ws://127.0.0.1:{hub.port}/user/{user}/api/kernels/{kernel}/channels",
        header=[f"Authorization: token {hub.user_token(user)}"],
        timeout=120,
    )
    session, control = uuid.uuid4().hex, uuid.uuid4().hex

    def send(msg_type: str, content: dict, metadata: dict | None = None) -> None:
        header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": session,
                  "username": user, "version": "5.3", "date": ""}  # fmt: skip
        socket.send(json.dumps({"header": header, "parent_header": {}, "channel": "shell",
                                "metadata": metadata or {}, "content": content, "buffers": []}))  # fmt: skip

    try:
        send("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control",
                           "data": {}}, {"version": "1.0.0"})  # fmt: skip
        send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
        while True:
            frame = socket.recv()
            if isinstance(frame, bytes):
                continue
            data = json.loads(frame).get("content", {}).get("data", {})
            if data.get("method") == "update_states":
                break
    finally:
        socket.close()
    out = {}
    for model in data["states"].values():
        classes = [c for c in model["state"].get("_dom_classes", ()) if c.startswith("cm-")]
        if classes:
            out[classes[0]] = model["state"]
    return out


def test_self_assessment_resumes_from_the_hub_identity(hub):
    """Does tom's self-assessment open on the draft saved under his hub identity, code shown?"""
    secret = {"COURSE_IDENTITY_SECRET": hub.identity_secret}
    tom_code = hub_resume_code({"JUPYTERHUB_USER": "tom", **secret})
    tina_code = hub_resume_code({"JUPYTERHUB_USER": "tina", **secret})
    assert tom_code != tina_code
    store = Store(hub.store_url)
    store.save_draft("competency", tom_code, {"answers": {"D1.1": 4, "D1.2": 2}, "lang": "en"})
    store.dispose()
    page = hub.as_user("tom", "GET", SELF_ASSESSMENT)
    assert page.status_code == 200
    states = widget_states(hub, "tom", page.text)
    assert tom_code in states["cm-code-display"]["value"]
    assert tina_code not in states["cm-code-display"]["value"]
    assert "cm-msg-ok" in states["cm-code-status"]["value"]  # "answers restored"
