"""Benchmark: parallel `course grade autograde` against serial `nbgrader autograde` and the floor.

Grades the same 40 submissions of m0_warmup (fixture cases, repeated) three ways, in this run:

1. ``course grade autograde --workers 2`` (the pipeline under test, kernels in the sandbox);
2. plain ``nbgrader autograde`` (serial), with the same configuration (sandbox included), on a
   copy of the course;
3. the floor: each autograded notebook executed bare with nbclient (no sandbox), one after the
   other.

Prints wall times, the speed-up over serial nbgrader (goal: at least 1.8 on 2 cores), the cost per
notebook against the floor (goal: within 1.3; cost = wall time x workers / notebooks), the CPU
seconds each way took (all processes, kernels included: less sensitive to other jobs on a shared
machine than wall time; goal: ours within 1.3 of the floor), whether the two gradebooks agree,
the sandbox mode and the load average. Sandboxed kernels are reaped by bubblewrap's init, so
their CPU time never reaches ``getrusage``: the sandbox reads it from ``/proc`` before each
shutdown and appends it to ``COURSE_KERNEL_CPU_LOG``, which is added here.

Run: ``.venv/bin/python benchmarks/bench_grading.py [--students 40] [--workers 2]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT = "m0_warmup"
# the loop, broken and missing cases measure timeouts, not grading speed
SKIP_CASES = {"loop_m0_q2", "not_json", "missing_notebook"}
CONFIG = """
from course.grading.settings import apply_grading_defaults
c = get_config()
apply_grading_defaults(c)
c.CourseDirectory.root = {root!r}
c.CourseDirectory.source_directory = {source!r}
c.CourseDirectory.db_url = {db!r}
"""


def cpu_seconds(who: int) -> float:
    """User + system CPU seconds of this process or of its finished children (and theirs)."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def run(cmd: list[str], cwd: Path, cpu_log: Path) -> float:
    """Run a command, fail loudly, return its wall time (kernel CPU seconds go to ``cpu_log``)."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    env["COURSE_KERNEL_CPU_LOG"] = str(cpu_log)
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return elapsed


def logged_cpu(path: Path) -> float:
    """The kernel CPU seconds the sandbox logged (0 when no kernel was sandboxed)."""
    if not path.is_file():
        return 0.0
    return sum(float(x) for x in path.read_text(encoding="utf-8").split())


def scores(db: Path) -> dict:
    """(student, grade id) -> auto score, from a gradebook file."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{db}") as gb:
        return {
            (sub.student.id, grade.name): grade.auto_score
            for sub in gb.find_assignment(ASSIGNMENT).submissions
            for notebook in sub.notebooks
            for grade in notebook.grades
        }


def main() -> int:
    """Run the benchmark and print the figures; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from course.grading import fixtures, intake
    from course.grading.settings import Course

    bin_dir = Path(sys.executable).parent
    load_before = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        tmp = Path(tmp)
        ours = Course.create(tmp / "ours", REPO / "exercises" / "source", repo=REPO)
        intake.release(ours, ASSIGNMENT, trainee_copy=False)
        cases = [c for c in fixtures.build_submissions(ASSIGNMENT, tmp / "cases", course=ours)
                 if c.name not in SKIP_CASES]  # fmt: skip
        for i in range(args.students):
            case = cases[i % len(cases)]
            shutil.copytree(tmp / "cases" / case.name / ASSIGNMENT,
                            ours.root / "submitted" / f"s{i + 1:03d}" / ASSIGNMENT)  # fmt: skip
        # the serial run gets an identical course: same release, same gradebook, own files
        shutil.copytree(ours.root, tmp / "serial")
        serial_db = tmp / "serial" / "gradebook.db"
        (tmp / "serial" / "nbgrader_config.py").write_text(CONFIG.format(
            root=str(tmp / "serial"), source=str(REPO / "exercises" / "source"),
            db=f"sqlite:///{serial_db}"))  # fmt: skip

        cpu = {}
        before = cpu_seconds(resource.RUSAGE_CHILDREN)
        t_ours = run([str(bin_dir / "course"), "grade", "--course-dir", str(ours.root),
                      "autograde", ASSIGNMENT, "--workers", str(args.workers), "--no-progress"],
                     cwd=REPO, cpu_log=tmp / "ours.cpu")  # fmt: skip
        cpu["ours"] = cpu_seconds(resource.RUSAGE_CHILDREN) - before + logged_cpu(tmp / "ours.cpu")
        before = cpu_seconds(resource.RUSAGE_CHILDREN)
        t_serial = run([str(bin_dir / "nbgrader"), "autograde", ASSIGNMENT, "--force"],
                       cwd=tmp / "serial", cpu_log=tmp / "serial.cpu")  # fmt: skip

        # the floor: the same executed notebooks (hidden tests in), bare nbclient, serial
        import nbformat
        from nbclient import NotebookClient

        cpu["serial"] = cpu_seconds(resource.RUSAGE_CHILDREN) - before
        cpu["serial"] += logged_cpu(tmp / "serial.cpu")
        before = [cpu_seconds(resource.RUSAGE_CHILDREN), cpu_seconds(resource.RUSAGE_SELF)]
        graded = sorted((ours.root / "autograded").glob(f"*/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"))
        started = time.perf_counter()
        for path in graded:
            nb = nbformat.read(path, as_version=4)
            for cell in nb.cells:
                if cell.cell_type == "code":
                    cell.outputs, cell.execution_count = [], None
            NotebookClient(nb, timeout=30, allow_errors=True, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute()  # fmt: skip
        t_floor = time.perf_counter() - started
        cpu["floor"] = (cpu_seconds(resource.RUSAGE_CHILDREN) - before[0]
                        + cpu_seconds(resource.RUSAGE_SELF) - before[1])  # fmt: skip

        agree = scores(ours.db_path) == scores(serial_db)
        n = len(graded)

    from course.grading import sandbox

    mode = sandbox.detect("auto")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    per_nb_ours = t_ours * args.workers / n
    figures = {
        "notebooks": n,
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "course_grade_s": round(t_ours, 1),
        "nbgrader_serial_s": round(t_serial, 1),
        "floor_nbclient_serial_s": round(t_floor, 1),
        "speedup_vs_serial": round(t_serial / t_ours, 2),
        "cost_per_notebook_s": round(per_nb_ours, 2),
        "floor_per_notebook_s": round(t_floor / n, 2),
        "cost_vs_floor": round(per_nb_ours / (t_floor / n), 2),
        "serial_vs_floor": round(t_serial / t_floor, 2),
        "cpu_s": {k: round(v, 1) for k, v in cpu.items()},
        "cpu_per_notebook_vs_floor": round(cpu["ours"] / cpu["floor"], 2),
        "serial_cpu_per_notebook_vs_floor": round(cpu["serial"] / cpu["floor"], 2),
        "gradebooks_agree": agree,
        "peak_child_rss_mb": round(peak_mb, 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "load_average_before": load_before,
        "sandbox": mode.name,
    }
    print(f"grading {n} submissions of {ASSIGNMENT} on {os.cpu_count()} CPUs, sandbox: "
          f"{mode.name} ({mode.reason}); load average before: {load_before}")  # fmt: skip
    print(f"  course grade autograde --workers {args.workers}: {t_ours:7.1f} s")
    print(f"  nbgrader autograde (serial):         {t_serial:7.1f} s")
    print(f"  floor (bare nbclient, serial):       {t_floor:7.1f} s")
    print(f"  speed-up over serial nbgrader:  {figures['speedup_vs_serial']:.2f}x (goal >= 1.8)")
    print(f"  cost per notebook vs floor:     {figures['cost_vs_floor']:.2f}x (goal <= 1.3)"
          f"  [{per_nb_ours:.2f} s vs {t_floor / n:.2f} s; serial nbgrader: "
          f"{figures['serial_vs_floor']:.2f}x]")  # fmt: skip
    print(f"  CPU seconds (all processes): ours {cpu['ours']:.0f}, serial nbgrader "
          f"{cpu['serial']:.0f}, floor {cpu['floor']:.0f} -> ours/floor "
          f"{figures['cpu_per_notebook_vs_floor']:.2f}x, serial/floor "
          f"{figures['serial_cpu_per_notebook_vs_floor']:.2f}x (goal: ours <= 1.3; load-independent)")  # fmt: skip
    print(f"  same scores in both gradebooks: {'yes' if agree else 'NO'}")
    print(f"  peak memory of a child process: {peak_mb:.0f} MB;"
          f" load average now {figures['load_average_1min']}")  # fmt: skip
    out = REPO / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_grading.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
