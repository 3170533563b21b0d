"""The self-assessment page over HTTP from a real Voilà server (no browser)."""

from __future__ import annotations

import pytest
import requests

NOTEBOOK = "dashboards/self_assessment.ipynb"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(voila_server):
    return voila_server(NOTEBOOK, pools={"self_assessment.ipynb": 1})


def get(url: str) -> requests.Response:
    return requests.get(url, timeout=120)


def test_page_is_served_without_source_or_traceback(server):
    """Is the page a 200 with the widgets, and neither the notebook's code nor a traceback?"""
    response = get(server.page_url())
    assert response.status_code == 200
    body = response.text
    assert "application/vnd.jupyter.widget-view+json" in body
    assert "from course.assess.app import launch" not in body
    assert "launch()" not in body
    assert "Traceback" not in body
    assert "__cmA11y" in body  # the accessibility script is in the page


def test_page_loads_nothing_from_a_cdn(server):
    """Does the served page name no CDN (the course template removes Voilà's font links)?"""
    body = get(server.page_url()).text
    assert "cdn.jsdelivr.net" not in body
    assert "unpkg.com" not in body


@pytest.mark.parametrize(
    "query",
    [
        "code=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "code=AAAAAAAAAAAAAAAAAAAAAA",
        "lang=xx&code=",
        "lang=%22%3E%3Cimg%20src%3Dx%3E",
    ],
)
def test_bad_query_strings_are_harmless(server, query):
    """Do forged codes and odd languages still give a clean 200 without a traceback or echo?"""
    response = get(server.page_url(query))
    assert response.status_code == 200
    assert "Traceback" not in response.text
    assert "<script>alert(1)" not in response.text
    assert "<img src=x>" not in response.text


def test_server_log_has_no_kernel_error(server):
    """After those requests, is the server log free of tracebacks from the notebook?"""
    get(server.page_url())
    assert "Traceback" not in server.log()
