"""Benchmark: the Gini coefficient of a million members (``course.engagement.gini``).

Run: ``.venv/bin/python benchmarks/bench_engagement.py`` (or ``make bench``).

The values are a million heavy-tailed contribution counts (most zero, a few very large), drawn
from one seeded generator. The bench times :func:`course.engagement.gini` against baselines
measured in the same run, and prints the ratios, the absolute times and the peak memory
(``tracemalloc``):

- ``np.sort`` of the same values: the floor of any sort-based formula (ratio close to 1 is good);
- the same sorted formula written as a plain Python loop (what a trainee might write);
- the definition as a vectorised double sum Σᵢ Σⱼ |xᵢ − xⱼ|, on 4,000 values (16 million pairs;
  at a million values it would need 10¹² pairs and terabytes of memory), beside ``gini`` on the
  same 4,000 values.

Goal: a million values in well under a second.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from course.engagement import gini, participation_bands, top_share

N_MEMBERS = 1_000_000
N_PAIRS_SAMPLE = 4_000
SEED = 20_061_009  # Nielsen's participation-inequality column, 9 October 2006
REPEATS = 3
GOAL_SECONDS = 1.0


def contributions(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` contribution counts: 75% silent, the rest lognormal with a heavy tail."""
    writes = rng.random(n) < 0.25
    return np.where(writes, np.ceil(rng.lognormal(0.5, 1.6, n)), 0.0)


def best_time(func: Callable[[], object], repeats: int = REPEATS) -> tuple[float, object]:
    """The fastest of ``repeats`` runs, in seconds, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def peak_mib(func: Callable[[], object]) -> float:
    """Peak memory allocated while ``func`` runs, in MiB."""
    tracemalloc.start()
    try:
        func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def python_loop_gini(values: np.ndarray) -> float:
    """The sorted formula Σ (2i − n − 1) x₍ᵢ₎ / (n Σx) as a plain Python loop."""
    ordered = sorted(values.tolist())
    n = len(ordered)
    total = sum(ordered)
    weighted = 0.0
    for i, x in enumerate(ordered, start=1):
        weighted += (2 * i - n - 1) * x
    return weighted / (n * total)


def double_sum_gini(values: np.ndarray) -> float:
    """The definition, Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² x̄), vectorised (n² memory)."""
    n = values.size
    return float(np.abs(values[:, None] - values[None, :]).sum() / (2 * n * n * values.mean()))


def main() -> int:
    rng = np.random.default_rng(SEED)
    values = contributions(rng, N_MEMBERS)
    sample = values[:N_PAIRS_SAMPLE]

    t_gini, g = best_time(lambda: gini(values))
    t_sort, _ = best_time(lambda: np.sort(values))
    t_loop, g_loop = best_time(lambda: python_loop_gini(values), repeats=1)
    t_small, g_small = best_time(lambda: gini(sample))
    t_pairs, g_pairs = best_time(lambda: double_sum_gini(sample), repeats=1)
    t_top, _ = best_time(lambda: top_share(values, 0.01))
    t_bands, _ = best_time(lambda: participation_bands(values), repeats=1)
    mem_gini = peak_mib(lambda: gini(values))
    mem_pairs = peak_mib(lambda: double_sum_gini(sample))

    assert abs(g - g_loop) < 1e-9, "the Python loop disagrees with gini"
    assert abs(g_small - g_pairs) < 1e-9, "the double sum disagrees with gini"

    print(f"gini on {N_MEMBERS:,} values (seed {SEED}): G = {g:.4f}")
    print(
        f"  gini            {t_gini * 1000:8.1f} ms   peak {mem_gini:6.1f} MiB   "
        f"goal < {GOAL_SECONDS:.0f} s: {'met' if t_gini < GOAL_SECONDS else 'MISSED'}"
    )
    print(
        f"  np.sort alone   {t_sort * 1000:8.1f} ms   gini / sort        = {t_gini / t_sort:6.2f}x"
    )
    print(
        f"  Python loop     {t_loop * 1000:8.1f} ms   loop / gini        = {t_loop / t_gini:6.1f}x"
    )
    print(f"double sum on {N_PAIRS_SAMPLE:,} values ({N_PAIRS_SAMPLE**2:,} pairs):")
    print(
        f"  double sum      {t_pairs * 1000:8.1f} ms   peak {mem_pairs:6.1f} MiB   "
        f"double sum / gini = {t_pairs / t_small:6.0f}x"
    )
    projected = t_pairs * (N_MEMBERS / N_PAIRS_SAMPLE) ** 2
    print(f"  projected double sum at {N_MEMBERS:,}: about {projected / 3600:.1f} h (O(n²))")
    print(f"also on {N_MEMBERS:,} values:")
    print(f"  top_share 1%    {t_top * 1000:8.1f} ms   top_share / sort   = {t_top / t_sort:6.2f}x")
    print(
        f"  bands           {t_bands * 1000:8.1f} ms   bands / sort       = {t_bands / t_sort:6.2f}x"
    )
    return 0 if t_gini < GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
