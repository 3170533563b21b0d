"""The instructor's dashboard over HTTP, served as `course apps --server instructor` serves it."""

from __future__ import annotations

import socket
import subprocess
import time
from types import SimpleNamespace

import pytest
import requests

from course import apps

pytestmark = pytest.mark.slow

TOKEN = "staff-test-token-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def instructor_server(synthetic_course, tmp_path, repo):
    """`course apps --server instructor`'s Voilà command on a free port, reading the synthetic
    class; yields its base URL."""
    args = SimpleNamespace(
        dashboards=str(repo / "dashboards"), port=free_port(), server="instructor",
        token=TOKEN, no_preheat=True, ip="127.0.0.1",
    )  # fmt: skip
    command = apps._server_command(apps.SERVERS["instructor"], args)
    env = apps.voila_env()
    env.update(COURSE_GRADING_DIR=str(synthetic_course.root))
    env.pop("COURSE_HR_TOKEN", None)
    env.pop("COURSE_HR_GUARD", None)
    log = tmp_path / "voila.log"
    with log.open("w") as handle:
        process = subprocess.Popen(
            command, cwd=repo / "dashboards", env=env, stdout=handle,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{args.port}/"
    deadline = time.monotonic() + 120
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(log.read_text())
            try:
                requests.get(url + "voila/static/voila.js", timeout=2)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise RuntimeError(log.read_text()) from None
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_refuses_without_the_token_and_renders_with_it(instructor_server):
    """Is a request without the token refused (no figure), and the page rendered with it?"""
    for path in ("", "voila/render/instructor.ipynb", "?lang=fr"):
        response = requests.get(instructor_server + path, timeout=120, allow_redirects=False)
        redirect = response.status_code in (301, 302, 303, 307)
        assert (redirect and "login" in response.headers.get("Location", "")) or (
            response.status_code in (401, 403)
        ), (path, response.status_code)
        assert "m1_synthetic" not in response.text
    wrong = requests.get(instructor_server + "?token=not-the-token", timeout=120)
    assert "m1_synthetic" not in wrong.text
    page = requests.get(instructor_server + f"?token={TOKEN}&lang=fr", timeout=240)
    assert page.status_code == 200
    assert "Tableau de bord du formateur" in page.text and "m1_synthetic" in page.text
