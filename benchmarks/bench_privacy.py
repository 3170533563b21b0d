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

Then HR releases (:mod:`course.assess.releases`): the time to build a release of the same
160,000 responses (five competency scores, bands, and 20,000 maturity ratings) *with the
interval audit* (linear programming over all tables, reduction of over-suppression), the first
release and a second one after 5 % of the people changed, against the same pandas baseline
(goal: under 10 s). And the information loss (hidden cells and the people in hidden groups of at
least k) of the release's department × site × quarter table against ``safe_table`` on the same
data, at 160,000 responses and on the 200 ``assessments_demo`` respondents, where over-suppression
hurts most.
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
RELEASE_GOAL_SECONDS = 10.0


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
    return status | release_bench(data)


def _release_frames(data: pd.DataFrame, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """The release input of :func:`course.assess.releases.build` from bench responses."""
    from course.assess import competency, maturity

    comp = data[["department", "site", "quarter"]].astype(str).copy()
    comp.index = pd.RangeIndex(1, len(comp) + 1, name="id")
    comp.insert(0, "revision", 0)
    base = (data["score"].to_numpy() - 1) / 3 * 100
    for j, dim in enumerate(competency.DIMENSIONS):
        scores = np.clip(base + rng.normal(0, 15, len(comp)) + j, 0, 100).round(1)
        comp[dim] = scores
        comp[f"band_{dim}"] = [competency.band(s) for s in scores]
    mat = comp[["revision", "department", "site", "quarter"]].iloc[:20_000].copy()
    for dim in maturity.DIMENSIONS:
        mat[dim] = rng.integers(1, 5, len(mat)).astype(float)
    mat["overall"] = mat[list(maturity.DIMENSIONS)].median(axis=1).astype(int).astype(float)
    return {"competency": comp, "maturity": mat}


def _loss_of_safe_table(frame: pd.DataFrame, k: int = 5) -> tuple[int, int]:
    """Hidden cells and people in hidden groups of ≥ k, on the levels a release publishes."""
    from course.assess import competency

    dims = ["department", "site", "quarter"]
    table = safe_table(frame, dims, list(competency.DIMENSIONS), k)
    all_ = table[dims] == "All"
    published = (~all_["quarter"]) & all_["department"] & all_["site"] | all_["quarter"]
    truth = table.copy()
    hidden = table["n"].isna() & published
    # the true sizes of the hidden rows, for the people count
    sizes = frame.groupby(dims).size()
    people = 0
    for _, row in table[hidden].iterrows():
        mask = np.ones(len(frame), dtype=bool)
        for d in dims:
            if row[d] != "All":
                mask &= (frame[d].astype(str) == row[d]).to_numpy()
        n = int(mask.sum())
        people += n if n >= k else 0
    del truth, sizes
    return int(hidden.sum()), people


def release_bench(data: pd.DataFrame) -> int:
    """Release build time with the audit, and information loss against safe_table."""
    from course.assess import releases

    rng = np.random.default_rng(SEED + 1)
    frames = _release_frames(data, rng)
    plain_time, _, _ = timed(
        lambda: frames["competency"].groupby(["department", "site", "quarter"]).size(), 1
    )
    start = time.perf_counter()
    first = releases.build(frames, None)
    first_time = time.perf_counter() - start
    snapshot = releases._snapshot_entry(frames)
    latest = {
        "payload": {"tables": first.release["tables"]},
        "snapshot": {"contributions": snapshot},
    }
    changed = dict(frames)
    comp = frames["competency"].copy()
    who = rng.choice(len(comp), len(comp) // 20, replace=False)
    comp.iloc[who, comp.columns.get_loc("revision")] = 1
    comp.iloc[who, comp.columns.get_loc("D1")] = 100.0
    comp.iloc[who, comp.columns.get_loc("band_D1")] = "expert"
    changed["competency"] = comp
    start = time.perf_counter()
    second = releases.build(changed, latest)
    second_time = time.perf_counter() - start
    loss = first.loss["competency"]
    cells, people = _loss_of_safe_table(frames["competency"])
    print(
        f"  release of {len(frames['competency']):,} + {len(frames['maturity']):,} responses "
        f"with the audit: first {first_time:.2f} s ({loss['audits']} audits), second after 5 % "
        f"changed {second_time:.2f} s ({second.status}); pandas groupby "
        f"{plain_time * 1000:.0f} ms; ratio {first_time / plain_time:.0f}× time"
    )
    print(
        f"  information loss, department × site × quarter (published levels): release "
        f"{loss['cells']} cells / {loss['people']} people hidden in groups ≥ k; "
        f"safe_table {cells} cells / {people} people"
    )
    try:
        from course.assess.hr_app import demo_data

        demo = demo_data().competency.reset_index(drop=True)
        demo_frames = _demo_frames(demo)
        demo_release = releases.build(demo_frames, None)
        demo_loss = demo_release.loss["competency"]
        d_cells, d_people = _loss_of_safe_table(demo_frames["competency"])
        print(
            f"  information loss on the {len(demo)} demo respondents: release "
            f"{demo_loss['cells']} cells / {demo_loss['people']} people; safe_table "
            f"{d_cells} cells / {d_people} people"
        )
    except Exception as exc:  # the demo dataset is optional for the bench
        print(f"  demo comparison skipped ({type(exc).__name__})")
    if first_time > RELEASE_GOAL_SECONDS:
        print(f"  GOAL MISSED: release {first_time:.2f} s > {RELEASE_GOAL_SECONDS:.0f} s")
        return 1
    return 0


def _demo_frames(demo: pd.DataFrame) -> dict[str, pd.DataFrame]:
    from course.assess import competency

    comp = demo[["department", "site", "quarter"]].astype(str).copy()
    comp.index = pd.RangeIndex(1, len(comp) + 1, name="id")
    comp.insert(0, "revision", 0)
    for dim in competency.DIMENSIONS:
        comp[dim] = demo[dim].to_numpy()
        comp[f"band_{dim}"] = [None if pd.isna(s) else competency.band(s) for s in comp[dim]]
    empty = comp.iloc[:0][["revision", "department", "site", "quarter"]].copy()
    return {"competency": comp, "maturity": empty}


if __name__ == "__main__":
    sys.exit(main())
