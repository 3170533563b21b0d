"""`make start NO_BROWSER=1` sets the course up and serves JupyterLab with M0 reachable over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_make_start_serves_the_first_lesson():
    """Does `make start NO_BROWSER=1 PORT=…` serve JupyterLab with m0_start_here.ipynb over HTTP?"""
    port = _free_port()
    token = "course-start-test"
    env = {**os.environ, "JUPYTER_TOKEN": token}
    process = subprocess.Popen(
        ["make", "start", "NO_BROWSER=1", f"PORT={port}"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    headers = {"Authorization": f"token {token}"}
    try:
        deadline = time.monotonic() + 240
        content = None
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"make start exited early:\n{process.stdout.read()[-3000:]}")
            try:
                content = requests.get(
                    f"http://127.0.0.1:{port}/api/contents/modules/m0_start_here.ipynb",
                    headers=headers,
                    timeout=15,
                )
                if content.status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or busy starting
                pass
            time.sleep(1)
        assert content is not None and content.status_code == 200, "JupyterLab never served M0"
        assert content.json()["type"] == "notebook"
        page = requests.get(
            f"http://127.0.0.1:{port}/lab/tree/modules/m0_start_here.ipynb",
            headers=headers,
            timeout=10,
        )
        assert page.status_code == 200 and "JupyterLab" in page.text
        refused = requests.get(f"http://127.0.0.1:{port}/api/contents/modules", timeout=10)
        assert refused.status_code == 403, "the server must not be open without its token"
        # `make start` also generated the student versions of the assignments, and the trainee's
        # own copies of the lessons, outside the tracked files.
        assert (REPO / "assignments" / "m0_warmup" / "m0_warmup.ipynb").exists()
        mine = requests.get(
            f"http://127.0.0.1:{port}/api/contents/my_lessons/m0_start_here.ipynb",
            headers=headers,
            timeout=15,
        )
        assert mine.status_code == 200 and mine.json()["type"] == "notebook"
        # A quiet JupyterLab: nbgrader's instructor tools are off, Validate stays.
        lab = requests.get(f"http://127.0.0.1:{port}/lab", headers=headers, timeout=15).text
        for plugin in ("formgrader", "create-assignment", "assignment-list", "course-list"):
            assert f'"@jupyter/nbgrader:{plugin}"' in lab, plugin
        assert '"@jupyter/nbgrader:validate-assignment"' not in lab
        formgrader = requests.get(
            f"http://127.0.0.1:{port}/formgrader", headers=headers, timeout=15
        )
        assert formgrader.status_code == 404
        # JupyterLab's terminal finds the `course` command of the course's environment.
        out = _run_in_terminal(port, token, "command -v course")
        assert str(REPO / ".venv" / "bin" / "course") in out, out
    finally:
        _stop(process)
    log = process.stdout.read()
    assert "No nbgrader_config.py" not in log, "nbgrader warns in the trainee's server log"


def _run_in_terminal(port: int, token: str, command: str) -> str:
    """Open a JupyterLab terminal, run one command, return what it printed."""
    import asyncio
    import json

    from tornado.websocket import websocket_connect

    created = requests.post(
        f"http://127.0.0.1:{port}/api/terminals",
        headers={"Authorization": f"token {token}"},
        timeout=15,
    )
    created.raise_for_status()
    name = created.json()["name"]

    async def talk() -> str:
        ws = await websocket_connect(
            f"ws://127.0.0.1:{port}/terminals/websocket/{name}?token={token}"
        )
        # The marker is computed by the shell, so the echoed command line never contains it.
        await ws.write_message(json.dumps(["stdin", f"{command}; echo DONE-$((40 + 2))\r"]))
        seen = ""
        while "DONE-42" not in seen:
            message = await asyncio.wait_for(ws.read_message(), timeout=30)
            if message is None:
                break
            kind, *payload = json.loads(message)
            if kind == "stdout":
                seen += payload[0]
        ws.close()
        return seen

    try:
        return asyncio.run(talk())
    finally:
        requests.delete(
            f"http://127.0.0.1:{port}/api/terminals/{name}",
            headers={"Authorization": f"token {token}"},
            timeout=15,
        )


def _stop(process: subprocess.Popen) -> None:
    # `make` and the Jupyter server it started share one process group: stop them together.
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
