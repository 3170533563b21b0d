"""Small-group protection for everything the HR view shows or exports.

The rule of the course's instrument is "aggregates only for groups of at least k = 5 people".
Hiding the small groups is not enough: a table that shows a department's total and all but one
of its sites lets anyone recover the hidden site by subtraction. :func:`safe_table` therefore
applies *complementary suppression* until no hidden group can be derived.

Attack model (what the table is protected against):

- the attacker sees every visible row: its group labels, ``n`` and mean(s), hence the sums
  ``n × mean``; they know that every row is the sum of the leaf groups it covers (a leaf being a
  full combination of the ``by`` columns), that every listed group has at least one person,
  and which groups exist (hidden rows are listed, with their values blanked);
- they may combine *any* linear relation between visible rows (rows and columns of the table,
  subtotals, the "All" margins of every dimension, the grand total).

Guarantees of the returned table, checked by property tests with such an attacker:

1. every visible row has at least ``k`` people (for each value column too);
2. no hidden group with 1 to k − 1 people has its count or its sum determined by the linear
   system of the visible rows (exact rank test);
3. for every visible row and every dimension it aggregates, the people hidden among its children
   along that dimension number 0 or at least ``k``, and never exactly as many as the hidden
   children (each would then be known to be one person): "total minus visible parts" never
   isolates a small set of people.

Two mechanisms give them, each with a property test that fails without it: the hypercube
protection of every determined small cell (:func:`_protect`, guarantee 2) and the relation rule
(:func:`_local_pass`, guarantee 3). A third one (hidden leaves inside a visible cell holding one
person each) was removed: no test showed it doing anything the relation rule and the release
audit do not.

Known limit: an attacker who also solves linear programs with "every listed group has at least
one person" can, in rare multi-dimensional patterns, narrow a hidden group to one value. What
HR sees of the store is therefore audited by linear programming as a whole, release against
release (:mod:`course.assess.audit`, :mod:`course.assess.releases`), starting from this
function's pattern.
Every value column shares one suppression pattern: hiding a group for one measure and not for
another would leak its count through the other table.

The free-text rule (answers in people's own words only for groups of at least 10) is
:func:`safe_free_text`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

__all__ = [
    "ALL",
    "FREE_TEXT_K",
    "MISSING_LABEL",
    "K",
    "hidden_mask",
    "safe_free_text",
    "safe_table",
]

#: The minimum group size for any aggregate (instruments.md: HR views, groups of at least 5).
K = 5
#: The minimum group size for showing free-text answers.
FREE_TEXT_K = 10
#: The label of an aggregated level (margin) in the ``by`` columns.
ALL = "All"
#: The label given to a missing group value, so that those people stay in the totals.
MISSING_LABEL = "(not given)"

_RANK_TOL = 1e-9


@dataclass
class _Cube:
    """Every margin of a table: cells, their counts and sums, and how they relate.

    Cells are identified by integer coordinates, one per dimension: the index of the group's
    label in ``labels[j]``, or ``-1`` where the dimension is aggregated ("All").
    """

    labels: list[list[str]]  # dimension → sorted group labels
    coords: np.ndarray  # cells × dims, -1 where aggregated
    counts: np.ndarray  # cells × measures: people, then non-missing count per value column
    sums: np.ndarray  # cells × values
    membership: sparse.csr_matrix  # cells × leaves, 1 where the leaf lies in the cell
    leaf_cells: np.ndarray  # cell index of each leaf
    leaf_coords: np.ndarray  # leaves × dims
    level_index: dict[tuple[int, ...], np.ndarray]  # kept dims → dense array of cell ids (-1)
    relations: list[tuple[int, np.ndarray]]  # (parent cell, its children along one dimension)


def _as_list(columns: str | Sequence[str] | None, what: str) -> list[str]:
    if columns is None:
        return []
    if isinstance(columns, str):
        return [columns]
    listed = list(columns)
    if not all(isinstance(c, str) for c in listed):
        raise ValueError(f"{what} must be column names (strings), got {listed!r}")
    return listed


def _check_columns(responses: pd.DataFrame, by: list[str], values: list[str]) -> None:
    if not isinstance(responses, pd.DataFrame):
        raise ValueError(f"responses must be a pandas DataFrame, got {type(responses).__name__}")
    if not by:
        raise ValueError("by must name at least one grouping column")
    if len(set(by)) != len(by) or set(by) & set(values):
        raise ValueError("by and value must name distinct columns")
    absent = [c for c in [*by, *values] if c not in responses.columns]
    if absent:
        raise ValueError(
            f"column(s) not in the responses: {', '.join(absent)} "
            f"(columns are: {', '.join(map(str, responses.columns))})"
        )


def _group_codes(column: pd.Series, all_label: str) -> tuple[np.ndarray, list[str]]:
    """Integer codes of a grouping column and its labels as text, sorted."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    texts = [str(u) for u in uniques]
    if (codes < 0).any():
        texts.append(MISSING_LABEL)
        codes = np.where(codes < 0, len(texts) - 1, codes)
    labels = sorted(set(texts))
    if all_label in labels:
        raise ValueError(
            f"column {column.name!r} has a group called {all_label!r}, the margin label; "
            "rename it or pass another all_label"
        )
    position = {label: i for i, label in enumerate(labels)}
    remap = np.array([position[t] for t in texts], dtype=np.int64)
    return (remap[codes] if len(codes) else codes.astype(np.int64)), labels


def _prepare(
    responses: pd.DataFrame, by: list[str], values: list[str], all_label: str
) -> tuple[np.ndarray, list[list[str]], np.ndarray]:
    """Group codes (rows × dims), labels per dimension, and values (rows × values, float)."""
    _check_columns(responses, by, values)
    numbers = []
    for column in values:
        raw = responses[column]
        if pd.api.types.is_bool_dtype(raw) or not pd.api.types.is_numeric_dtype(raw):
            raise ValueError(f"value column {column!r} must be numeric, got dtype {raw.dtype}")
        numbers.append(raw.to_numpy(dtype="float64", na_value=np.nan))
    matrix = np.column_stack(numbers) if numbers else np.zeros((len(responses), 0))
    keep = ~np.isnan(matrix).all(axis=1) if values else np.ones(len(responses), dtype=bool)
    codes, labels = [], []
    for column in by:
        # people who gave none of the measured values carry no information here
        column_codes, column_labels = _group_codes(responses[column][keep], all_label)
        codes.append(column_codes)
        labels.append(column_labels)
    return np.column_stack(codes), labels, matrix[keep]


def _build_cube(codes: np.ndarray, labels: list[list[str]], matrix: np.ndarray) -> _Cube:
    m = codes.shape[1]
    sizes = tuple(len(dim_labels) for dim_labels in labels)
    present = ~np.isnan(matrix)
    # leaves: the distinct full combinations of group codes
    leaf_keys, leaf_of_row = np.unique(np.ravel_multi_index(codes.T, sizes), return_inverse=True)
    n_leaves = len(leaf_keys)
    leaf_coords = np.column_stack(np.unravel_index(leaf_keys, sizes)).astype(np.int64)
    leaf_counts = np.column_stack(
        [np.bincount(leaf_of_row, minlength=n_leaves)]
        + [
            np.bincount(leaf_of_row, weights=present[:, j], minlength=n_leaves)
            for j in range(matrix.shape[1])
        ]
    ).astype(np.int64)
    leaf_sums = (
        np.column_stack(
            [
                np.bincount(
                    leaf_of_row,
                    weights=np.where(present[:, j], matrix[:, j], 0.0),
                    minlength=n_leaves,
                )
                for j in range(matrix.shape[1])
            ]
        )
        if matrix.shape[1]
        else np.zeros((n_leaves, 0))
    )

    all_coords, all_counts, all_sums, rows = [], [], [], []
    level_index: dict[tuple[int, ...], np.ndarray] = {}
    leaf_cells = np.arange(n_leaves)
    offset = 0
    # every subset of dimensions kept, from the leaves (all kept) to the grand total (none)
    for size in range(m, -1, -1):
        for kept in itertools.combinations(range(m), size):
            kept_sizes = tuple(sizes[j] for j in kept)
            if kept:
                level_keys = np.ravel_multi_index(leaf_coords[:, kept].T, kept_sizes)
                cell_keys, cell_of_leaf = np.unique(level_keys, return_inverse=True)
            else:
                cell_keys, cell_of_leaf = np.zeros(1, np.int64), np.zeros(n_leaves, np.int64)
            n_cells = len(cell_keys)
            coords = np.full((n_cells, m), -1, dtype=np.int64)
            if kept:
                coords[:, kept] = np.column_stack(np.unravel_index(cell_keys, kept_sizes))
            counts = np.zeros((n_cells, leaf_counts.shape[1]), dtype=np.int64)
            np.add.at(counts, cell_of_leaf, leaf_counts)
            sums = np.zeros((n_cells, leaf_sums.shape[1]))
            np.add.at(sums, cell_of_leaf, leaf_sums)
            dense = np.full(kept_sizes, -1, dtype=np.int64)
            dense.reshape(-1)[cell_keys] = np.arange(n_cells) + offset
            level_index[kept] = dense
            all_coords.append(coords)
            all_counts.append(counts)
            all_sums.append(sums)
            rows.append(cell_of_leaf + offset)
            offset += n_cells
    coords = np.vstack(all_coords)
    membership = sparse.csr_matrix(
        (np.ones(n_leaves * 2**m), (np.concatenate(rows), np.tile(np.arange(n_leaves), 2**m))),
        shape=(offset, n_leaves),
    )
    children: dict[tuple[int, int], list[int]] = {}
    for cell, coord in enumerate(coords.tolist()):
        for j, code in enumerate(coord):
            if code < 0:
                continue
            parent_kept = tuple(i for i in range(m) if coord[i] >= 0 and i != j)
            parent = int(level_index[parent_kept][tuple(coord[i] for i in parent_kept)])
            children.setdefault((parent, j), []).append(cell)
    relations = [(parent, np.array(kids)) for (parent, _), kids in sorted(children.items())]
    return _Cube(
        labels=labels,
        coords=coords,
        counts=np.vstack(all_counts),
        sums=np.vstack(all_sums),
        membership=membership,
        leaf_cells=leaf_cells,
        leaf_coords=leaf_coords,
        level_index=level_index,
        relations=relations,
    )


def _violates(cube: _Cube, hidden: np.ndarray, kids: np.ndarray, k: int) -> bool:
    """Do the people hidden among these children betray themselves by subtraction?"""
    hidden_kids = kids[hidden[kids]]
    if hidden_kids.size == 0:
        return False
    hidden_people = cube.counts[hidden_kids].sum(axis=0)
    too_few = bool(((hidden_people > 0) & (hidden_people < k)).any())
    # as many people as hidden groups: each group must be exactly one person
    all_single = bool(hidden_people[0] == hidden_kids.size)
    return too_few or all_single


def _local_pass(cube: _Cube, hidden: np.ndarray, k: int) -> bool:
    """Complementary suppression along every relation; returns whether anything was hidden."""
    changed = False
    for parent, kids in cube.relations:
        while not hidden[parent] and _violates(cube, hidden, kids, k):
            visible_kids = kids[~hidden[kids]]
            if visible_kids.size:
                # the smallest visible sibling (ties: first in table order)
                smallest = visible_kids[np.lexsort((visible_kids, cube.counts[visible_kids, 0]))]
                hidden[smallest[0]] = True
            else:
                hidden[parent] = True
            changed = True
    return changed


def _determined(cube: _Cube, hidden: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Which target cells' values follow from the visible cells by linear algebra."""
    hidden_leaves = np.flatnonzero(hidden[cube.leaf_cells])
    if targets.size == 0:
        return np.zeros(0, dtype=bool)
    if hidden_leaves.size == 0:
        return np.ones(targets.size, dtype=bool)
    visible = np.flatnonzero(~hidden)
    equations = cube.membership[visible][:, hidden_leaves].toarray()
    equations = equations[equations.any(axis=1)]
    wanted = cube.membership[targets][:, hidden_leaves].toarray()
    if equations.shape[0] == 0:
        return ~wanted.any(axis=1)
    _, singular, vt = np.linalg.svd(equations, full_matrices=True)
    rank = int((singular > _RANK_TOL * max(1.0, singular[0])).sum())
    null_space = vt[rank:]
    if null_space.shape[0] == 0:
        return np.ones(targets.size, dtype=bool)
    # a value is determined when its leaf combination is orthogonal to every free direction
    residual = np.abs(wanted @ null_space.T).max(axis=1)
    return residual < 1e-7


def _at_risk(cube: _Cube, k: int) -> np.ndarray:
    return ((cube.counts >= 1) & (cube.counts < k)).any(axis=1)


def _subsets(items: list[int]) -> list[tuple[int, ...]]:
    return [c for r in range(len(items) + 1) for c in itertools.combinations(items, r)]


def _protect(cube: _Cube, hidden: np.ndarray, target: int) -> bool:
    """Hide the cheapest "hypercube" that leaves ``target`` a free direction (if one exists).

    For a target keeping dimensions S (the others aggregated), pick one of its leaves (fixing
    the aggregated dimensions at t) and, in every dimension of S, one other group. The corners
    of the box spanned in S, at t, carry the alternating vector ±1: every cell aggregating a
    dimension of S sums it to 0, so only the cells that keep all of S and contain a corner
    need hiding. Then no visible row can tell the target's true value from value + 1, and
    since the corners losing a person hold at least two, that other table is possible even to
    an attacker who knows every group has at least one person. Cost to minimise: the people in
    cells not hidden yet.
    """
    coord = cube.coords[target]
    m = len(coord)
    kept = [j for j in range(m) if coord[j] >= 0]
    free = [j for j in range(m) if coord[j] < 0]
    if not kept:
        return False
    shape = tuple(len(cube.labels[j]) for j in kept)
    axes = len(kept)
    best_cost, best = np.inf, None
    visible_people = np.where(hidden, 0, cube.counts[:, 0])
    free_subsets = _subsets(free)
    corners = list(itertools.product((0, 1), repeat=axes))
    for leaf in cube.membership[target].indices:
        at = cube.leaf_coords[leaf]
        cost = np.zeros(shape)
        valid = np.ones(shape, dtype=bool)
        for p, j in enumerate(kept):
            index = [slice(None)] * axes
            index[p] = coord[j]
            valid[tuple(index)] = False  # the alternative must differ from the target's group
        for corner in corners:
            grid = []
            for p, j in enumerate(kept):
                if corner[p]:
                    grid.append(
                        np.arange(shape[p]).reshape([-1 if q == p else 1 for q in range(axes)])
                    )
                else:
                    grid.append(np.full([1] * axes, coord[j]))
            by_dim = dict(zip(kept, grid, strict=True))
            for subset in free_subsets:
                level = tuple(sorted(kept + list(subset)))
                index = tuple(
                    by_dim[j] if j in by_dim else np.full([1] * axes, at[j]) for j in level
                )
                cells = np.broadcast_to(cube.level_index[level][index], shape)
                exists = cells >= 0
                if len(subset) == len(free):
                    valid &= exists  # every corner must be a real, non-empty leaf
                    if sum(corner) % 2:
                        # corners where the box subtracts one person need two, so that the
                        # shifted table is possible too even for one who knows groups are ≥ 1
                        valid &= cube.counts[np.maximum(cells, 0), 0] >= 2
                cost += np.where(exists, visible_people[np.maximum(cells, 0)], 0)
        cost[~valid] = np.inf
        position = int(np.argmin(cost))
        if cost.flat[position] < best_cost:
            best_cost, best = cost.flat[position], (at, np.unravel_index(position, shape))
    if best is None:
        return False
    at, alternative = best
    for corner in corners:
        corner_coord = {j: (alternative[p] if corner[p] else coord[j]) for p, j in enumerate(kept)}
        for subset in free_subsets:
            level = tuple(sorted(kept + list(subset)))
            cell = cube.level_index[level][tuple(corner_coord.get(j, at[j]) for j in level)]
            hidden[cell] = True
    return True


def _fallback(cube: _Cube, hidden: np.ndarray, target: int) -> None:
    """Hide the smallest visible cell that shares an equation with ``target``'s hidden leaves."""
    hidden_leaves = np.flatnonzero(hidden[cube.leaf_cells])
    target_leaves = cube.membership[target].toarray().ravel()[hidden_leaves] > 0
    touching = cube.membership[:, hidden_leaves[target_leaves]].toarray().any(axis=1)
    related = np.flatnonzero(touching & ~hidden)
    neighbours = cube.leaf_cells[cube.membership[related].toarray().any(axis=0)]
    candidates = np.unique(np.concatenate([related, neighbours]))
    candidates = candidates[~hidden[candidates]]
    if candidates.size == 0:
        candidates = np.flatnonzero(~hidden)
    hidden[candidates[np.lexsort((candidates, cube.counts[candidates, 0]))][0]] = True


def _suppress(cube: _Cube, k: int) -> np.ndarray:
    at_risk = _at_risk(cube, k)
    hidden = at_risk.copy()
    # finest cells first: their boxes often protect the coarser small cells too
    for target in np.flatnonzero(at_risk):
        _protect(cube, hidden, int(target))
    while True:
        if _local_pass(cube, hidden, k):
            continue
        targets = np.flatnonzero(hidden & at_risk)
        determined = targets[_determined(cube, hidden, targets)]
        if determined.size:
            target = int(determined[0])
            before = int(hidden.sum())
            _protect(cube, hidden, target)
            if int(hidden.sum()) == before:
                _fallback(cube, hidden, target)
            continue
        return hidden


def safe_table(
    responses: pd.DataFrame,
    by: str | Sequence[str],
    value: str | Sequence[str] | None = None,
    k: int = K,
    *,
    all_label: str = ALL,
) -> pd.DataFrame:
    """Counts and means by group, with every margin, in which no group under ``k`` shows.

    Args:
        responses: one row per person (respondent).
        by: the grouping column, or columns (e.g. ``["department", "site"]``); group labels
            are shown as text, a missing label as ``"(not given)"``.
        value: a numeric column whose mean is shown; a list of columns for several means that
            share one suppression pattern (each output column keeps its name); ``None`` for
            counts only. People with every value missing are dropped; with a single value,
            people without it are not counted.
        k: the minimum number of people behind any shown number (default 5).
        all_label: the label of an aggregated level (default ``"All"``).

    Returns:
        A DataFrame with the ``by`` columns, ``n`` (``Int64``) and ``mean`` (``Float64``; with a
        list of values, one column per value instead). There is one row per group at every level:
        the leaf groups, every subtotal and margin (a dimension aggregated shows ``all_label``),
        and the grand total, ordered with each dimension's groups first and ``all_label`` last.
        Hidden groups keep their row, with ``n`` and the means missing (``<NA>``). A mean is also
        missing when nobody in a shown group gave that value. No row is marked as primary or
        complementary suppression: that would tell which groups are small.

    Raises:
        ValueError: ``responses`` is not a DataFrame, a named column is absent, a value column
            is not numeric, a group is named like ``all_label``, or ``k`` is not a whole
            number of at least 1.
    """
    by_columns = _as_list(by, "by")
    value_columns = _as_list(value, "value")
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k must be a whole number of at least 1, got {k!r}")
    codes, labels, matrix = _prepare(responses, by_columns, value_columns, all_label)
    single = isinstance(value, str)
    mean_columns = ["mean"] if single else value_columns
    if codes.shape[0] == 0:
        empty = {c: pd.Series(dtype="string") for c in by_columns}
        empty["n"] = pd.Series(dtype="Int64")
        empty.update({c: pd.Series(dtype="Float64") for c in mean_columns})
        return pd.DataFrame(empty)

    cube = _build_cube(codes, labels, matrix)
    hidden = _suppress(cube, int(k))

    order = np.lexsort(
        [
            key
            for j in reversed(range(codes.shape[1]))
            for key in (cube.coords[:, j], cube.coords[:, j] < 0)
        ]
    )
    table = pd.DataFrame(
        {
            column: pd.array(
                [all_label if c < 0 else labels[j][c] for c in cube.coords[order, j]],
                dtype="string",
            )
            for j, column in enumerate(by_columns)
        }
    )
    n = pd.array(cube.counts[order, 0], dtype="Int64")
    n[hidden[order]] = pd.NA
    table["n"] = n
    for j, column in enumerate(mean_columns):
        value_counts = cube.counts[order, 1 + j]
        with np.errstate(invalid="ignore", divide="ignore"):
            means = pd.array(cube.sums[order, j] / value_counts, dtype="Float64")
        means[hidden[order] | (value_counts == 0)] = pd.NA
        table[column] = means
    return table


def hidden_mask(table: pd.DataFrame) -> pd.Series:
    """Which rows of a :func:`safe_table` result are hidden.

    Args:
        table: a table returned by :func:`safe_table`.

    Returns:
        A boolean Series, ``True`` where ``n`` is missing.
    """
    return table["n"].isna()


def safe_free_text(
    responses: pd.DataFrame,
    by: str | Sequence[str],
    text: str,
    k: int = FREE_TEXT_K,
) -> pd.DataFrame:
    """Free-text answers, only for groups of at least ``k`` respondents (default 10).

    Texts are given for the leaf groups of ``by`` only (never for a parent level as well, which
    would let a reader set a parent's texts against its children's), sorted within each group so
    that the order of submission is not shown. Empty answers are left out, but every respondent
    counts towards the group size.

    Args:
        responses: one row per respondent.
        by: the grouping column or columns.
        text: the free-text column.
        k: the minimum number of respondents in a group whose texts are shown.

    Returns:
        A DataFrame with the ``by`` columns and ``text``, one row per non-empty answer of a
        group with at least ``k`` respondents.

    Raises:
        ValueError: a named column is absent, or ``k`` is not a whole number of at least 1.
    """
    by_columns = _as_list(by, "by")
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k must be a whole number of at least 1, got {k!r}")
    if not isinstance(responses, pd.DataFrame) or text not in responses.columns:
        raise ValueError(f"responses must be a DataFrame with a {text!r} column")
    _check_columns(responses, by_columns, [text])
    frame = pd.DataFrame(index=responses.index)
    for column in by_columns:
        codes, labels = _group_codes(responses[column], "\0")
        frame[column] = np.array(labels, dtype=object)[codes] if len(codes) else []
    answers = responses[text].astype("object")
    frame["text"] = answers.where(answers.notna(), "").astype(str).str.strip()
    sizes = frame.groupby(by_columns, observed=True)["text"].transform("size")
    shown = frame[(sizes >= k) & (frame["text"] != "")]
    return shown.sort_values([*by_columns, "text"]).reset_index(drop=True)[[*by_columns, "text"]]
