"""A real JupyterHub on this machine, run with the course's own configuration: tests and benchmarks.

:class:`LocalHub` starts ``jupyterhub`` with ``deploy/jupyterhub/jupyterhub_config.py`` (loaded
as it is, through a small wrapper that swaps the authenticator for ``DummyAuthenticator`` and the
spawner for ``SimpleLocalProcessSpawner``, and sets loopback ports and a working folder), on
configurable-http-proxy from npm. It then drives the hub through its REST API with a service
token: create users, spawn servers (polling, and retrying a spawn that fails once), issue user
tokens, run Python in a user's kernel.

Who runs what: the hub runs as the unix user ``jovyan`` (created when missing, which needs
root), never as root: single-user servers refuse to run as root. ``jovyan`` is also the name
under which nbgrader takes the student id from ``JUPYTERHUB_USER`` (``nbgrader.utils
.get_username``), as in the Docker images Zero to JupyterHub uses. Everything the hub touches
must be readable by that user: the Python environment (``HUB_ENV``, built by ``make
test-deps`` from the system Python under ``/var/tmp``) and a copy of the course in a temporary
folder owned by ``jovyan``.

Example::

    hub = LocalHub(env_dir=Path("/var/tmp/cm-course-hub-env"), proxy=...)
    hub.start(settings={"CM_COURSE_DB_URL": url, ...})
    hub.create_users(["ana"]); hub.spawn("ana")
    hub.stop()
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

import requests

from course.localpg import free_port

__all__ = ["HUB_USER", "HubError", "LocalHub", "copy_course", "ensure_hub_user"]

REPO_ROOT = Path(__file__).resolve().parents[1]
HUB_USER = "jovyan"
#: What a hub needs from the repository (copied to a folder the hub's user can read).
COURSE_PARTS = ("course", "dashboards", "modules", "exercises", "grading", "deploy", "datasets")
PASSWORD = "local-hub-test-password"
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"


class HubError(RuntimeError):
    """The hub or a server did not start or answer; the message carries the hub's log tail."""


def ensure_hub_user(name: str = HUB_USER) -> pwd.struct_passwd:
    """The unix user the hub runs as, created (no login, no home) when missing.

    Raises:
        HubError: the user is missing and this process cannot create it (not root).
    """
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    if os.geteuid() != 0:
        raise HubError(f"the unix user {name!r} is missing: create it (`useradd {name}`) as root")
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        check=True,
        capture_output=True,
    )
    return pwd.getpwnam(name)


def copy_course(dest: Path, parts: Iterable[str] = COURSE_PARTS) -> Path:
    """Copy the repository's course folders to ``dest`` (skipping generated and heavy files).

    Returns:
        ``dest``.
    """
    ignore = shutil.ignore_patterns(
        "__pycache__", ".ipynb_checkpoints", "node_modules", "*.db", "release", "submitted",
        "autograded", "feedback", "exchange", "exports", "reports",
    )  # fmt: skip
    for part in parts:
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(source, dest / part, ignore=ignore)
    return dest


def _chown_tree(root: Path, user: pwd.struct_passwd) -> None:
    for path in [root, *root.rglob("*")]:
        os.lchown(path, user.pw_uid, user.pw_gid)


class LocalHub:
    """A JupyterHub on loopback ports, with the course's configuration (see the module docstring).

    Args:
        env_dir: the Python environment holding jupyterhub and the course (readable by the
            hub's user), e.g. ``/var/tmp/cm-course-hub-env``.
        proxy: the ``configurable-http-proxy`` executable (npm).
        instructors: user names of the ``instructors`` group.
        hr: user names of the ``hr`` group.
    """

    def __init__(
        self,
        env_dir: Path,
        proxy: Path,
        *,
        instructors: Iterable[str] = (),
        hr: Iterable[str] = (),
    ):
        self.env_dir = Path(env_dir)
        self.proxy = Path(proxy)
        self.instructors = list(instructors)
        self.hr = list(hr)
        self.run_id = uuid.uuid4().hex
        self.token = secrets.token_hex(32)
        self.folder: Path | None = None
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.user = ensure_hub_user() if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
        self._user_tokens: dict[str, str] = {}
        self.identity_secret = ""

    # -- paths -----------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def course_dir(self) -> Path:
        """The copy of the course the hub serves (``CM_COURSE_DIR``)."""
        return self.folder / "course"

    @property
    def grading_dir(self) -> Path:
        """The instructors' clone (``CM_GRADING_DIR``)."""
        return self.folder / "grading-clone"

    @property
    def exchange(self) -> Path:
        """nbgrader's exchange (``CM_EXCHANGE``)."""
        return self.folder / "exchange"

    def home(self, user: str) -> Path:
        """A user's home (``SimpleLocalProcessSpawner.home_dir_template``)."""
        return self.folder / "home" / user

    def log(self) -> str:
        """The hub's log so far (proxy and servers included)."""
        path = self.folder / "hub.log" if self.folder else None
        return path.read_text(errors="replace") if path and path.exists() else ""

    # -- start and stop --------------------------------------------------------------------------

    def _check_readable(self) -> None:
        for path in (self.env_dir / "bin" / "jupyterhub", self.proxy):
            if not path.exists():
                raise HubError(f"{path} is missing: run `make test-deps`")
            probe = subprocess.run(
                [RUNUSER, "-u", self.user.pw_name, "--", "test", "-x", str(path)]
                if os.geteuid() == 0
                else ["test", "-x", str(path)],
                capture_output=True,
            )
            if probe.returncode:
                raise HubError(
                    f"{path} cannot be run by the hub's user {self.user.pw_name!r}: it must live "
                    "in a folder every user can read (HUB_ENV=/var/tmp/… for `make test-deps`)"
                )

    def start(self, settings: dict[str, str], timeout: float = 90) -> LocalHub:
        """Copy the course, write the wrapper configuration and start the hub.

        Args:
            settings: the ``CM_*`` variables of ``deploy/jupyterhub/jupyterhub_config.py``
                (``CM_COURSE_DB_URL``, ``CM_GRADEBOOK_URL``…); folders and ports are filled in.
            timeout: seconds to wait for the hub's API.

        Returns:
            ``self``.

        Raises:
            HubError: the hub did not answer in time (with its log).
        """
        self._check_readable()
        self.identity_secret = secrets.token_urlsafe(32)
        self.folder = Path(tempfile.mkdtemp(prefix="cm-course-hub-"))
        copy_course(self.course_dir)
        copy_course(self.grading_dir, parts=("grading", "exercises"))
        self.exchange.mkdir()
        (self.folder / "home").mkdir()
        # the proxy, copied so that it runs whatever folder the repository is in
        proxy_root = self.proxy.resolve().parents[1]  # node_modules/configurable-http-proxy
        shutil.copytree(proxy_root.parent, self.folder / "node_modules", symlinks=True)
        proxy = self.folder / "node_modules" / ".bin" / "configurable-http-proxy"
        self.port = free_port()
        hr_port, hub_port, api_port = free_port(), free_port(), free_port()
        config = self.folder / "jupyterhub_test_config.py"
        config.write_text(
            _WRAPPER.format(
                deploy=json.dumps(str(self.course_dir / "deploy/jupyterhub/jupyterhub_config.py")),
                port=self.port,
                hub_port=hub_port,
                api_port=api_port,
                proxy=json.dumps(str(proxy)),
                folder=json.dumps(str(self.folder)),
                token=json.dumps(self.token),
                run_id=json.dumps(self.run_id),
            ),
            encoding="utf-8",
        )
        env = {
            "PATH": f"{self.env_dir / 'bin'}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.folder),
            "LANG": "C.UTF-8",
            # this checkout's course, not the one installed in the environment
            "PYTHONPATH": str(self.course_dir),
            "CM_COURSE_DIR": str(self.course_dir),
            "CM_GRADING_DIR": str(self.grading_dir),
            "CM_EXCHANGE": str(self.exchange),
            "CM_ENV_BIN": str(self.env_dir / "bin"),
            "CM_HR_VIEW_PORT": str(hr_port),
            "CM_HR_VIEW_HOME": str(self.folder / "hr-view"),
            "CM_INSTRUCTORS": ",".join(self.instructors),
            "CM_HR": ",".join(self.hr),
            "CM_IDENTITY_SECRET": self.identity_secret,
            "CM_HUB_RUN": self.run_id,
            **settings,
        }
        os.chmod(self.exchange, 0o1777)
        if os.geteuid() == 0:
            _chown_tree(self.folder, self.user)
        command = [str(self.env_dir / "bin" / "jupyterhub"), "-f", str(config)]
        if os.geteuid() == 0:
            command = [RUNUSER, "-u", self.user.pw_name, "--", *command]
        with (self.folder / "hub.log").open("w") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.folder,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise HubError(
                    f"jupyterhub exited ({self.process.returncode}):\n{self.log()[-4000:]}"
                )
            try:
                if requests.get(f"{self.url}/hub/api/", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise HubError(f"jupyterhub did not answer within {timeout} s:\n{self.log()[-4000:]}")

    def _own_processes(self) -> list[int]:
        """Processes started by this hub (their environment carries its run id)."""
        marker = f"CM_HUB_RUN={self.run_id}".encode()
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
        return found

    def stop(self) -> None:
        """Stop the hub (which stops servers, services and proxy), then anything left of this run."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        for pid in self._own_processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __enter__(self) -> LocalHub:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- the REST API ----------------------------------------------------------------------------

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """Call ``/hub/api/<path>`` with the test service's token."""
        headers = {"Authorization": f"token {self.token}", **kwargs.pop("headers", {})}
        return requests.request(
            method, f"{self.url}/hub/api/{path.lstrip('/')}", headers=headers, timeout=30, **kwargs
        )

    def create_users(self, names: Iterable[str]) -> None:
        """Create hub users (those that exist already are kept)."""
        names = list(names)
        response = self.api("POST", "users", json={"usernames": names})
        if response.status_code not in (201, 409):
            raise HubError(f"creating {names}: {response.status_code} {response.text}")

    def spawn(self, name: str, timeout: float = 150, attempts: int = 3) -> None:
        """Start a user's server and wait until it is ready; a failed spawn is retried.

        Raises:
            HubError: not ready after ``attempts`` tries or ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        last = ""
        for _attempt in range(attempts):
            response = self.api("POST", f"users/{name}/server")
            if response.status_code not in (201, 202, 400):  # 400: already running or pending
                last = f"{response.status_code} {response.text}"
                time.sleep(1)
                continue
            while time.monotonic() < deadline:
                model = self.api("GET", f"users/{name}").json()
                server = model.get("servers", {}).get("")
                if server and server.get("ready"):
                    return
                if not server and not model.get("pending"):
                    last = "the spawn failed"
                    break  # failed: try again
                time.sleep(0.5)
            else:
                break
        raise HubError(f"server of {name} not ready ({last}):\n{self.log()[-4000:]}")

    def stop_server(self, name: str) -> None:
        """Stop a user's server and wait until it is gone."""
        self.api("DELETE", f"users/{name}/server")
        for _ in range(120):
            if not self.api("GET", f"users/{name}").json().get("servers"):
                return
            time.sleep(0.5)

    def user_token(self, name: str) -> str:
        """An API token of ``name`` (their own rights), issued once and cached."""
        if name not in self._user_tokens:
            response = self.api(
                "POST", f"users/{name}/tokens", json={"note": "local hub", "expires_in": 7200}
            )
            if response.status_code != 201:
                raise HubError(f"token for {name}: {response.status_code} {response.text}")
            self._user_tokens[name] = response.json()["token"]
        return self._user_tokens[name]

    def as_user(self, name: str, method: str, path: str, **kwargs) -> requests.Response:
        """A request to ``/user/<name>/<path>`` with ``name``'s own token."""
        headers = {"Authorization": f"token {self.user_token(name)}", **kwargs.pop("headers", {})}
        kwargs.setdefault("timeout", 120)
        return requests.request(
            method, f"{self.url}/user/{name}/{path.lstrip('/')}", headers=headers, **kwargs
        )

    def run_python(self, name: str, code: str, timeout: float = 300) -> str:
        """Run ``code`` in a new kernel of ``name``'s server; returns what it printed.

        Raises:
            HubError: the code raised (its traceback is in the message) or did not finish.
        """
        import websocket

        response = self.as_user(name, "POST", "api/kernels", json={"name": "python3"})
        if response.status_code != 201:
            raise HubError(f"kernel for {name}: {response.status_code} {response.text[:500]}")
        kernel = response.json()["id"]
        socket = websocket.create_connection(
            f"ws://127.0.0.1:{self.port}/user/{name}/api/kernels/{kernel}/channels",
            header=[f"Authorization: token {self.user_token(name)}"],
            timeout=timeout,
        )
        msg_id = uuid.uuid4().hex
        socket.send(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "msg_type": "execute_request",
                        "session": uuid.uuid4().hex,
                        "username": name,
                        "version": "5.3",
                        "date": "",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "content": {"code": code, "silent": False, "store_history": False},
                    "channel": "shell",
                    "buffers": [],
                }
            )
        )
        out, error = [], None
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                frame = socket.recv()
                if isinstance(frame, bytes):
                    continue
                message = json.loads(frame)
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind, content = message["msg_type"], message["content"]
                if kind == "stream":
                    out.append(content["text"])
                elif kind == "error":
                    error = "\n".join(content.get("traceback", [])) or content.get("evalue", "")
                elif kind == "status" and content.get("execution_state") == "idle":
                    break
            else:
                raise HubError(f"code in {name}'s kernel did not finish in {timeout} s")
        finally:
            socket.close()
            self.as_user(name, "DELETE", f"api/kernels/{kernel}")
        if error is not None:
            raise HubError(f"code in {name}'s kernel failed:\n{''.join(out)}\n{error}")
        return "".join(out)


# The site's configuration, as it is; only the authenticator, the spawner and the machine's
# folders and ports are set here (plus the API service this class drives the hub with).
_WRAPPER = """\
c = get_config()  # noqa: F821
load_subconfig({deploy})  # noqa: F821

c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = "{password}"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {folder} + "/home/{{username}}"

c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{proxy}]
c.JupyterHub.db_url = "sqlite:///" + {folder} + "/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = {folder} + "/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = {folder} + "/jupyterhub.pid"
# lets the tests find and stop whatever is left of this run
c.Spawner.environment["CM_HUB_RUN"] = {run_id}
for service in c.JupyterHub.services:
    service.setdefault("environment", {{}})["CM_HUB_RUN"] = {run_id}

c.JupyterHub.services.append({{"name": "local-hub-driver", "api_token": {token}}})
c.JupyterHub.load_roles.append(
    {{
        "name": "local-hub-driver",
        "scopes": ["admin:users", "admin:servers", "list:users", "read:users", "tokens",
                   "access:servers", "admin:groups"],
        "services": ["local-hub-driver"],
    }}
)
""".replace("{password}", PASSWORD)
