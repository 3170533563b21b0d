"""Fixtures for dashboard tests: a real Voilà server per notebook, and Debian's Chromium.

- ``voila_server(notebook, *extra_args, env=None, pools=None, token=None)`` (session-scoped
  factory) starts ``voila`` with the same command line as ``course apps``
  (:func:`course.apps.voila_command`: sources stripped, no tracebacks, the course template) on a
  free port, with its own SQLite database (``COURSE_DB_PATH``) in a temporary folder, waits until
  it answers (and until its kernel pools are filled), and stops it at the end of the session.
  It returns a :class:`VoilaServer` (``.url``, ``.page_url(query)``, ``.db_url``, ``.log()``).
- ``browser`` (session) is Chromium driven by Playwright; ``page`` (function) is a fresh context
  and page that records every request leaving 127.0.0.1 in ``page.external_requests``.
- ``AXE_JS`` is axe-core's script, installed by ``npm ci --prefix tests/dashboards``;
  :func:`axe_violations` injects it and returns the violations at a given impact.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from course.apps import voila_command, voila_env
from course.browser import CHROMIUM, CHROMIUM_ARGS

REPO_ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
LOCAL_PREFIXES = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")


def free_port() -> int:
    """A TCP port that is free right now on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class VoilaServer:
    """A running Voilà server started by the ``voila_server`` fixture."""

    notebook: Path
    port: int
    process: subprocess.Popen
    log_path: Path
    db_path: Path
    token: str | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/``."""
        return f"http://127.0.0.1:{self.port}/"

    @property
    def url(self) -> str:
        """The notebook's page (a single-notebook server serves it at ``/``)."""
        return self.page_url()

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL of the server's database (same as its kernels use)."""
        return f"sqlite:///{self.db_path}"

    def page_url(self, query: str = "") -> str:
        """The notebook's page with a query string (``"lang=en&code=..."``), token added if any."""
        parts = [p for p in (query, f"token={self.token}" if self.token else "") if p]
        return self.base_url + ("?" + "&".join(parts) if parts else "")

    def log(self) -> str:
        """Everything the server wrote so far (stdout and stderr)."""
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """Stop the server and its kernels (its own process group)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


def _wait_ready(server: VoilaServer, pools: dict[str, int] | None, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"voila exited ({server.process.returncode}):\n{server.log()}")
        try:
            response = requests.get(
                server.base_url + "voila/static/voila.js", timeout=2, allow_redirects=False
            )
            if response.status_code < 500:
                break
        except requests.RequestException:
            pass
        time.sleep(0.2)
    else:
        raise RuntimeError(f"voila did not answer within {timeout} s:\n{server.log()}")
    while pools and time.monotonic() < deadline:
        if server.log().count("is filled with") >= len(pools):
            return
        time.sleep(0.2)
    if pools and server.log().count("is filled with") < len(pools):
        raise RuntimeError(f"voila's kernel pools not filled within {timeout} s:\n{server.log()}")


@pytest.fixture(scope="session")
def voila_server(tmp_path_factory) -> Iterator:
    """Factory: ``voila_server(notebook, *extra_args, env=None, pools=None, token=None, timeout=120)``.

    ``notebook`` is a path (absolute, or relative to the repository); ``pools`` maps the notebook's
    file name to a number of preheated kernels (``{"self_assessment.ipynb": 2}``); ``env`` adds
    environment variables (``COURSE_DB_PATH`` defaults to a fresh file). Servers stop at the end
    of the session.
    """
    servers: list[VoilaServer] = []

    def start(
        notebook: str | Path,
        *extra_args: str,
        env: dict[str, str] | None = None,
        pools: dict[str, int] | None = None,
        token: str | None = None,
        timeout: float = 120,
    ) -> VoilaServer:
        path = Path(notebook)
        path = path if path.is_absolute() else REPO_ROOT / path
        folder = tmp_path_factory.mktemp(f"voila-{path.stem}")
        port = free_port()
        server_env = voila_env()
        server_env["COURSE_DB_PATH"] = str(folder / "assess.sqlite3")
        server_env.pop("COURSE_DB_URL", None)
        server_env.update(env or {})
        command = voila_command(path, port=port, pools=pools, token=token, extra_args=extra_args)
        log_path = folder / "voila.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                command,
                cwd=path.parent,
                env=server_env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = VoilaServer(
            notebook=path,
            port=port,
            process=process,
            log_path=log_path,
            db_path=Path(server_env["COURSE_DB_PATH"]),
            token=token,
            env=server_env,
        )
        servers.append(server)
        _wait_ready(server, pools, timeout)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright (never downloads a browser).

    One per test module, not per session: while Playwright's sync API is open it holds an event
    loop on the thread, and later tests on the same pytest worker (asyncio.run, another
    Playwright) would fail.
    """
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context and page; requests leaving 127.0.0.1 go to ``page.external_requests``."""
    context = browser.new_context()
    new_page = context.new_page()
    new_page.external_requests = []
    new_page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith(LOCAL_PREFIXES)
            else new_page.external_requests.append(request.url)
        ),
    )
    yield new_page
    context.close()


def axe_violations(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """Run axe-core in ``page`` and return the violations of the given impacts.

    Raises:
        pytest.fail: axe-core is not installed (run ``npm ci --prefix tests/dashboards``).
    """
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci --prefix tests/dashboards`")
    page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v.get("impact") in impacts]


@pytest.fixture
def axe():
    """``axe(page, impacts=("serious", "critical"))`` → the axe-core violations of those impacts."""
    return axe_violations


class WidgetSession:
    """A page view without a browser: GET the page, then talk to its kernel's widgets.

    Voilà starts (or takes from its pool) a kernel for the GET and executes the notebook; this
    client then connects to ``/api/kernels/<id>/channels`` like the page's JavaScript does, asks
    for every widget state (``jupyter.widget.control``), and can set values and click buttons.
    Widgets are found by a CSS class they carry (``widget.add_class("cm-consent")``).
    Much lighter than a browser page, so dozens can run in parallel.
    """

    def __init__(self, server: VoilaServer, query: str = "", timeout: float = 120):
        import json
        import re
        import uuid

        import websocket

        self._json = json
        self._uuid = uuid
        self.timeout = timeout
        self._websocket = websocket
        response = _retry(lambda: requests.get(server.page_url(query), timeout=timeout))
        response.raise_for_status()
        self.html = response.text
        self.kernel_id = re.search(r'"kernelId": "([0-9a-f-]+)"', self.html).group(1)
        self.session = uuid.uuid4().hex
        self._url = f"ws://127.0.0.1:{server.port}/api/kernels/{self.kernel_id}/channels"
        if server.token:
            self._url += f"?token={server.token}"
        self.ws = None
        self._last_action: str | None = None
        self.states: dict[str, dict] = {}
        self._connect()

    # On a loaded machine the client's socket can break (BrokenPipeError, a truncated frame).
    # The harness then reconnects to the same kernel and asks for the widget states again:
    # the kernel, and so the app under test, is untouched, and no assertion is retried.
    _BROKEN = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, ValueError)

    def _connect(self, attempts: int = 4) -> None:
        for attempt in range(attempts):
            if self.ws is not None:
                with contextlib.suppress(Exception):
                    self.ws.close()
            try:
                self.ws = _retry(
                    lambda: self._websocket.create_connection(self._url, timeout=self.timeout)
                )
                self._request_states()
                return
            except (*self._BROKEN, self._websocket.WebSocketConnectionClosedException):
                if attempt == attempts - 1:
                    raise
                time.sleep(0.5 * (attempt + 1))

    def _send(self, msg_type: str, content: dict, metadata: dict | None = None) -> None:
        message = self._message(msg_type, content, metadata)
        payload = self._json.dumps(message)
        try:
            self.ws.send(payload)
        except (*self._BROKEN, self._websocket.WebSocketException):
            self._connect()
            self.ws.send(payload)
        self._last_action = payload

    def _message(self, msg_type: str, content: dict, metadata: dict | None) -> dict:
        return {
            "header": {
                "msg_id": self._uuid.uuid4().hex,
                "msg_type": msg_type,
                "session": self.session,
                "username": "test",
                "version": "5.3",
                "date": "",
            },
            "parent_header": {},
            "metadata": metadata or {},
            "content": content,
            "channel": "shell",
            "buffers": [],
        }

    def _receive(self) -> dict:
        try:
            frame = self.ws.recv()
            if isinstance(frame, bytes):  # a message with binary buffers: not used by these apps
                return {}
            return self._json.loads(frame)
        except self._websocket.WebSocketTimeoutException:
            raise
        except (*self._BROKEN, self._websocket.WebSocketException):
            # The server closed an idle socket (a thread waiting at a barrier answers no ping):
            # reconnect, and send the last action again if it was sent on the dying socket, so
            # the kernel really receives the click the test made (the assertion is unchanged).
            self._connect()
            if self._last_action is not None:
                self.ws.send(self._last_action)
                self._last_action = None
            return {}

    def _apply(self, message: dict) -> None:
        """Track widget state changes sent by the kernel."""
        if (
            message.get("msg_type") != "comm_msg"
            and message.get("header", {}).get("msg_type") != "comm_msg"
        ):
            return
        data = message["content"].get("data", {})
        comm_id = message["content"].get("comm_id")
        if data.get("method") == "update" and comm_id in self.states:
            self.states[comm_id].update(data.get("state", {}))

    def _request_states(self) -> None:
        control = self._uuid.uuid4().hex
        # Straight on the socket: a break here surfaces to _connect's retry, never recursion.
        for msg_type, content, metadata in (
            (
                "comm_open",
                {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
                {"version": "1.0.0"},  # ipywidgets' control protocol version
            ),
            ("comm_msg", {"comm_id": control, "data": {"method": "request_states"}}, {}),
        ):
            self.ws.send(self._json.dumps(self._message(msg_type, content, metadata)))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            frame = self.ws.recv()
            message = {} if isinstance(frame, bytes) else self._json.loads(frame)
            data = message.get("content", {}).get("data", {})
            if data.get("method") == "update_states":
                self.states = {mid: s["state"] for mid, s in data["states"].items()}
                return
        raise TimeoutError("no widget states from the kernel")

    def find(self, css_class: str) -> str:
        """The model id of the widget carrying ``css_class``."""
        found = [mid for mid, s in self.states.items() if css_class in s.get("_dom_classes", ())]
        if len(found) != 1:
            raise LookupError(f"{len(found)} widgets with class {css_class!r}")
        return found[0]

    def state(self, css_class: str) -> dict:
        """The current state of the widget carrying ``css_class``."""
        return self.states[self.find(css_class)]

    def set(self, css_class: str, **state) -> None:
        """Set traits of a widget as the browser would (``value=True``, ``index=2``)."""
        model = self.find(css_class)
        self._send(
            "comm_msg",
            {"comm_id": model, "data": {"method": "update", "state": state, "buffer_paths": []}},
        )
        self.states[model].update(state)

    def select(self, css_class: str, label: str) -> None:
        """Choose a selection widget's option by its label."""
        self.set(css_class, index=self.state(css_class)["_options_labels"].index(label))

    def click(self, css_class: str) -> None:
        """Click a button."""
        self._send(
            "comm_msg",
            {
                "comm_id": self.find(css_class),
                "data": {"method": "custom", "content": {"event": "click"}},
            },
        )

    def wait_for(self, css_class: str, predicate, timeout: float | None = None) -> dict:
        """Read kernel messages until ``predicate(state)`` holds for the widget; returns its state."""
        model = self.find(css_class)
        deadline = time.monotonic() + (timeout or self.timeout)
        while not predicate(self.states[model]):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{css_class}: {self.states[model]!r}")
            self._apply(self._receive())
        self._last_action = None  # answered: nothing to send again
        return self.states[model]

    def close(self) -> None:
        self.ws.close()


def _retry(connect, attempts: int = 5, pause: float = 0.5):
    """Call ``connect()`` again when the connection itself fails (never a test's assertion)."""
    for attempt in range(attempts):
        try:
            return connect()
        except (ConnectionError, OSError, requests.ConnectionError):
            if attempt == attempts - 1:
                raise
            time.sleep(pause * (attempt + 1))
    raise AssertionError("unreachable")


@pytest.fixture
def widget_session():
    """Factory: ``widget_session(server, query="")`` → a :class:`WidgetSession` (closed after the test)."""
    sessions: list[WidgetSession] = []

    def open_session(server: VoilaServer, query: str = "", timeout: float = 120) -> WidgetSession:
        session = WidgetSession(server, query, timeout)
        sessions.append(session)
        return session

    yield open_session
    for session in sessions:
        session.close()
