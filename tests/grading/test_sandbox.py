"""The sandbox of graded kernels: what a submission's code can reach, and crash recovery."""

from __future__ import annotations

import os
import sys

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course.grading import sandbox
from course.grading.preprocessors import KERNEL_DIED, BudgetedExecute

pytestmark = pytest.mark.slow
TAG = f"test{os.getpid()}"  # marks this run's kernels (other runs may grade at the same time)


@pytest.fixture(autouse=True)
def tagged(monkeypatch):
    """Kernels started by these tests carry TAG in their private folder's name."""
    monkeypatch.setenv("COURSE_SANDBOX_TAG", TAG)


def run(cells, tmp_path, **options):
    """Execute code cells with BudgetedExecute; return (texts per cell, the preprocessor)."""
    nb = new_notebook(cells=[new_code_cell(src) for src in cells])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    work = tmp_path / "submission"
    work.mkdir(exist_ok=True)
    ep = BudgetedExecute(timeout=60, allow_errors=True, **options)
    ep.preprocess(nb, {"metadata": {"path": str(work)}})
    texts = [
        "".join(str(o.get("text", "")) + str(o.get("ename", "")) for o in c.outputs)
        for c in nb.cells
    ]
    return texts, ep


PROBE = """
import os, resource
def _try(f):
    try:
        return repr(f())
    except Exception as exc:
        return type(exc).__name__
print("uid", os.getuid())
print("secret", _try(lambda: open({secret!r}).read()))
print("signal", _try(lambda: os.kill({grader}, 0)))
print("env", os.environ.get("COURSE_GRADEBOOK_URL"))
print("as", resource.getrlimit(resource.RLIMIT_AS)[0])
import socket
print("net", _try(lambda: socket.create_connection(("127.0.0.1", {port}), timeout=3).close()))
"""


@pytest.fixture
def listener():
    """A TCP server on loopback, like a gradebook server trusting the grading host."""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield server.getsockname()[1]
    server.close()


@pytest.fixture
def secret(tmp_path, monkeypatch):
    """A file every user may read, and a password in the grader's environment."""
    folder = tmp_path / "instructor"
    folder.mkdir()
    os.chmod(tmp_path, 0o755)
    os.chmod(folder, 0o755)
    path = folder / "solutions.txt"
    path.write_text("the answers", encoding="utf-8")
    path.chmod(0o644)
    monkeypatch.setenv("COURSE_GRADEBOOK_URL", "postgresql://grader:pw@db/course")
    return path


def test_without_sandbox_the_kernel_reaches_everything(secret, listener, tmp_path):
    """With the sandbox off, does the probe read the file, signal the grader, see the URL?"""
    probe = PROBE.format(secret=str(secret), grader=os.getpid(), port=listener)
    (out,), _ = run([probe], tmp_path, sandbox="off")
    assert "secret 'the answers'" in out
    assert "net None" in out
    assert "signal None" in out
    assert "env postgresql://grader:pw@db/course" in out


def test_sandbox_keeps_the_kernel_in(secret, listener, tmp_path):
    """In the mode chosen here, does the kernel lose what its mode promises to take away?"""
    mode = sandbox.detect("auto")
    (out,), _ = run([PROBE.format(secret=str(secret), grader=os.getpid(), port=listener)], tmp_path)
    assert "env None" in out, "the grader's environment never reaches the kernel"
    assert f"as {2048 * 2**20}" in out, "2 GiB of address space by default"
    if mode.root:
        assert "uid 0" not in out and "uid 6" in out, "a dedicated uid"
    if "private-files" in mode.provides:
        assert "secret FileNotFoundError" in out
        assert "net None" not in out, "no network with bubblewrap"
    if "isolation" in mode.provides:
        assert "signal None" not in out, "the grader cannot be signalled"
    assert sandbox.leftover_processes(TAG) == []


def test_memory_limit_is_configurable(tmp_path):
    """Does memory_limit_mb set the kernel's address space?"""
    (out,), _ = run(
        ["import resource; print(resource.getrlimit(resource.RLIMIT_AS)[0])"],
        tmp_path,
        memory_limit_mb=1536,
    )
    assert str(1536 * 2**20) in out


def test_a_dead_kernel_is_restarted_and_earlier_cells_rerun(tmp_path):
    """After os._exit, are the earlier cells run again and the later ones graded?"""
    cells = ["x = 41", "import os; os._exit(1)", "print(x + 1)", "print('y' * 3_000_000)"]
    texts, ep = run(cells, tmp_path)
    assert ep.kernel_deaths == [1]
    assert KERNEL_DIED in texts[1]
    assert texts[2].strip() == "42"
    assert "[output cut:" in texts[3] and len(texts[3]) < 1.1 * 2**20


def test_setpriv_mode_runs_as_another_uid_or_explains_why_not(tmp_path):
    """As root without bubblewrap: another uid, or a clear reason (a Python under /root)?"""
    if os.geteuid() != 0:
        pytest.skip("setpriv mode needs root")
    blocked = sandbox._unreadable_part(sandbox.Path(sys.executable).resolve())
    if blocked is not None:
        with pytest.raises(Exception, match=r"private to root|cannot enter"):
            run(["print(1)"], tmp_path, sandbox="setpriv")
        return
    (out,), _ = run(["import os; print(os.getuid())"], tmp_path, sandbox="setpriv")
    assert int(out) >= sandbox.UID_BASE


def test_unknown_mode_is_refused():
    """Is a misspelt sandbox mode an error that lists the modes?"""
    with pytest.raises(sandbox.SandboxError, match="auto, bwrap, setpriv, limits, off"):
        sandbox.detect("bubblewrap")


def test_a_large_recorded_answer_is_kept_but_not_a_flood(tmp_path):
    """Does a test cell's recorded answer pass the 1 MiB output cut, a student's print not?"""
    from course.grading.answers import ANSWER_MIME

    nb = new_notebook(
        cells=[
            new_code_cell("print('z' * 2_000_000)"),
            new_code_cell(
                "from course.grading.answers import record\nrecord('big', list(range(300_000)))",
                metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": "t"}},
            ),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    (tmp_path / "w").mkdir()
    BudgetedExecute(timeout=60, allow_errors=True).preprocess(
        nb, {"metadata": {"path": str(tmp_path / "w")}}
    )
    printed = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    assert "[output cut:" in printed and len(printed) < 1.1 * 2**20
    answers = [o for o in nb.cells[1].outputs if ANSWER_MIME in o.get("data", {})]
    assert len(answers) == 1
    assert len(str(answers[0]["data"][ANSWER_MIME])) > 2**20
