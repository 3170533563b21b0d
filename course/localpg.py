"""A throwaway PostgreSQL server from Debian's binaries, for tests and benchmarks.

Debian's ``postgresql`` package puts the server in ``/usr/lib/postgresql/<major>/bin``
(``initdb``, ``pg_ctl``, ``psql``). :class:`LocalPostgres` makes a cluster in a fresh temporary
folder, starts it on a free loopback port (its socket in the same folder, so it never meets the
system's cluster), creates databases on request and removes everything on :meth:`stop`.

PostgreSQL refuses to run as root: when this process is root, every command runs as the
``postgres`` user (``runuser``) and the folder is handed to that user; otherwise as ourselves.

Example::

    with LocalPostgres() as pg:
        url = pg.create_database("gradebook")   # postgresql+psycopg://postgres@127.0.0.1:PORT/gradebook
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

__all__ = ["PG_BIN_DIRS", "LocalPostgres", "PostgresMissing", "find_pg_bin", "free_port"]

#: Where Debian installs the server, newest first.
PG_BIN_DIRS = tuple(Path(f"/usr/lib/postgresql/{v}/bin") for v in (17, 16, 15))
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PostgresMissing(RuntimeError):
    """PostgreSQL's server binaries are not installed (the message says how to install them)."""


def find_pg_bin() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl``.

    Returns:
        ``$COURSE_PG_BIN`` if set, else the newest of :data:`PG_BIN_DIRS` that exists.

    Raises:
        PostgresMissing: none is installed.
    """
    candidates = [Path(os.environ["COURSE_PG_BIN"])] if os.environ.get("COURSE_PG_BIN") else []
    for folder in [*candidates, *PG_BIN_DIRS]:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    raise PostgresMissing(
        "PostgreSQL's server is not installed (no initdb under /usr/lib/postgresql/*/bin): "
        "run `apt-get install postgresql` (or set COURSE_PG_BIN to the folder holding initdb)"
    )


def free_port() -> int:
    """A TCP port free right now on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalPostgres:
    """A PostgreSQL cluster in a temporary folder, on a loopback port, trust authentication.

    Args:
        bin_dir: the server's binaries (default :func:`find_pg_bin`).
    """

    def __init__(self, bin_dir: Path | None = None):
        self.bin_dir = Path(bin_dir) if bin_dir else find_pg_bin()
        self.port = 0
        self.folder: Path | None = None
        self._as_postgres = os.geteuid() == 0

    # -- running commands as the cluster's owner ----------------------------------------------

    def _run(self, *command: str, timeout: float = 60) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if self._as_postgres else []
        result = subprocess.run(
            [*prefix, *command],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.folder,
        )
        if result.returncode:
            raise RuntimeError(
                f"{Path(command[0]).name} failed ({result.returncode}):\n"
                f"{result.stdout[-2000:]}{result.stderr[-2000:]}"
            )
        return result

    @property
    def data_dir(self) -> Path:
        """The cluster's data folder."""
        assert self.folder is not None, "not started"
        return self.folder / "data"

    def start(self) -> LocalPostgres:
        """Create the cluster and start the server (about 3 s).

        Returns:
            ``self``.

        Raises:
            RuntimeError: ``initdb`` or ``pg_ctl`` failed (their output is in the message).
        """
        # /tmp itself, not a pytest folder: those are mode 700 and unreadable by `postgres`.
        self.folder = Path(tempfile.mkdtemp(prefix="cm-course-pg-"))
        if self._as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        self.port = free_port()
        self._run(
            str(self.bin_dir / "initdb"),
            "-D", str(self.data_dir),
            "-U", "postgres",
            "-A", "trust",
            "--no-sync",
            "-E", "UTF8",
            "--locale=C",
        )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D", str(self.data_dir),
            "-o", options,
            "-l", str(self.folder / "server.log"),
            "-w",
            "-t", "60",
            "start",
        )  # fmt: skip
        return self

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run one SQL command with ``psql`` (each its own transaction).

        Args:
            sql: the command.
            database: the database to connect to.

        Returns:
            ``psql``'s output (tuples only, unaligned).
        """
        return self._run(
            str(self.bin_dir / "psql"),
            "-h", "127.0.0.1",
            "-p", str(self.port),
            "-U", "postgres",
            "-d", database,
            "-v", "ON_ERROR_STOP=1",
            "-Atqc", sql,
        ).stdout  # fmt: skip

    def url(self, database: str, driver: str = "postgresql+psycopg") -> str:
        """The SQLAlchemy URL of ``database`` on this server."""
        return f"{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database (``CREATE DATABASE`` cannot run in a transaction block).

        Args:
            name: lower-case letters, digits and ``_``.

        Returns:
            Its SQLAlchemy URL (psycopg 3 driver).

        Raises:
            ValueError: an unusable name.
        """
        if not _NAME.match(name):
            raise ValueError(f"database name {name!r}: use a-z, 0-9 and _")
        self.psql(f"CREATE DATABASE {name}")
        return self.url(name)

    def log(self) -> str:
        """The server's log so far."""
        path = self.folder / "server.log" if self.folder else None
        return path.read_text(errors="replace") if path and path.exists() else ""

    def stop(self) -> None:
        """Stop the server (fast mode) and delete its folder."""
        if self.folder is None:
            return
        if (self.data_dir / "postmaster.pid").exists():
            try:
                self._run(
                    str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast",
                    "-w", "stop",
                )  # fmt: skip
            except (RuntimeError, subprocess.TimeoutExpired):
                self._run(
                    str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate",
                    "stop",
                )  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
