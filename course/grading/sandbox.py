"""The sandbox of graded kernels: what a submission's code can see, touch and consume.

Every kernel started by :class:`course.grading.preprocessors.BudgetedExecute` (so by
``course grade autograde`` and by plain ``nbgrader autograde`` in ``grading/``) is launched by
:class:`SandboxedKernelManager` in one of these modes, the strongest that works here
(``c.BudgetedExecute.sandbox`` chooses one; ``auto`` by default):

- ``bwrap`` (bubblewrap works): a new PID, network, IPC and UTS namespace (no network at all: the
  kernel talks to the grader over Unix sockets in its private folder) and a new session; the file
  system holds only ``/usr``, ``/etc``, the Python installation, the virtual environment, the
  ``course`` package and ``datasets/`` (read-only) and a private working folder; ``/tmp`` is
  empty. When the grader is root, the kernel also runs as a dedicated unprivileged uid (one per
  kernel, from ``uid_base``). Provides ``isolation`` and ``private-files``.
- ``setpriv`` (root, bubblewrap unusable): the kernel runs as a dedicated uid in its own session,
  in a private folder; it cannot signal the grader nor write its files, but it can read every
  file that is readable by all users. Provides ``isolation``.
- ``limits`` (not root, no bubblewrap): only the resource limits, a new session and a clean
  environment. The kernel runs as the grader's user: it can read and write what the grader can
  and signal its processes. Provides nothing.
- ``off``: nbgrader's plain launch.

In every mode but ``off``: ``prlimit`` caps address space (2 GiB by default), CPU seconds, the
size of a written file, the number of processes and core dumps; the environment is rebuilt from
scratch (no gradebook URL or token is passed on); the kernel's own stdout and stderr are
discarded; the working folder is a private copy of the submission folder without notebooks,
removed afterwards with everything the kernel left running.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

MODES = ("auto", "bwrap", "setpriv", "limits", "off")
PROVIDES = {
    "bwrap": frozenset({"isolation", "private-files"}),
    "setpriv": frozenset({"isolation"}),
    "limits": frozenset(),
    "off": frozenset(),
}
PRIVATE_PREFIX = "course-sandbox-"
UID_BASE = 61000
UID_SLOTS = 256


class SandboxError(RuntimeError):
    """The sandbox asked for cannot be set up here (with the reason and what to do)."""


@dataclass(frozen=True)
class Mode:
    """A sandbox mode and why it was chosen.

    Attributes:
        name: ``bwrap``, ``setpriv``, ``limits`` or ``off``.
        provides: what it guarantees (``isolation``, ``private-files``).
        reason: one line on why this mode (what was tried).
        root: whether the grader runs as root (kernels then get their own uid).
    """

    name: str
    provides: frozenset = field(default_factory=frozenset)
    reason: str = ""
    root: bool = False


@dataclass
class Limits:
    """Resource limits of one kernel.

    Attributes:
        memory_mb: address space, in MiB.
        cpu_seconds: CPU time of the kernel process, in seconds.
        file_size_mb: the largest file the kernel may write, in MiB.
        processes: processes and threads of the kernel's uid (root modes: its own uid).
        uid_base: first uid of the dedicated kernel uids (root modes).
    """

    memory_mb: int = 2048
    cpu_seconds: int = 660
    file_size_mb: int = 64
    processes: int = 64
    uid_base: int = UID_BASE


def _is_root() -> bool:
    return os.geteuid() == 0


@functools.cache
def _bwrap_works() -> str | None:
    """``None`` when bubblewrap can start a sandbox here, else why not."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bwrap is not installed (Debian: apt install bubblewrap)"
    probe = [bwrap, "--unshare-pid", "--die-with-parent", "--new-session", "--ro-bind", "/", "/"]
    probe += ["--proc", "/proc", "--dev", "/dev", "true"]
    try:
        done = subprocess.run(probe, capture_output=True, timeout=20, text=True)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap failed to start ({exc})"
    if done.returncode != 0:
        return f"bwrap cannot create namespaces here: {done.stderr.strip()[:200]}"
    return None


def detect(requested: str = "auto") -> Mode:
    """The sandbox mode to use.

    Args:
        requested: one of :data:`MODES`; ``auto`` picks the strongest that works here.

    Returns:
        The mode.

    Raises:
        SandboxError: an unknown mode, or a mode that cannot work here (with why).
    """
    requested = requested or "auto"
    if requested not in MODES:
        raise SandboxError(f"unknown sandbox mode {requested!r} (one of {', '.join(MODES)})")
    root = _is_root()
    if requested == "off":
        return Mode("off", PROVIDES["off"], "sandbox turned off in the configuration", root)
    why_not_bwrap = _bwrap_works() if requested in ("auto", "bwrap") else "not asked for"
    if requested in ("auto", "bwrap") and why_not_bwrap is None:
        who = "kernels run as their own uid" if root else "kernels run as the grader's user"
        return Mode("bwrap", PROVIDES["bwrap"], f"bubblewrap works; {who}", root)
    if requested == "bwrap":
        raise SandboxError(f"sandbox 'bwrap' asked for, but {why_not_bwrap}")
    if root and requested in ("auto", "setpriv"):
        reason = f"root without bubblewrap ({why_not_bwrap})" if requested == "auto" else "asked"
        return Mode("setpriv", PROVIDES["setpriv"], reason, root)
    if requested == "setpriv":
        raise SandboxError("sandbox 'setpriv' needs the grader to run as root")
    return Mode("limits", PROVIDES["limits"], f"not root and {why_not_bwrap}", root)


def preflight(mode: Mode) -> None:
    """Check before a batch that kernels can start in this mode.

    Args:
        mode: the mode.

    Raises:
        SandboxError: a kernel's uid could not run Python (``setpriv`` mode), with what to do.
    """
    if mode.name == "setpriv":
        for needed in (Path(sys.executable).resolve(), Path(sys.prefix), *_course_paths()):
            blocked = _unreadable_part(needed)
            if blocked is not None:
                raise SandboxError(
                    f"kernels run as their own uid, which cannot enter {blocked} (needed for "
                    f"{needed}): a Python or virtual environment under /root is private to root. "
                    "Install the course outside /root (e.g. /opt or /srv), or install bubblewrap "
                    "(apt install bubblewrap)."
                )


# -- dedicated uids ------------------------------------------------------------------------------


class _UidLease:
    """A uid of its own for one kernel, held with a lock file while the kernel lives."""

    def __init__(self, base: int):
        folder = Path(tempfile.gettempdir()) / f"{PRIVATE_PREFIX}uids"
        folder.mkdir(mode=0o700, exist_ok=True)
        for uid in range(base, base + UID_SLOTS):
            handle = open(folder / f"{uid}.lock", "w")  # noqa: SIM115 (held until release)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            if not _processes_of(uid):
                self.uid, self._handle = uid, handle
                return
            handle.close()
        raise SandboxError(f"no free kernel uid in {base}..{base + UID_SLOTS - 1}")

    def release(self) -> None:
        kill_uid(self.uid)
        self._handle.close()


def _processes_of(uid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def kill_uid(uid: int, rounds: int = 20) -> None:
    """Kill every process of a kernel uid (root only), until none is left.

    Args:
        uid: the uid (never a real user's: only kernel uids are passed here).
        rounds: attempts, 50 ms apart (a fork bomb may fork while we kill).
    """
    for _ in range(rounds):
        pids = _processes_of(uid)
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)


def leftover_processes(tag: str = "") -> list[str]:
    """Processes of graded kernels still running.

    Args:
        tag: only kernels started with this ``COURSE_SANDBOX_TAG`` in the environment (their
            private folder, hence their command line, carries it; forked children too); all
            graded kernels of the machine when empty.

    Returns:
        ``"<pid> <command>"`` per process; empty when every kernel was cleaned up.
    """
    marker = f"/{PRIVATE_PREFIX}{tag}-" if tag else f"/{PRIVATE_PREFIX}"
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline:
            out.append(f"{entry.name} {cmdline[:120]}")
    return out


# -- one kernel's sandbox ------------------------------------------------------------------------


def _course_paths() -> tuple[Path, Path]:
    import course
    from course.data._core import REPO_DATASETS

    return Path(course.__file__).resolve().parent, REPO_DATASETS.resolve()


def _links(folder: str, names: list[str]) -> list[str]:
    return [name for name in names if os.path.islink(os.path.join(folder, name))]


def _unreadable_part(path: Path) -> Path | None:
    """The first folder on ``path`` that other users cannot enter (``None``: all can)."""
    for part in [*reversed(path.parents), path]:
        try:
            mode = part.stat().st_mode
        except OSError:
            return part
        if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
            return part
    return None


class KernelSandbox:
    """The private folder, uid and launch command of one kernel.

    Args:
        mode: the sandbox mode.
        limits: the resource limits.
        log: a logger for what is worth knowing.
    """

    def __init__(self, mode: Mode, limits: Limits, log=None):
        self.mode, self.limits, self.log = mode, limits, log
        tag = os.environ.get("COURSE_SANDBOX_TAG", "")
        self.folder = Path(tempfile.mkdtemp(prefix=PRIVATE_PREFIX + (f"{tag}-" if tag else "")))
        self.work = self.folder / "work"
        self.home = self.folder / "home"
        # with bubblewrap the kernel has no network: it talks to the grader over Unix sockets here
        self.ipc = self.folder / "ipc"
        self.ipc.mkdir(mode=0o700)
        self.lease = _UidLease(limits.uid_base) if mode.root and mode.name != "off" else None
        self.uid = self.lease.uid if self.lease else os.getuid()
        self.closed = False

    @property
    def connection_file(self) -> Path:
        """Where the kernel's connection file goes (readable by the kernel's uid)."""
        return self.folder / "kernel.json"

    def prepare(self, cwd: str | None) -> None:
        """Fill the private folder: a copy of ``cwd`` without notebooks, a home, a tmp.

        Args:
            cwd: the folder nbgrader runs the notebook in (the autograded submission folder).
        """
        self.folder.chmod(0o711)
        self.work.mkdir()
        self.home.mkdir()
        (self.folder / "tmp").mkdir()
        # never the grader's own folders: only a submission folder (the private one is not in it)
        if cwd and Path(cwd).is_dir() and Path(cwd).resolve() not in self.folder.parents:
            for item in Path(cwd).iterdir():
                # notebooks stay out: the autograded one holds the hidden tests
                if item.suffix == ".ipynb" or item.is_symlink():
                    continue
                if item.is_dir():  # links are left out: root would copy what they point to
                    shutil.copytree(item, self.work / item.name, ignore=_links)
                elif item.is_file():
                    shutil.copy(item, self.work / item.name)
        if self.lease:
            private = [self.work, self.home, self.ipc, self.folder / "tmp"]
            for path in [*private, *self.work.rglob("*")]:
                os.chown(path, self.uid, self.uid, follow_symlinks=False)
            for path in private:
                path.chmod(0o700)

    def expose_connection_file(self) -> None:
        """Let the kernel's uid read the connection file the manager wrote."""
        if self.lease and self.connection_file.exists():
            os.chown(self.connection_file, self.uid, self.uid)
            self.connection_file.chmod(0o400)

    def environment(self) -> dict[str, str]:
        """The kernel's environment, built from scratch (nothing of the grader's leaks)."""
        venv_bin = str(Path(sys.executable).parent)
        env = {
            "PATH": os.pathsep.join([venv_bin, "/usr/local/bin", "/usr/bin", "/bin"]),
            "HOME": str(self.home),
            "TMPDIR": str(self.folder / "tmp") if self.mode.name != "bwrap" else "/tmp",
            "LANG": os.environ.get("LANG", "C.UTF-8"),
            "MPLBACKEND": "Agg",
            "PYTHONDONTWRITEBYTECODE": "1",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
        }
        # The kernel imports the very course package the grader runs (and so finds the same
        # datasets): an installed copy in the environment could be another version.
        env["PYTHONPATH"] = str(_course_paths()[0].parent)
        # Which datasets the notebook reads: the scenario cache, and the capstone's case (M7).
        for key in ("COURSE_DATA_CACHE", "COURSE_CAPSTONE_SCENARIO"):
            if os.environ.get(key):
                env[key] = os.environ[key]
        return env

    def _prlimit(self) -> list[str]:
        limits = self.limits
        processes = limits.processes
        if not self.lease:  # the grader's own uid: count what it already runs
            processes += len(_processes_of(os.getuid())) * 8 + 256
        return [
            shutil.which("prlimit") or "prlimit",
            f"--as={limits.memory_mb * 2**20}",
            f"--cpu={limits.cpu_seconds}",
            f"--fsize={limits.file_size_mb * 2**20}",
            f"--nproc={processes}",
            "--core=0",
            "--",
        ]

    def _setpriv(self) -> list[str]:
        return [
            shutil.which("setpriv") or "/usr/bin/setpriv",
            f"--reuid={self.uid}",
            f"--regid={self.uid}",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--no-new-privs",
            "--",
        ]

    def _bwrap(self, env: dict[str, str]) -> list[str]:
        package, datasets = _course_paths()
        python_home = Path(sys.base_prefix).resolve()
        venv = Path(sys.prefix)
        args = [shutil.which("bwrap") or "bwrap"]
        args += ["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
        args += ["--unshare-net", "--die-with-parent", "--new-session", "--clearenv"]
        if self.lease:  # bwrap runs as root: keep only what setpriv needs to drop to the uid
            args += [
                "--cap-add",
                "CAP_SETUID",
                "--cap-add",
                "CAP_SETGID",
                "--cap-add",
                "CAP_SETPCAP",
            ]
        # /tmp first: the private folder is mounted inside it
        args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
        created: set[Path] = {Path("/"), Path("/tmp"), Path("/proc"), Path("/dev")}

        def dirs_for(dest: Path) -> list[str]:
            out = []
            for parent in [*reversed(dest.parents)][1:]:
                if parent not in created:
                    created.add(parent)
                    out += ["--perms", "0755", "--dir", str(parent)]
            return out

        binds = [("--ro-bind", Path("/usr")), ("--ro-bind", Path("/etc"))]
        readable = {python_home, venv.resolve(), venv, package, datasets}
        if env.get("COURSE_DATA_CACHE"):  # scenarios built outside datasets/, read-only too
            readable.add(Path(env["COURSE_DATA_CACHE"]).resolve())
        for path in readable:
            if path.exists() and not str(path).startswith("/usr/"):
                binds.append(("--ro-bind", path))
        binds.append(("--bind", self.folder))
        for kind, path in sorted(binds, key=lambda b: len(b[1].parts)):
            args += [*dirs_for(path), kind, str(path), str(path)]
            created.add(path)
        for link in ("bin", "lib", "lib64", "sbin"):
            target = Path("/") / link
            if target.is_symlink():
                args += ["--symlink", os.readlink(target), str(target)]
            elif target.is_dir():
                args += ["--ro-bind", str(target), str(target)]
        args += ["--chdir", str(self.work)]
        for key, value in env.items():
            args += ["--setenv", key, value]
        return [*args, "--"]

    def wrap(self, cmd: list[str], kw: dict) -> tuple[list[str], dict]:
        """The launch command and ``Popen`` arguments of the sandboxed kernel.

        Args:
            cmd: the kernel command (from the kernelspec, with the connection file).
            kw: the keyword arguments for ``launch_kernel`` (``env``, ``cwd``…).

        Returns:
            The command and arguments to launch instead.

        Raises:
            SandboxError: the kernel's Python cannot be run by the kernel's uid (setpriv mode).
        """
        self.prepare(kw.get("cwd"))
        self.expose_connection_file()
        env = self.environment()
        name = self.mode.name
        # ipykernel exits when its parent looks gone (ppid 1): in a PID namespace the parent is the
        # namespace's init, so no JPY_PARENT_PID there (--die-with-parent does that job)
        if name != "bwrap":
            env.update({k: v for k, v in (kw.get("env") or {}).items() if k.startswith("JPY_")})
        kw = dict(kw, cwd=str(self.work), env=env)
        kw["stdout"] = kw["stderr"] = subprocess.DEVNULL  # a flood on fd 1 never reaches the log
        kw["stdin"] = subprocess.DEVNULL
        if name == "bwrap":
            inner = self._setpriv() if self.lease else []
            return self._prlimit() + self._bwrap(env) + inner + cmd, kw
        if name == "setpriv":
            preflight(self.mode)
            return self._prlimit() + self._setpriv() + cmd, kw
        return self._prlimit() + cmd, kw

    def close(self) -> None:
        """Kill what the kernel left running, remove the private folder, free the uid."""
        if self.closed:
            return
        self.closed = True
        if self.lease:
            self.lease.release()
        shutil.rmtree(self.folder, ignore_errors=True)


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system, waited-for children included) of a process and its descendants.

    Args:
        pid: the root of the tree (the sandbox's launcher).

    Returns:
        The sum over the processes alive now (0 when ``pid`` is gone).
    """
    parents, times = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = sum(int(f) for f in fields[11:15])
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent and p not in tree]
        tree.update(children)
        frontier += children
    return sum(times.get(p, 0) for p in tree) / os.sysconf("SC_CLK_TCK")


class SandboxedKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` whose kernels start inside a :class:`KernelSandbox`.

    ``sandbox_mode`` and ``sandbox_limits`` are set by the preprocessor that creates it. A
    sandboxed kernel is not reaped by the grader (bubblewrap's init does it), so its CPU time
    never reaches the grader's ``getrusage``: it is read from ``/proc`` before shutdown, kept in
    ``kernel_cpu_seconds`` and, when ``COURSE_KERNEL_CPU_LOG`` names a file, appended to it (the
    grading benchmark adds it up).
    """

    sandbox_mode: Mode | None = None
    sandbox_limits: Limits | None = None
    _sandbox: KernelSandbox | None = None
    kernel_cpu_seconds: float = 0.0

    async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        """Shut the kernel down, recording its CPU time first (see the class docstring)."""
        await self._async_shutdown_kernel(now=now, restart=restart)

    async def cleanup_resources(self, restart: bool = False) -> None:
        """Clean up the connection files and the sandbox (also after the kernel died)."""
        await self._async_cleanup_resources(restart=restart)

    async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        process = getattr(self.provisioner, "process", None)
        if self._sandbox is not None and process is not None:
            seconds = tree_cpu_seconds(process.pid)
            self.kernel_cpu_seconds += seconds
            log = os.environ.get("COURSE_KERNEL_CPU_LOG")
            if log:
                with open(log, "a", encoding="utf-8") as handle:
                    handle.write(f"{seconds:.3f}\n")
        await super()._async_shutdown_kernel(now=now, restart=restart)

    async def _async_pre_start_kernel(self, **kw):
        mode = self.sandbox_mode or detect("auto")
        if mode.name == "off":
            return await super()._async_pre_start_kernel(**kw)
        self._close_sandbox()
        # SIGINT from here would reach bubblewrap, not the kernel in its PID namespace and
        # session: interrupt with a message, which ipykernel turns into its own SIGINT
        self.kernel_spec.interrupt_mode = "message"
        self._sandbox = KernelSandbox(mode, self.sandbox_limits or Limits(), self.log)
        self.connection_file = str(self._sandbox.connection_file)
        if mode.name == "bwrap":  # no network in the sandbox: Unix sockets in the private folder
            self.transport, self.cache_ports = "ipc", False
            self.ip = str(self._sandbox.ipc / "kernel")
        kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)
        try:
            return self._sandbox.wrap(kernel_cmd, kw)
        except Exception:
            self._close_sandbox()
            raise

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        self._close_sandbox()

    def _close_sandbox(self) -> None:
        if self._sandbox is not None:
            self._sandbox.close()
            self._sandbox = None
