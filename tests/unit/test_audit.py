"""The release audit: an independent attacker with linear programming finds no pinned group."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from course.assess import audit as audit_module
from course.assess.audit import audit, build_grid, protect, published
from course.assess.privacy import safe_table

K = 5
TOLERANCE = 10.0  # points on the 0–100 scale


def levels_of(m: int) -> list[tuple[int, ...]]:
    return [c for r in range(m, -1, -1) for c in itertools.combinations(range(m), r)]


def population(rng, dims: dict[str, int], n: int) -> pd.DataFrame:
    frame = pd.DataFrame(
        {d: rng.choice([f"{d[0]}{i}" for i in range(size)], n) for d, size in dims.items()}
    )
    frame["score"] = rng.integers(0, 101, n).astype(float)
    return frame


def greedy_start(frame, dims, grid):
    table = safe_table(frame, dims, "score", K)
    hidden = {
        tuple(None if v == "All" else v for v in row): pd.isna(n)
        for row, n in zip(table[dims].itertuples(index=False, name=None), table["n"], strict=True)
    }
    return np.array([hidden.get(c, True) for c in grid.cells])


def attacker_intervals(frame, dims, cells, hidden):
    """The attacker's own LP (dense, written apart from course.assess.audit).

    Knows: every shown cell's n and sum; that atoms hold ≥ 0 people and listed cells ≥ 1;
    scores lie in 0–100. Returns, per hidden cell, (count low, count high, mean low, mean high).
    """
    labels = [sorted(frame[d].unique()) for d in dims]
    atoms = list(itertools.product(*labels))
    member = np.array(
        [
            [all(c is None or c == a for c, a in zip(cell, atom, strict=True)) for atom in atoms]
            for cell in cells
        ],
        dtype=float,
    )
    truth_n = np.array(
        [
            frame[
                np.all(
                    [(frame[d] == c) | (c is None) for d, c in zip(dims, cell, strict=True)], axis=0
                )
            ].shape[0]
            for cell in cells
        ],
        dtype=float,
    )
    truth_s = np.array(
        [
            frame[
                np.all(
                    [(frame[d] == c) | (c is None) for d, c in zip(dims, cell, strict=True)], axis=0
                )
            ]["score"].sum()
            for cell in cells
        ]
    )
    a = len(atoms)
    shown = ~hidden
    results = {}
    # counts: x ≥ 0
    a_eq, b_eq = member[shown], truth_n[shown]
    a_ub, b_ub = -member[hidden], -np.ones(hidden.sum())
    # means: variables (n, s, t), Charnes–Cooper
    eq = np.block(
        [
            [member[shown], np.zeros((shown.sum(), a)), -truth_n[shown][:, None]],
            [np.zeros((shown.sum(), a)), member[shown], -truth_s[shown][:, None]],
        ]
    )
    ub = np.block(
        [
            [np.zeros((a, a)), -np.eye(a), np.zeros((a, 1))],
            [-100 * np.eye(a), np.eye(a), np.zeros((a, 1))],
        ]
    )
    for i in np.flatnonzero(hidden):
        if not 1 <= truth_n[i] < K:
            continue
        c = np.zeros(a)
        c[member[i] > 0] = 1
        low = linprog(
            c,
            A_ub=a_ub if hidden.any() else None,
            b_ub=b_ub if hidden.any() else None,
            A_eq=a_eq if shown.any() else None,
            b_eq=b_eq if shown.any() else None,
            bounds=(0, None),
            method="highs",
        )
        high = linprog(
            -c,
            A_ub=a_ub,
            b_ub=b_ub,
            A_eq=a_eq if shown.any() else None,
            b_eq=b_eq if shown.any() else None,
            bounds=(0, None),
            method="highs",
        )
        count = (low.fun, np.inf if high.status == 3 else -high.fun)
        row = np.concatenate([member[i], np.zeros(a), [0.0]])
        ratio_eq = np.vstack([eq, row])
        ratio_b = np.concatenate([np.zeros(eq.shape[0]), [1.0]])
        objective = np.concatenate([np.zeros(a), member[i], [0.0]])
        m_low = linprog(
            objective,
            A_ub=ub,
            b_ub=np.zeros(2 * a),
            A_eq=ratio_eq,
            b_eq=ratio_b,
            bounds=(0, None),
            method="highs",
        )
        m_high = linprog(
            -objective,
            A_ub=ub,
            b_ub=np.zeros(2 * a),
            A_eq=ratio_eq,
            b_eq=ratio_b,
            bounds=(0, None),
            method="highs",
        )
        mean = (m_low.fun, np.inf if m_high.status == 3 else -m_high.fun)
        results[cells[i]] = (*count, *mean)
    return results


@pytest.mark.slow
def test_no_pinned_group_in_200_random_releases():
    """Over 200 random 2- and 3-dimension releases, does an independent LP attacker pin nothing?"""
    rng = np.random.default_rng(20261130)
    checked = 0
    for case in range(200):
        dims = (
            {"department": 3, "site": 3}
            if case % 2 == 0
            else {"department": 2, "site": 2, "quarter": 2}
        )
        frame = population(rng, dims, int(rng.integers(12, 40)))
        names = list(dims)
        grid = build_grid(frame, names, levels_of(len(names)), ["score"])
        hidden, _ = protect(grid, K, start=greedy_start(frame, names, grid))
        shown = ~hidden
        assert (grid.n[shown] >= K).all()
        for cell, (c_low, c_high, m_low, m_high) in attacker_intervals(
            frame, names, grid.cells, hidden
        ).items():
            checked += 1
            assert c_high - c_low >= 0.5, f"case {case}: count of {cell} pinned"
            assert m_high - m_low >= TOLERANCE, f"case {case}: mean of {cell} pinned"
    assert checked > 200  # the attacker really had small hidden groups to attack


def test_the_attacker_pins_groups_when_only_small_groups_are_hidden():
    """Does the audit (and the test's attacker) pin small groups under primary suppression only?"""
    counts = {("A", "x"): 2, ("A", "y"): 6, ("B", "x"): 7, ("B", "y"): 9}
    rows = [(d, s) for (d, s), n in counts.items() for _ in range(n)]
    frame = pd.DataFrame(rows, columns=["department", "site"])
    frame["score"] = np.arange(len(frame), dtype=float) * 3 % 101
    grid = build_grid(frame, ["department", "site"], levels_of(2), ["score"])
    primary = grid.n < K
    findings = audit(grid, primary, K)
    assert {f.what for f in findings} == {"count", "mean score"}
    attack = attacker_intervals(frame, ["department", "site"], grid.cells, primary)
    assert attack[("A", "x")][:2] == pytest.approx((2, 2))
    hidden, loss = protect(grid, K)
    assert not audit(grid, hidden, K)
    assert loss["cells"] == int(hidden.sum()) and loss["primary"] == 1


def release_two(frame_one, frame_two, dims, changes, check_changes=True):
    levels = levels_of(len(dims))
    grid_one = build_grid(frame_one, dims, levels, ["score"])
    hidden_one, _ = protect(grid_one, K, start=greedy_start(frame_one, dims, grid_one))
    grid_two = build_grid(frame_two, dims, levels, ["score"])
    start = np.array(
        [c not in grid_one.cells or hidden_one[grid_one.cells.index(c)] for c in grid_two.cells]
    ) | (grid_two.n < K)
    hidden_two, _ = protect(grid_two, K, published(grid_one, hidden_one), changes, start=start)
    return grid_one, hidden_one, grid_two, hidden_two


def test_a_hidden_group_change_is_not_derivable_across_releases(monkeypatch):
    """One person joins a hidden site while five join a shown one: can Δdepartment − Δshown sites
    give the newcomer's scores? (It could without the audit's change targets.)"""
    rng = np.random.default_rng(7)
    rows = []
    for department, site, n in [
        ("L", "x", 6),
        ("L", "y", 3),
        ("L", "z", 7),
        ("M", "x", 6),
        ("M", "y", 6),
        ("M", "z", 6),
        ("N", "x", 6),
        ("N", "y", 6),
        ("N", "z", 6),
    ]:
        rows += [(department, site, float(rng.integers(0, 101))) for _ in range(n)]
    one = pd.DataFrame(rows, columns=["department", "site", "score"])
    dims = ["department", "site"]
    grid_one = build_grid(one, dims, levels_of(2), ["score"])
    hidden_one, _ = protect(grid_one, K, start=greedy_start(one, dims, grid_one))
    shown_site = next(s for s in "xz" if not hidden_one[grid_one.cells.index(("L", s))])
    two = pd.concat(
        [
            one,
            pd.DataFrame([("L", "y", 100.0)] + [("L", shown_site, 90.0)] * 5, columns=one.columns),
        ],
        ignore_index=True,
    )
    changes = {("L", "y"): 1, ("L", shown_site): 5}

    def derivable(check):
        if not check:
            monkeypatch.setattr(audit_module, "_change_targets", lambda *a, **k: iter(()))
        _, h1, grid_two, h2 = release_two(one, two, dims, changes)
        cells = grid_two.cells
        visible_both = lambda c: not h1[grid_one.cells.index(c)] and not h2[cells.index(c)]  # noqa: E731
        unchanged = [s for s in "xz" if s != shown_site]
        return visible_both(("L", None)) and all(
            s in unchanged or visible_both(("L", s)) for s in "xz"
        )

    assert not derivable(True)
    assert derivable(False)  # the test bites: without change targets the newcomer is exposed
