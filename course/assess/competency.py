"""Individual community-manager competencies: the instrument's data and its scoring rules.

The rules are those of part A of the course's instrument (``shared/domain/instruments.md``):

- items ``D1.1`` … ``D5.4`` are answered 1–5 or N/A (``None`` or ``"na"``); N/A is not an answer;
- a dimension's score is ``(mean of answered items − 1) / 4 × 100`` and needs at least three
  answered items, otherwise it is missing (``None``), never 0;
- bands: ``< 40`` discovery, ``40 ≤ s < 70`` operational, ``≥ 70`` expert;
- importance ``D1`` … ``D5`` (1–5) defaults to 3; gap = importance × (100 − score) / 100;
- the two largest positive gaps (ties: lower dimension number first) recommend their modules, in
  the order of the gaps, then the orientation profile adds its modules, each module once;
- orientation ``O1`` … ``O3`` (agreement 1–5): internal index = mean(O1, O3, 6 − O2) over the
  answered ones, at least two; ``≥ 3.5`` internal, ``≤ 2.5`` external, otherwise hybrid.

Arithmetic is exact (``fractions.Fraction``) so that boundaries and ties never depend on
floating-point rounding; results are returned as floats.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from importlib import resources
from numbers import Integral, Real
from typing import Any

from course.assess.i18n import LANGUAGES, pick

__all__ = [
    "BANDS",
    "DIMENSIONS",
    "ITEMS",
    "LANGUAGES",
    "MODULES_BY_DIMENSION",
    "ORIENTATION_ITEMS",
    "PROFILE_MODULES",
    "CompetencyResult",
    "band",
    "instrument",
    "orientation_index",
    "orientation_profile",
    "score",
]

DIMENSIONS: tuple[str, ...] = ("D1", "D2", "D3", "D4", "D5")
ITEMS: tuple[str, ...] = tuple(f"{d}.{i}" for d in DIMENSIONS for i in range(1, 5))
ORIENTATION_ITEMS: tuple[str, ...] = ("O1", "O2", "O3")
BANDS: tuple[str, ...] = ("discovery", "operational", "expert")

#: Modules each dimension recommends, in the order they are listed.
MODULES_BY_DIMENSION: dict[str, tuple[str, ...]] = {
    "D1": ("M1", "M6"),
    "D2": ("M2",),
    "D3": ("M3",),
    "D4": ("M6",),
    "D5": ("M4", "M7"),
}
#: Modules an orientation profile adds after the gap-based ones (none for hybrid).
PROFILE_MODULES: dict[str, tuple[str, ...]] = {
    "internal": ("M4", "M5"),
    "external": ("M2", "M3"),
    "hybrid": (),
}

MIN_ANSWERED_ITEMS = 3
MIN_ORIENTATION_ANSWERS = 2
DEFAULT_IMPORTANCE = 3
_NA_STRINGS = frozenset({"na", "n/a", "nsp"})


@dataclass(frozen=True)
class CompetencyResult:
    """The scored self-assessment.

    Attributes:
        scores: dimension id → score 0–100, or ``None`` when fewer than three items were answered.
        bands: dimension id → ``"discovery"``, ``"operational"``, ``"expert"`` or ``None``.
        gaps: dimension id → importance × (100 − score) / 100 (0–5), or ``None`` without a score.
        importance: dimension id → the importance used (given, or the default 3).
        answered: dimension id → number of answered items (N/A not counted).
        recommended_modules: module ids such as ``["M3", "M6"]``, in recommendation order.
        focus: the (at most two) dimensions whose gaps recommend modules, largest gap first.
        strengths: the (at most two) highest-scoring dimensions, highest first (ties: lower number).
        orientation_index: the internal-orientation index (1–5) or ``None``.
        profile: ``"internal"``, ``"external"``, ``"hybrid"`` or ``None``.
    """

    scores: dict[str, float | None]
    bands: dict[str, str | None]
    gaps: dict[str, float | None]
    importance: dict[str, int]
    answered: dict[str, int]
    recommended_modules: list[str]
    focus: list[str] = field(default_factory=list)
    strengths: list[str] = field(default_factory=list)
    orientation_index: float | None = None
    profile: str | None = None

    @property
    def missing_dimensions(self) -> list[str]:
        """Dimensions that still lack answers to be scored (fewer than three answered items)."""
        return [d for d in DIMENSIONS if self.scores[d] is None]

    def missing_answers(self, dimension: str) -> int:
        """How many more answered items ``dimension`` needs before it can be scored."""
        return max(0, MIN_ANSWERED_ITEMS - self.answered[dimension])


def _is_na(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in _NA_STRINGS)


def _likert(item: str, value: Any) -> int | None:
    """Validate one 1–5 answer; ``None`` means N/A. Raises ``ValueError`` naming the item."""
    if _is_na(value):
        return None
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{item}: answer must be a whole number from 1 to 5 or N/A, got {value!r}")
    if not isinstance(value, Integral) and not (math.isfinite(value) and value == int(value)):
        raise ValueError(f"{item}: answer must be a whole number from 1 to 5, got {value!r}")
    if not 1 <= value <= 5:
        raise ValueError(f"{item}: answer must be between 1 and 5, got {value!r}")
    return int(value)


def _check_ids(kind: str, given: dict, known: tuple[str, ...]) -> None:
    unknown = sorted(str(k) for k in given if k not in known)
    if unknown:
        raise ValueError(
            f"unknown {kind} id(s): {', '.join(unknown)} (expected {known[0]}…{known[-1]})"
        )


def band(score_value: float | None) -> str | None:
    """The band of a dimension score.

    Args:
        score_value: a score from 0 to 100, or ``None``.

    Returns:
        ``"discovery"`` below 40, ``"operational"`` from 40 to under 70, ``"expert"`` from 70;
        ``None`` for a missing score.
    """
    if score_value is None:
        return None
    if score_value < 40:
        return "discovery"
    if score_value < 70:
        return "operational"
    return "expert"


def _orientation_fraction(o1: Any, o2: Any, o3: Any) -> Fraction | None:
    terms = []
    for item, value, reverse in (("O1", o1, False), ("O2", o2, True), ("O3", o3, False)):
        answer = _likert(item, value)
        if answer is not None:
            terms.append(6 - answer if reverse else answer)
    if len(terms) < MIN_ORIENTATION_ANSWERS:
        return None
    return Fraction(sum(terms), len(terms))


def orientation_index(o1: Any = None, o2: Any = None, o3: Any = None) -> float | None:
    """The internal-orientation index of the three orientation items.

    ``O1`` "my members are mostly colleagues", ``O2`` "I speak for a brand" (reversed: 6 − O2),
    ``O3`` "my content is mostly job-specific"; each an agreement from 1 to 5, or ``None`` / "na".

    Args:
        o1: agreement with O1 (1–5) or ``None``.
        o2: agreement with O2 (1–5) or ``None``.
        o3: agreement with O3 (1–5) or ``None``.

    Returns:
        The mean of ``O1``, ``O3`` and ``6 − O2`` over the answered ones, from 1 (external) to 5
        (internal), or ``None`` when fewer than two are answered.

    Raises:
        ValueError: an answer outside 1–5 or not a whole number (the message names the item).
    """
    value = _orientation_fraction(o1, o2, o3)
    return None if value is None else float(value)


def orientation_profile(index: float | None) -> str | None:
    """The orientation profile of an index from :func:`orientation_index`.

    Args:
        index: the internal-orientation index, or ``None``.

    Returns:
        ``"internal"`` when the index is at least 3.5, ``"external"`` when at most 2.5,
        ``"hybrid"`` in between, ``None`` when there is no index.
    """
    if index is None:
        return None
    if index >= 3.5:
        return "internal"
    if index <= 2.5:
        return "external"
    return "hybrid"


def score(
    answers: dict[str, Any],
    importance: dict[str, Any] | None = None,
    orientation: dict[str, Any] | None = None,
) -> CompetencyResult:
    """Score a competency self-assessment with the instrument's rules.

    Args:
        answers: item id (``"D1.1"`` … ``"D5.4"``) → 1–5, or ``None`` / ``"na"`` for N/A;
            items left out count as unanswered.
        importance: dimension id (``"D1"`` … ``"D5"``) → importance for the role, 1–5; missing or
            ``None`` means the default 3.
        orientation: ``"O1"`` … ``"O3"`` → agreement 1–5 or ``None``.

    Returns:
        A :class:`CompetencyResult`.

    Raises:
        ValueError: an unknown item, dimension or orientation id, or a value that is not a whole
            number from 1 to 5 (the message names the item).
    """
    importance = dict(importance or {})
    orientation = dict(orientation or {})
    _check_ids("item", answers, ITEMS)
    _check_ids("importance", importance, DIMENSIONS)
    _check_ids("orientation", orientation, ORIENTATION_ITEMS)

    valid = {item: _likert(item, value) for item, value in answers.items()}
    weights: dict[str, int] = {}
    for dim in DIMENSIONS:
        given = _likert(f"importance {dim}", importance.get(dim))
        weights[dim] = DEFAULT_IMPORTANCE if given is None else given

    exact_scores: dict[str, Fraction | None] = {}
    answered: dict[str, int] = {}
    for dim in DIMENSIONS:
        values = [v for item, v in valid.items() if item.split(".")[0] == dim and v is not None]
        answered[dim] = len(values)
        if len(values) < MIN_ANSWERED_ITEMS:
            exact_scores[dim] = None
        else:
            exact_scores[dim] = (Fraction(sum(values), len(values)) - 1) / 4 * 100

    exact_gaps = {
        dim: None if s is None else weights[dim] * (100 - s) / 100
        for dim, s in exact_scores.items()
    }
    ranked = sorted(
        (dim for dim, gap in exact_gaps.items() if gap is not None and gap > 0),
        key=lambda dim: (-exact_gaps[dim], DIMENSIONS.index(dim)),
    )
    focus = ranked[:2]

    index = _orientation_fraction(
        orientation.get("O1"), orientation.get("O2"), orientation.get("O3")
    )
    profile = orientation_profile(None if index is None else float(index))

    modules: list[str] = []
    for module in [m for dim in focus for m in MODULES_BY_DIMENSION[dim]] + list(
        PROFILE_MODULES.get(profile, ())
    ):
        if module not in modules:
            modules.append(module)

    strengths = sorted(
        (dim for dim, s in exact_scores.items() if s is not None),
        key=lambda dim: (-exact_scores[dim], DIMENSIONS.index(dim)),
    )[:2]

    scores = {dim: None if s is None else float(s) for dim, s in exact_scores.items()}
    return CompetencyResult(
        scores=scores,
        bands={dim: band(s) for dim, s in exact_scores.items()},
        gaps={dim: None if g is None else float(g) for dim, g in exact_gaps.items()},
        importance=weights,
        answered=answered,
        recommended_modules=modules,
        focus=focus,
        strengths=strengths,
        orientation_index=None if index is None else float(index),
        profile=profile,
    )


@cache
def _load_instrument() -> dict:
    text = (
        resources.files("course.assess")
        .joinpath("instruments", "competency.json")
        .read_text("utf-8")
    )
    return json.loads(text)


def instrument(lang: str = "fr") -> dict:
    """The instrument's wording in one language.

    Args:
        lang: ``"fr"`` (default) or ``"en"``.

    Returns:
        A dict with ``title``, ``intro``, ``scale`` (value → label, ``"na"`` included),
        ``importance_scale``, ``agreement_scale``, ``dimensions`` (id → ``{"name", "items":
        {item id → text}}``), ``orientation`` (id → text), ``modules`` (id → title), ``bands``
        (band → label), ``profiles`` and ``ui`` (interface strings).

    Raises:
        ValueError: an unknown language.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    data = _load_instrument()
    return pick(data, lang)
