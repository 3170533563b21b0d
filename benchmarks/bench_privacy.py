"""Benchmark: small-group protection of 160,000 responses (the ``edf-160k`` scenario).

Run: ``.venv/bin/python benchmarks/bench_privacy.py`` (or ``make bench``).

The responses are the ``employees`` of the ``edf-160k`` scenario, generated in memory with the
datasets' own generator (``course.data.generate``; nothing is written), each given a synthetic
maturity score from one seeded generator. If that generator is unavailable, the bench builds
equivalent responses itself, deterministically.

It times :func:`course.assess.privacy.safe_table` by department and site (every margin,
complementary suppression) against a plain pandas ``groupby(...).agg(["size", "mean"])`` of
the same data in the same run, and prints the ratio, the absolute times and the peak memory
(``tracemalloc``). A second line does the same by department, site and quarter, a harder case
with many small groups. Goal: the 160k table in under 1 s.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from course.assess.privacy import safe_table

N_RESPONSES = 160_000
SEED = 20_240_160
REPEATS = 3
GOAL_SECONDS = 1.0


def responses(rng: np.random.Generator) -> tuple[pd.DataFrame, str]:
    """160,000 responses with department, site, quarter and a 1–4 score; and where they came from."""
    try:
        from course.data import generate

        people = generate("employees", scenario="edf-160k")[["department", "site"]].copy()
        origin = "course.data employees, edf-160k scenario"
    except Exception as exc:  # the datasets package is optional for the bench
        departments = [f"Department {i:02d}" for i in range(12)]
        sites = [f"Site {i:02d}" for i in range(15)]
        weights = rng.dirichlet(np.ones(len(sites)) * 0.7)
        people = pd.DataFrame(
            {
                "department": rng.choice(departments, N_RESPONSES),
                "site": rng.choice(sites, N_RESPONSES, p=weights),
            }
        )
        origin = f"built in the bench ({type(exc).__name__} from course.data)"
    people = people.iloc[:N_RESPONSES].reset_index(drop=True)
    people["quarter"] = rng.choice(
        [f"2024Q{q}" for q in range(1, 5)] + [f"2025Q{q}" for q in range(1, 5)], len(people)
    )
    people["score"] = rng.integers(1, 5, len(people)).astype(float)
    return people, origin


def timed(function, repeats: int = REPEATS) -> tuple[float, float, object]:
    """Best wall time over ``repeats`` runs, peak traced memory of one run (MB), and the result."""
    best = float("inf")
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak / 2**20, result


def main() -> int:
    rng = np.random.default_rng(SEED)
    data, origin = responses(rng)
    print(f"privacy bench: {len(data):,} responses ({origin})")
    status = 0
    for by in (["department", "site"], ["department", "site", "quarter"]):
        plain_time, plain_peak, _ = timed(
            lambda by=by: data.groupby(by)["score"].agg(["size", "mean"])
        )
        safe_time, safe_peak, table = timed(lambda by=by: safe_table(data, by, "score"))
        hidden = int(table["n"].isna().sum())
        leaves = int((table[by] != "All").all(axis=1).sum())
        label = " × ".join(by)
        print(
            f"  by {label}: safe_table {safe_time * 1000:.0f} ms, peak {safe_peak:.0f} MB; "
            f"pandas groupby {plain_time * 1000:.0f} ms, peak {plain_peak:.0f} MB; "
            f"ratio {safe_time / plain_time:.1f}× time, {safe_peak / max(plain_peak, 1e-9):.1f}× memory; "
            f"{len(table)} rows ({leaves} leaf groups), {hidden} hidden"
        )
        if by == ["department", "site"] and safe_time > GOAL_SECONDS:
            print(f"  GOAL MISSED: {safe_time:.2f} s > {GOAL_SECONDS:.0f} s")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
