"""The instructor's dashboard in Debian's Chromium: a synthetic class, axe-core clean, exports."""

from __future__ import annotations

import base64
import csv
import io

import pytest

from course.grading import dashboard, synthetic
from course.grading.settings import Course

NOTEBOOK = "dashboards/instructor.ipynb"
TOKEN = "staff-browser-token-0123456789abcdef"
TIMEOUT_MS = 180_000

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A seeded synthetic class (12 trainees × 2 assignments) in its own gradebook."""
    root = tmp_path_factory.mktemp("instructor-class")
    course = Course.create(root / "grading", root / "source")
    return synthetic.build(course, synthetic.SyntheticClass(errors=0.1, missing=0.05))


@pytest.fixture(scope="module")
def server(voila_server, course):
    return voila_server(NOTEBOOK, token=TOKEN, env={"COURSE_GRADING_DIR": str(course.root)})


def test_dashboard_in_a_browser_is_accessible_and_exports_its_tables(page, server, course, axe):
    """In French, is the page axe-core clean, each chart described, each export its table?"""
    page.goto(server.page_url("lang=fr"), timeout=TIMEOUT_MS)
    page.wait_for_selector("main.cm-instructor table", timeout=TIMEOUT_MS)
    assert page.locator("main.cm-instructor h1").inner_text() == "Tableau de bord du formateur"
    data = dashboard.load(course)
    glance = dashboard.glance(data)
    first = page.eval_on_selector(
        "main.cm-instructor table", "t => Array.from(t.rows[1].cells).map(c => c.textContent)"
    )
    assert first[:4] == [str(v) for v in glance.iloc[0][["assignment", "trainees", "submitted",
                                                         "not_submitted"]]]  # fmt: skip
    links = page.eval_on_selector_all(
        "main.cm-instructor a[download]", "els => els.map(e => [e.download, e.href])"
    )
    files = {name: base64.b64decode(href.split("base64,", 1)[1]).decode() for name, href in links}
    exported = list(csv.reader(io.StringIO(files["class.csv"])))
    assert [int(x) for x in exported[1][1:4]] == list(glance.iloc[0][["trainees", "submitted",
                                                                       "not_submitted"]])  # fmt: skip
    labels = page.eval_on_selector_all(
        "main.cm-instructor svg[role=img]", "els => els.map(e => e.getAttribute('aria-label'))"
    )
    assert len(labels) == 2 and all("tranches de 10" in label for label in labels)
    violations = axe(page)
    assert violations == [], [(v["id"], v["impact"], v["help"]) for v in violations]
    assert page.external_requests == []


def test_without_the_token_the_browser_gets_the_login_page(page, server):
    """Does opening the dashboard without the token land on the login page, with no figure?"""
    page.goto(server.base_url, timeout=TIMEOUT_MS)
    assert "/login" in page.url
    assert page.locator("main.cm-instructor").count() == 0
