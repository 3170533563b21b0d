"""N trainees on the local JupyterHub: time to first lesson and memory per trainee.

The hub is the course's own (deploy/jupyterhub, through :class:`course.localhub.LocalHub`, as in
tests/hub), with its store and gradebook on a throwaway PostgreSQL. An instructor releases
m0_warmup to the exchange once. Then, for each N (1, the baseline, then 5 and 10), N new trainees
at once: spawn their servers, each runs the first lesson (``modules/m0_start_here.ipynb``
executed in a kernel of their own server), opens the self-assessment (a Voilà kernel that stays
open) and fetches and submits the assignment through nbgrader's exchange.

Measured per trainee: seconds from the spawn request to the lesson executed ("time to first
lesson"), and the resident memory (RSS, MB) of all their processes (server, Voilà kernel) once
the self-assessment is open. Reported as ratios to N = 1 measured in the same run, plus the
absolute figures on this machine. The extrapolation to 200 and 2,000 trainees is in
docs/jupyterhub.md.

Run as root (the hub runs as the user ``jovyan``), after ``make test-deps``:
``.venv/bin/python benchmarks/bench_hub.py [--sizes 1 5 10]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from course.localhub import LocalHub  # noqa: E402
from course.localpg import LocalPostgres  # noqa: E402

PROXY = REPO / "tests" / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
ASSIGNMENT = "m0_warmup"
LESSON = """
import nbformat, nbclient
nb = nbformat.read("cm-course/modules/m0_start_here.ipynb", 4)
nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                        resources={"metadata": {"path": "cm-course/modules"}}).execute()
print("lesson done")
"""


def rss_mb_of(user: str) -> float:
    """Resident memory of every process whose environment says it serves ``user``."""
    marker = f"JUPYTERHUB_USER={user}".encode()
    page = os.sysconf("SC_PAGE_SIZE")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                total += int((entry / "statm").read_text().split()[1]) * page
        except (OSError, ValueError, IndexError):
            continue
    return total / 1e6


def trainee(hub: LocalHub, name: str, out: dict) -> None:
    """One trainee's session: spawn, lesson, self-assessment, fetch and submit."""
    started = time.monotonic()
    try:
        hub.spawn(name, timeout=600)
        out["spawned_s"] = time.monotonic() - started
        hub.run_python(name, LESSON, timeout=600)
        out["first_lesson_s"] = time.monotonic() - started
        page = hub.as_user(name, "GET", "voila/render/cm-course/apps/self_assessment.ipynb")
        out["self_assessment_status"] = page.status_code
        for action in ("fetch", "submit"):
            response = hub.as_user(
                name,
                "POST",
                f"assignments/{action}",
                data={"assignment_id": ASSIGNMENT, "course_id": "cm_course"},
            )
            out[f"{action}_status"] = response.status_code
        out["rss_mb"] = rss_mb_of(name)
        out["done_s"] = time.monotonic() - started
    except Exception as exc:  # reported in the results, the others go on
        out["error"] = repr(exc)[:500]


def run_size(hub: LocalHub, size: int, prefix: str) -> dict:
    names = [f"{prefix}{i:02d}" for i in range(1, size + 1)]
    hub.create_users(names)
    results = {name: {} for name in names}
    threads = [threading.Thread(target=trainee, args=(hub, n, results[n])) for n in names]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    ok = [r for r in results.values() if "error" not in r]
    summary = {
        "trainees": size,
        "succeeded": len(ok),
        "wall_s": round(wall, 1),
        "first_lesson_median_s": round(statistics.median(r["first_lesson_s"] for r in ok), 1)
        if ok
        else None,
        "first_lesson_max_s": round(max(r["first_lesson_s"] for r in ok), 1) if ok else None,
        "spawn_median_s": round(statistics.median(r["spawned_s"] for r in ok), 1) if ok else None,
        "rss_mb_per_trainee": round(statistics.mean(r["rss_mb"] for r in ok), 1) if ok else None,
        "errors": [r["error"] for r in results.values() if "error" in r],
    }
    for name in names:
        hub.stop_server(name)
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 5, 10])
    parser.add_argument("--env", default=os.environ.get("HUB_ENV", "/var/tmp/cm-course-hub-env"))
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("bench_hub: run as root (the hub runs as the user jovyan)", file=sys.stderr)
        return 2
    with LocalPostgres() as pg:
        settings = {
            "CM_COURSE_DB_URL": pg.create_database("bench_store"),
            "CM_GRADEBOOK_URL": pg.create_database("bench_gradebook"),
        }
        hub = LocalHub(Path(args.env), PROXY, instructors=["ines"])
        try:
            hub.start(settings)
            hub.create_users(["ines"])
            hub.spawn("ines")
            hub.run_python(
                "ines",
                "import os, subprocess\n"
                "for c in (['course', 'grade', 'release', 'm0_warmup', '--no-copy'],"
                " ['nbgrader', 'release_assignment', 'm0_warmup', '--force']):\n"
                "    subprocess.run(c, check=True, cwd=os.environ['COURSE_GRADING_DIR'],"
                " capture_output=True)\n",
            )
            hub.stop_server("ines")
            summaries = [run_size(hub, size, f"n{size}t") for size in args.sizes]
        finally:
            hub.stop()
    base = summaries[0]
    print(
        f"{'N':>4} {'ok':>4} {'lesson median s':>16} {'ratio':>6} {'MB/trainee':>11} {'ratio':>6}"
    )
    for s in summaries:
        lesson_ratio = (
            s["first_lesson_median_s"] / base["first_lesson_median_s"]
            if s["first_lesson_median_s"] and base["first_lesson_median_s"]
            else float("nan")
        )
        memory_ratio = (
            s["rss_mb_per_trainee"] / base["rss_mb_per_trainee"]
            if s["rss_mb_per_trainee"] and base["rss_mb_per_trainee"]
            else float("nan")
        )
        s["lesson_ratio_to_n1"] = round(lesson_ratio, 2)
        s["memory_ratio_to_n1"] = round(memory_ratio, 2)
        print(
            f"{s['trainees']:>4} {s['succeeded']:>4} {s['first_lesson_median_s']!s:>16} "
            f"{lesson_ratio:>6.2f} {s['rss_mb_per_trainee']!s:>11} {memory_ratio:>6.2f}"
        )
        for error in s["errors"]:
            print("   error:", error)
    out = REPO / "benchmarks" / "results" / "bench_hub.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"cpus": os.cpu_count(), "runs": summaries}, indent=1))
    print(f"results: {out.relative_to(REPO)}")
    return 0 if all(not s["errors"] for s in summaries) else 1


if __name__ == "__main__":
    sys.exit(main())
