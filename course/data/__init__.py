"""The course datasets: load, describe, build and verify them.

>>> from course import data
>>> data.names()[:2]
['cm_survey', 'cm_task_log']
>>> survey = data.load("cm_survey")     # a pandas.DataFrame, dtypes set, dates parsed
>>> print(data.card("cm_survey"))       # what a row is, columns and units, sources, limits

Each dataset has one generator in this package (a function of a ``numpy.random.Generator`` and
its sizes); the shipped files in ``datasets/`` are its output, checked by SHA-256.
"""

from __future__ import annotations

# Each generator module registers its datasets at import (build order: _core.ORDER).
from course.data import assessments as _assessments  # noqa: F401
from course.data import capstone as _capstone  # noqa: F401
from course.data import comments as _comments  # noqa: F401
from course.data import communities as _communities  # noqa: F401
from course.data import measures as _measures  # noqa: F401
from course.data import practice as _practice  # noqa: F401
from course.data import rse as _rse  # noqa: F401
from course.data import survey as _survey  # noqa: F401
from course.data import tasks as _tasks  # noqa: F401
from course.data._core import (
    DEFAULT_SCENARIO,
    SCENARIOS,
    DatasetCorruptError,
    DatasetError,
    DatasetMissingError,
    DatasetWriteError,
    all_names,
    build,
    card,
    generate,
    load,
    scenario_dir,
    verify,
)

__all__ = [
    "DEFAULT_SCENARIO",
    "SCENARIOS",
    "DatasetCorruptError",
    "DatasetError",
    "DatasetMissingError",
    "DatasetWriteError",
    "build",
    "card",
    "generate",
    "load",
    "names",
    "scenario_dir",
    "verify",
]


def names() -> list[str]:
    """Names of the shipped datasets, in build order.

    Returns:
        A list such as ``["cm_survey", "cm_task_log", "members", ...]``.
    """
    return all_names()
