"""The HR view over HTTP: every way of serving it refuses a request without the token."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from course import apps
from course.apps import voila_env

REPO_ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

TOKEN = "hr-test-token-0123456789abcdef"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"voila exited:\n{log.read_text()}")
        try:
            requests.get(url + "voila/static/voila.js", timeout=2, allow_redirects=False)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError(f"voila did not start:\n{log.read_text()}")


@pytest.fixture
def plain_voila(tmp_path):
    """Start a bare ``voila`` command (no course options) from a given folder."""
    processes = []

    def start(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
        port = free_port()
        server_env = voila_env()
        server_env["COURSE_DB_PATH"] = str(tmp_path / "assess.sqlite3")
        server_env.pop(apps.SERVERS["hr"].token_env, None)
        server_env.pop("COURSE_HR_GUARD", None)
        server_env.update(env or {})
        log = tmp_path / f"voila-{port}.log"
        with log.open("w") as handle:
            process = subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("voila")),
                    *args,
                    f"--port={port}",
                    "--no-browser",
                ],
                cwd=cwd,
                env=server_env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        processes.append(process)
        url = f"http://127.0.0.1:{port}/"
        wait_until_up(url, process, log)
        return url

    yield start
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)


def refused(response: requests.Response) -> bool:
    """A login redirect or a 401/403, and no HR content."""
    redirect = response.status_code in (301, 302, 303, 307) and "login" in response.headers.get(
        "Location", ""
    )
    return (redirect or response.status_code in (401, 403)) and "cm-hr" not in response.text


def test_bare_voila_from_the_repository_root_needs_the_token(plain_voila):
    """Does `voila dashboards/hr.ipynb` run from the root refuse a request without the token?"""
    url = plain_voila(["dashboards/hr.ipynb"], REPO_ROOT, {"COURSE_HR_TOKEN": TOKEN})
    assert refused(requests.get(url, timeout=60, allow_redirects=False))
    assert refused(
        requests.get(url + "?token=wrong-token-0000000000", timeout=60, allow_redirects=False)
    )
    ok = requests.get(url + f"?token={TOKEN}", timeout=120)
    assert ok.status_code == 200 and "application/vnd.jupyter.widget-view+json" in ok.text


def test_bare_voila_uses_the_stored_token_when_none_is_set(plain_voila, tmp_path):
    """Without COURSE_HR_TOKEN, is a token generated once, kept outside git, and required?"""
    token_file = tmp_path / "config" / "hr_token"
    url = plain_voila(["dashboards/hr.ipynb"], REPO_ROOT, {"COURSE_HR_TOKEN_FILE": str(token_file)})
    assert refused(requests.get(url, timeout=60, allow_redirects=False))
    token = token_file.read_text().strip()
    assert len(token) >= 32 and oct(token_file.stat().st_mode)[-3:] == "600"
    assert requests.get(url + f"?token={token}", timeout=120).status_code == 200


def test_course_apps_hr_server_needs_the_token(voila_server):
    """Does the HR server as `course apps` / `make apps` start it refuse requests without the token?"""
    server = voila_server("dashboards/hr.ipynb", token=TOKEN)
    base = server.base_url
    assert refused(requests.get(base, timeout=60, allow_redirects=False))
    assert requests.get(base + "api/kernels", timeout=30, allow_redirects=False).status_code in (
        302,
        403,
        404,
    )
    assert requests.get(server.page_url("source=demo"), timeout=120).status_code == 200


def test_course_apps_command_for_hr_has_a_token_and_the_provider():
    """Does `course apps --print-command` give the HR server a token and the HR identity provider?"""
    args = type("Args", (), {})()
    args.dashboards, args.port, args.server, args.token = (
        str(REPO_ROOT / "dashboards"),
        None,
        "all",
        None,
    )
    args.no_preheat, args.ip = False, "127.0.0.1"
    command = apps._server_command(apps.SERVERS["hr"], args)
    assert any(a.startswith("--token=") and len(a) > 30 for a in command)
    assert "--Voila.identity_provider_class=course.assess.hr_auth.HRIdentityProvider" in command
    public = apps._server_command(apps.SERVERS["public"], args)
    assert not any(a.startswith("--token") for a in public)


def test_public_folder_server_keeps_hr_closed_and_the_others_open(plain_voila, tmp_path):
    """Serving dashboards/ without a token, is hr.ipynb refused, even with the token, while
    maturity.ipynb is open?"""
    url = plain_voila(
        # as `course apps` starts its public server: the folder, the provider flag, no token
        [
            str(REPO_ROOT / "dashboards"),
            "--Voila.identity_provider_class=course.assess.hr_auth.HRIdentityProvider",
        ],
        tmp_path,
        {"COURSE_HR_TOKEN": TOKEN},
    )
    assert refused(requests.get(url + "voila/render/hr.ipynb", timeout=60, allow_redirects=False))
    assert refused(
        requests.get(url + "voila/render/HR.ipynb", timeout=60, allow_redirects=False)
    ) or (requests.get(url + "voila/render/HR.ipynb", timeout=60).status_code == 404)
    assert requests.get(url + "voila/render/maturity.ipynb", timeout=120).status_code == 200
    with_token = requests.get(
        url + f"voila/render/hr.ipynb?token={TOKEN}", timeout=120, allow_redirects=False
    )
    assert refused(with_token)  # the HR view has its own server; the public one never serves it
