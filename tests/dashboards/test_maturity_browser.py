"""The maturity app in Debian's Chromium against a real Voilà server."""

from __future__ import annotations

import base64
import csv
import io

import pytest

from course.assess.maturity import DIMENSIONS

NOTEBOOK = "dashboards/maturity.ipynb"
TIMEOUT_MS = 120_000
READY = ".cm-key-mat-measurement [role=radiogroup] input[name='cm-mat-measurement']"
# chosen so that the median (3) is capped by the weakest (culture 1): overall stage 2
STAGES = dict(zip(DIMENSIONS, (3, 3, 1, 3, 4, 3, 4, 2), strict=True))

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def server(voila_server):
    return voila_server(NOTEBOOK, pools={"maturity.ipynb": 1})


def test_answer_all_eight_and_see_the_stage(page, server, axe):
    """Can the eight dimensions be answered in the page, showing the stage, actions and a CSV?"""
    page.goto(server.page_url("lang=en"), timeout=TIMEOUT_MS)
    page.wait_for_selector(READY, state="attached", timeout=TIMEOUT_MS)
    page.wait_for_function(
        "() => document.body.innerText.includes('Strategy — Are the network')", timeout=TIMEOUT_MS
    )
    for dim, stage in STAGES.items():
        page.locator(f".cm-key-mat-{dim} input[type=radio]").nth(stage - 1).check()
    overall = page.wait_for_selector("[data-testid=overall-stage]", timeout=TIMEOUT_MS)
    assert overall.inner_text() == "2"
    results = page.inner_text(".cm-results")
    # Culture at stage 1: its action towards stage 2 (an action, not the stage's description)
    assert "Culture" in results and "written commitment that no criticism made in good" in results
    alt = page.get_attribute(".cm-results figure img", "alt")
    assert alt.startswith("Bar chart of the stage") and "Culture 1" in alt
    href = page.get_attribute(".cm-downloads a", "href")
    rows = list(csv.reader(io.StringIO(base64.b64decode(href.split("base64,", 1)[1]).decode())))
    assert rows[-1][:3] == ["overall", "Overall stage", "2"]
    code = page.inner_text("[data-testid=resume-code]")
    assert len(code) == 22
    violations = axe(page)
    assert violations == [], [(v["id"], v["impact"], v["help"]) for v in violations]
    assert page.external_requests == []


def test_resume_code_restores_the_answers(page, server):
    """Does opening the page with ?code= restore the saved stages?"""
    page.goto(server.page_url("lang=en"), timeout=TIMEOUT_MS)
    page.wait_for_selector(READY, state="attached", timeout=TIMEOUT_MS)
    page.locator(".cm-key-mat-tools input[type=radio]").nth(2).check()
    code = page.wait_for_selector("[data-testid=resume-code]", timeout=TIMEOUT_MS).inner_text()
    page.goto(server.page_url(f"lang=en&code={code}"), timeout=TIMEOUT_MS)
    page.wait_for_selector(READY, state="attached", timeout=TIMEOUT_MS)
    page.wait_for_function(
        "() => document.querySelectorAll('.cm-key-mat-tools input[type=radio]')[2].checked",
        timeout=TIMEOUT_MS,
    )
