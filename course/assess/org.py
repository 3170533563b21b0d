"""The organisation's lists of departments and sites offered when someone contributes a result.

The lists come from ``course/assess/org.json`` unless the environment variable
``COURSE_ORG_CONFIG`` names another JSON file of the same shape::

    {"departments": ["Communication", "Sales"], "sites": ["Paris", "Lyon"]}

People choose from these lists only (no free text), so that a contribution can never carry a name.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

__all__ = ["OrgConfig", "load_org_config"]


@dataclass(frozen=True)
class OrgConfig:
    """Departments and sites a contribution can name."""

    departments: tuple[str, ...]
    sites: tuple[str, ...]


def _clean_list(name: str, values: object) -> tuple[str, ...]:
    if not isinstance(values, list) or not values:
        raise ValueError(f"organisation config: {name!r} must be a non-empty list of names")
    cleaned = []
    for value in values:
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            raise ValueError(f"organisation config: bad entry in {name!r}: {value!r}")
        if value.strip() not in cleaned:
            cleaned.append(value.strip())
    return tuple(cleaned)


def load_org_config(path: str | os.PathLike | None = None) -> OrgConfig:
    """Read the organisation's lists.

    Args:
        path: a JSON file; ``None`` means ``COURSE_ORG_CONFIG`` if set, else the packaged default.

    Returns:
        An :class:`OrgConfig`.

    Raises:
        ValueError: the file is not valid JSON or lacks a non-empty ``departments`` / ``sites``.
        OSError: the file cannot be read.
    """
    if path is None and os.environ.get("COURSE_ORG_CONFIG"):
        path = os.environ["COURSE_ORG_CONFIG"]
    if path is None:
        text = resources.files("course.assess").joinpath("org.json").read_text("utf-8")
    else:
        text = Path(path).read_text("utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"organisation config is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError("organisation config must be a JSON object")
    return OrgConfig(
        departments=_clean_list("departments", data.get("departments")),
        sites=_clean_list("sites", data.get("sites")),
    )
