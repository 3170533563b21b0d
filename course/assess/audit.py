"""Interval audit of a release: can any hidden small group be pinned by the published numbers?

A release publishes *cells*: groups defined by some of a table's dimensions (the others
aggregated), each either shown (its count ``n``, and per value column the count of answers and
their mean) or hidden (listed, values blank). The attacker (as statistical offices model it when
they audit suppressed tables):

- knows every shown number of this release and of the previous one, and that each cell is the
  sum of the *atoms* (full combinations of the table's dimensions) it covers; atoms are never
  listed, so each holds zero or more people; every listed group (shown or hidden) holds at
  least one person; every value lies in the instrument's range (e.g. 0–100);
- knows which atoms did not change between the two releases (nobody added, withdrawn or
  changed there: a colleague may know that), so those atoms are equal in both;
- solves linear programs over all of that at once (:func:`scipy.optimize.linprog`, HiGHS).

The release passes when no hidden group of 1 to k − 1 people has its count pinned (interval
narrower than one person) or its mean pinned to within :data:`MEAN_TOLERANCE` of the value range
(10 points on 0–100), in this release or the previous one, and no hidden group where 1 to k − 1
people changed has the sum of their change pinned to within that tolerance per person. Means use
the Charnes–Cooper form of the ratio ``sum / count``.

:func:`protect` builds the suppression pattern of a release: hidden small groups (primary),
then more hiding while the audit finds a pinned group, then un-hiding of any hidden group the
audit allows (largest first), and reports the information loss (cells and people hidden).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

__all__ = [
    "MEAN_TOLERANCE",
    "Finding",
    "Grid",
    "Published",
    "audit",
    "build_grid",
    "protect",
]

#: A mean is "pinned" when the attacker's interval is narrower than this share of the value range.
MEAN_TOLERANCE = 0.10
_COUNT_WIDTH = 0.5  # an LP interval narrower than this holds a single whole number of people


@dataclass
class Grid:
    """The published cells of one table, over its atoms (see the module docstring).

    Attributes:
        dims: the table's dimensions.
        values: the value columns (means are published for them).
        value_range: the lowest and highest possible value.
        atoms: label tuples of the atoms (every combination of the listed labels).
        cells: label tuples of the cells, ``None`` where a dimension is aggregated.
        membership: cells × atoms, 1 where the atom lies in the cell.
        n: people per cell.
        value_n: cells × values: answers per value.
        value_sum: cells × values: their sums.
        atom_n: people per atom (the truth, for change counting; never published).
    """

    dims: list[str]
    values: list[str]
    value_range: tuple[float, float]
    atoms: list[tuple]
    cells: list[tuple]
    membership: sparse.csr_matrix
    n: np.ndarray
    value_n: np.ndarray
    value_sum: np.ndarray
    atom_n: np.ndarray = field(default_factory=lambda: np.zeros(0))


@dataclass
class Published:
    """What a release showed of one table: cell → ``None`` (hidden) or ``(n, value_n, sums)``."""

    dims: list[str]
    values: list[str]
    shown: dict[tuple, tuple[int, list[float], list[float]] | None]


@dataclass
class Finding:
    """A hidden group the attacker pins: its cell, what is pinned and the interval found."""

    cell: tuple
    what: str  # "count", "mean D1", "change D1", or the same with " (previous)"
    low: float
    high: float


def build_grid(
    frame: pd.DataFrame,
    dims: Sequence[str],
    levels: Sequence[Sequence[int]],
    values: Sequence[str] = (),
    value_range: tuple[float, float] = (0.0, 100.0),
) -> Grid:
    """The cells of a table at the given levels, with their true counts and sums.

    Args:
        frame: one row per person: the ``dims`` columns (text labels) and the ``values``.
        dims: the table's dimensions (atoms are their full combinations).
        levels: which dimensions each published level keeps, e.g. ``[(0, 1), (0,), (1,), ()]``.
        values: numeric columns whose means are published.
        value_range: the range of every value column.

    Returns:
        The :class:`Grid`; only groups with at least one person are cells.
    """
    dims = list(dims)
    values = list(values)
    labels = [sorted(frame[d].astype(str).unique()) for d in dims]
    atoms = list(itertools.product(*labels))
    sizes = [len(x) for x in labels]
    position = [{label: i for i, label in enumerate(x)} for x in labels]
    codes = (
        np.column_stack(
            [
                frame[d].astype(str).map(position[j]).to_numpy(dtype=np.int64)
                for j, d in enumerate(dims)
            ]
        )
        if len(frame)
        else np.zeros((0, len(dims)), dtype=np.int64)
    )
    atom_of_row = np.ravel_multi_index(codes.T, sizes) if len(frame) else np.zeros(0, np.int64)
    n_atoms = len(atoms)
    matrix = frame[values].to_numpy(dtype=float) if values else np.zeros((len(frame), 0))
    present = ~np.isnan(matrix)
    atom_n = np.bincount(atom_of_row, minlength=n_atoms).astype(float)
    atom_vn = (
        np.column_stack(
            [
                np.bincount(atom_of_row, weights=present[:, j], minlength=n_atoms)
                for j in range(len(values))
            ]
        )
        if values
        else np.zeros((n_atoms, 0))
    )
    atom_vs = (
        np.column_stack(
            [
                np.bincount(
                    atom_of_row,
                    weights=np.where(present[:, j], matrix[:, j], 0.0),
                    minlength=n_atoms,
                )
                for j in range(len(values))
            ]
        )
        if values
        else np.zeros((n_atoms, 0))
    )
    atom_coords = np.array(list(itertools.product(*[range(s) for s in sizes])), dtype=np.int64)
    cells, rows, cols = [], [], []
    for level in levels:
        level = tuple(level)
        keys = [tuple(c) for c in atom_coords[:, list(level)]] if level else [()] * n_atoms
        groups: dict[tuple, list[int]] = {}
        for atom, key in enumerate(keys):
            groups.setdefault(key, []).append(atom)
        for key in sorted(groups):
            members = groups[key]
            if atom_n[members].sum() == 0:
                continue  # empty groups are not listed
            cell = [None] * len(dims)
            for j, code in zip(level, key, strict=True):
                cell[j] = labels[j][code]
            rows.extend([len(cells)] * len(members))
            cols.extend(members)
            cells.append(tuple(cell))
    membership = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(cells), n_atoms))
    return Grid(
        dims=dims,
        values=values,
        value_range=(float(value_range[0]), float(value_range[1])),
        atoms=atoms,
        cells=cells,
        membership=membership,
        n=membership @ atom_n,
        value_n=membership @ atom_vn,
        value_sum=membership @ atom_vs,
        atom_n=atom_n,
    )


def published(grid: Grid, hidden: np.ndarray) -> Published:
    """What a release shows of ``grid`` under the pattern ``hidden``."""
    shown = {}
    for i, cell in enumerate(grid.cells):
        shown[cell] = (
            None
            if hidden[i]
            else (int(grid.n[i]), grid.value_n[i].tolist(), grid.value_sum[i].tolist())
        )
    return Published(grid.dims, grid.values, shown)


try:  # scipy's own HiGHS bindings: one model per system, re-solved per objective (warm start)
    from scipy.optimize._highspy import _core as _highs
except ImportError:  # pragma: no cover - other scipy versions: linprog, slower but the same
    _highs = None


class _Solver:
    """``min c·x`` subject to ``A_eq x = b_eq``, ``A_ub x ≤ b_ub``, ``x ≥ 0``, for many ``c``.

    Uses the HiGHS model inside scipy directly when available (about 100 times faster than
    :func:`scipy.optimize.linprog` for these small programs, which the audit solves thousands
    of times), else ``linprog(method="highs")``.
    """

    def __init__(self, a_eq, b_eq, a_ub, b_ub):
        self.a_eq, self.b_eq, self.a_ub, self.b_ub = a_eq, b_eq, a_ub, b_ub
        self.n = a_eq.shape[1]
        self.model = None
        if _highs is not None:
            matrix = sparse.vstack([a_eq, a_ub]).tocsc()
            lp = _highs.HighsLp()
            lp.num_col_, lp.num_row_ = self.n, matrix.shape[0]
            lp.col_cost_ = np.zeros(self.n)
            lp.col_lower_ = np.zeros(self.n)
            lp.col_upper_ = np.full(self.n, _highs.kHighsInf)
            lp.row_lower_ = np.concatenate([b_eq, np.full(b_ub.size, -_highs.kHighsInf)])
            lp.row_upper_ = np.concatenate([b_eq, b_ub]).astype(float)
            lp.a_matrix_.format_ = _highs.MatrixFormat.kColwise
            lp.a_matrix_.start_ = matrix.indptr
            lp.a_matrix_.index_ = matrix.indices
            lp.a_matrix_.value_ = matrix.data
            lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = self.n, matrix.shape[0]
            model = _highs._Highs()
            model.setOptionValue("output_flag", False)
            model.passModel(lp)
            self.model = model
            self._columns = np.arange(self.n, dtype=np.int32)

    def set_eq_row(self, index: int, row: np.ndarray, previous: np.ndarray | None) -> None:
        """Replace the coefficients of equality row ``index`` (``previous``: its old ones)."""
        row = np.asarray(row, dtype=float)
        if self.model is not None:
            touched = (
                np.flatnonzero(row) if previous is None else np.flatnonzero(row + np.abs(previous))
            )
            for column in touched:
                self.model.changeCoeff(index, int(column), float(row[column]))
            return
        self.a_eq = self.a_eq.tolil()
        self.a_eq[index] = row
        self.a_eq = self.a_eq.tocsr()

    def minimum(self, c: np.ndarray) -> float | None:
        """The minimum of ``c·x``, or ``None`` when unbounded below."""
        if self.model is not None:
            self.model.changeColsCost(self.n, self._columns, np.asarray(c, dtype=float))
            self.model.run()
            status = self.model.getModelStatus()
            if status == _highs.HighsModelStatus.kOptimal:
                return float(self.model.getInfo().objective_function_value)
            if status in (
                _highs.HighsModelStatus.kUnbounded,
                _highs.HighsModelStatus.kUnboundedOrInfeasible,
            ):
                return None
            raise RuntimeError(f"audit LP failed: {status}")
        result = linprog(
            c,
            A_ub=self.a_ub,
            b_ub=self.b_ub,
            A_eq=self.a_eq,
            b_eq=self.b_eq,
            bounds=(0, None),
            method="highs",
        )
        if result.status == 3:
            return None
        if result.status != 0:
            raise RuntimeError(f"audit LP failed: {result.message}")
        return float(result.fun)


class _System:
    """The attacker's linear system for one measure over one or two releases."""

    def __init__(self, n_vars: int):
        self.n_vars = n_vars
        self.eq_rows: list[np.ndarray] = []
        self.eq_b: list[float] = []
        self.ub_rows: list[np.ndarray] = []
        self.ub_b: list[float] = []

    def eq(self, row: np.ndarray, b: float) -> None:
        self.eq_rows.append(row)
        self.eq_b.append(b)

    def le(self, row: np.ndarray, b: float) -> None:
        self.ub_rows.append(row)
        self.ub_b.append(b)

    def matrices(self):
        def stack(rows):
            if not rows:
                return None
            return sparse.vstack([sparse.csr_matrix(r) for r in rows]).tocsr()

        return stack(self.eq_rows), np.array(self.eq_b), stack(self.ub_rows), np.array(self.ub_b)


def _membership_rows(grid_atoms: list[tuple], cells: list[tuple]) -> sparse.csr_matrix:
    """Cells × atoms membership for cells given by label tuples (None = aggregated)."""
    rows, cols = [], []
    index: dict[tuple[int, object], set[int]] = {}
    for a, atom in enumerate(grid_atoms):
        for j, label in enumerate(atom):
            index.setdefault((j, label), set()).add(a)
    every = set(range(len(grid_atoms)))
    for i, cell in enumerate(cells):
        members = every
        for j, label in enumerate(cell):
            if label is not None:
                members = members & index.get((j, label), set())
        rows.extend([i] * len(members))
        cols.extend(sorted(members))
    return sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(cells), len(grid_atoms))
    )


class _Attack:
    """Both releases' published numbers as linear constraints, ready for interval queries."""

    def __init__(
        self,
        grid: Grid,
        hidden: np.ndarray,
        previous: Published | None,
        changes: Mapping[tuple, int],
    ):
        self.grid = grid
        atoms = list(grid.atoms)
        if previous is not None:
            # labels only the previous release listed add atoms (empty now)
            labels = [sorted({a[j] for a in atoms}) for j in range(len(grid.dims))]
            for cell in previous.shown:
                for j, label in enumerate(cell):
                    if label is not None and label not in labels[j]:
                        labels[j].append(label)
            atoms = list(itertools.product(*labels))
        self.atoms = atoms
        self.n_atoms = len(atoms)
        self.previous = previous
        self.current_cells = grid.cells
        self.current_m = _membership_rows(atoms, grid.cells)
        self.hidden = hidden
        if previous is not None:
            self.prev_cells = list(previous.shown)
            self.prev_m = _membership_rows(atoms, self.prev_cells)
            self.prev_hidden = np.array(
                [previous.shown[c] is None for c in self.prev_cells], dtype=bool
            )
        else:
            self.prev_cells, self.prev_m, self.prev_hidden = [], None, np.zeros(0, bool)
        atom_index = {a: i for i, a in enumerate(atoms)}
        # atoms where nobody changed hold the same people in both releases
        self.linked = np.array(
            sorted(i for a, i in atom_index.items() if changes.get(a, 0) == 0), dtype=np.int64
        )
        self.releases = 2 if previous is not None else 1
        self._cc: dict[int, list] = {}
        self._solvers: dict[int, _Solver] = {}

    # -- systems ----------------------------------------------------------------------------

    def _count_system(self):
        """Variables: people per atom, current release then previous."""
        a, r = self.n_atoms, self.releases
        blocks = [(self.current_m, self.hidden, self.grid.n, 0)]
        if r == 2:
            prev_n = np.array(
                [
                    0 if s is None else s[0]
                    for s in (self.previous.shown[c] for c in self.prev_cells)
                ],
                dtype=float,
            )
            blocks.append((self.prev_m, self.prev_hidden, prev_n, a))
        eq_rows, eq_b, ub_rows, ub_b = [], [], [], []
        for m, hidden, n, offset in blocks:
            m = sparse.hstack(
                [
                    sparse.csr_matrix((m.shape[0], offset)),
                    m,
                    sparse.csr_matrix((m.shape[0], a * r - offset - a)),
                ]
            ).tocsr()
            visible = np.flatnonzero(~hidden)
            eq_rows.append(m[visible])
            eq_b.append(n[visible])
            hid = np.flatnonzero(hidden)
            ub_rows.append(-m[hid])  # every listed group holds at least one person
            ub_b.append(-np.ones(hid.size))
        if r == 2 and self.linked.size:
            link = sparse.csr_matrix(
                (
                    np.concatenate([np.ones(self.linked.size), -np.ones(self.linked.size)]),
                    (
                        np.concatenate([np.arange(self.linked.size)] * 2),
                        np.concatenate([self.linked, self.linked + a]),
                    ),
                ),
                shape=(self.linked.size, a * r),
            )
            eq_rows.append(link)
            eq_b.append(np.zeros(self.linked.size))
        return (
            sparse.vstack(eq_rows).tocsr(),
            np.concatenate(eq_b),
            sparse.vstack(ub_rows).tocsr(),
            np.concatenate(ub_b),
        )

    def _value_system(self, j: int):
        """Variables: answers per atom then their sums, current release then previous."""
        a, r = self.n_atoms, self.releases
        lo, hi = self.grid.value_range
        width = 2 * a * r
        eq_rows, eq_b, ub_rows, ub_b = [], [], [], []
        blocks = [
            (self.current_m, self.hidden, self.grid.value_n[:, j], self.grid.value_sum[:, j], 0)
        ]
        if r == 2:
            shown = [self.previous.shown[c] for c in self.prev_cells]
            vn = np.array([0 if s is None else s[1][j] for s in shown], dtype=float)
            vs = np.array([0 if s is None else s[2][j] for s in shown], dtype=float)
            blocks.append((self.prev_m, self.prev_hidden, vn, vs, 2 * a))
        for m, hidden, vn, vs, offset in blocks:
            visible = np.flatnonzero(~hidden)
            mv = m[visible]
            zeros = sparse.csr_matrix((visible.size, offset))
            rest = sparse.csr_matrix((visible.size, width - offset - 2 * a))
            empty = sparse.csr_matrix(mv.shape)
            eq_rows.append(sparse.hstack([zeros, mv, empty, rest]).tocsr())
            eq_b.append(vn[visible])
            eq_rows.append(sparse.hstack([zeros, empty, mv, rest]).tocsr())
            eq_b.append(vs[visible])
            ident = sparse.identity(a, format="csr")
            zeros_a = sparse.csr_matrix((a, offset))
            rest_a = sparse.csr_matrix((a, width - offset - 2 * a))
            # lo × answers ≤ sum ≤ hi × answers, atom by atom
            ub_rows.append(sparse.hstack([zeros_a, lo * ident, -ident, rest_a]).tocsr())
            ub_b.append(np.zeros(a))
            ub_rows.append(sparse.hstack([zeros_a, -hi * ident, ident, rest_a]).tocsr())
            ub_b.append(np.zeros(a))
        if r == 2 and self.linked.size:
            size = self.linked.size
            for part in (0, a):
                link = sparse.csr_matrix(
                    (
                        np.concatenate([np.ones(size), -np.ones(size)]),
                        (
                            np.concatenate([np.arange(size)] * 2),
                            np.concatenate([self.linked + part, self.linked + part + 2 * a]),
                        ),
                    ),
                    shape=(size, width),
                )
                eq_rows.append(link)
                eq_b.append(np.zeros(size))
        return (
            sparse.vstack(eq_rows).tocsr(),
            np.concatenate(eq_b),
            sparse.vstack(ub_rows).tocsr(),
            np.concatenate(ub_b),
        )

    # -- queries ----------------------------------------------------------------------------

    def solver(self, system) -> _Solver:
        """A solver for ``system`` (built once per audit)."""
        key = id(system)
        if key not in self._solvers:
            self._solvers[key] = _Solver(*system)
        return self._solvers[key]

    @staticmethod
    def interval(
        solver: _Solver, c: np.ndarray, truth: float | None, width: float
    ) -> tuple[float, float] | None:
        """The attacker's interval of ``c · x`` if narrower than ``width``, else ``None``.

        With the true value known, an upper end at least ``width`` above it settles the question
        without the second program.
        """
        top = solver.minimum(-c)
        if top is None or (truth is not None and -top - truth >= width):
            return None
        low = solver.minimum(c)
        if low is None or -top - low >= width:
            return None
        return (low, -top)

    def mean_interval(
        self, row: np.ndarray, system, truth: float, width: float
    ) -> tuple[float, float] | None:
        """Interval of ``sum / answers`` over a cell's atoms (Charnes–Cooper), if narrower than ``width``."""
        key = id(system)
        if key not in self._cc:
            a_eq, b_eq, a_ub, b_ub = system
            # variables z = x·t and t ≥ 0: A x = b becomes A z − b t = 0; one more row,
            # the cell's answers · z = 1, is set per target
            n = a_eq.shape[1] + 1
            cc_eq = sparse.vstack(
                [
                    sparse.hstack([a_eq, sparse.csr_matrix(-b_eq.reshape(-1, 1))]),
                    sparse.csr_matrix(np.ones((1, n))),
                ]
            ).tocsr()
            cc_ub = sparse.hstack([a_ub, sparse.csr_matrix(-b_ub.reshape(-1, 1))]).tocsr()
            b = np.concatenate([np.zeros(a_eq.shape[0]), [1.0]])
            self._cc[key] = [_Solver(cc_eq, b, cc_ub, np.zeros(cc_ub.shape[0])), np.ones(n)]
        solver, previous = self._cc[key]
        n = solver.n - 1
        half = n // (2 * self.releases)
        answers = np.zeros(n + 1)
        answers[:half] = row
        solver.set_eq_row(solver.a_eq.shape[0] - 1, answers, previous)
        self._cc[key][1] = answers
        sums = np.zeros(n + 1)
        sums[half : 2 * half] = row
        return self.interval(solver, sums, truth, width)


def audit(
    grid: Grid,
    hidden: np.ndarray,
    k: int,
    previous: Published | None = None,
    changes: Mapping[tuple, int] | None = None,
    *,
    first_only: bool = False,
) -> list[Finding]:
    """Every hidden small group the attacker pins (see the module docstring).

    Args:
        grid: the release's table.
        hidden: which of ``grid.cells`` are hidden.
        k: the minimum group size.
        previous: what the previous release showed of this table (``None``: first release).
        changes: atom → people added, withdrawn or changed since ``previous`` (atoms not
            listed did not change).
        first_only: stop at the first finding (the suppression loop only needs one).

    Returns:
        The findings; empty when the release passes.
    """
    changes = dict(changes or {})
    attack = _Attack(grid, np.asarray(hidden, dtype=bool), previous, changes)
    findings: list[Finding] = []
    a = attack.n_atoms
    r = attack.releases
    lo, hi = grid.value_range
    tolerance = MEAN_TOLERANCE * (hi - lo)
    cell_changes = np.zeros(len(grid.cells))
    if changes:
        change_vector = np.array([changes.get(atom, 0) for atom in attack.atoms], dtype=float)
        cell_changes = attack.current_m @ change_vector

    # targets: (release offset, membership row, truth n, truth value_n, truth sums, label suffix)
    targets = []
    for i in np.flatnonzero(attack.hidden):
        if 1 <= grid.n[i] < k:
            targets.append(
                (
                    0,
                    attack.current_m[i].toarray().ravel(),
                    grid.cells[i],
                    grid.n[i],
                    grid.value_n[i],
                    grid.value_sum[i],
                    "",
                )
            )
    count_system = attack._count_system()
    value_systems: dict[int, tuple] = {}

    def value_system(j):
        if j not in value_systems:
            value_systems[j] = attack._value_system(j)
        return value_systems[j]

    for offset, row, cell, n, vn, vs, suffix in targets:
        c = np.zeros(a * r)
        c[offset : offset + a] = row
        found = attack.interval(attack.solver(count_system), c, float(n), _COUNT_WIDTH)
        if found:
            findings.append(Finding(cell, "count" + suffix, *found))
            if first_only:
                return findings
        for j, value in enumerate(grid.values):
            if vn[j] == 0:
                continue
            found = attack.mean_interval(row, value_system(j), vs[j] / vn[j], tolerance)
            if found:
                findings.append(Finding(cell, f"mean {value}" + suffix, *found))
                if first_only:
                    return findings
    if r == 2 and grid.values:
        for i, people in _change_targets(attack, cell_changes, k):
            row = attack.current_m[i].toarray().ravel()
            for j, value in enumerate(grid.values):
                c = np.zeros(4 * a)
                c[a : 2 * a] = row
                c[3 * a : 4 * a] = -row
                found = attack.interval(attack.solver(value_system(j)), c, None, tolerance * people)
                if found:
                    findings.append(Finding(grid.cells[i], f"change {value}", *found))
                    if first_only:
                        return findings
    return findings
    return findings


def _change_targets(attack: _Attack, cell_changes: np.ndarray, k: int):
    """Hidden groups where 1 to k − 1 people changed: the sum of their change must stay vague."""
    for i in np.flatnonzero(attack.hidden):
        if 0 < cell_changes[i] < k:
            yield int(i), float(cell_changes[i])


def protect(
    grid: Grid,
    k: int,
    previous: Published | None = None,
    changes: Mapping[tuple, int] | None = None,
    *,
    start: np.ndarray | None = None,
    keep_hidden: np.ndarray | None = None,
    reduce: bool = True,
) -> tuple[np.ndarray, dict]:
    """The suppression pattern of a release table, audited, and its information loss.

    Args:
        grid: the table.
        k: the minimum group size.
        previous: the previous release's view of this table.
        changes: atom → people changed since then.
        start: an initial pattern (e.g. the greedy one of :func:`course.assess.privacy.safe_table`);
            default: only the small groups.
        keep_hidden: cells that must stay hidden whatever the audit says.
        reduce: try to show hidden groups again where the audit allows.

    Returns:
        ``(hidden, loss)``: the pattern and ``{"cells": hidden cells, "people": people in hidden
        cells that are not small, "primary": small cells, "audits": LP audits run}``.
    """
    small = (grid.n >= 1) & (grid.n < k)
    if grid.values:
        small |= ((grid.value_n >= 1) & (grid.value_n < k)).any(axis=1)
    forced = small.copy()
    if keep_hidden is not None:
        forced |= keep_hidden
    hidden = forced.copy() if start is None else (np.asarray(start, bool) | forced)
    audits = 0
    while True:
        audits += 1
        findings = audit(grid, hidden, k, previous, changes, first_only=True)
        if not findings:
            break
        if not _hide_more(grid, hidden, findings[0]):
            break  # nothing left to hide
    if reduce:
        for i in np.argsort(-grid.n, kind="stable"):
            if not hidden[i] or forced[i]:
                continue
            hidden[i] = False
            audits += 1
            if audit(grid, hidden, k, previous, changes, first_only=True):
                hidden[i] = True
    loss = {
        "cells": int(hidden.sum()),
        "people": int(grid.n[hidden & ~small].sum()),
        "primary": int(small.sum()),
        "audits": audits,
    }
    return hidden, loss


def _hide_more(grid: Grid, hidden: np.ndarray, finding: Finding) -> bool:
    """Hide the smallest shown cell that shares an equation with the pinned cell."""
    target = grid.cells.index(finding.cell)
    row = grid.membership[target].toarray().ravel() > 0
    m = grid.membership.toarray() > 0
    # siblings (same level, one coordinate different) first, then cells overlapping the target
    level = tuple(label is None for label in finding.cell)
    candidates = []
    for i, cell in enumerate(grid.cells):
        if hidden[i]:
            continue
        same_level = tuple(label is None for label in cell) == level
        differ = sum(a != b for a, b in zip(cell, finding.cell, strict=True))
        if same_level and differ == 1:
            candidates.append((0, grid.n[i], i))
        elif (m[i] & row).any():
            candidates.append((1, grid.n[i], i))
    if not candidates:
        return False
    candidates.sort()
    hidden[candidates[0][2]] = True
    return True
