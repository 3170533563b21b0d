"""Organisation RSE maturity: the instrument's data and its scoring rules.

The rules are those of part B of the course's instrument (``shared/domain/instruments.md``):

- eight dimensions, ``strategy``, ``leadership``, ``culture``, ``facilitation``, ``uses``,
  ``governance``, ``tools``, ``measurement``, each placed on a stage from 1 to 4
  (1 hierarchy / ad hoc, 2 emergent / structuring, 3 community / integrated, 4 network);
- all eight are required;
- overall stage = the median of the eight stages rounded down (the median of eight values can
  end in .5), capped at the weakest stage + 1;
- next actions: for every dimension below stage 4, what to do to reach its next stage (the
  instrument's ``actions``, written as actions, not as the next stage's description).

>>> result = score({d: 3 for d in DIMENSIONS} | {"culture": 1})
>>> result.overall_stage, result.weakest
(2, ('culture',))
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from numbers import Integral, Real
from typing import Any

from course.assess.i18n import LANGUAGES, pick

__all__ = [
    "DIMENSIONS",
    "LANGUAGES",
    "STAGES",
    "MaturityResult",
    "instrument",
    "overall_stage",
    "score",
]

DIMENSIONS: tuple[str, ...] = (
    "strategy",
    "leadership",
    "culture",
    "facilitation",
    "uses",
    "governance",
    "tools",
    "measurement",
)
STAGES: tuple[int, ...] = (1, 2, 3, 4)
TOP_STAGE = STAGES[-1]


@dataclass(frozen=True)
class MaturityResult:
    """The scored maturity self-assessment.

    Attributes:
        stages: dimension key → stage 1–4, in instrument order.
        overall_stage: median stage rounded down, capped at ``weakest_stage + 1``.
        weakest_stage: the lowest stage given.
        weakest: the dimensions at ``weakest_stage``, in instrument order.
        next_actions: dimension key → the action that leads to its next stage, for every dimension below
            stage 4, weakest stages first (ties in instrument order); empty when all are at 4.
        next_stages: dimension key → the stage that ``next_actions`` describes.
        lang: the language of ``next_actions``.
    """

    stages: dict[str, int]
    overall_stage: int
    weakest_stage: int
    weakest: tuple[str, ...]
    next_actions: dict[str, str]
    next_stages: dict[str, int]
    lang: str = "en"

    @property
    def median(self) -> float:
        """The plain median of the eight stages (may end in .5), before rounding and capping."""
        ordered = sorted(self.stages.values())
        middle = len(ordered) // 2
        return (ordered[middle - 1] + ordered[middle]) / 2


def _stage(dimension: str, value: Any) -> int:
    """Validate one stage; raises ``ValueError`` naming the dimension."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{dimension}: stage must be a whole number from 1 to 4, got {value!r}")
    if value != value:  # NaN, as pandas writes a missing answer
        raise ValueError(f"{dimension}: missing stage (all eight are required)")
    if not isinstance(value, Integral) and value != int(value):
        raise ValueError(f"{dimension}: stage must be a whole number from 1 to 4, got {value!r}")
    if not STAGES[0] <= value <= TOP_STAGE:
        raise ValueError(f"{dimension}: stage must be between 1 and 4, got {value!r}")
    return int(value)


def _validate(stages: Any) -> dict[str, int]:
    if not hasattr(stages, "items"):
        raise ValueError(
            f"stages must be a mapping of dimension → stage, got {type(stages).__name__}"
        )
    unknown = sorted(str(key) for key in stages if key not in DIMENSIONS)
    if unknown:
        raise ValueError(
            f"unknown dimension(s): {', '.join(unknown)} (expected {', '.join(DIMENSIONS)})"
        )
    missing = [dim for dim in DIMENSIONS if dim not in stages or stages[dim] is None]
    if missing:
        raise ValueError(f"missing stage for: {', '.join(missing)} (all eight are required)")
    return {dim: _stage(dim, stages[dim]) for dim in DIMENSIONS}


def overall_stage(stages: dict[str, int]) -> int:
    """The overall stage of eight validated stages.

    Args:
        stages: dimension key → stage 1–4 (all eight).

    Returns:
        ``min(floor(median), weakest + 1)``; the median of eight values is the mean of the fourth
        and fifth in order, so integer division gives the rounding down exactly.

    Raises:
        ValueError: a missing or unknown dimension, or a stage outside 1–4.
    """
    valid = _validate(stages)
    ordered = sorted(valid.values())
    middle = len(ordered) // 2
    median_floor = (ordered[middle - 1] + ordered[middle]) // 2
    return min(median_floor, ordered[0] + 1)


def score(stages: dict[str, Any], lang: str = "en") -> MaturityResult:
    """Score a maturity self-assessment with the instrument's rules.

    Args:
        stages: dimension key (``"strategy"`` … ``"measurement"``) → stage, a whole number 1–4.
        lang: ``"en"`` (default) or ``"fr"``: the language of the next actions.

    Returns:
        A :class:`MaturityResult`.

    Raises:
        ValueError: a missing or unknown dimension, a stage outside 1–4 or not a whole number
            (the message names the dimension), or an unknown language.
    """
    wording = instrument(lang)  # validates lang
    valid = _validate(stages)
    weakest_stage = min(valid.values())
    below_top = sorted(
        (dim for dim in DIMENSIONS if valid[dim] < TOP_STAGE),
        key=lambda dim: (valid[dim], DIMENSIONS.index(dim)),
    )
    next_stages = {dim: valid[dim] + 1 for dim in below_top}
    next_actions = {
        dim: wording["dimensions"][dim]["actions"][str(stage)] for dim, stage in next_stages.items()
    }
    return MaturityResult(
        stages=valid,
        overall_stage=overall_stage(valid),
        weakest_stage=weakest_stage,
        weakest=tuple(dim for dim in DIMENSIONS if valid[dim] == weakest_stage),
        next_actions=next_actions,
        next_stages=next_stages,
        lang=lang,
    )


@cache
def _load_instrument() -> dict:
    text = (
        resources.files("course.assess").joinpath("instruments", "maturity.json").read_text("utf-8")
    )
    return json.loads(text)


def instrument(lang: str = "fr") -> dict:
    """The instrument's wording in one language.

    Args:
        lang: ``"fr"`` (default) or ``"en"``.

    Returns:
        A dict with ``title``, ``intro``, ``source``, ``stages`` (``"1"``…``"4"`` → label),
        ``dimensions`` (key → ``{"name", "prompt", "descriptors": {"1"…"4" → text}}``, in
        instrument order) and ``ui`` (interface strings).

    Raises:
        ValueError: an unknown language.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    return pick(_load_instrument(), lang)
