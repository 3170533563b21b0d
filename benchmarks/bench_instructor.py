"""Benchmark: first render of the instructor's dashboard for 500 trainees × 8 assignments.

Builds a synthetic gradebook (``course.grading.synthetic``, seeded: 500 trainees, 8 assignments
of 11 autograded questions and one written answer) in a temporary course, then times, in this
run:

1. the baseline: reading nbgrader's raw tables (``dashboard.raw_tables``: every row of the
   student, assignment, cell, submission and grade tables, no computation);
2. the dashboard's first render: ``dashboard.load`` + ``dashboard.page_html`` (every table,
   item statistics of every assignment, the eight charts), what ``instructor.ipynb`` does.

Wall and CPU seconds of this process are printed: on a shared machine the wall time mostly
measures the other jobs.

Prints both wall times and the ratio render / baseline. Goal: the render under 5 s.

Run: ``.venv/bin/python benchmarks/bench_instructor.py [--trainees 500] [--assignments 8]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
GOAL_SECONDS = 5.0


def main() -> int:
    """Run the benchmark and print the figures; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=500)
    parser.add_argument("--assignments", type=int, default=8)
    args = parser.parse_args()

    from course.grading import dashboard, synthetic
    from course.grading.settings import Course

    with tempfile.TemporaryDirectory() as tmp:
        course = Course.create(Path(tmp) / "grading", Path(tmp) / "source")
        started = time.perf_counter()
        shape = synthetic.SyntheticClass(trainees=args.trainees, assignments=args.assignments)
        synthetic.build(course, shape)
        built = time.perf_counter() - started

        started, cpu = time.perf_counter(), time.process_time()
        tables = dashboard.raw_tables(course)
        baseline = time.perf_counter() - started
        baseline_cpu = time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        page = dashboard.page_html(dashboard.load(course), "en")
        render = time.perf_counter() - started
        render_cpu = time.process_time() - cpu

    grades = len(tables["grade"])
    print(f"synthetic gradebook: {args.trainees} trainees x {args.assignments} assignments, "
          f"{len(tables['submitted_assignment'])} submissions, {grades} grades "
          f"(built in {built:.1f} s)")  # fmt: skip
    # CPU seconds too: on a shared machine wall time mostly measures the other jobs
    print(f"baseline, raw tables read:     {baseline:6.2f} s wall, {baseline_cpu:5.2f} s CPU")
    print(f"dashboard first render:        {render:6.2f} s wall, {render_cpu:5.2f} s CPU "
          f"({len(page) / 1e6:.1f} MB of HTML)")  # fmt: skip
    print(f"ratio render / raw read:       {render / baseline:6.1f} wall, "
          f"{render_cpu / baseline_cpu:4.1f} CPU")  # fmt: skip
    verdict = "met" if render < GOAL_SECONDS else "NOT met"
    print(f"goal: render under {GOAL_SECONDS:.0f} s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
