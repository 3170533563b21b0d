"""The instruments' two languages: one definition, shared by every instrument and app."""

from __future__ import annotations

from typing import Any

LANGUAGES: tuple[str, ...] = ("fr", "en")


def pick(node: Any, lang: str) -> Any:
    """Resolve ``{"fr": …, "en": …}`` leaves to one language, recursively.

    Args:
        node: an instrument's data (dicts, lists, strings), bilingual leaves included.
        lang: one of :data:`LANGUAGES`.

    Returns:
        The same structure with every bilingual leaf replaced by its text in ``lang``.
    """
    if isinstance(node, dict):
        if set(node) == set(LANGUAGES):
            return node[lang]
        return {key: pick(value, lang) for key, value in node.items()}
    if isinstance(node, list):
        return [pick(value, lang) for value in node]
    return node
