"""HR releases: frozen, numbered, dated aggregates, published only when they hide every person.

Contributions go to the store as people make them; HR never sees the live data. ``course hr
publish`` (:func:`publish`) builds a *release* from the store: every table of the HR view
(competency by department × site, department, site and quarter; the spread over bands of each
dimension; maturity by department and quarter), protected and frozen, with its number and date.

Two rules make a release safe against an attacker who compares releases:

1. **k changes per changed number.** Every number a release shows that would differ from the
   previous release reflects at least k = 5 people added, withdrawn or changed in that group;
   a person counts once per group. Otherwise nothing is published and :func:`publish` names the
   groups that wait (``course hr publish`` exits 2). Withdrawals and changed answers take
   effect at the next release that passes. So ``n1·m1 − n0·m0`` is always the sum of five or
   more people.
2. **An interval audit of the release as a whole** (:mod:`course.assess.audit`): all tables
   together, with the previous release, by linear programming; it hides more cells until no
   hidden small group is pinned, then shows again whatever it can, and records the information
   loss of the release.

The release (its ``payload``) is all HR sees: :func:`release_tables` turns it back into
tables for the app, and :func:`export` writes one CSV per view. What the next release is
compared with (``snapshot``: per contribution id and revision, its groups) stays in the
database and is never shown.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from course.assess import competency, maturity
from course.assess.audit import Grid, Published, build_grid, protect
from course.assess.privacy import ALL, K, safe_table

__all__ = [
    "TABLES",
    "PublishResult",
    "TableSpec",
    "build",
    "export",
    "pending",
    "publish",
    "release_frames",
    "release_tables",
]


@dataclass(frozen=True)
class TableSpec:
    """One protected table of a release.

    Attributes:
        name: its id in the release.
        instrument: the store's instrument.
        dims: its dimensions (columns of the release frame).
        levels: which dimensions each published level keeps.
        values: the value columns whose means are shown.
        value_range: their range.
    """

    name: str
    instrument: str
    dims: tuple[str, ...]
    levels: tuple[tuple[int, ...], ...]
    values: tuple[str, ...] = ()
    value_range: tuple[float, float] = (0.0, 100.0)


COMPETENCY = "competency"
MATURITY = "maturity"
MATURITY_VALUES: tuple[str, ...] = (*maturity.DIMENSIONS, "overall")

TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "competency",
        COMPETENCY,
        ("department", "site", "quarter"),
        ((0, 1), (0,), (1,), (2,), ()),
        competency.DIMENSIONS,
        (0.0, 100.0),
    ),
    *(
        TableSpec(f"bands_{dim}", COMPETENCY, (f"band_{dim}",), ((0,), ()))
        for dim in competency.DIMENSIONS
    ),
    TableSpec(
        "maturity",
        MATURITY,
        ("department", "quarter"),
        ((0,), (1,), ()),
        MATURITY_VALUES,
        (1.0, 4.0),
    ),
)


def _quarter(dates: pd.Series) -> pd.Series:
    parsed = pd.to_datetime(dates, errors="coerce")
    return parsed.dt.to_period("Q").astype(str).where(parsed.notna(), "(not given)")


def _frame(rows: list[dict[str, Any]], instrument: str) -> pd.DataFrame:
    """The release's input for one instrument: one row per contribution, indexed by id."""
    frame = pd.DataFrame.from_records(rows)
    if frame.empty:
        frame = pd.DataFrame(columns=["id", "revision", "department", "site", "contributed_on"])
    frame = frame.set_index("id")
    out = pd.DataFrame(index=frame.index)
    out["revision"] = frame["revision"].astype(int)
    out["department"] = frame["department"].astype(str)
    out["site"] = frame["site"].astype(str)
    out["quarter"] = _quarter(frame["contributed_on"])
    if instrument == COMPETENCY:
        for dim in competency.DIMENSIONS:
            scores = pd.to_numeric(frame.get(dim), errors="coerce") if dim in frame else np.nan
            out[dim] = scores
            out[f"band_{dim}"] = (
                pd.Series(out[dim]).map(lambda s: competency.band(s) if pd.notna(s) else None)
                if dim in frame
                else None
            )
    else:
        for dim in MATURITY_VALUES:
            out[dim] = pd.to_numeric(frame[dim], errors="coerce") if dim in frame else np.nan
    return out


def _people(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """The rows of ``frame`` that count in ``spec`` (people with no measured value carry nothing)."""
    if frame.empty:
        return frame
    keep = frame[list(spec.dims)].notna().all(axis=1)
    if spec.values:
        keep &= frame[list(spec.values)].notna().any(axis=1)
    return frame[keep]


@dataclass
class PublishResult:
    """What :func:`publish` did.

    Attributes:
        status: ``"published"``, ``"waiting"`` (the k-changes rule holds the release back),
            ``"unchanged"`` (nothing changed since the latest release), or ``"ready"`` (from
            :func:`build`: tables built, not saved).
        release: the new (or, when not published, the latest) release, or ``None``.
        waiting: ``(table, group, changes)`` for every shown group with 1 to k − 1 changes.
        loss: table name → information loss (see :func:`course.assess.audit.protect`).
    """

    status: str
    release: dict | None
    waiting: list[tuple[str, dict[str, str], int]] = field(default_factory=list)
    loss: dict[str, dict] = field(default_factory=dict)


def _greedy(people: pd.DataFrame, spec: TableSpec, grid: Grid, k: int) -> np.ndarray:
    """The pattern of :func:`course.assess.privacy.safe_table` on the published cells.

    Its box-shaped complementary suppression is a good start for the audit (hiding whole
    boxes of small cells rather than the totals), and the audit then corrects and reduces it.
    """
    values = list(spec.values) or None
    table = safe_table(people, list(spec.dims), values, k)
    hidden_rows = {
        tuple(None if label == ALL else label for label in row): pd.isna(n)
        for row, n in zip(
            table[list(spec.dims)].itertuples(index=False, name=None), table["n"], strict=True
        )
    }
    return np.array([hidden_rows.get(cell, True) for cell in grid.cells]) | _small(grid, k)


def _small(grid: Grid, k: int) -> np.ndarray:
    small = (grid.n >= 1) & (grid.n < k)
    if grid.values:
        small |= ((grid.value_n >= 1) & (grid.value_n < k)).any(axis=1)
    return small


def _cell_dict(spec: TableSpec, cell: tuple) -> dict[str, str]:
    return {d: (ALL if label is None else label) for d, label in zip(spec.dims, cell, strict=True)}


_SEP = "\x1f"  # joins a group's labels in the snapshot (never in a label: text is cleaned)


def _keys(frame: pd.DataFrame, spec: TableSpec) -> pd.Series:
    """Each row's group (its atom) in ``spec``, as one text."""
    keys = frame[spec.dims[0]].astype(str)
    for dim in spec.dims[1:]:
        keys = keys + _SEP + frame[dim].astype(str)
    return keys


def _cell_changes(
    grid: Grid, spec: TableSpec, frame: pd.DataFrame, before: dict
) -> tuple[np.ndarray, dict[tuple, int]]:
    """People added, withdrawn or changed per cell (each person once per cell), and per atom."""
    now = pd.DataFrame(
        {"revision": frame["revision"].to_numpy(), "key": _keys(frame, spec).to_numpy()},
        index=frame.index.astype(str),
    )
    groups = before.get("groups", {}).get(spec.name) if before else None
    if groups is not None:
        then = pd.DataFrame(
            {"revision": before["revision"], "key": groups}, index=pd.Index(before["id"])
        ).dropna(subset=["key"])
    else:
        then = pd.DataFrame({"revision": [], "key": []}, index=pd.Index([], dtype=str))
    both = now.join(then, how="outer", lsuffix="_now", rsuffix="_then")
    same = (both["revision_now"] == both["revision_then"]) & (both["key_now"] == both["key_then"])
    moved = both[~same]
    # every group a changed person was or is in, each person once per group; the work is on
    # integer codes (a release may hold 160,000 contributions), labels split once per group
    per_cell = np.zeros(len(grid.cells))
    per_atom: dict[tuple, int] = {}
    if len(moved) == 0:
        return per_cell, per_atom
    old_keys = moved["key_then"].to_numpy(dtype=object)
    new_keys = moved["key_now"].to_numpy(dtype=object)
    codes, keys = pd.factorize(np.concatenate([old_keys, new_keys]), use_na_sentinel=True)
    old, new = codes[: len(moved)], codes[len(moved) :]
    atoms = [tuple(key.split(_SEP)) for key in keys]

    def once_each(old_of, new_of, size):
        # old group + new group, minus those who stayed in the same group
        counts = np.bincount(old_of[old_of >= 0], minlength=size)
        counts += np.bincount(new_of[new_of >= 0], minlength=size)
        same = (old_of >= 0) & (old_of == new_of)
        return counts - np.bincount(old_of[same], minlength=size)

    for code, count in enumerate(once_each(old, new, len(keys))):
        if count:
            per_atom[atoms[code]] = int(count)
    cell_index = {cell: i for i, cell in enumerate(grid.cells)}
    width = len(spec.dims)
    for level in spec.levels:
        # the cell of each group at this level (-1: not a listed cell)
        cell_of_key = np.array(
            [
                cell_index.get(tuple(atom[j] if j in level else None for j in range(width)), -1)
                for atom in atoms
            ]
            + [-1]
        )
        per_cell += once_each(cell_of_key[old], cell_of_key[new], len(grid.cells) + 1)[:-1]
    return per_cell, per_atom


def _snapshot_entry(frames: dict[str, pd.DataFrame]) -> dict[str, dict]:
    """Per instrument, column-wise: contribution ids, revisions and each table's group."""
    snapshot: dict[str, dict] = {}
    for instrument, frame in frames.items():
        entry = {
            "id": [str(i) for i in frame.index],
            "revision": [int(r) for r in frame["revision"]],
            "groups": {},
        }
        for spec in TABLES:
            if spec.instrument != instrument:
                continue
            keys = _keys(frame, spec)
            counted = frame.index.isin(_people(frame, spec).index)
            entry["groups"][spec.name] = [
                key if ok else None for key, ok in zip(keys, counted, strict=True)
            ]
        snapshot[instrument] = entry
    return snapshot


def _published_of(payload_table: dict | None) -> Published | None:
    if payload_table is None or not payload_table["cells"]:
        return None
    shown = {}
    for cell in payload_table["cells"]:
        labels = tuple(cell["group"])
        shown[labels] = None if cell["n"] is None else (cell["n"], cell["value_n"], cell["sums"])
    return Published(payload_table["dims"], payload_table["values"], shown)


def _table_payload(spec: TableSpec, grid: Grid, hidden: np.ndarray) -> dict:
    cells = []
    for i, cell in enumerate(grid.cells):
        if hidden[i]:
            cells.append({"group": list(cell), "n": None, "value_n": None, "sums": None})
        else:
            cells.append(
                {
                    "group": list(cell),
                    "n": int(grid.n[i]),
                    "value_n": [int(v) for v in grid.value_n[i]],
                    "sums": [float(v) for v in grid.value_sum[i]],
                }
            )
    return {"dims": list(spec.dims), "values": list(spec.values), "cells": cells}


def _read(store) -> dict[str, pd.DataFrame]:
    return {
        instrument: _frame(store.contribution_rows(instrument), instrument)
        for instrument in (COMPETENCY, MATURITY)
    }


def pending(store, release: dict | None = None) -> int:
    """How many contributions (added, withdrawn or changed) wait for the next release.

    Args:
        store: the :class:`course.assess.store.Store`.
        release: the latest release (default: read it).

    Raises:
        course.assess.store.StoreUnavailable: the database cannot be read.
    """
    release = store.latest_release() if release is None else release
    before = release["snapshot"]["contributions"] if release else {}
    count = 0
    for instrument in (COMPETENCY, MATURITY):
        entry = before.get(instrument, {"id": [], "revision": []})
        then = dict(zip(entry["id"], entry["revision"], strict=True))
        now = {str(row["id"]): int(row["revision"]) for row in store.contribution_rows(instrument)}
        count += sum(1 for key in set(then) | set(now) if then.get(key) != now.get(key))
    return count


def publish(store, k: int = K, *, reduce: bool = True) -> PublishResult:
    """Build the next release from the store, audit it and save it if the rules allow.

    Args:
        store: the :class:`course.assess.store.Store`.
        k: the minimum group size and the minimum number of changes behind a changed number.
        reduce: show again the hidden groups the audit allows (less information loss).

    Returns:
        A :class:`PublishResult`.

    Raises:
        course.assess.store.StoreUnavailable: the database cannot be read or written.
    """
    latest = store.latest_release()
    if latest is not None and pending(store, latest) == 0:
        return PublishResult("unchanged", latest)
    frames = _read(store)
    result = build(frames, latest, k, reduce=reduce)
    if result.status != "ready":
        return result
    payload = {"k": k, "tables": result.release["tables"], "loss": result.loss}
    snapshot = {"contributions": _snapshot_entry(frames)}
    release = store.save_release(payload, snapshot)
    return PublishResult("published", release, [], result.loss)


def build(
    frames: dict[str, pd.DataFrame], latest: dict | None, k: int = K, *, reduce: bool = True
) -> PublishResult:
    """The tables of the next release, from the contributions (no database involved).

    Args:
        frames: instrument → one row per contribution (as :func:`_frame` makes them: ``revision``,
            ``department``, ``site``, ``quarter``, the values and, for competency, the bands),
            indexed by contribution id.
        latest: the previous release (``None`` for the first).
        k: see :func:`publish`.
        reduce: see :func:`publish`.

    Returns:
        Status ``"ready"`` with ``release = {"tables": …}`` and the information loss, or
        ``"waiting"`` with the groups that hold the release back.
    """
    before = latest["snapshot"]["contributions"] if latest else {}
    tables: dict[str, dict] = {}
    waiting: list[tuple[str, dict[str, str], int]] = []
    losses: dict[str, dict] = {}
    work = []
    for spec in TABLES:
        people = _people(frames[spec.instrument], spec)
        previous = _published_of(latest["payload"]["tables"].get(spec.name)) if latest else None
        if people.empty:
            tables[spec.name] = {"dims": list(spec.dims), "values": list(spec.values), "cells": []}
            continue
        grid = build_grid(people, spec.dims, spec.levels, spec.values, spec.value_range)
        changes, atom_changes = _cell_changes(
            grid, spec, people, before.get(spec.instrument) if latest else None
        )
        atom_changes = atom_changes if latest else None
        few = (changes > 0) & (changes < k)
        # start from the previous release's pattern: what was shown stays shown, so a number
        # with too few changes behind it holds the release back instead of vanishing
        start = _greedy(people, spec, grid, k)
        if previous is not None:
            start |= np.array(
                [cell in previous.shown and previous.shown[cell] is None for cell in grid.cells]
            )
        for i in np.flatnonzero(~start & few):
            waiting.append((spec.name, _cell_dict(spec, grid.cells[i]), int(changes[i])))
        work.append((spec, grid, previous, atom_changes, few, start))
    if waiting:
        return PublishResult("waiting", latest, waiting, {})
    for spec, grid, previous, atom_changes, few, start in work:
        # the audit may hide more (a hidden group with few changes is one of its targets)
        hidden, loss = protect(grid, k, previous, atom_changes, start=start, reduce=False)
        if reduce:
            # show again what the audit allows, never a group with few changes
            hidden, loss = protect(
                grid, k, previous, atom_changes, start=hidden, keep_hidden=few & hidden
            )
        tables[spec.name] = _table_payload(spec, grid, hidden)
        losses[spec.name] = loss
    return PublishResult("ready", {"tables": tables}, [], losses)


# ------------------------------------------------------------------------- reading releases


def release_frames(release: dict) -> dict[str, pd.DataFrame]:
    """The tables of a release as frames: the dims (``"All"`` where aggregated), ``n``, means.

    Hidden groups keep their row with ``n`` and the means missing, like
    :func:`course.assess.privacy.safe_table`.

    Args:
        release: from :meth:`course.assess.store.Store.latest_release` or :func:`publish`.

    Returns:
        Table name → frame.
    """
    frames = {}
    for name, table in release["payload"]["tables"].items():
        rows = []
        for cell in table["cells"]:
            row = {
                d: (ALL if g is None else g)
                for d, g in zip(table["dims"], cell["group"], strict=True)
            }
            row["n"] = cell["n"]
            for j, value in enumerate(table["values"]):
                if cell["n"] is None or not cell["value_n"][j]:
                    row[value] = None
                else:
                    row[value] = cell["sums"][j] / cell["value_n"][j]
            rows.append(row)
        frame = pd.DataFrame(rows, columns=[*table["dims"], "n", *table["values"]])
        for d in table["dims"]:
            frame[d] = frame[d].astype("string")
        frame["n"] = frame["n"].astype("Int64")
        for value in table["values"]:
            frame[value] = frame[value].astype("Float64")
        frames[name] = frame
    return frames


def release_tables(release: dict) -> dict[str, Any]:
    """The release in the shape the HR view draws: ``competency``, ``bands``, ``maturity``.

    Returns:
        ``{"competency": frame or None, "bands": {dim: frame}, "maturity": frame or None}``.
    """
    frames = release_frames(release)

    def nonempty(frame):
        return frame if frame is not None and len(frame) else None

    bands = {}
    for dim in competency.DIMENSIONS:
        frame = frames.get(f"bands_{dim}")
        if frame is not None and len(frame):
            bands[dim] = frame.rename(columns={f"band_{dim}": "band"})
    return {
        "competency": nonempty(frames.get("competency")),
        "bands": bands,
        "maturity": nonempty(frames.get("maturity")),
    }


def export(release: dict, out: Path) -> list[Path]:
    """Write every view of a release as CSV: one file per view, ``n`` per group, hidden cells empty.

    Args:
        release: the release to export.
        out: the folder (created if needed).

    Returns:
        The files written.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tables = release_tables(release)
    files: list[Path] = []
    comp, mat = tables["competency"], tables["maturity"]
    dims = list(competency.DIMENSIONS)

    def write(name: str, frame: pd.DataFrame, columns: Iterable[str]) -> None:
        path = out / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            columns = list(columns)
            writer.writerow(columns)
            for _, row in frame[columns].iterrows():
                writer.writerow(["" if pd.isna(v) else _csv_value(v) for v in row])
        files.append(path)

    if comp is not None:
        q_all = comp["quarter"] == ALL
        write("counts", comp[q_all], ["department", "site", "n"])
        write("by_department", comp[q_all & (comp["site"] == ALL)], ["department", "n", *dims])
        write("by_site", comp[q_all & (comp["department"] == ALL)], ["site", "n", *dims])
        trend = comp[(comp["department"] == ALL) & (comp["site"] == ALL)]
        write("trend", trend, ["quarter", "n", *dims])
    if tables["bands"]:
        rows = [
            frame.assign(dimension=dim)[["dimension", "band", "n"]]
            for dim, frame in tables["bands"].items()
        ]
        write("distribution", pd.concat(rows, ignore_index=True), ["dimension", "band", "n"])
    if mat is not None:
        write("maturity", mat[mat["quarter"] == ALL], ["department", "n", *MATURITY_VALUES])
        write("maturity_trend", mat[mat["department"] == ALL], ["quarter", "n", "overall"])
    info = out / "release.csv"
    with info.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["release", "published_at_utc", "k"])
        writer.writerow([release["number"], _when(release), release["payload"].get("k", K)])
    files.append(info)
    return files


def _csv_value(value) -> str:
    if isinstance(value, float | np.floating):
        return f"{float(value):.2f}"
    return str(value)


def _when(release: dict) -> str:
    published = release["published_at"]
    if isinstance(published, dt.datetime):
        return published.strftime("%Y-%m-%d %H:%M")
    return str(published)
