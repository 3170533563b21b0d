"""The HR view in Debian's Chromium: demo data, visible suppression, exports equal to the screen."""

from __future__ import annotations

import base64
import csv
import io

import pytest

NOTEBOOK = "dashboards/hr.ipynb"
TOKEN = "hr-browser-token-0123456789abcdef"
TIMEOUT_MS = 180_000

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def server(voila_server):
    return voila_server(NOTEBOOK, token=TOKEN)


def test_demo_view_hides_small_groups_and_exports_what_is_shown(page, server, axe):
    """With the demo data, are small groups visibly hidden and each export equal to its table?"""
    page.goto(server.page_url("source=demo&lang=en"), timeout=TIMEOUT_MS)
    page.wait_for_selector(".cm-hr-content section.cm-view table", timeout=TIMEOUT_MS)
    sections = page.query_selector_all(".cm-hr-content section.cm-view")
    assert len(sections) == 7
    assert page.locator(".cm-hr-content td.cm-hidden").count() > 0
    by_department = page.inner_text("section[data-view=by_department] table")
    assert "Legal\thidden" in by_department and "Operations\t62" in by_department
    for section in sections:
        cells = section.eval_on_selector_all(
            "table tr", "rows => rows.map(r => Array.from(r.children).map(c => c.textContent))"
        )
        href = section.query_selector("a.cm-export").get_attribute("href")
        exported = list(
            csv.reader(io.StringIO(base64.b64decode(href.split("base64,", 1)[1]).decode()))
        )
        assert exported == cells
    alts = page.eval_on_selector_all(".cm-hr-content figure img", "els => els.map(e => e.alt)")
    assert len(alts) == 5 and all(len(alt) > 30 for alt in alts)
    violations = axe(page)
    assert violations == [], [(v["id"], v["impact"], v["help"]) for v in violations]
    assert page.external_requests == []


def test_without_the_token_the_browser_gets_the_login_page(page, server):
    """Does opening the HR view without its token land on the login page, with no HR content?"""
    page.goto(server.base_url + "?source=demo", timeout=TIMEOUT_MS)
    assert "/login" in page.url
    assert page.locator(".cm-hr-content").count() == 0


def test_unprotected_server_shows_a_refusal(page, voila_server, repo, tmp_path_factory):
    """Served under another name, so without any token, does the page refuse to show data?"""
    copy = tmp_path_factory.mktemp("unprotected") / "hr_copy.ipynb"
    copy.write_bytes((repo / NOTEBOOK).read_bytes())
    plain = voila_server(copy, env={"COURSE_HR_GUARD": ""})
    page.goto(plain.page_url("source=demo&lang=en"), timeout=TIMEOUT_MS)
    status = page.wait_for_selector(".cm-hr-status [role=alert]", timeout=TIMEOUT_MS)
    assert "not served behind authentication" in status.inner_text()
    assert page.locator(".cm-hr-content table").count() == 0
