"""``course apps``: serve the Voilà dashboards.

Servers are declared in :data:`SERVERS`. The ``public`` server serves the people-facing apps of
``dashboards/`` (the self-assessment, the maturity app) on one port, without a token; a server
with ``token_required=True`` (the HR view, issue #10) runs as its own Voilà process on its own
port and refuses to start without a token (``--token`` or ``COURSE_HR_TOKEN``).

Every server gets the safe defaults: sources stripped, no tracebacks sent to the browser, idle
kernels culled, no browser opened. Preheated kernels (a pool per notebook, see
``kernel_pools_config``) make the self-assessment arrive at once; URL parameters are read by the
app only after ``voila.utils.wait_for_request()``.

Examples::

    course apps                       # every server whose notebooks exist
    course apps --server public --port 8866
    course apps --print-command       # show the voila command lines and exit
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "DASHBOARDS_DIR",
    "SERVERS",
    "ServerSpec",
    "add_arguments",
    "mask_token",
    "run",
    "voila_command",
    "voila_env",
]

REPO_ROOT = Path(__file__).resolve().parents[1]
DASHBOARDS_DIR = REPO_ROOT / "dashboards"
#: Jupyter data folder holding the course's Voilà template ``cm-course`` (no CDN links).
JUPYTER_DATA_DIR = Path(__file__).resolve().parent / "jupyter"
TEMPLATE = "cm-course"
#: Seconds a kernel may stay idle (page closed or left open) before Voilà shuts it down.
CULL_IDLE_SECONDS = 900
CULL_INTERVAL_SECONDS = 60
#: Seconds Voilà waits before starting a kernel to refill a pool that was drawn from.
POOL_FILL_DELAY_SECONDS = 5
#: What a printed command shows instead of a token that does not exist yet.
TOKEN_PLACEHOLDER = "TOKEN"


def mask_token(text: str, token: str | None) -> str:
    """``text`` with ``token`` replaced by its first four characters and an ellipsis.

    Args:
        text: what is about to be printed.
        token: the secret (``None``: nothing to hide).

    Returns:
        The text, safe to print: the token never appears in full.
    """
    if not token or token == TOKEN_PLACEHOLDER:
        return text
    return text.replace(token, token[:4] + "…")


@dataclass(frozen=True)
class ServerSpec:
    """One Voilà server.

    Attributes:
        name: the server's name on the command line (``--server NAME``).
        target: a folder (tree of notebooks) or one notebook, relative to ``dashboards/``.
        port: default port.
        pools: notebook path (relative to the served folder) → number of preheated kernels;
            notebooks not listed get none.
        token_required: the server must run behind a token (HR views).
        token_env: the environment variable that may hold the token.
    """

    name: str
    target: str
    port: int
    pools: dict[str, int] = field(default_factory=dict)
    token_required: bool = False
    token_env: str = ""


SERVERS: dict[str, ServerSpec] = {
    "public": ServerSpec(
        name="public",
        target=".",
        port=8866,
        pools={"self_assessment.ipynb": 2, "maturity.ipynb": 1},
    ),
    # The HR view (issue #10): its own process and port, always behind a token.
    "hr": ServerSpec(
        name="hr", target="hr.ipynb", port=8867, token_required=True, token_env="COURSE_HR_TOKEN"
    ),
    # The instructor's dashboard (issue #21): named trainees' grades, behind the same token.
    "instructor": ServerSpec(
        name="instructor",
        target="instructor.ipynb",
        port=8868,
        token_required=True,
        token_env="COURSE_HR_TOKEN",
    ),
}


def voila_command(
    target: str | os.PathLike,
    *,
    port: int,
    pools: dict[str, int] | None = None,
    token: str | None = None,
    ip: str = "127.0.0.1",
    cull_idle_seconds: int = CULL_IDLE_SECONDS,
    voila: str | None = None,
    extra_args: Sequence[str] = (),
) -> list[str]:
    """The ``voila`` command line for one server, with the course's safe defaults.

    Args:
        target: a folder of notebooks or one notebook.
        port: the port to listen on.
        pools: notebook (relative to the served folder, or the notebook's file name) → number of
            preheated kernels; empty or ``None`` means no preheating.
        token: require this token (``?token=...``); ``None`` means no token.
        ip: the interface to listen on.
        cull_idle_seconds: shut down kernels idle this long.
        voila: the ``voila`` executable (default: the one next to this Python).
        extra_args: appended as they are.

    Returns:
        The argument list for :func:`subprocess.Popen`.
    """
    executable = voila or str(Path(sys.executable).with_name("voila"))
    command = [
        executable,
        str(target),
        f"--port={port}",
        f"--Voila.ip={ip}",
        "--no-browser",
        "--strip_sources=True",
        "--show_tracebacks=False",
        f"--MappingKernelManager.cull_idle_timeout={cull_idle_seconds}",
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL_SECONDS}",
        f"--template={TEMPLATE}",
        "--MappingKernelManager.cull_connected=True",
        # hr.ipynb needs the HR token wherever it is served (course/assess/hr_auth.py)
        "--Voila.identity_provider_class=course.assess.hr_auth.HRIdentityProvider",
    ]
    pools = {name: size for name, size in (pools or {}).items() if size > 0}
    if pools:
        config = {
            "default": {"pool_size": 0},
            **{name: {"pool_size": n} for name, n in pools.items()},
        }
        command += [
            "--preheat_kernel=True",
            "--pool_size=0",
            # Refill the pool a little after a kernel is taken, not during that person's page
            # load: starting and pre-rendering the next kernel competes for the same CPU.
            f"--VoilaKernelManager.fill_delay={POOL_FILL_DELAY_SECONDS}",
            # A JSON literal: traitlets' "key=value" form would make the values strings.
            f"--VoilaKernelManager.kernel_pools_config={json.dumps(config)}",
        ]
    if token is not None:
        command.append(f"--token={token}")
    return [*command, *extra_args]


def voila_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a Voilà server: ``base`` (default ``os.environ``) + the course template.

    Args:
        base: the environment to start from.

    Returns:
        A copy with :data:`JUPYTER_DATA_DIR` first on ``JUPYTER_PATH`` (so ``--template=cm-course``
        is found) and ``PYTHONUNBUFFERED`` set.
    """
    env = dict(os.environ if base is None else base)
    paths = [str(JUPYTER_DATA_DIR)]
    if env.get("JUPYTER_PATH"):
        paths.append(env["JUPYTER_PATH"])
    env["JUPYTER_PATH"] = os.pathsep.join(paths)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _server_command(spec: ServerSpec, args: argparse.Namespace) -> list[str] | None:
    target = (Path(args.dashboards) / spec.target).resolve()
    if not target.exists():
        return None
    port = args.port if args.port and args.server == spec.name else spec.port
    token = None
    if spec.token_required:
        from course.assess.hr_auth import hr_token

        # one token for `voila dashboards/hr.ipynb`, `make apps` and `course apps` (never in git);
        # --print-command only shows commands: it creates no token file
        printing = getattr(args, "print_command", False)
        token = (
            args.token
            or os.environ.get(spec.token_env or "")
            or hr_token(create=not printing)
            or TOKEN_PLACEHOLDER
        )
    pools = {} if args.no_preheat else dict(spec.pools)
    if target.is_file():
        # serving one notebook: its pool is keyed by its file name
        sizes = [size for name, size in pools.items() if Path(name).name == target.name]
        pools = {target.name: sizes[0]} if sizes else {}
    return voila_command(target, port=port, pools=pools, token=token, ip=args.ip)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``course apps`` to ``parser``."""
    parser.add_argument(
        "--server",
        choices=[*SERVERS, "all"],
        default="all",
        help="which server to start (default: every server whose notebooks exist)",
    )
    parser.add_argument("--port", type=int, default=None, help="port (with --server NAME)")
    parser.add_argument(
        "--ip", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--dashboards",
        default=str(DASHBOARDS_DIR),
        help="folder of the dashboards (default: dashboards/)",
    )
    parser.add_argument("--token", default=None, help="token of the token-protected server(s)")
    parser.add_argument("--no-preheat", action="store_true", help="start kernels on demand only")
    parser.add_argument(
        "--lessons-url",
        default=None,
        help="prefix of the lesson links shown in results (sets COURSE_LESSONS_URL)",
    )
    parser.add_argument(
        "--print-command", action="store_true", help="print the voila command line(s) and exit"
    )


def run(args: argparse.Namespace) -> int:
    """Start the selected Voilà server(s) and wait; Ctrl-C stops them all.

    Returns:
        0 when every server stopped normally, else the first non-zero exit status (2 when there is
        nothing to serve).
    """
    names = list(SERVERS) if args.server == "all" else [args.server]
    commands = {}
    for name in names:
        command = _server_command(SERVERS[name], args)
        if command is not None:
            commands[name] = command
    if not commands:
        print("course apps: no dashboard to serve", file=sys.stderr)
        return 2
    if args.print_command:
        for name, command in commands.items():
            token = next((a.split("=", 1)[1] for a in command if a.startswith("--token=")), None)
            print(mask_token(f"# {name}\n{shlex.join(command)}", token))
        return 0
    env = voila_env()
    if args.lessons_url:
        env["COURSE_LESSONS_URL"] = args.lessons_url
    processes: dict[str, subprocess.Popen] = {}

    def _terminate(_signum, _frame):  # `kill PID` stops the servers like Ctrl-C does
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _serve(commands, processes, env, args)
    except KeyboardInterrupt:
        return _stop_all(processes)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _serve(
    commands: dict[str, list[str]],
    processes: dict[str, subprocess.Popen],
    env: dict[str, str],
    args: argparse.Namespace,
) -> int:
    for name, command in commands.items():
        spec = SERVERS[name]
        print(f"course apps: starting {name} server on port {_port_of(command)}", flush=True)
        token = next((a.split("=", 1)[1] for a in command if a.startswith("--token=")), None)
        if token and not (args.token or os.environ.get(spec.token_env or "")):
            from course.assess.hr_auth import token_file

            # never the whole token on a terminal (or in a CI log): say where it is kept
            print(
                mask_token(
                    f"course apps: {name} server token {token} (kept in {token_file()}, "
                    f"or set {spec.token_env})\n"
                    f"  open http://{args.ip}:{_port_of(command)}/?token=<the token>",
                    token,
                ),
                flush=True,
            )
        processes[name] = subprocess.Popen(command, env=env, start_new_session=True)
    while True:
        for name, process in processes.items():
            status = process.poll()
            if status is not None:
                print(f"course apps: {name} server stopped ({status})", file=sys.stderr)
                return _stop_all(processes) or status
        time.sleep(0.5)


def _port_of(command: list[str]) -> str:
    return next((a.split("=", 1)[1] for a in command if a.startswith("--port=")), "?")


def _stop_all(processes: dict[str, subprocess.Popen]) -> int:
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes.values():
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    return 0
