"""Moderation in numbers: agreement between moderators, rules, response times and staffing.

The functions are pure and work on plain sequences, numpy arrays or pandas Series, so that a
lesson, a widget and a test call exactly the same code.

- Agreement: :func:`confusion`, :func:`cohen_kappa`, :func:`disagreements`.
- Rules: :func:`keyword_rule`, :func:`keyword_hits`, :func:`signal_score`,
  :func:`precision_recall`, :func:`rule_report`; the course's charter in
  :data:`REMOVE_CATEGORIES` and :data:`PROTECTED_CATEGORY`.
- Response times: :func:`response_time_stats`, :func:`response_time_table`.
- Staffing (the course's own model, assumptions stated in each docstring):
  :func:`service_level`, :func:`moderators_needed`, :func:`fte_needed`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "PROTECTED_CATEGORY",
    "REMOVE_CATEGORIES",
    "SIGNALS",
    "STARTER_KEYWORDS",
    "cohen_kappa",
    "confusion",
    "disagreements",
    "fte_needed",
    "keyword_hits",
    "keyword_rule",
    "moderators_needed",
    "normalise_text",
    "precision_recall",
    "response_time_stats",
    "response_time_table",
    "rule_report",
    "service_level",
    "signal_score",
]


# The course's charter (an assumption of the course, not a law): what a moderator removes or
# hides from public view. Off-topic posts stay (they are redirected, not removed); personal data is
# hidden to protect its author; fair criticism is never removed.
REMOVE_CATEGORIES: tuple[str, ...] = ("spam", "insult", "illegal", "personal_data")
#: The category whose removal the course counts on its own: silencing it costs the most.
PROTECTED_CATEGORY = "fair_criticism"
#: A starting keyword list for the rule workbench, close to the `comments` dataset's keyword rule.
STARTER_KEYWORDS: tuple[str, ...] = (
    "incapable*",
    "guignols",
    "incompétents",
    "rigolos",
    "branquignols",
    "clowns",
    "nul",
    "nulle",
    "nuls",
    "honte",
    "arnaque",
    "escrocs",
    "useless",
    "amateurs",
    "scam",
    "shame",
    "rubbish",
)

#: Signals other than keywords that a score rule can add, as regular expressions on the raw text:
#: the same patterns as the `comments` dataset's automated rules (its data card lists them).
SIGNALS: dict[str, str] = {
    "shouting": r"!!!|\b[A-ZÉÈ]{5,}\b",
    "link": r"https?://|www\.",
    "contact_details": r"\b0[67](?: \d\d){4}\b|[\w.]+@[\w-]+\.\w+",
}


# --------------------------------------------------------------------------- input checks


def _labels(values: Any, name: str) -> list[Hashable]:
    """A list of labels, refusing strings (a common slip), missing and unhashable labels."""
    if isinstance(values, str | bytes):
        raise TypeError(f"{name} must be a sequence of labels, not a single string")
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"{name} must be one column of labels, not a DataFrame")
    try:
        items = values.tolist() if hasattr(values, "tolist") else list(values)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of labels") from None
    for position, item in enumerate(items):
        if item is None or item is pd.NaT or item is pd.NA:
            raise ValueError(f"{name} has a missing label at position {position}")
        if isinstance(item, float) and math.isnan(item):
            raise ValueError(f"{name} has a missing label (NaN) at position {position}")
        try:
            hash(item)
        except TypeError:
            raise TypeError(
                f"{name} has an unhashable label at position {position}: {type(item).__name__}"
            ) from None
    return items


def _pair(a: Any, b: Any, names: tuple[str, str] = ("a", "b")) -> tuple[list, list]:
    first, second = _labels(a, names[0]), _labels(b, names[1])
    if len(first) != len(second):
        raise ValueError(
            f"{names[0]} and {names[1]} must label the same items: "
            f"lengths {len(first)} and {len(second)}"
        )
    if not first:
        raise ValueError(f"{names[0]} and {names[1]} are empty: nothing to compare")
    return first, second


def _ordered(labels: Iterable[Hashable]) -> list[Hashable]:
    """Distinct labels, sorted when they can be, else in order of first appearance."""
    distinct = list(dict.fromkeys(labels))
    try:
        return sorted(distinct)
    except TypeError:  # mixed types such as 1 and "spam" cannot be sorted
        return distinct


# --------------------------------------------------------------------------- agreement


def confusion(a: Any, b: Any, labels: Sequence[Hashable] | None = None) -> pd.DataFrame:
    """Cross-tabulate two labellings of the same items.

    Args:
        a: labels given by the first moderator (rows), one per item; any hashable values.
        b: labels given by the second moderator (columns), same items in the same order.
        labels: order of rows and columns; default: every label seen, sorted when sortable
            (else in order of first appearance). Labels listed but never used get zeros.

    Returns:
        A DataFrame of counts (int64): ``table.loc[x, y]`` is the number of items the first
        moderator labelled ``x`` and the second ``y``. The diagonal holds the agreements.
        Rows and columns are named after the Series' names when given ("a" and "b" otherwise).

    Raises:
        ValueError: different lengths, empty input, missing labels, or a label used but absent
            from ``labels``.
        TypeError: a single string instead of a sequence, or unhashable labels.
    """
    first, second = _pair(a, b)
    order = _ordered(first + second) if labels is None else list(labels)
    position = {label: i for i, label in enumerate(order)}
    unknown = [x for x in dict.fromkeys(first + second) if x not in position]
    if unknown:
        raise ValueError(f"labels {unknown!r} are used but missing from `labels`")
    counts = np.zeros((len(order), len(order)), dtype=np.int64)
    for (x, y), n in Counter(zip(first, second, strict=True)).items():
        counts[position[x], position[y]] = n
    table = pd.DataFrame(counts, index=pd.Index(order), columns=pd.Index(order))
    table.index.name = getattr(a, "name", None) or "a"
    table.columns.name = getattr(b, "name", None) or "b"
    return table


def cohen_kappa(a: Any, b: Any) -> float:
    """Cohen's kappa (unweighted): agreement between two raters beyond what chance would give.

    ``kappa = (p_o - p_e) / (1 - p_e)`` where ``p_o`` is the share of items both raters label
    the same and ``p_e`` the agreement expected if each labelled at random with their own
    label frequencies: the sum over labels of the product of the two raters' shares
    (Cohen 1960). 1 is perfect agreement, 0 is chance level, below 0 worse than chance.

    Degenerate case: when ``p_e == 1`` both raters gave one and the same label to every item.
    Kappa is then 0/0; this function returns ``nan`` (no warning), because such data cannot
    tell agreement from chance: label a more varied sample before judging reliability.

    Args:
        a: labels of the first rater, one per item; any hashable values, types may be mixed
            (``1`` and ``"1"`` are different labels; ``1``, ``1.0`` and ``True`` are the same,
            as in a Python dict).
        b: labels of the second rater for the same items, in the same order.

    Returns:
        Kappa as a float in [-1, 1], or ``nan`` in the degenerate case.

    Raises:
        ValueError: different lengths, empty input or a missing label (None/NaN/NaT).
        TypeError: a single string instead of a sequence, or an unhashable label.
    """
    first, second = _pair(a, b)
    n = len(first)
    observed = sum(x == y for x, y in zip(first, second, strict=True)) / n
    count_a, count_b = Counter(first), Counter(second)
    expected = sum(count_a[label] * count_b.get(label, 0) for label in count_a) / (n * n)
    if math.isclose(expected, 1.0):
        return math.nan
    return (observed - expected) / (1.0 - expected)


def disagreements(a: Any, b: Any) -> pd.DataFrame:
    """The pairs of labels on which two raters disagree, most frequent first.

    Args:
        a: labels of the first rater.
        b: labels of the second rater, same items in the same order.

    Returns:
        A DataFrame with columns ``first``, ``second`` (the two labels), ``items`` (count)
        and ``share`` (of all disagreements), sorted by ``items`` descending; empty (with
        those columns) when the raters always agree.

    Raises:
        ValueError, TypeError: as :func:`confusion`.
    """
    first, second = _pair(a, b)
    pairs = Counter((x, y) for x, y in zip(first, second, strict=True) if x != y)
    rows = [(x, y, n) for (x, y), n in pairs.items()]
    table = pd.DataFrame(rows, columns=["first", "second", "items"])
    table["items"] = table["items"].astype("int64")
    total = table["items"].sum()
    table["share"] = table["items"] / total if total else pd.Series(dtype=float)
    # Ties broken by label text so that the order never depends on the input order.
    table["_key"] = table["first"].astype(str) + "\x00" + table["second"].astype(str)
    table = table.sort_values(["items", "_key"], ascending=[False, True], kind="mergesort")
    return table.drop(columns="_key").reset_index(drop=True)


# --------------------------------------------------------------------------- rules


def precision_recall(truth: Any, predicted: Any, positive: Hashable) -> tuple[float, float]:
    """Precision and recall of a rule, for one class taken as "positive".

    Precision: of the items the rule flags as ``positive``, the share that truly are.
    Recall: of the items that truly are ``positive``, the share the rule flags.

    Args:
        truth: the reference labels (e.g. an adjudicated category, or booleans).
        predicted: the rule's labels for the same items, in the same order.
        positive: the label that counts as positive (e.g. ``True`` or ``"insult"``).

    Returns:
        ``(precision, recall)``. Precision is ``nan`` when the rule flags nothing, recall is
        ``nan`` when no item is truly positive: a ratio with nothing to count is undefined,
        not 0 (a rule that flags nothing has not been shown wrong).

    Raises:
        ValueError: different lengths, empty input or missing labels.
        TypeError: a single string instead of a sequence, or unhashable labels.
    """
    reference, flagged = _pair(truth, predicted, ("truth", "predicted"))
    is_true = np.fromiter((x == positive for x in reference), dtype=bool, count=len(reference))
    is_flag = np.fromiter((y == positive for y in flagged), dtype=bool, count=len(flagged))
    hits = int(np.sum(is_true & is_flag))
    n_flagged, n_true = int(is_flag.sum()), int(is_true.sum())
    precision = hits / n_flagged if n_flagged else math.nan
    recall = hits / n_true if n_true else math.nan
    return precision, recall


def normalise_text(text: str) -> str:
    """Lower-case text without accents, so that "Arnaqué" and "arnaque" compare equal.

    Args:
        text: any text.

    Returns:
        The text case-folded, with combining accents removed (é→e, ç→c; œ kept as is).
    """
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _keyword_pattern(keywords: Iterable[str]) -> re.Pattern | None:
    parts = []
    for raw in keywords:
        word = normalise_text(raw).strip()
        if not word or word == "*":
            continue
        prefix = word.endswith("*")
        body = re.escape(word.rstrip("*").strip())
        # Whole words only ("nul" must not catch "nullement"); "arnaq*" catches every ending.
        parts.append(rf"\b{body}\w*" if prefix else rf"\b{body}\b")
    if not parts:
        return None
    return re.compile("|".join(parts))


def _texts(texts: Any) -> pd.Series:
    if isinstance(texts, str):
        raise TypeError("texts must be a sequence of strings, not a single string")
    series = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
    return series.map(lambda t: normalise_text(t) if isinstance(t, str) else "")


def keyword_hits(texts: Any, keywords: Iterable[str]) -> np.ndarray:
    """Count, for each text, how many different keywords it contains.

    Matching is that of :func:`keyword_rule`; the count is a score that a threshold turns into
    a rule.

    Args:
        texts: a sequence (or Series) of strings; missing texts score 0.
        keywords: the keywords; blanks and duplicates (after normalising) are ignored.

    Returns:
        An integer numpy array, one count per text.

    Raises:
        TypeError: ``keywords`` or ``texts`` is a single string.
    """
    if isinstance(keywords, str):
        raise TypeError('keywords must be a list of strings, e.g. ["arnaq*", "escroc"]')
    normalised = _texts(texts)
    hits = np.zeros(len(normalised), dtype=np.int64)
    for word in dict.fromkeys(normalise_text(k).strip() for k in keywords):
        pattern = _keyword_pattern([word])
        if pattern is not None:
            hits += normalised.str.contains(pattern).to_numpy(dtype=np.int64)
    return hits


def keyword_rule(texts: Any, keywords: Iterable[str]) -> np.ndarray:
    """Flag the texts that contain at least one keyword.

    Matching ignores case and accents and works on whole words; a keyword ending in ``*``
    matches any word that starts with it (``"arnaq*"`` flags "arnaque", "arnaqueurs"). A
    keyword of several words matches that phrase.

    Args:
        texts: a sequence (or Series) of strings; missing texts are never flagged.
        keywords: the list of keywords; blanks are ignored. An empty list flags nothing.

    Returns:
        A boolean numpy array, one value per text.

    Raises:
        TypeError: ``keywords`` is a single string (write ``["idiot"]``, not ``"idiot"``).
    """
    if isinstance(keywords, str):
        raise TypeError('keywords must be a list of strings, e.g. ["arnaq*", "escroc"]')
    normalised = _texts(texts)
    pattern = _keyword_pattern(keywords)
    if pattern is None:
        return np.zeros(len(normalised), dtype=bool)
    return normalised.str.contains(pattern).to_numpy(dtype=bool)


def signal_score(texts: Any, keywords: Iterable[str], signals: Iterable[str] = ()) -> np.ndarray:
    """A transparent score: different keywords found, plus one per other signal present.

    A threshold turns it into a rule (``score >= 1`` flags any signal; ``>= 2`` demands two),
    which is how a trainee sees precision and recall trade against each other.

    Args:
        texts: a sequence (or Series) of strings.
        keywords: keywords counted by :func:`keyword_hits`.
        signals: names from :data:`SIGNALS` (``"shouting"``, ``"link"``, ``"contact_details"``).

    Returns:
        An integer numpy array, one score per text.

    Raises:
        KeyError: an unknown signal name.
    """
    score = keyword_hits(texts, keywords)
    raw = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
    raw = raw.where(raw.map(lambda t: isinstance(t, str)), "")
    for name in dict.fromkeys(signals):
        if name not in SIGNALS:
            raise KeyError(f"unknown signal {name!r}; known: {', '.join(SIGNALS)}")
        score += raw.str.contains(SIGNALS[name], regex=True).to_numpy(dtype=np.int64)
    return score


def rule_report(
    truth: Any, flagged: Any, remove: Iterable[Hashable], protected: Hashable | None = None
) -> pd.Series:
    """How a removal rule performs against reference categories.

    Args:
        truth: the reference category of each item (e.g. "insult", "fair_criticism").
        flagged: booleans, True where the rule would remove (or hide) the item.
        remove: the categories that should be removed; every other category should stay.
        protected: a category whose removals are counted on their own (e.g. fair criticism:
            silencing it is the costliest mistake a brand or an RSE can make).

    Returns:
        A Series with ``flagged`` (items the rule removes), ``precision``, ``recall`` (for
        "should be removed"), ``false_positives`` and, when ``protected`` is given,
        ``protected_flagged`` (its items removed) and ``protected_rate`` (share of that
        category removed; ``nan`` if the category is absent).

    Raises:
        ValueError: different lengths, empty input, or ``flagged`` not boolean.
    """
    categories = pd.Series(_labels(truth, "truth"), dtype=object)
    flags = pd.Series(flagged).reset_index(drop=True)
    if len(flags) != len(categories):
        raise ValueError(f"truth and flagged have lengths {len(categories)} and {len(flags)}")
    if not pd.api.types.is_bool_dtype(flags):
        raise ValueError("flagged must hold booleans (True = the rule removes the item)")
    should = categories.isin(list(remove)).to_numpy()
    flags_array = flags.to_numpy(dtype=bool)
    precision, recall = precision_recall(should, flags_array, True)
    report = {
        "flagged": int(flags_array.sum()),
        "precision": precision,
        "recall": recall,
        "false_positives": int((flags_array & ~should).sum()),
    }
    if protected is not None:
        members = (categories == protected).to_numpy()
        report["protected_flagged"] = int((flags_array & members).sum())
        report["protected_rate"] = (
            report["protected_flagged"] / members.sum() if members.any() else math.nan
        )
    return pd.Series(report, dtype=float).rename("rule")


# --------------------------------------------------------------------------- response times


def _hours(values: Any, name: str) -> np.ndarray:
    """Durations as float hours, NaN for unanswered; numbers are read as hours."""
    if isinstance(values, str | bytes):
        raise TypeError(f"{name} must be a sequence of durations, not a string")
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if pd.api.types.is_timedelta64_dtype(series):
        return series.dt.total_seconds().to_numpy(dtype=float) / 3600.0
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series.to_numpy(dtype=float, na_value=np.nan)
    out = np.empty(len(series), dtype=float)
    for i, item in enumerate(series):
        if (
            item is None
            or item is pd.NaT
            or item is pd.NA
            or (isinstance(item, float | np.floating) and np.isnan(item))
        ):
            out[i] = np.nan
        elif isinstance(item, pd.Timedelta | np.timedelta64) or hasattr(item, "total_seconds"):
            out[i] = pd.Timedelta(item).total_seconds() / 3600.0
        elif isinstance(item, int | float | np.integer | np.floating) and not isinstance(
            item, bool | np.bool_
        ):
            out[i] = float(item)
        else:
            raise TypeError(
                f"{name}[{i}] is {type(item).__name__}: give timedeltas or numbers of hours"
            )
    return out


def _target_hours(target: Any) -> tuple[str, float]:
    if isinstance(target, bool):
        raise TypeError("a target must be a duration such as '1h' or a number of hours")
    if isinstance(target, int | float):
        label, hours = f"{target:g}h", float(target)
    else:
        try:
            delta = pd.Timedelta(target)
        except (ValueError, TypeError):
            raise ValueError(
                f"cannot read the target {target!r}: write e.g. '1h' or '30min'"
            ) from None
        if delta is pd.NaT:
            raise ValueError("a target cannot be missing")
        label = target if isinstance(target, str) else f"{delta.total_seconds() / 3600:g}h"
        hours = delta.total_seconds() / 3600.0
    if not hours > 0:
        raise ValueError(f"a target must be positive, got {target!r}")
    return label, hours


def _quantile(ordered: np.ndarray, q: float) -> float:
    """numpy's default (linear) quantile on sorted data that may end with +inf.

    Not ``np.quantile``: with +inf in the data its interpolation computes inf − inf and returns
    NaN (numpy 2.x, with a RuntimeWarning), where an unanswered item must read as an endless wait.
    """
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    weight = position - low
    if weight == 0 or ordered[low] == ordered[high]:
        return float(ordered[low])
    if math.isinf(ordered[high]):
        return math.inf
    return float(ordered[low] + weight * (ordered[high] - ordered[low]))


def response_time_stats(durations: Any, targets: Sequence[Any] = ("1h", "24h")) -> pd.Series:
    """Summarise times to first reply, counting unanswered items as misses.

    Unanswered items (NaN, None, NaT) are kept: they count in the denominator of every share,
    and for the median and 90th percentile they are treated as infinitely long waits. So the
    median is ``inf`` when half or more of the items were never answered, and the p90 is
    ``inf`` as soon as more than about 10% were not: dropping them would flatter the team.

    Args:
        durations: times to first reply, one per item: timedeltas (Series of timedelta64,
            ``pd.Timedelta``, ``datetime.timedelta``) or numbers read as hours.
        targets: reply-time targets: strings such as ``"1h"``, ``"30min"``, ``"24h"``,
            timedeltas, or numbers of hours.

    Returns:
        A float Series indexed ``items``, ``answered`` (share with a reply), ``median_h``,
        ``p90_h`` (hours, numpy's linear quantile, ``inf`` as above) and ``within_<target>``
        per target (share of all items answered within it, the bound included).

    Raises:
        ValueError: no durations, a negative duration, or a target that is not positive.
        TypeError: a value that is neither a duration nor a number.
    """
    hours = _hours(durations, "durations")
    if hours.size == 0:
        raise ValueError("durations is empty: nothing to summarise")
    if np.any(hours[~np.isnan(hours)] < 0):
        raise ValueError("durations cannot be negative (a reply before the comment?)")
    waits = np.sort(np.where(np.isnan(hours), np.inf, hours))
    stats: dict[str, float] = {
        "items": float(hours.size),
        "answered": float(np.mean(~np.isnan(hours))),
        "median_h": _quantile(waits, 0.5),
        "p90_h": _quantile(waits, 0.9),
    }
    for target in targets:
        label, limit = _target_hours(target)
        stats[f"within_{label}"] = float(np.mean(waits <= limit))
    return pd.Series(stats, dtype=float, name="response_time")


def response_time_table(
    frame: pd.DataFrame, by: str, column: str, targets: Sequence[Any] = ("1h", "24h")
) -> pd.DataFrame:
    """:func:`response_time_stats` per group (for example per channel), one row per group.

    Args:
        frame: one row per item.
        by: the grouping column (e.g. the channel).
        column: the time-to-first-reply column (timedeltas or hours, NaN when unanswered).
        targets: as in :func:`response_time_stats`.

    Returns:
        A DataFrame indexed by group, with the columns of :func:`response_time_stats`.

    Raises:
        KeyError: a column is missing.
    """
    for name in (by, column):
        if name not in frame.columns:
            raise KeyError(f"no column {name!r}; columns are {', '.join(map(str, frame.columns))}")
    rows = {
        group: response_time_stats(part[column], targets)
        for group, part in frame.groupby(by, sort=True, observed=True)
    }
    table = pd.DataFrame(rows).T
    table.index.name = by
    return table


# --------------------------------------------------------------------------- staffing


def service_level(
    moderators: int, items_per_hour: float, minutes_per_item: float, target_minutes: float
) -> float:
    """Share of items answered within a target, for a team on duty (Erlang C queue).

    The course's staffing model, with its assumptions stated: items arrive at random
    (Poisson) at a steady rate while the team is on duty; handling times vary at random
    (exponential) around their mean; every moderator takes the next item in the queue; nobody
    gives up and nothing is answered outside duty hours. Real comment traffic is burstier
    (a crisis arrives all at once), so treat the result as a lower bound on staff.

    Args:
        moderators: moderators on duty at the same time (an integer ≥ 1).
        items_per_hour: comments needing a reply or a decision, per hour.
        minutes_per_item: average handling time of one item, in minutes.
        target_minutes: the response-time target, in minutes.

    Returns:
        The share of items whose wait is at most ``target_minutes`` (0 when the team cannot
        keep up: load ≥ moderators).

    Raises:
        ValueError: a non-positive count or time, or a negative rate.
    """
    if isinstance(moderators, bool) or int(moderators) != moderators or moderators < 1:
        raise ValueError("moderators must be a whole number ≥ 1")
    if items_per_hour < 0 or minutes_per_item <= 0 or target_minutes < 0:
        raise ValueError("rates and times must be positive")
    n = int(moderators)
    load = items_per_hour * minutes_per_item / 60.0  # offered work, in moderators busy
    if load == 0:
        return 1.0
    if load >= n:
        return 0.0
    # Erlang B by recurrence (stable for large teams), then Erlang C from it.
    blocking = 1.0
    for k in range(1, n + 1):
        blocking = load * blocking / (k + load * blocking)
    waiting = n * blocking / (n - load * (1.0 - blocking))
    return float(1.0 - waiting * math.exp(-(n - load) * target_minutes / minutes_per_item))


def moderators_needed(
    items_per_hour: float,
    minutes_per_item: float,
    target_minutes: float,
    target_share: float,
    max_occupancy: float = 0.85,
) -> int:
    """The smallest team on duty that meets a response-time target (see :func:`service_level`).

    Args:
        items_per_hour: comments needing a reply or a decision, per hour on duty.
        minutes_per_item: average handling time, in minutes.
        target_minutes: the response-time target, in minutes (e.g. 60).
        target_share: the share of items that must meet it (e.g. 0.9).
        max_occupancy: the most a moderator may be kept busy; the course assumes 85%, since
            reading harsh content all day without a break wears people out.

    Returns:
        Moderators needed on duty at the same time (at least 1 during covered hours).

    Raises:
        ValueError: ``target_share`` or ``max_occupancy`` outside (0, 1], or bad rates.
    """
    if not 0 < target_share <= 1 or not 0 < max_occupancy <= 1:
        raise ValueError("target_share and max_occupancy must be in (0, 1]")
    if items_per_hour < 0 or minutes_per_item <= 0 or target_minutes < 0:
        raise ValueError("rates and times must be positive")
    load = items_per_hour * minutes_per_item / 60.0
    team = max(1, math.ceil(load / max_occupancy - 1e-12))
    # target_share = 1 is reached only asymptotically: stop at a tolerance.
    goal = min(target_share, 1 - 1e-9)
    while service_level(team, items_per_hour, minutes_per_item, target_minutes) < goal:
        team += 1
    return team


def fte_needed(
    moderators_on_duty: float,
    covered_hours_per_week: float,
    contract_hours_per_week: float = 35.0,
    shrinkage: float = 0.30,
) -> float:
    """Full-time equivalents needed to keep a number of moderators on duty every covered hour.

    Args:
        moderators_on_duty: seats to fill during covered hours (see :func:`moderators_needed`).
        covered_hours_per_week: hours a week someone must be on duty (e.g. 5 × 10 = 50 for
            office hours, 168 for round the clock).
        contract_hours_per_week: hours in a full-time contract (35 in France).
        shrinkage: share of paid hours not spent moderating (holidays, sickness, training,
            meetings); the course assumes 30%.

    Returns:
        FTE as a float (round up when hiring).

    Raises:
        ValueError: negative seats or hours, or ``shrinkage`` outside [0, 1).
    """
    if moderators_on_duty < 0 or covered_hours_per_week < 0 or contract_hours_per_week <= 0:
        raise ValueError("seats and hours must be positive")
    if covered_hours_per_week > 168:
        raise ValueError("a week has 168 hours")
    if not 0 <= shrinkage < 1:
        raise ValueError("shrinkage must be in [0, 1)")
    return moderators_on_duty * covered_hours_per_week / (contract_hours_per_week * (1 - shrinkage))
