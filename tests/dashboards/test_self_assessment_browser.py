"""The self-assessment in Debian's Chromium against a real Voilà server."""

from __future__ import annotations

import pytest

from course.assess.app import INSTRUMENT
from course.assess.store import Store, new_code

NOTEBOOK = "dashboards/self_assessment.ipynb"
READY = ".cm-key-O3 [role=radiogroup] input[name='cm-O3']"
TIMEOUT_MS = 120_000

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# The radio groups in page order: each dimension's four items, then its importance; orientation last.
GROUPS = [
    *[key for d in range(1, 6) for key in (*(f"D{d}_{i}" for i in range(1, 5)), f"ID{d}")],
    "O1",
    "O2",
    "O3",
]
# Answers chosen so that every band, a profile and a known recommendation appear.
ITEM_VALUES = {"D1": 2, "D2": 3, "D3": 4, "D4": 1, "D5": 5}
ORIENTATION_VALUES = {"O1": 5, "O2": 1, "O3": 5}


@pytest.fixture(scope="module")
def server(voila_server):
    return voila_server(NOTEBOOK, pools={"self_assessment.ipynb": 2})


def open_app(page, server, query: str = "") -> None:
    page.goto(server.page_url(query), timeout=TIMEOUT_MS)
    page.wait_for_selector(READY, state="attached", timeout=TIMEOUT_MS)


def value_for(key: str) -> int:
    if key.startswith("ID"):
        return 3
    if key.startswith("O"):
        return ORIENTATION_VALUES[key]
    return ITEM_VALUES[key[:2]]


def active_name(page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.name || ''")


def test_keyboard_only_assessment_shows_results(page, server, axe):
    """Can the whole assessment be answered and scored with the keyboard only, accessibly, offline?"""
    open_app(page, server)
    for _ in range(30):  # Tab from the top of the page to the first question
        if active_name(page) == "cm-D1_1":
            break
        page.keyboard.press("Tab")
    assert active_name(page) == "cm-D1_1"
    for key in GROUPS:
        assert active_name(page) == f"cm-{key}", f"focus lost before {key}"
        steps = value_for(key) - 1
        if steps == 0:
            page.keyboard.press("Space")
        for _ in range(steps):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Tab")
    page.wait_for_function(
        "() => document.querySelector('.cm-progress-text').textContent.includes('28 sur 28')",
        timeout=TIMEOUT_MS,
    )
    # focus is now on "Voir mes résultats"
    assert page.evaluate("() => document.activeElement.textContent") == "Voir mes résultats"
    page.keyboard.press("Enter")
    table = page.wait_for_selector(".cm-results table.cm-results", timeout=TIMEOUT_MS)
    text = table.inner_text()
    assert "D1 · Écoute\t25\tdécouverte" in text
    assert "D3 · Modération\t75\texpert" in text
    assert "D5 · Stratégie et conduite du changement\t100\texpert" in text
    links = page.eval_on_selector_all(
        ".cm-modules a", "els => els.map(e => e.getAttribute('href'))"
    )
    assert [href.rsplit("/", 1)[-1][:3] for href in links] == ["m6_", "m1_", "m4_", "m5_"]
    assert "interne" in page.inner_text(".cm-results")
    alt = page.get_attribute(".cm-chart img", "alt")
    assert "Écoute 25 (découverte)" in alt
    assert page.inner_text(".cm-status") == ""
    code = page.inner_text("[data-testid=resume-code]")
    assert len(code) == 22
    assert page.external_requests == []
    violations = axe(page)
    assert violations == [], [(v["id"], v["impact"], v["help"]) for v in violations]
    # every answer is in the store already
    draft = Store(server.db_url).load_draft(INSTRUMENT, code)
    assert draft["answers"]["D5.4"] == 5 and draft["orientation"]["O2"] == 1


def test_radio_groups_are_labelled_groups(page, server):
    """Is every question a radiogroup labelled by its visible text, with named inputs?"""
    open_app(page, server, "lang=en")
    groups = page.eval_on_selector_all(
        ".cm-radiogroup [role=radiogroup]",
        """els => els.map(e => ({
            label: document.getElementById(e.getAttribute('aria-labelledby'))?.textContent || '',
            names: [...new Set([...e.querySelectorAll('input')].map(i => i.name))],
        }))""",
    )
    assert len(groups) == 28
    assert all(g["label"] and len(g["names"]) == 1 and g["names"][0] for g in groups)
    assert groups[0]["label"] == "D1.1 · I keep watch on what is said about us."


def test_reload_with_code_restores_answers_and_language_switches(page, server):
    """Does ?code=…&lang=en bring the answers back in English, and the switch go back to French?"""
    code = new_code()
    answers = {"D1.1": 4, "D1.2": "na", "D2.3": 1}
    Store(server.db_url).save_draft(
        INSTRUMENT, code, {"answers": answers, "importance": {"D3": 5}, "orientation": {"O2": 2}}
    )
    open_app(page, server, f"code={code}&lang=en")
    page.wait_for_selector(".cm-code-status .cm-msg-ok", timeout=TIMEOUT_MS)
    assert "restored" in page.inner_text(".cm-code-status")

    def checked(key):
        return page.evaluate(
            f"() => document.querySelector('input[name=\"cm-{key}\"]:checked')?.parentElement.textContent"
        )

    assert checked("D1_1") == "4 · routinely, results measured"
    assert checked("D1_2") == "N/A"
    assert checked("D2_3") == "1 · never done"
    assert checked("ID3") == "5 · essential"
    assert checked("O2").startswith("2")
    assert checked("D1_3") is None
    assert "Answered: 5 of 28" in page.inner_text(".cm-progress-text")

    page.get_by_role("button", name="Français").click()
    page.wait_for_function(
        "() => document.querySelector('#cm-q-D1_1').textContent.includes('Je fais de la veille')",
        timeout=TIMEOUT_MS,
    )
    # the options are re-rendered after the question: wait for the checked one in French
    page.wait_for_function(
        """() => document.querySelector('input[name="cm-D1_1"]:checked')
            ?.parentElement.textContent === '4 · régulièrement, résultats mesurés'""",
        timeout=TIMEOUT_MS,
    )
    assert page.external_requests == []


def test_a_refresh_loses_nothing(page, server):
    """After answering and reloading the page with the shown code, are the answers still there?"""
    open_app(page, server)
    page.locator("input[name='cm-D4_2']").nth(2).check()
    page.wait_for_selector("[data-testid=resume-code]", timeout=TIMEOUT_MS)
    code = page.inner_text("[data-testid=resume-code]")
    page.wait_for_function(
        "() => document.querySelector('.cm-progress-text').textContent.includes('1 sur 28')"
    )
    page.goto("about:blank")  # the kernel goes away with the page
    open_app(page, server, f"code={code}")
    page.wait_for_selector(".cm-code-status .cm-msg-ok", timeout=TIMEOUT_MS)
    assert page.locator("input[name='cm-D4_2']").nth(2).is_checked()


def test_initial_page_has_no_serious_accessibility_violation(page, server, axe):
    """Does axe-core find no serious or critical violation on the fresh page (English)?"""
    open_app(page, server, "lang=en")
    violations = axe(page)
    assert violations == [], [(v["id"], v["impact"], v["help"]) for v in violations]
