"""Thirty people contributing at the same instant through a real Voilà server."""

from __future__ import annotations

import threading
import time

import pytest

from course.assess.app import INSTRUMENT
from course.assess.store import Store

NOTEBOOK = "dashboards/self_assessment.ipynb"
PEOPLE = 30
OPEN_AT_ONCE = 6

pytestmark = pytest.mark.slow


def test_thirty_concurrent_contributions_leave_thirty_rows(voila_server, widget_session):
    """Do 30 kernel sessions clicking "contribute" at the same instant leave exactly 30 rows?"""
    server = voila_server(NOTEBOOK, pools={"self_assessment.ipynb": 4})
    store = Store(server.db_url)
    answers = {f"D{d}.{i}": 1 + (d + i) % 5 for d in range(1, 6) for i in range(1, 5)}
    codes = store.invite(PEOPLE)  # issued codes: contributions need them
    for code in codes:
        store.save_draft(INSTRUMENT, code, {"answers": answers})
    ready = threading.Barrier(PEOPLE, timeout=400)
    # Pages open a few at a time (30 kernels booting at once only thrash the CPU); once all 30
    # sessions are open, every click is sent at the same instant.
    opening = threading.Semaphore(OPEN_AT_ONCE)
    errors: list[BaseException] = []
    clicked_at: list[float] = []

    def person(code: str) -> None:
        try:
            with opening:
                session = widget_session(server, f"code={code}", timeout=300)
            assert "cm-msg-ok" in session.state("cm-code-status")["value"]  # answers restored
            session.set("cm-consent", value=True)
            session.select("cm-department", "Marketing")
            session.select("cm-site", "Lyon")
            ready.wait()
            clicked_at.append(time.monotonic())
            session.click("cm-contribute")
            session.wait_for("cm-contribute-status", lambda s: "cm-msg" in s["value"])
            assert "cm-msg-ok" in session.state("cm-contribute-status")["value"]
        except BaseException as exc:  # reported below, with every other thread's
            errors.append(exc)
            ready.abort()

    threads = [threading.Thread(target=person, args=(code,)) for code in codes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert max(clicked_at) - min(clicked_at) < 2  # the clicks really were simultaneous
    frame = store.contributions_frame(INSTRUMENT)
    assert len(frame) == PEOPLE
    assert set(frame["department"]) == {"Marketing"} and set(frame["site"]) == {"Lyon"}
    assert frame["D1"].notna().all()
