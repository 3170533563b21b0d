"""Participation inequality and engagement rates (module M2).

Measure how unequal participation is (Gini coefficient, Lorenz curve, share of the top 1%), sort
members into participation bands, and compute engagement rates with an explicit denominator.

All functions are pure: they take numbers (a list, a numpy array or a pandas Series) and return
numbers or tables, and they refuse bad input with one clear ``ValueError`` or ``TypeError``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

#: Participation bands from the most to the least involved (an ordered categorical).
BANDS: tuple[str, ...] = ("core", "active", "peripheral", "lurker")

#: Default band cut-offs, shares of all members ranked by contributions. Wenger, McDermott &
#: Snyder (2002, ch. 3) describe a core of 10-15% and an active group of 15-20%; the course
#: takes the low end of each range.
CORE_SHARE = 0.10
ACTIVE_SHARE = 0.20


def _as_values(values: Any, what: str = "values") -> np.ndarray:
    """Validate a one-dimensional collection of non-negative finite numbers; return floats."""
    if isinstance(values, str | bytes) or values is None:
        raise TypeError(
            f"{what} must be a list, array or Series of numbers, got {type(values).__name__}"
        )
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"{what} must be one column (a Series), not a DataFrame: select the column")
    if isinstance(values, pd.Series | pd.Index):
        array = values.to_numpy()
    elif isinstance(values, np.ndarray):
        array = values
    elif isinstance(values, Iterable):
        array = np.asarray(list(values))
    else:
        raise TypeError(
            f"{what} must be a list, array or Series of numbers, got {type(values).__name__}"
        )
    if array.ndim != 1:
        raise ValueError(f"{what} must be one-dimensional, got shape {array.shape}")
    if array.dtype == object:
        try:
            array = array.astype(float)
        except (TypeError, ValueError):
            raise TypeError(f"{what} must be numbers; found non-numeric entries") from None
    elif not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"{what} must be numbers, got dtype {array.dtype}")
    array = array.astype(float, copy=False)
    if array.size == 0:
        raise ValueError(f"{what} is empty: there is nothing to measure")
    if np.isnan(array).any():
        raise ValueError(f"{what} contains missing values (NaN): fill or drop them first")
    if np.isinf(array).any():
        raise ValueError(f"{what} contains infinite values")
    if (array < 0).any():
        raise ValueError(f"{what} contains negative values: contributions are counts, 0 or more")
    return array


def gini(values: Any) -> float:
    """Population Gini coefficient of non-negative values, zeros included.

    ``G = Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² x̄)``, computed in O(n log n) from the sorted values as
    ``G = Σᵢ (2i − n − 1) x₍ᵢ₎ / (n Σ x)`` with ``i = 1 … n``. 0 means everyone contributes the
    same; the maximum, one member doing everything, is ``1 − 1/n``.

    Args:
        values: contributions per member (list, numpy array or Series). Members who contributed
            nothing count: leaving them out makes a community look more equal than it is.

    Returns:
        The Gini coefficient, a float in ``[0, 1 − 1/n]``; 0.0 when all values are equal
        (all zeros included).

    Raises:
        ValueError: empty input, or a negative, missing (NaN) or infinite value.
        TypeError: input that is not a one-dimensional collection of numbers.
    """
    array = np.sort(_as_values(values))
    total = array.sum()
    if total == 0 or array[0] == array[-1]:
        return 0.0
    n = array.size
    weights = 2.0 * np.arange(1, n + 1, dtype=float) - n - 1.0
    result = float(np.dot(weights, array) / (n * total))
    # Rounding can push a perfectly equal or extreme case a hair outside the range.
    return min(max(result, 0.0), 1.0 - 1.0 / n)


def lorenz(values: Any) -> pd.DataFrame:
    """Lorenz curve: cumulative share of members against cumulative share of contributions.

    Members are sorted from the least to the most active, so the curve sits under the diagonal;
    the further under it, the more unequal the community.

    Args:
        values: contributions per member, as for :func:`gini`.

    Returns:
        A DataFrame of ``n + 1`` rows with columns ``member_share`` and ``contribution_share``
        (both from 0 to 1), starting at (0, 0) and ending at (1, 1). When every value is 0 the
        curve is the diagonal (no inequality to show), consistent with ``gini == 0``.

    Raises:
        ValueError, TypeError: as :func:`gini`.
    """
    array = np.sort(_as_values(values))
    n = array.size
    member_share = np.arange(n + 1, dtype=float) / n
    total = array.sum()
    if total == 0:
        contribution_share = member_share.copy()
    else:
        contribution_share = np.concatenate(([0.0], np.cumsum(array) / total))
        contribution_share[-1] = 1.0  # exact end point despite rounding
    return pd.DataFrame({"member_share": member_share, "contribution_share": contribution_share})


def top_count(n: int, fraction: float) -> int:
    """How many members the top ``fraction`` of ``n`` members is: ``⌈fraction × n⌉``.

    The product is rounded to 9 decimals before the ceiling so that ``0.07 × 100`` gives 7,
    not 8 (binary floating point stores 0.07 × 100 as 7.000000000000001).

    Args:
        n: number of members, at least 1.
        fraction: a share in ``(0, 1]``.

    Returns:
        An integer between 1 and ``n``.

    Raises:
        ValueError: ``fraction`` outside ``(0, 1]`` or ``n`` below 1.
    """
    if isinstance(fraction, bool) or not isinstance(
        fraction, int | float | np.floating | np.integer
    ):
        raise TypeError(f"fraction must be a number, got {type(fraction).__name__}")
    if not 0 < fraction <= 1:
        raise ValueError(
            f"fraction must be a share in (0, 1], got {fraction!r} (write 0.01 for 1%, not 1)"
            if fraction > 1
            else f"fraction must be a share in (0, 1], got {fraction!r}"
        )
    if n < 1:
        raise ValueError("there are no members")
    return min(n, max(1, math.ceil(round(fraction * n, 9))))


def top_share(values: Any, fraction: float = 0.01) -> float:
    """Share of all contributions made by the top ``⌈fraction × n⌉`` members.

    Args:
        values: contributions per member, as for :func:`gini`.
        fraction: the top group as a share of members, in ``(0, 1]``; 0.01 is the top 1%.

    Returns:
        A share between 0 and 1 (not a percentage).

    Raises:
        ValueError: as :func:`gini`; ``fraction`` outside ``(0, 1]``; or a total of zero
            (nobody contributed, so there is no share to speak of).
        TypeError: as :func:`gini`, or a ``fraction`` that is not a number.
    """
    array = _as_values(values)
    k = top_count(array.size, fraction)
    total = array.sum()
    if total == 0:
        raise ValueError("the total is zero: nobody contributed, so no one holds a share of it")
    # A full sort, not np.partition: with many tied zeros (most members) introselect degrades
    # badly (measured 20x slower than the sort on a million counts).
    top = np.sort(array)[array.size - k :]
    return float(top.sum() / total)


def without_top(values: Any, fraction: float = 0.01) -> np.ndarray:
    """The contributions left when the top ``⌈fraction × n⌉`` members leave.

    Args:
        values: contributions per member, as for :func:`gini`.
        fraction: the share of members who leave, from the most active down, in ``(0, 1]``.

    Returns:
        A float array of the remaining members' contributions, sorted ascending (it may be
        empty when everyone leaves).

    Raises:
        ValueError, TypeError: as :func:`top_share`.
    """
    array = np.sort(_as_values(values))
    k = top_count(array.size, fraction)
    return array[: array.size - k]


def _numbers(value: Any, what: str) -> Any:
    """A float or a float Series/array from a scalar, list, array or Series."""
    if value is None:
        raise ValueError(f"{what} is missing")
    if isinstance(value, bool):
        raise TypeError(f"{what} must be a number, got a boolean")
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    if isinstance(value, pd.Series):
        if not pd.api.types.is_numeric_dtype(value) or pd.api.types.is_bool_dtype(value):
            raise TypeError(f"{what} must be numbers, got dtype {value.dtype}")
        return value.astype(float)
    if isinstance(value, str | bytes):
        raise TypeError(f"{what} must be a number or numbers, got a string")
    array = np.asarray(value)
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"{what} must be a number or a one-dimensional collection of numbers")
    return pd.Series(array.astype(float))


def engagement_rate(engagements: Any, base: Any) -> float | pd.Series:
    """Engagement rate in percent: ``100 × engagements / base``, with the base you chose.

    The base (denominator) is the story: by reach (people who saw the post), by followers (the
    audience you could have reached) or by impressions (times it was displayed). Always say which
    one you used (Hootsuite's definitions of the three rates).

    Args:
        engagements: interactions (reactions + comments + shares, …) of one post (a number) or of
            several posts (a list, array or Series).
        base: the denominator, same shape: reach, followers or impressions.

    Returns:
        A float for scalar inputs, otherwise a Series named ``engagement_rate_pct`` (with the
        Series index when one is given). Rates can exceed 100: one person can react and
        comment, so engagements by reach may be larger than the reach.

    Raises:
        ValueError: a base that is zero, negative or missing (a rate over nobody means nothing);
            negative or missing engagements; lengths or indexes that do not match.
        TypeError: inputs that are not numbers.
    """
    eng = _numbers(engagements, "engagements")
    den = _numbers(base, "base")
    if isinstance(eng, float) and isinstance(den, float):
        if math.isnan(den):
            raise ValueError("the base (denominator) is missing: say which audience you divide by")
        if den <= 0:
            raise ValueError(
                f"the base (denominator) is {den:g}: a rate needs a positive audience "
                "(reach, followers or impressions)"
            )
        if math.isnan(eng) or eng < 0:
            raise ValueError(f"engagements must be 0 or more, got {eng:g}")
        return 100.0 * eng / den
    if isinstance(eng, float):
        eng = pd.Series(eng, index=den.index)
    if isinstance(den, float):
        den = pd.Series(den, index=eng.index)
    if len(eng) != len(den):
        raise ValueError(f"engagements has {len(eng)} values but base has {len(den)}")
    if not eng.index.equals(den.index):
        raise ValueError(
            "engagements and base have different indexes: align them on the same posts"
        )
    bad_base = den.isna() | (den <= 0)
    if bad_base.any():
        labels = ", ".join(map(str, den.index[bad_base][:5]))
        raise ValueError(
            f"the base (denominator) is zero, negative or missing for {int(bad_base.sum())} "
            f"row(s) (first: {labels}): drop or fix them and say so in your report"
        )
    bad_eng = eng.isna() | (eng < 0)
    if bad_eng.any():
        labels = ", ".join(map(str, eng.index[bad_eng][:5]))
        raise ValueError(
            f"engagements are negative or missing for {int(bad_eng.sum())} row(s) (first: {labels})"
        )
    return (100.0 * eng / den).rename("engagement_rate_pct")


def participation_bands(
    counts: Any, core: float = CORE_SHARE, active: float = ACTIVE_SHARE
) -> pd.Series:
    """Sort members into core / active / peripheral / lurker from their contribution counts.

    The rule, deterministic and independent of row order:

    1. A member with zero contributions is a **lurker** (they may read a lot; they do not write).
    2. Rank all members, lurkers included, from the most to the least contributions. Let ``c`` be
       the count of the member at rank ``⌈core × n⌉``; every contributor with a count ``≥ c`` is
       **core**. Ties at the cut all go up, so the core can be a little larger than ``core``.
    3. Likewise with rank ``⌈(core + active) × n⌉`` and its count ``a``: every remaining
       contributor with a count ``≥ a`` is **active**.
    4. Every other contributor is **peripheral**.

    The default cut-offs (10% core, then 20% active) take the low end of the ranges in Wenger,
    McDermott & Snyder (2002): a core of 10-15%, an active group of 15-20%, the rest peripheral.
    Splitting the silent majority off as lurkers is the course's addition. When most members
    never write (a brand page), the core and active cut-offs fall on zero counts and every
    contributor ends up core or active: the bands were described for communities of practice.

    Args:
        counts: contributions per member (list, array or Series of non-negative numbers).
        core: share of members targeted as core, in ``(0, 1)``.
        active: share of members targeted as active after the core; ``core + active ≤ 1``.

    Returns:
        An ordered categorical Series named ``band`` with categories ``core``, ``active``,
        ``peripheral``, ``lurker``, on the index of ``counts`` when it is a Series.

    Raises:
        ValueError: as :func:`gini`; shares out of range.
        TypeError: as :func:`gini`.
    """
    array = _as_values(counts, "counts")
    for name, share in (("core", core), ("active", active)):
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share < 1:
            raise ValueError(f"{name} must be a share strictly between 0 and 1, got {share!r}")
    if core + active > 1 + 1e-12:
        raise ValueError(f"core + active must not exceed 1, got {core + active:g}")
    n = array.size
    descending = np.sort(array)[::-1]
    core_cut = descending[top_count(n, core) - 1]
    active_cut = descending[top_count(n, min(1.0, core + active)) - 1]
    # Codes index BANDS: 0 core, 1 active, 2 peripheral, 3 lurker (integers: fast on 10⁶ members).
    codes = np.full(n, 2, dtype=np.int8)
    codes[array >= active_cut] = 1
    codes[array >= core_cut] = 0
    codes[array == 0] = 3
    index = counts.index if isinstance(counts, pd.Series) else pd.RangeIndex(n)
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=list(BANDS), ordered=True),
        index=index,
        name="band",
    )


def band_summary(counts: Any, bands: pd.Series | None = None) -> pd.DataFrame:
    """Members and contributions per participation band.

    Args:
        counts: contributions per member.
        bands: the bands of the same members (default: ``participation_bands(counts)``).

    Returns:
        A DataFrame indexed by band (``core`` … ``lurker``) with columns ``members``,
        ``member_share``, ``contributions`` and ``contribution_share`` (shares between 0 and 1;
        contribution shares are 0 when nobody contributed).

    Raises:
        ValueError: as :func:`gini`, or ``bands`` of another length.
    """
    array = _as_values(counts, "counts")
    if bands is None:
        bands = participation_bands(array)
    if len(bands) != array.size:
        raise ValueError(f"bands has {len(bands)} entries but counts has {array.size}")
    labels = pd.Categorical(np.asarray(bands, dtype=object), categories=list(BANDS), ordered=True)
    frame = pd.DataFrame({"band": labels, "contributions": array})
    table = frame.groupby("band", observed=False)["contributions"].agg(["size", "sum"])
    table.columns = ["members", "contributions"]
    total = array.sum()
    table.insert(1, "member_share", table["members"] / array.size)
    table["contribution_share"] = table["contributions"] / total if total else 0.0
    table.index = pd.Index([str(b) for b in table.index], name="band")
    return table


#: What counts as an engagement on a post in this course: reactions, comments and shares.
#: Clicks are left out (a click is attention, not interaction); say so when you report a rate.
ENGAGEMENT_COLUMNS: tuple[str, ...] = ("reactions", "comments", "shares")

#: The three denominators of an engagement rate, in the order the course shows them.
DENOMINATORS: tuple[str, ...] = ("reach", "followers", "impressions")


def post_rates(posts: pd.DataFrame, followers: Any = None) -> pd.DataFrame:
    """Engagements of each post and its engagement rate under the three denominators.

    Args:
        posts: rows of the ``posts`` dataset (columns ``reactions``, ``comments``, ``shares``,
            ``reach``, ``impressions`` and, for a brand page, ``followers_at_post``).
        followers: the audience used "by followers": a number (e.g. the size of an internal
            community, whose members all could see the post) or a Series on the posts' index.
            Default: the ``followers_at_post`` column.

    Returns:
        A DataFrame on the posts' index with ``engagements`` and ``rate_by_reach``,
        ``rate_by_followers``, ``rate_by_impressions`` (all rates in percent).

    Raises:
        KeyError: a needed column is missing.
        ValueError: a zero or missing denominator (see :func:`engagement_rate`); on the internal
            network there are no followers, so pass the community's size as ``followers``.
    """
    needed = [*ENGAGEMENT_COLUMNS, "reach", "impressions"]
    if followers is None:
        needed.append("followers_at_post")
    missing = [c for c in needed if c not in posts.columns]
    if missing:
        raise KeyError(f"posts lacks column(s) {', '.join(missing)}")
    if followers is None:
        if posts["followers_at_post"].isna().any():
            raise ValueError(
                "followers_at_post is missing for some posts (an internal community has no "
                "followers): pass followers=<number of members who could see the posts>"
            )
        followers = posts["followers_at_post"].astype(float)
    engaged = posts[list(ENGAGEMENT_COLUMNS)].sum(axis=1).astype(float).rename("engagements")
    table = engaged.to_frame()
    table["rate_by_reach"] = engagement_rate(engaged, posts["reach"])
    table["rate_by_followers"] = engagement_rate(engaged, followers)
    table["rate_by_impressions"] = engagement_rate(engaged, posts["impressions"])
    return table
