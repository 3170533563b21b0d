"""Small vectorised helpers shared by the generators."""

from __future__ import annotations

import numpy as np


def exact_counts(rng: np.random.Generator, counts: dict[str, int]) -> np.ndarray:
    """A shuffled array holding each label exactly ``counts[label]`` times."""
    labels = np.repeat(np.array(list(counts), dtype=object), list(counts.values()))
    return rng.permutation(labels)


def pick(rng: np.random.Generator, options: dict[str, float], size: int) -> np.ndarray:
    """Draw ``size`` labels with the given (normalised) weights."""
    labels = np.array(list(options), dtype=object)
    weights = np.array(list(options.values()), dtype=float)
    return labels[rng.choice(len(labels), size=size, p=weights / weights.sum())]


def pick_by(
    rng: np.random.Generator, keys: np.ndarray, table: dict[str, dict[str, float]]
) -> np.ndarray:
    """Draw one label per row from the distribution ``table[key]`` of that row's key."""
    out = np.empty(len(keys), dtype=object)
    for key, options in table.items():
        rows = np.flatnonzero(keys == key)
        if rows.size:
            out[rows] = pick(rng, options, rows.size)
    if any(v is None for v in out):
        raise ValueError("a key has no distribution in the table")
    return out


def ids(prefix: str, n: int, width: int) -> np.ndarray:
    """Identifiers such as ``R0001`` … (1-based, zero-padded)."""
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width)).astype(object)
